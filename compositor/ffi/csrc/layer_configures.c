/* A layer surface's pending configures freed when it goes: see layer_configures.h. */
#include <stdlib.h>
#include <wayland-server-core.h>
#include "layer_configures.h"

struct configure_reaper {
	struct wl_listener destroy;
	struct wl_list *configures;
};

static void surface_gone(struct wl_listener *listener, void *data) {
	struct configure_reaper *reaper = wl_container_of(listener, reaper, destroy);
	/* As wlroots' layer_surface_configure_destroy, for what its unmap did not free: each
	 * element's link is its first member, so the link is the allocation. */
	struct wl_list *link = reaper->configures->next;
	while (link != reaper->configures) {
		struct wl_list *next = link->next;
		wl_list_remove(link);
		free(link);
		link = next;
	}
	wl_list_remove(&reaper->destroy.link);
	free(reaper);
}

bool comp_layer_configures_free_when_gone(struct wl_signal *destroy, struct wl_list *configures) {
	struct configure_reaper *reaper = calloc(1, sizeof(*reaper));
	if (reaper == NULL) {
		return false;
	}
	reaper->configures = configures;
	reaper->destroy.notify = surface_gone;
	wl_signal_add(destroy, &reaper->destroy);
	return true;
}
