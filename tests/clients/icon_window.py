"""A window with an icon (xdg-toplevel-icon-v1, bindings generated from tests/protocols/)
and a title bar of the compositor's (zxdg_decoration_manager_v1, server side).

Prints ``icon-size N`` and ``icon-sizes-done`` (the manager's events), ``mapped W H``,
``synced TOKEN``. Options: ``--icon RRGGBB`` (a square wl_shm buffer of that colour),
``--icon-size N`` (its side, 32 by default), ``--icon-name NAME``, ``--bad-icon`` (a 20x10
buffer: invalid_buffer). On stdin: ``sync TOKEN``; ``clear`` (set_icon with no icon, then
a commit); ``change`` (add a buffer to the icon already set: immutable).

    python -m tests.clients.icon_window --icon ff0000
"""

from __future__ import annotations

import argparse
import os
import sys

from pywayland.client import Display
from pywayland.protocol.wayland import WlCompositor, WlShm
from pywayland.protocol.xdg_decoration_unstable_v1 import (
    ZxdgDecorationManagerV1,
    ZxdgToplevelDecorationV1,
)
from pywayland.protocol.xdg_shell import XdgWmBase

from tests.clients.event_loop import run, say, shm_buffer, sync
from tests.clients.generated import load
from tests.clients.solid_window import exit_on_handler_errors


class IconWindow:
    def __init__(self, options: argparse.Namespace) -> None:
        icons = load("xdg-toplevel-icon-v1")
        self.options = options
        self.display = Display()
        self.display.connect()
        self.keep: list = []
        found: dict[str, tuple[int, int]] = {}
        registry = self.display.get_registry()
        registry.dispatcher["global"] = lambda r, name, interface, version: found.setdefault(
            interface, (name, version)
        )
        self.display.roundtrip()
        needed = ("wl_compositor", "wl_shm", "xdg_wm_base", "zxdg_decoration_manager_v1",
                  "xdg_toplevel_icon_manager_v1")  # fmt: skip
        for interface in needed:
            if interface not in found:
                say("missing", interface)
                sys.stdout.flush()
                os._exit(3)
        self.compositor = registry.bind(found["wl_compositor"][0], WlCompositor, 4)
        self.shm = registry.bind(found["wl_shm"][0], WlShm, 1)
        self.wm_base = registry.bind(found["xdg_wm_base"][0], XdgWmBase, 1)
        self.wm_base.dispatcher["ping"] = lambda wm, serial: wm.pong(serial)
        decorations = registry.bind(
            found["zxdg_decoration_manager_v1"][0], ZxdgDecorationManagerV1, 1
        )
        self.icons = registry.bind(
            found["xdg_toplevel_icon_manager_v1"][0], icons.XdgToplevelIconManagerV1, 1
        )
        self.icons.dispatcher["icon_size"] = lambda m, size: say("icon-size", size)
        self.icons.dispatcher["done"] = lambda m: say("icon-sizes-done")
        self.surface = self.compositor.create_surface()
        self.xdg_surface = self.wm_base.get_xdg_surface(self.surface)
        self.xdg_surface.dispatcher["configure"] = self._on_configure
        self.toplevel = self.xdg_surface.get_toplevel()
        self.toplevel.set_app_id("test.icon")
        self.toplevel.set_title("icon")
        decoration = decorations.get_toplevel_decoration(self.toplevel)
        decoration.set_mode(ZxdgToplevelDecorationV1.mode.server_side.value)
        self.keep.append(decoration)
        self.icon = None
        if options.icon or options.icon_name or options.bad_icon:
            self.icon = self.icons.create_icon()
            if options.icon_name:
                self.icon.set_name(options.icon_name)
            if options.icon:
                side = options.icon_size
                color = int(options.icon, 16) | 0xFF000000
                self.icon.add_buffer(self._buffer(side, side, color), 1)
            if options.bad_icon:
                self.icon.add_buffer(self._buffer(20, 10, 0xFF00FF00), 1)
            self.icons.set_icon(self.toplevel, self.icon)
        self.mapped = False
        self.surface.commit()

    def _buffer(self, width: int, height: int, pixel: int):
        buffer = shm_buffer(self.shm, width, height, pixel, argb=True)
        self.keep.append(buffer)
        return buffer

    def _on_configure(self, xdg_surface, serial: int) -> None:
        xdg_surface.ack_configure(serial)
        if not self.mapped:
            self.surface.attach(self._buffer(200, 150, 0xFF3366CC), 0, 0)
            self.surface.damage_buffer(0, 0, 200, 150)
            self.surface.commit()
            self.mapped = True
            say("mapped", 200, 150)

    def command(self, words: list[str]) -> None:
        if len(words) == 2 and words[0] == "sync":
            sync(self.display, self.keep, words[1])
        elif words == ["clear"]:
            self.icons.set_icon(self.toplevel, None)
            self.surface.commit()
        elif words == ["change"]:
            self.icon.add_buffer(self._buffer(16, 16, 0xFFFFFFFF), 1)


def main() -> None:
    exit_on_handler_errors()
    parser = argparse.ArgumentParser()
    parser.add_argument("--icon", metavar="RRGGBB")
    parser.add_argument("--icon-size", type=int, default=32)
    parser.add_argument("--icon-name")
    parser.add_argument("--bad-icon", action="store_true")
    window = IconWindow(parser.parse_args())
    run(window.display, window.command)
    sys.stdout.flush()
    os._exit(0)  # pywayland frees proxies after the display at interpreter exit


if __name__ == "__main__":
    main()
