/* Screen-sharing frames on the GLES2 renderer (screencast.c calls these where it would use
 * pixman): the pixels are drawn or found by GL and read back with wlr_renderer_read_pixels
 * (as screenshots do, render/gl.py) into the stream's memfd buffer.
 *
 * - an output's committed buffer (a GBM/dma-buf, no data pointer) is bound to the renderer
 *   and read back: comp_sc_gl_read_buffer;
 * - a window (or the scene with the cursor hidden, or a rotated/scaled output) is rendered
 *   with the GL renderer into an offscreen buffer of the output's allocator, then read
 *   back: comp_sc_gl_render; the buffer (its EGLImage, renderbuffer and framebuffer, which
 *   wlroots ties to the wlr_buffer) lives with the stream and goes with it.
 *
 * Everything here runs outside any output's frame: wlroots asserts that nothing binds a
 * buffer or makes a texture while the renderer is rendering; the caller checks
 * comp_sc_gl_busy first and tries again on the next turn of the loop. */
#include <stdlib.h>
#include <string.h>

#include <drm_fourcc.h>
#include <wlr/render/allocator.h>
#include <wlr/render/drm_format_set.h>
#include <wlr/render/gles2.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/render/wlr_texture.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_matrix.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/util/box.h>
#include <wlr/util/log.h>

#include "internal.h"
#include "screencast.h"

struct comp_sc_gl_target {
	struct wlr_buffer *buffer;  /* from the allocator; dropped with the target */
	int width, height;
	uint32_t format;            /* DRM fourcc of the buffer */
};

static int sc_gl_live_targets;

bool comp_sc_gl_supported(struct wlr_renderer *renderer) {
	return renderer != NULL && wlr_renderer_is_gles2(renderer);
}

bool comp_sc_gl_busy(struct wlr_renderer *renderer) {
	return renderer->rendering;
}

int comp_sc_gl_live_targets(void) {
	return sc_gl_live_targets;
}

void comp_sc_gl_target_destroy(struct comp_sc_gl_target *target) {
	if (target == NULL) {
		return;
	}
	if (target->buffer != NULL) {
		/* The renderer's framebuffer for it goes with it (wlroots' buffer addon). */
		wlr_buffer_drop(target->buffer);
		sc_gl_live_targets--;
	}
	free(target);
}

/* A buffer of this size and format in the target, made (again) when it changed. */
static bool sc_gl_target_ensure(struct comp_sc_gl_target **targetp, struct wlr_allocator *alloc,
		int width, int height, uint32_t format) {
	struct comp_sc_gl_target *target = *targetp;
	if (target == NULL) {
		target = calloc(1, sizeof(*target));
		if (target == NULL) {
			return false;
		}
		*targetp = target;
	}
	if (target->buffer != NULL && target->width == width && target->height == height &&
			target->format == format) {
		return true;
	}
	if (target->buffer != NULL) {
		wlr_buffer_drop(target->buffer);
		target->buffer = NULL;
		sc_gl_live_targets--;
	}
	if (alloc == NULL) {
		return false;
	}
	/* Linear first (what a dma-buf consumer reads most easily), else what the allocator
	 * picks for rendering. */
	struct {
		struct wlr_drm_format f;
		uint64_t modifiers[1];
	} linear = {.f = {.format = format, .len = 1, .capacity = 1},
		.modifiers = {DRM_FORMAT_MOD_LINEAR}};
	struct {
		struct wlr_drm_format f;
		uint64_t modifiers[1];
	} implicit = {.f = {.format = format, .len = 1, .capacity = 1},
		.modifiers = {DRM_FORMAT_MOD_INVALID}};
	struct wlr_buffer *buffer = wlr_allocator_create_buffer(alloc, width, height, &linear.f);
	if (buffer == NULL) {
		buffer = wlr_allocator_create_buffer(alloc, width, height, &implicit.f);
	}
	if (buffer == NULL) {
		wlr_log(WLR_ERROR, "screencast: cannot allocate a %dx%d buffer to render a stream's "
			"frame into", width, height);
		return false;
	}
	target->buffer = buffer;
	target->width = width;
	target->height = height;
	target->format = format;
	sc_gl_live_targets++;
	return true;
}

/* The same bytes in the other channel order (R and B swapped), for a renderer that cannot
 * read one of the two orders. */
static uint32_t sc_gl_swapped(uint32_t drm_format) {
	switch (drm_format) {
	case DRM_FORMAT_XRGB8888: return DRM_FORMAT_XBGR8888;
	case DRM_FORMAT_ARGB8888: return DRM_FORMAT_ABGR8888;
	case DRM_FORMAT_XBGR8888: return DRM_FORMAT_XRGB8888;
	case DRM_FORMAT_ABGR8888: return DRM_FORMAT_ARGB8888;
	default: return 0;
	}
}

/* read_pixels of the bound buffer's box into dst at (dst_x, dst_y), in drm_format; when
 * the renderer cannot read that order, the other one with R and B swapped after. */
static bool sc_gl_read(struct wlr_renderer *renderer, uint32_t drm_format, int src_x, int src_y,
		int width, int height, uint8_t *dst, uint32_t stride, int dst_x, int dst_y) {
	uint32_t flags = 0;
	if (wlr_renderer_read_pixels(renderer, drm_format, &flags, stride, (uint32_t)width,
			(uint32_t)height, (uint32_t)src_x, (uint32_t)src_y, (uint32_t)dst_x,
			(uint32_t)dst_y, dst)) {
		return true;
	}
	uint32_t other = sc_gl_swapped(drm_format);
	if (other == 0 || !wlr_renderer_read_pixels(renderer, other, &flags, stride,
			(uint32_t)width, (uint32_t)height, (uint32_t)src_x, (uint32_t)src_y,
			(uint32_t)dst_x, (uint32_t)dst_y, dst)) {
		return false;
	}
	for (int y = 0; y < height; y++) {
		uint8_t *p = dst + (size_t)(dst_y + y) * stride + (size_t)dst_x * 4;
		for (int x = 0; x < width; x++, p += 4) {
			uint8_t t = p[0];
			p[0] = p[2];
			p[2] = t;
		}
	}
	return true;
}

bool comp_sc_gl_read_buffer(struct wlr_renderer *renderer, struct wlr_buffer *buffer,
		int src_x, int src_y, int width, int height, uint32_t drm_format, void *dst,
		uint32_t stride, int dst_x, int dst_y) {
	if (renderer->rendering || !wlr_renderer_begin_with_buffer(renderer, buffer)) {
		return false;
	}
	bool ok = sc_gl_read(renderer, drm_format, src_x, src_y, width, height, dst, stride,
		dst_x, dst_y);
	wlr_renderer_end(renderer);
	return ok;
}

/* -- rendering a scene subtree ------------------------------------------------------------ */

struct sc_gl_pass {
	struct wlr_renderer *renderer;
	float projection[9];
	int width, height;
};

static void sc_gl_texture(struct sc_gl_pass *pass, struct wlr_texture *texture,
		const struct wlr_fbox *src, enum wl_output_transform transform, int x, int y, int w,
		int h, float alpha) {
	if (texture == NULL || w <= 0 || h <= 0) {
		return;
	}
	struct wlr_box box = {x, y, w, h};
	struct wlr_box frame = {0, 0, pass->width, pass->height};
	struct wlr_box visible;
	if (!wlr_box_intersection(&visible, &box, &frame)) {
		return;
	}
	struct wlr_fbox full = {0, 0, texture->width, texture->height};
	if (src == NULL || wlr_fbox_empty(src)) {
		src = &full;
	}
	float matrix[9];
	wlr_matrix_project_box(matrix, &box, wlr_output_transform_invert(transform), 0.0f,
		pass->projection);
	wlr_render_subtexture_with_matrix(pass->renderer, texture, src, matrix, alpha);
}

/* The scene walk's drawing with the GL renderer (comp_scene_draw_walk): boxes in stream
 * coordinates; buffer textures only found, never made (inside a frame). */
static void sc_gl_draw_rect(void *data, const float color[4], const struct wlr_box *box) {
	struct sc_gl_pass *pass = data;
	wlr_render_rect(pass->renderer, box, color, pass->projection);
}

static void sc_gl_draw_texture(void *data, struct wlr_texture *texture,
		const struct wlr_fbox *src, enum wl_output_transform transform,
		const struct wlr_box *box, float alpha) {
	sc_gl_texture(data, texture, src, transform, box->x, box->y, box->width, box->height,
		alpha);
}

bool comp_sc_gl_render(struct comp_sc_gl_target **targetp, struct wlr_renderer *renderer,
		struct wlr_allocator *alloc, struct wlr_scene *scene, struct wlr_scene_node *root,
		int ox, int oy, int width, int height, const float clear[4],
		struct wlr_texture *cursor, int cursor_x, int cursor_y, int cursor_w, int cursor_h,
		uint32_t target_format, uint32_t drm_format, void *dst, uint32_t stride) {
	if (renderer->rendering || width <= 0 || height <= 0) {
		return false;
	}
	/* Textures are made before the frame begins, never inside it. */
	if (scene != NULL) {
		comp_scene_import_pending(scene, renderer);
	}
	if (!sc_gl_target_ensure(targetp, alloc, width, height, target_format)) {
		return false;
	}
	struct comp_sc_gl_target *target = *targetp;
	if (!wlr_renderer_begin_with_buffer(renderer, target->buffer)) {
		wlr_log(WLR_ERROR, "screencast: the renderer cannot draw into a %dx%d buffer",
			width, height);
		return false;
	}
	struct sc_gl_pass pass = {.renderer = renderer, .width = width, .height = height};
	/* As an output's transform_matrix with transform normal: in wlroots 0.15 that is the
	 * identity, the renderer applies its own projection of the bound buffer (row 0 at the
	 * top, as read_pixels gives it). A projection here would shrink the frame to a pixel. */
	wlr_matrix_identity(pass.projection);
	wlr_renderer_scissor(renderer, NULL);
	wlr_renderer_clear(renderer, clear);
	if (root != NULL) {
		const struct comp_scene_draw draw = {.rect = sc_gl_draw_rect,
			.texture = sc_gl_draw_texture, .data = &pass, .make_textures = NULL};
		comp_scene_draw_walk(&draw, root, -ox, -oy);
	}
	if (cursor != NULL) {
		sc_gl_texture(&pass, cursor, NULL, WL_OUTPUT_TRANSFORM_NORMAL, cursor_x, cursor_y,
			cursor_w, cursor_h, 1.0f);
	}
	bool ok = sc_gl_read(renderer, drm_format, 0, 0, width, height, dst, stride, 0, 0);
	wlr_renderer_end(renderer);
	if (!ok) {
		wlr_log(WLR_ERROR, "screencast: cannot read a %dx%d frame back from the renderer",
			width, height);
	}
	return ok;
}
