"""tablet v2: drawing tablets (Krita, GIMP, Xournal++).

The global is wlroots': a client asks for its tablet seat and wlroots makes it; every
tablet-tool device of the seat (libinput's; on the headless backend ``pydrm-ctl
tablet-add``) is announced on every client's tablet seat (zwp_tablet_seat_v2.tablet_added,
with its name and ids) and removed when the device goes.

The tools' events (a pen's proximity, motion, pressure, tip, buttons; libinput's, or on the
headless backend ``pydrm-ctl tablet-pen``) come through the wlr_cursor, as sway 1.7 routes
them: the cursor moves to the tool, and the surface under it (the pointer's hit test) gets
them through wlroots' tablet v2 helpers, if its client has a tablet seat; while the tip is
down the surface it went down on keeps them (wlroots' implicit grab). A surface whose client
has no tablet seat gets nothing from the tool (sway emulates the pointer there; not here).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pywayland.server import Listener, Signal
from wlroots import ffi as wlr_ffi
from wlroots.wlr_types import InputDevice

from compositor.ffi import address, ffi, lib, to_native, to_wlroots
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from pywayland.server import Display
    from wlroots.wlr_types import Seat

    from compositor.input.pointer_port import PointerPort

log = logging.getLogger(__name__)


class Tablets:
    def __init__(
        self,
        display: Display,
        wlr_seat: Seat,
        pointer: PointerPort,
        notify_activity: Callable[[], None],
    ) -> None:
        """``pointer``: the tools' events come through the cursor, which moves to the tool,
        and its hit test finds the surface under it; ``notify_activity``: each is activity."""
        self.wlr_seat = wlr_seat
        self.pointer = pointer
        self.notify_activity = notify_activity
        self.manager = lib.wlr_tablet_v2_create(to_native(display, "struct wl_display *"))
        if self.manager == ffi.NULL:
            raise RuntimeError("wlroots could not create the tablet global")
        self.devices: dict[InputDevice, Listeners] = {}
        self._tablets: dict[int, Any] = {}  # device address -> its wlr_tablet_v2_tablet
        # tool address -> [its wlr_tablet_v2_tablet_tool, the surface it is in proximity
        # of (address, or 0)]; forgotten when wlroots destroys the tool.
        self._tools: dict[int, list] = {}
        self._tool_listeners = Listeners()
        events = pointer.wlr_cursor._ptr.events
        self._listeners = Listeners(
            *(
                (_signal(events, name, ctype), handler)
                for name, ctype, handler in (
                    ("tablet_tool_proximity", "proximity", self._on_proximity),
                    ("tablet_tool_axis", "axis", self._on_axis),
                    ("tablet_tool_tip", "tip", self._on_tip),
                    ("tablet_tool_button", "button", self._on_button),
                )
            )
        )

    def add(self, device: InputDevice) -> None:
        """A tablet-tool device joins the seat: clients' tablet seats hear of it."""
        tablet = lib.wlr_tablet_create(
            self.manager,
            to_native(self.wlr_seat, "struct wlr_seat *"),
            to_native(device, "struct wlr_input_device *"),
        )
        if tablet == ffi.NULL:
            log.warning("tablet %s: wlroots could not announce it", device.name)
            return
        self.devices[device] = Listeners(
            (device.destroy_event, lambda _l, _d: self._removed(device))
        )
        self._tablets[address(device._ptr)] = tablet
        # Its tools' events come through the cursor (which forgets the device itself).
        self.pointer.attach(device)

    def _removed(self, device: InputDevice) -> None:
        # wlroots removes the tablet from the clients' tablet seats itself.
        self.devices.pop(device).remove_all()
        self._tablets.pop(address(device._ptr), None)

    def destroy(self) -> None:
        self._listeners.remove_all()
        self._tool_listeners.remove_all()
        for listeners in self.devices.values():
            listeners.remove_all()
        self.devices.clear()
        self._tablets.clear()
        self._tools.clear()

    # -- tool events ------------------------------------------------------------------------

    def _tool(self, tool: Any) -> list | None:
        """The tool's tablet v2 side, made the first time it is seen."""
        key = address(tool)
        entry = self._tools.get(key)
        if entry is None:
            v2 = lib.wlr_tablet_tool_create(
                self.manager, to_native(self.wlr_seat, "struct wlr_seat *"), tool
            )
            if v2 == ffi.NULL:
                return None
            entry = self._tools[key] = [v2, 0]
            signal = Signal(
                ptr=to_wlroots(lib.comp_tablet_tool_destroy_signal(tool), "struct wl_signal *")
            )
            listener = self._tool_listeners.connect(
                signal, lambda _l, _d: self._tool_destroyed(key, listener)
            )
        return entry

    def _tool_destroyed(self, key: int, listener: Listener) -> None:
        self._tools.pop(key, None)
        self._tool_listeners.remove(listener)

    def _on_proximity(self, listener: Listener, event: Any) -> None:
        entry = self._tool(event.tool)
        if entry is None:
            return
        if not lib.comp_tablet_proximity_in(event):
            lib.wlr_tablet_v2_tablet_tool_notify_proximity_out(entry[0])
            entry[1] = 0
            return
        self._position(event.device, entry, event.time_msec, event.x, event.y)

    def _on_axis(self, listener: Listener, event: Any) -> None:
        entry = self._tool(event.tool)
        if entry is None:
            return
        axes = event.updated_axes
        if axes & (lib.WLR_TABLET_TOOL_AXIS_X | lib.WLR_TABLET_TOOL_AXIS_Y):
            x = event.x if axes & lib.WLR_TABLET_TOOL_AXIS_X else math.nan
            y = event.y if axes & lib.WLR_TABLET_TOOL_AXIS_Y else math.nan
            self._position(event.device, entry, event.time_msec, x, y)
        if axes & lib.WLR_TABLET_TOOL_AXIS_PRESSURE:
            lib.wlr_tablet_v2_tablet_tool_notify_pressure(entry[0], event.pressure)

    def _on_tip(self, listener: Listener, event: Any) -> None:
        entry = self._tool(event.tool)
        if entry is None:
            return
        self.notify_activity()
        if lib.comp_tablet_tip_down(event):
            if entry[1]:
                lib.wlr_tablet_v2_tablet_tool_notify_down(entry[0])
                lib.wlr_tablet_tool_v2_start_implicit_grab(entry[0])
        else:
            lib.wlr_tablet_v2_tablet_tool_notify_up(entry[0])

    def _on_button(self, listener: Listener, event: Any) -> None:
        entry = self._tool(event.tool)
        if entry is None:
            return
        self.notify_activity()
        lib.wlr_tablet_v2_tablet_tool_notify_button(
            entry[0], event.button, 1 if lib.comp_tablet_button_pressed(event) else 0
        )

    def _position(self, device: Any, entry: list, time_msec: int, x: float, y: float) -> None:
        """The tool at absolute (x, y) of its tablet (NaN: unchanged): the cursor goes there
        and the surface under it, if its client has a tablet seat, hears of the tool."""
        self.notify_activity()
        tablet = self._tablets.get(address(device))
        cursor = self.pointer
        lib.wlr_cursor_warp_absolute(
            to_native(cursor.wlr_cursor, "struct wlr_cursor *"), device, x, y
        )
        hit = cursor.hit(cursor.wlr_cursor.x, cursor.wlr_cursor.y)
        surface = to_native(hit.surface, "struct wlr_surface *")  # NULL for None
        tool, focused = entry
        under = address(surface)
        if under != focused and lib.wlr_tablet_tool_v2_has_implicit_grab(tool):
            return  # the tip is down on another surface: it keeps the tool
        if (
            tablet is None
            or surface == ffi.NULL
            or not lib.wlr_surface_accepts_tablet_v2(tablet, surface)
        ):
            lib.wlr_tablet_v2_tablet_tool_notify_proximity_out(tool)
            entry[1] = 0
            return
        if under != focused:
            lib.wlr_tablet_v2_tablet_tool_notify_proximity_out(tool)
        lib.wlr_tablet_v2_tablet_tool_notify_proximity_in(tool, tablet, surface)
        entry[1] = under
        lib.wlr_tablet_v2_tablet_tool_notify_motion(tool, hit.sx, hit.sy)


def _signal(events: Any, name: str, kind: str) -> Signal:
    """One of the wlr_cursor's tablet tool signals (pywlroots has the struct, not the
    signals), its data re-typed as this module's event struct."""
    ctype = f"struct wlr_event_tablet_tool_{kind} *"
    return Signal(
        ptr=wlr_ffi.addressof(events, name), data_wrapper=lambda data: to_native(data, ctype)
    )
