"""Recording errors are clear and lose nothing: bad paths, a full disk, a forced VA-API."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from compositor.recorder import vaapi_probe
from tests.conftest import needs
from tests.harness import CompositorError, CompositorProcess, wait_for
from tests.recorder.test_recorder import SIZE, decode, start_client

# Whether VA-API is there is a fact of the machine, not of the compositor's answer: skipping
# on the answer would let a compositor that wrongly accepts (or says nothing) pass.
without_render_node = pytest.mark.skipif(
    bool(vaapi_probe.render_nodes()),
    reason="render nodes exist here: whether VA-API works depends on the driver",
)


def no_vaapi_reason() -> str:
    return vaapi_probe.probe().reason


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 192 KiB tmpfs: a few seconds of lossless 320x240 video fill it."""
    mount = tmp_path / "full"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=192k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(reason=f"cannot mount a tmpfs (needs root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@needs("weston-simple-shm")
def test_disk_full_keeps_a_playable_prefix_and_the_compositor(make_compositor, small_tmpfs):
    path = small_tmpfs / "full.mp4"
    comp = make_compositor(args=["--record", str(path), "--record-crf", "0"], **SIZE)
    start_client(comp)
    wait_for(
        lambda: not comp.ctl_ok("record-status")["recording"],
        timeout=30,
        what="the recording to stop on a full disk",
    )
    last = comp.ctl_ok("record-status", pts=True)["last"]
    assert "the disk is full" in last["error"]
    assert "the disk is full" in comp.log() and "stays playable" in comp.log()
    # The compositor keeps running and serving clients.
    assert comp.ctl_ok("ping")["ok"] and comp.alive()
    frames = comp.frames()
    wait_for(lambda: comp.frames() > frames + 5, what="frames after the disk filled up")
    images, pts, _ = decode(path)
    assert len(images) >= 10, "the fragments written before the disk filled must decode"
    assert pts == last["pts_90khz"][: len(pts)]
    # A new recording elsewhere works.
    other = small_tmpfs.parent / "after.mp4"
    comp.ctl_ok("record-start", path=str(other))
    wait_for(
        lambda: comp.ctl_ok("record-status")["current"]["frames_encoded"] > 5,
        what="frames in the second recording",
    )
    assert comp.ctl_ok("record-stop")["last"]["error"] is None


def test_unwritable_path_is_refused_with_a_reason(compositor, tmp_path):
    reply = compositor.ctl("record-start", path="/proc/nope/x.mp4")
    assert not reply["ok"] and "cannot write /proc/nope/x.mp4" in reply["error"]
    assert "choose a writable" in reply["error"]
    reply = compositor.ctl("record-start", path=str(tmp_path / "x.avi"))
    assert not reply["ok"] and "ending in .mp4" in reply["error"]
    assert compositor.ctl_ok("record-status")["recording"] is False


@without_render_node
def test_forced_vaapi_without_hardware_says_why(compositor, tmp_path):
    reply = compositor.ctl("record-start", path=str(tmp_path / "v.mp4"), encoder="vaapi")
    assert not reply["ok"], reply
    assert reply["error"] == f"VA-API encoder unavailable: {no_vaapi_reason()}"
    assert compositor.ctl_ok("record-status")["recording"] is False


@without_render_node
def test_forced_vaapi_at_startup_exits_with_the_reason(tmp_path):
    comp = CompositorProcess(
        tmp_path / "c",
        args=["--record", str(tmp_path / "v.mp4"), "--record-encoder", "vaapi"],
        **SIZE,
    )
    with pytest.raises(CompositorError) as failed:
        comp.start(timeout=10)
    assert f"VA-API encoder unavailable: {no_vaapi_reason()}" in str(failed.value)
    assert comp.proc.returncode == 1 and "Traceback" not in comp.log()


@without_render_node
def test_auto_encoder_logs_why_vaapi_is_not_used(make_compositor, tmp_path):
    comp = make_compositor(args=["--record", str(tmp_path / "a.mp4")], **SIZE)
    wait_for(lambda: "recording:" in comp.log(), what="the encoder choice in the log")
    assert f"recording: VA-API unavailable ({no_vaapi_reason()}); using x264" in comp.log()
    current = comp.ctl_ok("record-status")["current"]
    assert current["path"].endswith("a.mp4") and current["encoder"] == "x264"
