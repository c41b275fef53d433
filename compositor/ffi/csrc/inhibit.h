/* Idle timers (org_kde_kwin_idle, for the idle control command), keyboard-shortcuts-inhibit
 * v1 (pywlroots 0.15.24 has no binding) and the client of a surface (input-inhibit). See
 * compositor/input/idle.py and compositor/input/inhibit.py; csrc/inhibit.c. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct wlr_idle;
struct wlr_keyboard_shortcuts_inhibit_manager_v1;
struct wlr_keyboard_shortcuts_inhibitor_v1;
struct wlr_surface;

/* The idle timers clients created (swayidle's timeouts): up to `cap` of them, each as its
 * timeout in ms, whether it fired (the seat is idle for it) and whether it runs (false
 * while idle is inhibited). Returns how many exist. */
int comp_idle_timers(struct wlr_idle *idle, uint32_t *timeouts, bool *idle_state,
	bool *enabled, int cap);

/* &manager->events.new_inhibitor (data: the inhibitor) and &inhibitor->events.destroy, as
 * void * for pywayland's Signal. */
void *comp_shortcuts_inhibit_new_signal(struct wlr_keyboard_shortcuts_inhibit_manager_v1 *m);
void *comp_shortcuts_inhibitor_destroy_signal(struct wlr_keyboard_shortcuts_inhibitor_v1 *i);
struct wlr_surface *comp_shortcuts_inhibitor_surface(struct wlr_keyboard_shortcuts_inhibitor_v1 *i);
bool comp_shortcuts_inhibitor_active(struct wlr_keyboard_shortcuts_inhibitor_v1 *i);

/* The client owning a surface. */
struct wl_client *comp_surface_client(struct wlr_surface *surface);
