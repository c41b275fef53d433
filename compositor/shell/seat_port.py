"""What windows ask of the seat: the one way from the shell to input.

The shell (placement, focus, stacking, the session lock) does not import the input package;
the composition root hands it the seat (input/seat.py's ``SeatManager``), which has these
methods.
"""

from __future__ import annotations

from typing import Any, Protocol


class SeatPort(Protocol):
    wlr_seat: Any

    def focus_keyboard(self, surface: Any) -> None:
        """Keyboard focus to this wlr_surface (a window, a launcher, an X11 menu)."""

    def clear_keyboard_focus(self) -> None: ...

    def pointer_position(self) -> tuple[float, float]:
        """The cursor, in layout coordinates."""
        ...

    def rebase_pointer(self) -> None:
        """Stacking or geometry under the pointer changed: find what it is over again."""

    def end_grab_of(self, view: Any) -> None:
        """A window goes: a move or resize of it ends."""

    def press_belongs_to(self, view: Any, serial: int | None) -> bool:
        """The button press a client's move/resize request names is held on this window."""
        ...

    def begin_move(self, view: Any) -> None: ...

    def begin_resize(self, view: Any, edges: Any) -> None: ...

    def xcursor_theme(self) -> Any:
        """The pointer's xcursor theme (Xwayland's root cursor)."""
        ...
