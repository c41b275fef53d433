"""The pointer: cursor image, focus and button delivery, interactive move and resize.

Move: drag with the modifier (Alt or Super) held and the left button, or when a client asks
(xdg_toplevel.move). Resize: modifier + right button (the nearest corner follows), or a
client's xdg_toplevel.resize with its edges.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pywayland.server import Listener
from wlroots.util.edges import Edges
from wlroots.wlr_types import Cursor, InputDevice, XCursorManager
from wlroots.wlr_types.cursor import WarpMode
from wlroots.wlr_types.input_device import ButtonState
from wlroots.wlr_types.keyboard import KeyboardModifier
from wlroots.wlr_types.pointer import (
    PointerEventAxis,
    PointerEventButton,
    PointerEventMotion,
    PointerEventMotionAbsolute,
)

from compositor.listeners import Listeners

if TYPE_CHECKING:
    from compositor.input.seat import SeatManager
    from compositor.shell.view import View

log = logging.getLogger(__name__)

BTN_LEFT = 0x110
BTN_RIGHT = 0x111
GRAB_MODIFIERS = KeyboardModifier.ALT | KeyboardModifier.LOGO
MIN_SIZE = 32


class GrabMode(enum.Enum):
    PASSTHROUGH = enum.auto()
    MOVE = enum.auto()
    RESIZE = enum.auto()


@dataclass
class Grab:
    mode: GrabMode
    view: View
    cursor_x: float  # cursor position when the grab started
    cursor_y: float
    x: int  # view geometry when the grab started
    y: int
    width: int
    height: int
    edges: Edges = Edges.NONE


class CursorManager:
    def __init__(self, seat: SeatManager) -> None:
        self.seat = seat
        server = seat.server
        self.wlr_cursor = Cursor(server.output_layout)
        self.xcursor_manager = XCursorManager(24)
        self.xcursor_manager.load(1)
        self.grab: Grab | None = None
        self._listeners = Listeners(
            (self.wlr_cursor.motion_event, self._on_motion),
            (self.wlr_cursor.motion_absolute_event, self._on_motion_absolute),
            (self.wlr_cursor.button_event, self._on_button),
            (self.wlr_cursor.axis_event, self._on_axis),
            (self.wlr_cursor.frame_event, self._on_frame),
        )

    def destroy(self) -> None:
        self._listeners.remove_all()
        self.xcursor_manager.destroy()
        self.wlr_cursor.destroy()

    def attach(self, device: InputDevice) -> None:
        self.wlr_cursor.attach_input_device(device)

    # -- motion ---------------------------------------------------------------------------

    def _on_motion(self, listener: Listener, event: PointerEventMotion) -> None:
        self.wlr_cursor.move(event.delta_x, event.delta_y, input_device=event.device)
        self._process_motion(event.time_msec)

    def _on_motion_absolute(self, listener: Listener, event: PointerEventMotionAbsolute) -> None:
        self.wlr_cursor.warp(WarpMode.AbsoluteClosest, event.x, event.y, input_device=event.device)
        self._process_motion(event.time_msec)

    def _process_motion(self, time_msec: int) -> None:
        if self.grab is not None and self.grab.mode is GrabMode.MOVE:
            self._apply_move(self.grab)
            return
        if self.grab is not None and self.grab.mode is GrabMode.RESIZE:
            self._apply_resize(self.grab)
            return
        shell = self.seat.server.shell
        view, surface, sx, sy = shell.view_at(self.wlr_cursor.x, self.wlr_cursor.y)
        if view is None:
            # Over the background: show our own cursor image.
            self.xcursor_manager.set_cursor_image("left_ptr", self.wlr_cursor)
        wlr_seat = self.seat.wlr_seat
        if surface is None:
            wlr_seat.pointer_clear_focus()
        else:
            wlr_seat.pointer_notify_enter(surface, sx, sy)
            wlr_seat.pointer_notify_motion(time_msec, sx, sy)

    # -- buttons --------------------------------------------------------------------------

    def _on_button(self, listener: Listener, event: PointerEventButton) -> None:
        shell = self.seat.server.shell
        if event.button_state == ButtonState.RELEASED:
            if self.grab is not None:
                log.info(
                    "%s of %r ended at %s",
                    self.grab.mode.name.lower(),
                    self.grab.view.app_id,
                    self.grab.view.geometry(),
                )
                self.grab = None
                return
            self.seat.wlr_seat.pointer_notify_button(
                event.time_msec, event.button, event.button_state
            )
            return
        view, _surface, _sx, _sy = shell.view_at(self.wlr_cursor.x, self.wlr_cursor.y)
        if view is None:
            self.seat.wlr_seat.pointer_notify_button(
                event.time_msec, event.button, event.button_state
            )
            return
        shell.focus(view)
        if self.seat.modifiers() & GRAB_MODIFIERS:
            if event.button == BTN_LEFT:
                self.begin_move(view)
                return
            if event.button == BTN_RIGHT:
                self.begin_resize(view, self._nearest_edges(view))
                return
        self.seat.wlr_seat.pointer_notify_button(event.time_msec, event.button, event.button_state)

    def _on_axis(self, listener: Listener, event: PointerEventAxis) -> None:
        self.seat.wlr_seat.pointer_notify_axis(
            event.time_msec, event.orientation, event.delta, event.delta_discrete, event.source
        )

    def _on_frame(self, listener: Listener, data: object) -> None:
        self.seat.wlr_seat.pointer_notify_frame()

    # -- interactive move / resize --------------------------------------------------------

    def _start(self, mode: GrabMode, view: View, edges: Edges = Edges.NONE) -> None:
        x, y, width, height = view.geometry()
        self.grab = Grab(
            mode, view, self.wlr_cursor.x, self.wlr_cursor.y, x, y, width, height, edges
        )
        # While grabbed, clients do not see the pointer.
        self.seat.wlr_seat.pointer_clear_focus()
        log.info("%s of %r started at %s", mode.name.lower(), view.app_id, (x, y, width, height))

    def begin_move(self, view: View) -> None:
        self._start(GrabMode.MOVE, view)

    def begin_resize(self, view: View, edges: Edges) -> None:
        if edges == Edges.NONE:
            edges = Edges.BOTTOM | Edges.RIGHT
        self._start(GrabMode.RESIZE, view, edges)

    def end_grab_of(self, view: View) -> None:
        if self.grab is not None and self.grab.view is view:
            self.grab = None

    def _nearest_edges(self, view: View) -> Edges:
        x, y, width, height = view.geometry()
        edges = Edges.NONE
        edges |= Edges.LEFT if self.wlr_cursor.x < x + width / 2 else Edges.RIGHT
        edges |= Edges.TOP if self.wlr_cursor.y < y + height / 2 else Edges.BOTTOM
        return edges

    def _apply_move(self, grab: Grab) -> None:
        dx = self.wlr_cursor.x - grab.cursor_x
        dy = self.wlr_cursor.y - grab.cursor_y
        grab.view.move_to(int(grab.x + dx), int(grab.y + dy))

    def _apply_resize(self, grab: Grab) -> None:
        dx = int(self.wlr_cursor.x - grab.cursor_x)
        dy = int(self.wlr_cursor.y - grab.cursor_y)
        left, top = grab.x, grab.y
        right, bottom = grab.x + grab.width, grab.y + grab.height
        if grab.edges & Edges.LEFT:
            left = min(left + dx, right - MIN_SIZE)
        elif grab.edges & Edges.RIGHT:
            right = max(right + dx, left + MIN_SIZE)
        if grab.edges & Edges.TOP:
            top = min(top + dy, bottom - MIN_SIZE)
        elif grab.edges & Edges.BOTTOM:
            bottom = max(bottom + dy, top + MIN_SIZE)
        grab.view.move_to(left, top)
        grab.view.xdg_surface.set_size(right - left, bottom - top)
