"""Window states: maximized, fullscreen and minimized, from client requests and bindings.

Each check reads what the client was told (its ``toplevel-configure W H STATES`` lines),
what ``views`` reports, and the pixels of a grim screenshot. The output is 640x480 and has
no panels, so the usable area is the whole output. The pointer is never moved over a
window here, so no cursor image is drawn over the pixels compared.
"""

from __future__ import annotations

from tests.conftest import needs
from tests.harness import wait_for
from tests.helpers import client_output, region_is, rgb, solid_window, sync, wait_for_line
from tests.input.test_hit_testing import color_box
from tests.shell.test_layer_shell import BAR, BAR_HEIGHT, start_waybar

WIDTH, HEIGHT = 640, 480
BACKGROUND = (0, 0, 0)
TITLE_BAR = 24  # our title bar's height (tests/shell/test_decorations.py's BAR_HEIGHT)


def keys(comp, *names: str) -> None:
    """A key combination: hold the modifiers, click the last key, let go."""
    *modifiers, key = names
    for name in modifiers:
        comp.ctl_ok("key", key=name, pressed=True)
    comp.ctl_ok("key", key=key)
    for name in reversed(modifiers):
        comp.ctl_ok("key", key=name, pressed=False)


def view_named(comp, app_id: str) -> dict:
    return next(v for v in comp.views() if v["app_id"] == app_id)


def configure_line(proc, width: int, height: int) -> list[str]:
    """The states of the next configure of this size."""
    line = wait_for_line(
        proc, lambda text: text.startswith(f"toplevel-configure {width} {height} ")
    )
    return line.split()[3].split(",")


def wait_for_state(comp, app_id: str, **expected) -> dict:
    def matches():
        view = view_named(comp, app_id)
        return view if all(view[key] == value for key, value in expected.items()) else None

    return wait_for(matches, 5, what=f"{app_id} with {expected}")


def covers_output(comp, color: str) -> bool:
    return region_is(comp.screenshot(), (0, 0, WIDTH, HEIGHT), rgb(color))


def command(proc, text: str) -> None:
    """A request from the client itself (solid_window's stdin commands)."""
    proc.stdin.write(text + "\n")
    proc.stdin.flush()


def test_a_maximize_request_before_mapping_gets_the_output(compositor):
    proc, _ = solid_window(compositor, "4080c0", "test.max", maximize=True)
    # The first configure already says so: the client maps at the maximized size.
    assert "maximized" in configure_line(proc, WIDTH, HEIGHT)
    assert (
        wait_for_line(proc, lambda line: line.startswith("mapped ")) == f"mapped {WIDTH} {HEIGHT}"
    )
    view = wait_for_state(compositor, "test.max", state="maximized", width=WIDTH)
    assert (view["x"], view["y"], view["height"]) == (0, 0, HEIGHT)
    wait_for(lambda: covers_output(compositor, "4080c0"), 5, what="the window to fill the output")
    # Unmaximized without a size of its own before: the client picks its size again.
    command(proc, "unmaximize")
    states = configure_line(proc, 0, 0)
    assert "maximized" not in states
    view = wait_for_state(compositor, "test.max", state="normal", width=200, height=150)
    image = compositor.screenshot()
    assert region_is(image, (view["x"], view["y"], 200, 150), rgb("4080c0"))
    assert region_is(image, (view["x"] + 200, 0, WIDTH - view["x"] - 200, HEIGHT), BACKGROUND)


def test_alt_f10_maximizes_and_restores_size_and_place(compositor):
    proc, before = solid_window(compositor, "c04080", "test.alt-f10")
    sync(proc)
    keys(compositor, "Alt_L", "F10")
    assert "maximized" in configure_line(proc, WIDTH, HEIGHT)
    wait_for_state(compositor, "test.alt-f10", state="maximized", x=0, y=0, width=WIDTH)
    wait_for(lambda: covers_output(compositor, "c04080"), 5, what="the window to fill the output")
    keys(compositor, "Alt_L", "F10")
    assert "maximized" not in configure_line(proc, 200, 150)
    after = wait_for_state(compositor, "test.alt-f10", state="normal", width=200)
    assert (after["x"], after["y"], after["height"]) == (before["x"], before["y"], 150)
    image = compositor.screenshot()
    assert region_is(image, (before["x"], before["y"], 200, 150), rgb("c04080"))
    assert region_is(image, (before["x"] + 200, 0, 10, HEIGHT), BACKGROUND)


def test_fullscreen_covers_the_output_above_other_windows(compositor):
    below, _ = solid_window(compositor, "00ff00", "test.below")
    proc, before = solid_window(compositor, "ff0000", "test.fullscreen", size="300x200")
    # The red window is focused; the green one is below it.
    keys(compositor, "Super_L", "f")
    assert "fullscreen" in configure_line(proc, WIDTH, HEIGHT)
    wait_for_state(compositor, "test.fullscreen", state="fullscreen", x=0, y=0, width=WIDTH)
    wait_for(lambda: covers_output(compositor, "ff0000"), 5, what="red over the whole output")
    # Alone on the output, but in shared memory: composited, and the output says why (the
    # host has no dma-bufs; tests/vm/test_prime_buffers.py scans one out for real).
    wait_for(
        lambda: refusal(compositor) == "the buffer is not a dma-buf (shared memory is composited)",
        10,
        what="the output's reason for not scanning the fullscreen window out",
    )
    # Alt+F11 toggles it back: the old size and place, and the green window shows again.
    keys(compositor, "Alt_L", "F11")
    assert "fullscreen" not in configure_line(proc, 300, 200)
    after = wait_for_state(compositor, "test.fullscreen", state="normal", width=300)
    assert (after["x"], after["y"]) == (before["x"], before["y"])
    image = compositor.screenshot()
    assert color_box(image, "ff0000") == (before["x"], before["y"], 300, 200)
    assert color_box(image, "00ff00") is not None
    lines, _ = sync(below)
    assert not [line for line in lines if line.startswith("toplevel-configure 640")], lines
    wait_for(
        lambda: refusal(compositor) == "the topmost surface does not cover the output exactly",
        10,
        what="the output's reason with two windows shown",
    )


def refusal(comp) -> str | None:
    """Why the output's last composited frame was not a direct scan-out."""
    return comp.ctl_ok("outputs")["outputs"][0]["scanout_refusal"]


def test_fullscreen_request_above_another_window_until_the_client_leaves(compositor):
    _, green = solid_window(compositor, "00ff00", "test.other")
    proc, _ = solid_window(compositor, "ff00ff", "test.fs-request", fullscreen=True)
    assert "fullscreen" in configure_line(proc, WIDTH, HEIGHT)
    wait_for_state(compositor, "test.fs-request", state="fullscreen", width=WIDTH, height=HEIGHT)
    wait_for(lambda: covers_output(compositor, "ff00ff"), 5, what="magenta over the output")
    proc.kill()
    proc.wait(5)
    # Gone: the output shows what was below, and the other window has the focus back.
    wait_for(lambda: len(compositor.views()) == 1, 5, what="the fullscreen view to go")
    assert view_named(compositor, "test.other")["focused"]
    image = compositor.screenshot()
    assert region_is(image, (green["x"], green["y"], 200, 150), rgb("00ff00"))
    assert region_is(image, (green["x"] + 200, 0, 10, HEIGHT), BACKGROUND)


def test_a_fullscreen_window_leaves_the_top_to_a_window_focused_on_its_output(compositor):
    proc, _ = solid_window(compositor, "ff0000", "test.fs")
    command(proc, "fullscreen")
    wait_for_state(compositor, "test.fs", state="fullscreen")
    wait_for(lambda: covers_output(compositor, "ff0000"), 5, what="red over the output")
    # A new window on the same output is focused and shown above it...
    _, blue = solid_window(compositor, "0000ff", "test.new")
    image = compositor.screenshot()
    assert region_is(image, (blue["x"], blue["y"], 200, 150), rgb("0000ff"))
    # ...and focusing the fullscreen one again (Alt+Tab) covers the output again.
    keys(compositor, "Alt_L", "Tab")
    wait_for_state(compositor, "test.fs", focused=True)
    wait_for(lambda: covers_output(compositor, "ff0000"), 5, what="red over the output again")


def test_minimize_hides_and_alt_tab_brings_it_back(compositor):
    other, _ = solid_window(compositor, "00ff00", "test.stays")
    proc, view = solid_window(compositor, "0080ff", "test.min", size="120x90")
    box = (view["x"], view["y"], 120, 90)
    assert region_is(compositor.screenshot(), box, rgb("0080ff"))
    keys(compositor, "Alt_L", "F9")
    wait_for_state(compositor, "test.min", state="minimized", focused=False)
    assert view_named(compositor, "test.stays")["focused"]
    wait_for(
        lambda: color_box(compositor.screenshot(), "0080ff") is None, 5, what="the window to hide"
    )
    keys(compositor, "Alt_L", "Tab")
    wait_for_state(compositor, "test.min", state="normal", focused=True)
    assert region_is(compositor.screenshot(), box, rgb("0080ff"))
    # The client asks itself, and Alt+Tab again brings it back.
    command(proc, "minimize")
    wait_for_state(compositor, "test.min", state="minimized")
    assert color_box(compositor.screenshot(), "0080ff") is None
    keys(compositor, "Alt_L", "Tab")
    wait_for_state(compositor, "test.min", state="normal", focused=True)
    assert region_is(compositor.screenshot(), box, rgb("0080ff"))
    other.kill()
    assert "keyboard-enter" in client_output(other)


@needs("waybar", "grim")
def test_maximized_leaves_the_panel_and_fullscreen_covers_it(compositor, tmp_path):
    start_waybar(compositor, tmp_path)
    proc, _ = solid_window(compositor, "ff8000", "test.panel")
    keys(compositor, "Alt_L", "F10")
    assert "maximized" in configure_line(proc, WIDTH, HEIGHT - BAR_HEIGHT)
    wait_for_state(compositor, "test.panel", x=0, y=BAR_HEIGHT, height=HEIGHT - BAR_HEIGHT)
    wait_for(
        lambda: (
            color_box(compositor.screenshot(), "ff8000")
            == (0, BAR_HEIGHT, WIDTH, HEIGHT - BAR_HEIGHT)
        ),
        5,
        what="the window below the bar",
    )
    assert region_is(compositor.screenshot(), (0, 0, WIDTH, BAR_HEIGHT), rgb(BAR))
    keys(compositor, "Alt_L", "F11")
    assert "fullscreen" in configure_line(proc, WIDTH, HEIGHT)
    wait_for(lambda: covers_output(compositor, "ff8000"), 5, what="the window over the bar")
    # Out of fullscreen, it is maximized again.
    keys(compositor, "Alt_L", "F11")
    assert "maximized" in configure_line(proc, WIDTH, HEIGHT - BAR_HEIGHT)
    wait_for(
        lambda: region_is(compositor.screenshot(), (0, 0, WIDTH, BAR_HEIGHT), rgb(BAR)),
        5,
        what="the bar again",
    )


@needs("foot")
def test_foot_maximized_fills_the_output(compositor):
    argv = ["foot", "--maximized", "--window-size-pixels", "400x300", "--app-id", "test.foot"]
    # foot 1.21 (Debian 13) would round 400x300 down to whole cells; 1.13 ignores the option.
    argv += ["-o", "resize-by-cells=no"]
    compositor.spawn([*argv, "sh", "-c", "sleep 30"])
    compositor.wait_for_view("test.foot", timeout=20)
    view = wait_for_state(compositor, "test.foot", state="maximized")
    # foot 1.13 asks for server-side decorations: the compositor's title bar takes the top.
    assert view["decoration"] == "server"
    box = (0, TITLE_BAR, WIDTH, HEIGHT - TITLE_BAR)
    assert (view["x"], view["y"], view["width"], view["height"]) == box
    # Alt+F10: foot goes back to the size it picks itself (0x0 configure).
    keys(compositor, "Alt_L", "F10")
    view = wait_for_state(compositor, "test.foot", state="normal", width=400, height=300)
    assert (view["x"], view["y"]) != (0, 0)
