/* The frame loop of each output: see frame_loop.h. */
#include <stdlib.h>
#include <time.h>
#include <GLES2/gl2.h>
#include <wlr/backend/headless.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_damage.h>
#include <wlr/types/wlr_scene.h>
#include "core.h"
#include "frame_loop.h"
#include "internal.h"

/* Damage rectangles kept per frame before wlroots falls back to their bounding box. */
#define COMP_DAMAGE_MAX_RECTS 4096

/* The loop as C sees it: the public part first (cffi reads it), then the wiring. */
struct frame_loop {
	comp_frame_loop pub;
	struct wlr_output *output;
	struct wlr_scene_output *scene_output;
	struct wl_listener frame;
	struct wl_listener precommit;
	struct wl_listener commit;
	struct wl_listener destroy;
	/* At precommit: the buffer about to be shown when nothing was rendered into the
	 * output's own swapchain (wlroots 0.15's commit event names only rendered buffers). */
	struct wlr_buffer *pending_scanout;
};

static int64_t frame_now_ns(struct timespec *now) {
	clock_gettime(CLOCK_MONOTONIC, now);
	return (int64_t)now->tv_sec * 1000000000 + now->tv_nsec;
}

static void count_frame_shown(struct wlr_surface *surface, int sx, int sy, void *data) {
	comp_copy_surface_frame_shown(surface, *(bool *)data);
}

static void frame_loop_handle_frame(struct wl_listener *listener, void *data) {
	struct frame_loop *impl = wl_container_of(listener, impl, frame);
	if (comp_frame_clock_holds()) {
		return;  /* a manual frame clock: the backend's timer and idle frames wait */
	}
	comp_frame_loop *loop = &impl->pub;
	struct wlr_output *output = impl->output;
	uint32_t before = output->commit_seq;
	/* Frame done first, before this frame is rendered: the clients whose last commits it
	 * shows draw their next ones while it renders. Sent after the render, it reached them
	 * only once it was done; where rendering takes longer than the clients' drawing (software
	 * GL, which also waits for its frame in glFinish), each output frame then brought only
	 * some of the clients' new frames, about 2 output frames per client frame with 4
	 * clients, and each window was painted about twice per frame of its own (buffer age 2:
	 * every frame also repaints the previous frame's damage). */
	struct timespec now;
	comp_frame_clock_now(&now);
	wlr_scene_output_send_frame_done(impl->scene_output, &now);
	bool rendered = false;
	if (loop->python_renders) {
		loop->python_calls++;
		rendered = comp_py_render_frame(loop->handle);
	}
	const char *refusal = rendered ? "the overlay draws this output (pydrm-ctl overlay)" : NULL;
	if (!rendered && !comp_scene_output_commit(impl->scene_output, &loop->pixels_damaged,
			&loop->pixels_drawn)) {
		/* Normal on DRM: another VT holds the seat, or the last page flip is still in
		 * flight. The damage is kept; the backend says when to try again. */
		loop->commit_failures++;
		if (loop->python_on_failure) {
			loop->python_calls++;
			comp_py_commit_failed(loop->handle);
		}
	}
	int64_t now_ns = frame_now_ns(&now);
	if (output->commit_seq != before) {
		loop->frames_committed++;
		if (loop->synthesize_present) {
			comp_output_send_presented(output, (uint32_t)loop->frames_committed);
		}
		if (loop->first_frame_ns == 0) {
			loop->first_frame_ns = now_ns;
		}
		loop->last_frame_ns = now_ns;
		bool composited = loop->scanout_buffer == 0;
		if (composited) {
			loop->scanout_refusal = refusal != NULL ? refusal : comp_scene_scanout_refusal();
		}
		wlr_scene_output_for_each_surface(impl->scene_output, count_frame_shown, &composited);
	}
}

static void frame_loop_handle_precommit(struct wl_listener *listener, void *data) {
	struct frame_loop *impl = wl_container_of(listener, impl, precommit);
	struct wlr_output *output = impl->output;
	bool buffer = output->pending.committed & WLR_OUTPUT_STATE_BUFFER;
	/* Whoever rendered the frame (the scene commit, the overlay, wlroots' own commit), its
	 * buffer is still bound here, with the renderer's EGL context current: software GL
	 * finishes it, and commits it as a full update (see comp_gl_is_software, render_tools.c). */
	if (buffer && output->back_buffer != NULL && comp_gl_is_software(output->renderer)) {
		glFinish();
		impl->pub.frames_finished++;
		output->pending.committed &= ~WLR_OUTPUT_STATE_DAMAGE;
		pixman_region32_clear(&output->pending.damage);
	}
	/* A buffer attached without rendering (no back buffer) that is a client's: the
	 * scene's direct scan-out. */
	impl->pending_scanout = buffer && output->back_buffer == NULL &&
			output->pending.buffer != NULL &&
			wlr_client_buffer_get(output->pending.buffer) != NULL ?
		output->pending.buffer : NULL;
}

static void frame_loop_handle_commit(struct wl_listener *listener, void *data) {
	struct frame_loop *impl = wl_container_of(listener, impl, commit);
	struct wlr_output_event_commit *event = data;
	if (!(event->committed & WLR_OUTPUT_STATE_BUFFER)) {
		return;
	}
	if (impl->pending_scanout != NULL && event->buffer == NULL) {
		impl->pub.frames_scanned_out++;
		impl->pub.scanout_buffer = (uintptr_t)impl->pending_scanout;
	} else {
		impl->pub.scanout_buffer = 0;  /* composited into the output's swapchain */
	}
	impl->pending_scanout = NULL;
}

static void frame_loop_handle_destroy(struct wl_listener *listener, void *data) {
	struct frame_loop *impl = wl_container_of(listener, impl, destroy);
	/* The scene output's wlr_output_damage freed itself in its own destroy listener, just
	 * before this one, but wlroots destroys the scene output only after the signal (an
	 * output-layout addon): until then any scene change (windows refitted to the outputs
	 * left, the recording indicator going) would write into the freed damage. Take the
	 * scene output out of the scene now; wlr_scene_output_destroy also drops its addon,
	 * so wlroots does not destroy it again. */
	wlr_scene_output_destroy(impl->scene_output);
	/* The output goes: stop listening; Python frees the loop after (its own listener). */
	wl_list_remove(&impl->frame.link);
	wl_list_remove(&impl->precommit.link);
	wl_list_remove(&impl->commit.link);
	wl_list_remove(&impl->destroy.link);
	wl_list_init(&impl->frame.link);
	wl_list_init(&impl->precommit.link);
	wl_list_init(&impl->commit.link);
	wl_list_init(&impl->destroy.link);
	impl->output = NULL;
	impl->scene_output = NULL;
}

comp_frame_loop *comp_frame_loop_create(struct wlr_scene_output *scene_output, void *handle) {
	struct frame_loop *impl = calloc(1, sizeof(*impl));
	if (impl == NULL) {
		return NULL;
	}
	impl->pub.handle = handle;
	impl->scene_output = scene_output;
	impl->output = scene_output->output;
	/* wlroots merges a frame's damage into one bounding box past 20 rectangles: 16 windows
	 * each redrawing a small part then repaint everything between them (a few hundred
	 * thousand pixels a frame instead of a few thousand). Keep the rectangles. */
	scene_output->damage->max_rects = COMP_DAMAGE_MAX_RECTS;
	/* wlroots 0.15's headless outputs never emit `present`. */
	impl->pub.synthesize_present = wlr_output_is_headless(impl->output);
	impl->frame.notify = frame_loop_handle_frame;
	wl_signal_add(&impl->output->events.frame, &impl->frame);
	impl->precommit.notify = frame_loop_handle_precommit;
	wl_signal_add(&impl->output->events.precommit, &impl->precommit);
	impl->commit.notify = frame_loop_handle_commit;
	wl_signal_add(&impl->output->events.commit, &impl->commit);
	impl->destroy.notify = frame_loop_handle_destroy;
	wl_signal_add(&impl->output->events.destroy, &impl->destroy);
	return &impl->pub;
}

void comp_frame_loop_destroy(comp_frame_loop *loop) {
	if (loop == NULL) {
		return;
	}
	struct frame_loop *impl = wl_container_of(loop, impl, pub);
	wl_list_remove(&impl->frame.link);
	wl_list_remove(&impl->precommit.link);
	wl_list_remove(&impl->commit.link);
	wl_list_remove(&impl->destroy.link);
	free(impl);
}

struct wlr_output *comp_frame_loop_output(comp_frame_loop *loop) {
	struct frame_loop *impl = wl_container_of(loop, impl, pub);
	return impl->output;
}

struct wlr_scene_output *comp_frame_loop_scene_output(comp_frame_loop *loop) {
	struct frame_loop *impl = wl_container_of(loop, impl, pub);
	return impl->scene_output;
}
