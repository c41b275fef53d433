/* --disable-global: a wl_display global filter that hides the named interfaces from every
 * client (libwayland consults it for each global a registry would announce or bind). */
#pragma once

struct wl_display;

void comp_globals_disable(struct wl_display *display, const char *interface);
