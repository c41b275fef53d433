/* wp_tearing_control_manager_v1 (tearing_control.h): each surface's presentation
 * hint (vsync or async), double-buffered (csrc/surface_state.c), stored and shown in
 * `views`. Not honoured: wlroots 0.15's output commit has no asynchronous page flip (it came
 * with wlroots 0.17's wlr_output_state.tearing_page_flip), so every frame waits for vblank. */
#include <stdint.h>
#include <stdlib.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_surface.h>

#include "tearing-control-v1-protocol.h"
#include "internal.h"
#include "tearing_control.h"

#define TEARING_CONTROL_VERSION 1

struct comp_tearing_manager {
	struct wl_global *global;
	struct wl_list resources; /* bound managers: inert once the global goes */
	struct wl_listener display_destroy;
};

static const struct comp_surface_u32_impl tearing_state_impl = {
	.addon = {.name = "wp_tearing_control_v1", .destroy = comp_surface_u32_addon_destroy},
	.initial = WP_TEARING_CONTROL_V1_PRESENTATION_HINT_VSYNC,
};

static void tearing_resource_destroy(struct wl_resource *resource) {
	comp_surface_u32_detach(wl_resource_get_user_data(resource)); /* vsync again */
}

static void tearing_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void tearing_set_hint(struct wl_client *client, struct wl_resource *resource,
		uint32_t hint) {
	struct comp_surface_u32 *state = wl_resource_get_user_data(resource);
	if (hint > WP_TEARING_CONTROL_V1_PRESENTATION_HINT_ASYNC) {
		wl_resource_post_error(resource, WL_DISPLAY_ERROR_INVALID_METHOD,
			"presentation hint %u is not vsync (0) or async (1)", hint);
		return;
	}
	if (state != NULL) { /* NULL: the surface went, the object is inert */
		state->pending = hint;
	}
}

static const struct wp_tearing_control_v1_interface tearing_impl = {
	.set_presentation_hint = tearing_set_hint,
	.destroy = tearing_handle_destroy,
};

static void tearing_manager_get(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, struct wl_resource *surface_resource) {
	struct wlr_surface *surface = wlr_surface_from_resource(surface_resource);
	struct wl_resource *object = wl_resource_create(client, &wp_tearing_control_v1_interface,
		wl_resource_get_version(resource), id);
	if (object == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	bool no_memory;
	struct comp_surface_u32 *state = comp_surface_u32_attach(&tearing_state_impl, surface,
		object, &no_memory);
	wl_resource_set_implementation(object, &tearing_impl, state, tearing_resource_destroy);
	if (state == NULL && no_memory) {
		wl_client_post_no_memory(client);
	} else if (state == NULL) {
		wl_resource_post_error(resource,
			WP_TEARING_CONTROL_MANAGER_V1_ERROR_TEARING_CONTROL_EXISTS,
			"the wl_surface has a wp_tearing_control_v1 already");
	}
}

static void tearing_manager_handle_destroy(struct wl_client *client,
		struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct wp_tearing_control_manager_v1_interface tearing_manager_impl = {
	.destroy = tearing_manager_handle_destroy,
	.get_tearing_control = tearing_manager_get,
};

static void tearing_manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct comp_tearing_manager *manager = data;
	comp_bind_listed(client, &wp_tearing_control_manager_v1_interface, &tearing_manager_impl,
		manager, version, id, &manager->resources);
}

static void tearing_display_destroyed(struct wl_listener *listener, void *data) {
	struct comp_tearing_manager *manager =
		wl_container_of(listener, manager, display_destroy);
	wl_list_remove(&manager->display_destroy.link);
	comp_bound_resources_orphan(&manager->resources);
	wl_global_destroy(manager->global);
	free(manager);
}

struct comp_tearing_manager *comp_tearing_manager_create(struct wl_display *display) {
	struct comp_tearing_manager *manager = calloc(1, sizeof(*manager));
	if (manager == NULL) {
		return NULL;
	}
	wl_list_init(&manager->resources);
	manager->global = wl_global_create(display, &wp_tearing_control_manager_v1_interface,
		TEARING_CONTROL_VERSION, manager, tearing_manager_bind);
	if (manager->global == NULL) {
		free(manager);
		return NULL;
	}
	manager->display_destroy.notify = tearing_display_destroyed;
	wl_display_add_destroy_listener(display, &manager->display_destroy);
	return manager;
}

uint32_t comp_tearing_hint(struct wlr_surface *surface) {
	return comp_surface_u32_get(&tearing_state_impl, surface);
}
