/* wp_content_type_manager_v1 (wlroots 0.15 lacks it): a client says what a surface shows
 * (none, photo, video, game), double-buffered like the rest of its state; `views` shows it,
 * as sway's tree does (csrc/content_type.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wl_display;
struct wlr_surface;
struct comp_content_type_manager;
struct comp_content_type_manager *comp_content_type_manager_create(struct wl_display *display);
void comp_content_type_manager_destroy(struct comp_content_type_manager *manager);
/* The surface's committed content type: 0 none (also: no content type object), 1 photo,
 * 2 video, 3 game. */
uint32_t comp_content_type_get(struct comp_content_type_manager *manager,
	struct wlr_surface *surface);
