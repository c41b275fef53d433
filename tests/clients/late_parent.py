"""Two xdg_toplevels, a main window and a dialog, each mapped and parented only when told:
the orders toolkits use on session restore or when startup code shows a dialog before its
window (the dialog mapped first, its parent named before or after that).

app_ids ``APP_ID`` (the main window, ``--main WxH``, blue) and ``APP_ID.dialog`` (the
dialog, ``--dialog WxH``, yellow). ``--parent-first``: the dialog names the main window as
its parent (xdg_toplevel.set_parent) before anything maps. Neither maps until told. On
stdin:

    map main|dialog    commit a buffer (after the first configure); prints ``mapped NAME``
    parent             dialog.set_parent(main)
    unparent           dialog.set_parent(NULL)
    sync TOKEN         prints ``synced TOKEN`` once the compositor handled all before it

    python -m tests.clients.late_parent --app-id test.late
"""

from __future__ import annotations

import argparse
import os
import sys

from pywayland.client import Display
from pywayland.protocol.wayland import WlCompositor, WlShm
from pywayland.protocol.xdg_shell import XdgWmBase

from tests.clients.event_loop import run, say, shm_buffer, sync
from tests.clients.solid_window import exit_on_handler_errors


class Toplevel:
    """One xdg_toplevel, configured at once and mapped on ``map``."""

    def __init__(self, owner: Windows, name: str, app_id: str, size: str, color: int) -> None:
        self.owner = owner
        self.name = name
        self.width, self.height = (int(n) for n in size.split("x"))
        self.color = color
        self.surface = owner.compositor.create_surface()
        self.xdg_surface = owner.wm_base.get_xdg_surface(self.surface)
        self.toplevel = self.xdg_surface.get_toplevel()
        self.toplevel.set_app_id(app_id)
        self.toplevel.set_title(app_id)
        self.configured = False
        self.map_wanted = False
        self.mapped = False
        self.xdg_surface.dispatcher["configure"] = self._configure
        self.surface.commit()  # the initial commit: the compositor configures it

    def _configure(self, xdg_surface, serial: int) -> None:
        xdg_surface.ack_configure(serial)
        self.configured = True
        self._map_if_wanted()

    def map(self) -> None:
        self.map_wanted = True
        self._map_if_wanted()

    def _map_if_wanted(self) -> None:
        if self.mapped or not (self.map_wanted and self.configured):
            return
        buffer = shm_buffer(self.owner.shm, self.width, self.height, self.color)
        self.owner.keep.append(buffer)
        self.surface.attach(buffer, 0, 0)
        self.surface.damage_buffer(0, 0, self.width, self.height)
        self.surface.commit()
        self.mapped = True
        say("mapped", self.name)


class Windows:
    def __init__(self, options: argparse.Namespace) -> None:
        self.display = Display()
        self.display.connect()
        self.keep: list = []
        found: dict[str, int] = {}
        registry = self.display.get_registry()
        registry.dispatcher["global"] = lambda r, name, interface, version: found.setdefault(
            interface, name
        )
        self.display.roundtrip()
        self.compositor = registry.bind(found["wl_compositor"], WlCompositor, 4)
        self.shm = registry.bind(found["wl_shm"], WlShm, 1)
        self.wm_base = registry.bind(found["xdg_wm_base"], XdgWmBase, 1)
        self.wm_base.dispatcher["ping"] = lambda wm, serial: wm.pong(serial)
        app_id = options.app_id
        self.windows = {
            "main": Toplevel(self, "main", app_id, options.main, 0xFF3366CC),
            "dialog": Toplevel(self, "dialog", app_id + ".dialog", options.dialog, 0xFFEEEE00),
        }
        if options.parent_first:
            self.windows["dialog"].toplevel.set_parent(self.windows["main"].toplevel)
        self.display.roundtrip()

    def command(self, words: list[str]) -> None:
        dialog = self.windows["dialog"].toplevel
        if len(words) == 2 and words[0] == "map" and words[1] in self.windows:
            self.windows[words[1]].map()
        elif words == ["parent"]:
            dialog.set_parent(self.windows["main"].toplevel)
        elif words == ["unparent"]:
            dialog.set_parent(None)
        elif len(words) == 2 and words[0] == "sync":
            sync(self.display, self.keep, words[1])


def main() -> None:
    exit_on_handler_errors()
    parser = argparse.ArgumentParser()
    parser.add_argument("--app-id", default="test.late")
    parser.add_argument("--main", default="300x200")
    parser.add_argument("--dialog", default="120x80")
    parser.add_argument("--parent-first", action="store_true")
    windows = Windows(parser.parse_args())
    run(windows.display, windows.command)
    sys.stdout.flush()
    os._exit(0)  # pywayland frees proxies after the display at interpreter exit


if __name__ == "__main__":
    main()
