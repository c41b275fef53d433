"""The seat: input devices, keyboard focus, clipboard (data device), client cursor images.

It also owns the input protocols that act on the whole seat: pointer constraints and
relative pointer (constraints.py), pointer gestures (gestures.py), idle and idle inhibitors
(idle.py), keyboard-shortcuts-inhibit and input-inhibit (inhibit.py), text input and input
method (text_input.py), tablets (tablet.py). Every input event
counts as activity for idle (:meth:`SeatManager.notify_activity`); while a client inhibits
input, only its surfaces get the keyboard (:meth:`SeatManager.input_allowed`).

Each part is built with exactly what it calls: the display or core, the ``wlr_seat``, the
cursor's ``wlr_cursor``, a seat operation or two as functions. The pointer and the keyboards,
which need several of the seat's services, name them in small protocols of their own
(``cursor.PointerSeat``, ``keyboard.KeyboardSeat``), and constraints and tablets name the
pointer by ``pointer_port.PointerPort``: no part imports this module or the cursor's.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from pywayland.protocol.wayland import WlSeat
from pywayland.server import Listener
from wlroots import ffi as wlr_ffi
from wlroots import lib as wlr_lib
from wlroots.wlr_types import (
    DataDeviceManager,
    InputDevice,
    PrimarySelectionV1DeviceManager,
    Seat,
    Surface,
)
from wlroots.wlr_types.input_device import InputDeviceType
from wlroots.wlr_types.keyboard import KeyboardModifier
from wlroots.wlr_types.seat import RequestSetSelectionEvent

from compositor.ffi import ffi, to_native
from compositor.input import devices
from compositor.input.constraints import PointerConstraints
from compositor.input.cursor import CursorManager
from compositor.input.drag import DragAndDrop
from compositor.input.gestures import PointerGestures
from compositor.input.idle import IdleManager
from compositor.input.inhibit import InputInhibit, KeyboardShortcutsInhibit
from compositor.input.keyboard import KeyboardHandler
from compositor.input.tablet import Tablets
from compositor.input.text_input import TextInputRelay
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from collections.abc import Callable

    from compositor.control import ControlServer
    from compositor.core import Core
    from compositor.input.bindings import Bindings
    from compositor.shell.decorations import Decorations
    from compositor.shell.session_lock import SessionLock
    from compositor.shell.view import View
    from compositor.shell.window_manager import WindowManager

log = logging.getLogger(__name__)


class SeatManager:
    def __init__(
        self,
        core: Core,
        *,
        wm: WindowManager,
        decorations: Decorations,
        bindings: Bindings,
        refocus_keyboard: Callable[[], None],
    ) -> None:
        """``refocus_keyboard``: give the keyboard to whoever should have it now (after
        a client stopped inhibiting input)."""
        self.core = core
        self.bindings = bindings  # key presses, before any client
        self.refocus_keyboard = refocus_keyboard
        display = core.display
        self.wlr_seat = wlr_seat = Seat(display, "seat0")
        self.data_device_manager = DataDeviceManager(display)
        self.primary_selection_manager = PrimarySelectionV1DeviceManager(display)
        # The pointer: clicks focus windows (wm), presses on title bars (decorations); it
        # asks the seat's parts made below (constraints, drag, input inhibit) through the seat.
        self.cursor = CursorManager(core, wlr_seat, self, wm=wm, decorations=decorations)
        self.drag = DragAndDrop(
            wlr_seat, self.cursor.wlr_cursor, core.stacking.drag, core.event_loop
        )
        self.drag.on_started = self.cursor.drag_motion
        self.constraints = PointerConstraints(core, wlr_seat, self.cursor)
        self.gestures = PointerGestures(
            display, wlr_seat, self.cursor.wlr_cursor, self.notify_activity
        )
        self.idle = IdleManager(core, wlr_seat, self._activity_in_c)
        self.shortcuts_inhibit = KeyboardShortcutsInhibit(display, wlr_seat)
        self.input_inhibit = InputInhibit(
            display,
            wlr_seat,
            clear_keyboard_focus=self.clear_keyboard_focus,
            refocus_keyboard=refocus_keyboard,
            pointer_changed=self.cursor.input_allowed_changed,
        )
        # ext-session-lock (shell/session_lock.py), set by the composition root, which makes
        # session_lock_changed its first observer: while the session is locked only lock
        # surfaces get input.
        self.session_lock: SessionLock | None = None
        self.text_input = TextInputRelay(display, wlr_seat)
        self.tablets = Tablets(display, wlr_seat, self.cursor, self.notify_activity)
        motion = self.cursor.motion  # the C motion path reports activity, relative motion
        motion.idle = to_native(self.idle.idle, "struct wlr_idle *")
        motion.relative = to_native(
            self.constraints.relative_pointer, "struct wlr_relative_pointer_manager_v1 *"
        )
        self.keyboards: list[KeyboardHandler] = []
        # The C key path's counters of keyboards that went (virtual ones come and go).
        self.keys_of_gone_keyboards = {"keys_c": 0, "keys_python": 0}
        self.pointers: list[InputDevice] = []
        self._pointer_listeners: dict[InputDevice, Listeners] = {}
        # The backend goes before the seat (its devices' destroy events reach the seat): its
        # own listeners go with it, in its destroy signal, not after it is freed.
        self._backend_listeners = Listeners(
            (core.backend.new_input_event, self._on_new_input),
            (core.backend.destroy_event, self._on_backend_destroy),
        )
        self._listeners = Listeners(
            (self.wlr_seat.request_set_selection_event, self._on_request_selection),
            (
                self.wlr_seat.request_set_primary_selection_event,
                self._on_request_primary_selection,
            ),
        )

    # -- what windows ask of the seat (shell/seat_port.py) ---------------------------------

    def pointer_position(self) -> tuple[float, float]:
        cursor = self.cursor.wlr_cursor
        return cursor.x, cursor.y

    def rebase_pointer(self) -> None:
        self.cursor.rebase()

    def end_grab_of(self, view: View) -> None:
        self.cursor.end_grab_of(view)

    def press_belongs_to(self, view: View, serial: int | None) -> bool:
        return self.cursor.press_belongs_to(view, serial)

    def begin_move(self, view: View) -> None:
        self.cursor.begin_move(view)

    def begin_resize(self, view: View, edges) -> None:
        self.cursor.begin_resize(view, edges)

    def xcursor_theme(self):
        return self.cursor.xcursor_theme()

    def _on_backend_destroy(self, listener: Listener, data: object) -> None:
        self._backend_listeners.remove_all()

    def destroy(self) -> None:
        self._backend_listeners.remove_all()  # when the backend is still there
        self._listeners.remove_all()
        motion = self.cursor.motion  # the parts it points to go first
        motion.idle = motion.relative = ffi.NULL
        for part in (
            self.drag,
            self.tablets,
            self.text_input,
            self.input_inhibit,
            self.shortcuts_inhibit,
            self.idle,
            self.gestures,
            self.constraints,
        ):
            part.destroy()
        for listeners in self._pointer_listeners.values():
            listeners.remove_all()
        self._pointer_listeners.clear()
        self.cursor.destroy()
        self.wlr_seat.destroy()

    def _on_new_input(self, listener: Listener, device: InputDevice) -> None:
        self.add_input_device(device)

    def add_input_device(self, device: InputDevice) -> None:
        """A keyboard or pointer joins the seat: the backend's, or a virtual one."""
        if device.device_type == InputDeviceType.KEYBOARD:
            handler = KeyboardHandler(self, device)
            self.keyboards.append(handler)
            self.wlr_seat.set_keyboard(device)
        elif device.device_type == InputDeviceType.POINTER:
            self.cursor.attach(device)
            self.pointers.append(device)
            self.cursor.motion.has_pointers = True
            self._pointer_listeners[device] = Listeners(
                (device.destroy_event, lambda _l, _d: self._pointer_removed(device))
            )
        elif device.device_type == InputDeviceType.TABLET_TOOL:
            self.tablets.add(device)
        log.info("input device: %s (%s)", device.name, device.device_type.name.lower())
        self._update_capabilities()

    def _pointer_removed(self, device: InputDevice) -> None:
        # wlroots detaches it from the cursor itself; the buttons it held are let go.
        self._pointer_listeners.pop(device).remove_all()
        self.pointers.remove(device)
        self.cursor.motion.has_pointers = bool(self.pointers)
        self.cursor.release_all()
        self._update_capabilities()

    def keyboard_removed(self, handler: KeyboardHandler) -> None:
        """A keyboard's device is being destroyed (in its destroy signal).

        wlroots forgets it as the seat's keyboard in the same signal (``wlr_seat``'s own
        listener sets it to NULL); the seat is not given another one here, since changing it
        would unlink that listener while the signal runs. :meth:`active_keyboard` picks a
        live one when it is next needed.
        """
        if handler in self.keyboards:
            self.keyboards.remove(handler)
        self._update_capabilities()

    def active_keyboard(self) -> KeyboardHandler | None:
        """The seat's keyboard, always a live one: the one that sent the last key, or,
        when that one went away (a virtual keyboard's client exited, a USB keyboard was
        unplugged), the newest keyboard still there. None when there is no keyboard.

        Every read of the seat's keyboard goes through here: wlroots' own pointer is NULL
        after its keyboard is destroyed, and reading through it crashes.
        """
        current = self.wlr_seat._ptr.keyboard_state.keyboard
        if current != wlr_ffi.NULL:
            for handler in self.keyboards:
                if handler.keyboard._ptr == current:
                    return handler
        if not self.keyboards:
            if current != wlr_ffi.NULL:  # not ours (cannot happen): let wlroots forget it
                wlr_lib.wlr_seat_set_keyboard(self.wlr_seat._ptr, wlr_ffi.NULL)
            return None
        handler = self.keyboards[-1]
        self.wlr_seat.set_keyboard(handler.device)
        return handler

    def _update_capabilities(self) -> None:
        caps = WlSeat.capability.pointer
        if self.keyboards:
            caps |= WlSeat.capability.keyboard
        self.wlr_seat.set_capabilities(caps)

    def modifiers(self) -> KeyboardModifier:
        handler = self.active_keyboard()
        if handler is None:
            return KeyboardModifier(0)
        return handler.keyboard.modifier

    def configure_key_path(self, keys) -> None:
        """A keyboard's C key path (ffi/csrc/keyboard_keys.h): what it reports to."""
        keys.idle = to_native(self.idle.idle, "struct wlr_idle *")
        keys.im_relay = self.text_input.relay
        keys.python = self.bindings.switcher.active

    def sync_key_path(self) -> None:
        """Python takes every key while the window switcher is open (Alt's release and
        Escape close it); otherwise only bound keys (see input/keyboard.py)."""
        python = self.bindings.switcher.active
        for handler in self.keyboards:
            if handler.keys != ffi.NULL:
                handler.keys.python = python

    def describe_keys(self) -> dict[str, int]:
        """Key events handled in C and handed to Python, every keyboard so far."""
        live = [h.keys for h in self.keyboards if h.keys != ffi.NULL]
        gone = self.keys_of_gone_keyboards
        return {
            "keys_c": gone["keys_c"] + sum(k.keys_c for k in live),
            "keys_python": gone["keys_python"] + sum(k.keys_python for k in live),
        }

    def _activity_in_c(self) -> int:
        """Input events the C motion and key paths counted as activity (idle)."""
        return self.cursor.motion.motions_c + self.describe_keys()["keys_c"]

    def notify_activity(self) -> None:
        """A user's input event (any device): idle timers start again."""
        self.idle.notify_activity()

    def input_allowed(self, surface) -> bool:
        """May this surface get input (False while another client inhibits input, or the
        session is locked and it is no lock surface)?"""
        if self.session_lock is not None and not self.session_lock.allowed(surface):
            return False
        return self.input_inhibit.allowed(surface)

    def locked(self) -> bool:
        """The session is locked (ext-session-lock)."""
        return self.session_lock is not None and self.session_lock.locked

    def bindings_restricted(self) -> bool:
        """Only the way-out bindings run: the focused client inhibits shortcuts, or a
        client (a lock screen) inhibits input, or the session is locked."""
        return (
            self.locked()
            or bool(self.input_inhibit.exclusive_client)
            or self.shortcuts_inhibit.inhibited()
        )

    def focus_keyboard(self, surface: Surface) -> None:
        if self.wlr_seat.keyboard_state.focused_surface == surface:
            return
        handler = self.active_keyboard()
        if handler is None:
            return
        if not self.input_allowed(surface):
            return  # another client inhibits input (a lock screen)
        # The keys the client is told are held: only those whose press a client saw (not
        # the Tab of the Alt+Tab that brings it the focus).
        held = handler.sent
        keycodes = wlr_ffi.new("uint32_t[]", held or [0])
        wlr_lib.wlr_seat_keyboard_notify_enter(
            self.wlr_seat._ptr,
            surface._ptr,
            keycodes,
            len(held),
            wlr_ffi.addressof(handler.keyboard._ptr.modifiers),
        )

    def session_lock_changed(self, locked: bool) -> None:
        """The session locked: nothing a client started goes on (the window switcher, a
        drag, grabs and presses) and no client keeps the keyboard. Unlocked: the keyboard
        goes back to whoever should have it and the pointer to what is under it. Either
        way an idle inhibitor's surface may have been hidden or shown."""
        if locked:
            self.bindings.cancel()
            self.drag.cancel()
            self.wlr_seat.keyboard_clear_focus()
            self.cursor.session_locked()
        else:
            self.wlr_seat.keyboard_clear_focus()
            self.refocus_keyboard()
            self.cursor.input_allowed_changed()
        self.idle.update()

    def clear_keyboard_focus(self) -> None:
        if self.locked():
            self.session_lock.refocus()  # a lock surface keeps the keyboard
            return
        self.wlr_seat.keyboard_clear_focus()

    def _on_request_selection(self, listener: Listener, event: RequestSetSelectionEvent) -> None:
        self.wlr_seat.set_selection(event._ptr.source, event.serial)

    def _on_request_primary_selection(self, listener: Listener, event) -> None:
        self.wlr_seat.set_primary_selection(event._ptr.source, event.serial)

    def register_commands(self, control: ControlServer) -> None:
        self.idle.register_commands(control)
        control.register(
            "input-protocols",
            "the cursor's layout position, pointer constraints (the active one, relative "
            "motion events sent), gestures forwarded, keyboard shortcuts inhibitors, input "
            "inhibitor, text inputs and input method, tablets, drag and drop",
            self.describe_protocols,
        )
        control.register(
            "inputs",
            "the seat's input devices; for libinput devices the settings libinput has now "
            "(tap, natural scroll, acceleration, left-handed, dwt, scroll method; "
            "'unsupported' where the device has none), read back from libinput",
            lambda request: devices.describe(self.keyboards, self.pointers, self.tablets.devices),
        )

    def describe_protocols(self, request: dict | None = None) -> dict:
        cursor = self.cursor.wlr_cursor
        return {
            "cursor": [cursor.x, cursor.y],
            **self.constraints.describe(),
            "gestures": dict(sorted(self.gestures.forwarded.items())),
            "shortcuts_inhibitors": [
                {"active": entry.active} for entry in self.shortcuts_inhibit.inhibitors
            ],
            "input_inhibited": bool(self.input_inhibit.exclusive_client),
            "session_locked": self.locked(),
            **self.text_input.describe(),
            "tablets": len(self.tablets.devices),
            "switcher": self.bindings.switcher.describe(),
            "pointer_motion": self.cursor.describe_motion(),
            "key_path": self.describe_keys(),
            "seat_op": self.cursor.op.name,  # input/seatops.py: what the pointer is doing
            "drag": self.drag.describe(),
        }
