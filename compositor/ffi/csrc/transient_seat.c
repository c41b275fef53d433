/* ext_transient_seat_manager_v1 (transient_seat.h): offered, and every create is
 * answered with `denied`. A transient seat is a second wl_seat with its own focus, pointer
 * and keyboard, which the virtual keyboard and pointer of a remote desktop (wayvnc -t) then
 * drive; the compositor has one seat (input/seat.py routes focus, grabs, bindings and
 * inhibitors through it), and telling the client the seat's registry name needs
 * wl_global_get_name, which libwayland has only since 1.22 (Debian 12: 1.21). Clients use
 * the main seat instead (wayvnc does without -t). */
#include <stdlib.h>
#include <wayland-server-core.h>

#include "ext-transient-seat-v1-protocol.h"
#include "internal.h"
#include "transient_seat.h"

#define TRANSIENT_SEAT_VERSION 1

struct comp_transient_seat_manager {
	struct wl_global *global;
	struct wl_list resources; /* bound managers: inert once the global goes */
	struct wl_listener display_destroy;
	uint64_t denied;
};

static void transient_seat_handle_destroy(struct wl_client *client,
		struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct ext_transient_seat_v1_interface transient_seat_impl = {
	.destroy = transient_seat_handle_destroy,
};

static void transient_manager_create(struct wl_client *client, struct wl_resource *resource,
		uint32_t id) {
	struct comp_transient_seat_manager *manager = wl_resource_get_user_data(resource);
	struct wl_resource *seat = wl_resource_create(client, &ext_transient_seat_v1_interface,
		wl_resource_get_version(resource), id);
	if (seat == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(seat, &transient_seat_impl, NULL, NULL);
	ext_transient_seat_v1_send_denied(seat);
	if (manager != NULL) {
		manager->denied++;
	}
}

static void transient_manager_handle_destroy(struct wl_client *client,
		struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct ext_transient_seat_manager_v1_interface transient_manager_impl = {
	.create = transient_manager_create,
	.destroy = transient_manager_handle_destroy,
};

static void transient_manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct comp_transient_seat_manager *manager = data;
	comp_bind_listed(client, &ext_transient_seat_manager_v1_interface, &transient_manager_impl,
		manager, version, id, &manager->resources);
}

static void transient_display_destroyed(struct wl_listener *listener, void *data) {
	struct comp_transient_seat_manager *manager =
		wl_container_of(listener, manager, display_destroy);
	wl_list_remove(&manager->display_destroy.link);
	comp_bound_resources_orphan(&manager->resources);
	wl_global_destroy(manager->global);
	free(manager);
}

struct comp_transient_seat_manager *comp_transient_seat_manager_create(
		struct wl_display *display) {
	struct comp_transient_seat_manager *manager = calloc(1, sizeof(*manager));
	if (manager == NULL) {
		return NULL;
	}
	wl_list_init(&manager->resources);
	manager->global = wl_global_create(display, &ext_transient_seat_manager_v1_interface,
		TRANSIENT_SEAT_VERSION, manager, transient_manager_bind);
	if (manager->global == NULL) {
		free(manager);
		return NULL;
	}
	manager->display_destroy.notify = transient_display_destroyed;
	wl_display_add_destroy_listener(display, &manager->display_destroy);
	return manager;
}
