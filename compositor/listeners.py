"""Listeners owned by one object, connected and removed together.

Every wlroots listener lives beside its handler in the object that owns it; that object
connects them with :meth:`Listeners.connect` and removes them all with
:meth:`Listeners.remove_all` when it dies, so no signal ever calls into a dead object and
nothing the handlers reach is kept alive by the signal (pywayland's own ``Listener.remove``
leaves it in the signal's Python list: see :func:`compositor.wayland_fixes.remove_listener`).

Python listeners on wlroots' signals are connected here and nowhere else
(:attr:`Listeners.live` counts the ones connected and not yet removed, process-wide, for the
``stats`` control command). The exceptions are on libwayland's own signals, outside that
count: a wl_client's destroy (wl_drm's per-client state, the configuration file's
``client_gone`` hook), which goes with the client, and wl_display's client-created (the
``client_connected`` hook, through ctypes: pywayland does not bind it), removed when no hook
wants it. The hot paths listen in C instead (the frame loop, pointer motion, keys:
ffi/csrc/frame_loop.h, pointer_motion.h, keyboard_keys.h).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from pywayland.server import Listener, Signal

from compositor import python_calls
from compositor.wayland_fixes import remove_listener

Handler = Callable[[Listener, Any], None]


class Listeners:
    live: ClassVar[int] = 0

    def __init__(self, *pairs: tuple[Signal, Handler]) -> None:
        self._listeners: list[Listener] = []
        for signal, handler in pairs:
            self.connect(signal, handler)

    def connect(self, signal: Signal, handler: Handler) -> Listener:
        python_calls.install()  # the first listener: count every entry from C from now on
        listener = Listener(handler)
        signal.add(listener)
        self._listeners.append(listener)
        Listeners.live += 1
        return listener

    def remove(self, listener: Listener) -> None:
        """Remove one listener this object connected (no-op when already removed)."""
        if listener in self._listeners:
            self._listeners.remove(listener)
            remove_listener(listener)
            Listeners.live -= 1

    def remove_all(self) -> None:
        listeners, self._listeners = self._listeners, []
        for listener in listeners:
            remove_listener(listener)
        Listeners.live -= len(listeners)

    def __len__(self) -> int:
        return len(self._listeners)
