"""Virtual input: zwp_virtual_keyboard_v1 (wtype, on-screen keyboards) and
zwlr_virtual_pointer_v1 (ydotool-like tools, wayvnc). Their devices join the seat like the
backend's, and go when the client destroys them or disconnects (a virtual keyboard's
wlr_keyboard, which wlroots 0.15 never frees, freed with it: ffi/csrc/virtual_keyboard.h)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from pywayland.server import Listener
from wlroots.wlr_types.virtual_keyboard_v1 import VirtualKeyboardManagerV1, VirtualKeyboardV1
from wlroots.wlr_types.virtual_pointer_v1 import (
    VirtualPointerManagerV1,
    VirtualPointerV1NewPointerEvent,
)

from compositor.ffi import lib, to_native
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from pywayland.server import Display
    from wlroots.wlr_types import InputDevice

log = logging.getLogger(__name__)


class VirtualInput:
    def __init__(self, display: Display, add_input_device: Callable[[InputDevice], None]) -> None:
        """``add_input_device``: the seat's; a device joins it."""
        self.add_input_device = add_input_device
        self._display = to_native(display, "struct wl_display *")
        self.keyboard_manager = VirtualKeyboardManagerV1(display)
        self.pointer_manager = VirtualPointerManagerV1(display)
        self._listeners = Listeners(
            (self.keyboard_manager.new_virtual_keyboard_event, self._on_keyboard),
            (self.pointer_manager.new_virtual_pointer_event, self._on_pointer),
        )

    def _on_keyboard(self, listener: Listener, keyboard: VirtualKeyboardV1) -> None:
        native = to_native(keyboard, "struct wlr_virtual_keyboard_v1 *")
        if not lib.comp_virtual_keyboard_free_when_gone(self._display, native):
            log.warning("out of memory: this virtual keyboard's memory stays when it goes")
        self.add_input_device(keyboard.input_device)

    def _on_pointer(self, listener: Listener, event: VirtualPointerV1NewPointerEvent) -> None:
        self.add_input_device(event.new_pointer.input_device)

    def destroy(self) -> None:
        self._listeners.remove_all()
