/* wp_fractional_scale_manager_v1 (csrc/fractional_scale.h). */
#include <math.h>
#include <stdlib.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_surface.h>

#include "fractional-scale-v1-protocol.h"
#include "internal.h"
#include "fractional_scale.h"

#define FRACTIONAL_SCALE_VERSION 1

struct comp_fractional_scale_manager {
	struct wl_global *global;
	struct wlr_output_layout *layout;
	struct wl_list resources; /* bound managers: inert once the global goes */
	struct wl_list objects; /* struct fs_object.link */
	struct wl_listener layout_change, layout_destroy;
};

struct fs_object {
	struct wl_resource *resource;
	struct comp_fractional_scale_manager *manager;
	struct wlr_surface *surface; /* NULL once it went: the object is inert */
	uint32_t sent; /* 120ths; 0: nothing sent yet */
	struct wl_listener surface_commit, surface_destroy;
	struct wl_list link;
};

static double fs_preferred(struct fs_object *object) {
	double scale = 0;
	struct wlr_surface_output *entered;
	wl_list_for_each(entered, &object->surface->current_outputs, link) {
		if (entered->output->scale > scale) {
			scale = entered->output->scale;
		}
	}
	if (scale > 0) {
		return scale;
	}
	if (object->sent != 0) {
		return object->sent / 120.0; /* on no output now: nothing new to say */
	}
	struct wlr_output_layout_output *l_output;
	if (object->manager->layout != NULL) {
		wl_list_for_each(l_output, &object->manager->layout->outputs, link) {
			if (l_output->output->scale > scale) {
				scale = l_output->output->scale;
			}
		}
	}
	return scale > 0 ? scale : 1.0;
}

static void fs_update(struct fs_object *object) {
	if (object->surface == NULL || object->resource == NULL) {
		return;
	}
	uint32_t value = (uint32_t)lround(fs_preferred(object) * 120);
	if (value != object->sent) {
		object->sent = value;
		wp_fractional_scale_v1_send_preferred_scale(object->resource, value);
	}
}

static void fs_object_detach(struct fs_object *object) {
	if (object->surface == NULL) {
		return;
	}
	object->surface = NULL;
	wl_list_remove(&object->surface_commit.link);
	wl_list_remove(&object->surface_destroy.link);
	wl_list_remove(&object->link);
	wl_list_init(&object->link);
}

static void fs_handle_surface_commit(struct wl_listener *listener, void *data) {
	struct fs_object *object = wl_container_of(listener, object, surface_commit);
	fs_update(object);
}

static void fs_handle_surface_destroy(struct wl_listener *listener, void *data) {
	struct fs_object *object = wl_container_of(listener, object, surface_destroy);
	fs_object_detach(object);
}

static void fs_object_resource_destroy(struct wl_resource *resource) {
	struct fs_object *object = wl_resource_get_user_data(resource);
	fs_object_detach(object);
	free(object);
}

static void fs_object_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct wp_fractional_scale_v1_interface fs_object_impl = {
	.destroy = fs_object_handle_destroy,
};

static void fs_manager_handle_destroy(struct wl_client *client,
		struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void fs_manager_get(struct wl_client *client, struct wl_resource *resource, uint32_t id,
		struct wl_resource *surface_resource) {
	struct comp_fractional_scale_manager *manager = wl_resource_get_user_data(resource);
	struct wlr_surface *surface = wlr_surface_from_resource(surface_resource);
	struct fs_object *object;
	if (manager != NULL) {
		uint32_t exists = WP_FRACTIONAL_SCALE_MANAGER_V1_ERROR_FRACTIONAL_SCALE_EXISTS;
		wl_list_for_each(object, &manager->objects, link) {
			if (object->surface == surface) {
				wl_resource_post_error(resource, exists,
					"the wl_surface has a wp_fractional_scale_v1 already");
				return;
			}
		}
	}
	object = calloc(1, sizeof(*object));
	if (object == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	object->resource = wl_resource_create(client, &wp_fractional_scale_v1_interface,
		wl_resource_get_version(resource), id);
	if (object->resource == NULL) {
		free(object);
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(object->resource, &fs_object_impl, object,
		fs_object_resource_destroy);
	wl_list_init(&object->link);
	if (manager == NULL) {
		return; /* the compositor is going: inert */
	}
	object->manager = manager;
	object->surface = surface;
	object->surface_commit.notify = fs_handle_surface_commit;
	wl_signal_add(&surface->events.commit, &object->surface_commit);
	object->surface_destroy.notify = fs_handle_surface_destroy;
	wl_signal_add(&surface->events.destroy, &object->surface_destroy);
	wl_list_insert(&manager->objects, &object->link);
	fs_update(object); /* a first value before the client draws */
}

static const struct wp_fractional_scale_manager_v1_interface fs_manager_impl = {
	.destroy = fs_manager_handle_destroy,
	.get_fractional_scale = fs_manager_get,
};

static void fs_manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct comp_fractional_scale_manager *manager = data;
	comp_bind_listed(client, &wp_fractional_scale_manager_v1_interface, &fs_manager_impl, manager, version, id, &manager->resources);
}

void comp_fractional_scale_refresh(struct comp_fractional_scale_manager *manager) {
	struct fs_object *object;
	wl_list_for_each(object, &manager->objects, link) {
		fs_update(object);
	}
}

static void fs_handle_layout_change(struct wl_listener *listener, void *data) {
	struct comp_fractional_scale_manager *manager =
		wl_container_of(listener, manager, layout_change);
	comp_fractional_scale_refresh(manager);
}

static void fs_handle_layout_destroy(struct wl_listener *listener, void *data) {
	struct comp_fractional_scale_manager *manager =
		wl_container_of(listener, manager, layout_destroy);
	wl_list_remove(&manager->layout_change.link);
	wl_list_init(&manager->layout_change.link);
	wl_list_remove(&manager->layout_destroy.link);
	wl_list_init(&manager->layout_destroy.link);
	manager->layout = NULL;
}

struct comp_fractional_scale_manager *comp_fractional_scale_manager_create(
		struct wl_display *display, struct wlr_output_layout *layout) {
	struct comp_fractional_scale_manager *manager = calloc(1, sizeof(*manager));
	if (manager == NULL) {
		return NULL;
	}
	manager->layout = layout;
	wl_list_init(&manager->resources);
	wl_list_init(&manager->objects);
	manager->global = wl_global_create(display, &wp_fractional_scale_manager_v1_interface,
		FRACTIONAL_SCALE_VERSION, manager, fs_manager_bind);
	if (manager->global == NULL) {
		free(manager);
		return NULL;
	}
	manager->layout_change.notify = fs_handle_layout_change;
	wl_signal_add(&layout->events.change, &manager->layout_change);
	manager->layout_destroy.notify = fs_handle_layout_destroy;
	wl_signal_add(&layout->events.destroy, &manager->layout_destroy);
	return manager;
}

void comp_fractional_scale_manager_destroy(struct comp_fractional_scale_manager *manager) {
	if (manager == NULL) {
		return;
	}
	wl_list_remove(&manager->layout_change.link);
	wl_list_remove(&manager->layout_destroy.link);
	struct fs_object *object, *otmp;
	wl_list_for_each_safe(object, otmp, &manager->objects, link) {
		fs_object_detach(object);
	}
	comp_bound_resources_orphan(&manager->resources);
	wl_global_destroy(manager->global);
	free(manager);
}

uint32_t comp_fractional_scale_sent(struct comp_fractional_scale_manager *manager,
		struct wlr_surface *surface) {
	struct fs_object *object;
	wl_list_for_each(object, &manager->objects, link) {
		if (object->surface == surface) {
			return object->sent;
		}
	}
	return 0;
}
