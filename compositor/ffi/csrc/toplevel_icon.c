/* xdg_toplevel_icon_manager_v1 (toplevel_icon.h): icons for toplevels, from pixel
 * buffers (copied at add_buffer, so the client's buffer is never read again) or a name
 * (kept, not looked up: no icon theme loader here). set_icon is applied at the toplevel's
 * next commit; then Python is told (comp_py_toplevel_icon) and draws the icon in the
 * window's title bar (shell/decorations.py). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wayland-server-core.h>
#include <wlr/util/addon.h>

/* wlroots' xdg_* interfaces are private to libwlroots: ours, for xdg_toplevel arguments (the
 * header also lets wlr_xdg_shell.h be included: it includes it). */
#include "xdg-shell-protocol.h"
#include <wlr/types/wlr_xdg_shell.h>

#include "xdg-toplevel-icon-v1-protocol.h"
#include "internal.h"
#include "toplevel_icon.h"

#define TOPLEVEL_ICON_VERSION 1
#define ICON_MAX_SIZE 1024  /* pixels of a side */
#define ICON_MAX_BUFFERS 16 /* sizes and scales of one icon */
#define ICON_PREFERRED_SIZE 16 /* the title bar's icon, in logical pixels */


/* An icon's data, shared by the icon object and the toplevels it was set on. */
struct icon_data {
	int refs;
	char *name;
	int count;
	struct {
		int size, scale;
		uint32_t *pixels; /* premultiplied ARGB8888, size x size */
	} images[ICON_MAX_BUFFERS];
};

struct icon_object {
	struct wl_resource *resource;
	struct icon_data *data;
	bool immutable; /* set on a toplevel: no more changes */
};

/* The icon state of one toplevel's surface (an addon: lives and dies with it). */
struct toplevel_icon {
	struct wlr_addon addon;
	struct wlr_surface *surface;
	bool pending_set;
	struct icon_data *pending, *current; /* NULL: the default icon */
	struct wl_listener commit;
};

static void icon_data_unref(struct icon_data *data) {
	if (data == NULL || --data->refs > 0) {
		return;
	}
	for (int i = 0; i < data->count; i++) {
		free(data->images[i].pixels);
	}
	free(data->name);
	free(data);
}

static struct icon_data *icon_data_ref(struct icon_data *data) {
	if (data != NULL) {
		data->refs++;
	}
	return data;
}

/* -- the per-toplevel state ------------------------------------------------------------ */

static void toplevel_icon_addon_destroy(struct wlr_addon *addon) {
	struct toplevel_icon *state = wl_container_of(addon, state, addon);
	wlr_addon_finish(&state->addon);
	wl_list_remove(&state->commit.link);
	icon_data_unref(state->pending);
	icon_data_unref(state->current);
	free(state);
}

static const struct wlr_addon_interface toplevel_icon_addon_impl = {
	.name = "xdg_toplevel_icon_v1",
	.destroy = toplevel_icon_addon_destroy,
};

static struct toplevel_icon *toplevel_icon_find(struct wlr_surface *surface) {
	if (surface == NULL) {
		return NULL;
	}
	struct wlr_addon *addon = wlr_addon_find(&surface->addons, &toplevel_icon_addon_impl,
		&toplevel_icon_addon_impl);
	if (addon == NULL) {
		return NULL;
	}
	struct toplevel_icon *state = wl_container_of(addon, state, addon);
	return state;
}

static void toplevel_icon_commit(struct wl_listener *listener, void *data) {
	struct toplevel_icon *state = wl_container_of(listener, state, commit);
	if (!state->pending_set) {
		return;
	}
	state->pending_set = false;
	icon_data_unref(state->current);
	state->current = state->pending;
	state->pending = NULL;
	comp_py_toplevel_icon(state->surface);
}

/* -- xdg_toplevel_icon_v1 ---------------------------------------------------------------- */

static struct icon_object *icon_object_from(struct wl_resource *resource) {
	return wl_resource_get_user_data(resource);
}

static void icon_resource_destroy(struct wl_resource *resource) {
	struct icon_object *icon = icon_object_from(resource);
	icon_data_unref(icon->data); /* the toplevels it was set on keep theirs */
	free(icon);
}

static void icon_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static bool icon_mutable(struct wl_resource *resource) {
	if (icon_object_from(resource)->immutable) {
		wl_resource_post_error(resource, XDG_TOPLEVEL_ICON_V1_ERROR_IMMUTABLE,
			"the icon was set on a toplevel: it cannot change any more");
		return false;
	}
	return true;
}

static void icon_set_name(struct wl_client *client, struct wl_resource *resource,
		const char *name) {
	if (!icon_mutable(resource)) {
		return;
	}
	struct icon_data *data = icon_object_from(resource)->data;
	char *copy = strdup(name);
	if (copy == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	free(data->name);
	data->name = copy;
}

static void icon_add_buffer(struct wl_client *client, struct wl_resource *resource,
		struct wl_resource *buffer_resource, int32_t scale) {
	if (!icon_mutable(resource)) {
		return;
	}
	struct icon_data *data = icon_object_from(resource)->data;
	struct wl_shm_buffer *shm = wl_shm_buffer_get(buffer_resource);
	if (shm == NULL) {
		wl_resource_post_error(resource, XDG_TOPLEVEL_ICON_V1_ERROR_INVALID_BUFFER,
			"the icon's buffer is not a wl_shm buffer");
		return;
	}
	int width = wl_shm_buffer_get_width(shm), height = wl_shm_buffer_get_height(shm);
	int stride = wl_shm_buffer_get_stride(shm);
	uint32_t format = wl_shm_buffer_get_format(shm);
	if (width != height || width <= 0 || width > ICON_MAX_SIZE) {
		wl_resource_post_error(resource, XDG_TOPLEVEL_ICON_V1_ERROR_INVALID_BUFFER,
			"the icon's buffer is %dx%d: it must be square, 1 to %d pixels a side",
			width, height, ICON_MAX_SIZE);
		return;
	}
	if (format != WL_SHM_FORMAT_ARGB8888 && format != WL_SHM_FORMAT_XRGB8888) {
		wl_resource_post_error(resource, XDG_TOPLEVEL_ICON_V1_ERROR_INVALID_BUFFER,
			"the icon's buffer format 0x%08x is not argb8888 or xrgb8888", format);
		return;
	}
	if (scale < 1 || scale > 16) {
		wl_resource_post_error(resource, XDG_TOPLEVEL_ICON_V1_ERROR_INVALID_BUFFER,
			"the icon's scale is %d: it takes 1 to 16", scale);
		return;
	}
	int slot = data->count;
	for (int i = 0; i < data->count; i++) {
		if (data->images[i].size == width && data->images[i].scale == scale) {
			slot = i; /* the same size and scale: the newer data wins */
		}
	}
	if (slot == ICON_MAX_BUFFERS) {
		wl_resource_post_error(resource, XDG_TOPLEVEL_ICON_V1_ERROR_INVALID_BUFFER,
			"an icon takes at most %d buffers", ICON_MAX_BUFFERS);
		return;
	}
	uint32_t *pixels = malloc((size_t)width * height * 4);
	if (pixels == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	/* Copied now: the protocol lets the client keep the buffer, we never read it again.
	 * A pool truncated under us is caught by libwayland's SIGBUS handler. */
	wl_shm_buffer_begin_access(shm);
	const uint8_t *src = wl_shm_buffer_get_data(shm);
	for (int y = 0; y < height; y++) {
		memcpy(pixels + (size_t)y * width, src + (size_t)y * stride, (size_t)width * 4);
	}
	wl_shm_buffer_end_access(shm);
	if (format == WL_SHM_FORMAT_XRGB8888) {
		for (size_t i = 0; i < (size_t)width * height; i++) {
			pixels[i] |= 0xFF000000u;
		}
	}
	if (slot < data->count) {
		free(data->images[slot].pixels);
	} else {
		data->count++;
	}
	data->images[slot].size = width;
	data->images[slot].scale = scale;
	data->images[slot].pixels = pixels;
}

static const struct xdg_toplevel_icon_v1_interface icon_impl = {
	.destroy = icon_handle_destroy,
	.set_name = icon_set_name,
	.add_buffer = icon_add_buffer,
};

/* -- xdg_toplevel_icon_manager_v1 ------------------------------------------------------- */

struct comp_icon_manager {
	struct wl_global *global;
	struct wl_list resources;
	struct wl_listener display_destroy;
};

static void icon_manager_handle_destroy(struct wl_client *client,
		struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void icon_manager_create_icon(struct wl_client *client, struct wl_resource *resource,
		uint32_t id) {
	struct icon_object *icon = calloc(1, sizeof(*icon));
	struct icon_data *data = calloc(1, sizeof(*data));
	if (icon == NULL || data == NULL) {
		free(icon);
		free(data);
		wl_client_post_no_memory(client);
		return;
	}
	data->refs = 1;
	icon->data = data;
	icon->resource = wl_resource_create(client, &xdg_toplevel_icon_v1_interface,
		wl_resource_get_version(resource), id);
	if (icon->resource == NULL) {
		free(data);
		free(icon);
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(icon->resource, &icon_impl, icon, icon_resource_destroy);
}

static void icon_manager_set_icon(struct wl_client *client, struct wl_resource *resource,
		struct wl_resource *toplevel_resource, struct wl_resource *icon_resource) {
	struct wlr_xdg_surface *xdg = wlr_xdg_surface_from_toplevel_resource(toplevel_resource);
	if (xdg == NULL) {
		return; /* the toplevel's surface went: inert */
	}
	struct wlr_surface *surface = xdg->surface;
	struct toplevel_icon *state = toplevel_icon_find(surface);
	if (state == NULL) {
		state = calloc(1, sizeof(*state));
		if (state == NULL) {
			wl_client_post_no_memory(client);
			return;
		}
		state->surface = surface;
		wlr_addon_init(&state->addon, &surface->addons, &toplevel_icon_addon_impl,
			&toplevel_icon_addon_impl);
		state->commit.notify = toplevel_icon_commit;
		wl_signal_add(&surface->events.commit, &state->commit);
	}
	struct icon_data *data = NULL;
	if (icon_resource != NULL) {
		struct icon_object *icon = icon_object_from(icon_resource);
		icon->immutable = true;
		/* An icon with neither buffers nor a name resets, as NULL does. */
		if (icon->data->count > 0 || icon->data->name != NULL) {
			data = icon_data_ref(icon->data);
		}
	}
	icon_data_unref(state->pending);
	state->pending = data;
	state->pending_set = true;
}

static const struct xdg_toplevel_icon_manager_v1_interface icon_manager_impl = {
	.destroy = icon_manager_handle_destroy,
	.create_icon = icon_manager_create_icon,
	.set_icon = icon_manager_set_icon,
};

static void icon_manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct comp_icon_manager *manager = data;
	struct wl_resource *resource = comp_bind_listed(client,
		&xdg_toplevel_icon_manager_v1_interface, &icon_manager_impl, manager, version, id,
		&manager->resources);
	if (resource != NULL) {
		xdg_toplevel_icon_manager_v1_send_icon_size(resource, ICON_PREFERRED_SIZE);
		xdg_toplevel_icon_manager_v1_send_done(resource);
	}
}

static void icon_display_destroyed(struct wl_listener *listener, void *data) {
	struct comp_icon_manager *manager = wl_container_of(listener, manager, display_destroy);
	wl_list_remove(&manager->display_destroy.link);
	comp_bound_resources_orphan(&manager->resources);
	wl_global_destroy(manager->global);
	free(manager);
}

struct comp_icon_manager *comp_icon_manager_create(struct wl_display *display) {
	struct comp_icon_manager *manager = calloc(1, sizeof(*manager));
	if (manager == NULL) {
		return NULL;
	}
	wl_list_init(&manager->resources);
	manager->global = wl_global_create(display, &xdg_toplevel_icon_manager_v1_interface,
		TOPLEVEL_ICON_VERSION, manager, icon_manager_bind);
	if (manager->global == NULL) {
		free(manager);
		return NULL;
	}
	manager->display_destroy.notify = icon_display_destroyed;
	wl_display_add_destroy_listener(display, &manager->display_destroy);
	return manager;
}

const uint32_t *comp_toplevel_icon_pixels(struct wlr_surface *surface, int wanted,
		int *size) {
	struct toplevel_icon *state = toplevel_icon_find(surface);
	struct icon_data *data = state != NULL ? state->current : NULL;
	*size = 0;
	if (data == NULL || data->count == 0) {
		return NULL;
	}
	/* The smallest at least `wanted` pixels, else the largest. */
	int best = -1;
	for (int i = 0; i < data->count; i++) {
		int s = data->images[i].size;
		if (best < 0) {
			best = i;
			continue;
		}
		int b = data->images[best].size;
		if ((s >= wanted && (b < wanted || s < b)) || (b < wanted && s > b)) {
			best = i;
		}
	}
	*size = data->images[best].size;
	return data->images[best].pixels;
}

const char *comp_toplevel_icon_name(struct wlr_surface *surface) {
	struct toplevel_icon *state = toplevel_icon_find(surface);
	return state != NULL && state->current != NULL ? state->current->name : NULL;
}
