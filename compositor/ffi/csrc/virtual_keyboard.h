/* wlroots 0.15 leaks each virtual keyboard's wlr_keyboard (352 bytes): the
 * zwp_virtual_keyboard_v1 code callocs it, and its keyboard_impl.destroy, which
 * wlr_keyboard_destroy calls in place of free, does nothing (wlroots 0.16 embeds the
 * keyboard instead). Every wtype run, on-screen keyboard or IME that makes one cost the
 * session that much for good. comp_virtual_keyboard_free_when_gone frees it once the
 * virtual keyboard is gone: from an idle callback after its destroy signal, when
 * wlr_keyboard_destroy has finished with it and the seat and every listener have let go.
 * False: out of memory (the keyboard then leaks as before). */
#pragma once
#include <stdbool.h>

struct wl_display;
struct wlr_virtual_keyboard_v1;
bool comp_virtual_keyboard_free_when_gone(struct wl_display *display,
		struct wlr_virtual_keyboard_v1 *keyboard);
