"""Output removal finalizes the recording: the compositor runs nested in Xvfb and its X11
window gets WM_DELETE_WINDOW (what a window manager's close button sends), which makes
wlroots destroy the output."""

from __future__ import annotations

import socket
import struct

import pytest

from tests.conftest import needs
from tests.harness import wait_for
from tests.lifecycle.test_nested import xvfb  # noqa: F401 (fixture)
from tests.recorder.test_recorder import decode, ffprobe_frames

pytestmark = pytest.mark.nested


class X11:
    """The few X11 requests needed, spoken directly (no X library in the venv)."""

    def __init__(self, display: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(f"/tmp/.X11-unix/X{display.lstrip(':')}")
        self.sock.sendall(struct.pack("<BxHHHHxx", 0x6C, 11, 0, 0, 0))
        head = self._read(8)
        assert head[0] == 1, "the X server refused the connection"
        setup = self._read(struct.unpack_from("<H", head, 6)[0] * 4)
        vendor_len, _, _, formats = struct.unpack_from("<HHBB", setup, 16)
        screen = 32 + (vendor_len + 3) // 4 * 4 + 8 * formats
        self.root = struct.unpack_from("<I", setup, screen)[0]

    def _read(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            assert chunk, "the X server closed the connection"
            data += chunk
        return data

    def _reply(self) -> bytes:
        head = self._read(32)
        assert head[0] == 1, f"X error {head[1]}"
        return head + self._read(struct.unpack_from("<I", head, 4)[0] * 4)

    def atom(self, name: str) -> int:
        raw = name.encode()
        pad = (4 - len(raw) % 4) % 4
        self.sock.sendall(
            struct.pack("<BBHHxx", 16, 0, 2 + (len(raw) + pad) // 4, len(raw)) + raw + b"\0" * pad
        )
        return struct.unpack_from("<I", self._reply(), 8)[0]

    def children(self, window: int) -> list[int]:
        self.sock.sendall(struct.pack("<BxHI", 15, 2, window))
        reply = self._reply()
        count = struct.unpack_from("<H", reply, 16)[0]
        return list(struct.unpack_from(f"<{count}I", reply, 32))

    def close_window(self, window: int, protocols: int, delete: int) -> None:
        event = struct.pack("<BBHII5I", 33, 32, 0, window, protocols, delete, 0, 0, 0, 0)
        self.sock.sendall(struct.pack("<BBHII", 25, 0, 11, window, 0) + event)
        self.children(self.root)  # a round trip: the event has been sent


@needs("Xvfb", "ffprobe")
def test_output_removal_finalizes_the_recording(make_compositor, xvfb, tmp_path):  # noqa: F811
    path = tmp_path / "removed.mp4"
    # wlroots looks the atoms up with only_if_exists: create them first (without a window
    # manager nobody else does), and stay connected so that Xvfb does not reset and drop them.
    x11 = X11(xvfb)
    atoms = x11.atom("WM_PROTOCOLS"), x11.atom("WM_DELETE_WINDOW")
    comp = make_compositor(
        backend="x11",
        # The harness runs it with MALLOC_PERTURB_: a use of what the output's removal freed
        # (it happened: wlr_output_damage, through the scene) crashes every time.
        env={"DISPLAY": xvfb},
        width=320,
        height=240,
        args=["--renderer", "pixman", "--record", str(path)],
    )
    wait_for(
        lambda: comp.ctl_ok("record-status")["current"]["frames_encoded"] >= 1,
        what="a first recorded frame",
    )
    for window in x11.children(x11.root):
        x11.close_window(window, *atoms)
    wait_for(
        lambda: "removed" in comp.log() and "recording saved" in comp.log(),
        what="the output's removal and the recording's end",
    )
    assert "recording saved (output " in comp.log()
    # The control reply comes from a later turn of the event loop than the destroy signal
    # and the idle callback that removes the indicator (removing a scene node inside the
    # signal crashed wlroots): the compositor went on without the output.
    status = comp.ctl_ok("record-status", pts=True)
    assert status["recording"] is False and comp.ctl_ok("outputs")["outputs"] == []
    # The file holds exactly the frames the recording counted, with their timestamps.
    last = status["last"]
    images, pts, _ = decode(path)
    assert len(images) == last["frames_encoded"] == ffprobe_frames(path) >= 1
    assert pts == last["pts_90khz"]
    assert comp.stop() == 0  # and it exits cleanly
