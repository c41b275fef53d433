/* Scene-graph pieces pywlroots 0.15.24 does not bind: trees (the stacking layers), the
 * surface tree of a layer-shell surface, enabling and destroying nodes. */
struct wlr_scene_node;
struct wlr_scene_tree;
struct wlr_surface;

struct wlr_scene_tree *wlr_scene_tree_create(struct wlr_scene_node *parent);
struct wlr_scene_node *wlr_scene_subsurface_tree_create(struct wlr_scene_node *parent,
	struct wlr_surface *surface);
void wlr_scene_node_set_enabled(struct wlr_scene_node *node, bool enabled);
void wlr_scene_node_set_position(struct wlr_scene_node *node, int x, int y);
void wlr_scene_node_destroy(struct wlr_scene_node *node);
