/* Inert protocol objects: see inert_objects.h. */
#include <string.h>
#include <wayland-server-core.h>
#include "inert_objects.h"

static int inert_dispatcher(const void *implementation, void *target, uint32_t opcode,
		const struct wl_message *message, union wl_argument *args) {
	if (strcmp(message->name, "destroy") == 0) {
		wl_resource_destroy(target);
	}
	return 0;
}

void comp_resource_make_inert(struct wl_resource *resource) {
	if (resource != NULL) {
		/* No destroy callback either: the object behind it is gone. */
		wl_resource_set_dispatcher(resource, inert_dispatcher, NULL, NULL, NULL);
	}
}

/* The resources of an xdg surface, made inert when its wl_surface goes first (and only
 * then: a client that destroys its xdg_toplevel, then its xdg_surface, as toolkits do when
 * a window closes, must reach wlroots' destroy handlers, or wlroots keeps the xdg_surface
 * with a pointer to the freed resource and writes into it when the wl_surface goes). */
#include <stdlib.h>
#include <wlr/types/wlr_surface.h>

struct inert_watch {
	struct wl_resource *resources[2];
	struct wl_listener resource_destroy[2];
	struct wl_listener surface_destroy;
	int live;
};

static void inert_watch_free(struct inert_watch *watch) {
	for (int i = 0; i < 2; i++) {
		if (watch->resources[i] != NULL) {
			wl_list_remove(&watch->resource_destroy[i].link);
		}
	}
	wl_list_remove(&watch->surface_destroy.link);
	free(watch);
}

static void inert_watch_resource_destroyed(struct inert_watch *watch, int i) {
	wl_list_remove(&watch->resource_destroy[i].link);
	watch->resources[i] = NULL;
	if (--watch->live == 0) {
		inert_watch_free(watch);
	}
}

static void inert_watch_handle_destroy0(struct wl_listener *listener, void *data) {
	struct inert_watch *watch = wl_container_of(listener, watch, resource_destroy[0]);
	inert_watch_resource_destroyed(watch, 0);
}

static void inert_watch_handle_destroy1(struct wl_listener *listener, void *data) {
	struct inert_watch *watch = wl_container_of(listener, watch, resource_destroy[1]);
	inert_watch_resource_destroyed(watch, 1);
}

static void inert_watch_handle_surface_destroy(struct wl_listener *listener, void *data) {
	/* wlroots' own listener ran first (it was added when the xdg_surface was made): the
	 * xdg_surface and its role are freed, their resources left with NULL data. */
	struct inert_watch *watch = wl_container_of(listener, watch, surface_destroy);
	for (int i = 0; i < 2; i++) {
		if (watch->resources[i] != NULL) {
			comp_resource_make_inert(watch->resources[i]);
		}
	}
	inert_watch_free(watch);
}

bool comp_inert_when_surface_goes(struct wlr_surface *surface, struct wl_resource *xdg,
		struct wl_resource *role) {
	struct inert_watch *watch = calloc(1, sizeof(*watch));
	if (watch == NULL) {
		return false;
	}
	watch->resources[0] = xdg;
	watch->resources[1] = role;
	wl_notify_func_t notify[2] = {inert_watch_handle_destroy0, inert_watch_handle_destroy1};
	for (int i = 0; i < 2; i++) {
		if (watch->resources[i] != NULL) {
			watch->resource_destroy[i].notify = notify[i];
			wl_resource_add_destroy_listener(watch->resources[i], &watch->resource_destroy[i]);
			watch->live++;
		}
	}
	if (watch->live == 0) {
		free(watch);
		return true;
	}
	watch->surface_destroy.notify = inert_watch_handle_surface_destroy;
	wl_signal_add(&surface->events.destroy, &watch->surface_destroy);
	return true;
}
