/* The buffer-sharing inspector: see inspect.h. */
#include <string.h>
#include <drm_fourcc.h>
#include <wayland-server-core.h>
#include <wlr/render/dmabuf.h>
#include <wlr/render/gles2.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_surface.h>
#include "inspect.h"
#include "internal.h"

int comp_inspect_clients(struct wl_display *display, comp_inspect_client *out, int max) {
	int n = 0;
	struct wl_client *client;
	wl_client_for_each(client, wl_display_get_client_list(display)) {
		if (n < max) {
			pid_t pid;
			uid_t uid;
			gid_t gid;
			wl_client_get_credentials(client, &pid, &uid, &gid);
			out[n] = (comp_inspect_client){ .client = client, .pid = pid, .uid = uid, .gid = gid };
		}
		n++;
	}
	return n;
}

struct inspect_walk {
	void *out;
	int max, n;
};

static enum wl_iterator_result inspect_resource(struct wl_resource *resource, void *data) {
	struct inspect_walk *walk = data;
	if (walk->n < walk->max) {
		comp_inspect_resource *entry = (comp_inspect_resource *)walk->out + walk->n;
		entry->interface = wl_resource_get_class(resource);
		entry->version = (uint32_t)wl_resource_get_version(resource);
		entry->id = wl_resource_get_id(resource);
	}
	walk->n++;
	return WL_ITERATOR_CONTINUE;
}

int comp_inspect_resources(struct wl_client *client, comp_inspect_resource *out, int max) {
	struct inspect_walk walk = { .out = out, .max = max };
	wl_client_for_each_resource(client, inspect_resource, &walk);
	return walk.n;
}

static void inspect_buffer(struct wlr_surface *surface, comp_inspect_surface *entry);

int comp_surface_buffer_kind(struct wlr_surface *surface) {
	comp_inspect_surface entry = {0};
	inspect_buffer(surface, &entry);
	return entry.kind;
}

static void inspect_buffer(struct wlr_surface *surface, comp_inspect_surface *entry) {
	struct wlr_client_buffer *buffer = surface->buffer;
	if (buffer == NULL) {
		return;
	}
	entry->client_buffer = (uintptr_t)&buffer->base;
	entry->width = buffer->base.width;
	entry->height = buffer->base.height;
	entry->texture_gles2 = buffer->texture != NULL && wlr_texture_is_gles2(buffer->texture);
	if (buffer->shm_source_format != DRM_FORMAT_INVALID) {
		entry->kind = 1;
		entry->format = buffer->shm_source_format;
		entry->n_planes = 1;
		entry->stride[0] = (uint32_t)buffer->base.width * 4;
	}
	struct wlr_buffer *source = buffer->source;
	if (source == NULL) {
		if (entry->kind == 0) {
			entry->kind = 6;
		}
		return;
	}
	void *data;
	uint32_t format;
	size_t stride;
	if (entry->kind == 1 && wlr_buffer_begin_data_ptr_access(source,
			WLR_BUFFER_DATA_PTR_ACCESS_READ, &data, &format, &stride)) {
		entry->stride[0] = (uint32_t)stride;
		wlr_buffer_end_data_ptr_access(source);
		return;
	}
	struct wlr_dmabuf_attributes attribs;
	bool is_dmabuf;
	if (comp_drm_buffer_attributes(source, &attribs, &is_dmabuf)) {
		entry->kind = is_dmabuf ? 3 : 4;
	} else if (wlr_buffer_get_dmabuf(source, &attribs)) {
		entry->kind = 2;  /* a client dma-buf not from wl_drm: zwp_linux_dmabuf_v1 */
	} else {
		if (entry->kind == 0) {
			entry->kind = 5;
		}
		return;
	}
	entry->format = attribs.format;
	entry->modifier = attribs.modifier;
	entry->n_planes = attribs.n_planes;
	for (int i = 0; i < attribs.n_planes && i < 4; i++) {
		entry->offset[i] = attribs.offset[i];
		entry->stride[i] = attribs.stride[i];
	}
}

static enum wl_iterator_result inspect_surface(struct wl_resource *resource, void *data) {
	struct inspect_walk *walk = data;
	if (strcmp(wl_resource_get_class(resource), "wl_surface") != 0) {
		return WL_ITERATOR_CONTINUE;
	}
	if (walk->n < walk->max) {
		struct wlr_surface *surface = wlr_surface_from_resource(resource);
		comp_inspect_surface *entry = (comp_inspect_surface *)walk->out + walk->n;
		memset(entry, 0, sizeof(*entry));
		entry->surface = surface;
		entry->id = wl_resource_get_id(resource);
		entry->role = surface->role != NULL ? surface->role->name : NULL;
		inspect_buffer(surface, entry);
		comp_copy_surface_counts(surface, &entry->commits, &entry->bytes,
			&entry->frames_shown);
	}
	walk->n++;
	return WL_ITERATOR_CONTINUE;
}

int comp_inspect_surfaces(struct wl_client *client, comp_inspect_surface *out, int max) {
	struct inspect_walk walk = { .out = out, .max = max };
	wl_client_for_each_resource(client, inspect_surface, &walk);
	return walk.n;
}
