/* The steady-state frame path, in C: on each output frame, send frame done, commit the scene
 * (only what changed is rendered, pixman and GLES2 alike: csrc/scene_render.c; software
 * GL's frame finished before the commit), count the frame, report it presented on headless.
 * Python is called only for what it asked for (see comp_frame_loop's python_* flags;
 * csrc/frame_loop.c). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct wlr_scene_output;

/* The frame loop of one output, shared with cffi. */
typedef struct {
	/* Counters, read by Python when asked (outputs, stats, benchmarks). */
	uint64_t frames_committed;  /* frames that reached the output */
	int64_t first_frame_ns;     /* CLOCK_MONOTONIC of the first and last of them, 0 before */
	int64_t last_frame_ns;
	uint64_t commit_failures;   /* scene commits the backend refused (DRM: VT away, EBUSY) */
	/* Frames that showed a client's buffer directly (wlroots' scene scanned it out on a
	 * KMS plane: nothing composited, nothing copied), and that buffer (a wlr_client_buffer)
	 * for the last frame, 0 when the last frame was composited. */
	uint64_t frames_scanned_out;
	uintptr_t scanout_buffer;
	/* Why the last composited frame was not scanned out (a static C string; NULL before). */
	const char *scanout_refusal;
	/* Pixels painted by the scene commits (csrc/scene_render.c; pixman and GLES2):
	 * the background cleared plus each node's visible damage. With opaque windows every
	 * damaged pixel is painted once, so this equals the damaged area. */
	uint64_t pixels_drawn;
	uint64_t pixels_damaged;
	uint64_t frames_finished;   /* frames software GL finished (glFinish) before the commit */
	uint64_t python_calls;      /* times this loop called into Python */
	/* What Python asked for; all false in the steady state, where no Python runs. */
	bool python_renders;        /* Python renders and commits frames (the overlay) */
	bool python_on_failure;     /* Python is told when a commit failed (DRM retries) */
	bool synthesize_present;    /* wlroots 0.15 headless: report each frame as presented */
	void *handle;               /* the Python object's handle, passed to the callbacks */
} comp_frame_loop;

comp_frame_loop *comp_frame_loop_create(struct wlr_scene_output *scene_output, void *handle);
void comp_frame_loop_destroy(comp_frame_loop *loop);
