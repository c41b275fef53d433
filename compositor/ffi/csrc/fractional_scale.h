/* wp_fractional_scale_manager_v1 (wlroots 0.15 lacks it): each surface that asks is told
 * its preferred scale, in 120ths: the highest scale of the outputs it is on (those the
 * scene sent it wl_surface.enter for), or, before it is on any, the highest of all outputs.
 * Told again when that changes: at its commits (the scene has entered it into outputs by
 * then) and when an output's scale or the layout changes (csrc/fractional_scale.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wl_display;
struct wlr_output_layout;
struct wlr_surface;
struct comp_fractional_scale_manager;
struct comp_fractional_scale_manager *comp_fractional_scale_manager_create(
	struct wl_display *display, struct wlr_output_layout *layout);
void comp_fractional_scale_manager_destroy(struct comp_fractional_scale_manager *manager);
/* Look at every surface again (a window mapped or moved to another output). */
void comp_fractional_scale_refresh(struct comp_fractional_scale_manager *manager);
/* The last preferred scale sent for the surface (120ths), 0 when none. */
uint32_t comp_fractional_scale_sent(struct comp_fractional_scale_manager *manager,
	struct wlr_surface *surface);
