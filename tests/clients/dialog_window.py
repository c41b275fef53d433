"""A window and a dialog of it (xdg_toplevel.set_parent) marked modal with xdg_wm_dialog_v1
(pywayland's bindings). Prints ``mapped APP_ID`` for each, ``synced TOKEN``. Options:
``--not-modal`` (the dialog object, without set_modal). On stdin: ``sync TOKEN``,
``unset`` (unset_modal), ``set`` (set_modal), ``again`` (a second xdg_dialog_v1 for the
dialog: already_used).

    python -m tests.clients.dialog_window
"""

from __future__ import annotations

import argparse
import os
import sys

from pywayland.client import Display
from pywayland.protocol.wayland import WlCompositor, WlShm
from pywayland.protocol.xdg_dialog_v1 import XdgWmDialogV1
from pywayland.protocol.xdg_shell import XdgWmBase

from tests.clients.event_loop import run, say, shm_buffer, sync
from tests.clients.solid_window import exit_on_handler_errors


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
        for interface in ("wl_compositor", "wl_shm", "xdg_wm_base", "xdg_wm_dialog_v1"):
            if interface not in found:
                say("missing", interface)
                sys.stdout.flush()
                os._exit(3)
        self.compositor = registry.bind(found["wl_compositor"], WlCompositor, 4)
        self.shm = registry.bind(found["wl_shm"], WlShm, 1)
        self.wm_base = registry.bind(found["xdg_wm_base"], XdgWmBase, 1)
        self.wm_base.dispatcher["ping"] = lambda wm, serial: wm.pong(serial)
        self.dialogs = registry.bind(found["xdg_wm_dialog_v1"], XdgWmDialogV1, 1)
        self.parent = self._toplevel("test.parent", 400, 300, 0xFF3366CC, None)
        self.display.roundtrip()
        self.child = self._toplevel("test.modal", 160, 100, 0xFF00CC00, self.parent)
        self.dialog = self.dialogs.get_xdg_dialog(self.child)
        if not options.not_modal:
            self.dialog.set_modal()
        self.display.roundtrip()

    def _toplevel(self, app_id: str, width: int, height: int, color: int, parent):
        surface = self.compositor.create_surface()
        xdg_surface = self.wm_base.get_xdg_surface(surface)
        toplevel = xdg_surface.get_toplevel()
        toplevel.set_app_id(app_id)
        toplevel.set_title(app_id)
        if parent is not None:
            toplevel.set_parent(parent)
        mapped = []

        def configure(xdg, serial: int) -> None:
            xdg.ack_configure(serial)
            if not mapped:
                surface.attach(self._buffer(width, height, color), 0, 0)
                surface.damage_buffer(0, 0, width, height)
                surface.commit()
                mapped.append(True)
                say("mapped", app_id)

        xdg_surface.dispatcher["configure"] = configure
        surface.commit()
        self.keep += [surface, xdg_surface]
        return toplevel

    def _buffer(self, width: int, height: int, pixel: int):
        buffer = shm_buffer(self.shm, width, height, pixel)
        self.keep.append(buffer)
        return buffer

    def command(self, words: list[str]) -> None:
        if len(words) == 2 and words[0] == "sync":
            sync(self.display, self.keep, words[1])
        elif words == ["unset"]:
            self.dialog.unset_modal()
        elif words == ["set"]:
            self.dialog.set_modal()
        elif words == ["again"]:
            self.keep.append(self.dialogs.get_xdg_dialog(self.child))


def main() -> None:
    exit_on_handler_errors()
    parser = argparse.ArgumentParser()
    parser.add_argument("--not-modal", action="store_true")
    windows = Windows(parser.parse_args())
    run(windows.display, windows.command)
    sys.stdout.flush()
    os._exit(0)  # pywayland frees proxies after the display at interpreter exit


if __name__ == "__main__":
    main()
