/* The scene graph's size (csrc/scene_count.c), for the ``stats`` command's scene_nodes. */
#pragma once
#include <stdint.h>

struct wlr_scene;

uint64_t comp_scene_node_count(struct wlr_scene *scene);
