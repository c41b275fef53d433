/* Screen-sharing streams: PipeWire video sources made by the compositor (csrc/screencast.c;
 * Python side compositor/screencast/). One context per PipeWire connection; its loop runs on
 * the compositor's event loop. Frames are made in C as damage comes: no Python per frame. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wlr_box;
struct wlr_output;
struct wlr_renderer;
struct wlr_scene;
struct wlr_scene_node;
struct wlr_surface;

/* A stream's figures, shared with cffi. */
typedef struct {
	uint32_t id;               /* the stream's number (screencast-start's "stream") */
	int kind;                  /* 0 output, 1 window (view), 2 region */
	int cursor;                /* 0 embedded, 1 metadata, 2 hidden */
	uint32_t node_id;          /* PipeWire node id; 0xffffffff before the daemon gave one */
	int state;                 /* enum pw_stream_state: -1 error, 0 unconnected, 1 connecting,
	                            * 2 paused, 3 streaming */
	int32_t width, height;     /* the source's size now */
	int32_t neg_width, neg_height; /* the size negotiated with the consumer (0 before) */
	uint32_t spa_format;       /* enum spa_video_format negotiated (0 before) */
	int32_t max_fps;           /* frames per second at most (the output's rate) */
	uint64_t frames_sent;      /* buffers queued to the consumer */
	uint64_t frames_dropped;   /* frames due while the consumer held every buffer */
	uint64_t copies;           /* frames copied from an output's committed buffer */
	uint64_t renders;          /* frames rendered from the scene (windows, hidden cursor) */
	uint64_t blank_frames;     /* frames sent blank (the session was locked) */
	uint64_t size_waits;       /* frames skipped while a new size was negotiated */
	uint64_t renegotiations;   /* new sizes offered to the consumer (a window resized) */
	uint32_t buffers;          /* PipeWire buffers the stream holds (each a memfd) */
	int64_t first_frame_ns, last_frame_ns; /* CLOCK_MONOTONIC of the first and last frame */
	int64_t cpu_ns;            /* thread CPU time spent filling frames */
	int64_t fill_ns;           /* wall time spent filling frames (GL: read-back stalls too) */
} comp_sc_stats;

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
/* GLES2: the buffers streams render their frames into (csrc/screencast_gl.c). */
int comp_sc_gl_live_targets(void);
