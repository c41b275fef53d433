"""text-input v3 and input-method v2: an input method (an IME: fcitx5, or a virtual keyboard
like squeekboard) writes into the focused application.

The relay is C (``csrc/text_input.c``, as sway 1.7's): the text inputs of the client with
the keyboard focus enter while an input method is there; one that the client enables
activates the input method, which gets the surrounding text and content type the client
commits; what the input method commits (preedit, committed string, deletion) goes to the
focused, enabled text input. When the input method grabs the keyboard, key events go to it
instead of the focused client (:meth:`TextInputRelay.keyboard_grab`), except those of its
own virtual keyboard, which is how it types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compositor.ffi import ffi, lib, to_native

if TYPE_CHECKING:
    from pywayland.server import Display
    from wlroots.wlr_types import InputDevice, Seat


class TextInputRelay:
    def __init__(self, display: Display, wlr_seat: Seat) -> None:
        self.relay = lib.comp_im_relay_create(
            to_native(display, "struct wl_display *"),
            to_native(wlr_seat, "struct wlr_seat *"),
        )
        if self.relay == ffi.NULL:
            raise RuntimeError("wlroots could not create the text-input/input-method globals")
        self._state = ffi.new("struct comp_im_relay_state *")

    def destroy(self) -> None:
        lib.comp_im_relay_destroy(self.relay)
        self.relay = ffi.NULL

    def keyboard_grab(self, device: InputDevice) -> Any:
        """The input method's keyboard grab that takes this device's keys, or None."""
        grab = lib.comp_im_relay_keyboard_grab(
            self.relay, to_native(device, "struct wlr_input_device *")
        )
        return None if grab == ffi.NULL else grab

    def send_key(self, grab: Any, device: InputDevice, time_msec: int, key: int, state: int):
        lib.comp_im_grab_send_key(
            grab, to_native(device, "struct wlr_input_device *"), time_msec, key, state
        )

    def send_modifiers(self, grab: Any, device: InputDevice) -> None:
        lib.comp_im_grab_send_modifiers(grab, to_native(device, "struct wlr_input_device *"))

    def describe(self) -> dict:
        lib.comp_im_relay_get_state(self.relay, self._state)
        state = self._state
        return {
            "text_inputs": state.text_inputs,
            "text_inputs_enabled": state.enabled,
            "input_method": bool(state.input_method),
            "input_method_keyboard_grab": bool(state.keyboard_grab),
            "input_method_commits": state.commits,
        }
