"""Seat operations: what the pointer is doing, one at a time (sway's seatop_*).

The cursor (input/cursor.py) keeps one operation and hands it every motion Python sees; the
buttons themselves (which presses went to a client, which the compositor kept) stay with the
cursor, and when the last one is let go the operation ends and the pointer passes through
again. Each operation says what a motion does, what its end does, and what happens when its
window goes:

- :class:`Passthrough`: nothing held: motion gives the pointer to what is under it (in C,
  ffi/csrc/pointer_motion.h, whenever nothing else needs Python).
- :class:`ButtonHeld`: the implicit grab: the surface that got the first press gets every
  motion, in its own coordinates even outside it, and the releases.
- :class:`Move`, :class:`Resize`: the compositor moves or resizes a window (Alt + drag, a
  title bar drag, or a client's request with the serial of its press); clients do not see
  the pointer meanwhile.
- :class:`KeptPress`: a press the compositor took (a title bar's button, a move that was
  refused): motion goes nowhere; its end may do something (the title bar's click).

A new operation is a class here with ``motion``, ``ended`` and ``view_gone``; the cursor
starts it where a press or a request decides.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from wlroots import ffi as wlr_ffi
from wlroots import lib as wlr_lib
from wlroots.util.edges import Edges

from compositor.ffi import address, ffi, lib

if TYPE_CHECKING:
    from wlroots.wlr_types import Cursor, Seat

    from compositor.input.pointer_port import Hit
    from compositor.shell.view import View

log = logging.getLogger(__name__)

MIN_SIZE = 32


class Pointer(Protocol):
    """What an operation does with the pointer (input/cursor.py's ``CursorManager``, which
    keeps the operation, has these)."""

    wlr_cursor: Cursor
    wlr_seat: Seat
    coords: Any  # scratch int[2] for wlr_scene_node_coords
    over_client: bool  # the pointer is over a client's surface (its image is the client's)

    def focus_under_cursor(self, time_msec: int, moved: bool = False) -> None:
        """Give the pointer to what is under it."""


class SeatOp:
    name = "?"
    view: View | None = None
    takes_pointer = False  # the compositor has the pointer: clients do not see it

    def __init__(self, cursor: Pointer) -> None:
        self.cursor = cursor

    def motion(self, time_msec: int) -> None:
        """The pointer moved (the cursor is already at its new place)."""

    def ended(self, time_msec: int) -> None:
        """The last button held went up."""

    def view_gone(self, view: View) -> SeatOp:
        """``view`` is unmapped or destroyed: the operation to go on with."""
        return self


class Passthrough(SeatOp):
    name = "passthrough"

    def motion(self, time_msec: int) -> None:
        self.cursor.focus_under_cursor(time_msec, moved=True)


class ButtonHeld(SeatOp):
    name = "button-held"

    def __init__(self, cursor: Pointer, hit: Hit) -> None:
        super().__init__(cursor)
        seat = cursor.wlr_seat
        # The node and surface (C addresses) that got the first press: the node turns NULL
        # when it is destroyed.
        self._node = lib.comp_node_ref_create()
        if self._node == ffi.NULL:
            raise MemoryError("cannot hold the pressed surface")
        if hit.surface is None:
            seat.pointer_clear_focus()
            self._surface = 0
        else:
            # Entered already unless the scene changed under a still pointer.
            wlr_lib.wlr_seat_pointer_notify_enter(seat._ptr, hit.surface, hit.sx, hit.sy)
            lib.comp_node_ref_set(self._node, hit.node)
            self._surface = address(hit.surface)
        self.view = hit.view

    def motion(self, time_msec: int) -> None:
        """Motion goes to the surface that got the press, in its coordinates."""
        cursor = self.cursor
        seat = cursor.wlr_seat._ptr
        focused = seat.pointer_state.focused_surface
        node = lib.comp_node_ref_get(self._node)
        if node == ffi.NULL or focused == wlr_ffi.NULL:
            return
        if address(focused) != self._surface:
            return  # a wlroots grab (a popup's) moved the focus: leave it to that grab
        coords = cursor.coords
        lib.wlr_scene_node_coords(node, coords, coords + 1)
        x, y = cursor.wlr_cursor.x, cursor.wlr_cursor.y
        wlr_lib.wlr_seat_pointer_notify_motion(seat, time_msec, x - coords[0], y - coords[1])

    def ended(self, time_msec: int) -> None:
        self._release_node()

    def view_gone(self, view: View) -> SeatOp:
        if view is self.view:
            # The rest of the held buttons go nowhere; the client had its leave.
            self.cursor.wlr_seat.pointer_clear_focus()
            lib.comp_node_ref_set(self._node, ffi.NULL)
            self._surface = 0
            self.view = None
        return self

    def _release_node(self) -> None:
        if self._node != ffi.NULL:
            lib.comp_node_ref_destroy(self._node)
            self._node = ffi.NULL

    def __del__(self) -> None:
        self._release_node()


class KeptPress(SeatOp):
    name = "kept-press"
    takes_pointer = True

    def __init__(
        self,
        cursor: Pointer,
        view: View | None = None,
        on_end: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(cursor)
        self.view = view
        self.on_end = on_end

    def ended(self, time_msec: int) -> None:
        if self.on_end is not None:
            self.on_end(time_msec)


class Move(SeatOp):
    name = "move"
    takes_pointer = True

    def __init__(
        self, cursor: Pointer, view: View, on_end: Callable[[int], None] | None = None
    ) -> None:
        super().__init__(cursor)
        self.view = view
        self.on_end = on_end
        self.cursor_x, self.cursor_y = cursor.wlr_cursor.x, cursor.wlr_cursor.y
        self.x, self.y, self.width, self.height = view.geometry()
        # While it lasts, clients do not see the pointer (and the cursor image stays).
        cursor.wlr_seat.pointer_clear_focus()
        cursor.over_client = False
        log.info("%s of %r started at %s", self.name, view.app_id, view.geometry())

    def motion(self, time_msec: int) -> None:
        cursor = self.cursor.wlr_cursor
        dx, dy = cursor.x - self.cursor_x, cursor.y - self.cursor_y
        x, y = round(self.x + dx), round(self.y + dy)
        if (x, y) != (self.view.x, self.view.y):
            self.view.user_moved = True  # a dialog stays where the person put it
        self.view.move_to(x, y)

    def ended(self, time_msec: int) -> None:
        log.info("%s of %r ended at %s", self.name, self.view.app_id, self.view.geometry())
        if self.on_end is not None:
            self.on_end(time_msec)

    def view_gone(self, view: View) -> SeatOp:
        if view is not self.view:
            return self
        return KeptPress(self.cursor, None, self.on_end)  # the buttons still go nowhere


class Resize(Move):
    name = "resize"

    def __init__(self, cursor: Pointer, view: View, edges: Edges) -> None:
        super().__init__(cursor, view)
        self.edges = edges if edges != Edges.NONE else Edges.BOTTOM | Edges.RIGHT

    def motion(self, time_msec: int) -> None:
        cursor = self.cursor.wlr_cursor
        dx, dy = int(cursor.x - self.cursor_x), int(cursor.y - self.cursor_y)
        left, top = self.x, self.y
        right, bottom = self.x + self.width, self.y + self.height
        if self.edges & Edges.LEFT:
            left = min(left + dx, right - MIN_SIZE)
        elif self.edges & Edges.RIGHT:
            right = max(right + dx, left + MIN_SIZE)
        if self.edges & Edges.TOP:
            top = min(top + dy, bottom - MIN_SIZE)
        elif self.edges & Edges.BOTTOM:
            bottom = max(bottom + dy, top + MIN_SIZE)
        self.view.move_to(left, top)
        self.view.set_size(right - left, bottom - top)
