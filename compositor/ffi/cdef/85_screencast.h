/* Screen-sharing streams: PipeWire video sources made by the compositor (csrc/85_screencast.c;
 * Python side compositor/screencast/). One context per PipeWire connection; its loop runs on
 * the compositor's event loop. Frames are made in C as damage comes: no Python per frame. */
#include "85_screencast_types.h"

typedef struct comp_sc_ctx comp_sc_ctx;
typedef struct comp_sc_stream comp_sc_stream;
struct wl_event_loop;
struct wlr_output_layout;

/* Connects to the PipeWire daemon; NULL with a message for the user in err when it cannot. */
comp_sc_ctx *comp_sc_create(struct wl_event_loop *wl_loop, struct wlr_scene *scene,
	struct wlr_output_layout *layout, struct wlr_renderer *renderer, void *handle,
	char *err, size_t err_len);
/* Frees the context; Python stopped its streams first. */
void comp_sc_destroy(comp_sc_ctx *ctx);
/* The daemon went (its socket closed): make a new context for new streams. */
bool comp_sc_broken(comp_sc_ctx *ctx);
/* Frames follow this output's commits (every output must be added; removal is seen in C). */
void comp_sc_output_add(comp_sc_ctx *ctx, struct wlr_output *output);
/* kind 0 output (output; x, y, width, height: its layout box), 1 window (tree, surface, and
 * &xdg_surface->current.geometry or NULL: its size is read from them each frame), 2 region (layout box). cursor 0 embedded,
 * 1 metadata, 2 hidden. Returns once the daemon gave the node id; NULL with err. */
comp_sc_stream *comp_sc_stream_create(comp_sc_ctx *ctx, int kind, struct wlr_output *output,
	struct wlr_scene_node *tree, struct wlr_surface *surface, const struct wlr_box *geometry,
	int x, int y, int width, int height, int cursor, int max_fps, int consumer_grace_ms,
	const char *client, char *err, size_t err_len);
/* Python ends a stream (stop, window unmapped, compositor stops): no callback. */
void comp_sc_stream_destroy(comp_sc_stream *s);
const comp_sc_stats *comp_sc_stream_stats(comp_sc_stream *s);
void comp_sc_stream_set_box(comp_sc_stream *s, int x, int y, int width, int height);
/* The session lock: every stream sends this colour, no cursor, until unblanked. */
void comp_sc_set_blanked(comp_sc_ctx *ctx, bool blanked, float r, float g, float b);
int comp_sc_live_streams(void);
int comp_sc_live_buffers(void);
int comp_sc_live_contexts(void);
/* A stream ended by itself (output removed, window closed, consumer gone, daemon gone);
 * called from an idle callback once it is freed. */
extern "Python" void comp_py_screencast_ended(void *handle, uint32_t id, const char *reason);
