"""Input matches the picture: the pointer reaches the surface drawn under it, at the
surface-local coordinates of the point it is drawn at.

The places are read from grim screenshots (pixels), never assumed: a window whose window
geometry lies inside its buffer (client-side shadows, as GTK draws them) is found by its
colour, inside a grey border; subsurfaces and popups by theirs. Buttons pair up: the press
and the release go to the same surface (implicit grab), and a press the compositor keeps
keeps its release.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageChops

from tests.helpers import rgb, solid_window, sync, wait_for_line
from tests.input.test_input import drag

BTN_LEFT = 0x110
BORDER = "808080"  # solid_window's colour outside its window geometry
# A buffer of 240x180 whose window geometry is 180x120 at 26,23 (GTK3's shadow offsets).
GEOMETRY = {"size": "240x180", "geometry": "26,23,180,120"}
OFFSET = (26, 23)


def color_box(image: Image.Image, color: str) -> tuple[int, int, int, int] | None:
    """x, y, width, height of the pixels of exactly ``color`` (None when there are none)."""
    bands = [
        band.point(lambda value, wanted=wanted: 255 if value == wanted else 0)
        for band, wanted in zip(image.convert("RGB").split(), rgb(color), strict=True)
    ]
    mask = ImageChops.multiply(ImageChops.multiply(bands[0], bands[1]), bands[2])
    box = mask.getbbox()
    if box is None:
        return None
    left, top, right, bottom = box
    return left, top, right - left, bottom - top


def screenshot_box(comp, color: str) -> tuple[int, int, int, int]:
    """Where ``color`` is on the output, with the pointer parked on the background."""
    comp.ctl_ok("pointer-move", x=630, y=470)
    box = color_box(comp.screenshot(), color)
    assert box is not None, f"no {color} pixels on the output"
    return box


def pointer_line(proc, kind: str) -> tuple[float, float, str]:
    """The client's next ``enter``/``motion`` line as (sx, sy, surface)."""
    words = wait_for_line(proc, lambda line: line.startswith(kind + " ")).split()
    return float(words[1]), float(words[2]), words[3] if len(words) > 3 else ""


def since_last_sync(proc) -> list[str]:
    """The lines the client printed since the previous sync point (see helpers.sync)."""
    lines, _ = sync(proc)
    marks = [i for i, line in enumerate(lines) if line.startswith("synced ")]
    return lines[marks[-1] + 1 :] if marks else lines


def assert_near(got: tuple[float, float], want: tuple[float, float]) -> None:
    assert abs(got[0] - want[0]) <= 1 and abs(got[1] - want[1]) <= 1, (got, want)


def test_window_geometry_offset_is_honoured(compositor):
    proc, _ = solid_window(compositor, "3366cc", "test.geometry", **GEOMETRY)
    x, y, width, height = screenshot_box(compositor, "3366cc")
    assert (width, height) == (180, 120)
    image = compositor.screenshot()
    # The shadow-like border is drawn where the buffer extends past the geometry.
    assert image.getpixel((x - 5, y - 5)) == rgb(BORDER)
    assert image.getpixel((x + width + 5, y + height + 5)) == rgb(BORDER)
    sync(proc)
    compositor.ctl_ok("pointer-move", x=x + 10, y=y + 7)
    sx, sy, surface = pointer_line(proc, "enter")
    assert surface == "window"
    assert_near((sx, sy), (10 + OFFSET[0], 7 + OFFSET[1]))
    compositor.ctl_ok("pointer-move", x=x + 150, y=y + 100)
    assert_near(pointer_line(proc, "motion")[:2], (150 + OFFSET[0], 100 + OFFSET[1]))


def test_a_moved_window_gets_its_own_coordinates(compositor):
    proc, _ = solid_window(compositor, "3366cc", "test.moved", **GEOMETRY)
    x, y, _, _ = screenshot_box(compositor, "3366cc")
    drag(compositor, (x + 60, y + 50), (x + 60 + 170, y + 50 + 90), BTN_LEFT)
    moved_x, moved_y, _, _ = screenshot_box(compositor, "3366cc")
    assert (moved_x, moved_y) == (x + 170, y + 90)
    sync(proc)
    compositor.ctl_ok("pointer-move", x=moved_x + 33, y=moved_y + 44)
    sx, sy, _ = pointer_line(proc, "enter")
    assert_near((sx, sy), (33 + OFFSET[0], 44 + OFFSET[1]))


def test_subsurface_gets_subsurface_local_coordinates(compositor):
    proc, _ = solid_window(compositor, "2040a0", "test.subsurface", subsurface="e0e020", **GEOMETRY)
    x, y, width, height = screenshot_box(compositor, "e0e020")
    assert (width, height) == (60, 40)
    sync(proc)
    compositor.ctl_ok("pointer-move", x=x + 5, y=y + 6)
    sx, sy, surface = pointer_line(proc, "enter")
    assert surface == "subsurface"
    assert_near((sx, sy), (5, 6))
    # Out of the subsurface, back onto the window: its coordinates again.
    window_x, window_y, _, _ = color_box(compositor.screenshot(), "2040a0")
    compositor.ctl_ok("pointer-move", x=window_x + 150, y=window_y + 100)
    sx, sy, surface = pointer_line(proc, "enter")
    assert surface == "window"
    assert_near((sx, sy), (150 + OFFSET[0], 100 + OFFSET[1]))


def test_popup_of_a_popup_gets_its_own_coordinates(compositor):
    proc, _ = solid_window(
        compositor, "303030", "test.popups", popup="ff8000", popup_depth=2, **GEOMETRY
    )
    wait_for_line(proc, lambda line: line == "popup-mapped 2")
    # Both popups are 60x40 and ff8000, the second 30,30 into the first: together they
    # span 90x70, and the second is the bottom-right 60x40 of that.
    x, y, width, height = screenshot_box(compositor, "ff8000")
    assert (width, height) == (90, 70)
    second = (x + width - 60, y + height - 40)
    sync(proc)
    compositor.ctl_ok("pointer-move", x=second[0] + 40, y=second[1] + 30)
    sx, sy, surface = pointer_line(proc, "enter")
    assert surface == "popup-2"
    assert_near((sx, sy), (40, 30))
    compositor.ctl_ok("pointer-move", x=x + 5, y=y + 5)
    sx, sy, surface = pointer_line(proc, "enter")
    assert surface == "popup-1"
    assert_near((sx, sy), (5, 5))


def test_release_goes_to_the_surface_that_got_the_press(compositor):
    first, _ = solid_window(compositor, "ff0000", "test.first")
    second, _ = solid_window(compositor, "00ff00", "test.second")
    red = screenshot_box(compositor, "ff0000")  # the part the green window leaves
    green = screenshot_box(compositor, "00ff00")
    sync(first), sync(second)
    # Press on the red window, drag onto the green one (past the red one's right edge),
    # release there.
    compositor.ctl_ok("pointer-move", x=red[0] + 5, y=red[1] + 5)
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=True)
    outside = (green[0] + green[2] - 5, green[1] + green[3] - 5)
    compositor.ctl_ok("pointer-move", x=outside[0], y=outside[1])
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)
    lines = since_last_sync(first)
    buttons = [line for line in lines if line.startswith("button")]
    assert buttons == ["button 272 1", "button 272 0"], lines
    # While held, the motion past its edge was the red window's, in its coordinates.
    motion = next(line for line in lines if line.startswith("motion"))
    assert float(motion.split()[1]) > 200, motion
    assert lines.index(motion) < lines.index("button 272 0")
    assert lines[-1] == "leave", lines  # the release let the pointer go to the green one
    lines = since_last_sync(second)
    assert not [line for line in lines if line.startswith("button")], lines
    assert [line for line in lines if line.startswith("enter")], lines


def test_a_press_on_the_background_reaches_nobody(compositor):
    proc, view = solid_window(compositor, "3366cc", "test.background")
    sync(proc)
    compositor.ctl_ok("pointer-move", x=600, y=400)
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=True)
    compositor.ctl_ok("pointer-move", x=view["x"] + 20, y=view["y"] + 20)
    lines = since_last_sync(proc)
    assert not [line for line in lines if line.startswith(("enter", "motion"))], lines
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)
    lines = since_last_sync(proc)
    assert not [line for line in lines if line.startswith("button")], lines
    # Released: the window under the pointer has it now.
    assert [line for line in lines if line.startswith("enter")], lines


def test_presses_the_compositor_keeps_keep_their_releases(compositor):
    first, _ = solid_window(compositor, "ff0000", "test.first")
    second, _ = solid_window(compositor, "00ff00", "test.second")
    green = screenshot_box(compositor, "00ff00")
    sync(first), sync(second)
    # Alt + drag from the green window to the red one: a move, no client sees a button.
    start = (green[0] + green[2] - 10, green[1] + green[3] - 10)
    drag(compositor, start, (60, 60), BTN_LEFT)
    # Alt+Tab gives the red window the keyboard: it must not get Tab's release either.
    compositor.ctl_ok("key", key="Alt_L", pressed=True)
    compositor.ctl_ok("key", key="Tab")
    compositor.ctl_ok("key", key="Alt_L", pressed=False)
    for proc in (first, second):
        lines = since_last_sync(proc)
        assert not [line for line in lines if line.startswith("button")], lines
        assert not [line for line in lines if line.startswith("key 15 ")], lines


def test_a_click_reaches_a_window_that_appeared_under_a_still_pointer(compositor):
    compositor.ctl_ok("pointer-move", x=100, y=100)  # where the first window will map
    proc, view = solid_window(compositor, "3366cc", "test.under")
    assert view["x"] < 100 < view["x"] + view["width"]
    compositor.ctl_ok("pointer-button", button=BTN_LEFT)
    lines = since_last_sync(proc)
    assert [line for line in lines if line.startswith("button")] == [
        "button 272 1",
        "button 272 0",
    ], lines
    enter = next(line for line in lines if line.startswith("enter"))
    assert_near(tuple(map(float, enter.split()[1:3])), (100 - view["x"], 100 - view["y"]))


def _pydrm_ctl(comp, *args: str) -> subprocess.CompletedProcess:
    ctl = Path(sys.executable).with_name("pydrm-ctl")
    command = [str(ctl)] if ctl.exists() else [sys.executable, "-m", "compositor.control_client"]
    return subprocess.run(
        [*command, "--socket", str(comp.control_path), *args],
        capture_output=True,
        text=True,
        timeout=30,
        env=comp.client_env(),
    )


def test_pydrm_ctl_key_and_button_default_to_a_click(compositor):
    proc, view = solid_window(compositor, "3366cc", "test.click")
    wait_for_line(proc, lambda line: line == "keyboard-enter")
    compositor.ctl_ok("pointer-move", x=view["x"] + 20, y=view["y"] + 20)
    sync(proc)
    assert _pydrm_ctl(compositor, "key", "key=Return").returncode == 0
    assert _pydrm_ctl(compositor, "pointer-button", "button=272").returncode == 0
    lines = since_last_sync(proc)
    keys = [line for line in lines if line.startswith("key ")]
    assert keys == ["key 28 1", "key 28 0"], lines
    buttons = [line for line in lines if line.startswith("button ")]
    assert buttons == ["button 272 1", "button 272 0"], lines
    # pressed= still sends one half only; a bad value is an error.
    assert _pydrm_ctl(compositor, "key", "key=a", "pressed=true").returncode == 0
    assert _pydrm_ctl(compositor, "key", "key=a", "pressed=false").returncode == 0
    lines = since_last_sync(proc)
    assert [line for line in lines if line.startswith("key ")] == ["key 30 1", "key 30 0"]
    reply = compositor.ctl("key", key="a", pressed="maybe")
    assert not reply["ok"] and "pressed" in reply["error"]
