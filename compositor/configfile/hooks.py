"""The configuration file's hooks: its functions called at events.

An event with no hook costs nothing: its observer (on the window manager's
``view_changed_observers`` or ``focus_observers``, the output manager's lists, or a
listener on the display's client-created signal) exists only while a hook of that event
is registered and enabled. A hook runs under a time limit; one that raises is logged with
its traceback (from the hook's own frame) and, after :data:`MAX_FAILURES` failures,
disabled (its observer goes when no hook of the event is left).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pywayland import ffi as wl_ffi
from pywayland import lib as wl_lib
from pywayland.server import Listener

from compositor import python_calls
from compositor.configfile.loader import time_limit, user_traceback
from compositor.wayland_fixes import remove_listener

if TYPE_CHECKING:
    from pywayland.server import Display

    from compositor.output import OutputManager, ServerOutput
    from compositor.shell.view import View
    from compositor.shell.window_manager import WindowManager

log = logging.getLogger(__name__)

MAX_FAILURES = 3
_VIEW_EVENTS = {"mapped": "window_mapped", "unmapped": "window_unmapped", "title": "window_title"}


@dataclass
class Hook:
    event: str
    function: Callable[..., Any]
    calls: int = 0
    failures: int = 0
    disabled: bool = False

    @property
    def name(self) -> str:
        code = getattr(self.function, "__code__", None)
        where = f" ({code.co_filename}:{code.co_firstlineno})" if code is not None else ""
        return f"{getattr(self.function, '__name__', repr(self.function))}{where}"


class Hooks:
    def __init__(self, display: Display, wm: WindowManager, outputs: OutputManager) -> None:
        self.display = display
        self.wm = wm
        self.outputs = outputs
        self.hooks: dict[str, list[Hook]] = {}
        self._created: Listener | None = None
        self._clients: dict[int, Listener] = {}  # wl_client address -> its destroy listener

    # -- registering ----------------------------------------------------------------------

    def set(self, hooks: dict[str, list[Callable[..., Any]]]) -> None:
        self.hooks = {
            event: [Hook(event, f) for f in functions] for event, functions in hooks.items()
        }
        self._sync()

    def clear(self) -> None:
        self.set({})

    def destroy(self) -> None:
        self.clear()

    def active(self, event: str) -> bool:
        return any(not hook.disabled for hook in self.hooks.get(event, ()))

    def _sync(self) -> None:
        """Observers for exactly the events that have an enabled hook."""
        _toggle(
            self.wm.view_changed_observers,
            self._on_view_changed,
            any(self.active(e) for e in _VIEW_EVENTS.values()),
        )
        _toggle(self.wm.focus_observers, self._on_focus, self.active("window_focused"))
        _toggle(self.outputs.added, self._on_output_added, self.active("output_added"))
        _toggle(self.outputs.changed, self._on_outputs_changed, self.active("output_removed"))
        clients = self.active("client_connected") or self.active("client_gone")
        if clients and self._created is None:
            self._listen_clients()
        elif not clients and self._created is not None:
            remove_listener(self._created)
            self._created = None
            for listener in self._clients.values():
                remove_listener(listener)
            self._clients.clear()

    # -- running --------------------------------------------------------------------------

    def fire(self, event: str, argument: dict[str, Any]) -> None:
        disabled_one = False
        for hook in self.hooks.get(event, ()):
            if hook.disabled:
                continue
            hook.calls += 1
            try:
                with time_limit():
                    hook.function(argument)
            except Exception as exc:
                hook.failures += 1
                _, details = user_traceback(exc)
                log.error(
                    "config hook %s for %s failed (%d of %d):\n%s",
                    hook.name,
                    event,
                    hook.failures,
                    MAX_FAILURES,
                    details.rstrip(),
                )
                if hook.failures >= MAX_FAILURES:
                    hook.disabled = True
                    disabled_one = True
                    log.error("config hook %s disabled after %d failures", hook.name, MAX_FAILURES)
        if disabled_one:
            self._sync()

    def _on_view_changed(self, view: View, change: str) -> None:
        event = _VIEW_EVENTS.get(change)
        if event is not None and self.active(event):
            self.fire(event, view.describe())

    def _on_focus(self, view: View) -> None:
        self.fire("window_focused", view.describe())

    def _on_output_added(self, server_output: ServerOutput) -> None:
        self.fire("output_added", server_output.describe())

    def _on_outputs_changed(self, removed: ServerOutput | None) -> None:
        if removed is not None:
            output = removed.output
            self.fire(
                "output_removed",
                {
                    "name": removed.name,
                    "make": output.make,
                    "model": output.model,
                    "serial": output.serial,
                },
            )

    # -- clients --------------------------------------------------------------------------

    def _listen_clients(self) -> None:
        """wl_display's client-created signal (pywayland does not bind it: through ctypes)."""
        import ctypes  # noqa: PLC0415 (only with a client hook)

        python_calls.install()
        listener = Listener(self._on_client_created)
        libwayland = ctypes.CDLL("libwayland-server.so.0")
        add = libwayland.wl_display_add_client_created_listener
        add.argtypes = (ctypes.c_void_p, ctypes.c_void_p)
        add.restype = None
        add(_address(self.display._ptr), _address(listener._ptr))
        self._created = listener

    def _on_client_created(self, listener: Listener, client: Any) -> None:
        pid = wl_ffi.new("pid_t *")
        wl_lib.wl_client_get_credentials(client, pid, wl_ffi.NULL, wl_ffi.NULL)
        address = _address(client)
        gone = Listener(lambda _listener, _data, pid=pid[0]: self._on_client_gone(address, pid))
        wl_lib.wl_client_add_destroy_listener(client, gone._ptr)
        self._clients[address] = gone
        if self.active("client_connected"):
            self.fire("client_connected", {"pid": pid[0]})

    def _on_client_gone(self, address: int, pid: int) -> None:
        listener = self._clients.pop(address, None)
        if listener is not None:
            remove_listener(listener)
        if self.active("client_gone"):
            self.fire("client_gone", {"pid": pid})

    def describe(self) -> dict[str, Any]:
        return {
            event: [
                {"hook": h.name, "calls": h.calls, "failures": h.failures, "disabled": h.disabled}
                for h in hooks
            ]
            for event, hooks in self.hooks.items()
        }


def _toggle(observers: list, observer: Callable[..., Any], wanted: bool) -> None:
    if wanted and observer not in observers:
        observers.append(observer)
    elif not wanted and observer in observers:
        observers.remove(observer)


def _address(cdata: Any) -> int:
    return int(wl_ffi.cast("uintptr_t", cdata))
