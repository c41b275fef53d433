"""Clients that take input from the compositor: keyboard-shortcuts-inhibit (remote
desktops, VMs: the compositor's bindings reach the client as keys while it is focused) and
wlr-input-inhibitor (lock screens: input goes to that client only). Ctrl+Alt+BackSpace stays
the way out in both."""

from __future__ import annotations

from tests.helpers import solid_window, sync, wait_for_line
from tests.input.test_pointer_constraints import command, input_window, protocols
from tests.waiting import wait_for

ALT, F4, TAB, BACKSPACE, CTRL = 56, 62, 15, 14, 29


def alt_f4(comp) -> None:
    comp.ctl_ok("key", key="Alt_L", pressed=True)
    comp.ctl_ok("key", key="F4")
    comp.ctl_ok("key", key="Alt_L", pressed=False)


def keys(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("key ")]


def focused(comp) -> str | None:
    return next((v["app_id"] for v in comp.views() if v["focused"]), None)


def test_alt_f4_reaches_a_client_that_inhibits_shortcuts(compositor):
    proc, _ = input_window(compositor, "test.vm", "--shortcuts-inhibit")
    wait_for_line(proc, lambda line: line == "shortcuts-active")  # focused: active
    assert protocols(compositor)["shortcuts_inhibitors"] == [{"active": True}]
    alt_f4(compositor)
    lines, _ = sync(proc)
    assert keys(lines) == [f"key {ALT} 1", f"key {F4} 1", f"key {F4} 0", f"key {ALT} 0"]
    assert "close" not in lines and focused(compositor) == "test.vm"
    # Another window takes the focus: the inhibitor is inactive, bindings work there.
    other, _ = solid_window(compositor, "00ff00", "test.other")
    wait_for_line(proc, lambda line: line == "shortcuts-inactive")
    alt_f4(compositor)
    wait_for_line(other, lambda line: line == "close")
    # The client drops its inhibitor: Alt+F4 closes it too.
    other.wait(10)
    wait_for(lambda: focused(compositor) == "test.vm", 10, what="the focus to come back")
    wait_for_line(proc, lambda line: line == "shortcuts-active")
    command(proc, "shortcuts-uninhibit")
    sync(proc)
    alt_f4(compositor)
    wait_for_line(proc, lambda line: line == "close")


def test_ctrl_alt_backspace_still_quits_while_shortcuts_are_inhibited(compositor):
    proc, _ = input_window(compositor, "test.vm", "--shortcuts-inhibit")
    wait_for_line(proc, lambda line: line == "shortcuts-active")
    compositor.ctl_ok("key", key="Control_L", pressed=True)
    compositor.ctl_ok("key", key="Alt_L", pressed=True)
    compositor.ctl_ok("key", key="BackSpace", pressed=True)
    assert compositor.proc.wait(15) == 0
    assert "key binding: quit" in compositor.log()


def test_while_a_client_inhibits_input_only_it_gets_input(compositor):
    other, other_view = solid_window(compositor, "ff0000", "test.behind", size="400x300")
    wait_for_line(other, lambda line: line == "keyboard-enter")
    locker, locker_view = input_window(compositor, "test.locker", "--input-inhibit")
    wait_for_line(other, lambda line: line == "keyboard-leave")
    wait_for(lambda: protocols(compositor)["input_inhibited"], 10, what="the inhibitor")
    wait_for_line(locker, lambda line: line == "keyboard-enter")
    # A click on the other window (where the locker does not cover it) reaches nobody
    # and focuses nothing.
    x, y = other_view["x"] + 390, other_view["y"] + 290
    compositor.ctl_ok("pointer-move", x=x, y=y)
    compositor.ctl_ok("pointer-button")
    compositor.ctl_ok("type", text="ab")
    alt_f4(compositor)  # no binding runs: the locker gets the keys
    other_lines, _ = sync(other)
    after_leave = other_lines[other_lines.index("keyboard-leave") :]
    assert not [line for line in after_leave if line.split()[0] in ("enter", "button", "key")]
    locker_lines, _ = sync(locker)
    assert keys(locker_lines) == [
        "key 30 1",
        "key 30 0",
        "key 48 1",
        "key 48 0",
        f"key {ALT} 1",
        f"key {F4} 1",
        f"key {F4} 0",
        f"key {ALT} 0",
    ]
    assert "close" not in locker_lines and focused(compositor) == "test.locker"
    # The lock ends: input goes where it points again.
    command(locker, "input-uninhibit")
    wait_for(lambda: not protocols(compositor)["input_inhibited"], 10, what="the lock to end")
    compositor.ctl_ok("pointer-move", x=x - 1, y=y)
    compositor.ctl_ok("pointer-button")
    wait_for_line(other, lambda line: line == "button 272 1")
    assert focused(compositor) == "test.behind"
