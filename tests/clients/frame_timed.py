"""A window animated from the frame callbacks' time, which says what it was told.

Each frame callback's time (ms) picks the next frame's colour, and every commit asks for
wp_presentation feedback. Lines on stdout: ``mapped``, ``frame MS`` (a frame callback's
time), ``presented SEC NSEC REFRESH_NS SEQ`` and ``discarded``.
"""

from __future__ import annotations

import mmap
import os
import sys

from pywayland.client import Display
from pywayland.protocol.presentation_time import WpPresentation
from pywayland.protocol.wayland import WlCompositor, WlShm
from pywayland.protocol.xdg_shell import XdgWmBase

WIDTH, HEIGHT = 160, 120


def say(*words: object) -> None:
    print(*words, flush=True)


class FrameTimed:
    def __init__(self) -> None:
        self.display = Display()
        self.display.connect()
        self.compositor = self.shm = self.wm_base = self.presentation = None
        registry = self.display.get_registry()
        registry.dispatcher["global"] = self._on_global
        self.display.roundtrip()
        if not (self.compositor and self.shm and self.wm_base and self.presentation):
            sys.exit("the compositor lacks wl_compositor, wl_shm, xdg_wm_base or wp_presentation")
        self.wm_base.dispatcher["ping"] = lambda wm, serial: wm.pong(serial)
        self.surface = self.compositor.create_surface()
        self.xdg_surface = self.wm_base.get_xdg_surface(self.surface)
        self.xdg_surface.dispatcher["configure"] = self._on_configure
        self.toplevel = self.xdg_surface.get_toplevel()
        self.toplevel.set_app_id("test.frame-timed")
        self.toplevel.set_title("frame-timed")
        self.keep: list = []  # proxies whose events are still to come
        self.mapped = False
        self.surface.commit()

    def _on_global(self, registry, name: int, interface: str, version: int) -> None:
        if interface == "wl_compositor":
            self.compositor = registry.bind(name, WlCompositor, 4)
        elif interface == "wl_shm":
            self.shm = registry.bind(name, WlShm, 1)
        elif interface == "xdg_wm_base":
            self.wm_base = registry.bind(name, XdgWmBase, 1)
        elif interface == "wp_presentation":
            self.presentation = registry.bind(name, WpPresentation, 1)

    def _on_configure(self, xdg_surface, serial: int) -> None:
        xdg_surface.ack_configure(serial)
        if not self.mapped:
            self.mapped = True
            self._draw(0)
            say("mapped")

    def _buffer(self, color: int):
        size = WIDTH * 4 * HEIGHT
        fd = os.memfd_create("frame-timed", os.MFD_CLOEXEC)
        os.ftruncate(fd, size)
        with mmap.mmap(fd, size) as data:
            data.write((color | 0xFF000000).to_bytes(4, "little") * (WIDTH * HEIGHT))
        pool = self.shm.create_pool(fd, size)
        os.close(fd)
        buffer = pool.create_buffer(0, WIDTH, HEIGHT, WIDTH * 4, WlShm.format.xrgb8888.value)
        pool.destroy()
        buffer.dispatcher["release"] = lambda b: b.destroy()
        return buffer

    def _draw(self, time_ms: int) -> None:
        # The colour is a function of the time alone: the same time, the same picture.
        color = (time_ms * 2654435761) & 0xFFFFFF
        self.surface.attach(self._buffer(color), 0, 0)
        self.surface.damage(0, 0, WIDTH, HEIGHT)
        callback = self.surface.frame()
        callback.dispatcher["done"] = self._on_frame
        feedback = self.presentation.feedback(self.surface)
        feedback.dispatcher["presented"] = self._on_presented
        feedback.dispatcher["discarded"] = self._on_discarded
        self.keep += [callback, feedback]
        self.surface.commit()

    def _on_frame(self, callback, time_ms: int) -> None:
        self.keep.remove(callback)
        say("frame", time_ms)
        self._draw(time_ms)

    def _on_presented(
        self, feedback, sec_hi, sec_lo, nsec, refresh, seq_hi, seq_lo, flags
    ) -> None:
        self.keep.remove(feedback)
        say("presented", (sec_hi << 32) | sec_lo, nsec, refresh, (seq_hi << 32) | seq_lo)

    def _on_discarded(self, feedback) -> None:
        self.keep.remove(feedback)
        say("discarded")

    def run(self) -> None:
        try:
            while True:
                self.display.dispatch(block=True)
        except RuntimeError:
            say("disconnected")


if __name__ == "__main__":
    FrameTimed().run()
