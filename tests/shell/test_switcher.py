"""Alt+Tab: most recently used first, with a list on screen while Alt is held.

Three windows focused in the order A, B, C: Alt+Tab goes back to B, Alt+Tab again to C
(not to A, as a cycle in creation order would); Alt+Tab+Tab reaches A; Shift goes back;
Escape changes nothing. The list is seen in a capture while Alt is held, and gone after."""

from __future__ import annotations

from tests.helpers import region_is, rgb, solid_window
from tests.waiting import wait_for

COLORS = {"test.a": "cc3333", "test.b": "33cc33", "test.c": "3333cc"}


def focused(comp) -> str | None:
    return next((v["app_id"] for v in comp.views() if v["focused"]), None)


def three(comp):
    procs = [solid_window(comp, color, app_id) for app_id, color in COLORS.items()]
    assert focused(comp) == "test.c"
    return procs


def alt_tab(comp, tabs: int = 1, shift: bool = False) -> None:
    comp.ctl_ok("key", key="Alt_L", pressed=True)
    if shift:
        comp.ctl_ok("key", key="Shift_L", pressed=True)
    for _ in range(tabs):
        comp.ctl_ok("key", key="Tab")
    if shift:
        comp.ctl_ok("key", key="Shift_L", pressed=False)
    comp.ctl_ok("key", key="Alt_L", pressed=False)


def wait_focused(comp, app_id: str) -> None:
    wait_for(lambda: focused(comp) == app_id, 10, what=f"{app_id} focused")


def test_alt_tab_goes_back_to_the_previous_window_and_returns(compositor):
    three(compositor)
    alt_tab(compositor)
    wait_focused(compositor, "test.b")
    alt_tab(compositor)
    wait_focused(compositor, "test.c")
    alt_tab(compositor, tabs=2)
    wait_focused(compositor, "test.a")
    alt_tab(compositor, tabs=1, shift=True)  # backwards from the previous: the last one
    wait_focused(compositor, "test.b")


def test_the_list_shows_while_alt_is_held_and_escape_cancels(compositor):
    three(compositor)
    before = compositor.screenshot("before")
    compositor.ctl_ok("key", key="Alt_L", pressed=True)
    compositor.ctl_ok("key", key="Tab")
    state = compositor.ctl_ok("input-protocols")["switcher"]
    assert state == {
        "active": True,
        "windows": ["test.c", "test.b", "test.a"],
        "selected": "test.b",
    }
    during = compositor.screenshot("during")
    # A panel in the middle of the output covers what was there (no window's colour,
    # not the picture from before).
    centre = (640 // 2 - 40, 480 // 2 - 10, 80, 20)
    crop = (centre[0], centre[1], centre[0] + centre[2], centre[1] + centre[3])
    assert during.crop(crop).tobytes() != before.crop(crop).tobytes()
    assert not any(region_is(during, centre, rgb(color)) for color in COLORS.values())
    assert focused(compositor) == "test.c"  # nothing switches before Alt is released
    compositor.ctl_ok("key", key="Escape")
    compositor.ctl_ok("key", key="Alt_L", pressed=False)
    assert compositor.ctl_ok("input-protocols")["switcher"]["active"] is False
    assert focused(compositor) == "test.c"
    after = compositor.screenshot("after")
    assert after.crop(crop).tobytes() == before.crop(crop).tobytes()


def test_a_window_closed_while_the_list_is_open(compositor):
    procs = three(compositor)
    compositor.ctl_ok("key", key="Alt_L", pressed=True)
    compositor.ctl_ok("key", key="Tab")  # selects B
    procs[1][0].kill()
    procs[1][0].wait(10)
    wait_for(
        lambda: "test.b" not in compositor.ctl_ok("input-protocols")["switcher"]["windows"],
        10,
        what="B gone from the list",
    )
    compositor.ctl_ok("key", key="Alt_L", pressed=False)
    assert focused(compositor) in ("test.a", "test.c")
    assert compositor.alive()
