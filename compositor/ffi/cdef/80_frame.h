/* The steady-state frame path, in C: on each output frame, send frame done, commit the scene
 * (only what changed is rendered, pixman and GLES2 alike: csrc/81_scene_render.c; software
 * GL's frame finished before the commit), count the frame, report it presented on headless.
 * Python is called only for what it asked for (see comp_frame_loop's python_* flags). */
#include "80_frame_types.h"

comp_frame_loop *comp_frame_loop_create(struct wlr_scene_output *scene_output, void *handle);
void comp_frame_loop_destroy(comp_frame_loop *loop);

/* Called with loop->handle. Returns true when Python rendered and committed the frame. */
extern "Python" bool comp_py_render_frame(void *handle);
extern "Python" void comp_py_commit_failed(void *handle);
/* A rule: frames of this output always composited, never a client's buffer on the plane
 * (csrc/81_scene_render.c); false when out of memory. */
bool comp_output_set_scanout_allowed(struct wlr_output *output, bool allowed);
