"""Polling with a deadline: the one wait loop the host tests and the VM guest scripts share.

No dependencies beyond the standard library, so guest scripts can import it cheaply.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

# Every wait is this many times longer: scripts/memcheck.sh runs the compositor under
# valgrind, some 20 to 50 times slower.
TIMEOUT_SCALE = float(os.environ.get("PYDRM_TIMEOUT_SCALE", "1"))


def wait_for(
    predicate: Callable[[], Any],
    timeout: float = 10.0,
    interval: float = 0.05,
    what: str = "condition",
) -> Any:
    """Call ``predicate`` until it returns something truthy (returned), or time out."""
    deadline = time.monotonic() + timeout * TIMEOUT_SCALE
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
