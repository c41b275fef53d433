/* The scene graph's size: see scene_count.h. */
#include <wlr/types/wlr_scene.h>
#include "scene_count.h"

/* Every node of the scene graph, enabled or not, the root included: a C-side count that
 * must come back to its baseline when windows close (a window's scene tree, its surfaces'
 * nodes, its title bar and dialogs' nodes are destroyed with it). Python's object counts do
 * not see these: a tree left behind holds no Python object. */
static uint64_t scene_count_subtree(struct wlr_scene_node *node) {
	uint64_t count = 1;
	struct wlr_scene_node *child;
	wl_list_for_each(child, &node->state.children, state.link) {
		count += scene_count_subtree(child);
	}
	return count;
}

uint64_t comp_scene_node_count(struct wlr_scene *scene) {
	return scene_count_subtree(&scene->node);
}
