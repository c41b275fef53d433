/* wl_drm buffer bridge: see wl_drm_buffer.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <drm_fourcc.h>
#include <wayland-server-core.h>
#include <wayland-server-protocol.h>
#include <wlr/render/dmabuf.h>
#include <wlr/render/drm_format_set.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/util/log.h>
#include "client_memory.h"
#include "internal.h"
#include "wl_drm_buffer.h"

struct comp_drm_buffer {
	struct wlr_buffer base;
	struct wl_resource *resource; /* NULL once the client destroyed the wl_buffer */
	struct wl_listener release;
	struct wlr_dmabuf_attributes dmabuf; /* every plane's fd is `fd` */
	int fd;
	bool is_dmabuf, cpu_access, sync_failed;
	void *map;
	size_t map_len;
	uint32_t *converted; /* NV12/YUV420 read by the CPU: the XRGB8888 it was converted to */
	size_t guard_mark;   /* the client-memory guard over `map` between begin and end access */
	bool guarded;
	uint64_t token;
	struct wl_list link; /* bridge_buffers */
};

static struct wl_list bridge_buffers = {&bridge_buffers, &bridge_buffers};

static void bridge_destroy(struct wlr_buffer *wlr_buffer) {
	struct comp_drm_buffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	wl_list_remove(&buffer->release.link);
	wl_list_remove(&buffer->link);
	if (buffer->map != NULL) {
		munmap(buffer->map, buffer->map_len);
	}
	free(buffer->converted);
	close(buffer->fd);
	uint64_t token = buffer->token;
	free(buffer);
	comp_drm_buffer_destroyed(token);
}

static bool bridge_get_dmabuf(struct wlr_buffer *wlr_buffer,
		struct wlr_dmabuf_attributes *attribs) {
	struct comp_drm_buffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	if (!buffer->is_dmabuf) {
		return false; /* a memfd: the renderer falls back to data-pointer access */
	}
	*attribs = buffer->dmabuf;
	return true;
}

static bool bridge_map(struct comp_drm_buffer *buffer) {
	if (buffer->map != NULL) {
		return true;
	}
	void *map = mmap(NULL, buffer->map_len, PROT_READ, MAP_SHARED, buffer->fd, 0);
	if (map == MAP_FAILED) {
		return false;
	}
	buffer->map = map;
	return true;
}

static void bridge_sync(struct comp_drm_buffer *buffer, uint64_t flags) {
	if (!buffer->is_dmabuf || buffer->sync_failed) {
		return;
	}
	struct dma_buf_sync sync = {.flags = flags | DMA_BUF_SYNC_READ};
	int ret;
	do {
		ret = ioctl(buffer->fd, DMA_BUF_IOCTL_SYNC, &sync);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	if (ret == -1) {
		buffer->sync_failed = true; /* say it once per buffer, keep reading */
		wlr_log_errno(WLR_ERROR, "wl_drm: DMA_BUF_IOCTL_SYNC failed on buffer %llu",
			(unsigned long long)buffer->token);
	}
}

/* CPU colour conversion of multi-planar YUV (wl_drm has no colour information: BT.601,
 * limited range, as Mesa's and GStreamer's wl_drm users produce by default). */
static uint64_t yuv_conversions, yuv_converted_bytes;

bool comp_drm_format_is_converted(uint32_t format) {
	return format == DRM_FORMAT_NV12 || format == DRM_FORMAT_YUV420;
}

static inline uint8_t yuv_clamp(int v) {
	return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

static inline uint32_t yuv_pixel(int y, int u, int v) {
	int c = (y - 16) * 298, d = u - 128, e = v - 128;
	uint8_t r = yuv_clamp((c + 409 * e + 128) >> 8);
	uint8_t g = yuv_clamp((c - 100 * d - 208 * e + 128) >> 8);
	uint8_t b = yuv_clamp((c + 516 * d + 128) >> 8);
	return 0xFF000000u | (uint32_t)r << 16 | (uint32_t)g << 8 | b;
}

static bool bridge_convert(struct comp_drm_buffer *buffer) {
	int width = buffer->dmabuf.width, height = buffer->dmabuf.height;
	if (buffer->converted == NULL) {
		buffer->converted = malloc((size_t)width * height * 4);
		if (buffer->converted == NULL) {
			return false;
		}
	}
	const uint8_t *base = buffer->map;
	const uint8_t *ys = base + buffer->dmabuf.offset[0];
	uint32_t ystride = buffer->dmabuf.stride[0];
	bool nv12 = buffer->dmabuf.format == DRM_FORMAT_NV12;
	const uint8_t *us = base + buffer->dmabuf.offset[1];
	const uint8_t *vs = nv12 ? us + 1 : base + buffer->dmabuf.offset[2];
	uint32_t ustride = buffer->dmabuf.stride[1];
	uint32_t vstride = nv12 ? ustride : buffer->dmabuf.stride[2];
	int step = nv12 ? 2 : 1; /* NV12 interleaves Cb and Cr */
	for (int row = 0; row < height; row++) {
		const uint8_t *y = ys + (size_t)row * ystride;
		const uint8_t *u = us + (size_t)(row / 2) * ustride;
		const uint8_t *v = vs + (size_t)(row / 2) * vstride;
		uint32_t *out = buffer->converted + (size_t)row * width;
		for (int col = 0; col < width; col++) {
			int c = (col / 2) * step;
			out[col] = yuv_pixel(y[col], u[c], v[c]);
		}
	}
	yuv_conversions++;
	yuv_converted_bytes += (uint64_t)width * height * 4;
	return true;
}

void comp_drm_yuv_stats(uint64_t *conversions, uint64_t *bytes) {
	*conversions = yuv_conversions;
	*bytes = yuv_converted_bytes;
}

static bool bridge_begin_data_ptr_access(struct wlr_buffer *wlr_buffer, uint32_t flags,
		void **data, uint32_t *format, size_t *stride) {
	struct comp_drm_buffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	if (!buffer->cpu_access || (flags & WLR_BUFFER_DATA_PTR_ACCESS_WRITE)) {
		return false;
	}
	if (!bridge_map(buffer)) {
		wlr_log_errno(WLR_ERROR, "wl_drm: cannot map buffer %llu",
			(unsigned long long)buffer->token);
		return false;
	}
	bridge_sync(buffer, DMA_BUF_SYNC_START);
	/* The client's file behind the mapping can be truncated at any time (a memfd): every
	 * read of it is inside the client-memory guard (client_memory.c). */
	size_t mark = comp_guard_mark();
	struct wl_client *client = buffer->resource ? wl_resource_get_client(buffer->resource) : NULL;
	comp_guard_region(buffer->map, buffer->map_len, client, "wl_buffer",
		buffer->resource ? wl_resource_get_id(buffer->resource) : 0);
	if (comp_drm_format_is_converted(buffer->dmabuf.format)) {
		/* Converted now, from the pixels as they are at this access (the client may have
		 * drawn into the same buffer since); the renderer reads packed XRGB8888. */
		bool ok = bridge_convert(buffer);
		comp_guard_release(mark);
		bridge_sync(buffer, DMA_BUF_SYNC_END);
		if (!ok) {
			return false;
		}
		*data = buffer->converted;
		*format = DRM_FORMAT_XRGB8888;
		*stride = (size_t)buffer->dmabuf.width * 4;
		return true;
	}
	buffer->guard_mark = mark;
	buffer->guarded = true;  /* the renderer reads it until end access */
	*data = (char *)buffer->map + buffer->dmabuf.offset[0];
	*format = buffer->dmabuf.format;
	*stride = buffer->dmabuf.stride[0];
	return true;
}

static void bridge_end_data_ptr_access(struct wlr_buffer *wlr_buffer) {
	struct comp_drm_buffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	if (buffer->guarded) {
		buffer->guarded = false;
		comp_guard_release(buffer->guard_mark);
	}
	if (comp_drm_format_is_converted(buffer->dmabuf.format)) {
		return; /* synced around the conversion already */
	}
	bridge_sync(buffer, DMA_BUF_SYNC_END);
}

static const struct wlr_buffer_impl bridge_buffer_impl = {
	.destroy = bridge_destroy,
	.get_dmabuf = bridge_get_dmabuf,
	.begin_data_ptr_access = bridge_begin_data_ptr_access,
	.end_data_ptr_access = bridge_end_data_ptr_access,
};

bool comp_drm_buffer_attributes(struct wlr_buffer *wlr_buffer,
		struct wlr_dmabuf_attributes *attribs, bool *is_dmabuf) {
	if (wlr_buffer->impl != &bridge_buffer_impl) {
		return false;
	}
	struct comp_drm_buffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	*attribs = buffer->dmabuf;
	*is_dmabuf = buffer->is_dmabuf;
	return true;
}

static void wl_buffer_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct wl_buffer_interface wl_buffer_impl = {
	.destroy = wl_buffer_handle_destroy,
};

static void wl_buffer_resource_destroy(struct wl_resource *resource) {
	struct comp_drm_buffer *buffer = wl_resource_get_user_data(resource);
	buffer->resource = NULL;
	/* The producer is done: destroyed now, or when the last consumer unlocks it. */
	wlr_buffer_drop(&buffer->base);
}

static void handle_release(struct wl_listener *listener, void *data) {
	struct comp_drm_buffer *buffer = wl_container_of(listener, buffer, release);
	if (buffer->resource != NULL) {
		wl_buffer_send_release(buffer->resource);
	}
}

static bool resource_is_bridge_buffer(struct wl_resource *resource) {
	return wl_resource_instance_of(resource, &wl_buffer_interface, &wl_buffer_impl);
}

static struct wlr_buffer *bridge_buffer_from_resource(struct wl_resource *resource) {
	struct comp_drm_buffer *buffer = wl_resource_get_user_data(resource);
	return &buffer->base;
}

static const struct wlr_buffer_resource_interface bridge_resource_interface = {
	.name = "wl_drm",
	.is_instance = resource_is_bridge_buffer,
	.from_resource = bridge_buffer_from_resource,
};

void comp_drm_bridge_init(void) {
	static bool registered = false;
	if (!registered) {
		wlr_buffer_register_resource_interface(&bridge_resource_interface);
		registered = true;
	}
}

struct comp_drm_buffer *comp_drm_buffer_create(struct wl_client *client, uint32_t id,
		int32_t width, int32_t height, uint32_t format, int n_planes, int fd,
		const uint32_t *offsets, const uint32_t *strides, bool is_dmabuf, bool cpu_access,
		size_t map_len, uint64_t token, int *err) {
	*err = 0;
	if (n_planes < 1 || n_planes > WLR_DMABUF_MAX_PLANES || width <= 0 || height <= 0) {
		*err = EINVAL; /* validation.py refuses these first; never trust one layer */
		return NULL;
	}
	struct comp_drm_buffer *buffer = calloc(1, sizeof(*buffer));
	if (buffer == NULL) {
		*err = ENOMEM;
		return NULL;
	}
	buffer->fd = fd;
	buffer->is_dmabuf = is_dmabuf;
	buffer->cpu_access = cpu_access;
	buffer->token = token;
	buffer->map_len = map_len;
	if (map_len > 0 && !bridge_map(buffer)) {
		*err = errno;
		free(buffer);
		return NULL;
	}
	buffer->resource = wl_resource_create(client, &wl_buffer_interface, 1, id);
	if (buffer->resource == NULL) {
		*err = ENOMEM;
		if (buffer->map != NULL) {
			munmap(buffer->map, buffer->map_len);
		}
		free(buffer);
		wl_client_post_no_memory(client);
		return NULL;
	}
	buffer->dmabuf = (struct wlr_dmabuf_attributes){
		.width = width, .height = height, .format = format,
		/* wl_drm carries no modifier: the layout is the allocator's implicit one. */
		.modifier = DRM_FORMAT_MOD_INVALID,
		.n_planes = n_planes,
	};
	for (int i = 0; i < n_planes; i++) {
		buffer->dmabuf.offset[i] = offsets[i];
		buffer->dmabuf.stride[i] = strides[i];
		buffer->dmabuf.fd[i] = fd;
	}
	wlr_buffer_init(&buffer->base, &bridge_buffer_impl, width, height);
	buffer->release.notify = handle_release;
	wl_signal_add(&buffer->base.events.release, &buffer->release);
	wl_list_insert(&bridge_buffers, &buffer->link);
	wl_resource_set_implementation(buffer->resource, &wl_buffer_impl, buffer,
		wl_buffer_resource_destroy);
	return buffer;
}

size_t comp_drm_buffer_live_count(void) {
	return (size_t)wl_list_length(&bridge_buffers);
}

size_t comp_drm_buffer_mapped_count(void) {
	size_t n = 0;
	struct comp_drm_buffer *buffer;
	wl_list_for_each(buffer, &bridge_buffers, link) {
		n += buffer->map != NULL;
	}
	return n;
}

size_t comp_drm_buffer_locks(struct comp_drm_buffer *buffer) {
	return buffer->base.n_locks;
}

void comp_resource_post_error(struct wl_resource *resource, uint32_t code, const char *msg) {
	wl_resource_post_error(resource, code, "%s", msg);
}

void comp_client_post_display_error(struct wl_client *client, uint32_t code, const char *msg) {
	struct wl_resource *display = wl_client_get_object(client, 1);
	if (display != NULL) {
		wl_resource_post_error(display, code, "%s", msg);
	}
}

size_t comp_renderer_dmabuf_formats(struct wlr_renderer *renderer, uint32_t *out, size_t cap) {
	const struct wlr_drm_format_set *set = wlr_renderer_get_dmabuf_texture_formats(renderer);
	if (set == NULL) {
		return 0;
	}
	for (size_t i = 0; i < set->len && i < cap; i++) {
		out[i] = set->formats[i]->format;
	}
	return set->len;
}

size_t comp_renderer_shm_formats(struct wlr_renderer *renderer, uint32_t *out, size_t cap) {
	size_t len = 0;
	const uint32_t *formats = wlr_renderer_get_shm_texture_formats(renderer, &len);
	for (size_t i = 0; formats != NULL && i < len && i < cap; i++) {
		out[i] = formats[i];
	}
	return formats == NULL ? 0 : len;
}
