/* xdg_toplevel_icon_manager_v1 (wlroots 0.15 lacks it): a toplevel's icon, from wl_shm
 * buffers (argb8888/xrgb8888, square, copied when added) or a name (kept, not looked up);
 * applied at the toplevel's commit, after which comp_py_toplevel_icon is called and the
 * title bar shows it (csrc/toplevel_icon.c, shell/decorations.py). Freed with the
 * display. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct wl_display;
struct wlr_surface;
struct comp_icon_manager;
struct comp_icon_manager *comp_icon_manager_create(struct wl_display *display);
/* The committed icon's pixels nearest `wanted` pixels a side (the smallest at least that
 * big, else the largest): premultiplied ARGB8888, *size x *size; NULL (and *size 0) when it
 * has none. Valid until the toplevel's next commit. */
const uint32_t *comp_toplevel_icon_pixels(struct wlr_surface *surface, int wanted, int *size);
/* The committed icon's name, NULL when none. */
const char *comp_toplevel_icon_name(struct wlr_surface *surface);
