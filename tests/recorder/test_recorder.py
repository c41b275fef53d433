"""Recording with a real animated client: the MP4 holds exactly the presented frames.

weston-simple-shm animates at the output's rate; the compositor records its first output
with x264. The file is decoded with PyAV and counted with ffprobe, and frames are compared
with grim (screencopy) captures taken at known moments while recording.
"""

from __future__ import annotations

import json
import math
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import av
from PIL import Image, ImageChops, ImageStat

from tests.conftest import needs
from tests.harness import CompositorProcess, wait_for
from tests.helpers import region_is

SHM_APP = "org.freedesktop.weston.simple-shm"
SIZE = {"width": 320, "height": 240}
BACKGROUND = (0, 0, 0)
# The recording indicator's red, written here rather than taken from the compositor: its
# (0.86, 0.08, 0.08) as pixman fills a rect (16 bits per channel, cut to 8), #dc1414.
# Screencopy is lossless, so a capture holds exactly this.
INDICATOR = (0xDC, 0x14, 0x14)


def decode(path: Path) -> tuple[list[Image.Image], list[int], Any]:
    """All frames (RGB) and their pts in 1/90000 s; tolerates a truncated last fragment."""
    images, pts = [], []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        time_base = stream.time_base
        try:
            for frame in container.decode(stream):
                images.append(frame.to_image())
                pts.append(round(frame.pts * time_base * 90000))
        except av.FFmpegError:
            pass  # a partial fragment at the end: the prefix is what counts
    return images, pts, time_base


def ffprobe_frames(path: Path) -> int:
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-count_frames",
            "-select_streams",
            "v:0",
            "-of",
            "json",
            "-show_entries",
            "stream=nb_read_frames,codec_name,width,height",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(json.loads(out)["streams"][0]["nb_read_frames"])


def psnr(a: Image.Image, b: Image.Image) -> float:
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    mse = sum(v * v for v in ImageStat.Stat(diff).rms) / 3
    return math.inf if mse == 0 else 10 * math.log10(255 * 255 / mse)


def as_recorded(image: Image.Image) -> Image.Image:
    """``image`` through the recorder's colour path (BT.709 limited, 4:2:0) and back.

    weston-simple-shm draws fine saturated rings; 4:2:0 chroma alone costs them ~23 dB, so
    a screencopy is compared with recorded frames after the same chroma subsampling.
    """
    yuv = av.VideoFrame.from_image(image.convert("RGB")).reformat(
        format="yuv420p",
        src_colorspace="ITU601",
        dst_colorspace="ITU709",
        dst_color_range="MPEG",
    )
    return yuv.to_image()


def encoded(comp: CompositorProcess, count: int) -> None:
    wait_for(
        lambda: comp.ctl_ok("record-status")["current"]["frames_encoded"] >= count,
        what=f"{count} encoded frames",
    )


def box_of(box: dict[str, int], margin: int = 0) -> tuple[int, int, int, int]:
    m = margin
    return (box["x"] - m, box["y"] - m, box["width"] + 2 * m, box["height"] + 2 * m)


def start_client(comp: CompositorProcess) -> None:
    comp.spawn(["weston-simple-shm"])
    comp.wait_for_view(SHM_APP)


def stop_recording(comp: CompositorProcess) -> dict[str, Any]:
    return comp.ctl_ok("record-stop")["last"]


def check_file(path: Path, last: dict[str, Any]) -> list[Image.Image]:
    images, pts, _ = decode(path)
    assert last["error"] is None, last
    assert len(images) == last["frames_encoded"] > 0
    assert ffprobe_frames(path) == len(images)
    assert last["frames_encoded"] + last["frames_dropped"] == last["frames_presented"]
    assert pts == last["pts_90khz"], "decoded timestamps differ from presentation times"
    assert all(b > a for a, b in zip(pts, pts[1:], strict=False)), "timestamps not increasing"
    return images


@needs("weston-simple-shm", "grim", "ffprobe")
def test_record_from_start_matches_presented_frames_and_screencopy(make_compositor, tmp_path):
    path = tmp_path / "start.mp4"
    comp = make_compositor(args=["--record", str(path), "--record-crf", "12"], **SIZE)
    start_client(comp)
    encoded(comp, 10)
    shots = []
    for i in range(3):
        before = time.monotonic_ns()
        image = comp.screenshot(f"shot{i}")
        shots.append((before, time.monotonic_ns(), image))
        frames = comp.frames()  # the next shot shows another moment of the animation
        wait_for(lambda n=frames: comp.frames() >= n + 10, what="10 more output frames")
    status = comp.ctl_ok("record-status")["current"]
    assert status["encoder"] == "x264"
    last = stop_recording(comp)
    images = check_file(path, last)
    # Every presented frame is in the file, the compositor's own counter agrees.
    assert last["frames_dropped"] == 0, "320x240 must not drop frames"
    assert last["frames_presented"] == last["output_frames"]
    # Timed by the backend's present events (headless: the commit's own time), not guessed.
    assert last["timed_by_present"] == last["frames_presented"]
    # Variable frame rate from real frame times: the animation runs at the output's 60 Hz.
    pts = last["pts_90khz"]
    steps = sorted(b - a for a, b in zip(pts, pts[1:], strict=False))
    assert 0.012 * 90000 < steps[len(steps) // 2] < 0.022 * 90000
    # Each screencopy matches a frame presented while grim was capturing.
    first = last["first_present_ns"]
    for before, after, shot in shots:
        window = [
            img
            for img, p in zip(images, pts, strict=True)
            if before - 20_000_000 <= first + p * 1_000_000_000 // 90000 <= after
        ]
        assert window, "no recorded frame while grim captured"
        reference = as_recorded(shot)
        best = max(psnr(reference, img) for img in window)
        assert best > 38, f"recorded frames differ from the screencopy (PSNR {best:.1f} dB)"
    # The indicator (top-right red square, reported for masking) is exactly in each capture,
    # and in every recorded frame as the capture through the colour path, up to the same
    # encoder loss as above (a missing square scores ~11 dB, a wrong red ~23 dB).
    box = last["indicator"]
    around = box_of(box, margin=4)
    area = (around[0], around[1], around[0] + around[2], around[1] + around[3])
    for _, _, shot in shots:
        assert region_is(shot, box_of(box), INDICATOR)
    reference = as_recorded(shots[-1][2]).crop(area)
    worst = min(psnr(reference, img.crop(area)) for img in images)
    assert worst > 38, f"the indicator differs in a recorded frame (PSNR {worst:.1f} dB)"


@needs("weston-simple-shm", "grim", "ffprobe")
def test_runtime_start_stop_twice_gives_two_files(make_compositor, tmp_path):
    comp = make_compositor(**SIZE)
    start_client(comp)
    assert comp.ctl_ok("record-status")["recording"] is False
    idle = comp.screenshot("idle")
    for n in range(2):
        path = tmp_path / f"run{n}.mp4"
        reply = comp.ctl_ok("record-start", path=str(path), encoder="x264")
        assert reply["encoder"] == "x264"
        refused = comp.ctl("record-start", path=str(tmp_path / "other.mp4"))
        assert not refused["ok"] and "already recording" in refused["error"]
        encoded(comp, 20)
        box = comp.ctl_ok("record-status")["current"]["indicator"]
        # The window does not reach the corner: without a recording, the background there.
        assert region_is(idle, box_of(box, margin=2), BACKGROUND)
        on = comp.screenshot("on")
        assert region_is(on, box_of(box), INDICATOR), "no indicator while recording"
        x, y, w, h = box_of(box, margin=1)
        ring = [(x, y, w, 1), (x, y + h - 1, w, 1), (x, y, 1, h), (x + w - 1, y, 1, h)]
        assert all(region_is(on, r, BACKGROUND) for r in ring), "not just the 12x12 square"
        last = stop_recording(comp)
        check_file(path, last)
        # Stopped (the reply comes after the square's removal): the corner as before.
        off = comp.screenshot("off")
        assert region_is(off, box_of(box, margin=2), BACKGROUND), "the indicator stayed"
    assert comp.ctl("record-stop")["error"] == "not recording"
    assert "recording saved" in comp.log()


def thread_nice_values(comp: CompositorProcess) -> dict[int, int]:
    """Each thread of the compositor and its nice value (field 19 of /proc/TID/stat)."""
    out = {}
    for task in Path(f"/proc/{comp.pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        out[int(task.name)] = int(stat[stat.rindex(")") + 2 :].split()[16])
    return out


def test_the_encoder_runs_below_the_compositor_thread(make_compositor, tmp_path):
    comp = make_compositor(**SIZE)
    start_client(comp)
    base = thread_nice_values(comp)[comp.pid]  # 0, unless the tests run under nice
    lowered = min(base + 10, 19)
    assert set(thread_nice_values(comp).values()) == {base}
    comp.ctl_ok("record-start", path=str(tmp_path / "r.mp4"), encoder="x264")
    encoded(comp, 5)
    nice = thread_nice_values(comp)
    assert nice[comp.pid] == base, "the compositor thread keeps its priority"
    # The worker and the threads libx264 started from it (which inherit its nice value).
    assert lowered > base and lowered in nice.values(), nice
    stop_recording(comp)
    # A joined thread's task can stay listed in /proc for a moment after the join returns.
    wait_for(
        lambda: set(thread_nice_values(comp).values()) == {base},
        timeout=10,
        what="the encoder threads to end",
    )


@needs("weston-simple-shm", "ffprobe")
def test_sigterm_mid_recording_leaves_a_playable_file(make_compositor, tmp_path):
    path = tmp_path / "term.mp4"
    comp = make_compositor(args=["--record", str(path)], **SIZE)
    start_client(comp)
    encoded(comp, 30)
    assert comp.stop(sig=signal.SIGTERM) == 0
    saved = re.search(
        r"recording saved \(the compositor is shutting down\): \S+ \((\d+) frames encoded",
        comp.log(),
    )
    assert saved, "no 'recording saved' line for the shutdown"
    images, pts, _ = decode(path)
    # Every frame the compositor encoded before it exited is in the file, and decodes.
    assert len(images) == int(saved[1]) == ffprobe_frames(path)
    assert len(images) >= 30


def test_progress_line_is_logged(make_compositor, tmp_path):
    comp = make_compositor(args=["--record", str(tmp_path / "progress.mp4")], **SIZE)
    wait_for(lambda: "dropped, encoder" in comp.log(), timeout=5, what="a progress line")
    line = next(x for x in comp.log().splitlines() if "dropped, encoder" in x)
    assert "recording progress.mp4: " in line and " frames, " in line and "MiB" in line


def test_ctrl_alt_r_toggles_a_recording_into_videos(make_compositor, tmp_path):
    home = tmp_path / "home"
    (home / "Videos").mkdir(parents=True)
    comp = make_compositor(env={"HOME": str(home)}, **SIZE)

    def chord() -> None:
        for key in ("Control_L", "Alt_L", "r"):
            comp.ctl_ok("key", key=key, pressed=True)
        for key in ("r", "Alt_L", "Control_L"):
            comp.ctl_ok("key", key=key, pressed=False)

    chord()
    current = wait_for(lambda: comp.ctl_ok("record-status")["current"], what="a recording")
    path = Path(current["path"])
    assert path.parent == home / "Videos" and path.name.startswith("pydrm-")
    wait_for(
        lambda: comp.ctl_ok("record-status")["current"]["frames_encoded"] >= 1, what="a first frame"
    )
    chord()
    wait_for(lambda: not comp.ctl_ok("record-status")["recording"], what="the stop")
    last = comp.ctl_ok("record-status", pts=True)["last"]
    images, pts, _ = decode(path)
    assert len(images) == last["frames_encoded"] >= 1 and pts == last["pts_90khz"]
    assert "recording saved (stopped by key binding)" in comp.log()
