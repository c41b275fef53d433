"""A virtual keyboard's memory goes with it: wlroots 0.15 never frees the wlr_keyboard of a
zwp_virtual_keyboard_v1 (352 bytes per wtype run, on-screen keyboard or IME, for the whole
session); the compositor frees it once the keyboard is gone (ffi/csrc/virtual_keyboard.h).

Run as usual, the test is the life of such keyboards under MALLOC_PERTURB_: typed into a
focused window, gone, and the focus moved after (any read of a freed keyboard reads
garbage). Under valgrind (scripts/memcheck.sh with PYDRM_MEMCHECK_LEAKS=1) it also reads its
compositor's memcheck log: no block that a client's request allocated is definitely lost at
exit (without the fix: ``2,112 bytes in 6 blocks`` for 6 wtype runs)."""

from __future__ import annotations

from tests.conftest import needs
from tests.harness import memcheck_lost_in_requests
from tests.helpers import solid_window, wait_for_line
from tests.waiting import wait_for

RUNS = 6


def keyboards(comp) -> int:
    return comp.ctl_ok("stats", objects=0)["keyboards"]


@needs("wtype")
def test_virtual_keyboards_typing_then_gone_leave_nothing_behind(make_compositor):
    comp = make_compositor()
    first, _ = solid_window(comp, "3366cc", "test.first")
    second, _ = solid_window(comp, "cc6633", "test.second")
    baseline = keyboards(comp)
    for run in range(RUNS):
        typed = comp.run_client(["wtype", "a"])
        assert typed.returncode == 0, typed.stderr
        wait_for(lambda: keyboards(comp) == baseline, 20, what=f"wtype {run}'s keyboard gone")
        # The focus moves after the keyboard went: the seat sends the modifiers of the
        # keyboard it has now, never of the freed one.
        target = "test.first" if run % 2 == 0 else "test.second"
        view_id = next(v["id"] for v in comp.views() if v["app_id"] == target)
        comp.ctl_ok("focus", id=view_id)
    wait_for_line(first, lambda line: line.startswith("key "), 20)  # typing reached a window
    pid = comp.pid
    comp.stop()
    lost = memcheck_lost_in_requests(pid)
    assert not lost, "\n\n".join(lost)
