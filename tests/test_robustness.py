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
