/* xdg-activation-v1's events, read for Python (csrc/xdg_activation.c; the global is made
 * through cdef/xdg_activation.h). */
#pragma once
#include <stdbool.h>

struct wlr_surface;
struct wlr_xdg_activation_v1;

/* &activation->events.request_activate, as void * for pywayland's Signal. */
void *comp_activation_request_signal(struct wlr_xdg_activation_v1 *activation);
/* From a wlr_xdg_activation_v1_request_activate_event: the surface to activate, and whether
 * its token was made with a seat and the serial of an input event (a user's action). */
struct wlr_surface *comp_activation_event_surface(void *event);
bool comp_activation_event_from_input(void *event);
