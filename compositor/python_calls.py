"""How often C calls into Python, for the ``stats`` command's ``python_calls``.

Every listener (:mod:`compositor.listeners`), event-loop callback
(:mod:`compositor.wayland_fixes`) and frame-loop hook (:mod:`compositor.output`) is entered
through here or counted in C, so a test can check that the steady-state frame path runs no
Python at all: the count does not move while clients animate and nothing asked for frames.
The control socket's own callbacks are not counted (asking would move the count).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

entered = 0


def counted(function: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(function)
    def enter(*args: Any) -> Any:
        global entered
        entered += 1
        return function(*args)

    return enter
