/* What the C files of the module share with each other and Python does not see (each
 * concern's own header, csrc/<concern>.h, has what Python calls). Not part of the cdef:
 * build.py includes it in the module's own file only for the prototypes of the Python
 * callbacks cffi defines there. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <pixman.h>
#include <wayland-server-core.h>
#include <wayland-server-protocol.h>
#include <wlr/util/addon.h>
#include "client_limits.h"
#include "frame_loop.h"

struct comp_accept;
struct wl_client;
struct wl_display;
struct wl_event_loop;
struct wl_event_source;
struct wlr_allocator;
struct wlr_box;
struct wlr_buffer;
struct wlr_dmabuf_attributes;
struct wlr_fbox;
struct wlr_output;
struct wlr_renderer;
struct wlr_scene;
struct wlr_scene_buffer;
struct wlr_scene_node;
struct wlr_scene_output;
struct wlr_surface;
struct wlr_texture;
struct timespec;

/* -- Python, called from C: cffi defines these in the module's own file (declared
 * extern "Python+C" in the cdef, with what each is for). */
void comp_py_log(int importance, const char *line);
void comp_py_limit_log(int level, const char *line);
void comp_drm_buffer_destroyed(uint64_t token);
bool comp_py_render_frame(void *handle);
void comp_py_commit_failed(void *handle);
void comp_py_trace_line(void *handle, const char *line);
void comp_py_pointer_motion(void *handle, int kind, void *event);
void comp_py_keyboard(void *handle, int kind, void *event);
void comp_py_session_lock(void *handle, int kind, void *object);
void comp_py_client_created(struct wl_client *client, int32_t pid, uint32_t uid);
void comp_py_screencast_ended(void *handle, uint32_t id, const char *reason);
void comp_py_toplevel_icon(struct wlr_surface *surface);
void comp_py_buffer_kind(struct wlr_surface *surface, struct wl_client *client, int32_t pid,
	int previous, int kind);

/* -- log lines of the limits at a bounded rate (ratelog.c): the first event is logged at
 * once through comp_py_limit_log; later ones within a few seconds are counted and summed
 * up in one line when the interval is over (a timer, so the count is never lost). A flood
 * of refusals costs one line every few seconds, not one per event. */
struct comp_ratelog {
	struct wl_event_source *timer;
	int level;
	uint64_t last_ms;     /* when the last line was written, 0: never */
	uint64_t suppressed;  /* events since, not logged */
	char last[200];       /* the last event's words, for the summary */
};
bool ratelog_init(struct comp_ratelog *rl, struct wl_event_loop *loop, int level);
void ratelog(struct comp_ratelog *rl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Logs what was counted and not logged yet. */
void ratelog_flush(struct comp_ratelog *rl);
void ratelog_finish(struct comp_ratelog *rl);

/* -- clients: the socket, the global filter, the limits */
/* The Wayland socket's accept path of a display (socket_accept.c), NULL when the display
 * has none; comp_accept_take hands it a connection accepted elsewhere (a sandbox's socket):
 * checked against the connection limits, counted, refused with a wl_display.error and
 * closed, or made a client. */
struct comp_accept *comp_accept_of_display(struct wl_display *display);
struct wl_client *comp_accept_take(struct comp_accept *acc, int fd);
/* The display's global filter (global_filter.c): --disable-global, what a rule hides from a
 * client (comp_objects_global_allowed, client_objects.c) and the privileged globals a
 * sandboxed client does not see (comp_security_context_allows, security_context.c). Set it
 * once any of them has something to hide; setting it again changes nothing. */
void comp_global_filter_install(struct wl_display *display);
bool comp_objects_global_allowed(const struct wl_client *client, const char *name);
bool comp_security_context_allows(const struct wl_client *client, const char *name);
/* The one zwp_linux_dmabuf_v1 global a client refused formats by rule sees, and no rule's
 * global for the others (format_rules.c). */
bool comp_format_rules_allows(const struct wl_client *client, const struct wl_global *global);
/* A client's own wl_shm limits (client_limits.c; a rule's): its pools, buffers, mapped
 * bytes and buffer bytes; false when the client is not one the limits know. */
bool comp_limits_client_set_shm(struct wl_client *client, const comp_shm_limits *shm);

/* -- the scene and its rendering */
/* A node's size as scene_render.c draws it: a surface's, a rect's, a buffer's
 * (destination size, else the buffer's); 0 x 0 for trees. */
void comp_scene_node_size(struct wlr_scene_node *node, int *width, int *height);
/* Input passes through this tree and everything in it (scene_input.c's hit test; drag
 * icons: the drop target is what lies under the icon). */
void comp_scene_input_pass_through(struct wlr_scene_node *node);
/* Textures for the scene's buffer nodes, made before a frame begins (scene_textures.c):
 * every path that renders calls comp_scene_import_pending first. */
void comp_scene_import_pending(struct wlr_scene *scene, struct wlr_renderer *renderer);
/* A buffer node's texture: a client buffer's, else one made once. */
struct wlr_texture *comp_scene_buffer_texture(struct wlr_scene_buffer *scene_buffer,
	struct wlr_renderer *renderer);
/* A scene subtree drawn outside the scene's own rendering (scene_draw.c; screen sharing:
 * screencast.c with pixman, screencast_gl.c with GLES2): the walk calls rect and texture
 * for each enabled node, bottom first, with its box in the walk's coordinates (the root's
 * origin at x, y). Buffer nodes' textures: made on make_textures when it is given (pixman),
 * else only those made already (inside a GL frame nothing may be made). */
struct comp_scene_draw {
	void (*rect)(void *data, const float color[4], const struct wlr_box *box);
	void (*texture)(void *data, struct wlr_texture *texture, const struct wlr_fbox *src,
		enum wl_output_transform transform, const struct wlr_box *box, float alpha);
	void *data;
	struct wlr_renderer *make_textures;
};
void comp_scene_draw_walk(const struct comp_scene_draw *draw, struct wlr_scene_node *root,
	int x, int y);
/* The frame loop's scene commit (scene_render.c): wlroots' wlr_scene_output_commit less its
 * overdraw; adds the damaged and painted pixels to the counters. */
bool comp_scene_output_commit(struct wlr_scene_output *scene_output, uint64_t *pixels_damaged,
	uint64_t *pixels_drawn);
/* Scissor an output-local box, honouring the output transform, as wlroots' scene does
 * (render_tools.c). */
void comp_scissor_output(struct wlr_output *output, pixman_box32_t *rect);
/* The background (black) over an output-local region; leaves the scissor unset. */
void comp_output_clear(struct wlr_output *output, pixman_region32_t *region);
/* Whether the renderer is GLES2 on a software rasterizer (render_tools.c). The first call
 * asks GL_RENDERER, which needs the renderer's EGL context current: call it while a buffer
 * is bound (between wlr_output_attach_render and the commit). */
bool comp_gl_is_software(struct wlr_renderer *renderer);
/* Why the last composited frame of scene_render.c's commit was not scanned out (a static
 * string; NULL: it was or nothing was tried). */
const char *comp_scene_scanout_refusal(void);
/* A surface's alpha multiplier, 0 to 1 (alpha_modifier.c; 1: none): below 1 it is blended,
 * never copied or scanned out. */
float comp_surface_alpha(struct wlr_surface *surface);
/* False when a rule keeps this client's buffers off the planes (client_objects.c). */
bool comp_objects_scanout_allowed(struct wl_client *client);

/* -- screen sharing on GLES2 (screencast_gl.c): read back with the renderer, outside any
 * output's frame (false while the renderer is rendering: try again on the next turn) */
struct comp_sc_gl_target;
bool comp_sc_gl_supported(struct wlr_renderer *renderer);
bool comp_sc_gl_busy(struct wlr_renderer *renderer);
/* The box of a buffer (an output's committed one) into dst at (dst_x, dst_y), drm_format. */
bool comp_sc_gl_read_buffer(struct wlr_renderer *renderer, struct wlr_buffer *buffer,
	int src_x, int src_y, int width, int height, uint32_t drm_format, void *dst,
	uint32_t stride, int dst_x, int dst_y);
/* Render root (its top-left at -ox, -oy), then the cursor, over clear into *target (made or
 * remade at this size and target_format from alloc), and read it back into dst. */
bool comp_sc_gl_render(struct comp_sc_gl_target **target, struct wlr_renderer *renderer,
	struct wlr_allocator *alloc, struct wlr_scene *scene, struct wlr_scene_node *root,
	int ox, int oy, int width, int height, const float clear[4],
	struct wlr_texture *cursor, int cursor_x, int cursor_y, int cursor_w, int cursor_h,
	uint32_t target_format, uint32_t drm_format, void *dst, uint32_t stride);
/* Frees the target and its buffer (NULL: nothing). */
void comp_sc_gl_target_destroy(struct comp_sc_gl_target *target);

/* -- the frame loop and the frame clock */
/* The output of a frame loop and its scene output (frame_loop.c), NULL once it went. */
struct wlr_output *comp_frame_loop_output(comp_frame_loop *loop);
struct wlr_scene_output *comp_frame_loop_scene_output(comp_frame_loop *loop);
/* The frame clock (frame_clock.c): true while frames come only from its steps (a manual
 * clock), so the loop drops the others; its time (CLOCK_MONOTONIC, or the manual clock's
 * virtual time) in *ts and in ns. */
bool comp_frame_clock_holds(void);
int64_t comp_frame_clock_now(struct timespec *ts);

/* -- the copy counters' record of a surface (copy_stats.c), found by name on the surface */
/* The frame loop, for each surface on a frame it committed: pixman read its damage now,
 * unless the frame was a direct scan-out of a client's buffer. */
void comp_copy_surface_frame_shown(struct wlr_surface *surface, bool composited);
/* The inspector: the surface's commits with new pixels, the bytes they cost, the output
 * frames it was on; false (nothing written) when no counters track it. */
bool comp_copy_surface_counts(struct wlr_surface *surface, uint64_t *commits, uint64_t *bytes,
	uint64_t *frames_shown);

/* The kind of the surface's current buffer, as the inspector's table names it
 * (comp_inspect_surface.kind; inspect.c). */
int comp_surface_buffer_kind(struct wlr_surface *surface);

/* -- wl_drm bridge buffers (wl_drm_buffer.c) */
/* A bridge buffer's planes (its one fd in each) and whether that fd is a dma-buf (else a
 * memfd); false when `buffer` is no bridge buffer. */
bool comp_drm_buffer_attributes(struct wlr_buffer *buffer, struct wlr_dmabuf_attributes *attribs,
	bool *is_dmabuf);

/* -- per-surface protocol state and managers' resources (surface_state.c) */
/* What the small per-surface protocols of csrc/ share (content type, alpha modifier,
 * tearing control): a manager global whose bound resources are listed, and one uint32 of
 * double-buffered state a surface, kept as a wlr_addon of the surface (it lives and dies
 * with the surface) and set through at most one protocol object at a time.
 *
 *   static const struct comp_surface_u32_impl impl = {
 *       .addon = {.name = "wp_foo_v1", .destroy = comp_surface_u32_addon_destroy},
 *       .initial = 0, .changed = foo_changed};
 *   state = comp_surface_u32_attach(&impl, surface, resource, &no_memory);  // NULL: has one
 *   comp_surface_u32_get(&impl, surface);                       // the committed value
 */

struct comp_surface_u32;

struct comp_surface_u32_impl {
	struct wlr_addon_interface addon; /* .destroy = comp_surface_u32_addon_destroy */
	uint32_t initial; /* the value without an object, and after the object goes */
	/* Called after a commit changed the value (optional). */
	void (*changed)(struct comp_surface_u32 *state);
};

struct comp_surface_u32 {
	struct wlr_addon addon;
	const struct comp_surface_u32_impl *impl;
	struct wlr_surface *surface;
	struct wl_resource *resource; /* the protocol object, NULL: none now */
	uint32_t pending, current;
	struct wl_listener commit;
};
/* The surface went: its object (if any) is inert from now on (user data NULL). */
void comp_surface_u32_addon_destroy(struct wlr_addon *addon);
/* The surface's state for a new protocol object `resource` (whose user data it becomes):
 * NULL when the surface has an object already (the caller sends its already-constructed
 * error) or out of memory (*no_memory set). */
struct comp_surface_u32 *comp_surface_u32_attach(const struct comp_surface_u32_impl *impl,
	struct wlr_surface *surface, struct wl_resource *resource, bool *no_memory);
/* The protocol object went: the value goes back to the initial one at the next commit. */
void comp_surface_u32_detach(struct comp_surface_u32 *state);
/* `surface` NULL (an X11 window not mapped yet, say): the initial value. */
uint32_t comp_surface_u32_get(const struct comp_surface_u32_impl *impl,
	struct wlr_surface *surface);
/* A manager's bind: the resource made, given `impl` and `data`, listed in `resources` (so
 * that the manager can make them inert when it goes: comp_bound_resources_orphan). */
struct wl_resource *comp_bind_listed(struct wl_client *client,
	const struct wl_interface *interface, const void *impl, void *data,
	uint32_t version, uint32_t id, struct wl_list *resources);
/* The manager goes: its bound resources stay, with NULL user data, unlisted. */
void comp_bound_resources_orphan(struct wl_list *resources);
