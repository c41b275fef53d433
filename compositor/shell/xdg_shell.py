"""The xdg-shell global: each new toplevel becomes an :class:`~compositor.shell.xdg_view.XdgView`
handed to the window manager (shell/window_manager.py); each popup a
:class:`~compositor.shell.popup.Popup` whose scene node hangs below its parent's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from pywayland.server import Listener
from wlroots.util.box import Box
from wlroots.wlr_types import XdgShell as WlrXdgShell
from wlroots.wlr_types.xdg_shell import XdgSurface, XdgSurfaceRole

from compositor.ffi import address
from compositor.listeners import Listeners
from compositor.shell.popup import Popup, popup_parent
from compositor.shell.xdg_view import XdgView

if TYPE_CHECKING:
    from pywayland.server import Display

    from compositor.shell.view import View
    from compositor.shell.window_manager import WindowManager

log = logging.getLogger(__name__)


class XdgShell:
    def __init__(self, display: Display, wm: WindowManager) -> None:
        self.wm = wm
        self.tree = wm.tree  # popups without a parent we show hang here
        self.xdg_shell = WlrXdgShell(display)
        self.popups: set[Popup] = set()
        # The window each live xdg surface (toplevel or popup) belongs to, by C address;
        # None for a popup of a layer surface (a panel's menu).
        self._owner: dict[int, View | None] = {}
        # Called with each new toplevel before its first configure (decorations).
        self.new_view_observers: list[Callable[[XdgView], None]] = []
        self._listeners = Listeners((self.xdg_shell.new_surface_event, self._on_new_surface))

    def destroy(self) -> None:
        self._listeners.remove_all()

    def _on_new_surface(self, listener: Listener, xdg_surface: XdgSurface) -> None:
        if xdg_surface.role == XdgSurfaceRole.POPUP:
            parent = popup_parent(xdg_surface)
            # A popup of a window or of a popup belongs to that window; one of a layer
            # surface (a panel's menu) to none.
            view = (
                self._owner.get(address(XdgSurface.from_surface(parent)))
                if parent is not None and parent.is_xdg_surface
                else None
            )
            popup = Popup(xdg_surface, view, self.tree, self.on_popup_destroyed)
            self.popups.add(popup)
            self._owner[address(xdg_surface)] = view
            output_box = self._output_box_near(view)
            if output_box is not None:
                popup.unconstrain(output_box)
        elif xdg_surface.role == XdgSurfaceRole.TOPLEVEL:
            view = XdgView(self.wm, xdg_surface, self.on_view_destroyed)
            self.wm.add_view(view)
            self._owner[address(xdg_surface)] = view
            for observer in self.new_view_observers:
                observer(view)
            view.apply_requested_states()

    def _output_box_near(self, view: View | None) -> Box | None:
        layout = self.wm.output_layout
        output = layout.output_at(view.x, view.y) if view is not None else None
        return layout.get_box(output)

    def popup_of(self, xdg_popup_address: int) -> Popup | None:
        """The Popup of a wlr_xdg_popup (by C address)."""
        for popup in self.popups:
            if address(popup.xdg_surface._ptr.popup) == xdg_popup_address:
                return popup
        return None

    def on_popup_destroyed(self, popup: Popup) -> None:
        self.popups.discard(popup)
        self._owner.pop(address(popup.xdg_surface), None)

    def on_view_destroyed(self, view: XdgView) -> None:
        self._owner.pop(address(view.xdg_surface), None)
