/* Recorder helpers: see recorder.h. */
#include <malloc.h>
#include <string.h>
#include <time.h>
#include <wlr/render/dmabuf.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_scene.h>

#include "recorder.h"

_Static_assert((int)COMP_REC_STATE_BUFFER == (int)WLR_OUTPUT_STATE_BUFFER, "recorder.h's state bit");

static int64_t comp_rec_ns(const struct timespec *t) {
	return t == NULL ? 0 : (int64_t)t->tv_sec * 1000000000LL + t->tv_nsec;
}

void comp_rec_read_commit(void *event, comp_rec_commit *out) {
	struct wlr_output_event_commit *ev = event;
	out->committed = ev->committed;
	out->commit_seq = ev->output->commit_seq;
	out->when_ns = comp_rec_ns(ev->when);
	out->buffer = (ev->committed & WLR_OUTPUT_STATE_BUFFER) ? ev->buffer : NULL;
}

void comp_rec_read_present(void *event, comp_rec_present *out) {
	struct wlr_output_event_present *ev = event;
	out->commit_seq = ev->commit_seq;
	out->presented = ev->presented;
	out->when_ns = comp_rec_ns(ev->when);
	out->flags = ev->flags;
}

bool comp_rec_pin_buffer(struct wlr_buffer *buffer, comp_rec_pin *pin) {
	void *data;
	uint32_t format;
	size_t stride;
	if (!wlr_buffer_begin_data_ptr_access(buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data,
			&format, &stride)) {
		return false;
	}
	/* Not held open: screencopy and the renderer take data access on the same buffer.
	 * The CPU buffers that have a data pointer (wlr_shm_allocator's, DRM dumb buffers)
	 * stay mapped for their whole life, and the lock keeps them alive and out of the
	 * swapchain's hands, so the pointer stays good until comp_rec_unpin. */
	wlr_buffer_end_data_ptr_access(buffer);
	pin->buffer = wlr_buffer_lock(buffer);
	pin->data = data;
	pin->stride = stride;
	pin->width = buffer->width;
	pin->height = buffer->height;
	return true;
}

int comp_rec_copy_pinned(const comp_rec_pin *pin, uint8_t *dst, int32_t dst_width,
		int32_t dst_height, size_t dst_stride, size_t dst_size) {
	size_t height = (size_t)pin->height;
	size_t row = (size_t)pin->width * 4;
	if (pin->buffer == NULL || pin->width != dst_width || pin->height != dst_height ||
			row > dst_stride || dst_stride * height > dst_size || row > pin->stride) {
		return -1;
	}
	if (pin->stride == dst_stride) {
		memcpy(dst, pin->data, dst_stride * height);
	} else {
		for (size_t y = 0; y < height; y++) {
			memcpy(dst + y * dst_stride, pin->data + y * pin->stride, row);
		}
	}
	return 0;
}

void comp_rec_unpin(comp_rec_pin *pin) {
	if (pin->buffer == NULL) {
		return;
	}
	wlr_buffer_unlock(pin->buffer);
	pin->buffer = NULL;
	pin->data = NULL;
}

bool comp_rec_buffer_shape(struct wlr_buffer *buffer, int32_t *width, int32_t *height,
		uint32_t *format, size_t *stride) {
	void *data;
	if (!wlr_buffer_begin_data_ptr_access(buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data,
			format, stride)) {
		return false;
	}
	wlr_buffer_end_data_ptr_access(buffer);
	*width = buffer->width;
	*height = buffer->height;
	return true;
}

int comp_rec_copy_buffer(struct wlr_buffer *buffer, uint8_t *dst, int32_t dst_width,
		int32_t dst_height, size_t dst_stride, size_t dst_size) {
	void *data;
	uint32_t format;
	size_t stride;
	if (!wlr_buffer_begin_data_ptr_access(buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data,
			&format, &stride)) {
		return -1;
	}
	size_t height = (size_t)buffer->height;
	size_t row = (size_t)buffer->width * 4;
	int ret = 0;
	if (buffer->width != dst_width || buffer->height != dst_height || row > dst_stride ||
			dst_stride * height > dst_size || row > stride) {
		ret = -1;
	} else if (stride == dst_stride) {
		memcpy(dst, data, stride * height);
	} else {
		const uint8_t *src = data;
		for (size_t y = 0; y < height; y++) {
			memcpy(dst + y * dst_stride, src + y * stride, row);
		}
	}
	wlr_buffer_end_data_ptr_access(buffer);
	return ret;
}

bool comp_rec_buffer_dmabuf(struct wlr_buffer *buffer, comp_rec_dmabuf *out) {
	struct wlr_dmabuf_attributes attribs;
	if (!wlr_buffer_get_dmabuf(buffer, &attribs)) {
		return false;
	}
	_Static_assert(WLR_DMABUF_MAX_PLANES == 4, "comp_rec_dmabuf holds 4 planes");
	out->width = attribs.width;
	out->height = attribs.height;
	out->format = attribs.format;
	out->modifier = attribs.modifier;
	out->n_planes = attribs.n_planes;
	for (int i = 0; i < 4; i++) {
		out->offset[i] = attribs.offset[i];
		out->stride[i] = attribs.stride[i];
		out->fd[i] = i < attribs.n_planes ? attribs.fd[i] : -1;
	}
	return true;
}

struct wlr_scene_rect *comp_rec_indicator_create(struct wlr_scene *scene, int x, int y,
		int width, int height, float r, float g, float b, float a) {
	const float color[4] = {r * a, g * a, b * a, a};
	struct wlr_scene_rect *rect = wlr_scene_rect_create(&scene->node, width, height, color);
	if (rect != NULL) {
		wlr_scene_node_set_position(&rect->node, x, y);
		wlr_scene_node_raise_to_top(&rect->node);
	}
	return rect;
}

void comp_rec_indicator_raise(struct wlr_scene_rect *rect, int x, int y) {
	/* No-ops (no damage) when already in place and on top. */
	wlr_scene_node_set_position(&rect->node, x, y);
	wlr_scene_node_raise_to_top(&rect->node);
}

void comp_rec_indicator_destroy(struct wlr_scene_rect *rect) {
	wlr_scene_node_destroy(&rect->node);
}
