"""tablet v2: drawing tablets (Krita, GIMP, Xournal++).

The global is wlroots': a client asks for its tablet seat and wlroots makes it; every
tablet-tool device of the seat (libinput's; on the headless backend ``pydrm-ctl
tablet-add``) is announced on every client's tablet seat (zwp_tablet_seat_v2.tablet_added,
with its name and ids) and removed when the device goes. The tools' own events (proximity,
tip, axes) are not routed to clients yet: see the README's protocol table.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from wlroots.wlr_types import InputDevice

from compositor.ffi import ffi, lib, to_native
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from compositor.input.seat import SeatManager

log = logging.getLogger(__name__)


class Tablets:
    def __init__(self, seat: SeatManager) -> None:
        self.seat = seat
        self.manager = lib.wlr_tablet_v2_create(
            to_native(seat.server.display, "struct wl_display *")
        )
        if self.manager == ffi.NULL:
            raise RuntimeError("wlroots could not create the tablet global")
        self.devices: dict[InputDevice, Listeners] = {}

    def add(self, device: InputDevice) -> None:
        """A tablet-tool device joins the seat: clients' tablet seats hear of it."""
        tablet = lib.wlr_tablet_create(
            self.manager,
            to_native(self.seat.wlr_seat, "struct wlr_seat *"),
            to_native(device, "struct wlr_input_device *"),
        )
        if tablet == ffi.NULL:
            log.warning("tablet %s: wlroots could not announce it", device.name)
            return
        self.devices[device] = Listeners(
            (device.destroy_event, lambda _l, _d: self._removed(device))
        )

    def _removed(self, device: InputDevice) -> None:
        # wlroots removes the tablet from the clients' tablet seats itself.
        self.devices.pop(device).remove_all()

    def destroy(self) -> None:
        for listeners in self.devices.values():
            listeners.remove_all()
        self.devices.clear()
