/* wp_alpha_modifier_v1 (alpha_modifier.h): a surface's alpha multiplier,
 * double-buffered (csrc/surface_state.c), applied by the frame path's draw
 * (csrc/scene_render.c asks comp_surface_alpha) on pixman and GLES2 alike. */
#include <stdint.h>
#include <stdlib.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_output_damage.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_surface.h>

#include "alpha-modifier-v1-protocol.h"
#include "internal.h"
#include "alpha_modifier.h"

#define ALPHA_MODIFIER_VERSION 1

struct comp_alpha_manager {
	struct wl_global *global;
	struct wlr_scene *scene; /* whose outputs are repainted when a multiplier changes */
	struct wl_list resources; /* bound managers: inert once the global goes */
	struct wl_listener display_destroy;
};

static struct comp_alpha_manager *alpha_manager;

static void alpha_changed(struct comp_surface_u32 *state) {
	/* The scene damages only what the buffer says: the whole surface changed. */
	if (alpha_manager != NULL) {
		struct wlr_scene_output *scene_output;
		wl_list_for_each(scene_output, &alpha_manager->scene->outputs, link) {
			wlr_output_damage_add_whole(scene_output->damage);
		}
	}
}

static const struct comp_surface_u32_impl alpha_state_impl = {
	.addon = {.name = "wp_alpha_modifier_surface_v1",
		.destroy = comp_surface_u32_addon_destroy},
	.initial = UINT32_MAX,
	.changed = alpha_changed,
};

/* The committed multiplier, 0 (transparent) to 1 (as the buffer is). */
float comp_surface_alpha(struct wlr_surface *surface) {
	return (float)((double)comp_surface_u32_get(&alpha_state_impl, surface) / UINT32_MAX);
}

static void alpha_surface_resource_destroy(struct wl_resource *resource) {
	/* As set_multiplier(UINT32_MAX), at the next commit. */
	comp_surface_u32_detach(wl_resource_get_user_data(resource));
}

static void alpha_surface_handle_destroy(struct wl_client *client,
		struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void alpha_surface_set_multiplier(struct wl_client *client,
		struct wl_resource *resource, uint32_t factor) {
	struct comp_surface_u32 *state = wl_resource_get_user_data(resource);
	if (state == NULL) {
		wl_resource_post_error(resource, WP_ALPHA_MODIFIER_SURFACE_V1_ERROR_NO_SURFACE,
			"the wl_surface was destroyed");
		return;
	}
	state->pending = factor;
}

static const struct wp_alpha_modifier_surface_v1_interface alpha_surface_impl = {
	.destroy = alpha_surface_handle_destroy,
	.set_multiplier = alpha_surface_set_multiplier,
};

static void alpha_manager_get_surface(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, struct wl_resource *surface_resource) {
	struct wlr_surface *surface = wlr_surface_from_resource(surface_resource);
	struct wl_resource *object = wl_resource_create(client,
		&wp_alpha_modifier_surface_v1_interface, wl_resource_get_version(resource), id);
	if (object == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	bool no_memory;
	struct comp_surface_u32 *state = comp_surface_u32_attach(&alpha_state_impl, surface,
		object, &no_memory);
	wl_resource_set_implementation(object, &alpha_surface_impl, state,
		alpha_surface_resource_destroy);
	if (state == NULL && no_memory) {
		wl_client_post_no_memory(client);
	} else if (state == NULL) {
		wl_resource_post_error(resource, WP_ALPHA_MODIFIER_V1_ERROR_ALREADY_CONSTRUCTED,
			"the wl_surface has a wp_alpha_modifier_surface_v1 already");
	}
}

static void alpha_manager_handle_destroy(struct wl_client *client,
		struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct wp_alpha_modifier_v1_interface alpha_manager_impl = {
	.destroy = alpha_manager_handle_destroy,
	.get_surface = alpha_manager_get_surface,
};

static void alpha_manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct comp_alpha_manager *manager = data;
	comp_bind_listed(client, &wp_alpha_modifier_v1_interface, &alpha_manager_impl, manager,
		version, id, &manager->resources);
}

static void alpha_display_destroyed(struct wl_listener *listener, void *data) {
	struct comp_alpha_manager *manager = wl_container_of(listener, manager, display_destroy);
	wl_list_remove(&manager->display_destroy.link);
	comp_bound_resources_orphan(&manager->resources);
	wl_global_destroy(manager->global);
	if (alpha_manager == manager) {
		alpha_manager = NULL;
	}
	free(manager);
}

struct comp_alpha_manager *comp_alpha_manager_create(struct wl_display *display,
		struct wlr_scene *scene) {
	if (alpha_manager != NULL) {
		return NULL; /* one display a process */
	}
	struct comp_alpha_manager *manager = calloc(1, sizeof(*manager));
	if (manager == NULL) {
		return NULL;
	}
	manager->scene = scene;
	wl_list_init(&manager->resources);
	manager->global = wl_global_create(display, &wp_alpha_modifier_v1_interface,
		ALPHA_MODIFIER_VERSION, manager, alpha_manager_bind);
	if (manager->global == NULL) {
		free(manager);
		return NULL;
	}
	manager->display_destroy.notify = alpha_display_destroyed;
	wl_display_add_destroy_listener(display, &manager->display_destroy);
	alpha_manager = manager;
	return manager;
}

float comp_alpha_of(struct wlr_surface *surface) {
	return comp_surface_alpha(surface);
}
