"""A zwp_linux_dmabuf_v1 client with no GL: DRM dumb buffers, exported as dma-bufs (PRIME).

The pixels are written by the CPU into the buffers before they are shared (once, or each
frame with ``--animate``); the compositor must then composite them without copying them
(GLES2: EGLImage import). Prints ``mapped W H`` once the first frame is shown and
``frames N`` every 60 frames. With ``--then-shm``, once the dma-buf frame is shown (its
frame callback), the same surface shows a wl_shm buffer of the same colour and the client
prints ``shm shown``: a client falling back to shared memory.

    python -m tests.vm.guest.gl_dmabuf_client --device /dev/dri/card0 --color 33cc66
"""

from __future__ import annotations

import argparse
import mmap
import os
import sys

from pywayland.client import Display
from pywayland.protocol.linux_dmabuf_unstable_v1 import ZwpLinuxDmabufV1
from pywayland.protocol.wayland import WlCompositor, WlShm
from pywayland.protocol.xdg_shell import XdgWmBase

from tests.vm.guest.drmio import DRM_CLOEXEC, DRM_RDWR, Dumb, create_dumb, xrgb_rows

XRGB8888 = 0x34325258
MOD_LINEAR = 0


def say(*words: object) -> None:
    print(*words, flush=True)


class DmabufWindow:
    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.width, self.height = options.size
        self.device = os.open(options.device, DRM_RDWR | DRM_CLOEXEC)
        self.display = Display()
        self.display.connect()
        self.compositor = self.wm_base = self.dmabuf = self.shm = None
        registry = self.display.get_registry()
        registry.dispatcher["global"] = self._on_global
        self.display.roundtrip()
        if not (self.compositor and self.wm_base and self.dmabuf):
            sys.exit("the compositor lacks wl_compositor, xdg_wm_base or zwp_linux_dmabuf_v1")
        self.wm_base.dispatcher["ping"] = lambda wm, serial: wm.pong(serial)
        colors = [options.color, options.color2] if options.animate else [options.color]
        self.buffers = [self._buffer(color) for color in colors]
        self.surface = self.compositor.create_surface()
        self.xdg_surface = self.wm_base.get_xdg_surface(self.surface)
        self.xdg_surface.dispatcher["configure"] = self._on_configure
        self.toplevel = self.xdg_surface.get_toplevel()
        self.toplevel.set_app_id(options.app_id)
        self.toplevel.set_title(options.app_id)
        self.frames = 0
        self.mapped = False
        self.surface.commit()

    def _on_global(self, registry, name: int, interface: str, version: int) -> None:
        if interface == "wl_compositor":
            self.compositor = registry.bind(name, WlCompositor, min(version, 4))
        elif interface == "xdg_wm_base":
            self.wm_base = registry.bind(name, XdgWmBase, 1)
        elif interface == "wl_shm":
            self.shm = registry.bind(name, WlShm, 1)
        elif interface == "zwp_linux_dmabuf_v1":
            self.dmabuf = registry.bind(name, ZwpLinuxDmabufV1, min(version, 3))

    def _buffer(self, color: int):
        dumb: Dumb = create_dumb(self.device, self.width, self.height)
        dumb.write(xrgb_rows(self.width, self.height, dumb.pitch, color))
        fd = dumb.export()
        params = self.dmabuf.create_params()
        params.add(fd, 0, 0, dumb.pitch, MOD_LINEAR >> 32, MOD_LINEAR & 0xFFFFFFFF)
        result: dict[str, object] = {}
        params.dispatcher["created"] = lambda p, buffer: result.setdefault("buffer", buffer)
        params.dispatcher["failed"] = lambda p: result.setdefault("failed", True)
        params.create(self.width, self.height, XRGB8888, 0)
        while not result:
            self.display.roundtrip()
        os.close(fd)
        params.destroy()
        if "failed" in result:
            sys.exit(f"the compositor refused the dma-buf ({self.width}x{self.height} XR24)")
        return result["buffer"]

    def _shm_buffer(self, color: int):
        stride = self.width * 4
        size = stride * self.height
        fd = os.memfd_create("gl-dmabuf-client-shm", os.MFD_CLOEXEC)
        os.ftruncate(fd, size)
        with mmap.mmap(fd, size) as memory:
            memory.write(xrgb_rows(self.width, self.height, stride, color))
        pool = self.shm.create_pool(fd, size)
        buffer = pool.create_buffer(0, self.width, self.height, stride, WlShm.format.xrgb8888.value)
        pool.destroy()
        os.close(fd)
        return buffer

    def _show_shm(self) -> None:
        self.shm_buffer = self._shm_buffer(self.options.color)
        self.surface.attach(self.shm_buffer, 0, 0)
        self.surface.damage_buffer(0, 0, self.width, self.height)
        self.surface.commit()
        self.display.flush()
        say("shm shown")

    def _on_configure(self, xdg_surface, serial: int) -> None:
        xdg_surface.ack_configure(serial)
        if not self.mapped:
            self._draw()

    def _draw(self) -> None:
        buffer = self.buffers[self.frames % len(self.buffers)]
        self.surface.attach(buffer, 0, 0)
        self.surface.damage_buffer(0, 0, self.width, self.height)
        if self.options.animate:
            callback = self.surface.frame()
            callback.dispatcher["done"] = lambda cb, t: self._on_frame()
        elif self.options.then_shm and not self.mapped:
            callback = self.surface.frame()
            callback.dispatcher["done"] = lambda cb, t: self._show_shm()
        self.surface.commit()
        if not self.mapped:
            self.mapped = True
            say("mapped", self.width, self.height)

    def _on_frame(self) -> None:
        self.frames += 1
        if self.frames % 60 == 0:
            say("frames", self.frames)
        self._draw()

    def run(self) -> None:
        while self.display.dispatch(block=True) != -1:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="/dev/dri/card0")
    parser.add_argument("--color", type=lambda s: int(s, 16), default=0x33CC66)
    parser.add_argument("--color2", type=lambda s: int(s, 16), default=0xCC3366)
    parser.add_argument(
        "--size", type=lambda s: tuple(int(v) for v in s.split("x")), default=(200, 150)
    )
    parser.add_argument("--app-id", default="test.dmabuf")
    parser.add_argument("--animate", action="store_true", help="swap two buffers every frame")
    parser.add_argument(
        "--then-shm", action="store_true", help="after the first frame, a wl_shm buffer"
    )
    DmabufWindow(parser.parse_args()).run()


if __name__ == "__main__":
    main()
