"""Drag and drop between clients (wl_data_device.start_drag), as sway 1.7 does it.

A client asks to start a drag with the serial of the button press it holds: the seat checks
the serial against the pointer's implicit grab (a press on one of the client's surfaces,
still held) and starts wlroots' drag grab, which sends enter/motion/leave/drop to the
surface under the pointer as the cursor code moves it (input/cursor.py hit-tests every
motion during a drag, whatever surface got the press). A request without a valid serial is
refused: its data source is cancelled. The drag icon (the client's surface) follows the
pointer in the scene's ``drag`` layer, above everything and transparent to input. Releasing
the button over a surface that accepted an action drops (copy, move or ask, as the source
and the target negotiate); over nothing, or Escape, cancels. Onto an X11 window, wlroots'
XDND bridge carries it (XdndEnter/Position/Drop, the data through XdndSelection), with the
target kept past the drag's end until it has read (csrc/xwayland_dnd.c); X11 -> Wayland
drags are not bridged by wlroots 0.15 (nor by sway 1.7).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from pywayland.server import Listener
from wlroots import ffi as wlr_ffi
from wlroots import lib as wlr_lib
from wlroots.wlr_types import SceneNode, Seat
from wlroots.wlr_types.data_device_manager import Drag, DragIcon
from wlroots.wlr_types.seat import RequestStartDragEvent

from compositor import wayland_fixes
from compositor.ffi import address, ffi, lib, to_native
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from pywayland.server import EventLoop, EventSource
    from wlroots.wlr_types import Cursor

log = logging.getLogger(__name__)


class DragAndDrop:
    def __init__(
        self, wlr_seat: Seat, cursor: Cursor, layer: SceneNode, event_loop: EventLoop
    ) -> None:
        self.wlr_seat = wlr_seat
        self.event_loop = event_loop
        self.cursor = cursor
        self.layer = layer  # the scene tree drag icons go in (no input)
        self.drag: Drag | None = None
        # Called once a drag has started (the seat gives the drag its focus under the
        # pointer): on the next idle turn, after every listener of the seat's start_drag
        # (wlroots' xwm attaches to the drag there, after ours: an X11 window already under
        # the pointer would get no XdndEnter/XdndPosition until the pointer left it).
        self.on_started: Callable[[], None] | None = None
        self._started_source: EventSource | None = None
        self.started = 0  # drags started and refused since start, for `input-protocols`
        self.refused = 0
        self._icon_tree: int = 0  # C address of the icon's scene tree, 0: none
        self._drag_listeners: Listeners | None = None
        self._listeners = Listeners(
            (wlr_seat.request_start_drag_event, self._on_request_start_drag),
            (wlr_seat.start_drag_event, self._on_start_drag),
        )

    def destroy(self) -> None:
        self._end()
        self._listeners.remove_all()

    @property
    def active(self) -> bool:
        return self.drag is not None

    def _on_request_start_drag(self, listener: Listener, event: RequestStartDragEvent) -> None:
        seat = self.wlr_seat._ptr
        origin = event._ptr.origin
        if wlr_lib.wlr_seat_validate_pointer_grab_serial(seat, origin, event.serial):
            wlr_lib.wlr_seat_start_pointer_drag(seat, event._ptr.drag, event.serial)
            return
        self.refused += 1
        log.info("drag refused: serial %d is not a button press held on the origin", event.serial)
        source = event._ptr.drag.source
        if source != wlr_ffi.NULL:
            wlr_lib.wlr_data_source_destroy(source)

    def _on_start_drag(self, listener: Listener, drag: Drag) -> None:
        self._end()
        self.started += 1
        self.drag = drag
        self._drag_listeners = Listeners((drag.destroy_event, self._on_drag_destroy))
        # A drop onto an X11 window: its target kept until it has read the data (C: wlroots
        # 0.15's XDND bridge forgets it as the drag ends; csrc/xwayland_dnd.c).
        lib.comp_xdnd_watch(to_native(drag, "struct wlr_drag *"))
        icon = drag.icon
        if icon is not None:
            self._show_icon(icon)
        log.info("drag started%s", " with an icon" if icon is not None else "")
        self._started_source = wayland_fixes.add_idle(self.event_loop, self._started)

    def _started(self) -> None:
        self._started_source = None
        if self.drag is not None and self.on_started is not None:
            self.on_started()

    def _show_icon(self, icon: DragIcon) -> None:
        surface = to_native(icon.surface, "struct wlr_surface *")
        tree = lib.comp_drag_icon_tree_create(
            to_native(self.layer, "struct wlr_scene_node *"), surface
        )
        if tree == ffi.NULL:
            log.warning("drag: no scene tree for the drag icon (out of memory)")
            return
        self._icon_tree = address(tree)
        self.follow()

    def follow(self) -> None:
        """The icon follows the pointer (called on every motion while a drag is on)."""
        if self._icon_tree:
            tree = ffi.cast("struct wlr_scene_node *", self._icon_tree)
            lib.wlr_scene_node_set_position(tree, int(self.cursor.x), int(self.cursor.y))

    def describe(self) -> dict[str, object]:
        return {
            "active": self.active,
            "started": self.started,
            "refused": self.refused,
            # The drag's target accepted what it offers (a Wayland target's accept, an X11
            # one's XdndStatus): a release now drops.
            "accepted": self._accepted(),
            # Drops onto X11 windows since start, and those whose source is still kept for
            # the X11 target (until it finishes reading, or the next drag).
            "x11_drops": lib.comp_xdnd_drops(),
            "x11_drops_kept": lib.comp_xdnd_live_drops(),
            "watches": lib.comp_xdnd_live_watches(),
        }

    def _accepted(self) -> bool:
        if self.drag is None:
            return False
        source = self.drag._ptr.source
        return source != wlr_ffi.NULL and bool(source.accepted)

    def cancel(self) -> bool:
        """Escape: end the drag as cancelled (the source hears cancelled, the target
        leave). False when no drag is on."""
        if self.drag is None:
            return False
        source = self.drag._ptr.source
        if source != wlr_ffi.NULL:
            # As wlroots does for a release over nothing: the source is cancelled, and
            # with it goes the drag (its grabs end, the target hears leave).
            wlr_lib.wlr_data_source_destroy(source)
        else:
            wlr_lib.wlr_seat_pointer_end_grab(self.wlr_seat._ptr)
        return True

    def _on_drag_destroy(self, listener: Listener, data: object) -> None:
        self._end()

    def _end(self) -> None:
        wayland_fixes.remove_source(self._started_source)
        self._started_source = None
        if self._drag_listeners is not None:
            self._drag_listeners.remove_all()
            self._drag_listeners = None
        if self._icon_tree:
            # The icon's surface may be destroyed already: the tree is ours to destroy.
            lib.wlr_scene_node_destroy(ffi.cast("struct wlr_scene_node *", self._icon_tree))
            self._icon_tree = 0
        self.drag = None
