/* Log lines of the limits at a bounded rate: see internal.h. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <wayland-server-core.h>
#include "internal.h"

#define RATELOG_INTERVAL_MS 5000

static uint64_t ratelog_now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ratelog_flush(struct comp_ratelog *rl) {
	if (rl->suppressed == 0) {
		return;
	}
	char line[300];
	snprintf(line, sizeof(line), "%llu more in the last %d s, the latest: %s",
		(unsigned long long)rl->suppressed, RATELOG_INTERVAL_MS / 1000, rl->last);
	comp_py_limit_log(rl->level, line);
	rl->suppressed = 0;
	rl->last_ms = ratelog_now_ms();
}

static int ratelog_timer(void *data) {
	ratelog_flush(data);
	return 0;
}

bool ratelog_init(struct comp_ratelog *rl, struct wl_event_loop *loop, int level) {
	memset(rl, 0, sizeof(*rl));
	rl->level = level;
	rl->timer = wl_event_loop_add_timer(loop, ratelog_timer, rl);
	return rl->timer != NULL;
}

void ratelog_finish(struct comp_ratelog *rl) {
	if (rl->timer != NULL) {
		wl_event_source_remove(rl->timer);
		rl->timer = NULL;
	}
}

void ratelog(struct comp_ratelog *rl, const char *fmt, ...) {
	va_list args;
	va_start(args, fmt);
	vsnprintf(rl->last, sizeof(rl->last), fmt, args);
	va_end(args);
	uint64_t now = ratelog_now_ms();
	if (rl->last_ms == 0 || now - rl->last_ms >= RATELOG_INTERVAL_MS) {
		comp_py_limit_log(rl->level, rl->last);
		rl->last_ms = now;
		return;
	}
	if (rl->suppressed++ == 0 && rl->timer != NULL) {
		wl_event_source_timer_update(rl->timer, RATELOG_INTERVAL_MS - (int)(now - rl->last_ms));
	}
}
