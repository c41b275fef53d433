"""XWayland: X11 clients through Xwayland and the compositor's minimal X window manager.

Real X11 programs (xclock, xev, xprop) and an X11 probe (tests/clients/x11_probe.py, run
with the system Python for python3-xlib) against a real compositor: what ``views`` reports,
where the windows' pixels are in grim screenshots, and what the X11 clients themselves see
(xev's and the probe's events with their window-relative and root coordinates, the probe's
ConfigureNotify and _NET_WM_STATE, WM_DELETE_WINDOW, xprop on the root window). Xwayland is
found by its command line (``Xwayland :N ...``), since it is not the compositor's child.

The output is 640x480 without panels; the pointer is parked on the background (bottom
right) before screenshots, and colour boxes are looked for away from its cursor.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tests.conftest import needs, needs_installed
from tests.harness import CompositorProcess, wait_for
from tests.helpers import client_output, solid_window, sync, wait_for_line
from tests.input.test_hit_testing import color_box
from tests.robustness.test_endurance import assert_back_to, stats
from tests.shell.test_window_states import keys

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = "/usr/bin/python3"  # python3-xlib is Debian's
PROBE = [SYSTEM_PYTHON, str(ROOT / "tests/clients/x11_probe.py")]
BTN_LEFT = 0x110
BTN_RIGHT = 0x111
PARK = (630, 470)
WHITE = "ffffff"
XEV_EVENT = re.compile(
    r"(?P<kind>ButtonPress|KeyPress) event, serial \d+, synthetic NO, window (?P<window>\w+),"
    r"\s+root \w+, subw \w+, time \d+, \((?P<x>-?\d+),(?P<y>-?\d+)\), "
    r"root:\((?P<rx>-?\d+),(?P<ry>-?\d+)\),\s+state \w+, "
    r"(?:button (?P<button>\d+)|keycode \d+ \(keysym \w+, (?P<keysym>\w+)\))"
)


def _xlib_available() -> bool:
    probe = [SYSTEM_PYTHON, "-c", "import Xlib.display"]
    return subprocess.run(probe, capture_output=True).returncode == 0


needs_xlib = needs_installed(_xlib_available(), "python3-xlib")
pytestmark = needs("Xwayland", "grim")


# -- helpers ---------------------------------------------------------------------------


def x_display(comp: CompositorProcess) -> str:
    display = comp.ctl_ok("ping")["display"]
    assert display and display.startswith(":"), display
    return display


def x_env(comp: CompositorProcess) -> dict[str, str]:
    return {"DISPLAY": x_display(comp)}


def xwayland_processes(display: str) -> dict[int, str]:
    """Xwayland processes serving ``display``: pid -> state (R, S, Z, ...)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # gone meanwhile
        if argv and argv[0].endswith(b"Xwayland") and len(argv) > 1 and argv[1] == display.encode():
            found[int(entry)] = stat.rsplit(")", 1)[1].split()[0]
    return found


def xwayland_stderr(comp: CompositorProcess) -> list[str]:
    """What Xwayland printed: the compositor's log lines that are not its own (those start
    with a timestamp)."""
    return [line for line in comp.log().splitlines() if not re.match(r"\d\d:\d\d:\d\d", line)]


def env_reporter(tmp_path: Path) -> tuple[Path, Path]:
    """A shell script that writes the DISPLAY it got (or ``unset``) to a file, at once."""
    env_file = tmp_path / "client-env"
    script = tmp_path / "client.sh"
    script.write_text(
        f'echo "DISPLAY=${{DISPLAY-unset}}" > {env_file}.tmp; mv {env_file}.tmp {env_file}\n'
    )
    return env_file, script


def screenshot(comp: CompositorProcess):
    comp.ctl_ok("pointer-move", x=PARK[0], y=PARK[1])
    # The cursor is drawn at the parking place: look for windows away from it.
    return comp.screenshot().crop((0, 0, 600, 440))


def wait_for_box(comp: CompositorProcess, color: str, box: tuple[int, int, int, int]) -> None:
    wait_for(lambda: color_box(screenshot(comp), color) == box, 15, what=f"{color} at {box}")


def probe(comp: CompositorProcess, *args: str) -> subprocess.Popen:
    """The X11 probe; its stdin is a pipe for commands (see tests/clients/x11_probe.py)."""
    return comp.spawn([*PROBE, *args], env=x_env(comp), text=True, stdin=subprocess.PIPE)


def tell(proc: subprocess.Popen, command: str) -> None:
    proc.stdin.write(command + "\n")
    proc.stdin.flush()


_tokens = iter(range(1, 1 << 30))


def x_sync(proc: subprocess.Popen) -> list[str]:
    """A round trip of the probe with the X server; returns what it printed until then."""
    token = next(_tokens)
    tell(proc, f"sync {token}")
    wait_for_line(proc, lambda line: line == f"synced {token}")
    return list(proc._line_reader.seen)


def probe_view(comp: CompositorProcess, app_id: str, *args: str):
    """A managed probe window; returns (process, its view) once mapped and focused."""
    proc = probe(comp, "--class", app_id, *args)
    wait_for_line(proc, lambda line: line.startswith("mapped "))
    view = comp.wait_for_view(app_id)
    return proc, view


def view_of(comp: CompositorProcess, app_id: str) -> dict:
    return next(v for v in comp.views() if v["app_id"] == app_id)


def x_stacking(comp: CompositorProcess, names: dict[int, str]) -> list[str]:
    """The windows named in ``names`` (X id -> name), bottom to top, as the X server stacks
    them (xwininfo: XQueryTree, top first); the WM's _NET_CLIENT_LIST_STACKING (bottom
    first) must say the same."""
    tree = comp.run_client(["xwininfo", "-root", "-children"], env=x_env(comp)).stdout
    server = [int(w, 16) for w in re.findall(r"^\s+(0x[0-9a-f]+)", tree, re.MULTILINE)]
    server = [names[w] for w in reversed(server) if w in names]
    prop = comp.run_client(["xprop", "-root", "_NET_CLIENT_LIST_STACKING"], env=x_env(comp))
    listed = [int(w, 16) for w in re.findall(r"0x[0-9a-f]+", prop.stdout)]
    assert [names[w] for w in listed if w in names] == server, (tree, prop.stdout)
    return server


def click(comp: CompositorProcess, x: int, y: int, button: int = BTN_LEFT) -> None:
    comp.ctl_ok("pointer-move", x=x, y=y)
    comp.ctl_ok("pointer-button", button=button)


def xev(comp: CompositorProcess) -> tuple[subprocess.Popen, dict]:
    """xev's window ("Event Tester", white with a black-bordered square at 10,10), its
    output line-buffered; returns it once mapped."""
    proc = comp.spawn(["stdbuf", "-oL", "xev", "-geometry", "200x150"], env=x_env(comp), text=True)
    view = wait_for(
        lambda: next(
            (v for v in comp.views() if v["title"] == "Event Tester" and v["mapped"]), None
        ),
        20,
        what="xev's window",
    )
    wait_for_line(proc, lambda line: line.startswith("Expose event"), timeout=20)
    return proc, view


def xev_events(proc: subprocess.Popen, kind: str, count: int = 1) -> list[dict]:
    """Wait until xev printed ``count`` events of ``kind``; returns them parsed."""

    def parsed() -> list[dict]:
        text = "\n".join(proc._line_reader.seen)
        return [m.groupdict() for m in XEV_EVENT.finditer(text) if m["kind"] == kind]

    if len(parsed()) < count:  # xev() read its first lines already: the reader exists
        wait_for_line(proc, lambda line: len(parsed()) >= count, timeout=15)
    return parsed()


# -- the X display ---------------------------------------------------------------------


def test_lazy_start_display_exported_and_no_drm_warnings(make_compositor, tmp_path):
    env_file, script = env_reporter(tmp_path)
    comp = make_compositor(args=["--", "/bin/sh", str(script)])
    display = x_display(comp)
    assert f"DISPLAY={display} " in comp.log(), "the ready line names the X display"
    assert Path(f"/tmp/.X11-unix/X{display[1:]}").is_socket()
    # Lazy: the display's sockets exist, Xwayland does not until an X11 client connects.
    assert xwayland_processes(display) == {}
    assert comp.ctl_ok("xwayland")["started"] == 0
    # A client started by the compositor (`-- CLIENT`) gets the DISPLAY.
    wait_for(env_file.exists, 10, what="the startup client")
    assert env_file.read_text().strip() == f"DISPLAY={display}"
    # The first X11 client starts Xwayland, and is answered.
    result = comp.run_client(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], env=x_env(comp))
    assert result.returncode == 0 and "window id" in result.stdout, result
    assert len(xwayland_processes(display)) == 1
    assert comp.ctl_ok("xwayland")["started"] == 1
    # No GPU here: Xwayland runs without glamor and says nothing about DRM or GL.
    complaints = [
        line
        for line in xwayland_stderr(comp)
        if re.search(r"glamor|drm|dri3?\b|egl|gbm|renderD", line, re.IGNORECASE)
    ]
    assert complaints == [], complaints


def test_no_xwayland_means_no_display(make_compositor, tmp_path):
    env_file, script = env_reporter(tmp_path)
    comp = make_compositor(
        args=["--no-xwayland", "--", "/bin/sh", str(script)], env={"DISPLAY": ":97"}
    )
    assert comp.ctl_ok("ping")["display"] is None
    assert "DISPLAY=(none)" in comp.log()
    assert comp.ctl("xwayland")["ok"] is False  # no such command
    wait_for(env_file.exists, 10, what="the startup client")
    # Not even the DISPLAY the compositor itself was started with.
    assert env_file.read_text().strip() == "DISPLAY=unset"
    assert "Xwayland" not in comp.log()


@needs("xclock")
def test_compositor_exits_cleanly_with_x11_clients_connected(make_compositor):
    comp = make_compositor()
    display = x_display(comp)
    clock = comp.spawn(["xclock"], env=x_env(comp))
    comp.wait_for_view("XClock", timeout=20)
    (pid,) = xwayland_processes(display)
    comp.stop()  # exit code 0, no traceback, Wayland socket removed (the harness checks)
    # Xwayland's display is gone with the compositor: socket and lock file.
    assert not Path(f"/tmp/.X11-unix/X{display[1:]}").exists()
    assert not Path(f"/tmp/.X{display[1:]}-lock").exists()
    # Xwayland exits (and is reaped: no zombie is left), and so does its X11 client.
    wait_for(lambda: not Path(f"/proc/{pid}").exists(), 10, what="Xwayland to be gone")
    assert clock.wait(10) != 0  # the X connection broke under it


# -- managed windows -------------------------------------------------------------------


@needs("xclock")
def test_xclock_is_a_view_with_its_wm_class_and_its_pixels(compositor):
    clock = compositor.spawn(["xclock", "-geometry", "160x160"], env=x_env(compositor))
    view = compositor.wait_for_view("XClock", timeout=20)
    assert view["xwayland"] is True and view["title"] == "xclock"
    assert (view["width"], view["height"]) == (160, 160)
    assert view["pid"] == clock.pid and view["focused"] and view["state"] == "normal"
    # Placed like a new Wayland window, and drawn there: xclock's white face fills it.
    assert (view["x"], view["y"]) == (24, 24)
    wait_for_box(compositor, WHITE, (24, 24, 160, 160))


@needs("xev", "stdbuf")
def test_click_reaches_x11_window_at_window_coordinates(compositor):
    proc, view = xev(compositor)
    # Find the window in the screenshot (white), then its inner square (black border).
    wait_for(lambda: color_box(screenshot(compositor), WHITE) is not None, 15, what="xev")
    image = screenshot(compositor)
    wx, wy, ww, wh = color_box(image, WHITE)
    assert (ww, wh) == (200, 150)
    sx, sy, sw, sh = color_box(image.crop((wx, wy, wx + ww, wy + wh)), "000000")
    assert (sx, sy, sw, sh) == (10, 10, 58, 58)  # xev's inner window, 4 px border
    point = (wx + 150, wy + 100)
    click(compositor, *point)
    (press,) = xev_events(proc, "ButtonPress")
    assert press["button"] == "1"
    assert abs(int(press["x"]) - 150) <= 1 and abs(int(press["y"]) - 100) <= 1, press
    # X11 root coordinates are the compositor's layout coordinates.
    assert (int(press["rx"]), int(press["ry"])) == point, press
    assert (wx, wy) == (view["x"], view["y"])


@needs("xev", "stdbuf")
def test_typing_reaches_the_focused_x11_window(compositor):
    proc, view = xev(compositor)
    assert view_of(compositor, "")["focused"]
    compositor.ctl_ok("type", text="hi")
    events = xev_events(proc, "KeyPress", 2)
    assert [e["keysym"] for e in events] == ["h", "i"]


@needs("xclock")
@needs_xlib
def test_alt_f4_sends_wm_delete_window_and_the_client_exits(compositor):
    proc, _ = probe_view(compositor, "test.close", "--color", "00ff00")
    keys(compositor, "Alt_L", "F4")
    assert client_output(proc, 10)[-1] == "delete"  # WM_DELETE_WINDOW, not a kill
    assert proc.returncode == 0
    # xclock quits on WM_DELETE_WINDOW too (exit 0; XKillClient would break its X
    # connection, and it would exit 1).
    clock = compositor.spawn(["xclock"], env=x_env(compositor))
    compositor.wait_for_view("XClock", timeout=20)
    keys(compositor, "Alt_L", "F4")
    assert clock.wait(10) == 0
    wait_for(lambda: compositor.views() == [], 10, what="the windows to go")


@needs_xlib
def test_asked_position_is_kept_and_others_are_placed(compositor):
    _, placed = probe_view(compositor, "test.placed", "--color", "ff0000", "--size", "120x80")
    assert (placed["x"], placed["y"], placed["width"], placed["height"]) == (24, 24, 120, 80)
    proc, asked = probe_view(
        compositor, "test.asked", "--color", "00ff00", "--size", "100x60", "--position", "300,200"
    )
    assert (asked["x"], asked["y"]) == (300, 200)
    wait_for_box(compositor, "00ff00", (300, 200, 100, 60))
    wait_for_box(compositor, "ff0000", (24, 24, 120, 80))
    # The client moves and resizes itself (a ConfigureRequest): granted, as X sees it too.
    tell(proc, "move 250 150")
    wait_for_line(proc, lambda line: line == "configure 250 150 100 60")
    tell(proc, "resize 140 90")
    wait_for_line(proc, lambda line: line == "configure 250 150 140 90")
    wait_for_box(compositor, "00ff00", (250, 150, 140, 90))
    assert view_of(compositor, "test.asked")["width"] == 140


OVERLAP = (200, 150)  # in both the red (50,50 200x150) and the green (150,100 200x150) window


@needs_xlib
def test_click_focuses_raises_and_restacks_in_x(compositor):
    red, red_view = probe_view(
        compositor, "test.red", "--color", "ff0000", "--size", "200x150", "--position", "50,50"
    )
    green, green_view = probe_view(
        compositor, "test.green", "--color", "00ff00", "--size", "200x150", "--position", "150,100"
    )
    pair = {red_view["x11_window"]: "red", green_view["x11_window"]: "green"}
    # Before the click red is below, on the screen and in X (else the click proves nothing):
    # where the two overlap (150..250, 100..200) the screen shows green.
    wait_for_line(red, lambda line: line == "focus out")
    wait_for_box(compositor, "00ff00", (150, 100, 200, 150))
    assert screenshot(compositor).getpixel(OVERLAP) == (0, 255, 0)
    assert x_stacking(compositor, pair) == ["red", "green"]
    click(compositor, 60, 60)  # on the red window's visible corner
    wait_for_line(red, lambda line: line == "focus in")
    wait_for_line(green, lambda line: line == "focus out")
    assert view_of(compositor, "test.red")["focused"]
    assert not view_of(compositor, "test.green")["focused"]
    wait_for(lambda: screenshot(compositor).getpixel(OVERLAP) == (255, 0, 0), 15, what="red on top")
    # X's stacking order follows: the X server's and the list the WM keeps.
    assert x_stacking(compositor, pair) == ["green", "red"]
    # The press reached the window at its own coordinates, and the keyboard follows.
    assert "press 1 10 10 60 60" in x_sync(red)
    compositor.ctl_ok("type", text="k")
    wait_for_line(red, lambda line: line == "key k")
    assert not any(line.startswith("key") for line in x_sync(green))


@needs_xlib
def test_alt_drag_moves_and_alt_right_drag_resizes(compositor):
    proc, view = probe_view(
        compositor, "test.drag", "--color", "0000ff", "--size", "160x100", "--position", "40,40"
    )
    compositor.ctl_ok("key", key="Alt_L", pressed=True)
    compositor.ctl_ok("pointer-move", x=100, y=80)
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=True)
    compositor.ctl_ok("pointer-move", x=160, y=130)
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)
    # Alt + right drag near the bottom-right corner: that corner follows.
    compositor.ctl_ok("pointer-move", x=250, y=180)
    compositor.ctl_ok("pointer-button", button=BTN_RIGHT, pressed=True)
    compositor.ctl_ok("pointer-move", x=290, y=200)
    compositor.ctl_ok("pointer-button", button=BTN_RIGHT, pressed=False)
    compositor.ctl_ok("key", key="Alt_L", pressed=False)
    wait_for_line(proc, lambda line: line == "configure 100 90 200 120")
    view = view_of(compositor, "test.drag")
    assert (view["x"], view["y"], view["width"], view["height"]) == (100, 90, 200, 120)
    wait_for_box(compositor, "0000ff", (100, 90, 200, 120))
    # The compositor kept those presses: the client saw none.
    assert not any(line.startswith("press") for line in x_sync(proc))


@needs_xlib
def test_net_wm_moveresize_moves_while_the_button_is_held(compositor):
    proc, view = probe_view(
        compositor,
        "test.moveresize",
        "--color",
        "ffff00",
        "--size",
        "120x80",
        "--position",
        "60,60",
        "--moveresize",
    )
    compositor.ctl_ok("pointer-move", x=100, y=90)
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=True)
    wait_for_line(proc, lambda line: line == "press 1 40 30 100 90")
    # The probe answers the press with _NET_WM_MOVERESIZE: the window follows the pointer.
    wait_for(lambda: "move of 'test.moveresize' started" in compositor.log(), 10, what="move")
    compositor.ctl_ok("pointer-move", x=150, y=140)
    compositor.ctl_ok("pointer-move", x=200, y=170)
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)
    wait_for_line(proc, lambda line: line == "configure 160 140 120 80")
    view = view_of(compositor, "test.moveresize")
    assert (view["x"], view["y"]) == (160, 140)
    wait_for_box(compositor, "ffff00", (160, 140, 120, 80))


@needs_xlib
def test_maximize_and_fullscreen_requests_and_bindings(compositor):
    proc, _ = probe_view(
        compositor, "test.states", "--color", "00ffff", "--size", "150x100", "--position", "80,60"
    )
    tell(proc, "state add _NET_WM_STATE_MAXIMIZED_VERT _NET_WM_STATE_MAXIMIZED_HORZ")
    wait_for_line(proc, lambda line: line == "configure 0 0 640 480")
    assert view_of(compositor, "test.states")["state"] == "maximized"
    wait_for_box(compositor, "00ffff", (0, 0, 600, 440))  # the whole (cropped) output
    states = [line for line in x_sync(proc) if line.startswith("state ")]
    assert "_NET_WM_STATE_MAXIMIZED_HORZ,_NET_WM_STATE_MAXIMIZED_VERT" in states[-1]
    keys(compositor, "Alt_L", "F10")  # the binding restores it, and X hears of it
    wait_for_line(proc, lambda line: line == "configure 80 60 150 100")
    states = [line for line in x_sync(proc) if line.startswith("state ")]
    assert "MAXIMIZED" not in states[-1]
    assert view_of(compositor, "test.states")["state"] == "normal"
    tell(proc, "state add _NET_WM_STATE_FULLSCREEN")
    wait_for(
        lambda: view_of(compositor, "test.states")["state"] == "fullscreen", 10, what="fullscreen"
    )
    wait_for_line(proc, lambda line: line == "configure 0 0 640 480")
    keys(compositor, "Alt_L", "F11")
    wait_for_line(proc, lambda line: line == "configure 80 60 150 100")
    wait_for_box(compositor, "00ffff", (80, 60, 150, 100))
    # A state asked for before mapping applies from the start.
    early, _ = probe_view(
        compositor, "test.early", "--color", "ff00ff", "--state", "_NET_WM_STATE_FULLSCREEN"
    )
    wait_for(
        lambda: view_of(compositor, "test.early")["state"] == "fullscreen", 10, what="fullscreen"
    )
    wait_for_line(early, lambda line: line == "configure 0 0 640 480")


# -- override-redirect windows ---------------------------------------------------------


@needs_xlib
def test_override_redirect_window_is_placed_exactly_and_not_focused(compositor):
    # Over a Wayland window (which keeps the keyboard), a popup menu of an X11 client.
    base, _ = solid_window(compositor, "00ff00", "test.base", size="400x300")
    menu = probe(
        compositor,
        "--override-redirect",
        "--type",
        "_NET_WM_WINDOW_TYPE_POPUP_MENU",
        "--color",
        "0000ff",
        "--size",
        "80x40",
        "--position",
        "300,200",
    )
    wait_for_line(menu, lambda line: line.startswith("mapped "))
    # Exactly where it asked, above the window under it; not a view, not focused.
    wait_for_box(compositor, "0000ff", (300, 200, 80, 40))
    assert [v["app_id"] for v in compositor.views()] == ["test.base"]
    assert view_of(compositor, "test.base")["focused"]
    assert compositor.ctl_ok("xwayland")["override_redirect"] == 1
    # It follows its own moves (ConfigureNotify), and takes the pointer where it is drawn.
    tell(menu, "move 350 250")
    wait_for_box(compositor, "0000ff", (350, 250, 80, 40))
    click(compositor, 360, 255)
    wait_for_line(menu, lambda line: line == "press 1 10 5 360 255")
    lines, _ = sync(base)
    assert "keyboard-leave" not in lines
    assert not any(line.startswith("button") for line in lines)
    assert view_of(compositor, "test.base")["focused"]


@needs_xlib
def test_override_redirect_window_that_wants_focus_gets_it_and_gives_it_back(compositor):
    base, _ = solid_window(compositor, "00ff00", "test.base", size="300x200")
    # No window type, and it grabs the keyboard (dmenu): wlroots' heuristic says it wants
    # the keyboard, so Xwayland gets it.
    launcher = probe(
        compositor,
        "--override-redirect",
        "--grab-keyboard",
        "--color",
        "ff0000",
        "--size",
        "90x30",
        "--position",
        "200,40",
    )
    wait_for_line(launcher, lambda line: line.startswith("mapped "))
    wait_for_box(compositor, "ff0000", (200, 40, 90, 30))
    wait_for_line(base, lambda line: line == "keyboard-leave")
    compositor.ctl_ok("type", text="x")
    wait_for_line(launcher, lambda line: line == "key x")
    tell(launcher, "quit")
    launcher.wait(10)
    # Gone: the focused window has the keyboard again.
    wait_for_line(base, lambda line: line == "keyboard-enter")
    compositor.ctl_ok("type", text="y")
    wait_for_line(base, lambda line: line == "key 21 1")  # KEY_Y pressed
    assert view_of(compositor, "test.base")["focused"]


# -- nothing left behind ---------------------------------------------------------------


@needs_xlib
def test_x11_windows_leave_nothing_behind(compositor):
    def surfaces() -> int:
        return compositor.ctl_ok("stats", objects=0)["surfaces"]

    # Warm up: Xwayland itself (a Wayland client of the compositor), first-use costs. An
    # X window's wl_surface outlives it in Xwayland for about a second (its delayed
    # destruction): the baseline is taken once the warm-up window's has gone.
    warm, _ = probe_view(compositor, "test.warm")
    with_window = surfaces()
    tell(warm, "quit")
    warm.wait(10)
    compositor.clients.clear()
    wait_for(lambda: surfaces() == with_window - 1, 15, what="the warm-up surface to go")
    assert compositor.views() == []
    baseline = stats(compositor)
    procs = []
    for i in range(4):
        proc, _ = probe_view(compositor, f"test.churn{i}", "--position", f"{40 * i},{30 * i}")
        procs.append(proc)
    menu = probe(compositor, "--override-redirect", "--type", "_NET_WM_WINDOW_TYPE_MENU")
    wait_for_line(menu, lambda line: line.startswith("mapped "))
    assert surfaces() >= baseline["surfaces"] + 5  # the counts are real
    keys(compositor, "Alt_L", "F10")
    procs[0].kill()  # abruptly
    tell(procs[1], "quit")
    keys(compositor, "Alt_L", "F4")  # the focused one: test.churn3
    procs[2].kill()
    menu.kill()
    for proc in (*procs, menu):
        proc.wait(10)
    compositor.clients.clear()
    wait_for(
        lambda: (
            compositor.views() == []
            and compositor.ctl_ok("xwayland")["override_redirect"] == 0
            and surfaces() == baseline["surfaces"]
        ),
        15,
        what="every X11 window and its surface to go",
    )
    assert_back_to(compositor, baseline)
