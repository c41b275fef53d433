#include <stdlib.h>
#include <GLES2/gl2.h>
#include <wlr/render/gles2.h>
#include <wlr/render/pixman.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_damage.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/util/box.h>
#include <wlr/util/log.h>
#include <wlr/util/region.h>
#include <wlr/types/wlr_matrix.h>
#include <wlr/types/wlr_presentation_time.h>
#include <wlr/util/addon.h>
#include "client_memory.h"
#include "scene_render.h"
#include "internal.h"

/* The scene commit of the frame loop (frame_loop.c): wlroots 0.15's wlr_scene_output_commit,
 * less its overdraw. wlroots paints every node under the damage bottom to top, each one
 * through a transformed composite (pixman's slow path), and clears the damage first. Here,
 * a walk from the top down gives each node only the damaged part no opaque node above
 * covers; the background is cleared only where no opaque node lies; and on the pixman
 * renderer an unscaled, untransformed texture is copied straight (SRC where opaque, OVER
 * elsewhere), which is pixman's fast path. What a frame shows is the same pixel for pixel.
 *
 * GLES2 takes the same walk: each node drawn once per rectangle of its visible damage
 * (scissored, as wlroots does), nothing under an opaque node, the background only where
 * nothing opaque lies. On software GL (llvmpipe) every pixel is written by the CPU, so
 * overdraw costs there what it costs pixman.
 *
 * Scaled or rotated outputs, and other renderers, keep wlroots' own commit. */

struct render_item {
	struct wlr_scene_node *node;
	struct wlr_box box;           /* output-local */
	pixman_region32_t visible;    /* damage it must paint: no opaque node above covers it */
	pixman_region32_t opaque;     /* where it is opaque, output-local */
};

/* Scratch, grown as needed, reused every frame (one thread, one frame at a time). */
static struct render_item *render_items;
static size_t render_items_cap;

void comp_scene_node_size(struct wlr_scene_node *node, int *width, int *height) {
	*width = *height = 0;
	switch (node->type) {
	case WLR_SCENE_NODE_SURFACE:;
		struct wlr_surface *surface = wlr_scene_surface_from_node(node)->surface;
		*width = surface->current.width;
		*height = surface->current.height;
		break;
	case WLR_SCENE_NODE_RECT:;
		struct wlr_scene_rect *rect = (struct wlr_scene_rect *)node;
		*width = rect->width;
		*height = rect->height;
		break;
	case WLR_SCENE_NODE_BUFFER:;
		struct wlr_scene_buffer *scene_buffer = (struct wlr_scene_buffer *)node;
		if (scene_buffer->dst_width > 0 && scene_buffer->dst_height > 0) {
			*width = scene_buffer->dst_width;
			*height = scene_buffer->dst_height;
		} else if (scene_buffer->buffer != NULL) {
			bool rotated = scene_buffer->transform & WL_OUTPUT_TRANSFORM_90;
			*width = rotated ? scene_buffer->buffer->height : scene_buffer->buffer->width;
			*height = rotated ? scene_buffer->buffer->width : scene_buffer->buffer->height;
		}
		break;
	default:
		break;
	}
}

struct render_walk {
	struct wlr_output *output;
	struct wlr_presentation *presentation;
	struct wlr_box viewport;      /* layout coordinates of the output */
	size_t count;
	bool failed;                  /* out of memory: render the wlroots way */
};

static void collect_nodes(struct render_walk *walk, struct wlr_scene_node *node, int lx, int ly) {
	if (!node->state.enabled) {
		return;
	}
	lx += node->state.x;
	ly += node->state.y;
	if (node->type == WLR_SCENE_NODE_SURFACE) {
		/* As wlroots: every shown surface counts as sampled for presentation feedback. */
		struct wlr_scene_surface *scene_surface = wlr_scene_surface_from_node(node);
		if (walk->presentation != NULL && scene_surface->primary_output == walk->output) {
			wlr_presentation_surface_sampled_on_output(walk->presentation,
				scene_surface->surface, walk->output);
		}
	}
	if (node->type == WLR_SCENE_NODE_SURFACE || node->type == WLR_SCENE_NODE_RECT ||
			node->type == WLR_SCENE_NODE_BUFFER) {
		struct wlr_box box = {.x = lx - walk->viewport.x, .y = ly - walk->viewport.y};
		comp_scene_node_size(node, &box.width, &box.height);
		if (box.width > 0 && box.height > 0 &&
				box.x < walk->viewport.width && box.y < walk->viewport.height &&
				box.x + box.width > 0 && box.y + box.height > 0) {
			if (walk->count == render_items_cap) {
				size_t cap = render_items_cap ? render_items_cap * 2 : 64;
				struct render_item *grown = realloc(render_items, cap * sizeof(*grown));
				if (grown == NULL) {
					walk->failed = true;
					return;
				}
				render_items = grown;
				render_items_cap = cap;
			}
			render_items[walk->count++] = (struct render_item){.node = node, .box = box};
		}
	}
	struct wlr_scene_node *child;
	wl_list_for_each(child, &node->state.children, state.link) {
		collect_nodes(walk, child, lx, ly);
	}
}

/* The texture a node shows, or NULL (nothing committed yet, or a rect). */
static struct wlr_texture *node_texture(struct wlr_scene_node *node, struct wlr_renderer *renderer) {
	if (node->type == WLR_SCENE_NODE_SURFACE) {
		return wlr_surface_get_texture(wlr_scene_surface_from_node(node)->surface);
	}
	if (node->type == WLR_SCENE_NODE_BUFFER) {
		return comp_scene_buffer_texture((struct wlr_scene_buffer *)node, renderer);
	}
	return NULL;
}

/* Where the node is opaque, output-local: an opaque rect, a surface's opaque region
 * (wlroots makes it the whole surface for formats without alpha). */
static void node_opaque_region(struct render_item *item) {
	pixman_region32_init(&item->opaque);
	struct wlr_scene_node *node = item->node;
	if (node->type == WLR_SCENE_NODE_RECT) {
		if (((struct wlr_scene_rect *)node)->color[3] >= 1.0f) {
			pixman_region32_init_rect(&item->opaque, item->box.x, item->box.y,
				item->box.width, item->box.height);
		}
	} else if (node->type == WLR_SCENE_NODE_SURFACE) {
		struct wlr_surface *surface = wlr_scene_surface_from_node(node)->surface;
		if (surface->buffer != NULL && comp_surface_alpha(surface) >= 1.0f) {
			pixman_region32_copy(&item->opaque, &surface->opaque_region);
			pixman_region32_translate(&item->opaque, item->box.x, item->box.y);
			pixman_region32_intersect_rect(&item->opaque, &item->opaque, item->box.x,
				item->box.y, item->box.width, item->box.height);
		}
	}
}

static uint64_t region_area(pixman_region32_t *region) {
	int n;
	pixman_box32_t *rects = pixman_region32_rectangles(region, &n);
	uint64_t area = 0;
	for (int i = 0; i < n; i++) {
		area += (uint64_t)(rects[i].x2 - rects[i].x1) * (rects[i].y2 - rects[i].y1);
	}
	return area;
}

/* Copy an unscaled, untransformed pixman texture: SRC where the node is opaque. */
static bool pixman_copy_texture(pixman_image_t *target, struct wlr_texture *texture,
		struct render_item *item) {
	pixman_image_t *source = wlr_pixman_texture_get_image(texture);
	if (source == NULL) {
		return false;
	}
	pixman_image_set_transform(source, NULL);  /* wlroots leaves its last one set */
	pixman_region32_t part;
	pixman_region32_init(&part);
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 0) {
			pixman_region32_intersect(&part, &item->visible, &item->opaque);
		} else {
			pixman_region32_subtract(&part, &item->visible, &item->opaque);
		}
		int n;
		pixman_box32_t *rects = pixman_region32_rectangles(&part, &n);
		for (int i = 0; i < n; i++) {
			pixman_image_composite32(pass == 0 ? PIXMAN_OP_SRC : PIXMAN_OP_OVER, source,
				NULL, target, rects[i].x1 - item->box.x, rects[i].y1 - item->box.y, 0, 0,
				rects[i].x1, rects[i].y1, rects[i].x2 - rects[i].x1, rects[i].y2 - rects[i].y1);
		}
	}
	pixman_region32_fini(&part);
	return true;
}

/* Whether a surface's texture maps 1:1 onto its box (no viewport, scale or transform). */
static bool surface_unscaled(struct wlr_surface *surface, struct wlr_texture *texture) {
	return surface->current.transform == WL_OUTPUT_TRANSFORM_NORMAL &&
		!surface->current.viewport.has_src && !surface->current.viewport.has_dst &&
		surface->current.scale == 1 &&
		(int)texture->width == surface->current.width &&
		(int)texture->height == surface->current.height;
}

static void render_item_draw(struct render_item *item, struct wlr_output *output,
		pixman_image_t *pixman_target) {
	struct wlr_renderer *renderer = output->renderer;
	struct wlr_scene_node *node = item->node;
	int n;
	pixman_box32_t *rects = pixman_region32_rectangles(&item->visible, &n);
	if (node->type == WLR_SCENE_NODE_RECT) {
		struct wlr_scene_rect *rect = (struct wlr_scene_rect *)node;
		for (int i = 0; i < n; i++) {
			comp_scissor_output(output, &rects[i]);
			wlr_render_rect(renderer, &item->box, rect->color, output->transform_matrix);
		}
		return;
	}
	struct wlr_texture *texture = node_texture(node, renderer);
	if (texture == NULL) {
		return;
	}
	float matrix[9];
	float alpha = 1.0f;
	struct wlr_fbox src_box = {0};
	enum wl_output_transform transform;
	if (node->type == WLR_SCENE_NODE_SURFACE) {
		struct wlr_surface *surface = wlr_scene_surface_from_node(node)->surface;
		alpha = comp_surface_alpha(surface); /* below 1: blended, never copied */
		if (pixman_target != NULL && alpha >= 1.0f && wlr_texture_is_pixman(texture) &&
				surface_unscaled(surface, texture) &&
				pixman_copy_texture(pixman_target, texture, item)) {
			return;
		}
		transform = wlr_output_transform_invert(surface->current.transform);
		wlr_surface_get_buffer_source_box(surface, &src_box);
	} else {
		struct wlr_scene_buffer *scene_buffer = (struct wlr_scene_buffer *)node;
		transform = wlr_output_transform_invert(scene_buffer->transform);
		src_box = scene_buffer->src_box;
		if (wlr_fbox_empty(&src_box)) {
			src_box = (struct wlr_fbox){.width = texture->width, .height = texture->height};
		}
		if (pixman_target != NULL && wlr_texture_is_pixman(texture) &&
				scene_buffer->transform == WL_OUTPUT_TRANSFORM_NORMAL &&
				src_box.x == 0 && src_box.y == 0 &&
				src_box.width == texture->width && src_box.height == texture->height &&
				(int)texture->width == item->box.width &&
				(int)texture->height == item->box.height &&
				pixman_copy_texture(pixman_target, texture, item)) {
			return;
		}
	}
	wlr_matrix_project_box(matrix, &item->box, transform, 0.0, output->transform_matrix);
	for (int i = 0; i < n; i++) {
		comp_scissor_output(output, &rects[i]);
		wlr_render_subtexture_with_matrix(renderer, texture, &src_box, matrix, alpha);
	}
}

/* Why the last frame was not scanned out directly (a static string), NULL when it was: the
 * frame loop (frame_loop.c) keeps it per output, and the inspector says it. */
static const char *scanout_refusal;
/* The output whose last scan-out commit failed (see scene_output_try_scanout). */
static struct wlr_output *scanout_failed_on;

enum scanout_result {
	SCANOUT_REFUSED,   /* composite this frame instead */
	SCANOUT_DONE,
	SCANOUT_FAILED,    /* the output took the buffer in its test but its commit failed */
};

static enum scanout_result refuse_scanout(const char *why) {
	scanout_refusal = why;
	return SCANOUT_REFUSED;
}

/* Outputs whose frames are always composited, by rule (the configuration's
 * output(..., scanout=False)): an addon on the output, gone with it. */
static void composited_output_destroy(struct wlr_addon *addon) {
	wlr_addon_finish(addon);
	free(addon);
}

static const struct wlr_addon_interface composited_output_impl = {
	.name = "comp_composited_output",
	.destroy = composited_output_destroy,
};

bool comp_output_set_scanout_allowed(struct wlr_output *output, bool allowed) {
	struct wlr_addon *rule = wlr_addon_find(&output->addons, output, &composited_output_impl);
	if (allowed && rule != NULL) {
		composited_output_destroy(rule);
	} else if (!allowed && rule == NULL) {
		rule = calloc(1, sizeof(*rule));
		if (rule == NULL) {
			return false;
		}
		wlr_addon_init(rule, &output->addons, output, &composited_output_impl);
	}
	return true;
}

static bool software_cursor_shown(struct wlr_output *output) {
	struct wlr_output_cursor *cursor;
	wl_list_for_each(cursor, &output->cursors, link) {
		if (cursor->enabled && cursor->visible && cursor != output->hardware_cursor) {
			return true;
		}
	}
	return false;
}

/* wlroots' scene_output_scanout, which needs a client's buffer to be the only node on the
 * output: here the topmost node must cover the output exactly, and whatever lies below it
 * must be hidden by it (opaque over the whole output), as a fullscreen video player is over
 * the windows it covers. */
static enum scanout_result scene_output_try_scanout(struct wlr_scene_output *scene_output,
		size_t count) {
	struct wlr_output *output = scene_output->output;
	int width, height;
	wlr_output_effective_resolution(output, &width, &height);
	if (wlr_addon_find(&output->addons, output, &composited_output_impl) != NULL) {
		return refuse_scanout("by rule: the output's output(..., scanout=False)");
	}
	struct render_item *only = NULL;
	bool covers_others = false;
	for (size_t i = count; i-- > 0;) {
		struct wlr_box *box = &render_items[i].box;
		if (box->x + box->width <= 0 || box->y + box->height <= 0 ||
				box->x >= width || box->y >= height) {
			continue;
		}
		if (only == NULL) {
			only = &render_items[i];
		} else {
			covers_others = true;
			break;
		}
	}
	if (only == NULL) {
		return refuse_scanout("nothing on the output");
	}
	if (only->box.x != 0 || only->box.y != 0 ||
			only->box.width != width || only->box.height != height) {
		return refuse_scanout("the topmost surface does not cover the output exactly");
	}
	if (covers_others) {
		node_opaque_region(only);
		bool opaque = pixman_region32_contains_rectangle(&only->opaque,
			&(pixman_box32_t){0, 0, width, height}) == PIXMAN_REGION_IN;
		pixman_region32_fini(&only->opaque);
		if (!opaque) {
			return refuse_scanout("the topmost surface is translucent over others");
		}
	}
	if (software_cursor_shown(output)) {
		return refuse_scanout("the pointer's image is drawn in software over it");
	}
	struct wlr_buffer *buffer;
	struct wlr_scene_node *node = only->node;
	if (node->type == WLR_SCENE_NODE_SURFACE) {
		struct wlr_surface *surface = wlr_scene_surface_from_node(node)->surface;
		if (surface->buffer == NULL) {
			return refuse_scanout("the surface has no buffer");
		}
		if (surface->current.viewport.has_src ||
				surface->current.transform != output->transform) {
			return refuse_scanout("the surface is cropped (viewport) or transformed");
		}
		if (comp_surface_alpha(surface) < 1.0f) {
			return refuse_scanout("the surface has an alpha multiplier (wp_alpha_modifier)");
		}
		if (!comp_objects_scanout_allowed(wl_resource_get_client(surface->resource))) {
			return refuse_scanout("by rule: the client's client_limits(scanout=False)");
		}
		buffer = &surface->buffer->base;
	} else if (node->type == WLR_SCENE_NODE_BUFFER) {
		struct wlr_scene_buffer *scene_buffer = (struct wlr_scene_buffer *)node;
		if (scene_buffer->buffer == NULL || !wlr_fbox_empty(&scene_buffer->src_box) ||
				scene_buffer->transform != output->transform) {
			return refuse_scanout("the buffer node is empty, cropped or transformed");
		}
		buffer = scene_buffer->buffer;
	} else {
		return refuse_scanout("the only node is a solid rectangle");
	}
	/* Only a dma-buf: a buffer in a client's memory (wl_shm, a wl_drm memfd) on the output
	 * would be read later, unguarded, by screencopy and the recorder's threads. */
	struct wlr_dmabuf_attributes dmabuf;
	if (!wlr_buffer_get_dmabuf(buffer, &dmabuf)) {
		return refuse_scanout("the buffer is not a dma-buf (shared memory is composited)");
	}
	wlr_output_attach_buffer(output, buffer);
	if (!wlr_output_test(output)) {
		wlr_output_rollback(output);
		return refuse_scanout("the output refused the buffer (format, modifier or plane)");
	}
	if (!wlr_output_commit(output)) {
		/* The plane takes the buffer (the test passed): the commit failed for the moment
		 * (DRM: EBUSY while the last flip's work is still running, seen on virtio-gpu).
		 * A failed frame, as a composited one would be: the frame loop's failure path
		 * retries shortly; compositing instead would copy the whole buffer for nothing.
		 * Failed again on the retry: composite, so that a driver whose commits keep
		 * failing still shows new frames. */
		if (scanout_failed_on != output) {
			scanout_failed_on = output;
			return SCANOUT_FAILED;
		}
		scanout_failed_on = NULL;
		return refuse_scanout("the output's commit of the buffer failed twice in a row");
	}
	if (scanout_failed_on == output) {
		scanout_failed_on = NULL;
	}
	scanout_refusal = NULL;
	return SCANOUT_DONE;
}

static bool scene_output_commit(struct wlr_scene_output *scene_output, uint64_t *pixels_damaged,
		uint64_t *pixels_drawn);

const char *comp_scene_scanout_refusal(void) {
	return scanout_refusal;
}

/* The frame loop's commit. On pixman, what is drawn is read straight from the clients'
 * memory: inside a guard (client_memory.c), so that a client that truncated its pool's
 * file is disconnected instead of the compositor dying of SIGBUS. */
bool comp_scene_output_commit(struct wlr_scene_output *scene_output, uint64_t *pixels_damaged,
		uint64_t *pixels_drawn) {
	if (!wlr_renderer_is_pixman(scene_output->output->renderer)) {
		return scene_output_commit(scene_output, pixels_damaged, pixels_drawn);
	}
	size_t mark = comp_guard_scene(scene_output->scene);
	bool ok = scene_output_commit(scene_output, pixels_damaged, pixels_drawn);
	comp_guard_release(mark);
	return ok;
}

static bool scene_output_commit(struct wlr_scene_output *scene_output, uint64_t *pixels_damaged,
		uint64_t *pixels_drawn) {
	struct wlr_output *output = scene_output->output;
	struct wlr_renderer *renderer = output->renderer;
	if ((!wlr_renderer_is_pixman(renderer) && !wlr_renderer_is_gles2(renderer)) ||
			output->scale != 1.0f || output->transform != WL_OUTPUT_TRANSFORM_NORMAL) {
		scanout_refusal = "wlroots' own commit (scaled or rotated output, other renderer)";
		comp_scene_import_pending(scene_output->scene, renderer);
		return wlr_scene_output_commit(scene_output);
	}
	struct render_walk walk = {
		.output = output,
		.presentation = scene_output->scene->presentation,
		.viewport = {.x = scene_output->x, .y = scene_output->y},
	};
	wlr_output_effective_resolution(output, &walk.viewport.width, &walk.viewport.height);
	collect_nodes(&walk, &scene_output->scene->node, 0, 0);
	if (walk.failed) {
		scanout_refusal = "out of memory for the walk: wlroots' own commit";
		comp_scene_import_pending(scene_output->scene, renderer);
		return wlr_scene_output_commit(scene_output);
	}
	size_t count = walk.count;

	enum scanout_result tried = scene_output_try_scanout(scene_output, count);
	if (tried == SCANOUT_FAILED) {
		return false;
	}
	bool scanout = tried == SCANOUT_DONE;
	if (scanout != scene_output->prev_scanout) {
		wlr_log(WLR_DEBUG, "Direct scan-out %s", scanout ? "enabled" : "disabled");
		wlr_output_damage_add_whole(scene_output->damage);  /* leaving it: repaint all */
	}
	scene_output->prev_scanout = scanout;
	if (scanout) {
		return true;
	}

	bool needs_frame;
	pixman_region32_t damage;
	pixman_region32_init(&damage);
	if (!wlr_output_damage_attach_render(scene_output->damage, &needs_frame, &damage)) {
		pixman_region32_fini(&damage);
		return false;
	}
	if (!needs_frame) {
		pixman_region32_fini(&damage);
		wlr_output_rollback(output);
		return true;
	}
	/* As wlroots: the scene's new buffers become textures before the frame begins. */
	comp_scene_import_pending(scene_output->scene, renderer);

	/* Top down: each node gets the damage no opaque node above it covers. */
	pixman_region32_t uncovered;
	pixman_region32_init(&uncovered);
	pixman_region32_copy(&uncovered, &damage);
	for (size_t i = count; i-- > 0;) {
		struct render_item *item = &render_items[i];
		pixman_region32_init_rect(&item->visible, item->box.x, item->box.y,
			item->box.width, item->box.height);
		pixman_region32_intersect(&item->visible, &item->visible, &uncovered);
		if (pixman_region32_not_empty(&item->visible)) {
			node_opaque_region(item);
			pixman_region32_subtract(&uncovered, &uncovered, &item->opaque);
		} else {
			pixman_region32_init(&item->opaque);  /* nothing to paint: no need to know */
		}
	}

	wlr_renderer_begin(renderer, output->width, output->height);
	uint64_t drawn = region_area(&uncovered);
	comp_output_clear(output, &uncovered);
	pixman_image_t *target = wlr_renderer_is_pixman(renderer) ?
		wlr_pixman_renderer_get_current_image(renderer) : NULL;
	for (size_t i = 0; i < count; i++) {
		struct render_item *item = &render_items[i];
		if (pixman_region32_not_empty(&item->visible)) {
			drawn += region_area(&item->visible);
			render_item_draw(item, output, target);
			wlr_renderer_scissor(renderer, NULL);
		}
		pixman_region32_fini(&item->visible);
		pixman_region32_fini(&item->opaque);
	}
	pixman_region32_fini(&uncovered);
	wlr_output_render_software_cursors(output, &damage);
	wlr_renderer_end(renderer);
	*pixels_damaged += region_area(&damage);
	pixman_region32_fini(&damage);
	*pixels_drawn += drawn;

	pixman_region32_t frame_damage;
	pixman_region32_init(&frame_damage);
	pixman_region32_copy(&frame_damage, &scene_output->damage->current);
	wlr_output_set_damage(output, &frame_damage);
	pixman_region32_fini(&frame_damage);
	return wlr_output_commit(output);
}
