"""Injected input (headless pointer and keyboard) takes the real path: cursor -> seat -> client.

Covers focus on click, raise, keyboard focus, interactive move and resize with Alt + drag,
compositor key bindings, and a key typed into a real terminal (foot).
"""

from __future__ import annotations

from tests.conftest import needs
from tests.harness import wait_for
from tests.helpers import (
    foot_reading_a_line,
    pixels,
    region_is,
    rgb,
    solid_window,
    sync,
    wait_for_line,
)

BTN_LEFT, BTN_RIGHT = 0x110, 0x111


def drag(comp, start, end, button, modifier="Alt_L", steps=5):
    comp.ctl_ok("pointer-move", x=start[0], y=start[1])
    comp.ctl_ok("key", key=modifier, pressed=True)
    comp.ctl_ok("pointer-button", button=button, pressed=True)
    for i in range(1, steps + 1):
        comp.ctl_ok(
            "pointer-move",
            x=start[0] + (end[0] - start[0]) * i / steps,
            y=start[1] + (end[1] - start[1]) * i / steps,
        )
    comp.ctl_ok("pointer-button", button=button, pressed=False)
    comp.ctl_ok("key", key=modifier, pressed=False)


def view_named(comp, app_id):
    return next(v for v in comp.views() if v["app_id"] == app_id)


def test_click_focuses_and_raises_and_reaches_the_client(compositor):
    # 400x300 each on 640x480: the second cannot avoid covering part of the first.
    red_proc, red = solid_window(compositor, "ff0000", "test.red", size="400x300")
    _, green = solid_window(compositor, "00ff00", "test.green", size="400x300")
    assert view_named(compositor, "test.green")["focused"]
    # Click on a part of the red window that the green one does not cover.
    compositor.ctl_ok("pointer-move", x=red["x"] + 5, y=red["y"] + 5)
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=True)
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)
    assert wait_for_line(red_proc, lambda line: line.startswith("button 272 1"))
    views = compositor.views()
    assert views[-1]["app_id"] == "test.red" and views[-1]["focused"]
    image = compositor.screenshot()
    # Red is now on top where the two overlap.
    assert image.getpixel((green["x"] + 5, green["y"] + 5)) == (255, 0, 0)


def test_alt_drag_moves_a_window(compositor):
    _, view = solid_window(compositor, "3366cc", "test.move")
    start = (view["x"] + 50, view["y"] + 40)
    drag(compositor, start, (start[0] + 150, start[1] + 90), BTN_LEFT)
    moved = view_named(compositor, "test.move")
    assert (moved["x"], moved["y"]) == (view["x"] + 150, view["y"] + 90)
    image = compositor.screenshot()
    assert region_is(image, (moved["x"], moved["y"], 200, 150), rgb("3366cc"))
    # The old top-left corner is background again.
    assert image.getpixel((view["x"] + 1, view["y"] + 1)) == (0, 0, 0)


def test_alt_right_drag_resizes_a_window(compositor):
    proc, view = solid_window(compositor, "cc9900", "test.resize")
    # Grab near the bottom-right corner, so that corner follows the pointer.
    start = (view["x"] + 190, view["y"] + 140)
    drag(compositor, start, (start[0] + 100, start[1] + 60), BTN_RIGHT)
    assert wait_for_line(proc, lambda line: line == "configure 300 210")
    resized = wait_for(
        lambda: (v := view_named(compositor, "test.resize"))["width"] == 300 and v,
        5,
        what="the new size",
    )
    assert (resized["x"], resized["y"], resized["height"]) == (view["x"], view["y"], 210)
    image = compositor.screenshot()
    assert region_is(image, (resized["x"], resized["y"], 300, 210), rgb("cc9900"))


def test_keys_reach_the_focused_client_only(compositor):
    first, _ = solid_window(compositor, "ff0000", "test.first")
    second, _ = solid_window(compositor, "00ff00", "test.second")
    wait_for_line(second, lambda line: line == "keyboard-enter")
    compositor.ctl_ok("key", key="a", pressed=True)
    compositor.ctl_ok("key", key="a", pressed=False)
    assert wait_for_line(second, lambda line: line == "key 30 1")
    assert wait_for_line(second, lambda line: line == "key 30 0")
    # A sync marker from the unfocused client: a key sent to it would have come before.
    lines, _ = sync(first)
    assert "keyboard-leave" in lines, lines
    assert not [line for line in lines if line.startswith("key ")], lines


def test_alt_f4_closes_the_focused_window(compositor):
    proc, _ = solid_window(compositor, "ff00ff", "test.close")
    compositor.ctl_ok("key", key="Alt_L", pressed=True)
    compositor.ctl_ok("key", key="F4", pressed=True)
    compositor.ctl_ok("key", key="F4", pressed=False)
    compositor.ctl_ok("key", key="Alt_L", pressed=False)
    assert wait_for_line(proc, lambda line: line == "close")
    assert proc.wait(5) == 0  # the client's own exit on close, not a crash
    wait_for(lambda: not compositor.views(), 5, what="the view to go away")


@needs("foot")
def test_typed_text_reaches_a_real_terminal(compositor, tmp_path):
    out = foot_reading_a_line(compositor, tmp_path)
    compositor.ctl_ok("type", text="Hello wayland-42\n")
    wait_for(out.exists, 10, what="foot's shell to write the typed line")
    assert out.read_text().strip() == "Hello wayland-42"


def test_keyboard_repeat_info_is_sent(compositor):
    proc, _ = solid_window(compositor, "102030", "test.repeat")
    # 25 keys per second after 600 ms: clients repeat keys themselves with these.
    assert wait_for_line(proc, lambda line: line.startswith("repeat-info")) == "repeat-info 25 600"


def test_cursor_image_is_drawn_where_the_pointer_is(compositor):
    def lit_near(image, x, y):
        crop = image.crop((x - 4, y - 4, x + 30, y + 40))
        return sum(1 for p in pixels(crop) if max(p) > 0)

    def screenshot_with_cursor_at(x, y):
        image = compositor.screenshot()
        return image if lit_near(image, x, y) > 30 else None

    # The background is black; only the cursor theme's arrow can light these pixels.
    # (Headless outputs have no cursor plane: wlroots draws the cursor into the frame.)
    compositor.ctl_ok("pointer-move", x=300, y=200)
    image = wait_for(lambda: screenshot_with_cursor_at(300, 200), 5, what="cursor at 300,200")
    assert lit_near(image, 100, 100) == 0
    compositor.ctl_ok("pointer-move", x=100, y=100)
    image = wait_for(lambda: screenshot_with_cursor_at(100, 100), 5, what="cursor at 100,100")
    assert lit_near(image, 300, 200) == 0


def test_each_seat_operation_holds_while_its_buttons_do(compositor):
    """input/seatops.py: a press on a window holds it (the implicit grab), Alt + left moves,
    Alt + right resizes; the last release passes the pointer through again, and only then
    does motion go back to the C path (no Python per motion)."""
    _, view = solid_window(compositor, "3366cc", "test.seatops", size="300x200")
    inside = (view["x"] + 150, view["y"] + 100)

    def seat_op() -> str:
        return compositor.ctl_ok("input-protocols")["seat_op"]

    def motion_counts() -> tuple[int, int]:
        motion = compositor.ctl_ok("input-protocols")["pointer_motion"]
        return motion["motions_c"], motion["motions_python"]

    compositor.ctl_ok("pointer-move", x=inside[0], y=inside[1])
    assert seat_op() == "passthrough"
    for modifier, button, held in (
        (None, BTN_LEFT, "button-held"),
        ("Alt_L", BTN_LEFT, "move"),
        ("Alt_L", BTN_RIGHT, "resize"),
    ):
        if modifier:
            compositor.ctl_ok("key", key=modifier, pressed=True)
        compositor.ctl_ok("pointer-button", button=button, pressed=True)
        assert seat_op() == held
        c_before, python_before = motion_counts()
        compositor.ctl_ok("pointer-move", x=inside[0] + 3, y=inside[1] + 2)
        assert motion_counts() == (c_before, python_before + 1), f"{held}: Python takes motion"
        compositor.ctl_ok("pointer-button", button=button, pressed=False)
        if modifier:
            compositor.ctl_ok("key", key=modifier, pressed=False)
        assert seat_op() == "passthrough"
        c_before, python_before = motion_counts()
        compositor.ctl_ok("pointer-move", x=inside[0], y=inside[1])
        assert motion_counts() == (c_before + 1, python_before), f"after {held}: C again"
        inside = (view_named(compositor, "test.seatops")["x"] + 150, inside[1])
