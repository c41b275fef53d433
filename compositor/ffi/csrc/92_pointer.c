#include <math.h>
#include <pixman.h>
#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_pointer.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/util/region.h>

bool comp_region_confine(void *region, double sx, double sy, double dx, double dy,
		double *x, double *y) {
	return wlr_region_confine(region, sx, sy, sx + dx, sy + dy, x, y);
}

bool comp_region_point_inside(void *data, double sx, double sy, double *x, double *y) {
	pixman_region32_t *region = data;
	if (pixman_region32_contains_point(region, floor(sx), floor(sy), NULL)) {
		return false;
	}
	int count;
	pixman_box32_t *boxes = pixman_region32_rectangles(region, &count);
	if (count <= 0) {
		return false;
	}
	*x = (boxes[0].x1 + boxes[0].x2) / 2.0;
	*y = (boxes[0].y1 + boxes[0].y2) / 2.0;
	return true;
}

/* Depth first, topmost child first; only into enabled nodes. */
static bool surface_drawn_below(struct wlr_scene_node *node, struct wlr_surface *surface,
		int x, int y, int *lx, int *ly) {
	if (!node->state.enabled) {
		return false;
	}
	x += node->state.x;
	y += node->state.y;
	if (node->type == WLR_SCENE_NODE_SURFACE &&
			wlr_scene_surface_from_node(node)->surface == surface) {
		if (!wlr_surface_has_buffer(surface)) {
			return false;
		}
		*lx = x;
		*ly = y;
		return true;
	}
	struct wlr_scene_node *child;
	wl_list_for_each_reverse(child, &node->state.children, state.link) {
		if (surface_drawn_below(child, surface, x, y, lx, ly)) {
			return true;
		}
	}
	return false;
}

bool comp_scene_surface_drawn(struct wlr_scene_node *root, struct wlr_surface *surface,
		int *lx, int *ly) {
	return surface_drawn_below(root, surface, 0, 0, lx, ly);
}

int comp_pointer_gesture(struct wlr_input_device *dev, uint32_t time_msec, int kind,
		int phase, uint32_t fingers, double dx, double dy, double scale, double rotation,
		bool cancelled) {
	if (dev->type != WLR_INPUT_DEVICE_POINTER) {
		return -1;
	}
	struct wlr_pointer *pointer = dev->pointer;
	if (kind == 0 && phase == 0) {
		struct wlr_event_pointer_swipe_begin event = {
			.device = dev, .time_msec = time_msec, .fingers = fingers,
		};
		wl_signal_emit(&pointer->events.swipe_begin, &event);
	} else if (kind == 0 && phase == 1) {
		struct wlr_event_pointer_swipe_update event = {
			.device = dev, .time_msec = time_msec, .fingers = fingers, .dx = dx, .dy = dy,
		};
		wl_signal_emit(&pointer->events.swipe_update, &event);
	} else if (kind == 0 && phase == 2) {
		struct wlr_event_pointer_swipe_end event = {
			.device = dev, .time_msec = time_msec, .cancelled = cancelled,
		};
		wl_signal_emit(&pointer->events.swipe_end, &event);
	} else if (kind == 1 && phase == 0) {
		struct wlr_event_pointer_pinch_begin event = {
			.device = dev, .time_msec = time_msec, .fingers = fingers,
		};
		wl_signal_emit(&pointer->events.pinch_begin, &event);
	} else if (kind == 1 && phase == 1) {
		struct wlr_event_pointer_pinch_update event = {
			.device = dev, .time_msec = time_msec, .fingers = fingers, .dx = dx, .dy = dy,
			.scale = scale, .rotation = rotation,
		};
		wl_signal_emit(&pointer->events.pinch_update, &event);
	} else if (kind == 1 && phase == 2) {
		struct wlr_event_pointer_pinch_end event = {
			.device = dev, .time_msec = time_msec, .cancelled = cancelled,
		};
		wl_signal_emit(&pointer->events.pinch_end, &event);
	} else if (kind == 2 && phase == 0) {
		struct wlr_event_pointer_hold_begin event = {
			.device = dev, .time_msec = time_msec, .fingers = fingers,
		};
		wl_signal_emit(&pointer->events.hold_begin, &event);
	} else if (kind == 2 && phase == 2) {
		struct wlr_event_pointer_hold_end event = {
			.device = dev, .time_msec = time_msec, .cancelled = cancelled,
		};
		wl_signal_emit(&pointer->events.hold_end, &event);
	} else {
		return -1;
	}
	return 0;
}
