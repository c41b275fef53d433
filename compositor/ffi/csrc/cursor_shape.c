/* wp_cursor_shape_manager_v1: see cursor_shape.h. The cursor is the pointer's C motion
 * path's (pointer_motion.h), and so is the call asking Python for the xcursor manager. */
#include <stdlib.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_xcursor_manager.h>

#include "cursor-shape-v1-protocol.h"
#include "cursor_shape.h"
#include "internal.h"

#define CURSOR_SHAPE_VERSION 1

/* By enum value (wp_cursor_shape_device_v1.shape): the CSS name, and the X11 cursor font
 * name for themes without it. */
static const struct {
	const char *css, *x11;
} cs_names[] = {
	[1] = {"default", "left_ptr"},
	[2] = {"context-menu", "left_ptr"},
	[3] = {"help", "question_arrow"},
	[4] = {"pointer", "hand2"},
	[5] = {"progress", "left_ptr_watch"},
	[6] = {"wait", "watch"},
	[7] = {"cell", "plus"},
	[8] = {"crosshair", "cross"},
	[9] = {"text", "xterm"},
	[10] = {"vertical-text", "xterm"},
	[11] = {"alias", "dnd-link"},
	[12] = {"copy", "dnd-copy"},
	[13] = {"move", "dnd-move"},
	[14] = {"no-drop", "dnd-none"},
	[15] = {"not-allowed", "crossed_circle"},
	[16] = {"grab", "hand1"},
	[17] = {"grabbing", "hand1"},
	[18] = {"e-resize", "right_side"},
	[19] = {"n-resize", "top_side"},
	[20] = {"ne-resize", "top_right_corner"},
	[21] = {"nw-resize", "top_left_corner"},
	[22] = {"s-resize", "bottom_side"},
	[23] = {"se-resize", "bottom_right_corner"},
	[24] = {"sw-resize", "bottom_left_corner"},
	[25] = {"w-resize", "left_side"},
	[26] = {"ew-resize", "sb_h_double_arrow"},
	[27] = {"ns-resize", "sb_v_double_arrow"},
	[28] = {"nesw-resize", "fd_double_arrow"},
	[29] = {"nwse-resize", "bd_double_arrow"},
	[30] = {"col-resize", "sb_h_double_arrow"},
	[31] = {"row-resize", "sb_v_double_arrow"},
	[32] = {"all-scroll", "fleur"},
	[33] = {"zoom-in", "left_ptr"},
	[34] = {"zoom-out", "left_ptr"},
	[35] = {"dnd-ask", "dnd-copy"}, /* version 2 */
	[36] = {"all-resize", "fleur"}, /* version 2 */
};

#define CS_LAST_SHAPE_V1 34

struct comp_cursor_shape_manager {
	struct wl_global *global;
	comp_pointer_motion *pointer;
	struct wl_list resources; /* bound managers: inert once the global goes */
	struct wl_list devices; /* struct cs_device.link */
	comp_cursor_shape_stats stats;
};

struct cs_device {
	struct wl_resource *resource;
	struct comp_cursor_shape_manager *manager; /* NULL: inert */
	struct wlr_seat_client *seat_client; /* the wl_pointer's; NULL for tools, or gone */
	struct wl_listener seat_client_destroy;
	struct wl_list link;
};

const char *comp_cursor_shape_name(uint32_t shape) {
	if (shape == 0 || shape >= sizeof(cs_names) / sizeof(cs_names[0])) {
		return NULL;
	}
	return cs_names[shape].css;
}

static void cs_device_detach(struct cs_device *device) {
	if (device->manager == NULL) {
		return;
	}
	device->manager = NULL;
	device->seat_client = NULL;
	wl_list_remove(&device->seat_client_destroy.link);
	wl_list_init(&device->seat_client_destroy.link);
	wl_list_remove(&device->link);
	wl_list_init(&device->link);
}

static void cs_handle_seat_client_destroy(struct wl_listener *listener, void *data) {
	struct cs_device *device = wl_container_of(listener, device, seat_client_destroy);
	cs_device_detach(device);
}

static void cs_device_resource_destroy(struct wl_resource *resource) {
	struct cs_device *device = wl_resource_get_user_data(resource);
	cs_device_detach(device);
	free(device);
}

static void cs_device_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void cs_device_set_shape(struct wl_client *client, struct wl_resource *resource,
		uint32_t serial, uint32_t shape) {
	struct cs_device *device = wl_resource_get_user_data(resource);
	uint32_t last = wl_resource_get_version(resource) >= 2 ? 36 : CS_LAST_SHAPE_V1;
	if (shape == 0 || shape > last) {
		wl_resource_post_error(resource, WP_CURSOR_SHAPE_DEVICE_V1_ERROR_INVALID_SHAPE,
			"no cursor shape %u in version %d", shape,
			wl_resource_get_version(resource));
		return;
	}
	struct comp_cursor_shape_manager *manager = device->manager;
	if (manager == NULL) {
		return;
	}
	comp_pointer_motion *pm = manager->pointer;
	struct wlr_seat_client *seat_client = device->seat_client;
	/* Only the client under the pointer, answering its latest enter. */
	if (seat_client == NULL || pm->seat->pointer_state.focused_client != seat_client ||
			!wlr_seat_client_validate_event_serial(seat_client, serial)) {
		manager->stats.shapes_ignored++;
		return;
	}
	if (pm->xcursor == NULL) {
		comp_py_pointer_motion(pm->handle, COMP_POINTER_NEED_XCURSOR, NULL);
	}
	if (pm->xcursor == NULL) {
		manager->stats.shapes_ignored++;
		return;
	}
	struct wlr_xcursor_manager *xcursor = pm->xcursor;
	const char *name = cs_names[shape].css;
	if (wlr_xcursor_manager_get_xcursor(xcursor, name, 1) == NULL) {
		name = cs_names[shape].x11;
	}
	wlr_xcursor_manager_set_cursor_image(xcursor, name, pm->cursor);
	manager->stats.shapes_set++;
	manager->stats.last_shape = shape;
}

static const struct wp_cursor_shape_device_v1_interface cs_device_impl = {
	.destroy = cs_device_handle_destroy,
	.set_shape = cs_device_set_shape,
};

static void cs_make_device(struct wl_client *client, struct wl_resource *manager_resource,
		uint32_t id, struct wlr_seat_client *seat_client) {
	struct comp_cursor_shape_manager *manager = wl_resource_get_user_data(manager_resource);
	struct cs_device *device = calloc(1, sizeof(*device));
	if (device == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	device->resource = wl_resource_create(client, &wp_cursor_shape_device_v1_interface,
		wl_resource_get_version(manager_resource), id);
	if (device->resource == NULL) {
		free(device);
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(device->resource, &cs_device_impl, device,
		cs_device_resource_destroy);
	wl_list_init(&device->link);
	wl_list_init(&device->seat_client_destroy.link);
	if (manager == NULL) {
		return; /* the compositor is going: inert */
	}
	device->manager = manager;
	device->seat_client = seat_client;
	if (seat_client != NULL) {
		device->seat_client_destroy.notify = cs_handle_seat_client_destroy;
		wl_signal_add(&seat_client->events.destroy, &device->seat_client_destroy);
	}
	wl_list_insert(&manager->devices, &device->link);
}

static void cs_manager_get_pointer(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, struct wl_resource *pointer) {
	/* NULL when the wl_pointer is inert (its seat went). */
	cs_make_device(client, resource, id, wlr_seat_client_from_pointer_resource(pointer));
}

static void cs_manager_get_tablet_tool(struct wl_client *client,
		struct wl_resource *resource, uint32_t id, struct wl_resource *tool) {
	cs_make_device(client, resource, id, NULL);
}

static void cs_manager_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct wp_cursor_shape_manager_v1_interface cs_manager_impl = {
	.destroy = cs_manager_handle_destroy,
	.get_pointer = cs_manager_get_pointer,
	.get_tablet_tool_v2 = cs_manager_get_tablet_tool,
};

static void cs_manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct comp_cursor_shape_manager *manager = data;
	comp_bind_listed(client, &wp_cursor_shape_manager_v1_interface, &cs_manager_impl, manager, version, id, &manager->resources);
}

struct comp_cursor_shape_manager *comp_cursor_shape_manager_create(struct wl_display *display,
		comp_pointer_motion *pointer) {
	struct comp_cursor_shape_manager *manager = calloc(1, sizeof(*manager));
	if (manager == NULL) {
		return NULL;
	}
	manager->pointer = pointer;
	wl_list_init(&manager->resources);
	wl_list_init(&manager->devices);
	manager->global = wl_global_create(display, &wp_cursor_shape_manager_v1_interface,
		CURSOR_SHAPE_VERSION, manager, cs_manager_bind);
	if (manager->global == NULL) {
		free(manager);
		return NULL;
	}
	return manager;
}

void comp_cursor_shape_manager_destroy(struct comp_cursor_shape_manager *manager) {
	if (manager == NULL) {
		return;
	}
	struct cs_device *device, *dtmp;
	wl_list_for_each_safe(device, dtmp, &manager->devices, link) {
		cs_device_detach(device);
	}
	comp_bound_resources_orphan(&manager->resources);
	wl_global_destroy(manager->global);
	free(manager);
}

void comp_cursor_shape_get_stats(struct comp_cursor_shape_manager *manager,
		comp_cursor_shape_stats *stats) {
	*stats = manager->stats;
}
