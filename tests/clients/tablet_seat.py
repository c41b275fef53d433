"""A drawing program's view of tablets: tablet v2, its tablet seat, and what it is told.

Prints ``tablet-seat`` once it has its zwp_tablet_seat_v2, then for each tablet
``tablet-added N``, ``tablet N name NAME``, ``tablet N id VID PID``, ``tablet N done`` and
``tablet N removed``; ``synced TOKEN`` after ``sync TOKEN`` on stdin.
"""

from __future__ import annotations

import os
import selectors
import sys

from pywayland.client import Display
from pywayland.protocol.tablet_unstable_v2 import ZwpTabletManagerV2
from pywayland.protocol.wayland import WlSeat

from tests.clients.solid_window import exit_on_handler_errors


def say(*words: object) -> None:
    print(*words, flush=True)


class TabletClient:
    def __init__(self) -> None:
        self.display = Display()
        self.display.connect()
        self.seat = self.manager = None
        self.tablets: list = []
        self.callbacks: list = []
        registry = self.display.get_registry()
        registry.dispatcher["global"] = self._on_global
        self.display.roundtrip()
        if self.manager is None:
            sys.exit("the compositor does not offer zwp_tablet_manager_v2")
        self.tablet_seat = self.manager.get_tablet_seat(self.seat)
        self.tablet_seat.dispatcher["tablet_added"] = self._on_tablet
        self.tablet_seat.dispatcher["tool_added"] = lambda s, tool: say("tool-added")
        self.tablet_seat.dispatcher["pad_added"] = lambda s, pad: say("pad-added")
        self.display.roundtrip()  # a protocol error would end the connection here
        say("tablet-seat")

    def _on_global(self, registry, name: int, interface: str, version: int) -> None:
        if interface == "wl_seat":
            self.seat = registry.bind(name, WlSeat, 1)
        elif interface == "zwp_tablet_manager_v2":
            self.manager = registry.bind(name, ZwpTabletManagerV2, 1)

    def _on_tablet(self, seat, tablet) -> None:
        self.tablets.append(tablet)
        n = len(self.tablets)
        say("tablet-added", n)
        tablet.dispatcher["name"] = lambda t, name: say("tablet", n, "name", name)
        tablet.dispatcher["id"] = lambda t, vid, pid: say("tablet", n, "id", vid, pid)
        tablet.dispatcher["path"] = lambda t, path: say("tablet", n, "path", path)
        tablet.dispatcher["done"] = lambda t: say("tablet", n, "done")
        tablet.dispatcher["removed"] = lambda t: say("tablet", n, "removed")

    def run(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self.display.get_fd(), selectors.EVENT_READ, "wayland")
        selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
        try:
            while True:
                self.display.dispatch(block=False)
                self.display.flush()
                for key, _ in selector.select():
                    if key.data == "wayland":
                        self.display.dispatch(block=True)
                    elif data := os.read(key.fd, 4096):
                        for line in data.decode().split("\n"):
                            if line.startswith("sync "):
                                self._sync(line.split()[1])
                    else:
                        selector.unregister(key.fd)
        except RuntimeError:
            say("disconnected")

    def _sync(self, token: str) -> None:
        callback = self.display.sync()

        def done(cb, data) -> None:
            self.callbacks.remove(cb)
            say("synced", token)

        callback.dispatcher["done"] = done
        self.callbacks.append(callback)


if __name__ == "__main__":
    exit_on_handler_errors()
    TabletClient().run()
