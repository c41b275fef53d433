/* The scene graph's size (csrc/96_scene_count.c), for the ``stats`` command's scene_nodes. */
uint64_t comp_scene_node_count(struct wlr_scene *scene);
