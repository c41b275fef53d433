/* wp_alpha_modifier_v1 (wlroots 0.15 lacks it): a surface's alpha multiplier, double-
 * buffered; the frame path (csrc/scene_render.c) blends the surface with it on pixman and
 * GLES2 (no direct scan-out, no opaque region while below 1). Outputs drawn by wlroots' own
 * commit (scaled or rotated ones) ignore it. csrc/alpha_modifier.c. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct wl_display;
struct wlr_scene;
struct wlr_surface;
struct comp_alpha_manager;

/* One a process (NULL on a second call); freed with the display. `scene`: whose outputs
 * are repainted when a multiplier changes. */
struct comp_alpha_manager *comp_alpha_manager_create(struct wl_display *display,
	struct wlr_scene *scene);
/* The surface's committed multiplier, 0 to 1 (1: none). */
float comp_alpha_of(struct wlr_surface *surface);
