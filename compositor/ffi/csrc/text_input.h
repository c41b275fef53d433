/* text-input v3 and input-method v2 (pywlroots 0.15.24 binds neither): a relay between the
 * text inputs of the focused client and the one input method of the seat (an IME), in C
 * like sway 1.7's (compositor/input/text_input.py drives it; csrc/text_input.c). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct wl_display;
struct wlr_input_device;
struct comp_im_relay;
struct wlr_seat;
struct wlr_input_method_keyboard_grab_v2;
/* Creates both globals and the relay on `seat`; NULL when out of memory. */
struct comp_im_relay *comp_im_relay_create(struct wl_display *display, struct wlr_seat *seat);
/* Before the display goes: removes every listener, frees the relay. */
void comp_im_relay_destroy(struct comp_im_relay *relay);
/* The input method's keyboard grab that should get this device's keys, or NULL: none, or
 * the device is the input method's own virtual keyboard (what it types goes to clients). */
struct wlr_input_method_keyboard_grab_v2 *comp_im_relay_keyboard_grab(
	struct comp_im_relay *relay, struct wlr_input_device *device);
void comp_im_grab_send_key(struct wlr_input_method_keyboard_grab_v2 *grab,
	struct wlr_input_device *device, uint32_t time_msec, uint32_t keycode, uint32_t state);
void comp_im_grab_send_modifiers(struct wlr_input_method_keyboard_grab_v2 *grab,
	struct wlr_input_device *device);
/* What the relay holds (the input-protocols command): text inputs (how many enabled),
 * whether an input method is there and grabs the keyboard, its commits relayed. */
struct comp_im_relay_state {
	int text_inputs;
	int enabled;
	bool input_method;
	bool keyboard_grab;
	uint32_t commits;
};
void comp_im_relay_get_state(struct comp_im_relay *relay, struct comp_im_relay_state *state);
