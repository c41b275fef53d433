/* Scene-graph pieces pywlroots 0.15.24 does not bind: trees (the stacking layers), the
 * surface tree of a layer-shell surface, enabling and destroying nodes. */
#include <wlr/types/wlr_scene.h>
struct wlr_scene_node;
struct wlr_scene_tree;
struct wlr_surface;
struct wlr_buffer;
struct wlr_scene_rect;
struct wlr_scene_buffer;

struct wlr_scene_tree *wlr_scene_tree_create(struct wlr_scene_node *parent);
struct wlr_scene_node *wlr_scene_subsurface_tree_create(struct wlr_scene_node *parent,
	struct wlr_surface *surface);
void wlr_scene_node_set_enabled(struct wlr_scene_node *node, bool enabled);
void wlr_scene_node_set_position(struct wlr_scene_node *node, int x, int y);
void wlr_scene_node_destroy(struct wlr_scene_node *node);
/* Nodes of the compositor's own (the window switcher, shell/switcher.py). */
struct wlr_scene_rect *wlr_scene_rect_create(struct wlr_scene_node *parent, int width,
	int height, const float color[4]);
void wlr_scene_rect_set_color(struct wlr_scene_rect *rect, const float color[4]);
struct wlr_scene_buffer *wlr_scene_buffer_create(struct wlr_scene_node *parent,
	struct wlr_buffer *buffer);
