/* wp_single_pixel_buffer_manager_v1 (csrc/single_pixel_buffer.h). */
#include <stdlib.h>
#include <drm_fourcc.h>
#include <wayland-server-core.h>
#include <wayland-server-protocol.h>
#include <wlr/render/pixman.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_compositor.h>
#include <wlr/types/wlr_surface.h>

#include "single-pixel-buffer-v1-protocol.h"
#include "internal.h"
#include "single_pixel_buffer.h"

#define SINGLE_PIXEL_VERSION 1

struct comp_single_pixel_manager {
	struct wl_global *global;
	struct wl_listener new_surface; /* pixman only: see spb_surface_commit */
	struct wl_list resources; /* bound managers: inert once the global goes */
	uint64_t made;
};

struct spb_buffer {
	struct wlr_buffer base;
	struct wl_resource *resource; /* NULL once the client destroyed the wl_buffer */
	struct wl_listener release;
	/* One premultiplied ARGB8888 pixel, as the renderer reads it (B, G, R, A in memory). */
	uint32_t pixel;
};

static size_t spb_live;

static void spb_destroy(struct wlr_buffer *wlr_buffer) {
	struct spb_buffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	wl_list_remove(&buffer->release.link);
	spb_live--;
	free(buffer);
}

static bool spb_begin_data_ptr_access(struct wlr_buffer *wlr_buffer, uint32_t flags,
		void **data, uint32_t *format, size_t *stride) {
	struct spb_buffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	if (flags & WLR_BUFFER_DATA_PTR_ACCESS_WRITE) {
		return false; /* the client's colour: nobody writes it */
	}
	*data = &buffer->pixel;
	/* Opaque: XRGB8888, which lets the scene treat it as opaque (no blending below). */
	*format = (buffer->pixel >> 24) == 0xff ? DRM_FORMAT_XRGB8888 : DRM_FORMAT_ARGB8888;
	*stride = sizeof(buffer->pixel);
	return true;
}

static void spb_end_data_ptr_access(struct wlr_buffer *wlr_buffer) {
}

static const struct wlr_buffer_impl spb_buffer_impl = {
	.destroy = spb_destroy,
	.begin_data_ptr_access = spb_begin_data_ptr_access,
	.end_data_ptr_access = spb_end_data_ptr_access,
};

static void spb_wl_buffer_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct wl_buffer_interface spb_wl_buffer_impl = {
	.destroy = spb_wl_buffer_destroy,
};

static void spb_resource_destroy(struct wl_resource *resource) {
	struct spb_buffer *buffer = wl_resource_get_user_data(resource);
	buffer->resource = NULL;
	wlr_buffer_drop(&buffer->base); /* freed now, or when the last user unlocks it */
}

static void spb_handle_release(struct wl_listener *listener, void *data) {
	struct spb_buffer *buffer = wl_container_of(listener, buffer, release);
	if (buffer->resource != NULL) {
		wl_buffer_send_release(buffer->resource);
	}
}

static bool spb_is_instance(struct wl_resource *resource) {
	return wl_resource_instance_of(resource, &wl_buffer_interface, &spb_wl_buffer_impl);
}

static struct wlr_buffer *spb_from_resource(struct wl_resource *resource) {
	struct spb_buffer *buffer = wl_resource_get_user_data(resource);
	return &buffer->base;
}

static const struct wlr_buffer_resource_interface spb_resource_interface = {
	.name = "wp_single_pixel_buffer_v1",
	.is_instance = spb_is_instance,
	.from_resource = spb_from_resource,
};

/* A channel of [0, 0xffffffff] as 8 bits, rounded. */
static uint32_t spb_channel(uint32_t value) {
	return (uint32_t)(((uint64_t)value * 255 + 0x7fffffff) / 0xffffffffu);
}

/* pixman samples a 1x1 texture stretched to a large size (wp_viewport) past its edge:
 * wlroots 0.15 gives it the inverse scale in 16.16 fixed point, rounded, and with pixman's
 * default REPEAT_NONE the last rows or columns came out transparent (swaybg -c: two black
 * rows at the bottom of 640x480). Each surface's single-pixel texture repeats its edge. */
struct spb_surface {
	struct wl_listener commit, destroy;
};

static void spb_surface_commit(struct wl_listener *listener, void *data) {
	struct wlr_surface *surface = data;
	struct wlr_client_buffer *buffer = surface->buffer;
	if (buffer != NULL && buffer->source != NULL && buffer->source->impl == &spb_buffer_impl &&
			buffer->texture != NULL && wlr_texture_is_pixman(buffer->texture)) {
		pixman_image_set_repeat(wlr_pixman_texture_get_image(buffer->texture),
			PIXMAN_REPEAT_PAD);
	}
}

static void spb_surface_destroy(struct wl_listener *listener, void *data) {
	struct spb_surface *tracked = wl_container_of(listener, tracked, destroy);
	wl_list_remove(&tracked->commit.link);
	wl_list_remove(&tracked->destroy.link);
	free(tracked);
}

static void spb_handle_new_surface(struct wl_listener *listener, void *data) {
	struct wlr_surface *surface = data;
	struct spb_surface *tracked = calloc(1, sizeof(*tracked));
	if (tracked == NULL) {
		return; /* its stretched single-pixel buffers may show a transparent edge */
	}
	tracked->commit.notify = spb_surface_commit;
	wl_signal_add(&surface->events.commit, &tracked->commit);
	tracked->destroy.notify = spb_surface_destroy;
	wl_signal_add(&surface->events.destroy, &tracked->destroy);
}

static void spb_manager_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void spb_manager_create_buffer(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, uint32_t r, uint32_t g, uint32_t b, uint32_t a) {
	struct comp_single_pixel_manager *manager = wl_resource_get_user_data(resource);
	struct spb_buffer *buffer = calloc(1, sizeof(*buffer));
	if (buffer == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	buffer->resource = wl_resource_create(client, &wl_buffer_interface, 1, id);
	if (buffer->resource == NULL) {
		free(buffer);
		wl_client_post_no_memory(client);
		return;
	}
	/* Premultiplied, as the protocol says: the colour channels are not above alpha. */
	buffer->pixel = spb_channel(a) << 24 | spb_channel(r) << 16 | spb_channel(g) << 8 |
		spb_channel(b);
	wlr_buffer_init(&buffer->base, &spb_buffer_impl, 1, 1);
	buffer->release.notify = spb_handle_release;
	wl_signal_add(&buffer->base.events.release, &buffer->release);
	wl_resource_set_implementation(buffer->resource, &spb_wl_buffer_impl, buffer,
		spb_resource_destroy);
	spb_live++;
	if (manager != NULL) {
		manager->made++;
	}
}

static const struct wp_single_pixel_buffer_manager_v1_interface spb_manager_impl = {
	.destroy = spb_manager_handle_destroy,
	.create_u32_rgba_buffer = spb_manager_create_buffer,
};

static void spb_manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct comp_single_pixel_manager *manager = data;
	comp_bind_listed(client, &wp_single_pixel_buffer_manager_v1_interface, &spb_manager_impl, manager, version, id, &manager->resources);
}

struct comp_single_pixel_manager *comp_single_pixel_manager_create(struct wl_display *display,
		struct wlr_compositor *compositor) {
	static bool registered = false;
	if (!registered) {
		wlr_buffer_register_resource_interface(&spb_resource_interface);
		registered = true;
	}
	struct comp_single_pixel_manager *manager = calloc(1, sizeof(*manager));
	if (manager == NULL) {
		return NULL;
	}
	wl_list_init(&manager->resources);
	manager->global = wl_global_create(display, &wp_single_pixel_buffer_manager_v1_interface,
		SINGLE_PIXEL_VERSION, manager, spb_manager_bind);
	if (manager->global == NULL) {
		free(manager);
		return NULL;
	}
	wl_list_init(&manager->new_surface.link);
	if (wlr_renderer_is_pixman(compositor->renderer)) {
		manager->new_surface.notify = spb_handle_new_surface;
		wl_signal_add(&compositor->events.new_surface, &manager->new_surface);
	}
	return manager;
}

void comp_single_pixel_manager_destroy(struct comp_single_pixel_manager *manager) {
	if (manager == NULL) {
		return;
	}
	/* Bound managers stay, inert (their requests still make buffers, uncounted). */
	comp_bound_resources_orphan(&manager->resources);
	wl_list_remove(&manager->new_surface.link);
	wl_global_destroy(manager->global);
	free(manager);
}

uint64_t comp_single_pixel_buffers_made(struct comp_single_pixel_manager *manager) {
	return manager->made;
}

size_t comp_single_pixel_buffers_live(void) {
	return spb_live;
}
