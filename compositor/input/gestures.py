"""Pointer gestures v1: touchpad swipes, pinches and holds go to the client under the pointer.

The cursor collects the gestures of every pointer device (libinput's touchpads; the headless
pointer through ``pydrm-ctl pointer-gesture``) and wlroots sends them to the client with
the pointer focus, as sway 1.7 does (it binds none of them itself).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pywayland.server import Listener
from wlroots.wlr_types.pointer_gestures_v1 import PointerGesturesV1

from compositor.listeners import Listeners

if TYPE_CHECKING:
    from pywayland.server import Display
    from wlroots.wlr_types import Cursor, Seat


class PointerGestures:
    def __init__(
        self,
        display: Display,
        wlr_seat: Seat,
        cursor: Cursor,
        notify_activity: Callable[[], None],
    ) -> None:
        """``cursor``: collects every pointer device's gestures; ``notify_activity``: each is
        activity (idle)."""
        self.wlr_seat = wlr_seat
        self.notify_activity = notify_activity
        self.gestures = PointerGesturesV1(display)
        self.forwarded: Counter[str] = Counter()
        self._listeners = Listeners(
            (cursor.swipe_begin, self._on_swipe_begin),
            (cursor.swipe_update, self._on_swipe_update),
            (cursor.swipe_end, self._on_swipe_end),
            (cursor.pinch_begin, self._on_pinch_begin),
            (cursor.pinch_update, self._on_pinch_update),
            (cursor.pinch_end, self._on_pinch_end),
            (cursor.hold_begin, self._on_hold_begin),
            (cursor.hold_end, self._on_hold_end),
        )

    def destroy(self) -> None:
        self._listeners.remove_all()

    def _forward(self, name: str) -> Any:
        self.forwarded[name] += 1
        self.notify_activity()
        return self.wlr_seat

    def _on_swipe_begin(self, listener: Listener, event: Any) -> None:
        seat = self._forward("swipe_begin")
        self.gestures.send_swipe_begin(seat, event.time_msec, event.fingers)

    def _on_swipe_update(self, listener: Listener, event: Any) -> None:
        seat = self._forward("swipe_update")
        self.gestures.send_swipe_update(seat, event.time_msec, event.dx, event.dy)

    def _on_swipe_end(self, listener: Listener, event: Any) -> None:
        seat = self._forward("swipe_end")
        self.gestures.send_swipe_end(seat, event.time_msec, event.cancelled)

    def _on_pinch_begin(self, listener: Listener, event: Any) -> None:
        seat = self._forward("pinch_begin")
        self.gestures.send_pinch_begin(seat, event.time_msec, event.fingers)

    def _on_pinch_update(self, listener: Listener, event: Any) -> None:
        seat = self._forward("pinch_update")
        self.gestures.send_pinch_update(
            seat, event.time_msec, event.dx, event.dy, event.scale, event.rotation
        )

    def _on_pinch_end(self, listener: Listener, event: Any) -> None:
        seat = self._forward("pinch_end")
        self.gestures.send_pinch_end(seat, event.time_msec, event.cancelled)

    def _on_hold_begin(self, listener: Listener, event: Any) -> None:
        seat = self._forward("hold_begin")
        self.gestures.send_hold_begin(seat, event.time_msec, event.fingers)

    def _on_hold_end(self, listener: Listener, event: Any) -> None:
        seat = self._forward("hold_end")
        self.gestures.send_hold_end(seat, event.time_msec, event.cancelled)
