/* wp_content_type_manager_v1 (cdef/99_content_type.h). */
#include <stdlib.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_surface.h>

#include "content-type-v1-protocol.h"
#include "content-type-v1-protocol.c"

#define CONTENT_TYPE_VERSION 1

struct comp_content_type_manager {
	struct wl_global *global;
	struct wl_list resources; /* bound managers: inert once the global goes */
	struct wl_list objects; /* struct ct_object.link */
};

struct ct_object {
	struct wl_resource *resource;
	struct wlr_surface *surface; /* NULL once it went: the object is inert */
	uint32_t pending, current;
	struct wl_listener surface_commit, surface_destroy;
	struct wl_list link;
};

static void ct_object_detach(struct ct_object *object) {
	if (object->surface == NULL) {
		return;
	}
	object->surface = NULL;
	wl_list_remove(&object->surface_commit.link);
	wl_list_remove(&object->surface_destroy.link);
	wl_list_remove(&object->link);
	wl_list_init(&object->link);
}

static void ct_handle_surface_commit(struct wl_listener *listener, void *data) {
	struct ct_object *object = wl_container_of(listener, object, surface_commit);
	object->current = object->pending;
}

static void ct_handle_surface_destroy(struct wl_listener *listener, void *data) {
	struct ct_object *object = wl_container_of(listener, object, surface_destroy);
	ct_object_detach(object);
}

static void ct_object_resource_destroy(struct wl_resource *resource) {
	struct ct_object *object = wl_resource_get_user_data(resource);
	ct_object_detach(object);
	free(object);
}

static void ct_object_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource); /* the surface's content type is none again */
}

static void ct_object_handle_set(struct wl_client *client, struct wl_resource *resource,
		uint32_t content_type) {
	struct ct_object *object = wl_resource_get_user_data(resource);
	if (content_type > WP_CONTENT_TYPE_V1_TYPE_GAME) {
		content_type = WP_CONTENT_TYPE_V1_TYPE_NONE; /* unknown: no hint */
	}
	object->pending = content_type;
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
	struct comp_content_type_manager *manager = wl_resource_get_user_data(resource);
	struct wlr_surface *surface = wlr_surface_from_resource(surface_resource);
	struct ct_object *object;
	if (manager != NULL) {
		wl_list_for_each(object, &manager->objects, link) {
			if (object->surface == surface) {
				wl_resource_post_error(resource,
					WP_CONTENT_TYPE_MANAGER_V1_ERROR_ALREADY_CONSTRUCTED,
					"the wl_surface has a wp_content_type_v1 already");
				return;
			}
		}
	}
	object = calloc(1, sizeof(*object));
	if (object == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	object->resource = wl_resource_create(client, &wp_content_type_v1_interface,
		wl_resource_get_version(resource), id);
	if (object->resource == NULL) {
		free(object);
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(object->resource, &ct_object_impl, object,
		ct_object_resource_destroy);
	wl_list_init(&object->link);
	if (manager == NULL) {
		return; /* the compositor is going: inert */
	}
	object->surface = surface;
	object->surface_commit.notify = ct_handle_surface_commit;
	wl_signal_add(&surface->events.commit, &object->surface_commit);
	object->surface_destroy.notify = ct_handle_surface_destroy;
	wl_signal_add(&surface->events.destroy, &object->surface_destroy);
	wl_list_insert(&manager->objects, &object->link);
}

static const struct wp_content_type_manager_v1_interface ct_manager_impl = {
	.destroy = ct_manager_handle_destroy,
	.get_surface_content_type = ct_manager_get,
};

static void ct_manager_resource_destroy(struct wl_resource *resource) {
	wl_list_remove(wl_resource_get_link(resource));
}

static void ct_manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct comp_content_type_manager *manager = data;
	struct wl_resource *resource = wl_resource_create(client,
		&wp_content_type_manager_v1_interface, version, id);
	if (resource == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &ct_manager_impl, manager,
		ct_manager_resource_destroy);
	wl_list_insert(&manager->resources, wl_resource_get_link(resource));
}

struct comp_content_type_manager *comp_content_type_manager_create(struct wl_display *display) {
	struct comp_content_type_manager *manager = calloc(1, sizeof(*manager));
	if (manager == NULL) {
		return NULL;
	}
	wl_list_init(&manager->resources);
	wl_list_init(&manager->objects);
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
	struct ct_object *object, *otmp;
	wl_list_for_each_safe(object, otmp, &manager->objects, link) {
		ct_object_detach(object);
	}
	struct wl_resource *resource, *tmp;
	wl_resource_for_each_safe(resource, tmp, &manager->resources) {
		wl_resource_set_user_data(resource, NULL);
		wl_list_remove(wl_resource_get_link(resource));
		wl_list_init(wl_resource_get_link(resource));
	}
	wl_global_destroy(manager->global);
	free(manager);
}

uint32_t comp_content_type_get(struct comp_content_type_manager *manager,
		struct wlr_surface *surface) {
	struct ct_object *object;
	wl_list_for_each(object, &manager->objects, link) {
		if (object->surface == surface) {
			return object->current;
		}
	}
	return WP_CONTENT_TYPE_V1_TYPE_NONE;
}
