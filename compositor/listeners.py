"""Listeners owned by one object, connected and removed together.

Every wlroots listener lives beside its handler in the object that owns it; that object
connects them with :meth:`Listeners.connect` and removes them all with
:meth:`Listeners.remove_all` when it dies, so no signal ever calls into a dead object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pywayland.server import Listener, Signal

Handler = Callable[[Listener, Any], None]


class Listeners:
    def __init__(self, *pairs: tuple[Signal, Handler]) -> None:
        self._listeners: list[Listener] = []
        for signal, handler in pairs:
            self.connect(signal, handler)

    def connect(self, signal: Signal, handler: Handler) -> None:
        listener = Listener(handler)
        signal.add(listener)
        self._listeners.append(listener)

    def remove_all(self) -> None:
        for listener in self._listeners:
            listener.remove()
        self._listeners = []
