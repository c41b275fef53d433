/* wp_alpha_modifier_v1 (cdef/99_alpha_modifier.h): a surface's alpha multiplier,
 * double-buffered, applied by the frame path's draw (csrc/81_scene_render.c asks
 * comp_surface_alpha) on pixman and GLES2 alike. */
#include <stdint.h>
#include <stdlib.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_output_damage.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/util/addon.h>

#include "alpha-modifier-v1-protocol.h"
#include "alpha-modifier-v1-protocol.c"

#define ALPHA_MODIFIER_VERSION 1

struct comp_alpha_manager {
	struct wl_global *global;
	struct wlr_scene *scene; /* whose outputs are repainted when a multiplier changes */
	struct wl_list resources; /* bound managers: inert once the global goes */
	struct wl_listener display_destroy;
};

/* One a surface that was given a multiplier; lives as long as the surface. */
struct alpha_state {
	struct wlr_addon addon; /* on surface->addons: comp_surface_alpha finds it */
	struct wlr_surface *surface;
	struct wl_resource *resource; /* the wp_alpha_modifier_surface_v1, NULL: none now */
	uint32_t pending, current;
	struct wl_listener surface_commit;
};

static struct comp_alpha_manager *alpha_manager;

static void alpha_state_addon_destroy(struct wlr_addon *addon) {
	struct alpha_state *state = wl_container_of(addon, state, addon);
	wlr_addon_finish(&state->addon);
	wl_list_remove(&state->surface_commit.link);
	if (state->resource != NULL) {
		wl_resource_set_user_data(state->resource, NULL); /* its requests: no_surface */
	}
	free(state);
}

static const struct wlr_addon_interface alpha_addon_impl = {
	.name = "wp_alpha_modifier_surface_v1",
	.destroy = alpha_state_addon_destroy,
};

static struct alpha_state *alpha_state_of(struct wlr_surface *surface) {
	struct wlr_addon *addon = wlr_addon_find(&surface->addons, &alpha_addon_impl,
		&alpha_addon_impl);
	if (addon == NULL) {
		return NULL;
	}
	struct alpha_state *state = wl_container_of(addon, state, addon);
	return state;
}

/* The committed multiplier, 0 (transparent) to 1 (as the buffer is). */
static float comp_surface_alpha(struct wlr_surface *surface) {
	struct alpha_state *state = alpha_manager != NULL ? alpha_state_of(surface) : NULL;
	return state != NULL ? (float)((double)state->current / UINT32_MAX) : 1.0f;
}

static void alpha_handle_commit(struct wl_listener *listener, void *data) {
	struct alpha_state *state = wl_container_of(listener, state, surface_commit);
	if (state->current == state->pending) {
		return;
	}
	state->current = state->pending;
	/* The scene damages only what the buffer says: the whole surface changed. */
	if (alpha_manager != NULL) {
		struct wlr_scene_output *scene_output;
		wl_list_for_each(scene_output, &alpha_manager->scene->outputs, link) {
			wlr_output_damage_add_whole(scene_output->damage);
		}
	}
}

static void alpha_surface_resource_destroy(struct wl_resource *resource) {
	struct alpha_state *state = wl_resource_get_user_data(resource);
	if (state != NULL) {
		state->resource = NULL;
		state->pending = UINT32_MAX; /* as set_multiplier(UINT32_MAX): at the next commit */
	}
}

static void alpha_surface_handle_destroy(struct wl_client *client,
		struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void alpha_surface_set_multiplier(struct wl_client *client,
		struct wl_resource *resource, uint32_t factor) {
	struct alpha_state *state = wl_resource_get_user_data(resource);
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
	struct alpha_state *state = alpha_state_of(surface);
	if (state != NULL && state->resource != NULL) {
		wl_resource_post_error(resource, WP_ALPHA_MODIFIER_V1_ERROR_ALREADY_CONSTRUCTED,
			"the wl_surface has a wp_alpha_modifier_surface_v1 already");
		return;
	}
	struct wl_resource *object = wl_resource_create(client,
		&wp_alpha_modifier_surface_v1_interface, wl_resource_get_version(resource), id);
	if (object == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	if (state == NULL) {
		state = calloc(1, sizeof(*state));
		if (state == NULL) {
			wl_resource_destroy(object);
			wl_client_post_no_memory(client);
			return;
		}
		state->surface = surface;
		state->pending = state->current = UINT32_MAX;
		wlr_addon_init(&state->addon, &surface->addons, &alpha_addon_impl,
			&alpha_addon_impl);
		state->surface_commit.notify = alpha_handle_commit;
		wl_signal_add(&surface->events.commit, &state->surface_commit);
	}
	state->resource = object;
	wl_resource_set_implementation(object, &alpha_surface_impl, state,
		alpha_surface_resource_destroy);
}

static void alpha_manager_handle_destroy(struct wl_client *client,
		struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct wp_alpha_modifier_v1_interface alpha_manager_impl = {
	.destroy = alpha_manager_handle_destroy,
	.get_surface = alpha_manager_get_surface,
};

static void alpha_manager_resource_destroy(struct wl_resource *resource) {
	wl_list_remove(wl_resource_get_link(resource));
}

static void alpha_manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct comp_alpha_manager *manager = data;
	struct wl_resource *resource = wl_resource_create(client, &wp_alpha_modifier_v1_interface,
		version, id);
	if (resource == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &alpha_manager_impl, manager,
		alpha_manager_resource_destroy);
	wl_list_insert(&manager->resources, wl_resource_get_link(resource));
}

static void alpha_display_destroyed(struct wl_listener *listener, void *data) {
	struct comp_alpha_manager *manager = wl_container_of(listener, manager, display_destroy);
	wl_list_remove(&manager->display_destroy.link);
	struct wl_resource *resource, *tmp;
	wl_resource_for_each_safe(resource, tmp, &manager->resources) {
		wl_list_remove(wl_resource_get_link(resource));
		wl_list_init(wl_resource_get_link(resource));
	}
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
