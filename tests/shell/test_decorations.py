"""Decorations: who draws the title bar, and the compositor's own title bars.

A client that asks for server-side decorations (xdg-decoration, or KDE's protocol as GTK3
uses it) gets a title bar drawn by the compositor above its window geometry; one that asks
for client-side, or never asks, gets none. Every check reads what the client was told
(``decoration-configure MODE``, configures, ``close``), what ``views`` and ``decorations``
report, and where the bar's colours are in grim screenshots. Presses on the bar are the
compositor's: drags move the window by exactly the drag, the buttons close and maximize,
and the client sees no button event.

The output is 640x480 without panels; the pointer is parked on the background before
screenshots whose pixels are compared.
"""

from __future__ import annotations

import signal
import subprocess

from tests.conftest import needs, needs_installed
from tests.harness import wait_for
from tests.helpers import client_output, region_is, rgb, solid_window, sync, wait_for_line
from tests.input.test_hit_testing import color_box
from tests.input.test_input import drag
from tests.robustness.test_endurance import assert_back_to, stats, wait_until_no_clients
from tests.shell.test_window_states import command, configure_line, keys, view_named, wait_for_state

WIDTH, HEIGHT = 640, 480
BTN_LEFT = 0x110
BTN_RIGHT = 0x111
PARK = (630, 470)  # the pointer waits here, on the background, during screenshots
BACKGROUND = (0, 0, 0)
# The title bar as the README describes it, written here rather than imported from
# compositor/shell/decorations.py (a changed colour or size must fail these tests): 24
# pixels high, blue on the focused window and grey on the others, a green maximize and a
# red close button, each 28 pixels wide, at its right end.
BAR_HEIGHT = 24
BUTTON_WIDTH = 28
FOCUSED = "2e5a8a"
UNFOCUSED = "4d4d4d"
MAXIMIZE = "3f7a4a"
CLOSE = "c0392b"


def decorated(comp, color: str, app_id: str, mode: str = "server", **extra):
    """solid_window asking for ``mode``; returns (process, view, the mode it was told)."""
    proc, view = solid_window(comp, color, app_id, decoration=mode, **extra)
    line = wait_for_line(proc, lambda text: text.startswith("decoration-configure "))
    return proc, view, line.split()[1]


def bar_boxes(x: int, y: int, width: int) -> dict[str, tuple[int, int, int, int]]:
    """Where the parts of the title bar of a window at x, y (its geometry) are."""
    top = y - BAR_HEIGHT
    return {
        "bar": (x, top, width - 2 * BUTTON_WIDTH, BAR_HEIGHT),
        "maximize": (x + width - 2 * BUTTON_WIDTH, top, BUTTON_WIDTH, BAR_HEIGHT),
        "close": (x + width - BUTTON_WIDTH, top, BUTTON_WIDTH, BAR_HEIGHT),
    }


def center(box: tuple[int, int, int, int]) -> tuple[int, int]:
    x, y, width, height = box
    return x + width // 2, y + height // 2


def screenshot(comp):
    comp.ctl_ok("pointer-move", x=PARK[0], y=PARK[1])
    return comp.screenshot()


def shows_bar(comp, x: int, y: int, width: int, color: str = FOCUSED) -> bool:
    """The title bar of a window at x, y, width: each part in its colour (its top and
    bottom rows: the title and the glyphs are drawn between), and nothing of it beyond."""
    image = screenshot(comp)
    colors = {"bar": color, "maximize": MAXIMIZE, "close": CLOSE}
    for part, (bx, by, bw, bh) in bar_boxes(x, y, width).items():
        for rows in ((by, 3), (by + bh - 3, 3)):
            if not region_is(image, (bx, rows[0], bw, rows[1]), rgb(colors[part])):
                return False
    outside = [(x - 1, y - BAR_HEIGHT), (x + width, y - 1), (x, y - BAR_HEIGHT - 1)]
    bar_colors = {rgb(c) for c in (FOCUSED, UNFOCUSED, MAXIMIZE, CLOSE)}
    return not any(
        0 <= px < WIDTH and 0 <= py < HEIGHT and image.getpixel((px, py)) in bar_colors
        for px, py in outside
    )


def wait_for_bar(comp, x: int, y: int, width: int, color: str = FOCUSED) -> None:
    wait_for(
        lambda: shows_bar(comp, x, y, width, color),
        10,
        what=f"a {color} title bar over {width} pixels above {x},{y}",
    )


def no_bar(image, colors=(FOCUSED, UNFOCUSED, MAXIMIZE, CLOSE)) -> bool:
    return all(color_box(image, c) is None for c in colors)


def no_focused_bar(image) -> bool:
    """No bar of a focused window (real clients' own pixels may hold the unfocused grey:
    weston-terminal's title text does)."""
    return no_bar(image, (FOCUSED, MAXIMIZE, CLOSE))


def click(comp, point: tuple[int, int], button: int = BTN_LEFT) -> None:
    comp.ctl_ok("pointer-move", x=point[0], y=point[1])
    comp.ctl_ok("pointer-button", button=button)


def drag_bar(comp, start: tuple[int, int], delta: tuple[int, int], steps: int = 5) -> None:
    """Press on the bar at ``start``, move by ``delta`` in steps, release: no modifier."""
    comp.ctl_ok("pointer-move", x=start[0], y=start[1])
    comp.ctl_ok("pointer-button", button=BTN_LEFT, pressed=True)
    for i in range(1, steps + 1):
        comp.ctl_ok(
            "pointer-move", x=start[0] + delta[0] * i / steps, y=start[1] + delta[1] * i / steps
        )
    comp.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)


def since(lines_before: list[str], proc) -> list[str]:
    lines, _ = sync(proc)
    return lines[len(lines_before) :]


def decoration_of(comp, app_id: str) -> dict:
    return next(v for v in comp.ctl_ok("decorations")["views"] if v["app_id"] == app_id)


# -- who decorates --------------------------------------------------------------------------


def test_a_client_asking_for_server_side_gets_a_title_bar(compositor):
    proc, view, mode = decorated(compositor, "3366cc", "test.ssd")
    assert mode == "server"
    assert view["decoration"] == "server"
    x, y = view["x"], view["y"]
    # The bar sits above the window geometry, as wide as the window, in the focused colour,
    # with the maximize and close buttons at its right end.
    wait_for_bar(compositor, x, y, 200)
    image = screenshot(compositor)
    assert color_box(image, "3366cc") == (x, y, 200, 150)
    assert region_is(image, (x, y - BAR_HEIGHT - 4, 200, 4), BACKGROUND)
    # The title is drawn in white on the bar, left, within the bar's height.
    bright = [
        (px, py)
        for py in range(y - BAR_HEIGHT, y)
        for px in range(x, x + 200 - 2 * BUTTON_WIDTH)
        if min(image.getpixel((px, py))) >= 200
    ]
    assert bright and min(px for px, _ in bright) < x + 20
    state = decoration_of(compositor, "test.ssd")
    assert state == {
        "app_id": "test.ssd",
        "mode": "server",
        "title_bar": True,
        "focused": True,
        "visible": True,
        "title": "solid",
    }


def test_a_client_asking_for_client_side_keeps_its_own(compositor):
    proc, view, mode = decorated(compositor, "3366cc", "test.csd", mode="client")
    assert mode == "client"
    assert view["decoration"] == "client"
    sync(proc)
    image = screenshot(compositor)
    assert color_box(image, "3366cc") == (view["x"], view["y"], 200, 150)
    assert no_bar(image)
    assert decoration_of(compositor, "test.csd")["title_bar"] is False


def test_a_client_that_never_asks_gets_none_and_one_without_preference_gets_ours(compositor):
    plain, view = solid_window(compositor, "3366cc", "test.plain")
    lines, _ = sync(plain)
    assert view["decoration"] == "none"
    assert not [line for line in lines if line.startswith("decoration-configure")]
    assert no_bar(screenshot(compositor))
    # A decoration object with no mode asked for: the compositor picks server-side.
    _, unset, mode = decorated(compositor, "cc6633", "test.unset", mode="unset")
    assert mode == "server"
    wait_for_bar(compositor, unset["x"], unset["y"], 200)


# -- interaction ----------------------------------------------------------------------------


def test_dragging_the_bar_moves_the_window_by_exactly_the_drag(compositor):
    proc, view, _ = decorated(compositor, "3366cc", "test.drag")
    x, y = view["x"], view["y"]
    before, _ = sync(proc)
    drag_bar(compositor, (x + 40, y - 12), (130, 75))
    after = view_named(compositor, "test.drag")
    assert (after["x"], after["y"]) == (x + 130, y + 75)
    wait_for_bar(compositor, x + 130, y + 75, 200)
    assert color_box(screenshot(compositor), "3366cc") == (x + 130, y + 75, 200, 150)
    # A second drag, at once (not a double-click: the first was a drag).
    drag_bar(compositor, (x + 130 + 60, y + 75 - 5), (-100, 40))
    after = view_named(compositor, "test.drag")
    assert (after["x"], after["y"], after["state"]) == (x + 30, y + 115, "normal")
    # The client saw neither the presses nor the releases.
    lines = since(before, proc)
    assert not [line for line in lines if line.startswith("button ")], lines


def test_the_close_button_closes_the_window(compositor):
    proc, view, _ = decorated(compositor, "3366cc", "test.close")
    wait_for_bar(compositor, view["x"], view["y"], 200)
    click(compositor, center(bar_boxes(view["x"], view["y"], 200)["close"]))
    wait_for_line(proc, lambda line: line == "close")
    lines = client_output(proc)  # the client exits when it is asked to close
    assert not [line for line in lines if line.startswith("button ")], lines
    wait_for(lambda: compositor.views() == [], 5, what="the window to go")
    assert compositor.ctl_ok("decorations")["title_bars"] == 0


def test_the_maximize_button_and_a_double_click_toggle_maximized(compositor):
    proc, view, _ = decorated(compositor, "3366cc", "test.max")
    x, y = view["x"], view["y"]
    wait_for_bar(compositor, x, y, 200)
    click(compositor, center(bar_boxes(x, y, 200)["maximize"]))
    # Maximized: the usable area less the bar, which stays on the output.
    assert "maximized" in configure_line(proc, WIDTH, HEIGHT - BAR_HEIGHT)
    wait_for_state(
        compositor,
        "test.max",
        state="maximized",
        x=0,
        y=BAR_HEIGHT,
        width=WIDTH,
        height=HEIGHT - BAR_HEIGHT,
    )
    wait_for_bar(compositor, 0, BAR_HEIGHT, WIDTH)
    # (less the corner where the parked pointer is drawn)
    assert region_is(screenshot(compositor), (0, BAR_HEIGHT, 600, 420), rgb("3366cc"))
    # The button again: the size and place from before.
    click(compositor, center(bar_boxes(0, BAR_HEIGHT, WIDTH)["maximize"]))
    assert "maximized" not in configure_line(proc, 200, 150)
    wait_for_state(compositor, "test.max", state="normal", x=x, y=y, width=200)
    wait_for_bar(compositor, x, y, 200)
    # A double-click on the bar maximizes, another restores.
    for _ in range(2):
        click(compositor, (x + 30, y - 12))
    assert "maximized" in configure_line(proc, WIDTH, HEIGHT - BAR_HEIGHT)
    wait_for_state(compositor, "test.max", state="maximized")
    for _ in range(2):
        click(compositor, (30, 12))
    assert "maximized" not in configure_line(proc, 200, 150)
    wait_for_state(compositor, "test.max", state="normal", x=x, y=y)


def test_focused_and_unfocused_bars_have_their_colours(compositor):
    _, first, _ = decorated(compositor, "ff0000", "test.first")
    _, second, _ = decorated(compositor, "00ff00", "test.second")
    # Move the second window off the first, by its bar.
    drag_bar(compositor, (second["x"] + 30, second["y"] - 12), (250, 150))
    moved = (second["x"] + 250, second["y"] + 150)
    wait_for_bar(compositor, *moved, 200, color=FOCUSED)
    image = screenshot(compositor)
    assert color_box(image, UNFOCUSED) == bar_boxes(first["x"], first["y"], 200)["bar"]
    # A click in the first window focuses it: the colours swap.
    click(compositor, (first["x"] + 20, first["y"] + 20))
    wait_for_state(compositor, "test.first", focused=True)
    wait_for(
        lambda: (
            color_box(screenshot(compositor), FOCUSED)
            == bar_boxes(first["x"], first["y"], 200)["bar"]
        ),
        10,
        what="the first window's bar in the focused colour",
    )
    assert color_box(screenshot(compositor), UNFOCUSED) == bar_boxes(*moved, 200)["bar"]


def test_the_bar_follows_a_resize(compositor):
    _, view, _ = decorated(compositor, "3366cc", "test.resize")
    x, y = view["x"], view["y"]
    drag(compositor, (x + 190, y + 140), (x + 190 + 120, y + 140 + 60), BTN_RIGHT)
    wait_for_state(compositor, "test.resize", width=320, height=210)
    wait_for_bar(compositor, x, y, 320)


def test_fullscreen_hides_the_bar_and_minimize_hides_it_with_the_window(compositor):
    proc, view, _ = decorated(compositor, "3366cc", "test.states")
    x, y = view["x"], view["y"]
    wait_for_bar(compositor, x, y, 200)
    keys(compositor, "Super_L", "f")
    assert "fullscreen" in configure_line(proc, WIDTH, HEIGHT)
    wait_for(
        lambda: decoration_of(compositor, "test.states")["visible"] is False,
        5,
        what="the bar hidden",
    )
    wait_for(
        lambda: region_is(screenshot(compositor), (0, 0, 600, 440), rgb("3366cc")),
        10,
        what="the window over the whole output (less the pointer's corner)",
    )
    keys(compositor, "Alt_L", "F11")
    assert "fullscreen" not in configure_line(proc, 200, 150)
    wait_for_bar(compositor, x, y, 200)
    keys(compositor, "Alt_L", "F9")
    wait_for_state(compositor, "test.states", state="minimized")
    wait_for(lambda: no_bar(screenshot(compositor)), 10, what="the bar hidden with the window")
    keys(compositor, "Alt_L", "Tab")
    wait_for_state(compositor, "test.states", state="normal", focused=True)
    wait_for_bar(compositor, x, y, 200)


def test_the_title_is_rendered_again_when_it_changes(compositor):
    proc, view, _ = decorated(compositor, "3366cc", "test.title", title="A")
    x, y = view["x"], view["y"]

    def title_width() -> int:
        image = screenshot(compositor)
        columns = [
            px
            for px in range(x, x + 200 - 2 * BUTTON_WIDTH)
            for py in range(y - BAR_HEIGHT, y)
            if min(image.getpixel((px, py))) >= 160
        ]
        return max(columns) - min(columns) + 1 if columns else 0

    wait_for_bar(compositor, x, y, 200)
    short = title_width()
    assert short > 0
    command(proc, "title A much longer title")
    wait_for(
        lambda: decoration_of(compositor, "test.title")["title"] == "A much longer title",
        5,
        what="the new title",
    )
    assert title_width() > short + 50
    # Longer than the room left of the buttons: cropped there, the buttons stay.
    command(proc, "title " + "W" * 80)
    wait_for(lambda: decoration_of(compositor, "test.title")["title"] == "W" * 80, 5, what="it")
    image = screenshot(compositor)
    boxes = bar_boxes(x, y, 200)
    assert color_box(image, MAXIMIZE) == boxes["maximize"]
    assert color_box(image, CLOSE) == boxes["close"]


def test_title_bars_leave_nothing_behind(compositor):
    def churn(count: int) -> None:
        procs = []
        for i in range(count):
            proc, _, _ = decorated(compositor, "3366cc", f"test.churn{i}", title=f"churn {i}")
            procs.append(proc)
        _, _, mode = decorated(compositor, "3366cc", "test.churn-csd", mode="client")
        assert mode == "client"
        assert compositor.ctl_ok("decorations")["title_bars"] == count
        for i, proc in enumerate(compositor.clients):
            proc.send_signal(signal.SIGKILL if i % 2 else signal.SIGTERM)
        wait_until_no_clients(compositor)

    churn(1)  # warm-up: Pillow, the font and the glyphs are loaded once
    baseline = stats(compositor)
    decorations = compositor.ctl_ok("decorations")
    assert decorations["title_bars"] == 0
    churn(4)
    assert_back_to(compositor, baseline)
    after = compositor.ctl_ok("decorations")
    assert (after["title_bars"], after["cpu_buffers"]) == (0, decorations["cpu_buffers"])
    assert after["requests"] == {"xdg": 0, "kde": 0}


# -- real clients ---------------------------------------------------------------------------


def foot(comp, app_id: str, *options: str) -> subprocess.Popen:
    return comp.spawn(
        ["foot", "--app-id", app_id, "--window-size-pixels=400x250", *options, "sleep", "60"]
    )


@needs("foot", "grim")
def test_foot_asking_for_server_side_gets_a_bar_that_moves_it(compositor):
    # foot 1.13 prefers server-side decorations (csd.preferred=server is its default).
    foot(compositor, "test.foot-ssd", "-o", "csd.preferred=server")
    view = compositor.wait_for_view("test.foot-ssd", timeout=20)
    assert view["decoration"] == "server"
    x, y, width = view["x"], view["y"], view["width"]
    wait_for_bar(compositor, x, y, width)
    drag_bar(compositor, (x + 60, y - 10), (40, 30))
    moved = view_named(compositor, "test.foot-ssd")
    assert (moved["x"], moved["y"]) == (x + 40, y + 30)
    wait_for_bar(compositor, x + 40, y + 30, width)
    # The close button closes foot (its shell and sleep get SIGHUP).
    click(compositor, center(bar_boxes(x + 40, y + 30, width)["close"]))
    assert compositor.clients[-1].wait(10) is not None
    wait_for(lambda: compositor.views() == [], 10, what="foot's window to go")


@needs("foot", "grim")
def test_foot_asking_for_client_side_gets_no_bar(compositor):
    foot(compositor, "test.foot-csd", "-o", "csd.preferred=client")
    view = compositor.wait_for_view("test.foot-csd", timeout=20)
    assert view["decoration"] == "client"
    assert no_focused_bar(screenshot(compositor))


@needs("weston-terminal", "grim")
def test_weston_terminal_never_asks_and_draws_its_own(compositor):
    compositor.spawn(["weston-terminal"])
    view = compositor.wait_for_view("org.freedesktop.weston.wayland-terminal", timeout=20)
    assert view["decoration"] == "none"
    assert no_focused_bar(screenshot(compositor))


@needs("mpv", "grim")
def test_mpv_gets_a_bar(compositor):
    compositor.spawn(
        [
            "mpv",
            "--no-config",
            "--vo=wlshm",
            "--idle=yes",
            "--force-window=yes",
            "--geometry=320x200",
        ]
    )
    view = compositor.wait_for_view("mpv", timeout=30)
    assert view["decoration"] == "server"
    wait_for(
        lambda: shows_bar(compositor, view["x"], view["y"], view_named(compositor, "mpv")["width"]),
        20,
        what="mpv's title bar",
    )


@needs("qmlscene", "grim")
def test_qt5_gets_a_bar(compositor, tmp_path):
    qml = tmp_path / "rect.qml"
    qml.write_text("import QtQuick 2.0\nRectangle { width: 200; height: 100; color: '#ff0000' }\n")
    compositor.spawn(["qmlscene", str(qml)], env={"QT_QPA_PLATFORM": "wayland"})
    view = compositor.wait_for_view("org.qt-project.qmlscene", timeout=30)
    # Qt asks with no preference (unset_mode): the compositor picks server-side, and Qt
    # draws no frame of its own: the window is the red rectangle under our bar.
    assert view["decoration"] == "server"
    wait_for(
        lambda: (
            color_box(screenshot(compositor), "ff0000") == (view["x"], view["y"], 200, 100)
            and shows_bar(compositor, view["x"], view["y"], 200)
        ),
        20,
        what="Qt's window under our title bar",
    )


GTK3_WINDOW = """
import gi
gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")  # GTK 4's Gdk is installed too
from gi.repository import Gdk, GLib, Gtk
GLib.set_prgname("test.gtk3")
window = Gtk.Window(title="gtk3")
window.set_default_size(220, 120)
window.override_background_color(Gtk.StateFlags.NORMAL, Gdk.RGBA(0, 0, 1, 1))
window.connect("destroy", Gtk.main_quit)
window.show_all()
Gtk.main()
"""


def _gtk3_available() -> bool:
    probe = 'import gi; gi.require_version("Gtk", "3.0"); from gi.repository import Gtk'
    return subprocess.run(["/usr/bin/python3", "-c", probe], capture_output=True).returncode == 0


@needs("grim")
@needs_installed(_gtk3_available(), "python3-gi with gir1.2-gtk-3.0")
def test_gtk3_gets_a_bar_through_kde_server_decoration(compositor):
    proc = compositor.spawn(["/usr/bin/python3", "-c", GTK3_WINDOW])
    view = compositor.wait_for_view("test.gtk3", timeout=30)
    assert view["decoration"] == "server"
    # GTK draws no title bar of its own (no client-side shadows either): the window is its
    # blue background, right under our bar.
    wait_for(
        lambda: (
            color_box(screenshot(compositor), "0000ff")
            == (view["x"], view["y"], view["width"], view["height"])
            and shows_bar(compositor, view["x"], view["y"], view["width"])
        ),
        20,
        what="GTK's window under our title bar",
    )
    click(compositor, center(bar_boxes(view["x"], view["y"], view["width"])["close"]))
    assert proc.wait(10) == 0


def _detail(image) -> float:
    """How much a picture loses when halved and doubled again: 0 for one made by doubling
    a smaller one (every 2x2 block alike), more the finer its detail."""
    from PIL import Image, ImageChops, ImageStat

    grey = image.convert("L")
    half = grey.resize((grey.width // 2, grey.height // 2), Image.BOX)
    back = half.resize(grey.size, Image.NEAREST)
    return ImageStat.Stat(ImageChops.difference(grey, back)).mean[0]


@needs("wlr-randr")
def test_titles_are_drawn_at_the_output_scale(compositor):
    """At scale 2 the title has twice the pixels, not the 1x text blown up: measured
    against the same bar at scale 1 doubled here (bilinear), it holds far finer detail."""
    from PIL import Image

    proc, view, _ = decorated(compositor, "3366cc", "test.hidpi", title="Hello HiDPI title")
    x, y = view["x"], view["y"]
    one = screenshot(compositor).crop((x + 4, y - BAR_HEIGHT, x + 120, y))
    doubled = one.resize((one.width * 2, one.height * 2), Image.BILINEAR)
    result = compositor.run_client(["wlr-randr", "--output", "HEADLESS-1", "--scale", "2"])
    assert result.returncode == 0, result.stderr
    wait_for(lambda: compositor.ctl_ok("outputs")["outputs"][0]["scale"] == 2, 10, what="scale 2")
    view = view_named(compositor, "test.hidpi")
    x, y = view["x"], view["y"]
    compositor.ctl_ok("pointer-move", x=310, y=230)

    def sharp():
        shot = compositor.screenshot("scale-2")
        two = shot.crop((2 * (x + 4), 2 * (y - BAR_HEIGHT), 2 * (x + 120), 2 * y))
        return _detail(two) > 1.5 * _detail(doubled)

    wait_for(sharp, 10, what="a title with twice the detail of the doubled 1x one")
