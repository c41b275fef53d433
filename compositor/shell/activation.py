"""xdg-activation-v1: focus hand-off between applications, and urgency.

A launcher (or any client the user is working in) asks for a token, made with the seat and
the serial of the user's input, and hands it to the application it starts (in
``XDG_ACTIVATION_TOKEN``); that application activates its window with it, and the window is
raised and focused. A token made without input (an application that wants attention on
its own) does not steal the focus: the window is marked urgent instead (``views`` shows it)
until it is focused. wlroots checks the token and its serial; this module decides.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pywayland.server import Listener, Signal

from compositor.ffi import address, ffi, lib, to_native, to_wlroots
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from compositor.shell.window_manager import WindowManager

log = logging.getLogger(__name__)


class Activation:
    def __init__(self, display: Any, wm: WindowManager) -> None:
        self.wm = wm
        self.activation = lib.wlr_xdg_activation_v1_create(
            to_native(display, "struct wl_display *")
        )
        if self.activation == ffi.NULL:
            raise RuntimeError("wlroots could not create the xdg-activation global")
        self.focused = self.urgent = 0
        request = Signal(
            ptr=to_wlroots(
                lib.comp_activation_request_signal(self.activation), "struct wl_signal *"
            )
        )
        self._listeners = Listeners((request, self._on_request_activate))

    def _on_request_activate(self, listener: Listener, data: Any) -> None:
        event = to_native(data, "void *")
        surface = address(lib.comp_activation_event_surface(event))
        view = self.wm.view_of_surface(surface)
        if view is None or not view.mapped:
            return  # not a mapped window of ours (a popup, a closed window)
        if lib.comp_activation_event_from_input(event):
            self.focused += 1
            log.info("activation: focusing %r (token from user input)", view.app_id)
            self.wm.focus(view)
        elif self.wm.focused_view is not view:
            self.urgent += 1
            view.urgent = True
            log.info("activation: %r is urgent (token without user input)", view.app_id)

    def destroy(self) -> None:
        self._listeners.remove_all()
