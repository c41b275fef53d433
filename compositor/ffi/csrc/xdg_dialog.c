/* xdg_wm_dialog_v1 (xdg_dialog.h): a toplevel says it is a dialog and whether it is
 * modal (at once: the protocol does not double-buffer it). Placement over the parent is the
 * window manager's for every transient (shell/window_manager.py); a modal dialog also
 * takes the focus its parent would get (comp_dialog_modal). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_xdg_shell.h>

#include "xdg-dialog-v1-protocol.h"
#include "internal.h"
#include "xdg_dialog.h"

#define XDG_DIALOG_VERSION 1

struct comp_dialog_manager {
	struct wl_global *global;
	struct wl_list resources; /* bound managers: inert once the global goes */
	struct wl_listener display_destroy;
};

static const struct comp_surface_u32_impl dialog_state_impl = {
	.addon = {.name = "xdg_dialog_v1", .destroy = comp_surface_u32_addon_destroy},
	.initial = 0, /* not modal */
};

static void dialog_set(struct wl_resource *resource, uint32_t modal) {
	struct comp_surface_u32 *state = wl_resource_get_user_data(resource);
	if (state != NULL) { /* NULL: the toplevel went, the object is inert */
		state->pending = state->current = modal; /* not double-buffered */
	}
}

static void dialog_resource_destroy(struct wl_resource *resource) {
	struct comp_surface_u32 *state = wl_resource_get_user_data(resource);
	comp_surface_u32_detach(state);
	if (state != NULL) {
		state->current = 0; /* its effects go with it */
	}
}

static void dialog_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void dialog_set_modal(struct wl_client *client, struct wl_resource *resource) {
	dialog_set(resource, 1);
}

static void dialog_unset_modal(struct wl_client *client, struct wl_resource *resource) {
	dialog_set(resource, 0);
}

static const struct xdg_dialog_v1_interface dialog_impl = {
	.destroy = dialog_handle_destroy,
	.set_modal = dialog_set_modal,
	.unset_modal = dialog_unset_modal,
};

static void dialog_manager_get(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, struct wl_resource *toplevel_resource) {
	struct wlr_xdg_surface *xdg = wlr_xdg_surface_from_toplevel_resource(toplevel_resource);
	struct wl_resource *object = wl_resource_create(client, &xdg_dialog_v1_interface,
		wl_resource_get_version(resource), id);
	if (object == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	bool no_memory = false;
	struct comp_surface_u32 *state = NULL;
	if (xdg != NULL) { /* NULL: the toplevel's surface went, the object is inert */
		state = comp_surface_u32_attach(&dialog_state_impl, xdg->surface, object,
			&no_memory);
	}
	wl_resource_set_implementation(object, &dialog_impl, state, dialog_resource_destroy);
	if (xdg == NULL) {
		return;
	}
	if (state == NULL && no_memory) {
		wl_client_post_no_memory(client);
	} else if (state == NULL) {
		wl_resource_post_error(resource, XDG_WM_DIALOG_V1_ERROR_ALREADY_USED,
			"the xdg_toplevel has an xdg_dialog_v1 already");
	}
}

static void dialog_manager_handle_destroy(struct wl_client *client,
		struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct xdg_wm_dialog_v1_interface dialog_manager_impl = {
	.destroy = dialog_manager_handle_destroy,
	.get_xdg_dialog = dialog_manager_get,
};

static void dialog_manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct comp_dialog_manager *manager = data;
	comp_bind_listed(client, &xdg_wm_dialog_v1_interface, &dialog_manager_impl, manager,
		version, id, &manager->resources);
}

static void dialog_display_destroyed(struct wl_listener *listener, void *data) {
	struct comp_dialog_manager *manager = wl_container_of(listener, manager, display_destroy);
	wl_list_remove(&manager->display_destroy.link);
	comp_bound_resources_orphan(&manager->resources);
	wl_global_destroy(manager->global);
	free(manager);
}

struct comp_dialog_manager *comp_dialog_manager_create(struct wl_display *display) {
	struct comp_dialog_manager *manager = calloc(1, sizeof(*manager));
	if (manager == NULL) {
		return NULL;
	}
	wl_list_init(&manager->resources);
	manager->global = wl_global_create(display, &xdg_wm_dialog_v1_interface,
		XDG_DIALOG_VERSION, manager, dialog_manager_bind);
	if (manager->global == NULL) {
		free(manager);
		return NULL;
	}
	manager->display_destroy.notify = dialog_display_destroyed;
	wl_display_add_destroy_listener(display, &manager->display_destroy);
	return manager;
}

bool comp_dialog_modal(struct wlr_surface *surface) {
	return comp_surface_u32_get(&dialog_state_impl, surface) != 0;
}
