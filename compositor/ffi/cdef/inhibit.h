/* keyboard-shortcuts-inhibit v1 (wlroots 0.15; pywlroots 0.15.24 has no binding; the rest
 * is in csrc/inhibit.h). */
#include <wlr/types/wlr_keyboard_shortcuts_inhibit_v1.h>
struct wlr_keyboard_shortcuts_inhibit_manager_v1 *wlr_keyboard_shortcuts_inhibit_v1_create(
	struct wl_display *display);
void wlr_keyboard_shortcuts_inhibitor_v1_activate(
	struct wlr_keyboard_shortcuts_inhibitor_v1 *inhibitor);
void wlr_keyboard_shortcuts_inhibitor_v1_deactivate(
	struct wlr_keyboard_shortcuts_inhibitor_v1 *inhibitor);
