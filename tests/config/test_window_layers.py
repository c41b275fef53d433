"""Window layers: ``rule(..., above=True)`` / ``below=True`` in the configuration file and
the ``set-layer`` command keep a window over or under every normal window.

Real compositors started with ``--config FILE``, real clients (tests/clients/solid_window.py,
the X11 probe through Xwayland), real clicks on the headless pointer. The oracles are the
test's own: the order ``views`` lists (bottom to top), the colour of the pixel where two
windows overlap in a screenshot, and for X11 the order the X server stacks the windows in.
"""

from __future__ import annotations

from tests.config.test_config_file import keys, start, view, write_config
from tests.conftest import needs
from tests.harness import wait_for
from tests.helpers import rgb, solid_window, sync, wait_for_line
from tests.xwayland.test_xwayland import needs_xlib, probe_view, x_stacking

RED, GREEN, BLUE = "cc2222", "22aa44", "2244cc"
# Three 200x150 windows placed by rules so that each overlaps the next one.
ABOVE_AT, NORMAL_AT, BELOW_AT = (100, 100), (150, 150), (200, 200)
PARK = (630, 470)  # the pointer, away from the windows before a screenshot


def order(comp) -> list[str]:
    """The mapped windows' app ids, bottom to top."""
    return [v["app_id"] for v in comp.views() if v["mapped"]]


def pixel(comp, x: int, y: int) -> tuple[int, int, int]:
    comp.ctl_ok("pointer-move", x=PARK[0], y=PARK[1])
    return comp.screenshot().getpixel((x, y))[:3]


def click(comp, x: int, y: int) -> None:
    comp.ctl_ok("pointer-move", x=x, y=y)
    comp.ctl_ok("pointer-button", button=0x110)


def focused(comp) -> str | None:
    return next((v["app_id"] for v in comp.views() if v["focused"]), None)


LAYER_RULES = f"""
    rule(app_id="test.above", above=True, position={ABOVE_AT})
    rule(app_id="test.normal", position={NORMAL_AT})
    rule(app_id="test.below", below=True, position={BELOW_AT})
    """


def three_windows(comp) -> dict:
    """The above, normal and below windows, opened in that order (each newer one focused);
    returns the procs by app id."""
    procs = {}
    for app_id, color in (("test.above", RED), ("test.normal", GREEN), ("test.below", BLUE)):
        procs[app_id], _ = solid_window(comp, color, app_id)
        wait_for(lambda app_id=app_id: focused(comp) == app_id, what=f"{app_id} focused")
    return procs


# Where two windows overlap: above and normal (100..300 x 100..250 and 150..350 x 150..300),
# normal and below only (150..350 x 150..300 and 200..400 x 200..350, outside the above one).
ABOVE_OVER_NORMAL = (170, 170)
NORMAL_OVER_BELOW = (320, 280)


def test_above_and_below_rules_hold_through_focus_clicks_and_reload(make_compositor, tmp_path):
    comp, config = start(make_compositor, tmp_path, LAYER_RULES)
    three_windows(comp)
    # Each newer one was focused as it opened, yet the layers hold: below, normal, above.
    assert order(comp) == ["test.below", "test.normal", "test.above"]
    layers = {v["app_id"]: v["layer"] for v in comp.views()}
    assert layers == {"test.above": "above", "test.normal": "normal", "test.below": "below"}
    assert pixel(comp, *ABOVE_OVER_NORMAL) == rgb(RED)
    assert pixel(comp, *NORMAL_OVER_BELOW) == rgb(GREEN)

    # A click on the normal window's own corner focuses it and raises it, not over the
    # above window.
    click(comp, 340, 160)
    wait_for(lambda: focused(comp) == "test.normal", what="the normal window focused")
    assert order(comp) == ["test.below", "test.normal", "test.above"]
    assert pixel(comp, *ABOVE_OVER_NORMAL) == rgb(RED)

    # A click on the below window: focused, raised among the below windows only.
    click(comp, 390, 340)
    wait_for(lambda: focused(comp) == "test.below", what="the below window focused")
    assert order(comp) == ["test.below", "test.normal", "test.above"]
    assert pixel(comp, *NORMAL_OVER_BELOW) == rgb(GREEN)

    # The above window, focused and then left for the normal one, stays above.
    click(comp, 110, 110)
    wait_for(lambda: focused(comp) == "test.above", what="the above window focused")
    click(comp, 340, 160)
    wait_for(lambda: focused(comp) == "test.normal", what="the normal window again")
    assert pixel(comp, *ABOVE_OVER_NORMAL) == rgb(RED)

    # A reload without the layers: both windows are normal again, in the order they were,
    # and a click raises either over the other.
    write_config(config, f'rule(app_id="test.normal", position={NORMAL_AT})\n')
    assert comp.ctl_ok("reload")["loaded"]
    assert {v["layer"] for v in comp.views()} == {"normal"}
    assert order(comp) == ["test.below", "test.normal", "test.above"]
    click(comp, 390, 340)
    wait_for(lambda: order(comp)[-1] == "test.below", what="the old below window raised")
    assert pixel(comp, *NORMAL_OVER_BELOW) == rgb(BLUE)
    click(comp, 340, 160)
    wait_for(lambda: order(comp)[-1] == "test.normal", what="the normal window raised")
    assert pixel(comp, *ABOVE_OVER_NORMAL) == rgb(GREEN)

    # And a reload that brings a layer rule back applies it to the windows already there.
    write_config(config, 'rule(app_id="test.below", below=True)\n')
    assert comp.ctl_ok("reload")["loaded"]
    assert order(comp)[0] == "test.below" and view(comp, "test.below")["layer"] == "below"


def test_a_dialog_stays_over_its_parent_and_under_the_above_window(make_compositor, tmp_path):
    comp, _ = start(make_compositor, tmp_path, LAYER_RULES)
    solid_window(comp, RED, "test.above")
    parent, _ = solid_window(comp, GREEN, "test.normal", size="300x200")
    parent.stdin.write("dialog 2244cc 120x80\n")
    parent.stdin.flush()
    dialog = comp.wait_for_view("test.normal.dialog")
    sync(parent)
    assert order(comp) == ["test.normal", "test.normal.dialog", "test.above"]
    assert dialog["layer"] == "normal"
    # The parent clicked: its dialog stays right above it, both under the above window.
    click(comp, 440, 330)
    wait_for(lambda: focused(comp) in ("test.normal", "test.normal.dialog"), what="parent")
    assert order(comp) == ["test.normal", "test.normal.dialog", "test.above"]
    # The parent kept above: its dialog goes with it, still above it.
    comp.ctl_ok("set-layer", app_id="test.normal", layer="above")
    assert order(comp) == ["test.above", "test.normal", "test.normal.dialog"]


def test_set_layer_from_the_control_socket_and_a_binding(make_compositor, tmp_path):
    comp, config = start(
        make_compositor,
        tmp_path,
        f"""
        rule(app_id="test.normal", position={NORMAL_AT})
        rule(app_id="test.above", position={ABOVE_AT})
        bind("Super+a", cmd.set_layer("above"))
        bind("Super+n", cmd.set_layer(layer="normal"))
        """,
    )
    solid_window(comp, RED, "test.above")
    solid_window(comp, GREEN, "test.normal")
    assert order(comp) == ["test.above", "test.normal"]
    assert pixel(comp, *ABOVE_OVER_NORMAL) == rgb(GREEN)

    reply = comp.ctl_ok("set-layer", app_id="test.above", layer="above")
    assert reply["layer"] == "above" and reply["id"] == view(comp, "test.above")["id"]
    assert order(comp) == ["test.normal", "test.above"]
    assert pixel(comp, *ABOVE_OVER_NORMAL) == rgb(RED)
    # Focus does not undo it; a reload that changes nothing of its rules neither.
    comp.ctl_ok("focus", app_id="test.normal")
    assert comp.ctl_ok("reload")["loaded"]
    assert order(comp) == ["test.normal", "test.above"]

    # The bindings act on the focused window (the normal one).
    keys(comp, "Super_L", "a")
    wait_for(lambda: view(comp, "test.normal")["layer"] == "above", what="Super+a")
    assert order(comp) == ["test.above", "test.normal"]  # the newer above one on top
    keys(comp, "Super_L", "n")
    wait_for(lambda: view(comp, "test.normal")["layer"] == "normal", what="Super+n")
    assert order(comp) == ["test.normal", "test.above"]

    for bad, words in (({"layer": "top"}, "layer takes one of"), ({}, "layer takes one of")):
        reply = comp.ctl("set-layer", **bad)
        assert not reply["ok"] and words in reply["error"], reply
    reply = comp.ctl("set-layer", app_id="nobody", layer="above")
    assert not reply["ok"] and "no window with" in reply["error"], reply
    write_config(config, 'rule(app_id="x", above=True, below=True)\n')
    reply = comp.ctl("reload")
    assert not reply["ok"] and f"{config}:1: " in reply["error"], reply
    assert "not both" in reply["error"]


@needs("Xwayland", "xwininfo", "xprop")
@needs_xlib
def test_an_x11_window_kept_above_by_its_class(make_compositor, tmp_path):
    comp, _ = start(make_compositor, tmp_path, 'rule(x11_class="test.xabove", above=True)\n')
    red, red_view = probe_view(
        comp, "test.xabove", "--color", "ff0000", "--size", "200x150", "--position", "50,50"
    )
    green, green_view = probe_view(
        comp, "test.xgreen", "--color", "00ff00", "--size", "200x150", "--position", "150,100"
    )
    pair = {red_view["x11_window"]: "red", green_view["x11_window"]: "green"}
    overlap = (200, 150)
    # The green window opened last and has the focus, yet it is under the red one: on the
    # screen, in our order and in the X server's.
    wait_for_line(green, lambda line: line == "focus in")
    assert view(comp, "test.xabove")["layer"] == "above"
    assert order(comp) == ["test.xgreen", "test.xabove"]
    wait_for(lambda: pixel(comp, *overlap) == (255, 0, 0), 15, what="red over green")
    assert x_stacking(comp, pair) == ["green", "red"]
    # Clicks on each: the focus moves, the stacking stays.
    click(comp, 60, 60)
    wait_for_line(red, lambda line: line == "focus in")
    click(comp, 340, 240)
    wait_for_line(green, lambda line: line == "focus in")
    assert order(comp) == ["test.xgreen", "test.xabove"]
    assert x_stacking(comp, pair) == ["green", "red"]
    assert pixel(comp, *overlap) == (255, 0, 0)


@needs("swaybg", "grim")
def test_a_below_window_stays_above_the_wallpaper(make_compositor, tmp_path):
    from tests.shell.test_layer_shell import WALLPAPER, wait_for_layer

    comp, _ = start(make_compositor, tmp_path, LAYER_RULES)
    comp.spawn(["swaybg", "-c", f"#{WALLPAPER}"])
    wait_for_layer(comp, "wallpaper")
    solid_window(comp, BLUE, "test.below")
    wait_for(lambda: pixel(comp, 630, 10) == rgb(WALLPAPER), 20, what="the wallpaper")
    # Under every normal window, not under the background layer-shell surfaces.
    assert pixel(comp, 390, 340) == rgb(BLUE)
