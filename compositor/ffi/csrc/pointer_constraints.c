/* Pointer constraints and where a surface is drawn: see pointer_constraints.h. */
#include <math.h>
#include <pixman.h>
#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_pointer.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/util/region.h>
#include "pointer_constraints.h"

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
