"""Where windows go, and where they are moved back to: title bars count, panels that come
later push windows down, and an output made smaller (a scale, a mode) or removed leaves no
window out of reach. Expected positions are computed here from what ``views``, ``layers``
and ``outputs`` report, and checked in pixels where a title bar could hide a window."""

from __future__ import annotations

from tests.conftest import needs
from tests.helpers import region_is, rgb
from tests.input.test_input import drag
from tests.shell.test_decorations import decorated
from tests.shell.test_layer_shell import BAR_HEIGHT, start_waybar, wait_for_layer
from tests.waiting import wait_for

BTN_LEFT = 0x110


def view(comp, app_id: str) -> dict:
    return next(v for v in comp.views() if v["app_id"] == app_id)


def bar_height(comp) -> int:
    """The title bar's height, measured: the rows above the focused window's geometry in
    its bar colour (whatever colour that is: the pixel right above the window)."""
    focused = next(v for v in comp.views() if v["focused"])
    comp.ctl_ok("pointer-move", x=630, y=470)
    shot = comp.screenshot("bar")
    x = focused["x"] + 4
    color = shot.getpixel((x, focused["y"] - 1))
    rows = 0
    while focused["y"] - rows - 1 >= 0 and shot.getpixel((x, focused["y"] - rows - 1)) == color:
        rows += 1
    return rows


def test_title_bars_count_in_placement(compositor):
    """Two wide decorated windows must stack: the second's title bar does not cover the
    first window (with bars not counted it lay over the first's bottom rows)."""
    first, a, _ = decorated(compositor, "3366cc", "test.a", size="560x150")
    second, b, _ = decorated(compositor, "cc6633", "test.b", size="560x150")
    bar = bar_height(compositor)
    assert bar > 0
    assert a["y"] - bar >= 0 and b["y"] - bar >= 0  # both bars on the output
    assert b["y"] - bar >= a["y"] + a["height"] or a["y"] - bar >= b["y"] + b["height"]
    compositor.ctl_ok("pointer-move", x=630, y=470)
    shot = compositor.screenshot("stacked")
    assert region_is(shot, (a["x"], a["y"], a["width"], a["height"]), rgb("3366cc"))


@needs("waybar")
def test_a_panel_that_comes_later_moves_windows_below_it(compositor, tmp_path):
    proc, before, _ = decorated(compositor, "3366cc", "test.a")
    bar = bar_height(compositor)
    assert before["y"] - bar < BAR_HEIGHT  # its title bar is where the panel will be
    start_waybar(compositor, tmp_path)
    wait_for_layer(compositor, "waybar")
    usable = compositor.ctl_ok("layers")["usable"]["HEADLESS-1"]
    assert usable["y"] == BAR_HEIGHT
    wait_for(
        lambda: view(compositor, "test.a")["y"] - bar == usable["y"],
        10,
        what="the window's title bar just below the panel",
    )
    assert view(compositor, "test.a")["x"] == before["x"]


@needs("wlr-randr")
def test_a_window_off_a_scaled_output_comes_back(compositor):
    """At scale 2 a 640x480 output is 320x240 in the layout: a window at x=400 would be
    out of reach; it is moved back in."""
    proc, a, _ = decorated(compositor, "3366cc", "test.a", size="100x80")
    start = (a["x"] + 50, a["y"] + 40)
    drag(compositor, start, (start[0] + 420 - a["x"], start[1] + 300 - a["y"]), BTN_LEFT)
    wait_for(lambda: view(compositor, "test.a")["x"] == 420, 10, what="the window moved")
    result = compositor.run_client(["wlr-randr", "--output", "HEADLESS-1", "--scale", "2"])
    assert result.returncode == 0, result.stderr

    def inside() -> bool:
        v = view(compositor, "test.a")
        return v["x"] + v["width"] <= 320 and v["y"] + v["height"] <= 240 and v["x"] >= 0

    wait_for(inside, 10, what="the window back inside the 320x240 layout")
    v = view(compositor, "test.a")
    assert (v["x"], v["y"]) == (320 - 100, 240 - 80)


def test_a_window_of_a_removed_output_comes_to_the_one_left(make_compositor):
    comp = make_compositor(args=["--outputs", "2"])
    proc, a, _ = decorated(comp, "3366cc", "test.a", size="100x80")
    start = (a["x"] + 50, a["y"] + 40)
    drag(comp, start, (700, 200), BTN_LEFT)  # onto the second output (x 640..1279)
    wait_for(lambda: view(comp, "test.a")["x"] >= 640, 10, what="the window on output 2")
    comp.ctl_ok("output-remove", name="HEADLESS-2")

    def back() -> bool:
        v = view(comp, "test.a")
        return 0 <= v["x"] and v["x"] + v["width"] <= 640

    wait_for(back, 10, what="the window on the remaining output")
