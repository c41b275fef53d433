"""Nested: the compositor runs as a window in an X11 session (Xvfb) or a Wayland session
(weston's headless backend), and serves its own clients there."""

from __future__ import annotations

import os
import struct
import subprocess
from pathlib import Path

import pytest
from pywayland.client import Display

from tests.conftest import needs
from tests.harness import wait_for
from tests.helpers import region_is, rgb, solid_window

pytestmark = pytest.mark.nested


def _free_display() -> int:
    for number in range(90, 200):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            return number
    raise RuntimeError("no free X display number")


@pytest.fixture
def xvfb():
    number = _free_display()
    proc = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(lambda: Path(f"/tmp/.X11-unix/X{number}").exists(), 10, what="Xvfb")
    yield f":{number}"
    proc.terminate()
    proc.wait(5)


def _globals(path: Path) -> set[str]:
    """The interfaces a Wayland server at ``path`` offers (empty while it cannot answer)."""
    if not path.exists():
        return set()
    display = Display(str(path))
    try:
        display.connect()
    except ValueError:  # pywayland: "Unable to connect to display"
        return set()
    names: set[str] = set()
    try:
        registry = display.get_registry()
        registry.dispatcher["global"] = lambda _r, _name, interface, _v: names.add(interface)
        display.roundtrip()
    finally:
        display.disconnect()
    return names


@pytest.fixture
def weston_session(tmp_path):
    runtime = tmp_path / "weston-xdg"
    runtime.mkdir(mode=0o700)
    socket = f"weston-host-{os.getpid()}"
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("DISPLAY", None)
    proc = subprocess.Popen(
        [
            "weston",
            "--backend=headless-backend.so",
            f"--socket={socket}",
            "--width=1024",
            "--height=768",
            "--use-pixman",
            "--idle-time=0",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Ready when a client gets its globals, an output among them (not when the socket exists).
    wait_for(
        lambda: {"wl_output", "xdg_wm_base"} <= _globals(runtime / socket),
        15,
        what="weston to offer an output and xdg_wm_base",
    )
    yield runtime, socket
    proc.terminate()
    proc.wait(5)


@needs("Xvfb", "xwd")
def test_nested_in_x11(make_compositor, xvfb, tmp_path):
    comp = make_compositor(
        backend="x11", env={"DISPLAY": xvfb}, width=500, height=400, args=["--renderer", "pixman"]
    )
    assert comp.ctl_ok("ping")["backend"] == "x11"
    outputs = comp.ctl_ok("outputs")["outputs"]
    assert [(o["width"], o["height"]) for o in outputs] == [(500, 400)]
    _, view = solid_window(comp, "22aa44", "test.nested-x11")
    # Pixels as the X server shows them, read back with xwd from the X11 root window.
    dump = tmp_path / "root.xwd"
    wait_for(
        lambda: _xwd_pixel(xvfb, dump, view["x"] + 10, view["y"] + 10) == rgb("22aa44"),
        10,
        what="the client's colour in the X11 window",
    )


def _xwd_pixel(display: str, path: Path, x: int, y: int) -> tuple[int, int, int]:
    """One pixel of the X11 root window, read with xwd (TrueColor ZPixmap)."""
    subprocess.run(
        ["xwd", "-root", "-silent", "-out", str(path)],
        check=True,
        env={**os.environ, "DISPLAY": display},
    )
    data = path.read_bytes()
    fields = struct.unpack(">25I", data[:100])
    header_size, byte_order, bits_per_pixel, bytes_per_line = (
        fields[0],
        fields[7],
        fields[11],
        fields[12],
    )
    red_mask, green_mask, blue_mask, ncolors = fields[14], fields[15], fields[16], fields[19]
    assert bits_per_pixel in (24, 32), f"unexpected xwd pixel size {bits_per_pixel}"
    size = bits_per_pixel // 8
    offset = header_size + 12 * ncolors + y * bytes_per_line + x * size
    pixel = int.from_bytes(data[offset : offset + size], "little" if byte_order == 0 else "big")

    def channel(mask: int) -> int:
        return (pixel & mask) >> (mask & -mask).bit_length() - 1

    # The nested output's window sits at the root's origin (Xvfb runs no window manager).
    return channel(red_mask), channel(green_mask), channel(blue_mask)


@needs("weston", "grim")
def test_nested_in_wayland(make_compositor, weston_session):
    runtime, socket = weston_session
    comp = make_compositor(
        backend="wayland",
        width=600,
        height=400,
        env={"WAYLAND_DISPLAY": str(runtime / socket)},
        args=["--renderer", "pixman"],
    )
    assert comp.ctl_ok("ping")["backend"] == "wayland"
    outputs = comp.ctl_ok("outputs")["outputs"]
    assert [(o["width"], o["height"]) for o in outputs] == [(600, 400)]
    _, view = solid_window(comp, "aa2244", "test.nested-wl")
    # Our own screencopy still reads our output.
    image = comp.screenshot()
    assert region_is(image, (view["x"], view["y"], 200, 150), rgb("aa2244"))
    assert comp.frames() > 0
