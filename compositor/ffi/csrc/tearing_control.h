/* wp_tearing_control_manager_v1 (wlroots 0.15 lacks it): each surface's presentation hint,
 * stored and shown in `views` (presentation_hint); not honoured, since wlroots 0.15 has no
 * asynchronous page flip (csrc/tearing_control.c). Freed with the display. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct wl_display;
struct wlr_surface;
struct comp_tearing_manager;
struct comp_tearing_manager *comp_tearing_manager_create(struct wl_display *display);
/* The committed hint: 0 vsync (also: no object), 1 async. */
uint32_t comp_tearing_hint(struct wlr_surface *surface);
