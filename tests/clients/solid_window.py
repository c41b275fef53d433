"""A real Wayland client: an xdg_toplevel filled with one solid colour, through wl_shm.

It follows configure sizes (so interactive resize can be seen in pixels) and prints one
line per event the tests care about, flushed at once:

    mapped W H | configure W H | enter | leave | button CODE STATE | key CODE STATE |
    keyboard-enter | keyboard-leave | close

    python -m tests.clients.solid_window --color 3366cc --size 200x150 --app-id test.solid
"""

from __future__ import annotations

import argparse
import mmap
import os
import sys

from pywayland.client import Display
from pywayland.protocol.wayland import WlCompositor, WlSeat, WlShm
from pywayland.protocol.xdg_shell import XdgWmBase


def say(*words: object) -> None:
    print(*words, flush=True)


class SolidWindow:
    def __init__(self, color: int, width: int, height: int, title: str, app_id: str) -> None:
        self.color = color
        self.width, self.height = width, height
        self.pending_size: tuple[int, int] | None = None
        self.display = Display()
        self.display.connect()
        self.compositor = self.shm = self.wm_base = self.seat = None
        registry = self.display.get_registry()
        registry.dispatcher["global"] = self._on_global
        self.display.roundtrip()
        if not (self.compositor and self.shm and self.wm_base):
            sys.exit("the compositor lacks wl_compositor, wl_shm or xdg_wm_base")
        self.wm_base.dispatcher["ping"] = lambda wm, serial: wm.pong(serial)
        self.surface = self.compositor.create_surface()
        self.xdg_surface = self.wm_base.get_xdg_surface(self.surface)
        self.xdg_surface.dispatcher["configure"] = self._on_configure
        self.toplevel = self.xdg_surface.get_toplevel()
        self.toplevel.set_title(title)
        self.toplevel.set_app_id(app_id)
        self.toplevel.dispatcher["configure"] = self._on_toplevel_configure
        self.toplevel.dispatcher["close"] = self._on_close
        self.mapped = False
        self.running = True
        self.buffer = None
        self.surface.commit()

    def _on_global(self, registry, name: int, interface: str, version: int) -> None:
        if interface == "wl_compositor":
            self.compositor = registry.bind(name, WlCompositor, min(version, 4))
        elif interface == "wl_shm":
            self.shm = registry.bind(name, WlShm, 1)
        elif interface == "xdg_wm_base":
            self.wm_base = registry.bind(name, XdgWmBase, 1)
        elif interface == "wl_seat":
            self.seat = registry.bind(name, WlSeat, min(version, 5))
            self.seat.dispatcher["capabilities"] = self._on_seat_caps

    def _on_seat_caps(self, seat, caps: int) -> None:
        if caps & WlSeat.capability.pointer.value:
            pointer = seat.get_pointer()
            pointer.dispatcher["enter"] = lambda *a: say("enter")
            pointer.dispatcher["leave"] = lambda *a: say("leave")
            pointer.dispatcher["button"] = lambda p, serial, t, button, state: say(
                "button", button, state
            )
        if caps & WlSeat.capability.keyboard.value:
            keyboard = seat.get_keyboard()
            keyboard.dispatcher["enter"] = lambda *a: say("keyboard-enter")
            keyboard.dispatcher["leave"] = lambda *a: say("keyboard-leave")
            keyboard.dispatcher["key"] = lambda k, serial, t, key, state: say("key", key, state)

    def _on_toplevel_configure(self, toplevel, width: int, height: int, states) -> None:
        if width > 0 and height > 0:
            self.pending_size = (width, height)

    def _on_configure(self, xdg_surface, serial: int) -> None:
        xdg_surface.ack_configure(serial)
        if self.pending_size is not None and self.pending_size != (self.width, self.height):
            self.width, self.height = self.pending_size
            say("configure", self.width, self.height)
        self.pending_size = None
        self._draw()

    def _on_close(self, toplevel) -> None:
        say("close")
        self.running = False

    def _draw(self) -> None:
        stride = self.width * 4
        size = stride * self.height
        fd = os.memfd_create("solid-window", os.MFD_CLOEXEC)
        os.ftruncate(fd, size)
        with mmap.mmap(fd, size) as data:
            data.write((self.color | 0xFF000000).to_bytes(4, "little") * (self.width * self.height))
        pool = self.shm.create_pool(fd, size)
        os.close(fd)
        buffer = pool.create_buffer(0, self.width, self.height, stride, WlShm.format.xrgb8888.value)
        pool.destroy()
        buffer.dispatcher["release"] = lambda b: b.destroy()
        self.surface.attach(buffer, 0, 0)
        self.surface.damage(0, 0, self.width, self.height)
        self.surface.commit()
        if not self.mapped:
            self.mapped = True
            say("mapped", self.width, self.height)

    def run(self) -> None:
        while self.running and self.display.dispatch(block=True) != -1:
            pass
        self.display.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--color", default="3366cc", help="RRGGBB")
    parser.add_argument("--size", default="200x150", help="WxH")
    parser.add_argument("--title", default="solid")
    parser.add_argument("--app-id", default="test.solid")
    ns = parser.parse_args()
    width, height = (int(v) for v in ns.size.split("x"))
    SolidWindow(int(ns.color, 16), width, height, ns.title, ns.app_id).run()


if __name__ == "__main__":
    main()
