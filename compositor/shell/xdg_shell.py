"""The xdg-shell global: new toplevels become Views, popups join their parent's scene tree.

Stacking order is the order of ``Shell.views`` (last is on top). New views cascade from the
top-left of the output under the pointer so that they never all pile up at 0,0.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from pywayland.server import Listener
from wlroots import ffi as wlr_ffi
from wlroots.util.box import Box
from wlroots.wlr_types import Output, SceneNode, XdgShell
from wlroots.wlr_types.xdg_shell import XdgSurface, XdgSurfaceRole

from compositor.listeners import Listeners
from compositor.shell.popup import Popup, popup_parent
from compositor.shell.view import View

if TYPE_CHECKING:
    from compositor.server import Server

log = logging.getLogger(__name__)

CASCADE_STEP = 32
CASCADE_ORIGIN = 24


class Shell:
    def __init__(self, server: Server, tree: SceneNode) -> None:
        self.server = server
        self.tree = tree  # the scene tree windows live in (see stacking.py)
        # The part of an output left to windows; the layer shell replaces this with one that
        # leaves out panels' exclusive zones.
        self.usable_area: Callable[[Output], Box | None] = server.output_layout.get_box
        self.xdg_shell = XdgShell(server.display)
        self.views: list[View] = []  # bottom to top
        self.focused_view: View | None = None
        self.popups: set[Popup] = set()
        # The view each live xdg surface (toplevel or popup) belongs to, by C address.
        self._owner: dict[int, View | None] = {}
        # Views by the C address of their scene tree, for hit testing (input/cursor.py).
        self._view_by_tree: dict[int, View] = {}
        self._cascade = 0
        self._listeners = Listeners((self.xdg_shell.new_surface_event, self._on_new_surface))

    def destroy(self) -> None:
        self._listeners.remove_all()

    # -- surfaces -------------------------------------------------------------------------

    def _on_new_surface(self, listener: Listener, xdg_surface: XdgSurface) -> None:
        if xdg_surface.role == XdgSurfaceRole.POPUP:
            parent = popup_parent(xdg_surface)
            # A popup of a window or of a popup belongs to that window; one of a layer
            # surface (a panel's menu) to none.
            view = (
                self._owner.get(_address(XdgSurface.from_surface(parent)))
                if parent.is_xdg_surface
                else None
            )
            popup = Popup(self, xdg_surface, view)
            self.popups.add(popup)
            self._owner[_address(xdg_surface)] = view
            output_box = self._output_box_near(view)
            if output_box is not None:
                popup.unconstrain(output_box)
        elif xdg_surface.role == XdgSurfaceRole.TOPLEVEL:
            view = View(self, xdg_surface)
            self.views.append(view)
            self._owner[_address(xdg_surface)] = view
            self._view_by_tree[view.tree_address] = view

    def _output_box_near(self, view: View | None) -> Box | None:
        layout = self.server.output_layout
        output = layout.output_at(view.x, view.y) if view is not None else None
        return layout.get_box(output)

    # -- placement, focus, stacking -------------------------------------------------------

    def place_new_view(self, view: View) -> tuple[int, int]:
        cursor = self.server.seat.cursor.wlr_cursor
        output = self.server.output_layout.output_at(cursor.x, cursor.y)
        box = self.usable_area(output) if output is not None else None
        if box is None or box.width <= 0:
            return CASCADE_ORIGIN, CASCADE_ORIGIN
        _, _, width, height = view.geometry()
        offset = CASCADE_ORIGIN + CASCADE_STEP * self._cascade
        self._cascade += 1
        span_x = max(1, box.width - width - CASCADE_ORIGIN)
        span_y = max(1, box.height - height - CASCADE_ORIGIN)
        if offset > span_x or offset > span_y:
            self._cascade = 1
            offset = CASCADE_ORIGIN
        return box.x + offset, box.y + offset

    def focus(self, view: View) -> None:
        """Raise ``view`` and give it keyboard focus; deactivate the previous one."""
        if view not in self.views or not view.mapped:
            return
        previous = self.focused_view
        self.views.remove(view)
        self.views.append(view)
        self.restack()
        if previous is view:
            return
        if previous is not None and previous in self.views:
            previous.xdg_surface.set_activated(False)
        view.xdg_surface.set_activated(True)
        self.focused_view = view
        self.server.seat.focus_keyboard(view.surface)
        self.server.seat.cursor.rebase()  # the stacking under the pointer changed

    def restack(self) -> None:
        """Put the windows' trees in the order of ``self.views``."""
        for view in self.views:
            view.tree.raise_to_top()

    def view_for_tree(self, address: int) -> View | None:
        """The view whose scene tree is at this C address (see comp_scene_input_at)."""
        return self._view_by_tree.get(address)

    def on_view_mapped(self, view: View) -> None:
        self.focus(view)
        self.server.seat.cursor.rebase()

    def on_view_unmapped(self, view: View) -> None:
        self.server.seat.cursor.end_grab_of(view)
        if self.focused_view is view:
            self.focused_view = None
            self._focus_topmost()
        self.restack()
        self.server.seat.cursor.rebase()

    def _focus_topmost(self) -> None:
        visible = [v for v in self.views if v.mapped]
        if visible:
            self.focus(visible[-1])
        else:
            self.server.seat.clear_keyboard_focus()

    def on_popup_destroyed(self, popup: Popup) -> None:
        self.popups.discard(popup)
        self._owner.pop(_address(popup.xdg_surface), None)

    def on_view_destroyed(self, view: View) -> None:
        self._owner.pop(_address(view.xdg_surface), None)
        self._view_by_tree.pop(view.tree_address, None)
        if view in self.views:
            self.views.remove(view)
        if self.focused_view is view:
            self.focused_view = None

    def close_focused(self) -> None:
        if self.focused_view is not None:
            self.focused_view.close()


def _address(xdg_surface: XdgSurface) -> int:
    return int(wlr_ffi.cast("uintptr_t", xdg_surface._ptr))
