"""A real Wayland client: an xdg_toplevel filled with one solid colour, through wl_shm.

It follows configure sizes (so interactive resize can be seen in pixels) and prints one
line per event the tests care about, flushed at once:

    mapped W H | configure W H | enter SX SY SURFACE | motion SX SY | leave |
    button CODE STATE | key CODE STATE | keyboard-enter | keyboard-leave |
    repeat-info RATE DELAY | close | popup-configure X Y W H | popup-mapped DEPTH |
    presented REFRESH_NS | synced TOKEN COMMITS | disconnected |
    toplevel-configure W H STATES | decoration-configure MODE

``enter``/``motion`` carry surface-local coordinates (``%g``); SURFACE names the surface
entered: ``window``, ``subsurface`` or ``popup-DEPTH`` (motion is on the last one entered).
``toplevel-configure`` is printed for every xdg_toplevel.configure, as received: W H (0 0:
the client picks) and STATES, the states' names joined by commas (``-`` for none). A
configure of 0x0 after a set size brings the window back to its own size (``--size``), as
toolkits do when they leave the maximized state.

On stdin, ``dialog RRGGBB WxH`` opens a second toplevel of that colour and size whose
parent is the window (a dialog), app_id APP_ID.dialog (APP_ID.dialog2... for the next).
``shrink-pool BYTES [dead]`` is a hostile client: it shows a new buffer and
truncates its pool's file to BYTES (then commits that buffer again, or, with ``dead``,
destroys the wl_buffer first); prints ``shrunk BYTES``.

``--stdin-sync`` reads commands from stdin: ``sync TOKEN`` is a synchronisation point for
tests. The client sends wl_display.sync, and again when that is done; the second ``done``
prints ``synced TOKEN COMMITS`` (COMMITS: buffers committed on the window's surface so far).
By then every event the compositor sent before it handled the first sync has been printed,
and the compositor has handled every request the client sent in reply to those events: a
test may then assert that something did *not* reach the client. ``disconnected``: the
compositor closed the connection (the client then exits 0).

Extras exercise other globals: ``--subsurface RRGGBB`` (a 60x40 child at 20,20),
``--popup RRGGBB`` (a 60x40 xdg_popup anchored at 30,30; ``--popup-depth N`` opens a chain
of N, each a popup of the one before, like nested menus), ``--viewport WxH``
(wp_viewport destination size for a 200x150 buffer), ``--presentation`` (wp_presentation
feedback for the first frame).

``--geometry X,Y,W,H`` sets the window geometry (xdg_surface.set_window_geometry) inside the
``--size`` buffer, like client-side shadows: the geometry is filled with the colour, the
margins around it with ``BORDER`` (grey); configured sizes are geometry sizes, and the
margins stay. ``--maximize`` / ``--fullscreen`` ask for that state before the first commit
(``foot --maximized``); on stdin (``--stdin-sync``), ``maximize``, ``unmaximize``,
``fullscreen``, ``unfullscreen`` and ``minimize`` send those requests at any time.

``--decoration server|client|unset`` binds zxdg_decoration_manager_v1 and, before the first
commit, asks for that mode for its toplevel (``unset``: a decoration object with no
preference, the compositor picks); each zxdg_toplevel_decoration_v1.configure prints
``decoration-configure MODE`` (``server`` or ``client``). On stdin, ``title TEXT`` sets the
title.

    python -m tests.clients.solid_window --color 3366cc --size 200x150 --app-id test.solid
"""

from __future__ import annotations

import argparse
import mmap
import os
import selectors
import sys
import traceback

from pywayland.client import Display
from pywayland.protocol.presentation_time import WpPresentation
from pywayland.protocol.viewporter import WpViewporter
from pywayland.protocol.wayland import WlCompositor, WlSeat, WlShm, WlSubcompositor
from pywayland.protocol.xdg_decoration_unstable_v1 import (
    ZxdgDecorationManagerV1,
    ZxdgToplevelDecorationV1,
)
from pywayland.protocol.xdg_shell import XdgPositioner, XdgWmBase

BORDER = 0x808080  # the buffer outside the window geometry (--geometry)
TOPLEVEL_STATES = {1: "maximized", 2: "fullscreen", 3: "resizing", 4: "activated"}
DECORATION_MODES = {1: "client", 2: "server"}  # zxdg_toplevel_decoration_v1.mode


def say(*words: object) -> None:
    print(*words, flush=True)


def _states(states) -> str:
    if isinstance(states, (bytes, bytearray)):
        states = [int.from_bytes(states[i : i + 4], "little") for i in range(0, len(states), 4)]
    names = [TOPLEVEL_STATES.get(state, f"tiled-{state}") for state in states]
    return ",".join(names) or "-"


class SolidWindow:
    def __init__(self, color: int, size: tuple[int, int], options: argparse.Namespace) -> None:
        self.color = color
        self.width, self.height = size
        self.options = options
        # --geometry: the margins around the window geometry (left, top, right, bottom).
        self.margins = (0, 0, 0, 0)
        if options.geometry:
            x, y, width, height = options.geometry
            self.margins = (x, y, self.width - x - width, self.height - y - height)
            self.width, self.height = width, height
        self.natural_size = (self.width, self.height)
        self.surface_names: dict = {}
        self.pending_size: tuple[int, int] | None = None
        self.display = Display()
        self.display.connect()
        self.compositor = self.shm = self.wm_base = self.seat = None
        self.subcompositor = self.viewporter = self.presentation = None
        self.decoration_manager = None
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
        self.toplevel.set_title(options.title)
        self.toplevel.set_app_id(options.app_id)
        self.toplevel.dispatcher["configure"] = self._on_toplevel_configure
        self.toplevel.dispatcher["close"] = self._on_close
        self.mapped = False
        self.running = True
        self.feedbacks: list = []
        self.popups: list = []
        self.commits = 0  # buffers committed on self.surface
        self.callbacks: list = []  # sync callbacks in flight (proxies kept alive)
        self.surface_names[self.surface] = "window"
        if options.maximize:
            self.toplevel.set_maximized()
        if options.fullscreen:
            self.toplevel.set_fullscreen(None)
        if options.decoration:
            self._ask_for_decoration(options.decoration)
        self.surface.commit()

    def _ask_for_decoration(self, mode: str) -> None:
        if self.decoration_manager is None:
            sys.exit("the compositor lacks zxdg_decoration_manager_v1")
        self.decoration = self.decoration_manager.get_toplevel_decoration(self.toplevel)
        self.decoration.dispatcher["configure"] = lambda d, mode: say(
            "decoration-configure", DECORATION_MODES.get(mode, mode)
        )
        if mode == "server":
            self.decoration.set_mode(ZxdgToplevelDecorationV1.mode.server_side.value)
        elif mode == "client":
            self.decoration.set_mode(ZxdgToplevelDecorationV1.mode.client_side.value)

    def _on_global(self, registry, name: int, interface: str, version: int) -> None:
        if interface == "wl_compositor":
            self.compositor = registry.bind(name, WlCompositor, min(version, 4))
        elif interface == "wl_shm":
            self.shm = registry.bind(name, WlShm, 1)
        elif interface == "xdg_wm_base":
            self.wm_base = registry.bind(name, XdgWmBase, 1)
        elif interface == "wl_subcompositor":
            self.subcompositor = registry.bind(name, WlSubcompositor, 1)
        elif interface == "wp_viewporter":
            self.viewporter = registry.bind(name, WpViewporter, 1)
        elif interface == "wp_presentation":
            self.presentation = registry.bind(name, WpPresentation, 1)
        elif interface == "zxdg_decoration_manager_v1":
            self.decoration_manager = registry.bind(name, ZxdgDecorationManagerV1, 1)
        elif interface == "wl_seat":
            self.seat = registry.bind(name, WlSeat, min(version, 5))
            self.seat.dispatcher["capabilities"] = self._on_seat_caps

    def _on_seat_caps(self, seat, caps: int) -> None:
        if caps & WlSeat.capability.pointer.value:
            # Kept on self: pywayland destroys a proxy that is garbage-collected, and the
            # client then discards its events ("discarded [unknown]" in WAYLAND_DEBUG).
            pointer = self.pointer = seat.get_pointer()
            pointer.dispatcher["enter"] = lambda p, serial, surface, sx, sy: say(
                "enter", f"{sx:g}", f"{sy:g}", self.surface_names.get(surface, "?")
            )
            pointer.dispatcher["motion"] = lambda p, t, sx, sy: say("motion", f"{sx:g}", f"{sy:g}")
            pointer.dispatcher["leave"] = lambda *a: say("leave")
            pointer.dispatcher["button"] = lambda p, serial, t, button, state: say(
                "button", button, state
            )
        if caps & WlSeat.capability.keyboard.value:
            keyboard = self.keyboard = seat.get_keyboard()
            keyboard.dispatcher["enter"] = lambda *a: say("keyboard-enter")
            keyboard.dispatcher["leave"] = lambda *a: say("keyboard-leave")
            keyboard.dispatcher["key"] = lambda k, serial, t, key, state: say("key", key, state)
            keyboard.dispatcher["repeat_info"] = lambda k, rate, delay: say(
                "repeat-info", rate, delay
            )

    def _on_toplevel_configure(self, toplevel, width: int, height: int, states) -> None:
        say("toplevel-configure", width, height, _states(states))
        if width > 0 and height > 0:
            self.pending_size = (width, height)
        else:
            self.pending_size = self.natural_size

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

    def _buffer(self, color: int, width: int, height: int, margins=(0, 0, 0, 0)):
        alpha = getattr(self.options, "alpha", None)  # subclasses have their own options
        if alpha is not None and margins == (0, 0, 0, 0):
            return self._translucent_buffer(color, width, height, alpha)
        stride = width * 4
        size = stride * height
        fd = os.memfd_create("solid-window", os.MFD_CLOEXEC)
        os.ftruncate(fd, size)
        with mmap.mmap(fd, size) as data:
            if margins == (0, 0, 0, 0):
                data.write((color | 0xFF000000).to_bytes(4, "little") * (width * height))
            else:
                left, top, right, bottom = margins
                pixel = (color | 0xFF000000).to_bytes(4, "little")
                border = (BORDER | 0xFF000000).to_bytes(4, "little")
                inside = border * left + pixel * (width - left - right) + border * right
                data.write(border * (width * top))
                data.write(inside * (height - top - bottom))
                data.write(border * (width * bottom))
        pool = self.shm.create_pool(fd, size)
        os.close(fd)
        buffer = pool.create_buffer(0, width, height, stride, WlShm.format.xrgb8888.value)
        pool.destroy()
        buffer.dispatcher["release"] = lambda b: b.destroy()
        return buffer

    def _translucent_buffer(self, color: int, width: int, height: int, alpha: int):
        """ARGB8888 (premultiplied, as wl_shm's formats are) with the same alpha everywhere."""
        channels = [(color >> shift) & 0xFF for shift in (16, 8, 0)]
        r, g, b = (round(c * alpha / 255) for c in channels)
        pixel = (alpha << 24 | r << 16 | g << 8 | b).to_bytes(4, "little")
        size = width * 4 * height
        fd = os.memfd_create("solid-window", os.MFD_CLOEXEC)
        os.ftruncate(fd, size)
        with mmap.mmap(fd, size) as data:
            data.write(pixel * (width * height))
        pool = self.shm.create_pool(fd, size)
        os.close(fd)
        buffer = pool.create_buffer(0, width, height, width * 4, WlShm.format.argb8888.value)
        pool.destroy()
        buffer.dispatcher["release"] = lambda b: b.destroy()
        return buffer

    def _draw(self) -> None:
        width, height = self.width, self.height
        first = not self.mapped
        if self.options.viewport:
            # The buffer keeps its size; the compositor scales it to the destination size.
            width, height = 200, 150
            if first:
                self.viewport = self.viewporter.get_viewport(self.surface)
                self.viewport.set_destination(*self.options.viewport)
        if self.options.geometry:
            left, top, right, bottom = self.margins
            self.xdg_surface.set_window_geometry(left, top, width, height)
            width, height = left + width + right, top + height + bottom
        self.surface.attach(self._buffer(self.color, width, height, self.margins), 0, 0)
        self.surface.damage(0, 0, width, height)
        if self.options.presentation:
            # A later commit before presentation discards this one: ask every frame.
            feedback = self.presentation.feedback(self.surface)
            self.feedbacks.append(feedback)  # keep the proxy (and its handlers) alive
            feedback.dispatcher["presented"] = lambda f, *args: say("presented", args[3])
            feedback.dispatcher["discarded"] = lambda f: say("discarded")
        if first and self.options.subsurface:
            self._add_subsurface(int(self.options.subsurface, 16))
        self.surface.commit()
        self.commits += 1
        if first:
            self.mapped = True
            say("mapped", self.width, self.height)
            if self.options.popup:
                self._add_popup(int(self.options.popup, 16), self.xdg_surface, 1)

    def _open_dialog(self, color: int, size: tuple[int, int]) -> None:
        """A second toplevel, a transient of the window (xdg_toplevel.set_parent), as a
        toolkit opens a dialog: app_id APP_ID.dialog; prints ``dialog-mapped W H``."""
        surface = self.compositor.create_surface()
        xdg_surface = self.wm_base.get_xdg_surface(surface)
        toplevel = xdg_surface.get_toplevel()
        toplevel.set_parent(self.toplevel)
        toplevel.set_title("dialog")
        self.dialogs = getattr(self, "dialogs", [])
        number = len(self.dialogs) + 1
        suffix = ".dialog" if number == 1 else f".dialog{number}"
        toplevel.set_app_id(self.options.app_id + suffix)
        width, height = size
        mapped = []

        def configured(xdg, serial: int) -> None:
            xdg.ack_configure(serial)
            if not mapped:
                surface.attach(self._buffer(color, width, height), 0, 0)
                surface.damage(0, 0, width, height)
                surface.commit()
                mapped.append(True)
                say("dialog-mapped", width, height)

        xdg_surface.dispatcher["configure"] = configured
        self.dialogs.append((surface, xdg_surface, toplevel))  # keep the proxies alive
        surface.commit()

    def _shrink_pool(self, keep: int, dead: bool) -> None:
        """A hostile client: a new buffer is shown, then its pool's file is truncated to
        ``keep`` bytes. Live: the same buffer is attached and committed again (the
        compositor reads it). Dead: the wl_buffer was destroyed before the truncation (the
        compositor still shows it, and reads it at its next repaint of that area)."""
        width, height = self.width, self.height
        stride = width * 4
        size = stride * height
        fd = os.memfd_create("shrunk-pool", os.MFD_CLOEXEC)
        os.ftruncate(fd, size)
        with mmap.mmap(fd, size) as data:
            data.write((self.color | 0xFF000000).to_bytes(4, "little") * (width * height))
        pool = self.shm.create_pool(fd, size)
        buffer = pool.create_buffer(0, width, height, stride, WlShm.format.xrgb8888.value)
        pool.destroy()
        self.surface.attach(buffer, 0, 0)
        self.surface.damage(0, 0, width, height)
        self.surface.commit()
        if dead:
            buffer.destroy()
        self.display.roundtrip()  # the compositor has the buffer (and its texture)
        os.ftruncate(fd, keep)
        if not dead:
            self.surface.attach(buffer, 0, 0)
            self.surface.damage(0, 0, width, height)
            self.surface.commit()
        self.shrunk_fd = fd  # kept open: the file stays as it is now
        say("shrunk", keep)

    def _add_subsurface(self, color: int) -> None:
        self.child = self.compositor.create_surface()
        self.surface_names[self.child] = "subsurface"
        self.subsurface = self.subcompositor.get_subsurface(self.child, self.surface)
        self.subsurface.set_position(20, 20)
        self.child.attach(self._buffer(color, 60, 40), 0, 0)
        self.child.commit()  # applied with the parent's next commit (synchronized)

    def _add_popup(self, color: int, parent, depth: int) -> None:
        positioner = self.wm_base.create_positioner()
        positioner.set_size(60, 40)
        positioner.set_anchor_rect(30, 30, 1, 1)
        positioner.set_anchor(XdgPositioner.anchor.top_left.value)
        positioner.set_gravity(XdgPositioner.gravity.bottom_right.value)
        surface = self.compositor.create_surface()
        self.surface_names[surface] = f"popup-{depth}"
        popup_xdg = self.wm_base.get_xdg_surface(surface)
        popup = popup_xdg.get_popup(parent, positioner)
        popup.dispatcher["configure"] = lambda p, x, y, w, h: say("popup-configure", x, y, w, h)
        self.popups.append((surface, popup_xdg, popup))  # keep the proxies alive

        def configured(xdg, serial: int) -> None:
            xdg.ack_configure(serial)
            first = not getattr(xdg, "mapped", False)
            xdg.mapped = True
            surface.attach(self._buffer(color, 60, 40), 0, 0)
            surface.commit()
            if first:
                say("popup-mapped", depth)
                if depth < self.options.popup_depth:
                    self._add_popup(color, popup_xdg, depth + 1)

        popup_xdg.dispatcher["configure"] = configured
        surface.commit()

    def sync(self, token: str) -> None:
        """Two wl_display.sync in a row, then ``synced TOKEN COMMITS`` (see the docstring)."""

        def second(callback, data: int) -> None:
            self.callbacks.remove(callback)
            say("synced", token, self.commits)

        def first(callback, data: int) -> None:
            self.callbacks.remove(callback)
            self._sync_callback(second)

        self._sync_callback(first)

    def _sync_callback(self, handler) -> None:
        callback = self.display.sync()
        callback.dispatcher["done"] = handler
        self.callbacks.append(callback)

    def _stdin_commands(self, data: bytes) -> None:
        self._stdin_buffer += data
        *lines, self._stdin_buffer = self._stdin_buffer.split(b"\n")
        for line in lines:
            words = line.decode().split()
            if len(words) == 2 and words[0] == "sync":
                self.sync(words[1])
            elif len(words) >= 2 and words[0] == "title":
                self.toplevel.set_title(line.decode().split(None, 1)[1])
            elif len(words) == 3 and words[0] == "dialog":
                self._open_dialog(int(words[1], 16), _size(words[2]))
            elif len(words) in (2, 3) and words[0] == "shrink-pool":
                self._shrink_pool(int(words[1]), words[2:] == ["dead"])
            elif len(words) == 1 and words[0] in STATE_REQUESTS:
                request = getattr(self.toplevel, STATE_REQUESTS[words[0]])
                if words[0] == "fullscreen":
                    request(None)  # on any output
                else:
                    request()
            elif words:
                print(f"unknown command: {line.decode()!r}", file=sys.stderr, flush=True)

    def run(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self.display.get_fd(), selectors.EVENT_READ, "wayland")
        self._stdin_buffer = b""
        if self.options.stdin_sync:
            selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
        try:
            while self.running:
                self.display.dispatch(block=False)  # what is already queued
                self.display.flush()
                for key, _ in selector.select():
                    if key.data == "wayland":
                        self.display.dispatch(block=True)  # readable: does not block
                    elif data := os.read(key.fd, 4096):
                        self._stdin_commands(data)
                    else:
                        selector.unregister(key.fd)  # stdin closed: no more commands
        except RuntimeError:  # pywayland: the connection failed (the compositor went away)
            say("disconnected")
        self.display.disconnect()


STATE_REQUESTS = {
    "maximize": "set_maximized",
    "unmaximize": "unset_maximized",
    "fullscreen": "set_fullscreen",
    "unfullscreen": "unset_fullscreen",
    "minimize": "set_minimized",
}


def _geometry(text: str) -> tuple[int, int, int, int]:
    x, y, width, height = (int(part) for part in text.split(","))
    return x, y, width, height


def _size(text: str) -> tuple[int, int]:
    width, height = text.split("x")
    return int(width), int(height)


def exit_on_handler_errors() -> None:
    """pywayland prints an exception raised in an event handler and carries on: a broken
    test client would then look alive. Exit 1 at once instead, so the test sees it."""
    from pywayland import dispatcher

    class _FailFast:
        @staticmethod
        def print_exc() -> None:
            traceback.print_exc()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(1)

    dispatcher.traceback = _FailFast  # the module's only use of traceback is print_exc()


def main() -> None:
    exit_on_handler_errors()
    parser = argparse.ArgumentParser()
    parser.add_argument("--color", default="3366cc", help="RRGGBB")
    parser.add_argument("--size", default="200x150", type=_size, help="WxH")
    parser.add_argument("--title", default="solid")
    parser.add_argument("--app-id", default="test.solid")
    parser.add_argument("--subsurface", metavar="RRGGBB")
    parser.add_argument("--popup", metavar="RRGGBB")
    parser.add_argument("--popup-depth", type=int, default=1, metavar="N")
    parser.add_argument("--viewport", metavar="WxH", type=_size)
    parser.add_argument("--presentation", action="store_true")
    parser.add_argument("--geometry", type=_geometry, metavar="X,Y,W,H")
    parser.add_argument(
        "--alpha",
        type=lambda text: int(text, 16),
        metavar="AA",
        help="ARGB8888 with this alpha (hex) instead of XRGB8888",
    )
    parser.add_argument("--maximize", action="store_true")
    parser.add_argument("--fullscreen", action="store_true")
    parser.add_argument("--decoration", choices=("server", "client", "unset"))
    parser.add_argument(
        "--stdin-sync", action="store_true", help="read 'sync TOKEN' lines from stdin"
    )
    options = parser.parse_args()
    size = options.viewport or options.size
    SolidWindow(int(options.color, 16), size, options).run()


if __name__ == "__main__":
    main()
