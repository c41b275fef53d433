"""xdg-activation: a token made from the user's input hands the focus over; a token made
without input does not steal it (the window is marked urgent instead)."""

from __future__ import annotations

import sys

from tests.helpers import wait_for_line


def focused(comp) -> str | None:
    return next((v["app_id"] for v in comp.views() if v["focused"]), None)


def urgent(comp) -> set[str]:
    return {v["app_id"] for v in comp.views() if v["urgent"]}


def run_activation(comp, *args: str):
    proc = comp.spawn([sys.executable, "-m", "tests.clients.activation", *args], text=True)
    wait_for_line(proc, lambda line: line == "launcher keyboard-enter", timeout=30)
    return proc


def test_a_token_from_input_hands_the_focus_over(compositor):
    proc = run_activation(compositor, "--from-input")
    wait_for_line(proc, lambda line: line.startswith("token "))
    # The target gets the keyboard back: its second keyboard-enter.
    wait_for_line(proc, lambda line: line == "target keyboard-enter")
    wait_for_line(proc, lambda line: line == "activated")
    assert focused(compositor) == "test.activation.target"


def test_a_token_without_input_does_not_steal_the_focus(compositor):
    proc = run_activation(compositor)
    wait_for_line(proc, lambda line: line == "activated")  # the compositor has handled it
    assert focused(compositor) == "test.activation.launcher"
    assert urgent(compositor) == {"test.activation.target"}
    # Focusing it clears the urgency.
    target = next(v for v in compositor.views() if v["app_id"] == "test.activation.target")
    compositor.ctl_ok("pointer-move", x=target["x"] + 5, y=target["y"] + 5)
    compositor.ctl_ok("pointer-button")
    assert focused(compositor) == "test.activation.target"
    assert urgent(compositor) == set()
