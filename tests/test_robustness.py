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


def test_xdg_objects_of_a_destroyed_surface_are_inert(compositor):
    """wlroots 0.15 frees the xdg_surface and its toplevel/popup when the wl_surface goes
    first, and its handlers then crash on the next request to them; here they are inert: the
    requests are ignored, destroy works, the client stays connected, the compositor runs."""
    from pywayland.client import Display
    from pywayland.protocol.wayland import WlCompositor
    from pywayland.protocol.xdg_shell import XdgWmBase

    display = Display(str(compositor.runtime_dir / compositor.socket))
    display.connect()
    found: dict = {}
    registry = display.get_registry()

    def on_global(reg, name, interface, version):
        if interface == "wl_compositor":
            found["compositor"] = reg.bind(name, WlCompositor, 4)
        elif interface == "xdg_wm_base":
            found["wm_base"] = reg.bind(name, XdgWmBase, 1)

    registry.dispatcher["global"] = on_global
    display.roundtrip()
    wm_base = found["wm_base"]
    wm_base.dispatcher["ping"] = lambda wm, serial: wm.pong(serial)
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
