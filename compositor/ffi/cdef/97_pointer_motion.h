/* Pointer motion without Python on the steady path: the cursor's motion, absolute motion
 * and frame events and clients' wl_pointer.set_cursor are handled in C (hit test through
 * the scene graph, enter/motion/leave to the client under the pointer, relative motion,
 * idle activity, the cursor image over the background). Python (input/cursor.py) is
 * called only while it must decide: `python` set (a move or resize, a press the
 * compositor kept, an active pointer constraint, a client inhibiting input), a button held
 * (the implicit grab) or a drag and drop in progress. */
#include "97_pointer_motion_types.h"

extern "Python" void comp_py_pointer_motion(void *handle, int kind, void *event);

comp_pointer_motion *comp_pointer_motion_create(struct wlr_cursor *cursor,
	struct wlr_seat *seat, struct wlr_scene_node *root, void *handle);
void comp_pointer_motion_destroy(comp_pointer_motion *pm);
/* Give the pointer to what is under it now (a motion, or a rebase with moved=false). */
void comp_pointer_motion_focus(comp_pointer_motion *pm, uint32_t time_msec,
	bool moved);
