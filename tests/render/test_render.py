"""Renderer choice, screenshots, the overlay and the copy counters on the host (pixman).

The GLES2 side of the same features runs in the VM (tests/vm/test_gl.py): these machines
have no /dev/dri, so here ``auto`` must fall back to pixman and say why.
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from compositor.control import CommandError
from compositor.render.gl import DRM_FORMAT_XBGR8888, DRM_FORMAT_XRGB8888, to_rgb, write_png
from compositor.render.tools import parse_color
from tests.harness import ROOT
from tests.helpers import region_is, rgb, solid_window, sync
from tests.waiting import wait_for

no_render_node = pytest.mark.skipif(
    bool(glob.glob("/dev/dri/renderD*")), reason="this machine has a DRM render node"
)


@no_render_node
def test_auto_falls_back_to_pixman_and_says_why(make_compositor):
    comp = make_compositor(args=["--renderer", "auto"])
    assert comp.ctl_ok("ping")["renderer"] == "pixman"
    assert "pixman (CPU) because GLES2 is unavailable: no DRM render node" in comp.log()


@no_render_node
def test_gles2_without_a_render_node_fails_with_advice(tmp_path: Path):
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path)}
    env.pop("WAYLAND_DISPLAY", None)
    proc = subprocess.run(
        [sys.executable, "-m", "compositor", "--backend", "headless", "--renderer", "gles2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "--renderer pixman" in proc.stderr, proc.stderr[-2000:]


def test_screenshot_command_equals_grim(make_compositor, tmp_path: Path):
    comp = make_compositor(width=320, height=240)
    proc, view = solid_window(comp, "3366cc", "render.solid", size="120x90")
    sync(proc)  # the client's configure/commit sequence is over: the scene stays as it is
    reply = comp.ctl_ok("screenshot", path=str(tmp_path / "ours.png"))
    assert (reply["width"], reply["height"], reply["renderer"]) == (320, 240, "pixman")
    ours = Image.open(tmp_path / "ours.png").convert("RGB")
    grim = comp.screenshot("grim")
    assert ours.size == grim.size
    assert ours.tobytes() == grim.tobytes()
    assert region_is(ours, (view["x"], view["y"], 120, 90), rgb("3366cc"))  # not just black
    stats = comp.ctl_ok("copy-stats")["paths"]["readback"]
    assert stats["copies"] == 1 and stats["bytes"] == 320 * 240 * 4


def test_screenshot_errors_say_what_to_pass(compositor, tmp_path: Path):
    missing = compositor.ctl("screenshot")
    assert not missing["ok"] and "path=" in missing["error"]
    bad_dir = compositor.ctl("screenshot", path=str(tmp_path / "nope" / "x.png"))
    assert not bad_dir["ok"] and "not a directory" in bad_dir["error"]
    bad_output = compositor.ctl("screenshot", path=str(tmp_path / "x.png"), output="DP-9")
    assert not bad_output["ok"] and "HEADLESS-1" in bad_output["error"]


def test_overlay_box_shows_in_grim_and_goes(make_compositor):
    comp = make_compositor(width=320, height=240)
    proc, _ = solid_window(comp, "3366cc", "render.under", size="300x200")
    sync(proc)
    box = {"x": 280, "y": 10, "width": 30, "height": 20}
    area = (box["x"], box["y"], box["x"] + box["width"], box["y"] + box["height"])
    under = comp.screenshot("under").crop(area)
    assert len(under.getcolors()) == 2  # the window's edge and the background: a real check
    reply = comp.ctl_ok("overlay", name="rec", color="ff0000", **box)
    assert reply["boxes"]["rec"]["rgba"] == [1.0, 0.0, 0.0, 1.0]
    # Exactly the box, on top of everything (the scene renders synchronously: no waiting).
    assert region_is(comp.screenshot("on"), (280, 10, 30, 20), (255, 0, 0))
    comp.ctl_ok("overlay", name="rec", remove=True)
    # Gone: the pixels under it are back, exactly as they were.
    assert comp.screenshot("off").crop(area).tobytes() == under.tobytes()
    assert not comp.ctl("overlay", name="rec", remove=True)["ok"]
    assert not comp.ctl("overlay", name="x", x=0, y=0, width=0, height=5)["ok"]


def test_copy_stats_count_pixman_reads_of_shm_buffers(make_compositor):
    comp = make_compositor(width=320, height=240)
    comp.ctl_ok("copy-stats", reset=True)
    proc, _ = solid_window(comp, "33cc66", "render.stats", size="100x50")
    _, commits = sync(proc)  # the compositor has handled every commit the client made
    assert commits >= 1
    # Each commit is a new buffer, read whole when a frame composites it: exactly the
    # client's commits, in bytes too (counted at the frame, which follows the commit).
    wait_for(
        lambda: comp.ctl_ok("copy-stats")["paths"]["pixman_read"]["bytes"] == commits * 20000,
        10,
        what="the frame that reads the last commit",
    )
    stats = comp.ctl_ok("copy-stats", reset=True)
    assert stats["renderer"] == "pixman"
    read = stats["paths"]["pixman_read"]
    assert (read["commits"], read["full"], read["bytes"]) == (commits, commits, commits * 20000)
    assert stats["paths"]["shm_upload"]["copies"] == 0
    assert stats["client_cpu_copies"] == 0
    assert comp.ctl_ok("copy-stats")["paths"]["pixman_read"]["commits"] == 0  # reset


def test_to_rgb_and_png_roundtrip(tmp_path: Path):
    # Two pixels: red then blue, in each byte order wlroots can read back.
    xrgb = bytes([0, 0, 255, 0, 255, 0, 0, 0])
    xbgr = bytes([255, 0, 0, 0, 0, 0, 255, 0])
    assert to_rgb(xrgb, DRM_FORMAT_XRGB8888) == bytes([255, 0, 0, 0, 0, 255])
    assert to_rgb(xbgr, DRM_FORMAT_XBGR8888) == bytes([255, 0, 0, 0, 0, 255])
    write_png(tmp_path / "t.png", 2, 1, to_rgb(xrgb, DRM_FORMAT_XRGB8888))
    img = Image.open(tmp_path / "t.png").convert("RGB")
    assert [img.getpixel((0, 0)), img.getpixel((1, 0))] == [rgb("ff0000"), rgb("0000ff")]


def test_parse_color():
    assert parse_color("ff0000") == (1.0, 0.0, 0.0, 1.0)
    assert parse_color("#00ff0080")[1:] == pytest.approx((128 / 255, 0.0, 128 / 255))
    for bad in ("red", "12345", "gg0000"):
        with pytest.raises(CommandError):
            parse_color(bad)
