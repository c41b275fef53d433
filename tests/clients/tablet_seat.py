"""A drawing program's view of tablets: tablet v2, its tablet seat, and what it is told.

Prints ``tablet-seat`` once it has its zwp_tablet_seat_v2, then for each tablet
``tablet-added N``, ``tablet N name NAME``, ``tablet N id VID PID``, ``tablet N done`` and
``tablet N removed``; ``synced TOKEN`` after ``sync TOKEN`` on stdin.

For each tool: ``tool-added N``, ``tool N type TYPE``, ``tool N capability CAP``,
``tool N done``, and its events: ``proximity-in N SURFACE`` (``window``, or ``other``),
``motion N X Y`` (surface-local), ``down N``, ``up N``, ``pressure N P`` (0..65535),
``button N BUTTON STATE``, ``frame N``, ``proximity-out N``, ``tool N removed``.

``--window``: a solid window (tests/clients/solid_window.py, ``--app-id``, ``--stdin-sync``
semantics: ``synced TOKEN COMMITS``) with the same tablet seat, for the pen to be on.
"""

from __future__ import annotations

import argparse
import os
import selectors
import sys

from pywayland.client import Display
from pywayland.protocol.tablet_unstable_v2 import ZwpTabletManagerV2
from pywayland.protocol.wayland import WlSeat

from tests.clients.solid_window import SolidWindow, _size, exit_on_handler_errors


def say(*words: object) -> None:
    print(*words, flush=True)


class TabletSeat:
    """A zwp_tablet_seat_v2 whose tablets and tools print what they are told; ``surfaces``
    names the client's surfaces for proximity_in."""

    def __init__(self, display, manager, seat, surfaces: dict) -> None:
        self.surfaces = surfaces
        self.tablets: list = []
        self.tools: list = []
        self.seat = manager.get_tablet_seat(seat)
        self.seat.dispatcher["tablet_added"] = self._on_tablet
        self.seat.dispatcher["tool_added"] = self._on_tool
        self.seat.dispatcher["pad_added"] = lambda s, pad: say("pad-added")
        display.roundtrip()  # a protocol error would end the connection here

    def _on_tablet(self, seat, tablet) -> None:
        self.tablets.append(tablet)
        n = len(self.tablets)
        say("tablet-added", n)
        tablet.dispatcher["name"] = lambda t, name: say("tablet", n, "name", name)
        tablet.dispatcher["id"] = lambda t, vid, pid: say("tablet", n, "id", vid, pid)
        tablet.dispatcher["path"] = lambda t, path: say("tablet", n, "path", path)
        tablet.dispatcher["done"] = lambda t: say("tablet", n, "done")
        tablet.dispatcher["removed"] = lambda t: say("tablet", n, "removed")

    def _on_tool(self, seat, tool) -> None:
        self.tools.append(tool)
        n = len(self.tools)
        say("tool-added", n)
        d = tool.dispatcher
        d["type"] = lambda t, kind: say("tool", n, "type", kind)
        d["capability"] = lambda t, cap: say("tool", n, "capability", cap)
        d["done"] = lambda t: say("tool", n, "done")
        d["removed"] = lambda t: say("tool", n, "removed")
        d["proximity_in"] = lambda t, serial, tablet, surface: say(
            "proximity-in", n, self.surfaces.get(surface, "other")
        )
        d["proximity_out"] = lambda t: say("proximity-out", n)
        d["motion"] = lambda t, x, y: say("motion", n, f"{x:g}", f"{y:g}")
        d["down"] = lambda t, serial: say("down", n)
        d["up"] = lambda t: say("up", n)
        d["pressure"] = lambda t, pressure: say("pressure", n, pressure)
        d["button"] = lambda t, serial, button, state: say("button", n, button, state)
        d["frame"] = lambda t, time: say("frame", n)


class TabletWindow(SolidWindow):
    """A solid window whose client has a tablet seat."""

    def __init__(self, options: argparse.Namespace) -> None:
        self.manager = None
        super().__init__(0x3366CC, options.size, options)
        if self.manager is None:
            sys.exit("the compositor does not offer zwp_tablet_manager_v2")
        self.tablet_seat = TabletSeat(self.display, self.manager, self.seat, self.surface_names)
        say("tablet-seat")

    def _on_global(self, registry, name: int, interface: str, version: int) -> None:
        if interface == "zwp_tablet_manager_v2":
            self.manager = registry.bind(name, ZwpTabletManagerV2, 1)
        else:
            super()._on_global(registry, name, interface, version)


class TabletClient:
    def __init__(self) -> None:
        self.display = Display()
        self.display.connect()
        self.seat = self.manager = None
        self.callbacks: list = []
        registry = self.display.get_registry()
        registry.dispatcher["global"] = self._on_global
        self.display.roundtrip()
        if self.manager is None:
            sys.exit("the compositor does not offer zwp_tablet_manager_v2")
        self.tablet_seat = TabletSeat(self.display, self.manager, self.seat, {})
        say("tablet-seat")

    def _on_global(self, registry, name: int, interface: str, version: int) -> None:
        if interface == "wl_seat":
            self.seat = registry.bind(name, WlSeat, 1)
        elif interface == "zwp_tablet_manager_v2":
            self.manager = registry.bind(name, ZwpTabletManagerV2, 1)

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


def main() -> None:
    exit_on_handler_errors()
    parser = argparse.ArgumentParser()
    parser.add_argument("--window", action="store_true")
    parser.add_argument("--app-id", default="test.tablet")
    parser.add_argument("--size", default=(200, 150), type=_size, help="WxH")
    options = parser.parse_args()
    if not options.window:
        TabletClient().run()
        return
    # solid_window's options this client does not offer.
    options.title, options.stdin_sync, options.geometry = "tablet", True, None
    options.subsurface = options.popup = options.viewport = None
    options.popup_depth, options.presentation = 1, False
    options.maximize = options.fullscreen = False
    options.decoration = None
    TabletWindow(options).run()


if __name__ == "__main__":
    main()
