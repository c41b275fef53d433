/* Scene nodes' place and parent (wlroots 0.15; pywlroots 0.15.24 lacks them). */
#include <wlr/types/wlr_scene.h>
/* Layout coordinates of a node; false when it or an ancestor is disabled. */
bool wlr_scene_node_coords(struct wlr_scene_node *node, int *lx, int *ly);
/* Move a node (and its children) under another parent, on top of its new siblings. */
void wlr_scene_node_reparent(struct wlr_scene_node *node, struct wlr_scene_node *new_parent);
