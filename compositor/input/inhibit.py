"""Clients that take input from the compositor: keyboard-shortcuts-inhibit v1 and
wlr-input-inhibitor v1.

**Shortcuts inhibit** (remote desktops, virtual machines, games): a client asks that the
compositor's key bindings go to one of its surfaces as plain keys. The inhibitor is active
(the client is told so) exactly while that surface has the keyboard focus; then no binding
runs except the way out: Ctrl+Alt+BackSpace (quit) and Ctrl+Alt+F1..F12 (VT switch), which
sway also never lets a client take.

**Input inhibit** (lock screens such as swaylock 1.5): while a client holds the inhibitor,
input goes only to that client's surfaces, as in sway 1.7 (``seat_set_exclusive_client``):
other clients lose the pointer and keyboard focus and cannot get them back, a click on
another window neither focuses nor reaches it, and key bindings do not run (the same way
out stays). When it ends, the keyboard goes back to whoever should have it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pywayland.server import Listener, Signal
from wlroots import ffi as wlr_ffi
from wlroots.wlr_types.input_inhibit import InputInhibitManager

from compositor.ffi import address, ffi, lib, to_native, to_wlroots
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from pywayland.server import Display
    from wlroots.wlr_types import Seat

log = logging.getLogger(__name__)


def surface_client(surface: Any) -> int:
    """Address of the wl_client owning a wlr_surface (either ffi's pointer, or a Surface)."""
    native = to_native(surface, "struct wlr_surface *")
    return address(lib.comp_surface_client(native))


class ShortcutsInhibitor:
    def __init__(self, owner: KeyboardShortcutsInhibit, inhibitor: Any) -> None:
        self.owner = owner
        self.inhibitor = inhibitor  # this module's struct wlr_keyboard_shortcuts_inhibitor_v1 *
        self.surface_address = address(lib.comp_shortcuts_inhibitor_surface(inhibitor))
        destroy = Signal(
            ptr=to_wlroots(
                lib.comp_shortcuts_inhibitor_destroy_signal(inhibitor), "struct wl_signal *"
            )
        )
        self._listeners = Listeners((destroy, self._on_destroy))

    @property
    def active(self) -> bool:
        return bool(lib.comp_shortcuts_inhibitor_active(self.inhibitor))

    def set_active(self, active: bool) -> None:
        if active == self.active:
            return
        if active:
            lib.wlr_keyboard_shortcuts_inhibitor_v1_activate(self.inhibitor)
        else:
            lib.wlr_keyboard_shortcuts_inhibitor_v1_deactivate(self.inhibitor)
        log.info("keyboard shortcuts %s", "inhibited" if active else "no longer inhibited")

    def _on_destroy(self, listener: Listener, data: Any) -> None:
        self._listeners.remove_all()
        self.owner.on_destroyed(self)
        self.inhibitor = ffi.NULL


class KeyboardShortcutsInhibit:
    def __init__(self, display: Display, wlr_seat: Seat) -> None:
        self.wlr_seat = wlr_seat
        self.manager = lib.wlr_keyboard_shortcuts_inhibit_v1_create(
            to_native(display, "struct wl_display *")
        )
        if self.manager == ffi.NULL:
            raise RuntimeError("wlroots could not create the keyboard-shortcuts-inhibit global")
        self.inhibitors: list[ShortcutsInhibitor] = []
        new_inhibitor = Signal(
            ptr=to_wlroots(
                lib.comp_shortcuts_inhibit_new_signal(self.manager), "struct wl_signal *"
            )
        )
        self._listeners = Listeners(
            (new_inhibitor, self._on_new_inhibitor),
            (wlr_seat.keyboard_state.focus_change_event, self._on_focus_change),
        )

    def destroy(self) -> None:
        self._listeners.remove_all()
        for inhibitor in self.inhibitors:
            inhibitor._listeners.remove_all()
        self.inhibitors.clear()

    def _on_new_inhibitor(self, listener: Listener, data: Any) -> None:
        inhibitor = ffi.cast("struct wlr_keyboard_shortcuts_inhibitor_v1 *", address(data))
        entry = ShortcutsInhibitor(self, inhibitor)
        self.inhibitors.append(entry)
        self.update()

    def on_destroyed(self, entry: ShortcutsInhibitor) -> None:
        if entry in self.inhibitors:
            self.inhibitors.remove(entry)

    def _on_focus_change(self, listener: Listener, data: Any) -> None:
        self.update()

    def update(self) -> None:
        """Active: the inhibitors of the surface with the keyboard focus; the rest not."""
        focused = address(self.wlr_seat._ptr.keyboard_state.focused_surface)
        for entry in self.inhibitors:
            entry.set_active(focused != 0 and entry.surface_address == focused)

    def inhibited(self) -> bool:
        """Shortcuts are inhibited: the focused surface holds an active inhibitor."""
        return any(entry.active for entry in self.inhibitors)


class InputInhibit:
    def __init__(
        self,
        display: Display,
        wlr_seat: Seat,
        *,
        clear_keyboard_focus: Callable[[], None],
        refocus_keyboard: Callable[[], None],
        pointer_changed: Callable[[], None],
    ) -> None:
        """``clear_keyboard_focus``: the seat's (a lock surface keeps it); ``refocus_keyboard``
        gives the keyboard back to whoever should have it once the inhibitor goes;
        ``pointer_changed``: what the pointer may reach changed."""
        self.wlr_seat = wlr_seat
        self.clear_keyboard_focus = clear_keyboard_focus
        self.refocus = refocus_keyboard
        self.pointer_changed = pointer_changed
        self.manager = InputInhibitManager(display)
        self.exclusive_client = 0  # address of the wl_client that holds it, 0: none
        self._listeners = Listeners(
            (self.manager.activate_event, self._on_activate),
            (self.manager.deactivate_event, self._on_deactivate),
        )

    def destroy(self) -> None:
        self._listeners.remove_all()

    def allowed(self, surface: Any) -> bool:
        """May this surface (a wlr_surface pointer of either ffi, or a Surface) get input?"""
        return not self.exclusive_client or surface_client(surface) == self.exclusive_client

    def _on_activate(self, listener: Listener, data: Any) -> None:
        self.exclusive_client = address(self.manager._ptr.active_client)
        log.info("input inhibited: only one client gets input now")
        state = self.wlr_seat._ptr
        if state.keyboard_state.focused_surface != wlr_ffi.NULL and not self.allowed(
            state.keyboard_state.focused_surface
        ):
            self.clear_keyboard_focus()
        if state.pointer_state.focused_surface != wlr_ffi.NULL and not self.allowed(
            state.pointer_state.focused_surface
        ):
            self.wlr_seat.pointer_clear_focus()
        self.pointer_changed()

    def _on_deactivate(self, listener: Listener, data: Any) -> None:
        self.exclusive_client = 0
        log.info("input no longer inhibited")
        self.refocus()
        self.pointer_changed()
