#include <stdlib.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_surface.h>
#include "internal.h"
#include "scene_input.h"

/* The tag in wlr_scene_node.data of a window's tree: only its address matters. */
static const char comp_view_tree_tag;

struct wlr_scene_node *comp_view_tree_create(struct wlr_scene_node *parent) {
	struct wlr_scene_tree *tree = wlr_scene_tree_create(parent);
	if (tree == NULL) {
		return NULL;
	}
	tree->node.data = (void *)&comp_view_tree_tag;
	return &tree->node;
}

/* The tag of a tree input passes through, with everything in it (drag icons: the drop
 * target is what lies under the icon). */
static const char comp_no_input_tag;

void comp_scene_input_pass_through(struct wlr_scene_node *node) {
	node->data = (void *)&comp_no_input_tag;
}

static bool is_view_tree(struct wlr_scene_node *node) {
	return node->type == WLR_SCENE_NODE_TREE && node->data == &comp_view_tree_tag;
}

static void node_size(struct wlr_scene_node *node, int *width, int *height) {
	*width = *height = 0;
	if (node->type == WLR_SCENE_NODE_RECT) {
		struct wlr_scene_rect *rect = (struct wlr_scene_rect *)node;
		*width = rect->width;
		*height = rect->height;
	} else if (node->type == WLR_SCENE_NODE_BUFFER) {
		struct wlr_scene_buffer *buffer = (struct wlr_scene_buffer *)node;
		if (buffer->dst_width > 0 && buffer->dst_height > 0) {
			*width = buffer->dst_width;
			*height = buffer->dst_height;
		} else if (buffer->buffer != NULL) {
			*width = buffer->buffer->width;
			*height = buffer->buffer->height;
		}
	}
}

/* wlr_scene_node_at (wlroots 0.15), except that rects and buffers outside windows take no
 * input. (lx, ly) are relative to node's parent. */
static struct wlr_scene_node *input_node_at(struct wlr_scene_node *node, double lx,
		double ly, bool in_view, double *nx, double *ny) {
	if (!node->state.enabled || node->data == &comp_no_input_tag) {
		return NULL;
	}
	lx -= node->state.x;
	ly -= node->state.y;
	in_view = in_view || is_view_tree(node);
	struct wlr_scene_node *child;
	wl_list_for_each_reverse(child, &node->state.children, state.link) {
		struct wlr_scene_node *found = input_node_at(child, lx, ly, in_view, nx, ny);
		if (found != NULL) {
			return found;
		}
	}
	bool hit = false;
	if (node->type == WLR_SCENE_NODE_SURFACE) {
		struct wlr_scene_surface *scene_surface = wlr_scene_surface_from_node(node);
		hit = wlr_surface_point_accepts_input(scene_surface->surface, lx, ly);
	} else if (in_view &&
			(node->type == WLR_SCENE_NODE_RECT || node->type == WLR_SCENE_NODE_BUFFER)) {
		int width, height;
		node_size(node, &width, &height);
		hit = lx >= 0 && lx < width && ly >= 0 && ly < height;
	}
	if (!hit) {
		return NULL;
	}
	*nx = lx;
	*ny = ly;
	return node;
}

struct wlr_surface *comp_scene_input_at(struct wlr_scene_node *root, double lx, double ly,
		double *sx, double *sy, struct wlr_scene_node **node,
		struct wlr_scene_node **view_tree) {
	*sx = *sy = 0;
	*view_tree = NULL;
	*node = input_node_at(root, lx, ly, false, sx, sy);
	if (*node == NULL) {
		return NULL;
	}
	for (struct wlr_scene_node *up = *node; up != NULL; up = up->parent) {
		if (is_view_tree(up)) {
			*view_tree = up;
			break;
		}
	}
	if ((*node)->type != WLR_SCENE_NODE_SURFACE) {
		return NULL;
	}
	return wlr_scene_surface_from_node(*node)->surface;
}

struct comp_node_ref {
	struct wlr_scene_node *node;
	struct wl_listener destroy;
};

static void node_ref_handle_destroy(struct wl_listener *listener, void *data) {
	struct comp_node_ref *ref = wl_container_of(listener, ref, destroy);
	wl_list_remove(&ref->destroy.link);
	wl_list_init(&ref->destroy.link);
	ref->node = NULL;
}

struct comp_node_ref *comp_node_ref_create(void) {
	struct comp_node_ref *ref = calloc(1, sizeof(*ref));
	if (ref == NULL) {
		return NULL;
	}
	ref->destroy.notify = node_ref_handle_destroy;
	wl_list_init(&ref->destroy.link);
	return ref;
}

void comp_node_ref_set(struct comp_node_ref *ref, struct wlr_scene_node *node) {
	wl_list_remove(&ref->destroy.link);
	wl_list_init(&ref->destroy.link);
	ref->node = node;
	if (node != NULL) {
		wl_signal_add(&node->events.destroy, &ref->destroy);
	}
}

struct wlr_scene_node *comp_node_ref_get(struct comp_node_ref *ref) {
	return ref->node;
}

void comp_node_ref_destroy(struct comp_node_ref *ref) {
	if (ref == NULL) {
		return;
	}
	wl_list_remove(&ref->destroy.link);
	free(ref);
}
