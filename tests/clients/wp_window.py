"""A window on the protocols sway 1.10 offers and wlroots 0.15 lacks (pywayland's bindings):
single-pixel buffers, content type, fractional scale, cursor shape, ext-idle-notify.

Prints one line per event the tests care about, flushed at once:

    mapped W H | preferred-scale N | drawn-scaled BW BH | enter SX SY | shape-set NAME |
    idled | resumed | synced TOKEN | missing GLOBAL | disconnected

Options: ``--size WxH``, ``--app-id``, ``--color RRGGBB`` (its wl_shm buffer);
``--single-pixel RRGGBBAA`` (the window's buffer is a wp_single_pixel_buffer_v1 of that
colour, premultiplied, stretched to the size by wp_viewport); ``--content-type TYPE``
(none, photo, video, game); ``--fractional-scale`` (wp_fractional_scale_v1: on each
preferred scale other than 120, it draws a buffer of size x scale / 120, one-pixel black and
white columns, shown at the window's size through wp_viewport: sharp only when the output's
scale matches); ``--cursor-shape NAME`` (wp_cursor_shape_v1: that shape at each pointer
enter); ``--idle-notify MS`` (an ext_idle_notification_v1 with that timeout); ``--alpha
FACTOR`` (wp_alpha_modifier_surface_v1: the multiplier, 0 to 4294967295, before the first
commit); ``--tearing HINT`` (wp_tearing_control_v1: vsync or async). On stdin:
``sync TOKEN``; ``alpha FACTOR`` (a new multiplier and a commit; with ``--alpha`` only),
``alpha-again`` (a second get_surface for the surface: a protocol error).

    python -m tests.clients.wp_window --single-pixel ff800080 --size 200x150
"""

from __future__ import annotations

import argparse
import mmap
import os
import selectors
import sys

from pywayland.client import Display
from pywayland.protocol.alpha_modifier_v1 import WpAlphaModifierV1
from pywayland.protocol.content_type_v1 import WpContentTypeManagerV1, WpContentTypeV1
from pywayland.protocol.cursor_shape_v1 import WpCursorShapeDeviceV1, WpCursorShapeManagerV1
from pywayland.protocol.ext_idle_notify_v1 import ExtIdleNotifierV1
from pywayland.protocol.fractional_scale_v1 import WpFractionalScaleManagerV1
from pywayland.protocol.single_pixel_buffer_v1 import WpSinglePixelBufferManagerV1
from pywayland.protocol.tearing_control_v1 import WpTearingControlManagerV1, WpTearingControlV1
from pywayland.protocol.viewporter import WpViewporter
from pywayland.protocol.wayland import WlCompositor, WlSeat, WlShm
from pywayland.protocol.xdg_shell import XdgWmBase

from tests.clients.solid_window import _size, exit_on_handler_errors

GLOBALS = {
    "wl_compositor": (WlCompositor, 4),
    "wl_shm": (WlShm, 1),
    "xdg_wm_base": (XdgWmBase, 1),
    "wl_seat": (WlSeat, 5),
    "wp_viewporter": (WpViewporter, 1),
    "wp_single_pixel_buffer_manager_v1": (WpSinglePixelBufferManagerV1, 1),
    "wp_content_type_manager_v1": (WpContentTypeManagerV1, 1),
    "wp_fractional_scale_manager_v1": (WpFractionalScaleManagerV1, 1),
    "wp_cursor_shape_manager_v1": (WpCursorShapeManagerV1, 1),
    "ext_idle_notifier_v1": (ExtIdleNotifierV1, 1),
    "wp_alpha_modifier_v1": (WpAlphaModifierV1, 1),
    "wp_tearing_control_manager_v1": (WpTearingControlManagerV1, 1),
}


def say(*words: object) -> None:
    print(*words, flush=True)


class WpWindow:
    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.width, self.height = options.size
        self.display = Display()
        self.display.connect()
        self.globals: dict[str, object] = {}
        self.keep: list = []  # proxies that must live (pywayland destroys collected ones)
        registry = self.display.get_registry()
        registry.dispatcher["global"] = self._on_global
        self.display.roundtrip()
        self.wm_base = self._need("xdg_wm_base")
        self.wm_base.dispatcher["ping"] = lambda wm, serial: wm.pong(serial)
        self.surface = self._need("wl_compositor").create_surface()
        self.viewport = None
        if options.single_pixel or options.fractional_scale:
            self.viewport = self._need("wp_viewporter").get_viewport(self.surface)
        if options.content_type:
            content = self._need("wp_content_type_manager_v1")
            self.content_type = content.get_surface_content_type(self.surface)
            self.content_type.set_content_type(
                getattr(WpContentTypeV1.type, options.content_type).value
            )
        self.scale = 120
        if options.fractional_scale:
            manager = self._need("wp_fractional_scale_manager_v1")
            self.fractional = manager.get_fractional_scale(self.surface)
            self.fractional.dispatcher["preferred_scale"] = self._on_preferred_scale
        if options.idle_notify is not None:
            notifier = self._need("ext_idle_notifier_v1")
            seat = self._need("wl_seat")
            self.notification = notifier.get_idle_notification(options.idle_notify, seat)
            self.notification.dispatcher["idled"] = lambda n: say("idled")
            self.notification.dispatcher["resumed"] = lambda n: say("resumed")
        if options.cursor_shape:
            self.shapes = self._need("wp_cursor_shape_manager_v1")
            seat = self._need("wl_seat")
            self.pointer = seat.get_pointer()
            self.shape_device = self.shapes.get_pointer(self.pointer)
            self.pointer.dispatcher["enter"] = self._on_enter
        if options.alpha is not None:
            self.alpha = self._need("wp_alpha_modifier_v1").get_surface(self.surface)
            self.alpha.set_multiplier(options.alpha)
        if options.tearing:
            manager = self._need("wp_tearing_control_manager_v1")
            self.tearing = manager.get_tearing_control(self.surface)
            # pywayland names async `async_` (a keyword).
            hint = WpTearingControlV1.presentation_hint[options.tearing.replace("async", "async_")]
            self.tearing.set_presentation_hint(hint.value)
        self.xdg_surface = self.wm_base.get_xdg_surface(self.surface)
        self.xdg_surface.dispatcher["configure"] = self._on_configure
        self.toplevel = self.xdg_surface.get_toplevel()
        self.toplevel.set_app_id(options.app_id)
        self.toplevel.set_title("wp-window")
        self.mapped = False
        self.surface.commit()

    def _on_global(self, registry, name: int, interface: str, version: int) -> None:
        if interface in GLOBALS:
            cls, most = GLOBALS[interface]
            self.globals[interface] = registry.bind(name, cls, min(version, most))

    def _need(self, interface: str):
        proxy = self.globals.get(interface)
        if proxy is None:
            say("missing", interface)
            sys.exit(3)
        return proxy

    def _on_configure(self, xdg_surface, serial: int) -> None:
        xdg_surface.ack_configure(serial)
        if not self.mapped:
            self._draw()
            self.mapped = True
            say("mapped", self.width, self.height)

    def _on_enter(self, pointer, serial: int, surface, sx: float, sy: float) -> None:
        say("enter", f"{sx:g}", f"{sy:g}")
        shape = getattr(WpCursorShapeDeviceV1.shape, self.options.cursor_shape)
        self.shape_device.set_shape(serial, shape.value)
        say("shape-set", self.options.cursor_shape)

    def _on_preferred_scale(self, fractional, scale: int) -> None:
        say("preferred-scale", scale)
        self.scale = scale
        if self.mapped:
            self._draw()

    def _draw(self) -> None:
        options = self.options
        if options.single_pixel:
            value = int(options.single_pixel, 16)
            r, g, b, a = ((value >> shift) & 0xFF for shift in (24, 16, 8, 0))
            manager = self._need("wp_single_pixel_buffer_manager_v1")
            buffer = manager.create_u32_rgba_buffer(*(c * 0x01010101 for c in (r, g, b, a)))
            self.viewport.set_destination(self.width, self.height)
            self._attach(buffer, self.width, self.height)
        elif options.fractional_scale and self.scale != 120:
            width = round(self.width * self.scale / 120)
            height = round(self.height * self.scale / 120)
            self.viewport.set_destination(self.width, self.height)
            self._attach(self._stripes(width, height), width, height)
            say("drawn-scaled", width, height)
        else:
            width, height = self.width, self.height
            self._attach(
                self._shm(width, height, int(options.color, 16) | 0xFF000000), width, height
            )

    def _attach(self, buffer, width: int, height: int) -> None:
        self.keep.append(buffer)
        self.surface.attach(buffer, 0, 0)
        self.surface.damage_buffer(0, 0, width, height)
        self.surface.commit()

    def _pool_buffer(self, width: int, height: int, data: bytes):
        size = width * height * 4
        fd = os.memfd_create("wp-window", os.MFD_CLOEXEC)
        os.ftruncate(fd, size)
        with mmap.mmap(fd, size) as mapped:
            mapped.write(data)
        pool = self._need("wl_shm").create_pool(fd, size)
        os.close(fd)
        buffer = pool.create_buffer(0, width, height, width * 4, WlShm.format.xrgb8888.value)
        pool.destroy()
        return buffer

    def _shm(self, width: int, height: int, pixel: int):
        return self._pool_buffer(width, height, pixel.to_bytes(4, "little") * (width * height))

    def _stripes(self, width: int, height: int):
        black, white = (0xFF000000).to_bytes(4, "little"), (0xFFFFFFFF).to_bytes(4, "little")
        row = b"".join(black if x % 2 == 0 else white for x in range(width))
        return self._pool_buffer(width, height, row * height)

    def _sync(self, token: str) -> None:
        def second(callback, data: int) -> None:
            self.keep.remove(callback)
            say("synced", token)

        def first(callback, data: int) -> None:
            self.keep.remove(callback)
            again = self.display.sync()
            again.dispatcher["done"] = second
            self.keep.append(again)

        callback = self.display.sync()
        callback.dispatcher["done"] = first
        self.keep.append(callback)

    def run(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self.display.get_fd(), selectors.EVENT_READ, "wayland")
        selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
        pending = b""
        try:
            while True:
                self.display.dispatch(block=False)
                self.display.flush()
                for key, _ in selector.select():
                    if key.data == "wayland":
                        self.display.dispatch(block=True)
                    elif data := os.read(key.fd, 4096):
                        pending += data
                        *lines, pending = pending.split(b"\n")
                        for line in lines:
                            words = line.decode().split()
                            if len(words) == 2 and words[0] == "sync":
                                self._sync(words[1])
                            elif len(words) == 2 and words[0] == "alpha":
                                self.alpha.set_multiplier(int(words[1]))
                                self.surface.commit()
                            elif words == ["alpha-again"]:
                                manager = self._need("wp_alpha_modifier_v1")
                                self.keep.append(manager.get_surface(self.surface))
                    else:
                        selector.unregister(key.fd)
        except RuntimeError:
            say("disconnected")


def main() -> None:
    exit_on_handler_errors()
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="200x150", type=_size)
    parser.add_argument("--app-id", default="test.wp")
    parser.add_argument("--color", default="3366cc")
    parser.add_argument("--single-pixel", metavar="RRGGBBAA")
    parser.add_argument("--content-type", choices=("none", "photo", "video", "game"))
    parser.add_argument("--fractional-scale", action="store_true")
    parser.add_argument("--cursor-shape", metavar="NAME")
    parser.add_argument("--idle-notify", type=int, metavar="MS")
    parser.add_argument("--alpha", type=int, metavar="FACTOR")
    parser.add_argument("--tearing", choices=("vsync", "async"))
    WpWindow(parser.parse_args()).run()


if __name__ == "__main__":
    main()
