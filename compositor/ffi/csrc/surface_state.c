/* One uint32 of double-buffered state a surface, and managers' listed resources, for the
 * small per-surface protocols: see internal.h. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/util/addon.h>
#include "internal.h"

static struct comp_surface_u32 *comp_surface_u32_find(const struct comp_surface_u32_impl *impl,
		struct wlr_surface *surface) {
	struct wlr_addon *addon = wlr_addon_find(&surface->addons, impl, &impl->addon);
	if (addon == NULL) {
		return NULL;
	}
	struct comp_surface_u32 *state = wl_container_of(addon, state, addon);
	return state;
}

/* The surface went: its object (if any) is inert from now on (user data NULL). */
void comp_surface_u32_addon_destroy(struct wlr_addon *addon) {
	struct comp_surface_u32 *state = wl_container_of(addon, state, addon);
	wlr_addon_finish(&state->addon);
	wl_list_remove(&state->commit.link);
	if (state->resource != NULL) {
		wl_resource_set_user_data(state->resource, NULL);
	}
	free(state);
}

static void comp_surface_u32_commit(struct wl_listener *listener, void *data) {
	struct comp_surface_u32 *state = wl_container_of(listener, state, commit);
	if (state->current == state->pending) {
		return;
	}
	state->current = state->pending;
	if (state->impl->changed != NULL) {
		state->impl->changed(state);
	}
}

/* The surface's state for a new protocol object `resource` (whose user data it becomes):
 * NULL when the surface has an object already (the caller sends its already-constructed
 * error) or out of memory (*no_memory set). */
struct comp_surface_u32 *comp_surface_u32_attach(const struct comp_surface_u32_impl *impl,
		struct wlr_surface *surface, struct wl_resource *resource, bool *no_memory) {
	*no_memory = false;
	struct comp_surface_u32 *state = comp_surface_u32_find(impl, surface);
	if (state != NULL && state->resource != NULL) {
		return NULL;
	}
	if (state == NULL) {
		state = calloc(1, sizeof(*state));
		if (state == NULL) {
			*no_memory = true;
			return NULL;
		}
		state->impl = impl;
		state->surface = surface;
		state->pending = state->current = impl->initial;
		wlr_addon_init(&state->addon, &surface->addons, impl, &impl->addon);
		state->commit.notify = comp_surface_u32_commit;
		wl_signal_add(&surface->events.commit, &state->commit);
	}
	state->resource = resource;
	return state;
}

/* The protocol object went: the value goes back to the initial one at the next commit. */
void comp_surface_u32_detach(struct comp_surface_u32 *state) {
	if (state != NULL) {
		state->resource = NULL;
		state->pending = state->impl->initial;
	}
}

/* `surface` NULL (an X11 window not mapped yet, say): the initial value. */
uint32_t comp_surface_u32_get(const struct comp_surface_u32_impl *impl,
		struct wlr_surface *surface) {
	if (surface == NULL) {
		return impl->initial;
	}
	struct comp_surface_u32 *state = comp_surface_u32_find(impl, surface);
	return state != NULL ? state->current : impl->initial;
}

/* -- globals --------------------------------------------------------------------------- */

static void comp_bound_resource_destroy(struct wl_resource *resource) {
	wl_list_remove(wl_resource_get_link(resource));
}

/* A manager's bind: the resource made, given `impl` and `data`, listed in `resources` (so
 * that the manager can make them inert when it goes: comp_bound_resources_orphan). */
struct wl_resource *comp_bind_listed(struct wl_client *client,
		const struct wl_interface *interface, const void *impl, void *data,
		uint32_t version, uint32_t id, struct wl_list *resources) {
	struct wl_resource *resource = wl_resource_create(client, interface, version, id);
	if (resource == NULL) {
		wl_client_post_no_memory(client);
		return NULL;
	}
	wl_resource_set_implementation(resource, impl, data, comp_bound_resource_destroy);
	wl_list_insert(resources, wl_resource_get_link(resource));
	return resource;
}

/* The manager goes: its bound resources stay, with NULL user data, unlisted. */
void comp_bound_resources_orphan(struct wl_list *resources) {
	struct wl_resource *resource, *tmp;
	wl_resource_for_each_safe(resource, tmp, resources) {
		wl_resource_set_user_data(resource, NULL);
		wl_list_remove(wl_resource_get_link(resource));
		wl_list_init(wl_resource_get_link(resource));
	}
}
