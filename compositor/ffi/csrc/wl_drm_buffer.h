/* wl_drm buffer bridge (compositor/wl_drm): a client's PRIME fd becomes a wl_buffer resource
 * and a real wlr_buffer. The renderer imports it through get_dmabuf (GLES2/EGL, real dma-bufs
 * only) or through data-pointer access (pixman, and GL's fallback): the fd is mmapped once
 * per wl_buffer and reads are bracketed with DMA_BUF_IOCTL_SYNC when it is a dma-buf
 * (csrc/wl_drm_buffer.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wl_client;
struct wl_resource;
struct wlr_renderer;
struct comp_drm_buffer;

/* Register the wlr_buffer_resource_interface (once per process; idempotent). */
void comp_drm_bridge_init(void);

/* Create the wl_buffer `id` for `client` and its wlr_buffer. Arguments are already validated
 * (compositor/wl_drm/validation.py). On success the bridge owns `fd` (closed when the
 * wlr_buffer is destroyed) and returns the buffer; on failure it returns NULL, leaves `fd`
 * to the caller and sets *err to an errno value. `map_len` > 0 maps that many bytes now
 * (so an fd that cannot be mapped is refused at creation); 0 maps on first CPU access. */
struct comp_drm_buffer *comp_drm_buffer_create(struct wl_client *client, uint32_t id,
	int32_t width, int32_t height, uint32_t format, int n_planes, int fd,
	const uint32_t *offsets, const uint32_t *strides, bool is_dmabuf, bool cpu_access,
	size_t map_len, uint64_t token, int *err);

/* NV12 and YUV420 (single fd) are converted to XRGB8888 by the CPU when a renderer reads
 * them through a data pointer (pixman): BT.601 limited range. Conversions done, bytes made. */
bool comp_drm_format_is_converted(uint32_t format);
void comp_drm_yuv_stats(uint64_t *conversions, uint64_t *bytes);

size_t comp_drm_buffer_live_count(void);
size_t comp_drm_buffer_mapped_count(void);
/* wlr_buffer.n_locks of a live buffer (0: released). */
size_t comp_drm_buffer_locks(struct comp_drm_buffer *buffer);

/* Post a protocol error without printf formatting of `msg`. */
void comp_resource_post_error(struct wl_resource *resource, uint32_t code, const char *msg);
/* Post a wl_display error (object: the client's wl_display) e.g. invalid_method = 1. */
void comp_client_post_display_error(struct wl_client *client, uint32_t code, const char *msg);

/* Formats the renderer imports: dma-buf texture formats (GLES2) or shm texture formats
 * (pixman, CPU access). Writes up to `cap` fourcc codes to `out`, returns how many exist. */
size_t comp_renderer_dmabuf_formats(struct wlr_renderer *renderer, uint32_t *out, size_t cap);
size_t comp_renderer_shm_formats(struct wlr_renderer *renderer, uint32_t *out, size_t cap);
