"""Renderer choice, screenshots, the overlay and the copy counters on the host (pixman).

The GLES2 side of the same features runs in the VM (tests/vm/test_gl.py): these machines
have no /dev/dri, so here ``auto`` must fall back to pixman and say why.
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from compositor.control import CommandError
from compositor.render.gl import DRM_FORMAT_XBGR8888, DRM_FORMAT_XRGB8888, to_rgb, write_png
from compositor.render.tools import parse_color
from tests.harness import ROOT, wait_for
from tests.helpers import region_is, rgb, solid_window

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
    solid_window(comp, "3366cc", "render.solid", size="120x90")
    time.sleep(0.3)
    reply = comp.ctl_ok("screenshot", path=str(tmp_path / "ours.png"))
    assert (reply["width"], reply["height"], reply["renderer"]) == (320, 240, "pixman")
    ours = Image.open(tmp_path / "ours.png").convert("RGB")
    grim = comp.screenshot("grim")
    assert ours.size == grim.size
    assert ours.tobytes() == grim.tobytes()
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
    solid_window(comp, "3366cc", "render.under", size="300x200")
    box = {"x": 280, "y": 10, "width": 30, "height": 20}
    reply = comp.ctl_ok("overlay", name="rec", color="ff0000", **box)
    assert reply["boxes"]["rec"]["rgba"] == [1.0, 0.0, 0.0, 1.0]
    inside = (282, 12, 26, 16)
    wait_for(lambda: region_is(comp.screenshot("on"), inside, (255, 0, 0)), 5, what="overlay")
    comp.ctl_ok("overlay", name="rec", remove=True)
    wait_for(lambda: not region_is(comp.screenshot("off"), inside, (255, 0, 0)), 5, what="gone")
    assert not comp.ctl("overlay", name="rec", remove=True)["ok"]
    assert not comp.ctl("overlay", name="x", x=0, y=0, width=0, height=5)["ok"]


def test_copy_stats_count_pixman_reads_of_shm_buffers(make_compositor):
    comp = make_compositor(width=320, height=240)
    comp.ctl_ok("copy-stats", reset=True)
    solid_window(comp, "33cc66", "render.stats", size="100x50")
    time.sleep(0.3)
    stats = comp.ctl_ok("copy-stats", reset=True)
    assert stats["renderer"] == "pixman"
    read = stats["paths"]["pixman_read"]
    assert read["commits"] >= 1 and read["bytes"] >= 100 * 50 * 4, read
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
