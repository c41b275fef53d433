"""Virtual keyboard and pointer with the real tools: wtype types into a terminal, and a VNC
client drives wayvnc (virtual pointer and keyboard in, screencopy out). Their devices join
the seat while the tool runs and are gone when it exits."""

from __future__ import annotations

import socket
import sys

from tests.conftest import needs
from tests.helpers import foot_reading_a_line, solid_window, wait_for_line
from tests.waiting import wait_for


def free_port() -> int:
    """A loopback port nothing listens on now (test runs in other roots of this machine
    share its network: a fixed port was taken by another run's wayvnc)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def devices(comp) -> tuple[int, int]:
    stats = comp.ctl_ok("stats", objects=0)
    return stats["keyboards"], stats["pointers"]


@needs("foot", "wtype")
def test_wtype_types_into_a_real_terminal(compositor, tmp_path):
    out = foot_reading_a_line(compositor, tmp_path)
    assert devices(compositor) == (1, 1)
    typed = compositor.run_client(["wtype", "Wayland 42, virtually!", "-k", "Return"])
    assert typed.returncode == 0, typed.stderr
    wait_for(out.exists, 20, what="foot's shell to write the typed line")
    assert out.read_text().strip() == "Wayland 42, virtually!"
    # wtype has exited: its keyboard left the seat.
    wait_for(lambda: devices(compositor) == (1, 1), 10, what="the virtual keyboard to go")


@needs("wayvnc")
def test_a_vnc_client_clicks_a_window_through_wayvnc(compositor, tmp_path):
    window, view = solid_window(compositor, "33aa55", "test.vnc")
    port = free_port()
    wayvnc = compositor.spawn(["wayvnc", "127.0.0.1", str(port)], text=True)
    # wayvnc 0.5 (Debian 12) adds its keyboard and pointer when it starts, 0.9 (Debian 13)
    # when a VNC client connects: wait for it to listen, then for the clicks to arrive.
    wait_for(lambda: listening(port), 20, what="wayvnc to listen")
    x = view["x"] + view["width"] // 2
    y = view["y"] + view["height"] // 2
    capture = tmp_path / "vnc.png"

    def vncdo(*commands: str) -> None:
        # "pause": wayvnc 0.9 (Debian 13) starts capturing when a client connects, and sends
        # its grey placeholder until the first frame is in.
        argv = [sys.executable, "-m", "vncdotool.command", "-s", f"127.0.0.1::{port}"]
        vnc = compositor.run_client([*argv, *commands, "pause", "1", "capture", str(capture)], 60)
        assert vnc.returncode == 0, vnc.stderr

    vncdo("move", str(x), str(y), "click", "1")
    wait_for_line(window, lambda line: line == "button 272 1")
    wait_for_line(window, lambda line: line == "button 272 0")
    from PIL import Image

    def captured() -> bool:
        image = Image.open(capture).convert("RGB")
        assert image.size == (640, 480)
        if image.getpixel((x, y)) == (0x33, 0xAA, 0x55):
            return True
        vncdo()  # under load the placeholder can outlast the pause: look again
        return False

    wait_for(captured, 30, interval=0, what="the window in wayvnc's picture")
    wayvnc.terminate()
    wayvnc.wait(10)
    wait_for(lambda: devices(compositor) == (1, 1), 10, what="wayvnc's devices to go")
