/* Input through the scene graph (hit testing, the pointer's implicit grab) and the scene
 * tree each window lives in (cdef/scene.h has the other tree functions). */
#pragma once
#include <stdbool.h>

struct wlr_scene_node;
struct wlr_surface;

/* A scene tree under `parent` that holds one window: tagged, so that a hit below it finds
 * its way up to the window. Returns the tree's node, NULL when out of memory. */
struct wlr_scene_node *comp_view_tree_create(struct wlr_scene_node *parent);

/* The topmost enabled node under layout point (lx, ly) that takes input: a client surface
 * (where its input region accepts the point), or any node inside a window's tree (the
 * compositor's own decorations). Other nodes (the recording indicator, overlays) let input
 * through, and so do trees made to let it (comp_scene_input_pass_through: drag icons).
 * Returns the surface (NULL when the node is no surface, or nothing is there) and sets
 * *sx, *sy to the node-local coordinates, *node to the node and *view_tree to the window
 * tree above it (NULL: no window's, e.g. a layer surface). */
struct wlr_surface *comp_scene_input_at(struct wlr_scene_node *root, double lx, double ly,
	double *sx, double *sy, struct wlr_scene_node **node, struct wlr_scene_node **view_tree);

/* A scene node pointer that turns NULL when the node is destroyed (the pointer's implicit
 * grab holds the node of the surface that got the press). */
struct comp_node_ref;
struct comp_node_ref *comp_node_ref_create(void);
void comp_node_ref_set(struct comp_node_ref *ref, struct wlr_scene_node *node);
struct wlr_scene_node *comp_node_ref_get(struct comp_node_ref *ref);
void comp_node_ref_destroy(struct comp_node_ref *ref);
