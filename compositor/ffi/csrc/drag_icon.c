/* Drag icons: see drag_icon.h. */
#include <stdlib.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_surface.h>
#include "drag_icon.h"
#include "internal.h"

struct comp_drag_icon {
	struct wlr_scene_tree *tree;          /* at the pointer; input passes through */
	struct wlr_scene_node *surface_tree;  /* the icon's surfaces, at its offset */
	struct wlr_surface *surface;          /* NULL once destroyed */
	int dx, dy;                           /* the offset the client gave with its attaches */
	struct wl_listener commit;
	struct wl_listener surface_destroy;
	struct wl_listener tree_destroy;
};

static void drag_icon_handle_commit(struct wl_listener *listener, void *data) {
	struct comp_drag_icon *icon = wl_container_of(listener, icon, commit);
	icon->dx += icon->surface->current.dx;
	icon->dy += icon->surface->current.dy;
	wlr_scene_node_set_position(icon->surface_tree, icon->dx, icon->dy);
}

static void drag_icon_forget_surface(struct comp_drag_icon *icon) {
	if (icon->surface != NULL) {
		wl_list_remove(&icon->commit.link);
		wl_list_remove(&icon->surface_destroy.link);
		icon->surface = NULL;
	}
}

static void drag_icon_handle_surface_destroy(struct wl_listener *listener, void *data) {
	struct comp_drag_icon *icon = wl_container_of(listener, icon, surface_destroy);
	drag_icon_forget_surface(icon);  /* its scene nodes go with it (wlroots) */
}

static void drag_icon_handle_tree_destroy(struct wl_listener *listener, void *data) {
	struct comp_drag_icon *icon = wl_container_of(listener, icon, tree_destroy);
	drag_icon_forget_surface(icon);
	wl_list_remove(&icon->tree_destroy.link);
	free(icon);
}

struct wlr_scene_node *comp_drag_icon_tree_create(struct wlr_scene_node *parent,
		struct wlr_surface *surface) {
	struct comp_drag_icon *icon = calloc(1, sizeof(*icon));
	if (icon == NULL) {
		return NULL;
	}
	icon->tree = wlr_scene_tree_create(parent);
	if (icon->tree == NULL) {
		free(icon);
		return NULL;
	}
	comp_scene_input_pass_through(&icon->tree->node);
	icon->surface_tree = wlr_scene_subsurface_tree_create(&icon->tree->node, surface);
	if (icon->surface_tree == NULL) {
		wlr_scene_node_destroy(&icon->tree->node);
		free(icon);
		return NULL;
	}
	icon->surface = surface;
	icon->commit.notify = drag_icon_handle_commit;
	wl_signal_add(&surface->events.commit, &icon->commit);
	icon->surface_destroy.notify = drag_icon_handle_surface_destroy;
	wl_signal_add(&surface->events.destroy, &icon->surface_destroy);
	icon->tree_destroy.notify = drag_icon_handle_tree_destroy;
	wl_signal_add(&icon->tree->node.events.destroy, &icon->tree_destroy);
	return &icon->tree->node;
}
