"""Idle (org_kde_kwin_idle) with swayidle 1.8, and idle-inhibit v1 with a real client.

swayidle runs ``timeout 1 'echo idle >> LOG' resume 'echo resume >> LOG'``: every idle
period of a second adds ``idle``, the first input after it ``resume``. Each kind of input
(pointer motion, button, scroll, key, a virtual keyboard) must resume it. An idle inhibitor
on a drawn surface stops the timers (``pydrm-ctl idle`` shows them stopped); hiding the
window (minimize) or dropping the inhibitor lets idle come.
"""

from __future__ import annotations

import sys
from pathlib import Path
from subprocess import PIPE

from tests.conftest import needs
from tests.helpers import wait_for_line
from tests.input.test_pointer_constraints import command, input_window
from tests.waiting import wait_for


def start_swayidle(comp, log: Path):
    return comp.spawn(
        [
            "swayidle",
            "-w",
            "timeout",
            "1",
            f"echo idle >> {log}",
            "resume",
            f"echo resume >> {log}",
        ],
        text=True,
    )


def events(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


def wait_events(log: Path, expected: list[str], timeout: float = 10) -> None:
    wait_for(lambda: events(log) == expected, timeout, what=f"swayidle's log to be {expected}")


def idle(comp) -> dict:
    return comp.ctl_ok("idle")


@needs("swayidle", "wtype")
def test_swayidle_goes_idle_and_every_kind_of_input_resumes_it(compositor, tmp_path):
    log = tmp_path / "swayidle.log"
    start_swayidle(compositor, log)
    inputs = [
        lambda: compositor.ctl_ok("pointer-move", x=100, y=100),
        lambda: compositor.ctl_ok("pointer-button", button=0x110),
        lambda: compositor.ctl_ok("pointer-gesture", kind="hold", phase="begin"),
        lambda: compositor.ctl_ok("key", key="Shift_L"),
        # A virtual keyboard (zwp_virtual_keyboard_v1) is input like any other.
        lambda: compositor.run_client(["wtype", "-k", "Shift_L"]),
    ]
    expected: list[str] = []
    for send_input in inputs:
        expected.append("idle")
        wait_events(log, expected)
        assert idle(compositor)["timers"] == [{"timeout_ms": 1000, "idle": True, "running": True}]
        activity = idle(compositor)["activity"]
        send_input()
        expected.append("resume")
        wait_events(log, expected)
        assert idle(compositor)["activity"] > activity


@needs("swayidle")
def test_an_inhibitor_on_a_drawn_surface_stops_idle(compositor, tmp_path):
    proc, _ = input_window(compositor, "test.video", "--idle-inhibit")
    state = wait_for(lambda: (s := idle(compositor))["inhibited"] and s, 10, what="inhibition")
    assert [i["drawn"] for i in state["inhibitors"]] == [True]
    log = tmp_path / "swayidle.log"
    start_swayidle(compositor, log)
    # The timer swayidle made exists and does not run while the inhibitor is shown.
    timers = wait_for(lambda: idle(compositor)["timers"], 10, what="swayidle's timer")
    assert timers == [{"timeout_ms": 1000, "idle": False, "running": False}]
    # Minimized, the window is not drawn: its inhibitor counts for nothing, idle comes.
    command(proc, "minimize")
    wait_events(log, ["idle"])
    state = idle(compositor)
    assert not state["inhibited"] and [i["drawn"] for i in state["inhibitors"]] == [False]
    # Brought back (Alt+Tab): inhibited again; the key that did it was activity too.
    compositor.ctl_ok("key", key="Alt_L", pressed=True)
    compositor.ctl_ok("key", key="Tab")
    compositor.ctl_ok("key", key="Alt_L", pressed=False)
    wait_events(log, ["idle", "resume"])
    assert idle(compositor)["inhibited"]
    assert idle(compositor)["timers"][0]["running"] is False
    # The client drops its inhibitor: the timer runs again, and fires.
    command(proc, "idle-uninhibit")
    wait_events(log, ["idle", "resume", "idle"])
    assert idle(compositor) | {"activity": 0} == {
        "ok": True,
        "inhibited": False,
        "inhibitors": [],
        "timers": [{"timeout_ms": 1000, "idle": True, "running": True}],
        "activity": 0,
    }


def test_an_inhibitor_of_a_closed_window_goes_with_it(compositor):
    proc, _ = input_window(compositor, "test.closing", "--idle-inhibit")
    wait_for(lambda: idle(compositor)["inhibited"], 10, what="inhibition")
    proc.terminate()
    proc.wait(10)
    wait_for(lambda: not idle(compositor)["inhibited"], 10, what="the inhibition to end")
    assert idle(compositor)["inhibitors"] == []


def test_an_inhibitor_on_a_layer_surface_follows_its_mapping(compositor):
    client = compositor.spawn(
        [sys.executable, "-m", "tests.clients.layer_inhibitor"], text=True, stdin=PIPE
    )
    wait_for_line(client, lambda line: line == "mapped")
    wait_for(lambda: idle(compositor)["inhibited"], 10, what="inhibition by the layer surface")
    command(client, "unmap")  # a null buffer unmaps a layer surface
    wait_for(lambda: not idle(compositor)["inhibited"], 10, what="the unmapped surface")
    assert [i["drawn"] for i in idle(compositor)["inhibitors"]] == [False]
    # The layer surface object goes before the wl_surface and the inhibitor.
    command(client, "destroy-layer")
    command(client, "sync 1")
    wait_for_line(client, lambda line: line == "synced 1")
    assert not idle(compositor)["inhibited"]
    command(client, "uninhibit")
    wait_for(lambda: idle(compositor)["inhibitors"] == [], 10, what="the inhibitor to go")
