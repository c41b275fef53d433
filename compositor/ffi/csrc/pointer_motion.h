/* Pointer motion without Python on the steady path: the cursor's motion, absolute motion
 * and frame events and clients' wl_pointer.set_cursor are handled in C (hit test through
 * the scene graph, enter/motion/leave to the client under the pointer, relative motion,
 * idle activity, the cursor image over the background). Python (input/cursor.py) is
 * called (comp_py_pointer_motion) only while it must decide: `python` set (a move or
 * resize, a press the compositor kept, an active pointer constraint, a client inhibiting
 * input), a button held (the implicit grab) or a drag and drop in progress
 * (csrc/pointer_motion.c). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct wlr_cursor;
struct wlr_seat;
struct wlr_scene_node;
struct wlr_idle;
struct wlr_xcursor_manager;
struct wlr_relative_pointer_manager_v1;

/* What comp_py_pointer_motion is called for. */
enum comp_pointer_call {
	COMP_POINTER_MOTION = 0, /* a struct wlr_event_pointer_motion * for Python */
	COMP_POINTER_MOTION_ABSOLUTE = 1, /* a struct wlr_event_pointer_motion_absolute * */
	COMP_POINTER_NEED_XCURSOR = 2, /* make the xcursor manager and set `xcursor` */
};

typedef struct {
	struct wlr_cursor *cursor;
	struct wlr_seat *seat;
	struct wlr_scene_node *root;
	void *handle;
	/* Set from Python: */
	struct wlr_relative_pointer_manager_v1 *relative; /* NULL: no relative motion */
	struct wlr_idle *idle; /* NULL: no activity to report */
	struct wlr_xcursor_manager *xcursor; /* NULL until Python made it (on first need) */
	bool python; /* Python takes every motion (grab, kept press, constraint, inhibitor) */
	bool has_pointers; /* a pointer device is plugged in */
	/* State, read and written by both sides: */
	bool over_client; /* the last hit test found a client's surface */
	/* Counters: */
	uint64_t motions_c; /* motion events handled in C, no Python */
	uint64_t motions_python; /* motion events handed to Python */
	uint64_t relative_events; /* relative motion events offered to clients from C */
	uint64_t cursor_images; /* clients' cursor images set (wl_pointer.set_cursor) */
} comp_pointer_motion;

comp_pointer_motion *comp_pointer_motion_create(struct wlr_cursor *cursor,
	struct wlr_seat *seat, struct wlr_scene_node *root, void *handle);
void comp_pointer_motion_destroy(comp_pointer_motion *pm);
/* Give the pointer to what is under it now (a motion, or a rebase with moved=false). */
void comp_pointer_motion_focus(comp_pointer_motion *pm, uint32_t time_msec,
	bool moved);
