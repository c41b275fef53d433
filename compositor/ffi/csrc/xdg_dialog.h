/* xdg_wm_dialog_v1 (wlroots 0.15 lacks it): whether a toplevel is a modal dialog (at once,
 * not double-buffered; off again when its xdg_dialog_v1 goes). Transients are placed over
 * their parent for every toplevel with a parent (shell/window_manager.py); a modal one also
 * takes the focus its parent would get. csrc/xdg_dialog.c; freed with the display. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct wl_display;
struct wlr_surface;
struct comp_dialog_manager;
struct comp_dialog_manager *comp_dialog_manager_create(struct wl_display *display);
bool comp_dialog_modal(struct wlr_surface *surface);
