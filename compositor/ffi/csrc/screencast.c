/* Screen-sharing streams: PipeWire video sources made by the compositor (see
 * screencast.h and compositor/screencast/).
 *
 * PipeWire's main loop is one more fd on the compositor's wl_event_loop (as
 * xdg-desktop-portal-wlr does with its own loop): stream events (format, buffers, state) run
 * on the compositor's thread; PipeWire's data loop (its own thread) moves the queued buffers
 * to the consumer. Each stream is a PW_STREAM_FLAG_DRIVER output node that offers raw video
 * (BGRx first, then BGRA, RGBx, RGBA) at the source's size, framerate 0/1 with a maximum of
 * the output's rate, in memfd buffers it allocates itself.
 *
 * Frames come as damage comes: each commit of an output the source overlaps (and each
 * commit of a shared window's surface) asks for a frame, at most one per 1/rate; the frame
 * is filled here, in C, on the compositor's thread:
 * - an output or a region with the cursor embedded: a pixman copy of the output's committed
 *   buffer (the frame as shown, software cursor included);
 * - a window, or the cursor hidden or sent as metadata: the scene subtree (the window's
 *   tree, or the whole scene) rendered with pixman into the stream's buffer, so a window's
 *   pixels are its own even when covered. Client memory is read inside the guard of
 *   client_memory.c. The cursor, when embedded, is drawn on top.
 * On GLES2 the same, with the renderer (csrc/screencast_gl.c): an output's committed
 * buffer (a GBM/dma-buf) is read back with wlr_renderer_read_pixels; a window (or the scene)
 * is rendered by GL into the stream's own allocator buffer and read back; both outside any
 * output's frame (a frame due while the renderer is rendering waits for the next turn).
 * While the session is locked every stream sends a solid colour and no cursor.
 *
 * Lifetime: a stream ends (pw_stream disconnected and destroyed, its memfds closed, Python
 * told through comp_py_screencast_ended) when its output goes, its window's scene tree or
 * surface goes, its consumer stays away (consumer_grace_ms after it left), the daemon goes
 * or the stream fails; Python ends the others (stop, window unmapped, compositor stops). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <pipewire/pipewire.h>
#include <spa/buffer/meta.h>
#include <spa/param/props.h>
#include <spa/param/video/format-utils.h>
#include <spa/utils/result.h>

#include <drm_fourcc.h>
#include <wlr/render/pixman.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/render/wlr_texture.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/util/box.h>
#include <wlr/util/log.h>

#include "client_memory.h"
#include "internal.h"
#include "screencast.h"

#define SC_CURSOR_MAX 64  /* metadata bitmaps up to 64x64 */
#define SC_CURSOR_META_SIZE(w, h) (sizeof(struct spa_meta_cursor) + \
	sizeof(struct spa_meta_bitmap) + (w) * (h) * 4)
#define SC_REPEATS 3       /* frames sent again after a consumer came, SC_REPEAT_MS apart */
#define SC_REPEAT_MS 100
#define SC_KIND_OUTPUT 0
#define SC_KIND_VIEW 1
#define SC_KIND_REGION 2
#define SC_CURSOR_EMBEDDED 0
#define SC_CURSOR_METADATA 1
#define SC_CURSOR_HIDDEN 2

typedef struct comp_sc_ctx comp_sc_ctx;

struct sc_output {
	struct wl_list link;          /* comp_sc_ctx.outputs */
	comp_sc_ctx *ctx;
	struct wlr_output *output;
	struct wlr_buffer *last;      /* the last committed buffer, locked while streams live */
	struct wl_listener commit;
	struct wl_listener destroy;
};

struct sc_buffer {
	int fd;
	void *data;
	size_t size;
	uint32_t stride;
};

typedef struct comp_sc_stream {
	struct wl_list link;          /* comp_sc_ctx.streams */
	comp_sc_ctx *ctx;
	comp_sc_stats st;
	struct pw_stream *stream;
	struct spa_hook listener;
	struct wlr_scene_node *root;  /* the scene's root, or the window's tree */
	struct sc_output *output;     /* an output source */
	struct wlr_box box;           /* root-local: layout coordinates, or the window's */
	struct wlr_surface *surface;  /* a window's main surface */
	const struct wlr_box *geometry; /* its xdg_surface's current geometry, or NULL */
	struct wl_listener node_destroy;
	struct wl_listener surface_commit;
	struct wl_listener surface_destroy;
	struct wl_event_source *timer;      /* the next frame, when asked early */
	struct wl_event_source *gone_timer; /* the consumer left: end unless it comes back */
	struct comp_sc_gl_target *gl_frame;  /* GLES2: the buffer frames are rendered into */
	struct comp_sc_gl_target *gl_cursor; /* GLES2: the cursor's metadata bitmap */
	int consumer_grace_ms;
	int64_t period_ns;
	int64_t last_ns;
	int repeats;                  /* frames sent again after the consumer came (see below) */
	uint32_t seq;
	bool ended;                   /* ending: reaped on the next idle turn */
	char reason[96];
	char client[96];
} comp_sc_stream;

struct comp_sc_ctx {
	struct wl_event_loop *wl_loop;
	struct wl_event_source *pw_source;
	struct wl_event_source *reap;
	struct pw_loop *loop;
	struct pw_context *context;
	struct pw_core *core;
	struct spa_hook core_listener;
	struct wlr_scene *scene;
	struct wlr_output_layout *layout;
	struct wlr_renderer *renderer;
	struct wl_list outputs;       /* sc_output.link */
	struct wl_list streams;       /* comp_sc_stream.link */
	void *handle;
	uint32_t next_id;
	bool blanked;
	bool broken;                  /* the daemon went: a new context is needed */
	float blank_color[4];
};

static int sc_live_streams, sc_live_buffers, sc_live_contexts;
static bool sc_pw_initialized;

static int64_t sc_now_ns(clockid_t clock) {
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* -- formats ------------------------------------------------------------------------------ */

static pixman_format_code_t sc_pixman_format(uint32_t spa_format) {
	switch (spa_format) {  /* little-endian: SPA names bytes, pixman names 32-bit words */
	case SPA_VIDEO_FORMAT_BGRx: return PIXMAN_x8r8g8b8;
	case SPA_VIDEO_FORMAT_BGRA: return PIXMAN_a8r8g8b8;
	case SPA_VIDEO_FORMAT_RGBx: return PIXMAN_x8b8g8r8;
	case SPA_VIDEO_FORMAT_RGBA: return PIXMAN_a8b8g8r8;
	default: return 0;
	}
}

static pixman_format_code_t sc_pixman_from_drm(uint32_t drm) {
	switch (drm) {
	case DRM_FORMAT_XRGB8888: return PIXMAN_x8r8g8b8;
	case DRM_FORMAT_ARGB8888: return PIXMAN_a8r8g8b8;
	case DRM_FORMAT_XBGR8888: return PIXMAN_x8b8g8r8;
	case DRM_FORMAT_ABGR8888: return PIXMAN_a8b8g8r8;
	default: return 0;
	}
}

static const struct spa_pod *sc_build_format(struct spa_pod_builder *b, comp_sc_stream *s) {
	int rate = s->st.max_fps > 0 ? s->st.max_fps : 60;
	return spa_pod_builder_add_object(b, SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat,
		SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
		SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw),
		SPA_FORMAT_VIDEO_format, SPA_POD_CHOICE_ENUM_Id(5, SPA_VIDEO_FORMAT_BGRx,
			SPA_VIDEO_FORMAT_BGRx, SPA_VIDEO_FORMAT_BGRA, SPA_VIDEO_FORMAT_RGBx,
			SPA_VIDEO_FORMAT_RGBA),
		SPA_FORMAT_VIDEO_size, SPA_POD_Rectangle(&SPA_RECTANGLE(
			(uint32_t)s->st.width, (uint32_t)s->st.height)),
		SPA_FORMAT_VIDEO_framerate, SPA_POD_Fraction(&SPA_FRACTION(0, 1)),
		SPA_FORMAT_VIDEO_maxFramerate, SPA_POD_CHOICE_RANGE_Fraction(
			&SPA_FRACTION(rate, 1), &SPA_FRACTION(1, 1), &SPA_FRACTION(rate, 1)));
}

/* -- ending ------------------------------------------------------------------------------- */

static void sc_stream_free(comp_sc_stream *s) {
	s->ended = true;  /* the callbacks of the disconnect below change nothing else */
	if (s->stream != NULL) {
		/* remove_buffer runs for each buffer in here: every memfd is unmapped and closed */
		pw_stream_disconnect(s->stream);
		spa_hook_remove(&s->listener);
		pw_stream_destroy(s->stream);
		s->stream = NULL;
	}
	wl_list_remove(&s->link);
	wl_list_remove(&s->node_destroy.link);
	wl_list_remove(&s->surface_commit.link);
	wl_list_remove(&s->surface_destroy.link);
	if (s->timer != NULL) {
		wl_event_source_remove(s->timer);
	}
	if (s->gone_timer != NULL) {
		wl_event_source_remove(s->gone_timer);
	}
	comp_sc_gl_target_destroy(s->gl_frame);
	comp_sc_gl_target_destroy(s->gl_cursor);
	sc_live_streams--;
	free(s);
}

static void sc_reap(void *data) {
	comp_sc_ctx *ctx = data;
	ctx->reap = NULL;
	comp_sc_stream *s, *tmp;
	wl_list_for_each_safe(s, tmp, &ctx->streams, link) {
		if (!s->ended) {
			continue;
		}
		uint32_t id = s->st.id;
		char reason[sizeof(s->reason)];
		memcpy(reason, s->reason, sizeof(reason));
		sc_stream_free(s);
		comp_py_screencast_ended(ctx->handle, id, reason);
	}
}

/* End a stream from anywhere (a PipeWire callback included): stops its frames now, frees it
 * and tells Python on the next idle turn of the loop. */
static void sc_stream_end(comp_sc_stream *s, const char *reason) {
	if (s->ended) {
		return;
	}
	s->ended = true;
	snprintf(s->reason, sizeof(s->reason), "%s", reason);
	wlr_log(WLR_INFO, "screencast: stream %u (%s) ends: %s", s->st.id, s->client, reason);
	/* No more frames or window events for it. */
	wl_list_remove(&s->node_destroy.link);
	wl_list_init(&s->node_destroy.link);
	wl_list_remove(&s->surface_commit.link);
	wl_list_init(&s->surface_commit.link);
	wl_list_remove(&s->surface_destroy.link);
	wl_list_init(&s->surface_destroy.link);
	s->root = NULL;
	s->surface = NULL;
	s->geometry = NULL;
	s->output = NULL;
	if (s->ctx->reap == NULL) {
		s->ctx->reap = wl_event_loop_add_idle(s->ctx->wl_loop, sc_reap, s->ctx);
	}
}

/* -- frames ------------------------------------------------------------------------------- */

static void sc_fill_rect(pixman_image_t *dst, const float color[4], int x, int y, int w, int h) {
	pixman_color_t c = {
		.red = (uint16_t)(color[0] * 0xffff), .green = (uint16_t)(color[1] * 0xffff),
		.blue = (uint16_t)(color[2] * 0xffff), .alpha = (uint16_t)(color[3] * 0xffff),
	};
	/* Clipped here: pixman's fill does not clip to the image, a rect past its right edge
	 * would spill into the next rows (and past the last one, out of the buffer). */
	int x2 = x + w, y2 = y + h;
	int iw = pixman_image_get_width(dst), ih = pixman_image_get_height(dst);
	x = x < 0 ? 0 : x;
	y = y < 0 ? 0 : y;
	x2 = x2 > iw ? iw : x2;
	y2 = y2 > ih ? ih : y2;
	if (x >= x2 || y >= y2) {
		return;
	}
	pixman_box32_t box = {x, y, x2, y2};
	pixman_image_fill_boxes(color[3] >= 1.0f ? PIXMAN_OP_SRC : PIXMAN_OP_OVER, dst, &c, 1, &box);
}

/* Composite a pixman texture's src box onto dst's box (scaled when the sizes differ). */
static void sc_composite(pixman_image_t *dst, struct wlr_texture *texture,
		const struct wlr_fbox *src, int x, int y, int w, int h) {
	if (texture == NULL || !wlr_texture_is_pixman(texture) || w <= 0 || h <= 0) {
		return;
	}
	pixman_image_t *image = wlr_pixman_texture_get_image(texture);
	if (image == NULL) {
		return;
	}
	struct wlr_fbox full = {0, 0, texture->width, texture->height};
	if (src == NULL || wlr_fbox_empty(src)) {
		src = &full;
	}
	if (src->x == 0 && src->y == 0 && (int)src->width == w && (int)src->height == h) {
		pixman_image_set_transform(image, NULL);
		pixman_image_composite32(PIXMAN_OP_OVER, image, NULL, dst, 0, 0, 0, 0, x, y, w, h);
		return;
	}
	pixman_transform_t transform;
	pixman_transform_init_scale(&transform, pixman_double_to_fixed(src->width / w),
		pixman_double_to_fixed(src->height / h));
	pixman_transform_translate(NULL, &transform, pixman_double_to_fixed(src->x),
		pixman_double_to_fixed(src->y));
	pixman_image_set_transform(image, &transform);
	pixman_image_set_filter(image, PIXMAN_FILTER_BILINEAR, NULL, 0);
	pixman_image_composite32(PIXMAN_OP_OVER, image, NULL, dst, 0, 0, 0, 0, x, y, w, h);
	pixman_image_set_transform(image, NULL);
	pixman_image_set_filter(image, PIXMAN_FILTER_NEAREST, NULL, 0);
}

/* The scene walk's drawing with pixman (comp_scene_draw_walk): boxes in stream coordinates.
 * Transformed buffers are skipped (sc_composite scales, it does not rotate). */
static void sc_draw_rect(void *data, const float color[4], const struct wlr_box *box) {
	sc_fill_rect(data, color, box->x, box->y, box->width, box->height);
}

static void sc_draw_texture(void *data, struct wlr_texture *texture, const struct wlr_fbox *src,
		enum wl_output_transform transform, const struct wlr_box *box, float alpha) {
	if (transform == WL_OUTPUT_TRANSFORM_NORMAL) {
		sc_composite(data, texture, src, box->x, box->y, box->width, box->height);
	}
}

/* The layout position of an output, false if it is not in the layout. */
static bool sc_output_box(comp_sc_ctx *ctx, struct wlr_output *output, struct wlr_box *box) {
	struct wlr_output_layout_output *lo = wlr_output_layout_get(ctx->layout, output);
	if (lo == NULL || !output->enabled) {
		return false;
	}
	box->x = lo->x;
	box->y = lo->y;
	wlr_output_effective_resolution(output, &box->width, &box->height);
	return true;
}

/* The stream's box in layout coordinates (a window's follows its tree). */
static bool sc_layout_box(comp_sc_stream *s, struct wlr_box *out) {
	*out = s->box;
	if (s->st.kind == SC_KIND_VIEW) {
		int x, y;
		if (s->root == NULL) {
			return false;
		}
		/* false when a parent is disabled (minimized, the session locked): still drawn */
		wlr_scene_node_coords(s->root, &x, &y);
		out->x += x;
		out->y += y;
	}
	return true;
}

struct sc_cursor {
	struct wlr_texture *texture;
	int x, y;                    /* the pointer's position, layout coordinates */
	int hotspot_x, hotspot_y;
	int width, height;
};

static bool sc_find_cursor(comp_sc_ctx *ctx, struct sc_cursor *out) {
	struct sc_output *o;
	wl_list_for_each(o, &ctx->outputs, link) {
		struct wlr_box box;
		if (!sc_output_box(ctx, o->output, &box)) {
			continue;
		}
		struct wlr_output_cursor *c;
		wl_list_for_each(c, &o->output->cursors, link) {
			if (!c->enabled || !c->visible) {
				continue;
			}
			struct wlr_texture *texture = c->texture;
			if (texture == NULL && c->surface != NULL) {
				texture = wlr_surface_get_texture(c->surface);
			}
			if (texture == NULL) {
				continue;
			}
			float scale = o->output->scale > 0 ? o->output->scale : 1.0f;
			*out = (struct sc_cursor){
				.texture = texture,
				.x = box.x + (int)(c->x / scale), .y = box.y + (int)(c->y / scale),
				.hotspot_x = (int)(c->hotspot_x / scale),
				.hotspot_y = (int)(c->hotspot_y / scale),
				.width = (int)(c->width / scale), .height = (int)(c->height / scale),
			};
			return true;
		}
	}
	return false;
}

/* Copy what the outputs showed (their last committed buffers) under the layout box. */
static bool sc_copy_outputs(comp_sc_ctx *ctx, pixman_image_t *dst, const struct wlr_box *lbox) {
	bool covered_once = false;
	struct sc_output *o;
	wl_list_for_each(o, &ctx->outputs, link) {
		struct wlr_box obox, part;
		if (!sc_output_box(ctx, o->output, &obox) ||
				!wlr_box_intersection(&part, &obox, lbox)) {
			continue;
		}
		if (o->last == NULL) {
			return false;  /* nothing committed since the stream began: render this one */
		}
		if (o->output->scale != 1.0f || o->output->transform != WL_OUTPUT_TRANSFORM_NORMAL) {
			return false;  /* the buffer is not in layout pixels: render instead */
		}
		void *data;
		uint32_t format;
		size_t stride;
		if (!wlr_buffer_begin_data_ptr_access(o->last, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data,
				&format, &stride)) {
			return false;
		}
		pixman_format_code_t pf = sc_pixman_from_drm(format);
		if (pf == 0) {
			wlr_buffer_end_data_ptr_access(o->last);
			return false;
		}
		if (!covered_once && (part.width != lbox->width || part.height != lbox->height)) {
			const float black[4] = {0, 0, 0, 1};
			sc_fill_rect(dst, black, 0, 0, lbox->width, lbox->height);
		}
		covered_once = true;
		pixman_image_t *src = pixman_image_create_bits_no_clear(pf, o->last->width,
			o->last->height, data, (int)stride);
		if (src != NULL) {
			pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, dst, part.x - obox.x,
				part.y - obox.y, 0, 0, part.x - lbox->x, part.y - lbox->y, part.width,
				part.height);
			pixman_image_unref(src);
		}
		wlr_buffer_end_data_ptr_access(o->last);
	}
	if (!covered_once) {
		const float black[4] = {0, 0, 0, 1};
		sc_fill_rect(dst, black, 0, 0, lbox->width, lbox->height);
	}
	return true;
}

/* -- frames on GLES2 (csrc/screencast_gl.c: read back with the renderer) ----------------- */

static uint32_t sc_drm_format(uint32_t spa_format) {
	switch (spa_format) {  /* the same bytes: SPA names bytes, DRM names 32-bit words */
	case SPA_VIDEO_FORMAT_BGRx: return DRM_FORMAT_XRGB8888;
	case SPA_VIDEO_FORMAT_BGRA: return DRM_FORMAT_ARGB8888;
	case SPA_VIDEO_FORMAT_RGBx: return DRM_FORMAT_XBGR8888;
	case SPA_VIDEO_FORMAT_RGBA: return DRM_FORMAT_ABGR8888;
	default: return 0;
	}
}

/* The outputs' allocator (wlr_output_init_render's: the compositor has one for all). */
static struct wlr_allocator *sc_allocator(comp_sc_ctx *ctx) {
	struct sc_output *o;
	wl_list_for_each(o, &ctx->outputs, link) {
		if (o->output->allocator != NULL) {
			return o->output->allocator;
		}
	}
	return NULL;
}

/* sc_copy_outputs on GLES2: the committed buffers are GBM/dma-bufs, read back by the
 * renderer. A hardware cursor is not in them: the frame is rendered instead. */
static bool sc_copy_outputs_gl(comp_sc_ctx *ctx, pixman_image_t *dst, uint8_t *data,
		uint32_t stride, uint32_t drm_format, const struct wlr_box *lbox) {
	struct sc_output *o;
	wl_list_for_each(o, &ctx->outputs, link) {  /* first: can every part be copied? */
		struct wlr_box obox, part;
		if (!sc_output_box(ctx, o->output, &obox) ||
				!wlr_box_intersection(&part, &obox, lbox)) {
			continue;
		}
		if (o->last == NULL || o->output->scale != 1.0f ||
				o->output->transform != WL_OUTPUT_TRANSFORM_NORMAL ||
				o->output->hardware_cursor != NULL || o->last->width < obox.width ||
				o->last->height < obox.height) {
			return false;
		}
	}
	bool covered_once = false;
	wl_list_for_each(o, &ctx->outputs, link) {
		struct wlr_box obox, part;
		if (!sc_output_box(ctx, o->output, &obox) ||
				!wlr_box_intersection(&part, &obox, lbox)) {
			continue;
		}
		if (!covered_once && (part.width != lbox->width || part.height != lbox->height)) {
			const float black[4] = {0, 0, 0, 1};
			sc_fill_rect(dst, black, 0, 0, lbox->width, lbox->height);
		}
		covered_once = true;
		if (!comp_sc_gl_read_buffer(ctx->renderer, o->last, part.x - obox.x,
				part.y - obox.y, part.width, part.height, drm_format, data, stride,
				part.x - lbox->x, part.y - lbox->y)) {
			return false;
		}
	}
	if (!covered_once) {
		const float black[4] = {0, 0, 0, 1};
		sc_fill_rect(dst, black, 0, 0, lbox->width, lbox->height);
	}
	return true;
}

/* sc_render_node (and the embedded cursor) on GLES2: the subtree rendered by GL into the
 * stream's own buffer, read back into data. */
static bool sc_render_gl(comp_sc_stream *s, uint8_t *data, uint32_t stride,
		const struct wlr_box *lbox) {
	struct sc_cursor c = {0};
	bool cursor = s->st.cursor == SC_CURSOR_EMBEDDED && sc_find_cursor(s->ctx, &c);
	const float black[4] = {0, 0, 0, 1};
	return comp_sc_gl_render(&s->gl_frame, s->ctx->renderer, sc_allocator(s->ctx),
		s->ctx->scene, s->root, s->box.x, s->box.y, s->st.width, s->st.height, black,
		cursor ? c.texture : NULL, c.x - c.hotspot_x - lbox->x, c.y - c.hotspot_y - lbox->y,
		c.width, c.height, DRM_FORMAT_XRGB8888, sc_drm_format(s->st.spa_format), data,
		stride);
}

static void sc_cursor_meta(comp_sc_stream *s, struct spa_buffer *buf, const struct wlr_box *lbox,
		bool show) {
	struct spa_meta_cursor *mc = spa_buffer_find_meta_data(buf, SPA_META_Cursor,
		sizeof(*mc));
	if (mc == NULL) {
		return;
	}
	struct spa_meta *meta = spa_buffer_find_meta(buf, SPA_META_Cursor);
	struct sc_cursor cursor;
	bool found = show && sc_find_cursor(s->ctx, &cursor);
	mc->id = 1;
	mc->flags = 0;
	mc->bitmap_offset = 0;
	mc->position.x = found ? cursor.x - lbox->x : -1;
	mc->position.y = found ? cursor.y - lbox->y : -1;
	mc->hotspot.x = found ? cursor.hotspot_x : 0;
	mc->hotspot.y = found ? cursor.hotspot_y : 0;
	if (meta->size < SC_CURSOR_META_SIZE(1, 1)) {
		return;
	}
	mc->bitmap_offset = sizeof(*mc);
	struct spa_meta_bitmap *bitmap = SPA_PTROFF(mc, mc->bitmap_offset, struct spa_meta_bitmap);
	bitmap->format = SPA_VIDEO_FORMAT_BGRA;
	bitmap->offset = sizeof(*bitmap);
	bitmap->size.width = bitmap->size.height = 0;  /* no cursor: an empty bitmap */
	bitmap->stride = 0;
	if (!found) {
		return;
	}
	int w = cursor.texture->width < SC_CURSOR_MAX ? (int)cursor.texture->width : SC_CURSOR_MAX;
	int h = cursor.texture->height < SC_CURSOR_MAX ? (int)cursor.texture->height : SC_CURSOR_MAX;
	if (meta->size < SC_CURSOR_META_SIZE((size_t)w, (size_t)h)) {
		return;
	}
	uint8_t *pixels = SPA_PTROFF(bitmap, bitmap->offset, uint8_t);
	memset(pixels, 0, (size_t)w * h * 4);
	pixman_image_t *img = pixman_image_create_bits_no_clear(PIXMAN_a8r8g8b8, w, h,
		(uint32_t *)pixels, w * 4);
	if (img == NULL) {
		return;
	}
	if (wlr_renderer_is_pixman(s->ctx->renderer)) {
		sc_composite(img, cursor.texture, NULL, 0, 0, w, h);
	} else {
		/* GLES2: the texture drawn over transparency in a small buffer, read back. */
		const float clear[4] = {0, 0, 0, 0};
		comp_sc_gl_render(&s->gl_cursor, s->ctx->renderer, sc_allocator(s->ctx), NULL,
			NULL, 0, 0, w, h, clear, cursor.texture, 0, 0, w, h, DRM_FORMAT_ARGB8888,
			DRM_FORMAT_ARGB8888, pixels, (uint32_t)w * 4);
	}
	pixman_image_unref(img);
	bitmap->size.width = (uint32_t)w;
	bitmap->size.height = (uint32_t)h;
	bitmap->stride = w * 4;
}

/* The window's size now (its geometry), in tree-local coordinates. */
static void sc_view_box(comp_sc_stream *s, struct wlr_box *box) {
	*box = s->box;
	if (s->geometry != NULL && s->geometry->width > 0 && s->geometry->height > 0) {
		box->width = s->geometry->width;
		box->height = s->geometry->height;
	} else if (s->surface != NULL && s->surface->current.width > 0) {
		box->width = s->surface->current.width;
		box->height = s->surface->current.height;
	}
}

static void sc_renegotiate(comp_sc_stream *s) {
	uint8_t storage[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(storage, sizeof(storage));
	const struct spa_pod *params[1] = {sc_build_format(&b, s)};
	s->st.renegotiations++;
	pw_stream_update_params(s->stream, params, 1);
}

static void sc_frame(comp_sc_stream *s) {
	if (s->ended || s->stream == NULL || s->st.state != PW_STREAM_STATE_STREAMING) {
		return;
	}
	if (s->st.kind == SC_KIND_VIEW) {
		struct wlr_box now;
		sc_view_box(s, &now);
		if (now.width != s->box.width || now.height != s->box.height) {
			s->box = now;
			s->st.width = now.width;
			s->st.height = now.height;
			sc_renegotiate(s);
		}
	}
	if (s->st.neg_width != s->st.width || s->st.neg_height != s->st.height) {
		s->st.size_waits++;  /* the new format comes: sc_on_param_changed asks again */
		return;
	}
	struct wlr_box lbox;
	if (!sc_layout_box(s, &lbox)) {
		return;
	}
	bool gl = !wlr_renderer_is_pixman(s->ctx->renderer);
	if (gl && comp_sc_gl_busy(s->ctx->renderer)) {
		wl_event_source_timer_update(s->timer, 1);  /* inside a frame: after it */
		return;
	}
	struct pw_buffer *pwb = pw_stream_dequeue_buffer(s->stream);
	if (pwb == NULL) {
		s->st.frames_dropped++;
		return;
	}
	int64_t cpu_start = sc_now_ns(CLOCK_THREAD_CPUTIME_ID);
	int64_t wall_start = sc_now_ns(CLOCK_MONOTONIC);
	struct sc_buffer *sb = pwb->user_data;
	struct spa_buffer *buf = pwb->buffer;
	pixman_image_t *dst = NULL;
	if (sb != NULL) {
		dst = pixman_image_create_bits_no_clear(sc_pixman_format(s->st.spa_format),
			s->st.width, s->st.height, sb->data, (int)sb->stride);
	}
	if (dst == NULL) {
		s->st.frames_dropped++;
		pw_stream_queue_buffer(s->stream, pwb);  /* back, empty: chunk size 0 */
		return;
	}
	bool cursor_shown = !s->ctx->blanked && s->st.cursor == SC_CURSOR_METADATA;
	if (s->ctx->blanked) {
		sc_fill_rect(dst, s->ctx->blank_color, 0, 0, s->st.width, s->st.height);
		s->st.blank_frames++;
	} else if (gl) {
		uint32_t drm_format = sc_drm_format(s->st.spa_format);
		if (s->st.kind != SC_KIND_VIEW && s->st.cursor == SC_CURSOR_EMBEDDED &&
				sc_copy_outputs_gl(s->ctx, dst, sb->data, sb->stride, drm_format, &lbox)) {
			s->st.copies++;
		} else if (sc_render_gl(s, sb->data, sb->stride, &lbox)) {
			s->st.renders++;
		} else {
			pixman_image_unref(dst);
			s->st.frames_dropped++;
			pw_stream_queue_buffer(s->stream, pwb);  /* back, empty: chunk size 0 */
			return;
		}
	} else if (s->st.kind != SC_KIND_VIEW && s->st.cursor == SC_CURSOR_EMBEDDED &&
			sc_copy_outputs(s->ctx, dst, &lbox)) {
		s->st.copies++;
	} else {
		const float black[4] = {0, 0, 0, 1};
		sc_fill_rect(dst, black, 0, 0, s->st.width, s->st.height);
		size_t mark = comp_guard_scene(s->ctx->scene);
		const struct comp_scene_draw draw = {.rect = sc_draw_rect,
			.texture = sc_draw_texture, .data = dst, .make_textures = s->ctx->renderer};
		comp_scene_draw_walk(&draw, s->root, -s->box.x, -s->box.y);
		if (s->st.cursor == SC_CURSOR_EMBEDDED) {
			struct sc_cursor c;
			if (sc_find_cursor(s->ctx, &c)) {
				sc_composite(dst, c.texture, NULL, c.x - c.hotspot_x - lbox.x,
					c.y - c.hotspot_y - lbox.y, c.width, c.height);
			}
		}
		comp_guard_release(mark);
		s->st.renders++;
	}
	pixman_image_unref(dst);
	sc_cursor_meta(s, buf, &lbox, cursor_shown);
	int64_t now = sc_now_ns(CLOCK_MONOTONIC);
	struct spa_meta_header *header = spa_buffer_find_meta_data(buf, SPA_META_Header,
		sizeof(*header));
	if (header != NULL) {
		header->pts = now;
		header->flags = 0;
		header->seq = s->seq++;
		header->dts_offset = 0;
	}
	struct spa_data *d = &buf->datas[0];
	d->chunk->offset = 0;
	d->chunk->stride = (int32_t)sb->stride;
	d->chunk->size = sb->stride * (uint32_t)s->st.height;
	d->chunk->flags = SPA_CHUNK_FLAG_NONE;
	pw_stream_queue_buffer(s->stream, pwb);
	pw_stream_trigger_process(s->stream);
	s->st.frames_sent++;
	if (s->st.first_frame_ns == 0) {
		s->st.first_frame_ns = now;
	}
	s->st.last_frame_ns = now;
	s->last_ns = now;
	s->st.cpu_ns += sc_now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
	s->st.fill_ns += now - wall_start;
	if (s->repeats > 0) {
		/* A consumer that just came may not take the first frame (its buffers not ready):
		 * on a still screen no other would follow, so the picture goes out again. */
		s->repeats--;
		wl_event_source_timer_update(s->timer, SC_REPEAT_MS);
	}
}

static int sc_on_timer(void *data) {
	sc_frame(data);
	return 0;
}

/* Something the stream shows may have changed: a frame now, or at 1/rate after the last. */
static void sc_request_frame(comp_sc_stream *s) {
	if (s->ended || s->st.state != PW_STREAM_STATE_STREAMING) {
		return;
	}
	int64_t wait = s->last_ns + s->period_ns - sc_now_ns(CLOCK_MONOTONIC);
	if (wait <= 0 && s->st.kind != SC_KIND_VIEW) {
		sc_frame(s);
		return;
	}
	/* Windows: after the scene has taken the commit (the next turn of the loop). */
	int ms = wait <= 0 ? 1 : (int)((wait + 999999) / 1000000);
	wl_event_source_timer_update(s->timer, ms);
}

/* -- sources: outputs, windows ----------------------------------------------------------- */

static void sc_output_drop_buffer(struct sc_output *o) {
	if (o->last != NULL) {
		wlr_buffer_unlock(o->last);
		o->last = NULL;
	}
}

static void sc_handle_output_commit(struct wl_listener *listener, void *data) {
	struct sc_output *o = wl_container_of(listener, o, commit);
	struct wlr_output_event_commit *ev = data;
	comp_sc_ctx *ctx = o->ctx;
	if (!(ev->committed & WLR_OUTPUT_STATE_BUFFER) || ev->buffer == NULL) {
		return;
	}
	if (wl_list_empty(&ctx->streams)) {
		sc_output_drop_buffer(o);
		return;
	}
	if (ev->buffer != o->last) {
		sc_output_drop_buffer(o);
		o->last = wlr_buffer_lock(ev->buffer);
	}
	struct wlr_box obox;
	if (!sc_output_box(ctx, o->output, &obox)) {
		return;
	}
	comp_sc_stream *s, *tmp;
	wl_list_for_each_safe(s, tmp, &ctx->streams, link) {
		struct wlr_box lbox, part;
		if (s->ended) {
			continue;
		}
		if (s->output == o || (sc_layout_box(s, &lbox) &&
				wlr_box_intersection(&part, &lbox, &obox))) {
			sc_request_frame(s);
		}
	}
}

static void sc_handle_output_destroy(struct wl_listener *listener, void *data) {
	struct sc_output *o = wl_container_of(listener, o, destroy);
	comp_sc_stream *s;
	wl_list_for_each(s, &o->ctx->streams, link) {
		if (s->output == o) {
			sc_stream_end(s, "output removed");
		}
	}
	sc_output_drop_buffer(o);
	wl_list_remove(&o->commit.link);
	wl_list_remove(&o->destroy.link);
	wl_list_remove(&o->link);
	free(o);
}

static void sc_handle_node_destroy(struct wl_listener *listener, void *data) {
	comp_sc_stream *s = wl_container_of(listener, s, node_destroy);
	sc_stream_end(s, "window closed");
}

static void sc_handle_surface_destroy(struct wl_listener *listener, void *data) {
	comp_sc_stream *s = wl_container_of(listener, s, surface_destroy);
	sc_stream_end(s, "window closed");
}

static void sc_handle_surface_commit(struct wl_listener *listener, void *data) {
	comp_sc_stream *s = wl_container_of(listener, s, surface_commit);
	sc_request_frame(s);
}

/* -- PipeWire stream events -------------------------------------------------------------- */

static int sc_on_gone_timer(void *data) {
	comp_sc_stream *s = data;
	if (s->st.state != PW_STREAM_STATE_STREAMING) {
		sc_stream_end(s, "consumer gone");
	}
	return 0;
}

static void sc_on_state_changed(void *data, enum pw_stream_state old,
		enum pw_stream_state state, const char *error) {
	comp_sc_stream *s = data;
	s->st.state = state;
	if (s->ended) {
		return;  /* ending: no frames, no timers */
	}
	s->st.node_id = pw_stream_get_node_id(s->stream);
	wlr_log(WLR_DEBUG, "screencast: stream %u: %s -> %s%s%s", s->st.id,
		pw_stream_state_as_string(old), pw_stream_state_as_string(state),
		error ? ": " : "", error ? error : "");
	if (state == PW_STREAM_STATE_ERROR) {
		char reason[96];
		snprintf(reason, sizeof(reason), "pipewire error: %s", error ? error : "?");
		sc_stream_end(s, reason);
	} else if (state == PW_STREAM_STATE_STREAMING) {
		wl_event_source_timer_update(s->gone_timer, 0);
		s->last_ns = 0;
		s->repeats = SC_REPEATS;
		sc_request_frame(s);  /* the consumer gets the picture at once */
	} else if (old == PW_STREAM_STATE_STREAMING && s->consumer_grace_ms > 0) {
		wl_event_source_timer_update(s->gone_timer, s->consumer_grace_ms);
	}
}

static void sc_on_param_changed(void *data, uint32_t id, const struct spa_pod *param) {
	comp_sc_stream *s = data;
	if (param == NULL || id != SPA_PARAM_Format) {
		return;
	}
	struct spa_video_info_raw info;
	if (spa_format_video_raw_parse(param, &info) < 0 || sc_pixman_format(info.format) == 0) {
		pw_stream_set_error(s->stream, -EINVAL, "unsupported video format");
		return;
	}
	s->st.spa_format = info.format;
	s->st.neg_width = (int32_t)info.size.width;
	s->st.neg_height = (int32_t)info.size.height;
	/* A new size (a window resized): the picture in it once the buffers are there, and
	 * again (the frames asked for meanwhile were skipped; the screen may be still now). */
	if (s->st.state == PW_STREAM_STATE_STREAMING && !s->ended) {
		s->repeats = SC_REPEATS;
		wl_event_source_timer_update(s->timer, SC_REPEAT_MS);
	}
	uint32_t stride = info.size.width * 4;
	uint32_t size = stride * info.size.height;
	uint8_t storage[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(storage, sizeof(storage));
	const struct spa_pod *params[3];
	uint32_t n = 0;
	params[n++] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_ParamBuffers, SPA_PARAM_Buffers,
		SPA_PARAM_BUFFERS_buffers, SPA_POD_CHOICE_RANGE_Int(4, 2, 8),
		SPA_PARAM_BUFFERS_blocks, SPA_POD_Int(1),
		SPA_PARAM_BUFFERS_size, SPA_POD_Int(size),
		SPA_PARAM_BUFFERS_stride, SPA_POD_Int(stride),
		SPA_PARAM_BUFFERS_dataType, SPA_POD_CHOICE_FLAGS_Int(1 << SPA_DATA_MemFd));
	params[n++] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_ParamMeta, SPA_PARAM_Meta,
		SPA_PARAM_META_type, SPA_POD_Id(SPA_META_Header),
		SPA_PARAM_META_size, SPA_POD_Int(sizeof(struct spa_meta_header)));
	if (s->st.cursor == SC_CURSOR_METADATA) {
		params[n++] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_ParamMeta, SPA_PARAM_Meta,
			SPA_PARAM_META_type, SPA_POD_Id(SPA_META_Cursor),
			SPA_PARAM_META_size, SPA_POD_CHOICE_RANGE_Int(
				SC_CURSOR_META_SIZE(SC_CURSOR_MAX, SC_CURSOR_MAX),
				SC_CURSOR_META_SIZE(1, 1),
				SC_CURSOR_META_SIZE(SC_CURSOR_MAX, SC_CURSOR_MAX)));
	}
	pw_stream_update_params(s->stream, params, n);
}

static void sc_on_add_buffer(void *data, struct pw_buffer *pwb) {
	comp_sc_stream *s = data;
	struct spa_data *d = &pwb->buffer->datas[0];
	if (!(d->type & (1u << SPA_DATA_MemFd))) {
		pw_stream_set_error(s->stream, -EINVAL, "only memfd buffers are offered");
		return;
	}
	struct sc_buffer *sb = calloc(1, sizeof(*sb));
	if (sb == NULL) {
		return;
	}
	sb->stride = (uint32_t)s->st.neg_width * 4;
	sb->size = (size_t)sb->stride * (size_t)s->st.neg_height;
	sb->fd = memfd_create("comp-screencast", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (sb->fd < 0 || ftruncate(sb->fd, (off_t)sb->size) < 0) {
		wlr_log_errno(WLR_ERROR, "screencast: cannot make a %zu-byte buffer", sb->size);
		if (sb->fd >= 0) {
			close(sb->fd);
		}
		free(sb);
		return;
	}
	fcntl(sb->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_SEAL);
	sb->data = mmap(NULL, sb->size, PROT_READ | PROT_WRITE, MAP_SHARED, sb->fd, 0);
	if (sb->data == MAP_FAILED) {
		wlr_log_errno(WLR_ERROR, "screencast: cannot map a buffer");
		close(sb->fd);
		free(sb);
		return;
	}
	d->type = SPA_DATA_MemFd;
	d->flags = SPA_DATA_FLAG_READWRITE;
	d->fd = sb->fd;
	d->mapoffset = 0;
	d->maxsize = (uint32_t)sb->size;
	d->data = sb->data;
	d->chunk->offset = 0;
	d->chunk->size = 0;
	d->chunk->stride = (int32_t)sb->stride;
	pwb->user_data = sb;
	s->st.buffers++;
	sc_live_buffers++;
}

static void sc_on_remove_buffer(void *data, struct pw_buffer *pwb) {
	comp_sc_stream *s = data;
	struct sc_buffer *sb = pwb->user_data;
	if (sb == NULL) {
		return;
	}
	munmap(sb->data, sb->size);
	close(sb->fd);
	free(sb);
	pwb->user_data = NULL;
	pwb->buffer->datas[0].fd = -1;
	pwb->buffer->datas[0].data = NULL;
	s->st.buffers--;
	sc_live_buffers--;
}

static void sc_on_process(void *data) {
	/* Frames are queued when they are made (sc_frame); nothing to do when the graph runs. */
}

static const struct pw_stream_events sc_stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = sc_on_state_changed,
	.param_changed = sc_on_param_changed,
	.add_buffer = sc_on_add_buffer,
	.remove_buffer = sc_on_remove_buffer,
	.process = sc_on_process,
};

/* -- the context ------------------------------------------------------------------------- */

static int sc_on_pw_fd(int fd, uint32_t mask, void *data) {
	comp_sc_ctx *ctx = data;
	int res = pw_loop_iterate(ctx->loop, 0);
	if (res < 0 && res != -EINTR) {
		wlr_log(WLR_ERROR, "screencast: PipeWire's loop failed: %s", spa_strerror(res));
	}
	return 0;
}

static void sc_on_core_error(void *data, uint32_t id, int seq, int res, const char *message) {
	comp_sc_ctx *ctx = data;
	wlr_log(WLR_ERROR, "screencast: PipeWire error on object %u: %s (%s)", id,
		message ? message : "?", spa_strerror(res));
	if (id != PW_ID_CORE || res != -EPIPE) {
		return;
	}
	ctx->broken = true;
	comp_sc_stream *s;
	wl_list_for_each(s, &ctx->streams, link) {
		sc_stream_end(s, "pipewire daemon gone");
	}
}

static const struct pw_core_events sc_core_events = {
	PW_VERSION_CORE_EVENTS,
	.error = sc_on_core_error,
};

comp_sc_ctx *comp_sc_create(struct wl_event_loop *wl_loop, struct wlr_scene *scene,
		struct wlr_output_layout *layout, struct wlr_renderer *renderer, void *handle,
		char *err, size_t err_len) {
	if (!sc_pw_initialized) {
		pw_init(NULL, NULL);
		sc_pw_initialized = true;
	}
	comp_sc_ctx *ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	ctx->wl_loop = wl_loop;
	ctx->scene = scene;
	ctx->layout = layout;
	ctx->renderer = renderer;
	ctx->handle = handle;
	ctx->next_id = 1;
	ctx->blank_color[0] = ctx->blank_color[1] = ctx->blank_color[2] = 0.1f;
	ctx->blank_color[3] = 1.0f;
	wl_list_init(&ctx->outputs);
	wl_list_init(&ctx->streams);
	ctx->loop = pw_loop_new(NULL);
	if (ctx->loop == NULL) {
		snprintf(err, err_len, "cannot create a PipeWire loop: %s", strerror(errno));
		free(ctx);
		return NULL;
	}
	pw_loop_enter(ctx->loop);
	ctx->context = pw_context_new(ctx->loop, NULL, 0);
	if (ctx->context != NULL) {
		ctx->core = pw_context_connect(ctx->context, NULL, 0);
	}
	if (ctx->core == NULL) {
		const char *remote = getenv("PIPEWIRE_REMOTE");
		const char *dir = getenv("PIPEWIRE_RUNTIME_DIR");
		snprintf(err, err_len, "no PipeWire daemon reachable (no socket %s/%s answers): "
			"start `pipewire` and `wireplumber` in the session (same XDG_RUNTIME_DIR as the "
			"compositor), then try again",
			dir ? dir : (getenv("XDG_RUNTIME_DIR") ? getenv("XDG_RUNTIME_DIR") : "?"),
			remote ? remote : "pipewire-0");
		if (ctx->context != NULL) {
			pw_context_destroy(ctx->context);
		}
		pw_loop_leave(ctx->loop);
		pw_loop_destroy(ctx->loop);
		free(ctx);
		return NULL;
	}
	pw_core_add_listener(ctx->core, &ctx->core_listener, &sc_core_events, ctx);
	ctx->pw_source = wl_event_loop_add_fd(wl_loop, pw_loop_get_fd(ctx->loop),
		WL_EVENT_READABLE, sc_on_pw_fd, ctx);
	sc_live_contexts++;
	return ctx;
}

void comp_sc_output_add(comp_sc_ctx *ctx, struct wlr_output *output) {
	struct sc_output *o;
	wl_list_for_each(o, &ctx->outputs, link) {
		if (o->output == output) {
			return;
		}
	}
	o = calloc(1, sizeof(*o));
	if (o == NULL) {
		return;
	}
	o->ctx = ctx;
	o->output = output;
	o->commit.notify = sc_handle_output_commit;
	wl_signal_add(&output->events.commit, &o->commit);
	o->destroy.notify = sc_handle_output_destroy;
	wl_signal_add(&output->events.destroy, &o->destroy);
	wl_list_insert(ctx->outputs.prev, &o->link);
}

static void sc_output_free(struct sc_output *o) {
	sc_output_drop_buffer(o);
	wl_list_remove(&o->commit.link);
	wl_list_remove(&o->destroy.link);
	wl_list_remove(&o->link);
	free(o);
}

/* Ends a stream at Python's request: no callback to Python. */
void comp_sc_stream_destroy(comp_sc_stream *s) {
	wlr_log(WLR_INFO, "screencast: stream %u (%s) stopped", s->st.id, s->client);
	sc_stream_free(s);
}

void comp_sc_destroy(comp_sc_ctx *ctx) {
	comp_sc_stream *s, *tmp;
	wl_list_for_each_safe(s, tmp, &ctx->streams, link) {
		sc_stream_free(s);  /* Python ended them first; these are the ones being reaped */
	}
	struct sc_output *o, *otmp;
	wl_list_for_each_safe(o, otmp, &ctx->outputs, link) {
		sc_output_free(o);
	}
	if (ctx->reap != NULL) {
		wl_event_source_remove(ctx->reap);
	}
	wl_event_source_remove(ctx->pw_source);
	spa_hook_remove(&ctx->core_listener);
	pw_core_disconnect(ctx->core);
	pw_context_destroy(ctx->context);
	pw_loop_leave(ctx->loop);
	pw_loop_destroy(ctx->loop);
	sc_live_contexts--;
	free(ctx);
}

bool comp_sc_broken(comp_sc_ctx *ctx) {
	return ctx->broken;
}

comp_sc_stream *comp_sc_stream_create(comp_sc_ctx *ctx, int kind, struct wlr_output *output,
		struct wlr_scene_node *tree, struct wlr_surface *surface,
		const struct wlr_box *geometry, int x, int y, int width, int height, int cursor,
		int max_fps, int consumer_grace_ms, const char *client, char *err, size_t err_len) {
	if (!wlr_renderer_is_pixman(ctx->renderer) && !comp_sc_gl_supported(ctx->renderer)) {
		snprintf(err, err_len, "screen sharing works on the pixman and gles2 renderers, not "
			"this one (start the compositor with --renderer gles2 or pixman)");
		return NULL;
	}
	comp_sc_stream *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	s->ctx = ctx;
	s->st.id = ctx->next_id++;
	s->st.kind = kind;
	s->st.cursor = cursor;
	s->st.node_id = SPA_ID_INVALID;
	s->st.max_fps = max_fps > 0 ? max_fps : 60;
	s->period_ns = 1000000000LL / s->st.max_fps;
	s->consumer_grace_ms = consumer_grace_ms;
	snprintf(s->client, sizeof(s->client), "%s", client ? client : "");
	wl_list_init(&s->node_destroy.link);
	wl_list_init(&s->surface_commit.link);
	wl_list_init(&s->surface_destroy.link);
	wl_list_insert(ctx->streams.prev, &s->link);
	sc_live_streams++;
	s->box = (struct wlr_box){x, y, width, height};
	if (kind == SC_KIND_OUTPUT) {
		comp_sc_output_add(ctx, output);
		struct sc_output *o;
		wl_list_for_each(o, &ctx->outputs, link) {
			if (o->output == output) {
				s->output = o;
			}
		}
		s->root = &ctx->scene->node;
	} else if (kind == SC_KIND_VIEW) {
		s->root = tree;
		s->surface = surface;
		s->geometry = geometry;
		s->node_destroy.notify = sc_handle_node_destroy;
		wl_signal_add(&tree->events.destroy, &s->node_destroy);
		s->surface_destroy.notify = sc_handle_surface_destroy;
		wl_signal_add(&surface->events.destroy, &s->surface_destroy);
		s->surface_commit.notify = sc_handle_surface_commit;
		wl_signal_add(&surface->events.commit, &s->surface_commit);
		sc_view_box(s, &s->box);
	} else {
		s->root = &ctx->scene->node;
	}
	s->st.width = s->box.width;
	s->st.height = s->box.height;
	if (s->st.width <= 0 || s->st.height <= 0) {
		snprintf(err, err_len, "the source has no size yet (%dx%d)", s->st.width, s->st.height);
		sc_stream_free(s);
		return NULL;
	}
	s->timer = wl_event_loop_add_timer(ctx->wl_loop, sc_on_timer, s);
	s->gone_timer = wl_event_loop_add_timer(ctx->wl_loop, sc_on_gone_timer, s);
	char name[64];
	snprintf(name, sizeof(name), "pydrm-screencast-%u", s->st.id);
	s->stream = pw_stream_new(ctx->core, name, pw_properties_new(
		PW_KEY_MEDIA_CLASS, "Video/Source",
		PW_KEY_NODE_DESCRIPTION, "pydrm-compositor screen share",
		NULL));
	if (s->stream == NULL || s->timer == NULL || s->gone_timer == NULL) {
		snprintf(err, err_len, "cannot create a PipeWire stream: %s", strerror(errno));
		sc_stream_free(s);
		return NULL;
	}
	pw_stream_add_listener(s->stream, &s->listener, &sc_stream_events, s);
	uint8_t storage[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(storage, sizeof(storage));
	const struct spa_pod *params[1] = {sc_build_format(&b, s)};
	int res = pw_stream_connect(s->stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
		PW_STREAM_FLAG_DRIVER | PW_STREAM_FLAG_ALLOC_BUFFERS, params, 1);
	if (res < 0) {
		snprintf(err, err_len, "cannot connect the PipeWire stream: %s", spa_strerror(res));
		sc_stream_free(s);
		return NULL;
	}
	/* The node id is the answer: wait for the daemon to give it (a round trip). */
	int64_t deadline = sc_now_ns(CLOCK_MONOTONIC) + 5000000000LL;
	while (s->st.node_id == SPA_ID_INVALID && !s->ended && !ctx->broken &&
			sc_now_ns(CLOCK_MONOTONIC) < deadline) {
		pw_loop_iterate(ctx->loop, 100);
		s->st.node_id = pw_stream_get_node_id(s->stream);
	}
	if (s->st.node_id == SPA_ID_INVALID || s->ended) {
		snprintf(err, err_len, "the PipeWire daemon gave the stream no node (%s); is "
			"`wireplumber` running?", s->ended ? s->reason : "no answer in 5 s");
		sc_stream_free(s);
		return NULL;
	}
	wlr_log(WLR_INFO, "screencast: stream %u for %s: node %u, %dx%d", s->st.id, s->client,
		s->st.node_id, s->st.width, s->st.height);
	return s;
}

const comp_sc_stats *comp_sc_stream_stats(comp_sc_stream *s) {
	return &s->st;
}

/* A region or output source moved or changed size (the layout changed). */
void comp_sc_stream_set_box(comp_sc_stream *s, int x, int y, int width, int height) {
	if (s->ended || s->st.kind == SC_KIND_VIEW) {
		return;
	}
	bool resized = width != s->box.width || height != s->box.height;
	s->box = (struct wlr_box){x, y, width, height};
	if (resized && width > 0 && height > 0) {
		s->st.width = width;
		s->st.height = height;
		sc_renegotiate(s);
	}
	sc_request_frame(s);
}

void comp_sc_set_blanked(comp_sc_ctx *ctx, bool blanked, float r, float g, float b) {
	ctx->blanked = blanked;
	ctx->blank_color[0] = r;
	ctx->blank_color[1] = g;
	ctx->blank_color[2] = b;
	comp_sc_stream *s;
	wl_list_for_each(s, &ctx->streams, link) {
		s->last_ns = 0;
		sc_request_frame(s);  /* the blank (or the picture again) goes out at once */
	}
}

int comp_sc_live_streams(void) {
	return sc_live_streams;
}

int comp_sc_live_buffers(void) {
	return sc_live_buffers;
}

int comp_sc_live_contexts(void) {
	return sc_live_contexts;
}
