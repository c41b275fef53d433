/* Idle timers, shortcuts inhibitors, a surface's client: see inhibit.h. */
#include <wayland-server-core.h>
#include <wlr/types/wlr_idle.h>
#include <wlr/types/wlr_keyboard_shortcuts_inhibit_v1.h>
#include <wlr/types/wlr_surface.h>
#include "inhibit.h"

int comp_idle_timers(struct wlr_idle *idle, uint32_t *timeouts, bool *idle_state,
		bool *enabled, int cap) {
	int count = 0;
	struct wlr_idle_timeout *timer;
	wl_list_for_each(timer, &idle->idle_timers, link) {
		if (count < cap) {
			timeouts[count] = timer->timeout;
			idle_state[count] = timer->idle_state;
			enabled[count] = timer->enabled;
		}
		count++;
	}
	return count;
}

void *comp_shortcuts_inhibit_new_signal(struct wlr_keyboard_shortcuts_inhibit_manager_v1 *m) {
	return &m->events.new_inhibitor;
}

void *comp_shortcuts_inhibitor_destroy_signal(struct wlr_keyboard_shortcuts_inhibitor_v1 *i) {
	return &i->events.destroy;
}

struct wlr_surface *comp_shortcuts_inhibitor_surface(
		struct wlr_keyboard_shortcuts_inhibitor_v1 *i) {
	return i->surface;
}

bool comp_shortcuts_inhibitor_active(struct wlr_keyboard_shortcuts_inhibitor_v1 *i) {
	return i->active;
}

struct wl_client *comp_surface_client(struct wlr_surface *surface) {
	return wl_resource_get_client(surface->resource);
}
