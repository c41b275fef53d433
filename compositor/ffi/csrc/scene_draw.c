/* A scene subtree drawn outside the scene's own rendering: see comp_scene_draw in
 * internal.h. One walk for both renderers' screen sharing; what each draws with is theirs. */
#include <stdbool.h>
#include <wlr/render/wlr_texture.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/util/box.h>
#include "internal.h"

static struct wlr_texture *buffer_texture(const struct comp_scene_draw *draw,
		struct wlr_scene_buffer *scene_buffer) {
	if (draw->make_textures != NULL) {
		return comp_scene_buffer_texture(scene_buffer, draw->make_textures);
	}
	struct wlr_client_buffer *client = scene_buffer->buffer != NULL ?
		wlr_client_buffer_get(scene_buffer->buffer) : NULL;
	return client != NULL ? client->texture : scene_buffer->texture;
}

static void draw_node(const struct comp_scene_draw *draw, struct wlr_scene_node *node,
		int x, int y, bool root) {
	if (!root) {
		if (!node->state.enabled) {
			return;
		}
		x += node->state.x;
		y += node->state.y;
	}
	int width = 0, height = 0;
	comp_scene_node_size(node, &width, &height);
	if (width > 0 && height > 0) {
		struct wlr_box box = {x, y, width, height};
		if (node->type == WLR_SCENE_NODE_RECT) {
			draw->rect(draw->data, ((struct wlr_scene_rect *)node)->color, &box);
		} else if (node->type == WLR_SCENE_NODE_SURFACE) {
			struct wlr_surface *surface = wlr_scene_surface_from_node(node)->surface;
			struct wlr_fbox src;
			wlr_surface_get_buffer_source_box(surface, &src);
			draw->texture(draw->data, wlr_surface_get_texture(surface), &src,
				surface->current.transform, &box, comp_surface_alpha(surface));
		} else if (node->type == WLR_SCENE_NODE_BUFFER) {
			struct wlr_scene_buffer *scene_buffer = (struct wlr_scene_buffer *)node;
			draw->texture(draw->data, buffer_texture(draw, scene_buffer),
				&scene_buffer->src_box, scene_buffer->transform, &box, 1.0f);
		}
	}
	struct wlr_scene_node *child;
	wl_list_for_each(child, &node->state.children, state.link) {
		draw_node(draw, child, x, y, false);
	}
}

void comp_scene_draw_walk(const struct comp_scene_draw *draw, struct wlr_scene_node *root,
		int x, int y) {
	draw_node(draw, root, x, y, true);
}
