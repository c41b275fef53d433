"""One keyboard device: keymap from the XKB_DEFAULT_* environment, repeat, bindings.

A key press that runs a binding reaches no client, and neither does its release: clients
only ever see a release after its press (Alt+F4's F4, Alt+Tab's Tab). Keyboard focus
changes tell the newly focused client only about keys whose press a client saw.
Every key is activity (idle); while the focused client inhibits shortcuts, or a client
inhibits input, only the way-out bindings run and the other keys reach the client. While an
input method (IME) grabs the keyboard, keys and modifiers that run no binding go to it.
Escape during a drag and drop cancels it.

Keys run in C while nothing needs Python (ffi/csrc/keyboard_keys.h): a key that is not
bound goes to the focused client with no Python; Python decides bound keys, Escape during a
drag, keys an input method grabs, releases of presses it took, and every key while the
window switcher is open or bindings are restricted (:meth:`SeatManager.sync_key_path`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from pywayland.protocol.wayland import WlKeyboard
from pywayland.server import Listener
from wlroots import ffi as wlr_ffi
from wlroots import lib as wlr_lib
from wlroots.wlr_types import InputDevice
from wlroots.wlr_types.keyboard import KeyboardKeyEvent
from xkbcommon import xkb

from compositor.ffi import ffi, lib, to_native, to_wlroots
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from wlroots.wlr_types import Seat

    from compositor.input.bindings import Bindings
    from compositor.input.drag import DragAndDrop
    from compositor.input.text_input import TextInputRelay

log = logging.getLogger(__name__)

REPEAT_RATE = 25  # keys per second
REPEAT_DELAY = 600  # ms
XKB_KEY_ESCAPE = 0xFF1B


@ffi.def_extern()
def comp_py_keyboard(handle: object, kind: int, event: object) -> None:
    ffi.from_handle(handle).from_c(kind, event)


class KeyboardSeat(Protocol):
    """What a keyboard asks of its seat (input/seat.py's ``SeatManager``)."""

    wlr_seat: Seat
    bindings: Bindings  # key presses, before any client
    text_input: TextInputRelay  # an input method's keyboard grab
    drag: DragAndDrop  # Escape cancels it
    keys_of_gone_keyboards: dict[str, int]  # the C key path's counters, added when it goes

    def notify_activity(self) -> None: ...

    def bindings_restricted(self) -> bool: ...

    def configure_key_path(self, keys: Any) -> None: ...

    def sync_key_path(self) -> None: ...

    def keyboard_removed(self, handler: KeyboardHandler) -> None: ...


class KeyboardHandler:
    def __init__(self, seat: KeyboardSeat, device: InputDevice) -> None:
        self.seat = seat
        self.device = device
        self.keyboard = device.keyboard
        # Layout, variant and options come from XKB_DEFAULT_LAYOUT etc., as in other
        # wlroots compositors.
        keymap = xkb.Context().keymap_new_from_names()
        self.keyboard.set_keymap(keymap)
        # Sent to clients, which repeat keys themselves.
        self.keyboard.set_repeat_info(REPEAT_RATE, REPEAT_DELAY)
        self.grabbed: list[int] = []  # those whose press went to an input method's grab
        # Key and modifiers events are the C key path's; it hands Python what it must decide.
        self._handle = ffi.new_handle(self)
        self.keys = lib.comp_keyboard_keys_create(
            to_native(seat.wlr_seat, "struct wlr_seat *"),
            to_native(device, "struct wlr_input_device *"),
            self._handle,
        )
        if self.keys == ffi.NULL:
            raise MemoryError("cannot create a keyboard's key path")
        seat.configure_key_path(self.keys)
        self._listeners = Listeners((device.destroy_event, self._on_destroy))

    @property
    def sent(self) -> list[int]:
        """Evdev keycodes held whose press went to the seat (a client saw it)."""
        keys = self.keys
        if keys == ffi.NULL:
            return []
        return [keys.sent[i] for i in range(keys.n_sent)]

    def from_c(self, kind: int, event: object) -> None:
        if kind == lib.COMP_KEYBOARD_KEY:
            self._on_key(
                None, KeyboardKeyEvent(to_wlroots(event, "struct wlr_event_keyboard_key *"))
            )
        elif kind == lib.COMP_KEYBOARD_MODIFIERS:
            self._on_modifiers(None, None)
        self.seat.sync_key_path()  # a binding may have opened or closed the window switcher

    def _on_modifiers(self, listener: Listener | None, data: object) -> None:
        text_input = self.seat.text_input
        grab = text_input.keyboard_grab(self.device)
        if grab is not None:  # an input method (IME) has the keyboard
            text_input.send_modifiers(grab, self.device)
            return
        self.seat.wlr_seat.set_keyboard(self.device)
        self.seat.wlr_seat.keyboard_notify_modifiers(self.keyboard.modifiers)
        self.seat.bindings.modifiers_changed(self.keyboard.modifier)

    def _on_key(self, listener: Listener | None, event: KeyboardKeyEvent) -> None:
        keycode = event.keycode
        self.seat.notify_activity()
        if event.state == WlKeyboard.key_state.pressed:
            keysyms = self._keysyms(keycode + 8)  # evdev -> xkb keycode
            if XKB_KEY_ESCAPE in keysyms and (
                self.seat.drag.cancel() or self.seat.bindings.cancel()
            ):
                return  # Escape cancels a drag and drop, or the window switcher
            restricted = self.seat.bindings_restricted()
            if self.seat.bindings.handle(self.keyboard.modifier, keysyms, restricted):
                return
            if self._to_input_method(event):
                self.grabbed.append(keycode)
                return
            lib.comp_keyboard_keys_sent_add(self.keys, keycode)
        elif lib.comp_keyboard_keys_sent_remove(self.keys, keycode):
            pass
        else:
            if keycode in self.grabbed:
                self.grabbed.remove(keycode)
                self._to_input_method(event)
            return  # the press ran a binding or went to the input method
        self.seat.wlr_seat.set_keyboard(self.device)
        self.seat.wlr_seat.keyboard_notify_key(event)

    def _to_input_method(self, event: KeyboardKeyEvent) -> bool:
        """An input method grabs the keyboard: the key goes to it (True)."""
        text_input = self.seat.text_input
        grab = text_input.keyboard_grab(self.device)
        if grab is None:
            return False
        state = 1 if event.state == WlKeyboard.key_state.pressed else 0
        text_input.send_key(grab, self.device, event.time_msec, event.keycode, state)
        return True

    def _keysyms(self, xkb_keycode: int) -> list[int]:
        syms = wlr_ffi.new("const xkb_keysym_t **")
        count = wlr_lib.xkb_state_key_get_syms(self.keyboard._ptr.xkb_state, xkb_keycode, syms)
        return [syms[0][i] for i in range(count)]

    def _on_destroy(self, listener: Listener, data: object) -> None:
        self._listeners.remove_all()
        self.seat.keys_of_gone_keyboards["keys_c"] += self.keys.keys_c
        self.seat.keys_of_gone_keyboards["keys_python"] += self.keys.keys_python
        lib.comp_keyboard_keys_destroy(self.keys)
        self.keys = ffi.NULL
        self.seat.keyboard_removed(self)
