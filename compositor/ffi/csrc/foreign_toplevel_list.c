/* ext_foreign_toplevel_list_v1 (foreign_toplevel_list.h): every mapped window, xdg
 * or X11, as a handle with an identifier, title and app id; shell/foreign_toplevel.py
 * makes one comp_ftl_toplevel per window and keeps it current. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <wayland-server-core.h>

#include "ext-foreign-toplevel-list-v1-protocol.h"
#include "internal.h"
#include "foreign_toplevel_list.h"

#define FOREIGN_TOPLEVEL_LIST_VERSION 1

struct comp_ftl_manager {
	struct wl_global *global;
	struct wl_list resources; /* bound lists that have not stopped */
	struct wl_list stopped; /* bound lists that stopped: no more toplevel events */
	struct wl_list toplevels; /* struct comp_ftl_toplevel.link */
	struct wl_listener display_destroy;
	uint64_t generation; /* in each identifier: never the same twice */
	uint8_t salt[8]; /* and this process's own */
};

struct comp_ftl_toplevel {
	struct comp_ftl_manager *manager;
	struct wl_list resources; /* handles: one a bound list */
	char identifier[33];
	char *title, *app_id;
	struct wl_list link;
};

static void ftl_handle_resource_destroy(struct wl_resource *resource) {
	wl_list_remove(wl_resource_get_link(resource));
}

static void ftl_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct ext_foreign_toplevel_handle_v1_interface ftl_handle_impl = {
	.destroy = ftl_handle_destroy,
};

/* A handle of `toplevel` for one bound list, with all it knows, then done. */
static void ftl_send_toplevel(struct comp_ftl_toplevel *toplevel,
		struct wl_resource *list) {
	struct wl_client *client = wl_resource_get_client(list);
	struct wl_resource *handle = wl_resource_create(client,
		&ext_foreign_toplevel_handle_v1_interface, wl_resource_get_version(list), 0);
	if (handle == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(handle, &ftl_handle_impl, toplevel,
		ftl_handle_resource_destroy);
	wl_list_insert(&toplevel->resources, wl_resource_get_link(handle));
	ext_foreign_toplevel_list_v1_send_toplevel(list, handle);
	ext_foreign_toplevel_handle_v1_send_identifier(handle, toplevel->identifier);
	if (toplevel->title != NULL) {
		ext_foreign_toplevel_handle_v1_send_title(handle, toplevel->title);
	}
	if (toplevel->app_id != NULL) {
		ext_foreign_toplevel_handle_v1_send_app_id(handle, toplevel->app_id);
	}
	ext_foreign_toplevel_handle_v1_send_done(handle);
}

/* -- the list ---------------------------------------------------------------------------- */

static void ftl_list_resource_destroy(struct wl_resource *resource) {
	wl_list_remove(wl_resource_get_link(resource));
}

static void ftl_list_stop(struct wl_client *client, struct wl_resource *resource) {
	struct comp_ftl_manager *manager = wl_resource_get_user_data(resource);
	if (manager == NULL) {
		return; /* finished already */
	}
	wl_list_remove(wl_resource_get_link(resource));
	wl_list_insert(&manager->stopped, wl_resource_get_link(resource));
	wl_resource_set_user_data(resource, NULL);
	ext_foreign_toplevel_list_v1_send_finished(resource);
}

static void ftl_list_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct ext_foreign_toplevel_list_v1_interface ftl_list_impl = {
	.stop = ftl_list_stop,
	.destroy = ftl_list_destroy,
};

static void ftl_bind(struct wl_client *client, void *data, uint32_t version, uint32_t id) {
	struct comp_ftl_manager *manager = data;
	struct wl_resource *resource = wl_resource_create(client,
		&ext_foreign_toplevel_list_v1_interface, version, id);
	if (resource == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &ftl_list_impl, manager,
		ftl_list_resource_destroy);
	wl_list_insert(&manager->resources, wl_resource_get_link(resource));
	/* Oldest first, as they were mapped. */
	struct comp_ftl_toplevel *toplevel;
	wl_list_for_each_reverse(toplevel, &manager->toplevels, link) {
		ftl_send_toplevel(toplevel, resource);
	}
}

void comp_ftl_manager_destroy(struct comp_ftl_manager *manager);

static void ftl_display_destroyed(struct wl_listener *listener, void *data) {
	struct comp_ftl_manager *manager = wl_container_of(listener, manager, display_destroy);
	comp_ftl_manager_destroy(manager);
}

struct comp_ftl_manager *comp_ftl_manager_create(struct wl_display *display) {
	struct comp_ftl_manager *manager = calloc(1, sizeof(*manager));
	if (manager == NULL) {
		return NULL;
	}
	wl_list_init(&manager->resources);
	wl_list_init(&manager->stopped);
	wl_list_init(&manager->toplevels);
	if (getrandom(manager->salt, sizeof(manager->salt), 0) != sizeof(manager->salt)) {
		memset(manager->salt, 0, sizeof(manager->salt)); /* the generation alone is unique */
	}
	manager->global = wl_global_create(display, &ext_foreign_toplevel_list_v1_interface,
		FOREIGN_TOPLEVEL_LIST_VERSION, manager, ftl_bind);
	if (manager->global == NULL) {
		free(manager);
		return NULL;
	}
	manager->display_destroy.notify = ftl_display_destroyed;
	wl_display_add_destroy_listener(display, &manager->display_destroy);
	return manager;
}

/* -- toplevels --------------------------------------------------------------------------- */

struct comp_ftl_toplevel *comp_ftl_toplevel_create(struct comp_ftl_manager *manager,
		const char *title, const char *app_id) {
	if (manager == NULL) {
		return NULL;
	}
	struct comp_ftl_toplevel *toplevel = calloc(1, sizeof(*toplevel));
	if (toplevel == NULL) {
		return NULL;
	}
	toplevel->manager = manager;
	wl_list_init(&toplevel->resources);
	/* 16 hex digits of this process's salt, 16 of a generation that only grows. */
	uint64_t salt;
	memcpy(&salt, manager->salt, sizeof(salt));
	snprintf(toplevel->identifier, sizeof(toplevel->identifier), "%016llx%016llx",
		(unsigned long long)salt, (unsigned long long)++manager->generation);
	toplevel->title = title != NULL ? strdup(title) : NULL;
	toplevel->app_id = app_id != NULL ? strdup(app_id) : NULL;
	wl_list_insert(&manager->toplevels, &toplevel->link);
	struct wl_resource *list;
	wl_resource_for_each(list, &manager->resources) {
		ftl_send_toplevel(toplevel, list);
	}
	return toplevel;
}

static void ftl_set(struct comp_ftl_toplevel *toplevel, char **field, const char *value,
		void (*send)(struct wl_resource *, const char *)) {
	if (value == NULL || (*field != NULL && strcmp(*field, value) == 0)) {
		return;
	}
	char *copy = strdup(value);
	if (copy == NULL) {
		return;
	}
	free(*field);
	*field = copy;
	struct wl_resource *handle;
	wl_resource_for_each(handle, &toplevel->resources) {
		send(handle, copy);
		ext_foreign_toplevel_handle_v1_send_done(handle);
	}
}

void comp_ftl_toplevel_set_title(struct comp_ftl_toplevel *toplevel, const char *title) {
	ftl_set(toplevel, &toplevel->title, title, ext_foreign_toplevel_handle_v1_send_title);
}

void comp_ftl_toplevel_set_app_id(struct comp_ftl_toplevel *toplevel, const char *app_id) {
	ftl_set(toplevel, &toplevel->app_id, app_id, ext_foreign_toplevel_handle_v1_send_app_id);
}

const char *comp_ftl_toplevel_identifier(struct comp_ftl_toplevel *toplevel) {
	return toplevel->identifier;
}

void comp_ftl_toplevel_destroy(struct comp_ftl_toplevel *toplevel) {
	if (toplevel == NULL) {
		return;
	}
	struct wl_resource *handle, *tmp;
	wl_resource_for_each_safe(handle, tmp, &toplevel->resources) {
		ext_foreign_toplevel_handle_v1_send_closed(handle);
		/* Inert: the client destroys it when it likes. */
		wl_resource_set_user_data(handle, NULL);
		wl_list_remove(wl_resource_get_link(handle));
		wl_list_init(wl_resource_get_link(handle));
	}
	wl_list_remove(&toplevel->link);
	free(toplevel->title);
	free(toplevel->app_id);
	free(toplevel);
}

void comp_ftl_manager_destroy(struct comp_ftl_manager *manager) {
	if (manager == NULL) {
		return;
	}
	/* Python still holds the toplevels (and frees them): orphaned, they tell no one. */
	struct comp_ftl_toplevel *toplevel, *ttmp;
	wl_list_for_each_safe(toplevel, ttmp, &manager->toplevels, link) {
		toplevel->manager = NULL;
		wl_list_remove(&toplevel->link);
		wl_list_init(&toplevel->link);
	}
	struct wl_list *lists[2] = {&manager->resources, &manager->stopped};
	for (int i = 0; i < 2; i++) {
		struct wl_resource *resource, *tmp;
		wl_resource_for_each_safe(resource, tmp, lists[i]) {
			wl_resource_set_user_data(resource, NULL);
			wl_list_remove(wl_resource_get_link(resource));
			wl_list_init(wl_resource_get_link(resource));
		}
	}
	wl_list_remove(&manager->display_destroy.link);
	wl_global_destroy(manager->global);
	free(manager);
}
