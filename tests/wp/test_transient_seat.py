"""ext_transient_seat_manager_v1 (ffi/csrc/transient_seat.c): offered, and a request for
a transient seat is denied (the compositor has one seat), the client going on with it."""

from __future__ import annotations

import sys


def test_a_transient_seat_is_denied(compositor):
    result = compositor.run_client([sys.executable, "-m", "tests.clients.transient_seat"])
    assert (result.returncode, result.stdout) == (0, "denied\n"), result.stderr
    # The compositor goes on, with its one seat.
    assert [c["pid"] for c in compositor.ctl_ok("clients")["clients"]] == []
    assert compositor.ctl_ok("ping")
