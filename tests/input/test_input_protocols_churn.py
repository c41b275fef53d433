"""Endurance of the input and taskbar protocols: clients that lock and confine the pointer,
inhibit idle, shortcuts and input, type through an input method, watch tablets, and a
taskbar watching them, come and go (half of them killed), and the compositor's live counts
and Python objects come back to the baseline exactly (the method of
tests/robustness/test_endurance.py)."""

from __future__ import annotations

import signal
import sys
from subprocess import PIPE

from tests.helpers import wait_for_line
from tests.robustness.test_endurance import assert_back_to, stats, wait_until_no_clients
from tests.shell.test_foreign_toplevel import start_taskbar

WINDOWS = (
    ("--lock", "--relative", "--gestures", "--shortcuts-inhibit", "--idle-inhibit"),
    ("--confine", "10,10,50,50", "--relative", "--idle-inhibit"),
    ("--input-inhibit", "--lock", "--text-input"),
)


def generation(comp) -> None:
    bar = start_taskbar(comp)
    ime = comp.spawn([sys.executable, "-m", "tests.clients.ime"], text=True, stdin=PIPE)
    tablets = comp.spawn([sys.executable, "-m", "tests.clients.tablet_seat"], text=True, stdin=PIPE)
    wait_for_line(tablets, lambda line: line == "tablet-added 1", timeout=30)
    layer = comp.spawn(
        [sys.executable, "-m", "tests.clients.layer_inhibitor"], text=True, stdin=PIPE
    )
    wait_for_line(layer, lambda line: line == "mapped", timeout=30)
    procs = []
    for i, options in enumerate(WINDOWS):
        argv = [sys.executable, "-m", "tests.clients.input_window", "--app-id", f"test.c{i}"]
        procs.append(comp.spawn([*argv, *options], text=True))
        wait_for_line(procs[-1], lambda line: line.startswith("mapped"), timeout=60)
    for i in range(len(WINDOWS)):
        wait_for_line(bar, lambda line, i=i: f"app_id=test.c{i}" in line.split(), timeout=30)
    comp.ctl_ok("pointer-move", x=60, y=60)
    comp.ctl_ok("pointer-move", x=80, y=70)
    # The pen: its tool reaches the tablet client's seat (made once, at the first event).
    comp.ctl_ok("tablet-pen", x=80, y=70, tip="down", pressure=0.3)
    comp.ctl_ok("tablet-pen", x=90, y=75, tip="up", proximity="out")
    wait_for_line(tablets, lambda line: line == "tool 1 done", timeout=30)
    live = comp.ctl_ok("input-protocols")
    assert live["constraints"] == 3 and live["input_inhibited"]
    assert comp.ctl_ok("idle")["inhibitors"]
    wait_for_line(procs[-1], lambda line: line == "ti-enter", timeout=30)
    wait_for_line(ime, lambda line: line == "activate", timeout=30)
    for i, proc in enumerate([*procs, bar, ime, tablets, layer]):
        proc.send_signal(signal.SIGKILL if i % 2 else signal.SIGTERM)


def test_input_protocol_clients_leave_nothing(compositor):
    compositor.ctl_ok("tablet-add")  # stays: each generation's tablet client sees it
    generation(compositor)  # warm-up: first-use imports
    wait_until_no_clients(compositor)
    baseline = stats(compositor)
    for _ in range(3):
        generation(compositor)
        wait_until_no_clients(compositor)
    assert_back_to(compositor, baseline)
    state = compositor.ctl_ok("input-protocols")
    assert (state["constraints"], state["active"], state["input_inhibited"]) == (0, None, False)
    assert compositor.ctl_ok("idle")["inhibitors"] == []
