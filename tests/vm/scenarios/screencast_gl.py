"""VM scenario: screen sharing (issue 24) on wlroots' GLES2 renderer (run inside the guest;
Mesa's llvmpipe through kms_swrast on virtio-gpu, as tests/vm/scenarios/gl.py), with a
real PipeWire daemon (tests/screencast/pipewire_session.py) and GStreamer's pipewiresrc
reading the streams. The oracle is the colours the test clients drew, at the places
``views`` gives.

Checks (one boot; results in /mnt/out/results.json):
  gles2           --renderer gles2 is in use, and screencast-start is accepted on it
  output_stream   an output stream: the red window, the blue window over it and the
                  background in the received frame; read back from the committed buffer
                  (copies > 0)
  window_stream   a window stream of the red window, covered in part by the blue one: every
                  pixel red (the subtree rendered by GL into the stream's own buffer)
  region_cursor   a region stream with the cursor embedded shows the arrow, hidden does not;
                  metadata gives the arrow's position and a bitmap with opaque pixels
  resize          the shared window resized: the stream renegotiates, the next frame has
                  the new size, every pixel red
  window_closed   the window's client exits: the stream ends ("window closed"), no stream,
                  PipeWire buffer or GL buffer left
  drm_output_stream  the drm backend (scan-out buffers, the cursor on its plane): an output
                  stream shows the window and the arrow over it; a window stream the window
  cost            time per shared frame (output and window streams) on GLES2 and, in a
                  second compositor in the same guest, on pixman (figures only)
  clean_exit      the compositors exit 0 without a traceback
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.harness import CompositorProcess
from tests.helpers import rgb, solid_window
from tests.screencast.pipewire_session import PipewireSession
from tests.screencast.test_streams import (
    FrameLines,
    build_meta_consumer,
    colours,
    consumer,
    events,
    grab,
    live,
    next_event,
    stream_memfds,
)
from tests.vm.guest.gl_env import gl_scenario_env
from tests.vm.guest.vmlib import (
    SEAT_ENV,
    Checks,
    input_events,
    setup_devices,
    start_seatd,
    wait_for,
)

RED, BLUE = "ff0000", "0000ff"
TABLET = "QEMU Virtio Tablet"
OUT = Path("/mnt/out/frames")  # the host reads them in artifacts/vm/screencast_gl
TIMEOUT = 180.0


def start(comp: CompositorProcess, **request: Any) -> dict[str, Any]:
    """screencast-start, the stream kept when its consumer leaves (consumer_grace_ms 0): the
    checks read one stream with several consumers, one after another."""
    return comp.ctl_ok("screencast-start", consumer_grace_ms=0, **request)


def entry(comp: CompositorProcess, sid: int) -> dict[str, Any]:
    return next(s for s in comp.ctl_ok("screencast-list")["streams"] if s["stream"] == sid)


def meta_consumer() -> Path:
    return build_meta_consumer(OUT)


def per_frame_ms(
    comp: CompositorProcess, pw: PipewireSession, source: dict, name: str, cursor: str
) -> dict:
    """A stream read for 16 frames, the pointer moving (each move an output commit, so a
    frame of an output with the cursor embedded is a copy of the committed buffer):
    wall and CPU ms per frame spent making them."""
    stream = start(comp, source=source, cursor=cursor)
    proc = consumer(pw, stream["node_id"], OUT / f"{name}.raw", frames=16)
    # Moves until the consumer has its 16 frames, however late it starts streaming (a
    # fixed number of moves ran out before pipewiresrc 1.4, Debian 13, had begun).
    step, deadline = 0, time.monotonic() + TIMEOUT
    while proc.poll() is None and time.monotonic() < deadline:
        step += 1
        comp.move_pointer(400 + step % 50, 400)
    out, _ = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0, out
    e = entry(comp, stream["stream"])
    comp.ctl_ok("screencast-stop", stream=stream["stream"])
    frames = e["frames_sent"]
    return {
        "frames": frames,
        "size": [e["width"], e["height"]],
        "fill_ms_per_frame": round(e["fill_ms"] / frames, 3),
        "cpu_ms_per_frame": round(e["cpu_ms"] / frames, 3),
        "copies": e["copies"],
        "renders": e["renders"],
    }


def cost(comp: CompositorProcess, pw: PipewireSession, output: str, view_id: int) -> dict:
    return {
        "output_copy": per_frame_ms(comp, pw, {"output": output}, "cost-copy", "embedded"),
        "output_render": per_frame_ms(comp, pw, {"output": output}, "cost-output", "hidden"),
        "window": per_frame_ms(comp, pw, {"view": view_id}, "cost-window", "hidden"),
    }


def logind_dirs() -> None:
    """WirePlumber 0.4's logind plugin watches these (sd_login_monitor_new) and WirePlumber
    exits (70) when they are missing, as in the guest's fresh /run; the host has them."""
    for name in ("seats", "sessions", "users", "machines"):
        (Path("/run/systemd") / name).mkdir(parents=True, exist_ok=True)


def gl_checks(checks: Checks, env: dict[str, str]) -> dict | None:
    comp = CompositorProcess(
        Path("/tmp/sc-gl"), args=["--renderer", "gles2"], env=env, width=640, height=480
    )
    pw = None
    figures = None
    with checks.check("gles2") as info:
        comp.start(timeout=120)
        info["ping"] = comp.ctl_ok("ping")
        assert info["ping"]["renderer"] == "gles2", comp.log()[-3000:]
        pw = PipewireSession(Path("/tmp/sc-gl-pw"), runtime_dir=comp.runtime_dir).start()
        info["sources"] = comp.ctl_ok("screencast-sources")
    if pw is None:
        return None
    output = info["sources"]["outputs"][0]["name"]
    red_proc, red = solid_window(comp, RED, "gl.red", size="200x150")
    _, blue = solid_window(comp, BLUE, "gl.blue", size="120x90")
    # The blue window over the red one's bottom-right corner.
    comp.ctl_ok("move", id=blue["id"], x=red["x"] + 140, y=red["y"] + 100)
    blue = {**blue, "x": red["x"] + 140, "y": red["y"] + 100}
    comp.wait_until_stable()
    with checks.check("output_stream") as info:
        stream = start(comp, source={"output": output}, client="vm")
        assert (stream["width"], stream["height"]) == (640, 480), stream
        # An output commit while the stream exists (the pointer moves, away from the
        # windows): the frame is then a read-back of that committed buffer, not a render.
        comp.move_pointer(600, 20)
        comp.wait_until_stable()
        frame = grab(pw, stream, OUT / "output.raw")
        frame.save(OUT / "output.png")
        blue_box = (blue["x"], blue["y"], blue["width"], blue["height"])
        info["blue"] = sorted(colours(frame, blue_box))
        assert info["blue"] == [rgb(BLUE)]
        info["red_corner"] = frame.getpixel((red["x"] + 2, red["y"] + 2))
        assert info["red_corner"] == rgb(RED)
        info["background"] = frame.getpixel((630, 470))
        assert info["background"] not in (rgb(RED), rgb(BLUE))
        info["entry"] = entry(comp, stream["stream"])
        assert info["entry"]["copies"] >= 1 and info["entry"]["renders"] == 0, info["entry"]
        comp.ctl_ok("screencast-stop", stream=stream["stream"])
    with checks.check("window_stream") as info:
        stream = start(comp, source={"view": red["id"]})
        assert (stream["width"], stream["height"]) == (200, 150), stream
        frame = grab(pw, stream, OUT / "window.raw")
        frame.save(OUT / "window.png")
        info["colours"] = sorted(colours(frame, (0, 0, 200, 150)))
        assert info["colours"] == [rgb(RED)]
        info["entry"] = entry(comp, stream["stream"])
        assert info["entry"]["renders"] >= 1 and info["entry"]["copies"] == 0
        comp.ctl_ok("screencast-stop", stream=stream["stream"])
    with checks.check("region_cursor") as info:
        comp.move_pointer(500, 380)
        comp.wait_until_stable()
        region = {"x": 450, "y": 330, "width": 100, "height": 100}
        embedded = start(comp, source={"region": region})
        frame = grab(pw, embedded, OUT / "embedded.raw")
        info["embedded_colours"] = len(colours(frame, (0, 0, 100, 100)))
        assert info["embedded_colours"] > 1  # the arrow on the background
        hidden = start(comp, source={"region": region}, cursor="hidden")
        frame = grab(pw, hidden, OUT / "hidden.raw")
        info["hidden_colours"] = len(colours(frame, (0, 0, 100, 100)))
        assert info["hidden_colours"] == 1
        meta = start(comp, source={"region": region}, cursor="metadata")
        out = subprocess.run(
            [str(meta_consumer()), str(meta["node_id"]), "1"], env=pw.env(),
            capture_output=True, text=True, timeout=TIMEOUT,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        info["meta"] = out.stdout
        fields = out.stdout.split()
        assert fields[:4] == ["frame", "100", "100", "1"], out.stdout
        cursor_id, x, y, _hx, _hy, bitmap_w, bitmap_h, opaque = (int(v) for v in fields[4:12])
        assert (cursor_id, x, y) == (1, 50, 50)
        assert 0 < bitmap_w <= 64 and 0 < bitmap_h <= 64 and opaque > 0
        for s in (embedded, hidden, meta):
            comp.ctl_ok("screencast-stop", stream=s["stream"])
    with checks.check("resize") as info:
        # A libpipewire consumer (meta_consumer.c) follows the renegotiation; GStreamer's
        # pipewiresrc of PipeWire 1.4 (Debian 13) refuses any format change once running.
        stream = start(comp, source={"view": red["id"]})
        frames = FrameLines(meta_consumer(), pw, stream["node_id"])
        try:
            wait_for(lambda: frames.frame_of(200, 150), TIMEOUT, what="a first frame")
            comp.ctl_ok("resize", id=red["id"], width=260, height=180)
            resized = wait_for(lambda: frames.frame_of(260, 180), TIMEOUT, what="a 260x180 frame")
            info["resized_frame"] = resized
            assert resized[-1] == RED, resized
            e = entry(comp, stream["stream"])
            assert e["negotiated"] == [260, 180], e
        finally:
            frames.close()
        info["entry"] = entry(comp, stream["stream"])
        try:
            frame = grab(pw, {**stream, "width": 260, "height": 180}, OUT / "resized.raw")
            frame.save(OUT / "resized.png")
            info["colours"] = sorted(colours(frame, (0, 0, 260, 180)))
            assert info["colours"] == [rgb(RED)]
        finally:
            comp.ctl_ok("screencast-stop", stream=stream["stream"])
    with checks.check("window_closed") as info:
        listener = events(comp)
        stream = start(comp, source={"view": red["id"]}, client="closer")
        proc = consumer(pw, stream["node_id"], OUT / "closed.raw")
        wait_for(lambda: entry(comp, stream["stream"])["frames_sent"] >= 1, TIMEOUT,
                 what="a first frame")  # fmt: skip
        listing = comp.ctl_ok("screencast-list")
        info["while_streaming"] = {k: listing[k] for k in ("live_buffers", "live_gl_buffers")}
        assert listing["live_gl_buffers"] == 1 and listing["live_buffers"] > 0
        red_proc.terminate()
        red_proc.wait(timeout=TIMEOUT)
        event = next_event(listener)
        info["event"] = event
        assert event == {"event": "stopped", "stream": stream["stream"],
                         "reason": "window closed"}  # fmt: skip
        proc.kill()
        proc.wait(timeout=TIMEOUT)
        assert live(comp) == {"streams": 0, "live_streams": 0, "live_buffers": 0}
        listing = comp.ctl_ok("screencast-list")
        info["after"] = listing
        assert listing["live_gl_buffers"] == 0
        assert stream_memfds(comp) == 0
        listener.close()
    with checks.check("cost") as info:
        _, green = solid_window(comp, "00ff00", "gl.green", size="300x200")
        comp.wait_until_stable()
        figures = cost(comp, pw, output, green["id"])
        info["gles2"] = figures
    with checks.check("clean_exit") as info:
        pw.stop()
        code = comp.stop(check=False, timeout=60)
        info["log_tail"] = comp.log()[-1500:]
        assert code == 0 and "Traceback" not in comp.log(), code
    return figures


def tablet_to(x: int, y: int, width: int, height: int) -> None:
    """The pointer to (x, y) of the output through QEMU's virtio tablet (0..32767 on each
    axis across the output): real evdev events, as the drm backend takes no injection."""
    input_events(
        {"type": "abs", "data": {"axis": "x", "value": round(x * 32767 / (width - 1))}},
        {"type": "abs", "data": {"axis": "y", "value": round(y * 32767 / (height - 1))}},
    )


def drm_checks(checks: Checks, env: dict[str, str]) -> None:
    """The drm backend on virtio-gpu under seatd: committed buffers are scan-out GBM
    buffers, and the cursor is on the cursor plane (not in them)."""
    setup_devices(("virtio_input",), udev=True)
    seatd = start_seatd()
    drm = CompositorProcess(
        Path("/tmp/sc-drm"), args=["--renderer", "gles2", "--no-wl-drm"],
        env={**env, **SEAT_ENV}, backend="drm",
    )  # fmt: skip
    pw = None
    try:
        with checks.check("drm_output_stream") as info:
            drm.start(timeout=120)
            assert drm.ctl_ok("ping")["renderer"] == "gles2"
            wait_for(
                lambda: (
                    ("pointer", TABLET)
                    in {(d["type"], d["name"]) for d in drm.ctl_ok("inputs")["devices"]}
                ),
                60,
                what="the virtio tablet in the seat",
            )
            pw = PipewireSession(Path("/tmp/sc-drm-pw"), runtime_dir=drm.runtime_dir).start()
            output = drm.ctl_ok("screencast-sources")["outputs"][0]
            info["output"] = output
            _, red = solid_window(drm, RED, "drm.red", size="200x150")
            size = (output["width"], output["height"])
            # The pointer over the desktop beside the window (over the window the client's
            # own cursor would show: the test client hides it).
            tablet_to(red["x"] + 300, red["y"] + 75, *size)
            drm.wait_until_stable()
            stream = start(drm, source={"output": output["name"]})
            tablet_to(red["x"] + 301, red["y"] + 75, *size)  # a commit while it exists
            drm.wait_until_stable()
            frame = grab(pw, stream, OUT / "drm-output.raw")
            frame.save(OUT / "drm-output.png")
            info["entry"] = entry(drm, stream["stream"])
            corner = (red["x"], red["y"], 40, 40)  # the window's top-left
            info["corner"] = sorted(colours(frame, corner))
            assert info["corner"] == [rgb(RED)]
            # The arrow, whether it is on the cursor plane or not.
            arrow = (red["x"] + 297, red["y"] + 71, 24, 24)
            info["arrow"] = sorted(colours(frame, arrow))
            assert len(info["arrow"]) > 1, info["arrow"]
            window = start(drm, source={"view": red["id"]}, cursor="hidden")
            frame = grab(pw, window, OUT / "drm-window.raw")
            info["window"] = sorted(colours(frame, (0, 0, 200, 150)))
            assert info["window"] == [rgb(RED)]
    finally:
        if pw is not None:
            pw.stop()
        if drm.proc is not None:
            drm.stop(check=False, timeout=60)
        seatd.terminate()


def pixman_cost(checks: Checks, gl_figures: dict | None) -> None:
    """The same streams on pixman in the same guest, for the figures beside GL's."""
    comp = CompositorProcess(
        Path("/tmp/sc-px"), args=["--renderer", "pixman"], width=640, height=480
    )
    comp.start(timeout=120)
    pw = PipewireSession(Path("/tmp/sc-px-pw"), runtime_dir=comp.runtime_dir).start()
    try:
        with checks.check("cost_pixman") as info:
            output = comp.ctl_ok("screencast-sources")["outputs"][0]["name"]
            _, green = solid_window(comp, "00ff00", "px.green", size="300x200")
            comp.wait_until_stable()
            info["pixman"] = cost(comp, pw, output, green["id"])
            info["gles2"] = gl_figures
    finally:
        pw.stop()
        comp.stop(check=False, timeout=60)


def main() -> int:
    checks = Checks()
    OUT.mkdir(parents=True, exist_ok=True)
    logind_dirs()
    env = gl_scenario_env(checks, "gles2")
    if env is None:
        return 1
    figures = gl_checks(checks, env)
    drm_checks(checks, env)
    pixman_cost(checks, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
