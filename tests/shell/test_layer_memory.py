"""A layer surface that goes before it acked its configure leaves nothing behind: wlroots
0.15 frees a layer surface's pending configures only when it unmaps, so one destroyed while
unmapped (a panel killed while it starts, the surfaces of an output that went, which the
compositor configures and closes) kept them for the session (ffi/csrc/layer_configures.h).

Run as usual, the test is those surfaces' end (killed, closed with their output) under
MALLOC_PERTURB_. Under valgrind (scripts/memcheck.sh with PYDRM_MEMCHECK_LEAKS=1) it also
reads its compositor's memcheck log: nothing a client's request allocated is definitely
lost at exit (without the fix: 32 bytes per configure, from wlr_layer_surface_v1_configure)."""

from __future__ import annotations

import subprocess
import sys

from tests.harness import memcheck_lost_in_requests
from tests.helpers import wait_for_line

CLIENTS = 3


def unacked(comp) -> subprocess.Popen:
    argv = [sys.executable, "-m", "tests.clients.layer_unacked"]
    proc = comp.spawn(argv, text=True, stdin=subprocess.PIPE)
    wait_for_line(proc, lambda line: line.startswith("configured "), 20)
    return proc


def test_layer_surfaces_gone_before_their_first_ack_leave_nothing_behind(make_compositor):
    comp = make_compositor(args=["--outputs", "2"], width=320, height=240)
    second = next(o["name"] for o in comp.ctl_ok("outputs")["outputs"] if o["x"] == 320)
    for _ in range(CLIENTS):  # killed while they start
        proc = unacked(comp)
        proc.kill()
        proc.wait()
    # One on the second output, which goes: the compositor arranges it again and closes it.
    comp.ctl_ok("pointer-move", x=320 + 10, y=10)
    closing = unacked(comp)
    comp.ctl_ok("output-remove", name=second)
    wait_for_line(closing, lambda line: line == "closed", 20)
    closing.stdin.close()
    closing.wait()
    pid = comp.pid
    comp.stop()
    lost = memcheck_lost_in_requests(pid)
    assert not lost, "\n\n".join(lost)
