/* Pointer motion without Python on the steady path (pointer_motion.h). */
#include <stdlib.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_idle.h>
#include <wlr/types/wlr_input_device.h>
#include <wlr/types/wlr_pointer.h>
#include <wlr/types/wlr_relative_pointer_v1.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_xcursor_manager.h>
#include "internal.h"
#include "pointer_motion.h"
#include "scene_input.h"

struct pointer_motion {
	comp_pointer_motion pub;
	struct wl_listener motion, motion_absolute, frame, request_set_cursor;
};

/* Relative motion for the client under the pointer, only in the frame of its wl_pointer
 * motion (input/cursor.py _relative_motion says why Xwayland needs that). */
static void relative_motion(comp_pointer_motion *pm, struct wlr_surface *focused,
		uint32_t time_msec, double dx, double dy, double udx, double udy) {
	if (pm->relative == NULL || pm->seat->pointer_state.focused_surface != focused) {
		return;
	}
	pm->relative_events++;
	wlr_relative_pointer_manager_v1_send_relative_motion(pm->relative, pm->seat,
		(uint64_t)time_msec * 1000, dx, dy, udx, udy);
}

void comp_pointer_motion_focus(comp_pointer_motion *pm, uint32_t time_msec,
		bool moved) {
	double sx, sy;
	struct wlr_scene_node *node, *tree;
	struct wlr_surface *surface = comp_scene_input_at(pm->root, pm->cursor->x,
		pm->cursor->y, &sx, &sy, &node, &tree);
	bool was_over_client = pm->over_client;
	pm->over_client = surface != NULL;
	if (surface == NULL) {
		/* Over the background or a title bar: our own cursor image, once the pointer
		 * moved or a client's surface left it, and only with a pointer to move it. */
		if ((moved || was_over_client) && pm->has_pointers) {
			if (pm->xcursor == NULL) {
				comp_py_pointer_motion(pm->handle, COMP_POINTER_NEED_XCURSOR, NULL);
			}
			if (pm->xcursor != NULL) {
				wlr_xcursor_manager_set_cursor_image(pm->xcursor, "left_ptr", pm->cursor);
			}
		}
		wlr_seat_pointer_clear_focus(pm->seat);
		return;
	}
	wlr_seat_pointer_notify_enter(pm->seat, surface, sx, sy);
	wlr_seat_pointer_notify_motion(pm->seat, time_msec, sx, sy);
}

/* Python takes the motion: a seat operation (move, resize, a press held or kept), a
 * drag and drop, an active constraint, a client inhibiting input. */
static bool for_python(comp_pointer_motion *pm) {
	return pm->python || pm->seat->pointer_state.button_count > 0 ||
		pm->seat->drag != NULL;
}

static void handle_motion(struct wl_listener *listener, void *data) {
	struct pointer_motion *self = wl_container_of(listener, self, motion);
	comp_pointer_motion *pm = &self->pub;
	struct wlr_event_pointer_motion *event = data;
	if (for_python(pm)) {
		pm->motions_python++;
		comp_py_pointer_motion(pm->handle, COMP_POINTER_MOTION, event);
		return;
	}
	pm->motions_c++;
	if (pm->idle != NULL) {
		wlr_idle_notify_activity(pm->idle, pm->seat);
	}
	struct wlr_surface *focused = pm->seat->pointer_state.focused_surface;
	wlr_cursor_move(pm->cursor, event->device, event->delta_x, event->delta_y);
	comp_pointer_motion_focus(pm, event->time_msec, true);
	relative_motion(pm, focused, event->time_msec, event->delta_x, event->delta_y,
		event->unaccel_dx, event->unaccel_dy);
}

static void handle_motion_absolute(struct wl_listener *listener, void *data) {
	struct pointer_motion *self = wl_container_of(listener, self, motion_absolute);
	comp_pointer_motion *pm = &self->pub;
	struct wlr_event_pointer_motion_absolute *event = data;
	if (for_python(pm)) {
		pm->motions_python++;
		comp_py_pointer_motion(pm->handle, COMP_POINTER_MOTION_ABSOLUTE, event);
		return;
	}
	pm->motions_c++;
	if (pm->idle != NULL) {
		wlr_idle_notify_activity(pm->idle, pm->seat);
	}
	/* As a relative motion too (relative pointer), as sway does. */
	double lx, ly;
	wlr_cursor_absolute_to_layout_coords(pm->cursor, event->device, event->x, event->y,
		&lx, &ly);
	double dx = lx - pm->cursor->x, dy = ly - pm->cursor->y;
	struct wlr_surface *focused = pm->seat->pointer_state.focused_surface;
	wlr_cursor_warp_absolute(pm->cursor, event->device, event->x, event->y);
	comp_pointer_motion_focus(pm, event->time_msec, true);
	relative_motion(pm, focused, event->time_msec, dx, dy, dx, dy);
}

static void handle_frame(struct wl_listener *listener, void *data) {
	struct pointer_motion *self = wl_container_of(listener, self, frame);
	comp_pointer_motion *pm = &self->pub;
	wlr_seat_pointer_notify_frame(pm->seat);
}

static void handle_request_set_cursor(struct wl_listener *listener, void *data) {
	struct pointer_motion *self = wl_container_of(listener, self, request_set_cursor);
	comp_pointer_motion *pm = &self->pub;
	struct wlr_seat_pointer_request_set_cursor_event *event = data;
	/* Only the client under the pointer may set the cursor image. */
	if (pm->seat->pointer_state.focused_client == event->seat_client) {
		pm->cursor_images++;
		wlr_cursor_set_surface(pm->cursor, event->surface, event->hotspot_x,
			event->hotspot_y);
	}
}

comp_pointer_motion *comp_pointer_motion_create(struct wlr_cursor *cursor,
		struct wlr_seat *seat, struct wlr_scene_node *root, void *handle) {
	struct pointer_motion *self = calloc(1, sizeof(*self));
	if (self == NULL) {
		return NULL;
	}
	comp_pointer_motion *pm = &self->pub;
	pm->cursor = cursor;
	pm->seat = seat;
	pm->root = root;
	pm->handle = handle;
	self->motion.notify = handle_motion;
	wl_signal_add(&cursor->events.motion, &self->motion);
	self->motion_absolute.notify = handle_motion_absolute;
	wl_signal_add(&cursor->events.motion_absolute, &self->motion_absolute);
	self->frame.notify = handle_frame;
	wl_signal_add(&cursor->events.frame, &self->frame);
	self->request_set_cursor.notify = handle_request_set_cursor;
	wl_signal_add(&seat->events.request_set_cursor, &self->request_set_cursor);
	return pm;
}

void comp_pointer_motion_destroy(comp_pointer_motion *pm) {
	if (pm == NULL) {
		return;
	}
	struct pointer_motion *self = wl_container_of(pm, self, pub);
	wl_list_remove(&self->motion.link);
	wl_list_remove(&self->motion_absolute.link);
	wl_list_remove(&self->frame.link);
	wl_list_remove(&self->request_set_cursor.link);
	free(self);
}
