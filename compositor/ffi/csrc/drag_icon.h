/* Drag icons (input/drag.py; csrc/drag_icon.c): the icon surface of a wl_data_device drag, in
 * a scene tree that input passes through (hit testing finds what is under the icon, the
 * drop target). The tree goes at the pointer; the icon's surfaces sit at the offset its
 * attaches gave (a hotspot). Destroying the returned node frees everything; the icon's
 * surface may go first. NULL when out of memory. */
#pragma once

struct wlr_scene_node;
struct wlr_surface;

struct wlr_scene_node *comp_drag_icon_tree_create(struct wlr_scene_node *parent,
	struct wlr_surface *surface);
