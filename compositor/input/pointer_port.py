"""What the seat's features ask of the pointer: the one way from them to input/cursor.py.

Pointer constraints (constraints.py) and tablets (tablet.py) are built by the seat with the
pointer (input/cursor.py's ``CursorManager``, which has these members), and the cursor calls
them in turn (a motion is constrained, a tool moves the cursor); so they name the pointer by
this port and the cursor imports them, never the other way round. :class:`Hit` is what the
pointer's hit test finds; the seat operations (seatops.py) start from one too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from wlroots.wlr_types import Cursor, InputDevice

    from compositor.shell.view import View


@dataclass
class Hit:
    """What is under a layout point: a window (or None), a client surface (a wlroots ffi
    ``struct wlr_surface *``, or None over the background or a decoration), the
    surface-local coordinates, and the scene node hit (this project's ffi; NULL if none)."""

    view: View | None
    surface: Any
    sx: float
    sy: float
    node: Any


class PointerPort(Protocol):
    wlr_cursor: Cursor
    motion: Any  # the C motion path (ffi/csrc/pointer_motion.h): its counters

    def hit(self, lx: float, ly: float) -> Hit:
        """What takes input at layout point (lx, ly)."""
        ...

    def rebase(self) -> None:
        """What is under the pointer changed (it was warped): find it again."""

    def sync_motion_path(self) -> None:
        """Whether Python must take motion changed (a constraint came or went)."""

    def attach(self, device: InputDevice) -> None:
        """A device moves the cursor (a tablet's tools)."""
