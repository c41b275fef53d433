/* wlroots 0.15's xdg-decoration leaves its listeners in freed memory when the window goes
 * before its first commit (xdg_decoration_guard.h).
 *
 * A zxdg_toplevel_decoration_v1 made before the toplevel's first commit listens to the
 * xdg_surface's destroy, configure and ack_configure signals and to the wl_surface's
 * commit. wlroots emits the xdg_surface's destroy only once the surface was committed
 * ("added"): a client that quits (or dies of a protocol error) between asking for a
 * decoration and its first commit frees the wl_surface and the xdg_surface first (lower
 * object ids go first) with the decoration still linked into both; its own destruction
 * then writes into the freed memory (memcheck: invalid writes in wl_list_remove from
 * toplevel_decoration_handle_resource_destroy, under wl_client_destroy).
 *
 * Every wl_surface's destroy is watched here; it runs before the xdg_surface's (the
 * compositor's new_surface comes before get_xdg_surface, and listeners run in order), and
 * destroys a decoration of that surface that was never announced, as wlroots does for
 * announced ones when their surface goes. A client that goes with its xdg_wm_base (a lower
 * id than its surfaces) loses its xdg surfaces first, with no destroy signal: the
 * decoration is then found by its commit listener on the wl_surface (memcheck: 8 invalid
 * writes when tests/wp/test_toplevel_icon.py's client died of a protocol error).
 * Not covered: a client that destroys its xdg_wm_base and lives on (a protocol violation
 * xdg-shell 5 makes an error), then destroys the decoration. */
#include <stdlib.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_compositor.h>
#include <wlr/types/wlr_xdg_decoration_v1.h>
#include <wlr/types/wlr_xdg_shell.h>
#include "xdg_decoration_guard.h"

struct decoration_guard {
	struct wlr_xdg_decoration_manager_v1 *manager;  /* NULL once it went */
	struct wl_list surfaces;  /* guarded_surface.link */
	struct wl_listener new_surface;
	struct wl_listener compositor_destroy;
	struct wl_listener manager_destroy;
};

struct guarded_surface {
	struct decoration_guard *guard;
	struct wl_list link;
	struct wl_listener destroy;
};

static void guarded_surface_free(struct guarded_surface *guarded) {
	wl_list_remove(&guarded->destroy.link);
	wl_list_remove(&guarded->link);
	free(guarded);
}

static bool listens_to(struct wl_signal *signal, struct wl_listener *listener) {
	struct wl_listener *each;
	wl_list_for_each(each, &signal->listener_list, link) {
		if (each == listener) {
			return true;
		}
	}
	return false;
}

static void guarded_surface_destroy(struct wl_listener *listener, void *data) {
	struct guarded_surface *guarded = wl_container_of(listener, guarded, destroy);
	struct wlr_surface *surface = data;
	struct wlr_xdg_decoration_manager_v1 *manager = guarded->guard->manager;
	guarded_surface_free(guarded);
	if (manager == NULL || !wlr_surface_is_xdg_surface(surface)) {
		return;
	}
	struct wlr_xdg_surface *xdg_surface = wlr_xdg_surface_from_wlr_surface(surface);
	struct wlr_xdg_toplevel_decoration_v1 *decoration, *tmp;
	wl_list_for_each_safe(decoration, tmp, &manager->decorations, link) {
		if (decoration->added) {
			continue;
		}
		if (xdg_surface != NULL && decoration->surface == xdg_surface) {
			wl_resource_destroy(decoration->resource);
		} else if (xdg_surface == NULL && listens_to(&surface->events.commit,
				&decoration->surface_commit)) {
			/* The xdg_surface went first, unannounced: a client gone whose xdg_wm_base
			 * (a lower id) was destroyed before its wl_surface, which frees the xdg
			 * surfaces without their destroy signal. The decoration's listeners on it
			 * are linked into freed memory: unlinked here without touching it, so that
			 * its destruction writes only into this live wl_surface. */
			wl_list_init(&decoration->surface_destroy.link);
			wl_list_init(&decoration->surface_configure.link);
			wl_list_init(&decoration->surface_ack_configure.link);
			wl_resource_destroy(decoration->resource);
		}
	}
}

static void guard_new_surface(struct wl_listener *listener, void *data) {
	struct decoration_guard *guard = wl_container_of(listener, guard, new_surface);
	struct wlr_surface *surface = data;
	struct guarded_surface *guarded = calloc(1, sizeof(*guarded));
	if (guarded == NULL) {
		wl_client_post_no_memory(wl_resource_get_client(surface->resource));
		return;
	}
	guarded->guard = guard;
	wl_list_insert(&guard->surfaces, &guarded->link);
	guarded->destroy.notify = guarded_surface_destroy;
	wl_signal_add(&surface->events.destroy, &guarded->destroy);
}

/* The display goes: the compositor and the manager each go, in their own order. The guard
 * goes with the second; surfaces still watched go with it (no client is left by then). */
static void guard_maybe_free(struct decoration_guard *guard) {
	if (guard->manager != NULL || !wl_list_empty(&guard->new_surface.link)) {
		return;
	}
	struct guarded_surface *guarded, *tmp;
	wl_list_for_each_safe(guarded, tmp, &guard->surfaces, link) {
		guarded_surface_free(guarded);
	}
	free(guard);
}

static void guard_compositor_destroy(struct wl_listener *listener, void *data) {
	struct decoration_guard *guard = wl_container_of(listener, guard, compositor_destroy);
	wl_list_remove(&guard->new_surface.link);
	wl_list_init(&guard->new_surface.link);
	wl_list_remove(&guard->compositor_destroy.link);
	guard_maybe_free(guard);
}

static void guard_manager_destroy(struct wl_listener *listener, void *data) {
	struct decoration_guard *guard = wl_container_of(listener, guard, manager_destroy);
	guard->manager = NULL;
	wl_list_remove(&guard->manager_destroy.link);
	guard_maybe_free(guard);
}

bool comp_xdg_decoration_guard(struct wlr_compositor *compositor,
		struct wlr_xdg_decoration_manager_v1 *manager) {
	struct decoration_guard *guard = calloc(1, sizeof(*guard));
	if (guard == NULL) {
		return false;
	}
	guard->manager = manager;
	wl_list_init(&guard->surfaces);
	guard->new_surface.notify = guard_new_surface;
	wl_signal_add(&compositor->events.new_surface, &guard->new_surface);
	guard->compositor_destroy.notify = guard_compositor_destroy;
	wl_signal_add(&compositor->events.destroy, &guard->compositor_destroy);
	guard->manager_destroy.notify = guard_manager_destroy;
	wl_signal_add(&manager->events.destroy, &guard->manager_destroy);
	return true;
}
