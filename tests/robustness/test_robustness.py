"""Bad clients cost no other client anything: garbage, half messages, sudden disconnects."""

from __future__ import annotations

import socket
import struct

from tests.conftest import needs
from tests.harness import wait_for
from tests.helpers import solid_window


def raw_connect(comp) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(str(comp.runtime_dir / comp.socket))
    return sock


def frames_advance(comp, count: int = 10) -> None:
    start = comp.frames()
    wait_for(lambda: comp.frames() >= start + count, 10, what=f"{count} more frames")


def read_display_error(sock: socket.socket) -> tuple[int, int, str]:
    """Read until wl_display.error (object 1, opcode 0); returns (object, code, message)."""
    sock.settimeout(5)
    data = b""
    while True:
        while len(data) >= 8:
            obj, word = struct.unpack_from("<II", data)
            size, opcode = word >> 16, word & 0xFFFF
            if len(data) < size:
                break
            if obj == 1 and opcode == 0:
                bad_obj, code, length = struct.unpack_from("<III", data, 8)
                return bad_obj, code, data[20 : 20 + length - 1].decode()
            data = data[size:]
        chunk = sock.recv(4096)
        if not chunk:
            raise AssertionError("the connection closed without a wl_display.error")
        data += chunk


@needs("weston-simple-shm")
def test_garbage_on_the_socket_only_kills_that_client(compositor):
    compositor.spawn(["weston-simple-shm"])
    compositor.wait_for_view("org.freedesktop.weston.simple-shm")
    # An opcode wl_display does not have, and a request to an object that does not exist:
    # libwayland answers each with a protocol error and drops only that client.
    cases = [
        (struct.pack("<II", 1, (8 << 16) | 7), "invalid method 7"),
        (struct.pack("<III", 99, (12 << 16) | 0, 0), "invalid object 99"),
    ]
    for payload, message in cases:
        sock = raw_connect(compositor)
        sock.sendall(payload)
        _obj, _code, text = read_display_error(sock)
        assert message in text
        sock.close()
    # Pure noise: the connection is dropped or left waiting; either way, nobody else cares.
    sock = raw_connect(compositor)
    sock.sendall(b"\xff" * 64 + b"GET / HTTP/1.1\r\n\r\n")
    sock.close()
    frames_advance(compositor)
    assert compositor.alive()


def test_client_dying_mid_commit_is_cleaned_up(compositor):
    # A half-written request (header says 100 bytes, 12 sent), then the client vanishes.
    sock = raw_connect(compositor)
    sock.sendall(struct.pack("<II", 1, (100 << 16) | 1) + b"\0\0\0\0")
    sock.close()
    # A real client killed right after its first commit.
    proc, _ = solid_window(compositor, "123456", "test.killed")
    proc.kill()
    proc.wait()
    wait_for(lambda: not compositor.views(), 5, what="the dead client's view to go")
    # Others are served as before.
    _, view = solid_window(compositor, "654321", "test.alive")
    image = compositor.screenshot()
    assert image.getpixel((view["x"] + 3, view["y"] + 3)) == (0x65, 0x43, 0x21)


def test_control_socket_rejects_bad_requests_and_keeps_serving(compositor):
    assert compositor.ctl("nope")["error"].startswith("unknown command")
    assert "outside the output" in compositor.ctl("pointer-move", x=-5, y=3)["error"]
    assert "unknown key" in compositor.ctl("key", key="NoSuchKey")["error"]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(str(compositor.control_path))
    sock.sendall(b"{not json\n")
    assert b"not JSON" in sock.recv(4096)
    sock.close()
    assert compositor.ctl_ok("ping")["pid"] == compositor.pid


def test_fds_do_not_leak_across_client_generations(compositor):
    def one_generation():
        procs = [solid_window(compositor, "aabbcc", f"test.gen{i}")[0] for i in range(3)]
        for proc in procs:
            proc.kill()
            proc.wait()
        wait_for(lambda: not compositor.views(), 5, what="views to go")

    one_generation()
    baseline = compositor.open_fds()
    for n in range(3):
        one_generation()
        # Exactly the same fds: fewer would mean the baseline held a client's fd.
        assert compositor.open_fds() == baseline, f"fds after generation {n + 2}"


def _xdg_client(comp):
    """A pywayland client with wl_compositor, wl_shm and xdg_wm_base bound (it answers
    pings): (display, {"compositor", "shm", "wm_base"})."""
    from pywayland.client import Display
    from pywayland.protocol.wayland import WlCompositor, WlShm
    from pywayland.protocol.xdg_shell import XdgWmBase

    display = Display(str(comp.runtime_dir / comp.socket))
    display.connect()
    found: dict = {}
    registry = display.get_registry()

    def on_global(reg, name, interface, version):
        if interface == "wl_compositor":
            found["compositor"] = reg.bind(name, WlCompositor, 4)
        elif interface == "xdg_wm_base":
            found["wm_base"] = reg.bind(name, XdgWmBase, 1)
        elif interface == "wl_shm":
            found["shm"] = reg.bind(name, WlShm, 1)

    registry.dispatcher["global"] = on_global
    display.roundtrip()
    found["wm_base"].dispatcher["ping"] = lambda wm, serial: wm.pong(serial)
    return display, found


def test_xdg_objects_of_a_destroyed_surface_are_inert(compositor):
    """wlroots 0.15 frees the xdg_surface and its toplevel/popup when the wl_surface goes
    first, and its handlers then crash on the next request to them; here they are inert: the
    requests are ignored, destroy works, the client stays connected, the compositor runs."""
    display, found = _xdg_client(compositor)
    wm_base = found["wm_base"]
    surface = found["compositor"].create_surface()
    xdg_surface = wm_base.get_xdg_surface(surface)
    toplevel = xdg_surface.get_toplevel()
    surface.commit()
    display.roundtrip()
    popup_surface = found["compositor"].create_surface()
    popup_xdg = wm_base.get_xdg_surface(popup_surface)
    positioner = wm_base.create_positioner()
    positioner.set_size(10, 10)
    positioner.set_anchor_rect(0, 0, 1, 1)
    popup = popup_xdg.get_popup(xdg_surface, positioner)
    popup_surface.commit()
    display.roundtrip()
    popup_surface.destroy()
    surface.destroy()
    toplevel.set_title("after the wl_surface went")  # crashed wlroots 0.15's handler
    toplevel.set_maximized()
    xdg_surface.ack_configure(1)
    popup_xdg.set_window_geometry(0, 0, 5, 5)
    display.roundtrip()
    popup.destroy()
    popup_xdg.destroy()
    toplevel.destroy()
    xdg_surface.destroy()
    display.roundtrip()  # still connected: no protocol error, no crash
    display.disconnect()
    assert compositor.ctl_ok("ping")["ok"] and compositor.alive()
    wait_for(lambda: compositor.ctl_ok("stats", objects=0)["clients"] == 0, 10, what="no client")
    assert compositor.ctl_ok("stats", objects=0)["views"] == 0


def test_a_closed_window_whose_wl_surface_lives_on(compositor):
    """A window closes the way toolkits close one: xdg_toplevel.destroy, then
    xdg_surface.destroy, and the wl_surface lives on (commits on it, another xdg_surface
    made on it later). The compositor made the xdg_surface's resource inert at the first
    step, so wlroots never heard the second: it kept its xdg_surface with a pointer to the
    freed resource, and its commit handler and the wl_surface's end used it (a use after
    free under valgrind at every toolkit window's close; a crash on a commit like this)."""
    display, found = _xdg_client(compositor)
    wm_base = found["wm_base"]
    surface = found["compositor"].create_surface()
    for round_ in range(2):  # the same wl_surface, a window twice
        xdg_surface = wm_base.get_xdg_surface(surface)
        toplevel = xdg_surface.get_toplevel()
        toplevel.set_app_id(f"test.reused{round_}")
        serials: list[int] = []
        xdg_surface.dispatcher["configure"] = lambda x, serial, s=serials: s.append(serial)
        surface.commit()
        display.roundtrip()
        xdg_surface.ack_configure(serials[-1])
        surface.attach(_shm_buffer(found["shm"], 64, 48, b"\x33\x66\xcc\xff"), 0, 0)
        surface.commit()
        display.roundtrip()
        compositor.wait_for_view(f"test.reused{round_}")
        toplevel.destroy()
        xdg_surface.destroy()
        display.roundtrip()
        # A commit on the wl_surface with no xdg_surface: wlroots' xdg_surface is gone.
        surface.attach(None, 0, 0)
        surface.commit()
        display.roundtrip()
        assert compositor.alive()
    surface.destroy()
    display.roundtrip()  # still connected: no protocol error
    display.disconnect()
    assert compositor.ctl_ok("ping")["ok"]
    wait_for(lambda: compositor.ctl_ok("stats", objects=0)["clients"] == 0, 10, what="no client")
    assert compositor.ctl_ok("stats", objects=0)["views"] == 0


def _shm_buffer(shm, width: int, height: int, pixel: bytes):
    import mmap
    import os

    from pywayland.protocol.wayland import WlShm

    size = width * height * 4
    fd = os.memfd_create("robustness", os.MFD_CLOEXEC)
    os.ftruncate(fd, size)
    with mmap.mmap(fd, size) as data:
        data.write(pixel * (width * height))
    pool = shm.create_pool(fd, size)
    os.close(fd)
    buffer = pool.create_buffer(0, width, height, width * 4, WlShm.format.xrgb8888.value)
    pool.destroy()
    return buffer


@needs("grim")
def test_popups_made_without_a_parent_and_layer_surface_popups(compositor):
    """xdg_surface.get_popup with a null parent is legal (it crashed the compositor), and a
    layer surface's get_popup gives such a popup its parent later: it shows over the layer
    surface, at its place."""
    from pywayland.client import Display
    from pywayland.protocol.wayland import WlCompositor, WlShm
    from pywayland.protocol.xdg_shell import XdgPositioner, XdgWmBase

    from tests.clients.generated import load

    layer_shell = load("wlr-layer-shell-unstable-v1")
    display = Display(str(compositor.runtime_dir / compositor.socket))
    display.connect()
    found: dict = {}
    classes = {
        "wl_compositor": (WlCompositor, 4),
        "wl_shm": (WlShm, 1),
        "xdg_wm_base": (XdgWmBase, 1),
        "zwlr_layer_shell_v1": (layer_shell.ZwlrLayerShellV1, 4),
    }

    def on_global(reg, name, interface, version):
        if interface in classes:
            cls, most = classes[interface]
            found[interface] = reg.bind(name, cls, min(version, most))

    registry = display.get_registry()
    registry.dispatcher["global"] = on_global
    display.roundtrip()
    wm_base = found["xdg_wm_base"]
    wm_base.dispatcher["ping"] = lambda wm, serial: wm.pong(serial)
    # The layer surface: a 200x100 panel in the top-left corner.
    panel = found["wl_compositor"].create_surface()
    top = layer_shell.ZwlrLayerShellV1.layer.top.value
    layer = found["zwlr_layer_shell_v1"].get_layer_surface(panel, None, top, "panel")
    anchor = layer_shell.ZwlrLayerSurfaceV1.anchor
    layer.set_anchor(anchor.top.value | anchor.left.value)
    layer.set_size(200, 100)
    serials: list[int] = []
    layer.dispatcher["configure"] = lambda obj, serial, w, h: serials.append(serial)
    panel.commit()
    display.roundtrip()
    layer.ack_configure(serials[-1])
    panel.attach(_shm_buffer(found["wl_shm"], 200, 100, b"\x00\x00\xff\xff"), 0, 0)
    panel.damage(0, 0, 200, 100)
    panel.commit()
    # The popup, made without a parent, then given the panel as its parent.
    menu = found["wl_compositor"].create_surface()
    menu_xdg = wm_base.get_xdg_surface(menu)
    positioner = wm_base.create_positioner()
    positioner.set_size(60, 40)
    positioner.set_anchor_rect(100, 50, 1, 1)
    positioner.set_anchor(XdgPositioner.anchor.top_left.value)
    positioner.set_gravity(XdgPositioner.gravity.bottom_right.value)
    popup = menu_xdg.get_popup(None, positioner)
    layer.get_popup(popup)
    configured: list[int] = []
    menu_xdg.dispatcher["configure"] = lambda obj, serial: configured.append(serial)
    menu.commit()
    display.roundtrip()
    menu_xdg.ack_configure(configured[-1])
    menu.attach(_shm_buffer(found["wl_shm"], 60, 40, b"\x00\xff\x00\xff"), 0, 0)
    menu.damage(0, 0, 60, 40)
    menu.commit()
    display.roundtrip()
    assert compositor.alive()
    # The menu is drawn over the panel at the anchor point (100, 50).
    wait_for(
        lambda: compositor.screenshot().getpixel((130, 70)) == (0, 255, 0),
        10,
        what="the panel's popup over it",
    )
    image = compositor.screenshot()
    assert image.getpixel((50, 25)) == (255, 0, 0) and image.getpixel((99, 49)) == (255, 0, 0)
    display.disconnect()
    # A popup that never gets a parent, committed (on its own connection: wlroots may end
    # that client for it): the compositor survives and serves on.
    orphan_display = Display(str(compositor.runtime_dir / compositor.socket))
    orphan_display.connect()
    orphans: dict = {}
    orphan_registry = orphan_display.get_registry()
    orphan_registry.dispatcher["global"] = lambda reg, name, interface, version: (
        orphans.__setitem__(interface, reg.bind(name, *classes[interface][:1], 1))
        if interface in ("wl_compositor", "xdg_wm_base")
        else None
    )
    orphan_display.roundtrip()
    orphan = orphans["wl_compositor"].create_surface()
    orphan_xdg = orphans["xdg_wm_base"].get_xdg_surface(orphan)
    orphan_positioner = orphans["xdg_wm_base"].create_positioner()
    orphan_positioner.set_size(10, 10)
    orphan_positioner.set_anchor_rect(0, 0, 1, 1)
    orphan_xdg.get_popup(None, orphan_positioner)
    orphan.commit()
    try:
        orphan_display.roundtrip()
    except Exception:  # a protocol error for this client is fine; a crash is not
        pass
    orphan_display.disconnect()
    assert compositor.ctl_ok("ping")["ok"] and compositor.alive()
