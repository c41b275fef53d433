/* wp_content_type_manager_v1 (csrc/content_type.h): each surface's content type, one
 * double-buffered uint32 a surface (csrc/surface_state.c). */
#include <stdlib.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_surface.h>

#include "content-type-v1-protocol.h"
#include "internal.h"
#include "content_type.h"

#define CONTENT_TYPE_VERSION 1

struct comp_content_type_manager {
	struct wl_global *global;
	struct wl_list resources; /* bound managers: inert once the global goes */
};

static const struct comp_surface_u32_impl ct_state_impl = {
	.addon = {.name = "wp_content_type_v1", .destroy = comp_surface_u32_addon_destroy},
	.initial = WP_CONTENT_TYPE_V1_TYPE_NONE,
};

static void ct_object_resource_destroy(struct wl_resource *resource) {
	/* none again, at the next commit (the protocol's double-buffering) */
	comp_surface_u32_detach(wl_resource_get_user_data(resource));
}

static void ct_object_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void ct_object_handle_set(struct wl_client *client, struct wl_resource *resource,
		uint32_t content_type) {
	struct comp_surface_u32 *state = wl_resource_get_user_data(resource);
	if (state == NULL) {
		return; /* the surface went: inert */
	}
	if (content_type > WP_CONTENT_TYPE_V1_TYPE_GAME) {
		content_type = WP_CONTENT_TYPE_V1_TYPE_NONE; /* unknown: no hint */
	}
	state->pending = content_type;
}

static const struct wp_content_type_v1_interface ct_object_impl = {
	.destroy = ct_object_handle_destroy,
	.set_content_type = ct_object_handle_set,
};

static void ct_manager_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void ct_manager_get(struct wl_client *client, struct wl_resource *resource, uint32_t id,
		struct wl_resource *surface_resource) {
	struct wlr_surface *surface = wlr_surface_from_resource(surface_resource);
	struct wl_resource *object = wl_resource_create(client, &wp_content_type_v1_interface,
		wl_resource_get_version(resource), id);
	if (object == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	bool no_memory;
	struct comp_surface_u32 *state = comp_surface_u32_attach(&ct_state_impl, surface, object,
		&no_memory);
	wl_resource_set_implementation(object, &ct_object_impl, state,
		ct_object_resource_destroy);
	if (state == NULL && no_memory) {
		wl_client_post_no_memory(client);
	} else if (state == NULL) {
		wl_resource_post_error(resource, WP_CONTENT_TYPE_MANAGER_V1_ERROR_ALREADY_CONSTRUCTED,
			"the wl_surface has a wp_content_type_v1 already");
	}
}

static const struct wp_content_type_manager_v1_interface ct_manager_impl = {
	.destroy = ct_manager_handle_destroy,
	.get_surface_content_type = ct_manager_get,
};

static void ct_manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct comp_content_type_manager *manager = data;
	comp_bind_listed(client, &wp_content_type_manager_v1_interface, &ct_manager_impl, manager,
		version, id, &manager->resources);
}

struct comp_content_type_manager *comp_content_type_manager_create(struct wl_display *display) {
	struct comp_content_type_manager *manager = calloc(1, sizeof(*manager));
	if (manager == NULL) {
		return NULL;
	}
	wl_list_init(&manager->resources);
	manager->global = wl_global_create(display, &wp_content_type_manager_v1_interface,
		CONTENT_TYPE_VERSION, manager, ct_manager_bind);
	if (manager->global == NULL) {
		free(manager);
		return NULL;
	}
	return manager;
}

void comp_content_type_manager_destroy(struct comp_content_type_manager *manager) {
	if (manager == NULL) {
		return;
	}
	/* The surfaces' states stay with their surfaces; the objects keep working. */
	comp_bound_resources_orphan(&manager->resources);
	wl_global_destroy(manager->global);
	free(manager);
}

uint32_t comp_content_type_get(struct comp_content_type_manager *manager,
		struct wlr_surface *surface) {
	return comp_surface_u32_get(&ct_state_impl, surface);
}
