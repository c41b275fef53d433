"""Screen-sharing streams (issue 24) with a real PipeWire daemon and a real consumer.

Each test runs a private ``pipewire`` + ``wireplumber`` (tests/screencast/pipewire_session.py)
whose socket is in the compositor's XDG_RUNTIME_DIR, as in a login session, and reads the
compositor's streams with GStreamer's ``pipewiresrc`` into raw BGRx files. The oracle is
what the test clients drew (solid colours at the places ``views`` gives); the compositor's
own screenshot (grim, wlr-screencopy) is only a second check.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

import pytest
from PIL import Image

from tests.harness import CompositorProcess, require
from tests.helpers import rgb, solid_window
from tests.screencast.pipewire_session import PipewireSession, missing_programs
from tests.waiting import TIMEOUT_SCALE, wait_for

pytestmark = pytest.mark.skipif(
    bool(missing_programs() + require("gst-launch-1.0")),
    reason=f"needs {missing_programs() + require('gst-launch-1.0')} (scripts/apt-packages.txt)",
)

RED, BLUE, GREEN = "ff0000", "0000ff", "00ff00"
GST_TIMEOUT = 60 * TIMEOUT_SCALE


@pytest.fixture
def comp(make_compositor) -> CompositorProcess:
    return make_compositor(args=["--renderer", "pixman"])


@pytest.fixture
def pw(comp: CompositorProcess, tmp_path: Path):
    session = PipewireSession(tmp_path / "pw", runtime_dir=comp.runtime_dir).start()
    yield session
    session.stop()


def consumer(pw: PipewireSession, node_id: int, path: Path, frames: int = -1) -> subprocess.Popen:
    """gst-launch-1.0 reading the node into a raw BGRx file (frames: -1 until the end).
    node.dont-reconnect: when the stream ends, wireplumber removes the consumer's node
    rather than waiting for another source (pipewiresrc 0.3.65 itself never exits then: an
    application learns of the end from the portal's Closed, see screencast-events)."""
    argv = ["gst-launch-1.0", "-q", "pipewiresrc", f"path={node_id}", "always-copy=true"]
    argv += ["stream-properties=props,node.dont-reconnect=true"]
    argv += [f"num-buffers={frames}", "!", "video/x-raw,format=BGRx", "!"]
    argv += ["filesink", f"location={path}"]
    return subprocess.Popen(
        argv, env=pw.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def video_sources(pw: PipewireSession) -> list[str]:
    """The names of the Video/Source nodes the daemon has (the compositor's streams)."""
    out = subprocess.run(
        ["pw-cli", "ls", "Node"], env=pw.env(), capture_output=True, text=True, check=True
    ).stdout
    nodes, name = [], None
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("id "):
            name = None
        elif line.startswith("node.name = "):
            name = line.split("=", 1)[1].strip().strip('"')
        elif line.startswith("media.class = ") and '"Video/Source"' in line and name is not None:
            nodes.append(name)
    return nodes


def wait_consumer_detached(pw: PipewireSession, proc: subprocess.Popen) -> None:
    """The stream's node is gone from the daemon; then the consumer (still waiting, see
    consumer()) is stopped. Its own node goes with it on Debian 12 (WirePlumber 0.4 removes
    it, node.dont-reconnect); WirePlumber 0.5 (Debian 13) leaves it idle until it exits."""
    wait_for(lambda: video_sources(pw) == [], GST_TIMEOUT, what="no video source left")
    proc.kill()
    proc.communicate(timeout=GST_TIMEOUT)


def grab(pw: PipewireSession, stream: dict[str, Any], path: Path) -> Image.Image:
    """One frame of the stream, as a consumer received it."""
    proc = consumer(pw, stream["node_id"], path, frames=1)
    out, _ = proc.communicate(timeout=GST_TIMEOUT)
    assert proc.returncode == 0, out
    width, height = stream["width"], stream["height"]
    data = path.read_bytes()
    assert len(data) == width * height * 4, (len(data), width, height)
    return Image.frombytes("RGB", (width, height), data, "raw", "BGRX")


def colours(image: Image.Image, box: tuple[int, int, int, int]) -> set[tuple[int, int, int]]:
    x, y, w, h = box
    return {c for _, c in image.crop((x, y, x + w, y + h)).getcolors(w * h)}


def events(comp: CompositorProcess) -> TextIO:
    """A connection reading the screencast-events stream (one JSON line per event)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(str(comp.control_path))
    sock.settimeout(GST_TIMEOUT)
    sock.sendall(b'{"cmd": "screencast-events"}\n')
    reader = sock.makefile("r")  # holds the socket
    assert json.loads(reader.readline())["streaming"] is True
    return reader


def next_event(reader: TextIO) -> dict[str, Any]:
    return json.loads(reader.readline())


def live(comp: CompositorProcess) -> dict[str, int]:
    listing = comp.ctl_ok("screencast-list")
    return {
        "streams": len(listing["streams"]),
        "live_streams": listing["live_streams"],
        "live_buffers": listing["live_buffers"],
    }


def fds_after_warm_up(comp: CompositorProcess) -> int:
    """The compositor's open fds once PipeWire was used and left: what libpipewire keeps
    for the process once initialised (pw_init) counts in, each connection does not."""
    stream = comp.ctl_ok("screencast-start", source={"output": "HEADLESS-1"})
    comp.ctl_ok("screencast-stop", stream=stream["stream"])
    wait_for(lambda: not comp.ctl_ok("screencast-list")["pipewire_connected"], GST_TIMEOUT,
             what="the PipeWire connection closed")  # fmt: skip
    return comp.open_fds()


def wait_all_released(comp: CompositorProcess, fds_before: int) -> None:
    """No stream, no buffer, no PipeWire connection, and the compositor's fds as before the
    first stream (each buffer's memfd, the connection's socket and loop closed)."""
    assert live(comp) == {"streams": 0, "live_streams": 0, "live_buffers": 0}
    wait_for(lambda: not comp.ctl_ok("screencast-list")["pipewire_connected"], GST_TIMEOUT,
             what="the PipeWire connection closed")  # fmt: skip
    assert stream_memfds(comp) == 0
    assert comp.open_fds() == fds_before


def stream_memfds(comp: CompositorProcess) -> int:
    """The compositor's fds that are stream buffers (memfds named comp-screencast)."""
    fd_dir = Path(f"/proc/{comp.pid}/fd")
    names = []
    for fd in fd_dir.iterdir():
        try:
            names.append(os.readlink(fd))
        except FileNotFoundError:
            continue
    return sum("memfd:comp-screencast" in name for name in names)


def test_output_stream_shows_the_windows(comp, pw, tmp_path):
    _, red = solid_window(comp, RED, "test.red", size="200x150")
    _, blue = solid_window(comp, BLUE, "test.blue", size="120x90")
    comp.wait_until_stable()
    sources = comp.ctl_ok("screencast-sources")
    assert sources["outputs"] == [
        {"name": "HEADLESS-1", "width": 640, "height": 480, "x": 0, "y": 0}
    ]
    assert {v["id"]: v["app_id"] for v in sources["views"]} == {
        red["id"]: "test.red",
        blue["id"]: "test.blue",
    }
    stream = comp.ctl_ok("screencast-start", source={"output": "HEADLESS-1"}, client="t.app")
    assert (stream["width"], stream["height"], stream["format"]) == (640, 480, "BGRx")
    frame = grab(pw, stream, tmp_path / "out.raw")
    blue_box = (blue["x"], blue["y"], blue["width"], blue["height"])
    assert colours(frame, blue_box) == {rgb(BLUE)}
    # The red window where the blue one does not cover it.
    assert frame.getpixel((red["x"] + 2, red["y"] + 2)) == rgb(RED)
    outside = (red["x"] + red["width"] + 300, 470)
    assert frame.getpixel(outside) not in (rgb(RED), rgb(BLUE))
    # Second check: what grim reads through wlr-screencopy is the same picture.
    screenshot = comp.screenshot()
    assert screenshot.crop((0, 0, 640, 480)).tobytes() == frame.tobytes()
    listing = comp.ctl_ok("screencast-list")["streams"]
    assert len(listing) == 1
    entry = listing[0]
    assert entry["client"] == "t.app" and entry["format"] == "BGRx"
    assert entry["frames_sent"] >= 1 and entry["copies"] + entry["renders"] >= 1
    comp.ctl_ok("screencast-stop", stream=stream["stream"])
    assert live(comp) == {"streams": 0, "live_streams": 0, "live_buffers": 0}


def test_region_stream_is_a_crop(comp, pw, tmp_path):
    _, red = solid_window(comp, RED, "test.red", size="200x150")
    comp.wait_until_stable()
    region = {"x": red["x"] + 50, "y": red["y"] + 40, "width": 100, "height": 60}
    stream = comp.ctl_ok("screencast-start", source={"region": region}, cursor="hidden")
    assert (stream["width"], stream["height"]) == (100, 60)
    frame = grab(pw, stream, tmp_path / "out.raw")
    assert colours(frame, (0, 0, 100, 60)) == {rgb(RED)}
    # Half in the window, half out of it: a region straddling the window's right edge.
    region = {"x": red["x"] + red["width"] - 20, "y": red["y"], "width": 40, "height": 30}
    stream2 = comp.ctl_ok("screencast-start", source={"region": region})
    frame2 = grab(pw, stream2, tmp_path / "out2.raw")
    assert colours(frame2, (0, 0, 20, 30)) == {rgb(RED)}
    assert rgb(RED) not in colours(frame2, (20, 0, 20, 30))


def test_window_stream_shows_the_window_under_another(comp, pw, tmp_path):
    _, red = solid_window(comp, RED, "test.red", size="200x150")
    _, green = solid_window(comp, GREEN, "test.green", size="300x250")
    # The green window right over the red one: the red one is covered whole.
    comp.ctl_ok("move", id=green["id"], x=red["x"] - 10, y=red["y"] - 10)
    comp.wait_until_stable()
    shot = comp.screenshot()
    assert colours(shot, (red["x"], red["y"], 200, 150)) == {rgb(GREEN)}
    stream = comp.ctl_ok("screencast-start", source={"view": red["id"]}, cursor="embedded")
    assert (stream["width"], stream["height"]) == (200, 150)
    # The output shows a new frame after the stream began (what it shows is at hand to
    # copy): the green window moves a little, still covering the red one.
    frames = comp.frames()
    comp.ctl_ok("move", id=green["id"], x=red["x"] - 9, y=red["y"] - 9)
    wait_for(lambda: comp.frames() > frames, GST_TIMEOUT, what="a new output frame")
    frame = grab(pw, stream, tmp_path / "out.raw")
    assert colours(frame, (0, 0, 200, 150)) == {rgb(RED)}
    entry = comp.ctl_ok("screencast-list")["streams"][0]
    assert entry["renders"] >= 1 and entry["copies"] == 0


def test_window_stream_follows_a_resize(comp, pw, tmp_path, meta_consumer):
    """A shared window resized: the stream renegotiates to the new size and the consumer's
    next frames are that size, the window's colour at their centre. The consumer is a
    plain libpipewire one (meta_consumer.c): GStreamer's pipewiresrc of PipeWire 1.4
    (Debian 13) refuses any format change once it runs ("unhandled format": it keeps no
    caps to intersect with after its first negotiation), whatever the producer offers."""
    _, red = solid_window(comp, RED, "test.red", size="200x150")
    stream = comp.ctl_ok("screencast-start", source={"view": red["id"]})
    frames = FrameLines(meta_consumer, pw, stream["node_id"])
    try:
        first = wait_for(lambda: frames.frame_of(200, 150), GST_TIMEOUT, what="a 200x150 frame")
        assert first[-1] == RED.lower(), first
        comp.ctl_ok("resize", id=red["id"], width=260, height=180)
        resized = wait_for(lambda: frames.frame_of(260, 180), GST_TIMEOUT, what="a 260x180 frame")
        assert resized[-1] == RED.lower(), resized
        entry = comp.ctl_ok("screencast-list")["streams"][0]
        assert (entry["width"], entry["height"]) == (260, 180)
        assert entry["negotiated"] == [260, 180]
        assert entry["renegotiations"] >= 1
    finally:
        errors = frames.close()
    assert "stream error" not in errors


def test_window_close_ends_the_stream(comp, pw, tmp_path):
    window, red = solid_window(comp, RED, "test.red", size="200x150")
    listener = events(comp)
    fds_before = fds_after_warm_up(comp)
    assert next_event(listener)["reason"] == "stopped"
    stream = comp.ctl_ok("screencast-start", source={"view": red["id"]}, client="closer")
    proc = consumer(pw, stream["node_id"], tmp_path / "out.raw")
    wait_for(lambda: comp.ctl_ok("screencast-list")["streams"][0]["frames_sent"] >= 1,
             GST_TIMEOUT, what="a first frame")  # fmt: skip
    assert live(comp)["live_buffers"] == stream_memfds(comp) > 0
    window.terminate()
    window.wait(timeout=GST_TIMEOUT)
    event = next_event(listener)
    assert event == {"event": "stopped", "stream": stream["stream"], "reason": "window closed"}
    # The consumer sees its source go: the link and both nodes are gone from the daemon.
    wait_consumer_detached(pw, proc)
    assert live(comp) == {"streams": 0, "live_streams": 0, "live_buffers": 0}
    wait_for(lambda: not comp.ctl_ok("screencast-list")["pipewire_connected"], GST_TIMEOUT,
             what="the PipeWire connection closed")  # fmt: skip
    assert stream_memfds(comp) == 0
    assert comp.open_fds() < fds_before  # less the window's client too
    listener.close()


def test_stop_and_consumer_leaving(comp, pw, tmp_path):
    solid_window(comp, RED, "test.red", size="200x150")
    listener = events(comp)
    fds_before = fds_after_warm_up(comp)
    assert next_event(listener)["reason"] == "stopped"
    # A consumer that leaves: after consumer_grace_ms the stream ends by itself.
    first = comp.ctl_ok("screencast-start", source={"output": "HEADLESS-1"},
                        consumer_grace_ms=200)  # fmt: skip
    grab(pw, first, tmp_path / "a.raw")
    assert next_event(listener) == {
        "event": "stopped",
        "stream": first["stream"],
        "reason": "consumer gone",
    }
    # One stopped while its consumer reads: the consumer sees the end.
    second = comp.ctl_ok("screencast-start", source={"output": "HEADLESS-1"})
    proc = consumer(pw, second["node_id"], tmp_path / "b.raw")
    wait_for(lambda: comp.ctl_ok("screencast-list")["streams"][0]["frames_sent"] >= 1,
             GST_TIMEOUT, what="a first frame")  # fmt: skip
    comp.ctl_ok("screencast-stop", stream=second["stream"])
    assert next_event(listener) == {"event": "stopped", "stream": second["stream"],
                                    "reason": "stopped"}  # fmt: skip
    wait_consumer_detached(pw, proc)
    wait_all_released(comp, fds_before)
    listener.close()


def test_session_lock_blanks_the_stream(comp, pw, tmp_path):
    _, red = solid_window(comp, RED, "test.red", size="200x150")
    window_stream = comp.ctl_ok("screencast-start", source={"view": red["id"]})
    output_stream = comp.ctl_ok("screencast-start", source={"output": "HEADLESS-1"})
    locker = comp.spawn(
        [sys.executable, "-m", "tests.clients.session_locker", "--color", "ffff00"],
        text=True, stdin=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert locker.stdout is not None
        wait_for(lambda: locker.stdout.readline().strip() == "locked", GST_TIMEOUT,
                 what="the locker's locked")  # fmt: skip
        for stream, name in ((window_stream, "w"), (output_stream, "o")):
            frame = grab(pw, stream, tmp_path / f"{name}.raw")
            seen = colours(frame, (0, 0, stream["width"], stream["height"]))
            assert len(seen) == 1 and rgb(RED) not in seen, seen
        assert comp.ctl_ok("screencast-list")["streams"][0]["blank_frames"] >= 1
    finally:
        locker.kill()
        locker.wait()


def test_no_daemon_says_what_to_do(comp):
    reply = comp.ctl("screencast-start", source={"output": "HEADLESS-1"})
    assert reply["ok"] is False
    assert "pipewire" in reply["error"] and "wireplumber" in reply["error"]


def test_daemon_gone_ends_the_streams(comp, pw, tmp_path):
    listener = events(comp)
    stream = comp.ctl_ok("screencast-start", source={"output": "HEADLESS-1"})
    pw.kill_daemon()
    assert next_event(listener) == {"event": "stopped", "stream": stream["stream"],
                                    "reason": "pipewire daemon gone"}  # fmt: skip
    assert live(comp) == {"streams": 0, "live_streams": 0, "live_buffers": 0}
    # A daemon again: a new connection, a new stream.
    pw.start()
    again = comp.ctl_ok("screencast-start", source={"output": "HEADLESS-1"})
    grab(pw, again, tmp_path / "again.raw")
    listener.close()


def test_bad_requests(comp, pw):
    for args, words in (
        ({"source": {"output": "NOPE-1"}}, "no output"),
        ({"source": {"view": 999}}, "no window"),
        ({"source": {"region": {"x": 5000, "y": 0, "width": 10, "height": 10}}}, "no output"),
        ({"source": {"region": {"x": 0, "y": 0, "width": 0, "height": 10}}}, "1 to"),
        ({"source": {"output": "HEADLESS-1"}, "cursor": "blinking"}, "cursor"),
        ({"source": "HEADLESS-1"}, "source is one of"),
    ):
        reply = comp.ctl("screencast-start", **args)
        assert reply["ok"] is False and words in reply["error"], (args, reply)
    assert comp.ctl("screencast-stop", stream=42)["ok"] is False


def build_meta_consumer(directory: Path) -> Path:
    """tests/screencast/meta_consumer.c, built against the system's libpipewire."""
    flags = subprocess.run(
        ["pkg-config", "--cflags", "--libs", "libpipewire-0.3"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    binary = directory / "meta_consumer"
    source = Path(__file__).with_name("meta_consumer.c")
    subprocess.run(["cc", "-Wall", str(source), *flags, "-o", str(binary)], check=True)
    return binary


class FrameLines:
    """meta_consumer.c reading a node until closed: its ``frame W H ... CENTRE`` lines as
    they come. A libpipewire consumer follows a renegotiated size (GStreamer's pipewiresrc
    of PipeWire 1.4, Debian 13, refuses any format change once running)."""

    def __init__(self, binary: Path, pw: PipewireSession, node_id: int) -> None:
        self.proc = subprocess.Popen(
            [str(binary), str(node_id), "100000"], env=pw.env(),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.lines: list[str] = []
        self._reader = threading.Thread(
            target=lambda: self.lines.extend(self.proc.stdout), daemon=True
        )
        self._reader.start()

    def frame_of(self, width: int, height: int) -> list[str] | None:
        """The fields of the first frame of that size seen, or None."""
        for line in list(self.lines):
            fields = line.split()
            if fields[1:3] == [str(width), str(height)]:
                return fields
        return None

    def close(self) -> str:
        """Stops it; what it wrote on stderr."""
        self.proc.terminate()
        self.proc.wait(timeout=GST_TIMEOUT)
        self._reader.join(GST_TIMEOUT)
        return self.proc.stderr.read()


@pytest.fixture
def meta_consumer(tmp_path: Path) -> Path:
    return build_meta_consumer(tmp_path)


def test_cursor_embedded_hidden_or_metadata(comp, pw, tmp_path, meta_consumer):
    # The pointer over the empty desktop: the compositor's own arrow (left_ptr) shows.
    comp.move_pointer(300, 200)
    comp.wait_until_stable()
    region = {"x": 250, "y": 150, "width": 100, "height": 100}
    embedded = comp.ctl_ok("screencast-start", source={"region": region}, cursor="embedded")
    frame = grab(pw, embedded, tmp_path / "embedded.raw")
    assert len(colours(frame, (0, 0, 100, 100))) > 1  # the arrow on the background
    hidden = comp.ctl_ok("screencast-start", source={"region": region}, cursor="hidden")
    frame = grab(pw, hidden, tmp_path / "hidden.raw")
    assert len(colours(frame, (0, 0, 100, 100))) == 1  # the background alone
    # Metadata: the background alone in the pixels; the arrow's position (the pointer's,
    # region-local), hotspot and bitmap beside them.
    meta = comp.ctl_ok("screencast-start", source={"region": region}, cursor="metadata")
    out = subprocess.run(
        [str(meta_consumer), str(meta["node_id"]), "1"], env=pw.env(),
        capture_output=True, text=True, timeout=GST_TIMEOUT,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    fields = out.stdout.split()
    assert fields[:4] == ["frame", "100", "100", "1"], out.stdout
    cursor_id, x, y, hot_x, hot_y, bitmap_w, bitmap_h, opaque = (int(v) for v in fields[4:12])
    assert (cursor_id, x, y) == (1, 50, 50)
    assert 0 < bitmap_w <= 64 and 0 < bitmap_h <= 64 and opaque > 0
    assert 0 <= hot_x < bitmap_w and 0 <= hot_y < bitmap_h


def test_output_removed_and_compositor_stopping_end_streams(comp, pw, tmp_path):
    comp.ctl_ok("output-add", width=320, height=240)
    second = next(o for o in comp.ctl_ok("screencast-sources")["outputs"] if o["width"] == 320)
    listener = events(comp)
    stream = comp.ctl_ok("screencast-start", source={"output": second["name"]})
    assert (stream["width"], stream["height"]) == (320, 240)
    proc = consumer(pw, stream["node_id"], tmp_path / "second.raw")
    wait_for(lambda: comp.ctl_ok("screencast-list")["streams"][0]["frames_sent"] >= 1,
             GST_TIMEOUT, what="a first frame")  # fmt: skip
    comp.ctl_ok("output-remove", name=second["name"])
    assert next_event(listener) == {"event": "stopped", "stream": stream["stream"],
                                    "reason": "output removed"}  # fmt: skip
    wait_consumer_detached(pw, proc)
    assert live(comp) == {"streams": 0, "live_streams": 0, "live_buffers": 0}
    # The compositor stops while a consumer reads a stream: it ends, told, and the
    # compositor exits cleanly (the harness checks the exit code and the log).
    last = comp.ctl_ok("screencast-start", source={"output": "HEADLESS-1"})
    proc = consumer(pw, last["node_id"], tmp_path / "last.raw")
    wait_for(lambda: comp.ctl_ok("screencast-list")["streams"][0]["frames_sent"] >= 1,
             GST_TIMEOUT, what="a first frame")  # fmt: skip
    comp.stop()
    assert next_event(listener) == {"event": "stopped", "stream": last["stream"],
                                    "reason": "compositor stopped"}  # fmt: skip
    wait_consumer_detached(pw, proc)
    listener.close()


def test_window_stream_of_a_client_that_truncates_its_pool(comp, pw, tmp_path):
    """The shared window is covered, so only its stream reads its memory: the client
    truncates its pool's file and commits; the read is guarded (client_memory.c), the
    client is disconnected with a protocol error, its stream ends, the compositor lives."""
    hostile, view = solid_window(comp, RED, "test.hostile", size="256x256")
    _, cover = solid_window(comp, GREEN, "test.cover", size="320x320")
    comp.ctl_ok("move", id=cover["id"], x=view["x"] - 10, y=view["y"] - 10)
    listener = events(comp)
    stream = comp.ctl_ok("screencast-start", source={"view": view["id"]})
    proc = consumer(pw, stream["node_id"], tmp_path / "out.raw")
    wait_for(lambda: comp.ctl_ok("screencast-list")["streams"][0]["frames_sent"] >= 1,
             GST_TIMEOUT, what="a first frame")  # fmt: skip
    hostile.stdin.write("shrink-pool 0\n")
    hostile.stdin.flush()
    assert next_event(listener) == {"event": "stopped", "stream": stream["stream"],
                                    "reason": "window closed"}  # fmt: skip
    assert hostile.wait(GST_TIMEOUT) == 0
    assert "faulted" in comp.log()
    assert comp.alive() and [v["app_id"] for v in comp.views()] == ["test.cover"]
    wait_consumer_detached(pw, proc)
    listener.close()


@pytest.mark.skipif(bool(require("weston-simple-shm")), reason="needs weston-simple-shm")
def test_no_python_per_shared_frame(comp, pw, tmp_path):
    """An output stream and a window stream (cursor metadata) of an animated client: their
    frames go out and Python does not run (control requests are not counted)."""
    comp.spawn(["weston-simple-shm"])
    wait_for(lambda: len(comp.views()) == 1, GST_TIMEOUT, what="the animated window")
    view = comp.views()[0]
    output = comp.ctl_ok("screencast-start", source={"output": "HEADLESS-1"})
    window = comp.ctl_ok("screencast-start", source={"view": view["id"]}, cursor="metadata")
    consumers = [consumer(pw, s["node_id"], tmp_path / f"{i}.raw") for i, s in
                 enumerate((output, window))]  # fmt: skip
    try:

        def sent() -> list[int]:
            return [s["frames_sent"] for s in comp.ctl_ok("screencast-list")["streams"]]

        wait_for(lambda: min(sent()) >= 10, GST_TIMEOUT, what="10 frames in each stream")
        first = sent()
        before = comp.ctl_ok("stats", objects=0)["python_calls"]
        frames = comp.frames()
        wait_for(lambda: comp.frames() >= frames + 60, GST_TIMEOUT, what="60 output frames")
        assert comp.ctl_ok("stats", objects=0)["python_calls"] == before, "Python ran"
        assert min(a - b for a, b in zip(sent(), first, strict=True)) >= 30
    finally:
        for proc in consumers:
            proc.kill()
            proc.wait()


def test_window_stream_follows_the_window_off_screen(comp, pw, tmp_path):
    """A window moved half off the output: its stream still shows all of it."""
    _, red = solid_window(comp, RED, "test.red", size="200x150", subsurface=BLUE)
    stream = comp.ctl_ok("screencast-start", source={"view": red["id"]}, cursor="hidden")
    comp.ctl_ok("move", id=red["id"], x=-120, y=400)
    wait_for(lambda: comp.views()[0]["x"] == -120, GST_TIMEOUT, what="the window moved")
    frame = grab(pw, stream, tmp_path / "out.raw")
    frame.save(tmp_path / "window.png")
    # The 60x40 blue subsurface at 20,20 (tests/clients/solid_window.py), red around it.
    assert colours(frame, (20, 20, 60, 40)) == {rgb(BLUE)}
    assert colours(frame, (100, 0, 100, 150)) == {rgb(RED)}
    assert colours(frame, (0, 70, 100, 80)) == {rgb(RED)}


def test_rendered_frame_clips_what_runs_past_its_edge(comp, pw, tmp_path):
    """A window with the compositor's title bar running past the output's right edge: in a
    rendered frame (cursor hidden) the bar and its buttons (scene rects) stop at the edge.
    pixman's fill does not clip: they spilled into the next rows' first pixels (and would
    past the buffer's end)."""
    _, view = solid_window(comp, RED, "test.red", size="200x150", decoration="server")
    comp.ctl_ok("move", id=view["id"], x=540, y=100)
    comp.wait_until_stable()
    stream = comp.ctl_ok("screencast-start", source={"output": "HEADLESS-1"}, cursor="hidden")
    frame = grab(pw, stream, tmp_path / "out.raw")
    assert colours(frame, (540, 100, 100, 150)) == {rgb(RED)}
    # Left of the window, on the rows of its title bar: the background, nothing of the bar.
    assert len(colours(frame, (0, 60, 100, 40))) == 1
    # Second check: grim's picture, less its top rows (the pointer is at 0,0 there).
    rows = (0, 50, 640, 480)
    assert frame.crop(rows).tobytes() == comp.screenshot().crop(rows).tobytes()
