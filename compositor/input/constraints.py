"""Pointer constraints v1 and relative pointer v1 (games, Blender, remote desktops).

As sway 1.7 does them: a constraint is *active* while its surface has the keyboard focus
(the focused window asked for it); an active constraint acts on the pointer only while the
pointer is over its surface. A locked pointer does not move at all, a confined one stops at
the edge of its region (wlr_region_confine); the client sees neither as wl_pointer motion
beyond that. Every pointer motion, constrained or not, is also sent as relative motion
(zwp_relative_pointer_v1) to the client under the pointer, with the unaccelerated deltas:
that is how a game with a locked pointer turns its camera (the cursor sends it after the
motion, and not for a motion that took the pointer to another surface: see
``CursorManager._relative_motion``).

When a confinement becomes active and the pointer is outside its region, the pointer is
warped to the middle of the region; when a lock ends (the client unlocks, or the window
loses the focus), the pointer goes to the cursor-position hint the client left, if any.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pywayland.server import Listener
from wlroots import ffi as wlr_ffi
from wlroots.wlr_types.cursor import WarpMode
from wlroots.wlr_types.pointer_constraints_v1 import (
    PointerConstraintsV1,
    PointerConstraintV1,
    PointerConstraintV1StateField,
    PointerConstraintV1Type,
)
from wlroots.wlr_types.relative_pointer_manager_v1 import RelativePointerManagerV1

from compositor.ffi import address, ffi, lib, to_native
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from wlroots.wlr_types import Seat

    from compositor.core import Core
    from compositor.input.pointer_port import PointerPort

log = logging.getLogger(__name__)


@dataclass
class Allowed:
    """A constrained motion: where the pointer may go (layout coordinates)."""

    x: float
    y: float


class Constraint:
    """One client's lock or confinement of the pointer on one of its surfaces."""

    def __init__(self, owner: PointerConstraints, constraint: PointerConstraintV1) -> None:
        self.owner = owner
        self.constraint = constraint
        self.surface_address = address(constraint._ptr.surface)
        self.locked = constraint.type == PointerConstraintV1Type.LOCKED
        self._listeners = Listeners(
            (constraint.set_region_event, self._on_set_region),
            (constraint.destroy_event, self._on_destroy),
        )

    @property
    def region(self) -> Any:
        """The effective region (surface-local), as this module's ``void *``."""
        return ffi.cast("void *", address(wlr_ffi.addressof(self.constraint._ptr, "region")))

    def cursor_hint(self) -> tuple[float, float] | None:
        current = self.constraint._ptr.current
        if not current.committed & PointerConstraintV1StateField.CURSOR_HINT:
            return None
        return current.cursor_hint.x, current.cursor_hint.y

    def _on_set_region(self, listener: Listener, data: Any) -> None:
        if self.owner.active is self and not self.locked:
            self.owner.warp_inside(self)

    def _on_destroy(self, listener: Listener, data: Any) -> None:
        self._listeners.remove_all()
        self.owner.on_destroyed(self)
        del self.constraint


class PointerConstraints:
    def __init__(self, core: Core, wlr_seat: Seat, pointer: PointerPort) -> None:
        self.core = core  # the display for the globals, the scene to find surfaces in
        self.wlr_seat = wlr_seat
        self.pointer = pointer  # constrained and warped here; told when Python must take motion
        display = core.display
        self.manager = PointerConstraintsV1(display)
        self.relative_pointer = RelativePointerManagerV1(display)
        self.constraints: list[Constraint] = []
        self.active: Constraint | None = None
        self.relative_events = 0  # relative motion events offered to clients
        self._out = ffi.new("double[2]")
        self._coords = ffi.new("int[2]")
        self._listeners = Listeners(
            (self.manager.new_constraint_event, self._on_new_constraint),
            (wlr_seat.keyboard_state.focus_change_event, self._on_focus_change),
        )

    def destroy(self) -> None:
        self._listeners.remove_all()
        for constraint in self.constraints:
            constraint._listeners.remove_all()
        self.constraints.clear()
        self.active = None

    # -- which constraint is active -------------------------------------------------------

    def _on_new_constraint(self, listener: Listener, constraint: PointerConstraintV1) -> None:
        entry = Constraint(self, constraint)
        self.constraints.append(entry)
        log.info(
            "pointer constraint: %s on a surface of pid %s",
            "lock" if entry.locked else "confinement",
            lib.comp_surface_client_pid(to_native(constraint._ptr.surface, "struct wlr_surface *")),
        )
        if entry.surface_address == self._focused_address():
            self._activate(entry)

    def _on_focus_change(self, listener: Listener, event: Any) -> None:
        self.update()

    def update(self) -> None:
        """Activate the constraint of the surface with the keyboard focus (or none)."""
        focused = self._focused_address()
        self._activate(
            next((c for c in self.constraints if c.surface_address == focused), None)
            if focused
            else None
        )

    def _focused_address(self) -> int:
        focused = self.wlr_seat._ptr.keyboard_state.focused_surface
        return 0 if focused == wlr_ffi.NULL else address(focused)

    def _activate(self, entry: Constraint | None) -> None:
        previous = self.active
        if previous is entry:
            return
        self.active = entry
        if previous is not None:
            if entry is None:
                self._warp_to_hint(previous)
            # A one-shot constraint is destroyed by this (on_destroyed runs inside it).
            previous.constraint.send_deactivated()
        if entry is not None:
            if not entry.locked:
                self.warp_inside(entry)
            entry.constraint.send_activated()
        self.pointer.sync_motion_path()

    def on_destroyed(self, entry: Constraint) -> None:
        if entry in self.constraints:
            self.constraints.remove(entry)
        if self.active is entry:
            self._warp_to_hint(entry)
            self.active = None
            self.pointer.sync_motion_path()

    # -- moving the pointer ---------------------------------------------------------------

    def _surface_position(self, entry: Constraint) -> tuple[int, int] | None:
        root = to_native(self.core.scene.node, "struct wlr_scene_node *")
        surface = to_native(entry.constraint._ptr.surface, "struct wlr_surface *")
        if not lib.comp_scene_surface_drawn(root, surface, self._coords, self._coords + 1):
            return None
        return self._coords[0], self._coords[1]

    def warp_inside(self, entry: Constraint) -> None:
        """A confinement that became active: bring the pointer into its region."""
        position = self._surface_position(entry)
        if position is None:
            return
        cursor = self.pointer.wlr_cursor
        sx, sy = cursor.x - position[0], cursor.y - position[1]
        if lib.comp_region_point_inside(entry.region, sx, sy, self._out, self._out + 1):
            cursor.warp(
                WarpMode.LayoutClosest, position[0] + self._out[0], position[1] + self._out[1]
            )
            self.pointer.rebase()

    def _warp_to_hint(self, entry: Constraint) -> None:
        """A lock that ends: the pointer goes where the client says it shows it."""
        hint = entry.cursor_hint() if entry.locked else None
        position = self._surface_position(entry) if hint is not None else None
        if hint is None or position is None:
            return
        self.pointer.wlr_cursor.warp(
            WarpMode.LayoutClosest, position[0] + hint[0], position[1] + hint[1]
        )
        lib.wlr_seat_pointer_warp(to_native(self.wlr_seat, "struct wlr_seat *"), *hint)

    def relative_motion(self, time_msec: int, dx: float, dy: float, udx: float, udy: float):
        """Every pointer motion, as relative motion for the client under the pointer."""
        self.relative_events += 1
        self.relative_pointer.send_relative_motion(
            self.wlr_seat, time_msec * 1000, dx, dy, udx, udy
        )

    def constrain(self, dx: float, dy: float) -> Allowed | None | bool:
        """Apply the active constraint to a motion by (dx, dy).

        None: no constraint acts (the pointer is free); False: the pointer must not move
        (locked, or outside the confinement); Allowed: where it may go instead.
        """
        entry = self.active
        if entry is None:
            return None
        cursor = self.pointer
        hit = cursor.hit(cursor.wlr_cursor.x, cursor.wlr_cursor.y)
        if hit.surface is None or address(hit.surface) != entry.surface_address:
            return None  # the pointer is elsewhere: the constraint waits for it
        if entry.locked:
            return False
        if not lib.comp_region_confine(
            entry.region, hit.sx, hit.sy, dx, dy, self._out, self._out + 1
        ):
            return False
        return Allowed(
            cursor.wlr_cursor.x + self._out[0] - hit.sx,
            cursor.wlr_cursor.y + self._out[1] - hit.sy,
        )

    def describe(self) -> dict:
        active = self.active
        return {
            "constraints": len(self.constraints),
            "active": None if active is None else ("locked" if active.locked else "confined"),
            # Offered from Python (while it takes motion) and from the C motion path.
            "relative_motion_events": self.relative_events + self.pointer.motion.relative_events,
        }
