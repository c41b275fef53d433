"""Protocols sway 1.10 offers that wlroots 0.15 lacks, each implemented in C
(compositor/ffi/csrc/<protocol>.c) and checked with tests/clients/wp_window.py (pywayland's
bindings) or a real client: single-pixel buffers drawn, content type in ``views``,
fractional scale (180 on an output at 1.5, and a buffer of that size shown sharp), cursor
shapes in a capture, ext-idle-notify with inhibitors and with swayidle 1.8.
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import needs
from tests.helpers import pixels, region_is, solid_window, wait_for_line
from tests.input.test_pointer_constraints import input_window
from tests.waiting import wait_for


def wp_window(comp, app_id: str, *options: str, size: str = "200x150"):
    """tests/clients/wp_window.py; returns (process, view) once it is mapped."""
    argv = [sys.executable, "-m", "tests.clients.wp_window", "--app-id", app_id]
    proc = comp.spawn([*argv, "--size", size, *options], text=True, stdin=subprocess.PIPE)
    return proc, comp.wait_for_view(app_id)


def inside(view: dict, margin: int = 2, scale: float = 1.0) -> tuple[int, int, int, int]:
    """The view's box less a margin, in the capture's pixels (an output's scale)."""
    x, y = round(view["x"] * scale), round(view["y"] * scale)
    width, height = round(view["width"] * scale), round(view["height"] * scale)
    return x + margin, y + margin, width - 2 * margin, height - 2 * margin


def test_single_pixel_buffers_are_drawn_at_the_viewport_size(compositor):
    # 322x330: sizes whose inverse scale pixman rounds up (see the edges below).
    _, opaque = wp_window(compositor, "test.pixel", "--single-pixel", "ff8000ff", size="322x330")
    # Premultiplied green at half alpha, over the black background.
    _, translucent = wp_window(compositor, "test.half", "--single-pixel", "00400080", size="100x80")
    assert (opaque["width"], opaque["height"]) == (322, 330)
    assert (translucent["width"], translucent["height"]) == (100, 80)
    image = compositor.screenshot()
    # Edges included: pixman samples a stretched 1x1 texture past its edge unless told to
    # repeat it (the last rows came out transparent).
    assert region_is(image, inside(opaque, margin=0), (255, 128, 0))
    assert region_is(image, inside(translucent, margin=0), (0, 64, 0), tolerance=1)


def test_content_type_is_shown_in_views(compositor):
    wp_window(compositor, "test.video", "--content-type", "video")
    wp_window(compositor, "test.game", "--content-type", "game")
    solid_window(compositor, "3366cc", "test.plain")
    types = {v["app_id"]: v["content_type"] for v in compositor.views()}
    assert types == {"test.video": "video", "test.game": "game", "test.plain": "none"}


@needs("wlr-randr")
def test_fractional_scale_is_the_outputs_and_its_buffer_is_shown_sharp(compositor):
    result = compositor.run_client(["wlr-randr", "--output", "HEADLESS-1", "--scale", "1.5"])
    assert result.returncode == 0, result.stderr
    proc, view = wp_window(compositor, "test.scaled", "--fractional-scale")
    wait_for_line(proc, lambda line: line == "preferred-scale 180")
    wait_for_line(proc, lambda line: line == "drawn-scaled 300 225")
    # The view stays 200x150 (wp_viewport); on the output it is 300x225 pixels, each
    # column of the buffer one pixel: black and white alternate exactly (a 200x150 buffer
    # stretched 1.5 times would not).
    wait_for(lambda: compositor.views()[0]["width"] == 200, 10, what="the view's size")
    x, y, width, height = inside(compositor.views()[0], margin=0, scale=1.5)
    image = compositor.screenshot()
    row = [image.getpixel((x + i, y + height // 2)) for i in range(width)]
    black, white = (0, 0, 0), (255, 255, 255)
    assert row == [black if i % 2 == 0 else white for i in range(width)]
    # Another scale: told again.
    compositor.run_client(["wlr-randr", "--output", "HEADLESS-1", "--scale", "2"])
    wait_for_line(proc, lambda line: line == "preferred-scale 240")
    wait_for_line(proc, lambda line: line == "drawn-scaled 400 300")


def test_cursor_shape_changes_the_cursor_image(compositor):
    _, plain = solid_window(compositor, "3366cc", "test.plain", size="200x200")
    proc, shaped = wp_window(
        compositor, "test.shaped", "--color", "3366cc", "--cursor-shape", "crosshair",
        size="200x200",
    )  # fmt: skip
    assert not (plain["x"] < shaped["x"] + 200 and shaped["x"] < plain["x"] + 200) or not (
        plain["y"] < shaped["y"] + 200 and shaped["y"] < plain["y"] + 200
    ), "the windows overlap"

    def cursor_at(view: dict):
        x, y = view["x"] + 100, view["y"] + 100
        compositor.ctl_ok("pointer-move", x=x, y=y)
        return compositor.screenshot().crop((x - 24, y - 24, x + 24, y + 24))

    def drawn(crop) -> int:
        return sum(1 for pixel in pixels(crop) if pixel != (0x33, 0x66, 0xCC))

    # Over the background first: our own image (left_ptr), which stays over a client that
    # sets none.
    free = next(
        (x, y)
        for x in range(0, 640, 20)
        for y in range(0, 480, 20)
        if not any(
            v["x"] <= x < v["x"] + 200 and v["y"] <= y < v["y"] + 200 for v in (plain, shaped)
        )
    )
    compositor.ctl_ok("pointer-move", x=free[0], y=free[1])
    arrow = cursor_at(plain)
    assert drawn(arrow) > 20, "no cursor drawn"
    cursor_at(shaped)
    wait_for_line(proc, lambda line: line == "shape-set crosshair")
    wait_for(
        lambda: (
            compositor.ctl_ok("input-protocols")["pointer_motion"]["cursor_shape"] == "crosshair"
        ),
        10,
        what="the shape",
    )
    crosshair = cursor_at(shaped)
    assert drawn(crosshair) > 20 and list(pixels(arrow)) != list(pixels(crosshair))
    assert compositor.ctl_ok("input-protocols")["pointer_motion"]["cursor_shapes"] == 1


def test_idle_notifications_follow_input_and_inhibitors(compositor):
    proc, view = wp_window(compositor, "test.idle", "--idle-notify", "300")
    wait_for_line(proc, lambda line: line == "idled")
    compositor.ctl_ok("pointer-move", x=view["x"] + 5, y=view["y"] + 5)
    wait_for_line(proc, lambda line: line == "resumed")
    wait_for_line(proc, lambda line: line == "idled")
    compositor.ctl_ok("key", key="Shift_L")
    wait_for_line(proc, lambda line: line == "resumed")
    timers = compositor.ctl_ok("idle")["timers"]
    assert {"timeout_ms": 300, "idle": False, "running": True} in timers or {
        "timeout_ms": 300, "idle": True, "running": True
    } in timers  # fmt: skip
    # A drawn surface with an idle inhibitor: no idle while it shows.
    inhibitor, _ = input_window(compositor, "test.video", "--idle-inhibit")
    wait_for(lambda: compositor.ctl_ok("idle")["inhibited"], 10, what="inhibition")
    mark = f"m{len(proc._line_reader.seen)}"
    proc.stdin.write(f"sync {mark}\n")
    proc.stdin.flush()
    wait_for_line(proc, lambda line: line == f"synced {mark}")
    seen = len(proc._line_reader.seen)
    import time

    time.sleep(1.0)
    proc.stdin.write("sync late\n")
    proc.stdin.flush()
    wait_for_line(proc, lambda line: line == "synced late")
    assert "idled" not in proc._line_reader.seen[seen:]
    inhibitor.kill()
    wait_for_line(proc, lambda line: line == "idled", timeout=10)


@needs("swayidle")
def test_swayidle_uses_ext_idle_notify(compositor, tmp_path):
    log = tmp_path / "swayidle.log"
    compositor.spawn(["swayidle", "-w", "timeout", "1", f"echo idle >> {log}"])
    wait_for(lambda: log.exists() and "idle" in log.read_text(), 10, what="swayidle's idle")
    clients = compositor.ctl_ok("clients")["clients"]
    swayidle = next(c for c in clients if "swayidle" in (c["exe"] or ""))
    assert "ext_idle_notifier_v1" in swayidle["globals"]
    # Its timer is an ext_idle_notification_v1, not a kde one.
    assert swayidle["objects"].get("ext_idle_notification_v1") == 1
    assert "org_kde_kwin_idle_timeout" not in swayidle["objects"]
