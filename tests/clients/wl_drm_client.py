"""A small wl_drm client (pywayland, client bindings generated from protocols/wayland-drm.xml).

Used in-process by the tests: connect to a compositor, bind wl_drm, record its events, send
authenticate / create_prime_buffer / flink requests with any arguments, show a buffer in an
xdg_toplevel, and read back the protocol error that ended the connection.

    client = WlDrmClient(path_to_socket)
    fd = memfd_buffer(width, height, stride, 0x33cc66)
    buffer = client.create_prime_buffer(fd, width, height, XRGB8888, 0, stride)
    client.show(buffer, app_id="test.wl_drm")

Run it directly to show a solid window until killed:
``python -m tests.clients.wl_drm_client --color 33cc66 --size 160x120``.
"""

from __future__ import annotations

import argparse
import ctypes
import mmap
import os
import time
from dataclasses import dataclass, field
from typing import Any

from pywayland import ffi
from pywayland.client import Display
from pywayland.protocol.wayland import WlCompositor, WlSeat
from pywayland.protocol.xdg_shell import XdgWmBase

from compositor.wl_drm import protocol  # generates the bindings when needed
from compositor.wl_drm.formats import ARGB8888, NV12, XRGB8888

WlDrm = protocol.WlDrm
__all__ = [
    "ARGB8888",
    "NV12",
    "XRGB8888",
    "ClientGroup",
    "ProtocolError",
    "WlDrmClient",
    "memfd_buffer",
    "proxy_id",
]

_libwl = ctypes.CDLL("libwayland-client.so.0")
_libwl.wl_display_get_protocol_error.restype = ctypes.c_uint32
_libwl.wl_display_get_protocol_error.argtypes = [
    ctypes.c_void_p,
    ctypes.POINTER(ctypes.c_void_p),
    ctypes.POINTER(ctypes.c_uint32),
]
_libwl.wl_proxy_get_id.restype = ctypes.c_uint32
_libwl.wl_proxy_get_id.argtypes = [ctypes.c_void_p]


def proxy_id(proxy: Any) -> int:
    """The protocol object id of a client proxy (what the compositor sees)."""
    return int(_libwl.wl_proxy_get_id(ctypes.c_void_p(int(ffi.cast("uintptr_t", proxy._ptr)))))


@dataclass(frozen=True)
class ProtocolError:
    interface: str | None  # the object's interface: "wl_drm" or "wl_display"
    object_id: int
    code: int


class ConnectionLost(Exception):
    def __init__(self, error: ProtocolError | None) -> None:
        super().__init__(f"connection ended by {error}")
        self.error = error


def memfd_buffer(width: int, height: int, stride: int, color: int, size: int = 0) -> int:
    """A memfd of ``size`` (default stride*height) bytes filled with an XRGB colour.

    Sealable: the compositor seals shared memfds against shrinking before it maps them."""
    size = size or stride * height
    fd = os.memfd_create("wl-drm-test", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    os.ftruncate(fd, size)
    with mmap.mmap(fd, size) as data:
        row = (color | 0xFF000000).to_bytes(4, "little") * width
        row += b"\0" * (stride - len(row))
        for y in range(min(height, size // stride)):
            data[y * stride : y * stride + stride] = row
    return fd


@dataclass
class Events:
    device: str | None = None
    formats: list[int] = field(default_factory=list)
    capabilities: int | None = None
    authenticated: int = 0


class WlDrmClient:
    def __init__(self, socket_path: str, version: int = 2, bind_wl_drm: bool = True) -> None:
        self.display = Display(socket_path)
        self.display.connect()
        self.events = Events()
        self.error: ProtocolError | None = None
        self.wl_drm: Any = None
        self.compositor: Any = None
        self.wm_base: Any = None
        self.seat: Any = None
        self.pointer: Any = None
        self.released: list[Any] = []
        self._want_version = version
        self._bind_wl_drm = bind_wl_drm
        registry = self.display.get_registry()
        registry.dispatcher["global"] = self._on_global
        self.roundtrip()
        self.roundtrip()  # the events sent on bind

    # -- plumbing ---------------------------------------------------------------------------

    def _on_global(self, registry: Any, name: int, interface: str, version: int) -> None:
        if interface == "wl_drm" and self._bind_wl_drm:
            self.wl_drm = registry.bind(name, WlDrm, min(version, self._want_version))
            d = self.wl_drm.dispatcher
            d["device"] = lambda _, path: setattr(self.events, "device", path)
            d["format"] = lambda _, code: self.events.formats.append(code)
            d["capabilities"] = lambda _, value: setattr(self.events, "capabilities", value)
            d["authenticated"] = lambda _: setattr(
                self.events, "authenticated", self.events.authenticated + 1
            )
        elif interface == "wl_compositor":
            self.compositor = registry.bind(name, WlCompositor, min(version, 4))
        elif interface == "xdg_wm_base":
            self.wm_base = registry.bind(name, XdgWmBase, 1)
            self.wm_base.dispatcher["ping"] = lambda wm, serial: wm.pong(serial)
        elif interface == "wl_seat":
            self.seat = registry.bind(name, WlSeat, 1)

    def hide_cursor(self) -> None:
        """Hide the pointer over this client's surfaces (as video players do in fullscreen):
        a visible software cursor keeps wlroots from scanning a buffer out directly."""
        self.pointer = self.seat.get_pointer()
        self.pointer.dispatcher["enter"] = lambda p, serial, *_: p.set_cursor(serial, None, 0, 0)

    def roundtrip(self) -> None:
        """One roundtrip; ConnectionLost (with the protocol error) if the server ended it."""
        try:
            ok = self.display.roundtrip() != -1
        except RuntimeError:
            ok = False
        if not ok:
            ptr = ctypes.c_void_p(int(ffi.cast("uintptr_t", self.display._ptr)))
            iface, oid = ctypes.c_void_p(), ctypes.c_uint32()
            code = _libwl.wl_display_get_protocol_error(ptr, ctypes.byref(iface), ctypes.byref(oid))
            name = None
            if iface.value:
                name = ctypes.cast(iface, ctypes.POINTER(ctypes.c_char_p))[0].decode()
            self.error = ProtocolError(name, oid.value, code) if name else None
            raise ConnectionLost(self.error)

    def expect_error(self) -> ProtocolError:
        """Roundtrip until the server posts an error; returns it."""
        try:
            for _ in range(5):
                self.roundtrip()
        except ConnectionLost as lost:
            assert lost.error is not None, "the connection ended without a protocol error"
            return lost.error
        raise AssertionError("the compositor accepted the request; a protocol error was expected")

    def close(self) -> None:
        """Disconnect (idempotent). Always call it: pywayland frees proxies before the display
        only in disconnect(); left to the garbage collector the order is random and can
        crash the process."""
        self.display.disconnect()

    # -- wl_drm requests --------------------------------------------------------------------

    def authenticate(self, magic: int) -> None:
        self.wl_drm.authenticate(magic)

    def create_prime_buffer(
        self,
        fd: int,
        width: int,
        height: int,
        fmt: int,
        offset0: int,
        stride0: int,
        offset1: int = 0,
        stride1: int = 0,
        offset2: int = 0,
        stride2: int = 0,
    ) -> Any:
        """Send the request (libwayland dups ``fd`` into the message; close yours after)."""
        buffer = self.wl_drm.create_prime_buffer(
            fd, width, height, fmt, offset0, stride0, offset1, stride1, offset2, stride2
        )
        buffer.dispatcher["release"] = self.released.append
        return buffer

    def create_buffer(self, name: int, width: int, height: int, stride: int, fmt: int) -> Any:
        return self.wl_drm.create_buffer(name, width, height, stride, fmt)

    def create_planar_buffer(self, name: int, width: int, height: int, fmt: int, *planes: int):
        return self.wl_drm.create_planar_buffer(name, width, height, fmt, *planes)

    # -- a window ---------------------------------------------------------------------------

    def show(
        self,
        buffer: Any,
        width: int,
        height: int,
        app_id: str = "test.wl_drm",
        fullscreen: bool = False,
    ) -> Any:
        """Map an xdg_toplevel showing ``buffer`` (fullscreen: asked before the first
        commit, for direct scan-out; ``buffer`` should then have the output's size);
        returns the wl_surface."""
        surface = self.compositor.create_surface()
        xdg_surface = self.wm_base.get_xdg_surface(surface)
        toplevel = xdg_surface.get_toplevel()
        toplevel.set_app_id(app_id)
        if fullscreen:
            toplevel.set_fullscreen(None)
        configured: list[int] = []
        xdg_surface.dispatcher["configure"] = lambda x, serial: configured.append(serial)
        surface.commit()
        deadline = time.monotonic() + 10
        while not configured:
            self.roundtrip()
            if time.monotonic() > deadline:
                raise TimeoutError("no xdg_surface.configure")
        xdg_surface.ack_configure(configured[-1])
        self.attach(surface, buffer, width, height)
        self._keep = (xdg_surface, toplevel)
        return surface

    def attach(self, surface: Any, buffer: Any, width: int, height: int) -> None:
        surface.attach(buffer, 0, 0)
        surface.damage(0, 0, width, height)
        surface.commit()
        self.roundtrip()


class ClientGroup:
    """Clients connected by one test, all closed at its end (see the tests' fixtures)."""

    def __init__(self) -> None:
        self.clients: list[WlDrmClient] = []

    def connect(self, comp: Any, **kwargs: Any) -> WlDrmClient:
        client = WlDrmClient(str(comp.runtime_dir / comp.socket), **kwargs)
        self.clients.append(client)
        return client

    def close_all(self) -> None:
        for client in self.clients:
            client.close()
        self.clients.clear()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--color", default="33cc66")
    parser.add_argument("--size", default="160x120")
    parser.add_argument("--app-id", default="test.wl_drm")
    parser.add_argument("--authenticate", action="store_true", help="authenticate first")
    options = parser.parse_args()
    width, height = (int(v) for v in options.size.split("x"))
    runtime = os.environ["XDG_RUNTIME_DIR"]
    client = WlDrmClient(os.path.join(runtime, os.environ["WAYLAND_DISPLAY"]))
    if options.authenticate:
        client.authenticate(1)  # a render node answers at once
        client.roundtrip()
    fd = memfd_buffer(width, height, width * 4, int(options.color, 16))
    buffer = client.create_prime_buffer(fd, width, height, XRGB8888, 0, width * 4)
    os.close(fd)
    client.show(buffer, width, height, options.app_id)
    print("mapped", flush=True)
    while client.display.dispatch(block=True) != -1:
        pass


if __name__ == "__main__":
    main()
