/* wlroots 0.15's xdg-decoration and a window gone before its first commit: every
 * wl_surface's destroy is watched, and a decoration of that surface that was never
 * announced is destroyed with it (csrc/xdg_decoration_guard.c explains). */
#pragma once
#include <stdbool.h>

struct wlr_compositor;
struct wlr_xdg_decoration_manager_v1;

bool comp_xdg_decoration_guard(struct wlr_compositor *compositor,
	struct wlr_xdg_decoration_manager_v1 *manager);
