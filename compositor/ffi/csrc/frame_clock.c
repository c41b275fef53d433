/* The frame clock: see frame_clock.h. */
#include <stdlib.h>
#include <time.h>
#include <wlr/interfaces/wlr_output.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_surface.h>
#include "internal.h"
#include "frame_clock.h"

/* The frame clock (issue 23, deterministic time). By default outputs emit frames when their
 * backend says (headless: a timer at the refresh rate) and time is CLOCK_MONOTONIC. A
 * manual clock holds every frame the backend or wlroots' idle scheduling emits; frames come
 * only from comp_frame_clock_step, each step one frame of every output and a virtual
 * CLOCK_MONOTONIC advanced by exactly one refresh period. Frame callbacks' time and the
 * presentation feedback (synthesized on headless, core.c) read this clock, so a client
 * that animates from them draws the same pictures on every run. One compositor per
 * process: the clock is process-wide. */

struct frame_clock_wait {
	struct wl_list link;
	struct wlr_surface *surface;
	uint32_t seq;  /* the surface's commit sequence when its frame done went out */
	struct wl_listener destroy;
};

static struct {
	bool manual;
	bool stepping;
	int64_t now_ns;
	uint64_t steps;
	struct wl_list waits;  /* frame_clock_wait: surfaces sent frame done by the last step */
	bool waits_ready;
} frame_clock;

static void frame_clock_wait_free(struct frame_clock_wait *wait) {
	wl_list_remove(&wait->link);
	wl_list_remove(&wait->destroy.link);
	free(wait);
}

static void frame_clock_clear_waits(void) {
	if (!frame_clock.waits_ready) {
		wl_list_init(&frame_clock.waits);
		frame_clock.waits_ready = true;
	}
	struct frame_clock_wait *wait, *tmp;
	wl_list_for_each_safe(wait, tmp, &frame_clock.waits, link) {
		frame_clock_wait_free(wait);
	}
}

static void frame_clock_wait_handle_destroy(struct wl_listener *listener, void *data) {
	struct frame_clock_wait *wait = wl_container_of(listener, wait, destroy);
	frame_clock_wait_free(wait);  /* a surface that went away is waited for no longer */
}

void comp_frame_clock_set_manual(bool manual, int64_t start_ns) {
	frame_clock.manual = manual;
	frame_clock.now_ns = start_ns;
	frame_clock.steps = 0;
	frame_clock_clear_waits();
}

bool comp_frame_clock_is_manual(void) {
	return frame_clock.manual;
}

/* Whether an output's frame event is to be ignored: manual, and not a step's. */
bool comp_frame_clock_holds(void) {
	return frame_clock.manual && !frame_clock.stepping;
}

/* Now, on the frame clock: the virtual time when manual, else CLOCK_MONOTONIC. */
int64_t comp_frame_clock_now(struct timespec *ts) {
	if (!frame_clock.manual) {
		clock_gettime(CLOCK_MONOTONIC, ts);
		return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
	}
	ts->tv_sec = frame_clock.now_ns / 1000000000;
	ts->tv_nsec = frame_clock.now_ns % 1000000000;
	return frame_clock.now_ns;
}

int64_t comp_frame_clock_time_ns(void) {
	return frame_clock.now_ns;
}

uint64_t comp_frame_clock_steps(void) {
	return frame_clock.steps;
}

static void frame_clock_note_waiter(struct wlr_surface *surface, int sx, int sy, void *data) {
	if (wl_list_empty(&surface->current.frame_callback_list)) {
		return;  /* asked for no frame: nothing to wait for */
	}
	if (wl_signal_get(&surface->events.destroy, frame_clock_wait_handle_destroy) != NULL) {
		return;  /* on two outputs: waited for once */
	}
	struct frame_clock_wait *wait = calloc(1, sizeof(*wait));
	if (wait == NULL) {
		return;
	}
	wait->surface = surface;
	wait->seq = surface->current.seq;
	wait->destroy.notify = frame_clock_wait_handle_destroy;
	wl_signal_add(&surface->events.destroy, &wait->destroy);
	wl_list_insert(frame_clock.waits.prev, &wait->link);
}

/* One refresh period of the first of the n loops' outputs with a refresh rate, in ns, as
 * the presentation feedback's refresh field gives it (core.c); 60 Hz when none has one. */
int64_t comp_frame_clock_period_ns(comp_frame_loop **loops, int n) {
	for (int i = 0; i < n; i++) {
		struct wlr_output *output = comp_frame_loop_output(loops[i]);
		if (output != NULL && output->refresh > 0) {
			return 1000000000000LL / output->refresh;
		}
	}
	return 1000000000000LL / 60000;
}

/* One step: the clock advances by period_ns, then each of the n loops' outputs emits one
 * frame (frame done to its surfaces, the scene committed, presented at the new time). The
 * surfaces that had asked for a frame are remembered: comp_frame_clock_awaiting counts those
 * that have not committed since. Returns false when the clock is not manual. */
bool comp_frame_clock_step(comp_frame_loop **loops, int n, int64_t period_ns) {
	if (!frame_clock.manual || frame_clock.stepping) {
		return false;
	}
	frame_clock_clear_waits();
	frame_clock.now_ns += period_ns;
	frame_clock.steps++;
	for (int i = 0; i < n; i++) {
		struct wlr_scene_output *scene_output = comp_frame_loop_scene_output(loops[i]);
		if (scene_output != NULL) {
			wlr_scene_output_for_each_surface(scene_output, frame_clock_note_waiter, NULL);
		}
	}
	frame_clock.stepping = true;
	for (int i = 0; i < n; i++) {
		struct wlr_output *output = comp_frame_loop_output(loops[i]);
		if (output != NULL && output->enabled) {
			wlr_output_send_frame(output);
		}
	}
	frame_clock.stepping = false;
	return true;
}

/* Surfaces sent frame done by the last step that have not committed since (nor gone). */
int comp_frame_clock_awaiting(void) {
	if (!frame_clock.waits_ready) {
		return 0;
	}
	int count = 0;
	struct frame_clock_wait *wait;
	wl_list_for_each(wait, &frame_clock.waits, link) {
		count += wait->surface->current.seq == wait->seq;
	}
	return count;
}
