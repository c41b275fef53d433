/* ext_idle_notifier_v1 (wlroots 0.15 lacks it; swayidle 1.8 prefers it to org_kde_kwin_idle):
 * each notification says idled after its timeout without input and resumed at the next
 * input. Input is what reaches wlr_idle_notify_activity (every input path, C and Python,
 * tells it: input/idle.py), taken from the wlr_idle's activity signal; while idle is
 * inhibited (a drawn surface holds an idle inhibitor) the timers stop, and a notification
 * that had fired is resumed (csrc/idle_notify.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wl_display;
struct wlr_idle;
struct wlr_surface;
struct comp_idle_notifier;
struct comp_idle_notifier *comp_idle_notifier_create(struct wl_display *display,
	struct wlr_idle *idle);
void comp_idle_notifier_destroy(struct comp_idle_notifier *notifier);
void comp_idle_notifier_set_inhibited(struct comp_idle_notifier *notifier, bool inhibited);
/* Like comp_idle_timers (inhibit.h): each notification's timeout, whether it fired, and
 * whether its timer runs; returns how many there are. */
int comp_idle_notifications(struct comp_idle_notifier *notifier, uint32_t *timeouts,
	bool *idle_state, bool *running, int cap);
