/* xdg-activation-v1 (wlroots 0.15 has it; pywlroots 0.15.24 does not bind it). */
#include <wlr/types/wlr_xdg_activation_v1.h>
struct wlr_xdg_activation_v1;
struct wlr_xdg_activation_v1 *wlr_xdg_activation_v1_create(struct wl_display *display);
