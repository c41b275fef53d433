"""xdg-activation from the client side: a launcher hands its focus to another window.

Two connections in one process, as two applications would be: the *target* maps a window,
then the *launcher* maps one (it gets the focus, being newer). Then an activation token is
made, with the launcher's seat and the serial of its keyboard-enter (``--from-input``, what
a launcher does after the user's click or key) or without any (an application that wants
attention on its own), and the target activates its own window with it. Prints
``target keyboard-enter`` / ``launcher keyboard-enter`` / ``token TOKEN`` /
``activated`` (after a roundtrip that follows the activate request).
"""

from __future__ import annotations

import argparse
import mmap
import os

from pywayland.client import Display
from pywayland.protocol.wayland import WlCompositor, WlSeat, WlShm
from pywayland.protocol.xdg_activation_v1 import XdgActivationV1
from pywayland.protocol.xdg_shell import XdgWmBase


def say(*words: object) -> None:
    print(*words, flush=True)


class App:
    def __init__(self, name: str, color: int) -> None:
        self.name = name
        self.display = Display()
        self.display.connect()
        self.globals: dict[str, object] = {}
        registry = self.display.get_registry()
        registry.dispatcher["global"] = self._on_global
        self.display.roundtrip()
        self.enter_serial: int | None = None
        self.wm_base.dispatcher["ping"] = lambda wm, serial: wm.pong(serial)
        self.surface = self.compositor.create_surface()
        xdg_surface = self.wm_base.get_xdg_surface(self.surface)
        toplevel = xdg_surface.get_toplevel()
        toplevel.set_app_id(f"test.activation.{name}")
        self.configured = False

        def configure(xdg, serial: int) -> None:
            xdg.ack_configure(serial)
            if not self.configured:
                self.configured = True
                self.surface.attach(self._buffer(color), 0, 0)
                self.surface.commit()

        xdg_surface.dispatcher["configure"] = configure
        self.xdg_surface, self.toplevel = xdg_surface, toplevel
        self.surface.commit()
        while self.enter_serial is None:
            self.display.dispatch(block=True)

    def _on_global(self, registry, name: int, interface: str, version: int) -> None:
        if interface == "wl_compositor":
            self.compositor = registry.bind(name, WlCompositor, 4)
        elif interface == "wl_shm":
            self.shm = registry.bind(name, WlShm, 1)
        elif interface == "xdg_wm_base":
            self.wm_base = registry.bind(name, XdgWmBase, 1)
        elif interface == "xdg_activation_v1":
            self.activation = registry.bind(name, XdgActivationV1, 1)
        elif interface == "wl_seat":
            self.seat = registry.bind(name, WlSeat, 5)
            self.seat.dispatcher["capabilities"] = self._on_caps

    def _on_caps(self, seat, caps: int) -> None:
        if caps & WlSeat.capability.keyboard.value and not hasattr(self, "keyboard"):
            self.keyboard = seat.get_keyboard()
            self.keyboard.dispatcher["enter"] = self._on_enter

    def _on_enter(self, keyboard, serial: int, surface, keys) -> None:
        self.enter_serial = serial
        say(self.name, "keyboard-enter")

    def _buffer(self, color: int):
        width, height, stride = 120, 90, 480
        fd = os.memfd_create("activation", os.MFD_CLOEXEC)
        os.ftruncate(fd, stride * height)
        with mmap.mmap(fd, stride * height) as data:
            data.write((color | 0xFF000000).to_bytes(4, "little") * (width * height))
        pool = self.shm.create_pool(fd, stride * height)
        os.close(fd)
        buffer = pool.create_buffer(0, width, height, stride, WlShm.format.xrgb8888.value)
        pool.destroy()
        return buffer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--from-input", action="store_true")
    options = parser.parse_args()
    target = App("target", 0x2266AA)
    launcher = App("launcher", 0xAA6622)
    token_proxy = launcher.activation.get_activation_token()
    if options.from_input:
        token_proxy.set_serial(launcher.enter_serial, launcher.seat)
        token_proxy.set_surface(launcher.surface)
    tokens: list[str] = []
    token_proxy.dispatcher["done"] = lambda proxy, token: tokens.append(token)
    token_proxy.commit()
    while not tokens:
        launcher.display.dispatch(block=True)
    say("token", tokens[0])
    target.activation.activate(tokens[0], target.surface)
    target.display.roundtrip()
    say("activated")
    while target.display.dispatch(block=True) != -1:
        launcher.display.dispatch_pending()


if __name__ == "__main__":
    main()
