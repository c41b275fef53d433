"""wlr-layer-shell with the real clients people run on sway: swaybg, waybar, fuzzel.

Checked in pixels (grim through screencopy) and in what the clients do: the wallpaper is
under the windows, the bar keeps its strip and windows open below it, the launcher takes the
keyboard (a window sees keyboard-leave) and launches what was typed, and the window gets the
keyboard back when the launcher goes.
"""

from __future__ import annotations

import json
import subprocess

from tests.conftest import needs
from tests.helpers import region_is, rgb, solid_window, sync, wait_for_line
from tests.waiting import wait_for

WALLPAPER = "c03020"
BAR = "20c040"
BAR_HEIGHT = 36


def layers(comp) -> dict:
    return comp.ctl_ok("layers")


def wait_for_layer(comp, namespace: str, mapped: bool = True) -> dict:
    def find():
        for surface in layers(comp)["surfaces"]:
            if surface["namespace"] == namespace and surface["mapped"] == mapped:
                return surface
        return None

    return wait_for(find, 30, what=f"layer surface {namespace!r} (mapped={mapped})")


def start_waybar(comp, tmp_path):
    """waybar with a minimal config: a top bar of BAR_HEIGHT px in one flat colour."""
    config = tmp_path / "waybar.json"
    config.write_text(
        json.dumps(
            {
                "layer": "top",
                "position": "top",
                "height": BAR_HEIGHT,
                "modules-left": [],
                "modules-center": [],
                "modules-right": [],
            }
        )
    )
    style = tmp_path / "waybar.css"
    style.write_text(f"window#waybar {{ background: #{BAR}; border: none; }}\n")
    # waybar 0.12 (Debian 13) exits without a D-Bus session bus (it asks the desktop portal
    # for the colour scheme); 0.9 (Debian 12) needs none. A bus of its own, spawned before
    # it so that waybar stays the last client (tests terminate it as compositor.clients[-1]).
    bus = comp.spawn(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    address = bus.stdout.readline().strip()
    assert address, "dbus-daemon printed no address"
    comp.spawn(
        ["waybar", "-c", str(config), "-s", str(style)], env={"DBUS_SESSION_BUS_ADDRESS": address}
    )
    return wait_for_layer(comp, "waybar")


@needs("swaybg", "grim")
def test_swaybg_draws_the_wallpaper_under_the_windows(compositor):
    compositor.spawn(["swaybg", "-c", f"#{WALLPAPER}"])
    wallpaper = wait_for_layer(compositor, "wallpaper")
    assert wallpaper["layer"] == "background"
    assert (wallpaper["width"], wallpaper["height"]) == (640, 480)
    _, view = solid_window(compositor, "3366cc", "test.over-wallpaper")
    image = wait_for(
        lambda: (img := compositor.screenshot()).getpixel((639, 479)) == rgb(WALLPAPER) and img,
        20,
        what="the wallpaper in a screenshot",
    )
    x, y, w, h = view["x"], view["y"], view["width"], view["height"]
    assert region_is(image, (x, y, w, h), rgb("3366cc")), "the window is above the wallpaper"
    assert region_is(image, (x + w, 0, 640 - x - w, 480), rgb(WALLPAPER))


@needs("waybar", "grim")
def test_waybar_keeps_its_strip_and_windows_open_below_it(compositor, tmp_path):
    bar = start_waybar(compositor, tmp_path)
    assert (bar["layer"], bar["x"], bar["y"]) == ("top", 0, 0)
    assert (bar["width"], bar["height"], bar["exclusive_zone"]) == (640, BAR_HEIGHT, BAR_HEIGHT)
    usable = layers(compositor)["usable"]["HEADLESS-1"]
    assert usable == {"x": 0, "y": BAR_HEIGHT, "width": 640, "height": 480 - BAR_HEIGHT}
    _, view = solid_window(compositor, "3366cc", "test.under-bar")
    assert view["y"] >= BAR_HEIGHT, "a new window is placed in the usable area"
    image = wait_for(
        lambda: (
            region_is(img := compositor.screenshot(), (0, 0, 640, BAR_HEIGHT), rgb(BAR)) and img
        ),
        20,
        what="the bar's colour across its strip",
    )
    assert region_is(image, (view["x"], view["y"], view["width"], view["height"]), rgb("3366cc"))


@needs("waybar")
def test_the_strip_is_given_back_when_the_bar_exits(compositor, tmp_path):
    start_waybar(compositor, tmp_path)
    bar_proc = compositor.clients[-1]
    bar_proc.terminate()
    bar_proc.wait(10)
    wait_for(
        lambda: layers(compositor)["usable"]["HEADLESS-1"]["y"] == 0,
        20,
        what="the usable area to grow back",
    )
    assert layers(compositor)["surfaces"] == []


@needs("fuzzel", "foot")
def test_fuzzel_takes_the_keyboard_and_launches_what_is_typed(compositor):
    window, _ = solid_window(compositor, "3366cc", "test.behind-launcher")
    wait_for_line(window, lambda line: line == "keyboard-enter")
    # The top layer, fuzzel 1.8's default (Debian 12); 1.12's (Debian 13) is overlay.
    compositor.spawn(["fuzzel", "--layer=top"])
    launcher = wait_for_layer(compositor, "launcher")
    assert launcher["layer"] == "top" and launcher["keyboard"] is True
    wait_for_line(window, lambda line: line == "keyboard-leave")
    compositor.ctl_ok("type", text="foot")
    compositor.ctl_ok("key", key="Return", pressed=True)
    compositor.ctl_ok("key", key="Return", pressed=False)
    compositor.wait_for_view("foot", timeout=30)  # fuzzel got the keys and launched foot
    wait_for(lambda: layers(compositor)["surfaces"] == [], 20, what="fuzzel to close")
    # foot is focused now; the old window got no key while fuzzel had the keyboard.
    lines, _ = sync(window)
    assert not [line for line in lines if line.startswith("key ")]


@needs("waybar")
def test_a_maximized_window_makes_room_for_a_bar_that_comes_later(compositor, tmp_path):
    proc, _ = solid_window(compositor, "3366cc", "test.max-then-bar", maximize=True)
    wait_for_line(proc, lambda line: line.startswith("toplevel-configure 640 480 "))
    start_waybar(compositor, tmp_path)
    # The usable area shrank: the window is configured to it and moved below the bar.
    line = wait_for_line(
        proc, lambda line: line.startswith(f"toplevel-configure 640 {480 - BAR_HEIGHT} ")
    )
    assert "maximized" in line
    view = wait_for(
        lambda: next(
            (v for v in compositor.views() if v["app_id"] == "test.max-then-bar" and v["y"]),
            None,
        ),
        10,
        what="the window below the bar",
    )
    assert (view["x"], view["y"]) == (0, BAR_HEIGHT)


@needs("slurp", "grim")
def test_slurp_selects_a_region_and_grim_captures_exactly_it(compositor, tmp_path):
    _, view = solid_window(compositor, "3366cc", "test.under-selection")
    before = compositor.screenshot()
    slurp = compositor.spawn(["slurp"], text=True)
    selection = wait_for_layer(compositor, "selection")
    assert (selection["layer"], selection["width"], selection["height"]) == ("overlay", 640, 480)
    # A drag across the window's bottom-right corner, as a user selects a region: from
    # start to start + (100, 70).
    start = (view["x"] + view["width"] - 24, view["y"] + view["height"] - 24)
    compositor.ctl_ok("pointer-move", x=start[0], y=start[1])
    compositor.ctl_ok("pointer-button", pressed=True)
    for step in range(1, 5):
        compositor.ctl_ok("pointer-move", x=start[0] + 25 * step, y=start[1] + 70 * step // 4)
    compositor.ctl_ok("pointer-button", pressed=False)
    region, _ = slurp.communicate(timeout=10)
    # slurp's region includes both the press and the release position.
    assert region.strip() == f"{start[0]},{start[1]} 101x71"
    assert slurp.returncode == 0
    wait_for(lambda: layers(compositor)["surfaces"] == [], 10, what="slurp's overlay to go")
    path = tmp_path / "region.png"
    grabbed = compositor.run_client(["grim", "-g", region.strip(), str(path)])
    assert grabbed.returncode == 0, grabbed.stderr
    from PIL import Image, ImageChops

    image = Image.open(path).convert("RGB")
    assert image.size == (101, 71)
    expected = before.crop((start[0], start[1], start[0] + 101, start[1] + 71))
    assert ImageChops.difference(image, expected).getbbox() is None
    # It holds the window's corner: blue inside, the background outside.
    assert image.getpixel((0, 0)) == rgb("3366cc") and image.getpixel((100, 70)) == (0, 0, 0)
