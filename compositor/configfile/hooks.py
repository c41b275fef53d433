"""The configuration file's hooks: its functions called at events.

An event with no hook costs nothing: its observer (on the window manager's
``view_changed_observers`` or ``focus_observers``, the output manager's lists, a
listener on the display's client-created signal, or the copy accounting's report of buffer
kinds in C, ffi/csrc/copy_stats.c) exists only while a hook of that event is registered
and enabled. Buffer hooks run from the event loop's idle time, not inside the surface's
commit that brought the buffer (a hook may close the window). A hook runs under a time
limit; one that raises is logged with its traceback (from the hook's own frame) and, after
:data:`MAX_FAILURES` failures, disabled (its observer goes when no hook of the event is
left).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pywayland import ffi as wl_ffi
from pywayland import lib as wl_lib
from pywayland.server import Listener

from compositor import python_calls, wayland_fixes
from compositor.configfile.loader import time_limit, user_traceback
from compositor.ffi import address, ffi, lib
from compositor.wayland_fixes import remove_listener

if TYPE_CHECKING:
    from pywayland.server import Display

    from compositor.output import OutputManager, ServerOutput
    from compositor.shell.view import View
    from compositor.shell.window_manager import WindowManager

log = logging.getLogger(__name__)

MAX_FAILURES = 3
_VIEW_EVENTS = {"mapped": "window_mapped", "unmapped": "window_unmapped", "title": "window_title"}
_BUFFER_EVENTS = ("client_first_buffer", "client_shm_fallback")
# The inspector's buffer kinds (compositor/inspect/clients.py KINDS), by C's number.
_NO_BUFFER, _SHM, _RELEASED = 0, 1, 6
_GPU_KINDS = {2, 3, 5}  # linux-dmabuf, wl_drm PRIME dma-buf, another dma-buf
# The Hooks whose buffer events C reports (one compositor per process).
_reporting: Hooks | None = None


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
        self._kinds_seen: dict[int, set[int]] = {}  # wl_client address -> buffer kinds shown
        self._buffer_events: list[tuple[str, dict[str, Any]]] = []
        self._buffer_idle: Any = None

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
        wayland_fixes.remove_source(self._buffer_idle)
        self._buffer_idle = None

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
        buffers = any(self.active(e) for e in _BUFFER_EVENTS)
        self._report_buffer_kinds(buffers)
        clients = self.active("client_connected") or self.active("client_gone") or buffers
        if clients and self._created is None:
            self._listen_clients()
        elif not clients and self._created is not None:
            remove_listener(self._created)
            self._created = None
            for listener in self._clients.values():
                remove_listener(listener)
            self._clients.clear()

    def _report_buffer_kinds(self, on: bool) -> None:
        global _reporting
        if on == (_reporting is self):
            return
        _reporting = self if on else None
        self._kinds_seen.clear()  # kinds are told from the hook's registration on
        lib.comp_copy_stats_report_buffer_kinds(on)

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
        add(address(self.display), address(listener))
        self._created = listener

    def _on_client_created(self, listener: Listener, client: Any) -> None:
        pid = wl_ffi.new("pid_t *")
        wl_lib.wl_client_get_credentials(client, pid, wl_ffi.NULL, wl_ffi.NULL)
        self._watch_client(client, pid[0])
        if self.active("client_connected"):
            self.fire("client_connected", {"pid": pid[0]})

    def _watch_client(self, client: Any, pid: int) -> int:
        """A destroy listener on the client (once): what is kept of it goes with it."""
        key = address(client)
        if key not in self._clients:
            gone = Listener(lambda _listener, _data: self._on_client_gone(key, pid))
            wl_lib.wl_client_add_destroy_listener(wl_ffi.cast("struct wl_client *", key),
                                                  gone._ptr)  # fmt: skip
            self._clients[key] = gone
        return key

    def _on_client_gone(self, key: int, pid: int) -> None:
        listener = self._clients.pop(key, None)
        if listener is not None:
            remove_listener(listener)
        self._kinds_seen.pop(key, None)
        if self.active("client_gone"):
            self.fire("client_gone", {"pid": pid})

    # -- buffers --------------------------------------------------------------------------

    def buffer_kind_changed(
        self, surface: Any, client: Any, pid: int, previous: int, kind: int
    ) -> None:
        """C, in a surface's commit: its buffer's kind changed. What the hooks get is
        gathered now (the surface may go before they run) and fired when the loop is idle."""
        if kind in (_NO_BUFFER, _RELEASED):
            return
        from compositor.inspect.clients import KINDS  # noqa: PLC0415 (the inspector's names)

        key = self._watch_client(client, pid)
        view = self.wm.view_of_surface(address(surface))
        common = {"pid": pid, "kind": KINDS[kind] if kind < len(KINDS) else "other",
                  "app_id": view.app_id if view is not None else None}  # fmt: skip
        seen = self._kinds_seen.setdefault(key, set())
        if kind not in seen:
            seen.add(kind)
            self._queue("client_first_buffer", common)
        if kind == _SHM and previous in _GPU_KINDS:
            self._queue("client_shm_fallback", {**common, "from": KINDS[previous]})

    def _queue(self, event: str, argument: dict[str, Any]) -> None:
        if not self.active(event):
            return
        self._buffer_events.append((event, argument))
        if self._buffer_idle is None:
            self._buffer_idle = wayland_fixes.add_idle(
                self.display.get_event_loop(), self._fire_buffer_events
            )

    def _fire_buffer_events(self) -> None:
        self._buffer_idle = None
        events, self._buffer_events = self._buffer_events, []
        for event, argument in events:
            self.fire(event, argument)

    def describe(self) -> dict[str, Any]:
        return {
            event: [
                {"hook": h.name, "calls": h.calls, "failures": h.failures, "disabled": h.disabled}
                for h in hooks
            ]
            for event, hooks in self.hooks.items()
        }


@ffi.def_extern()
def comp_py_buffer_kind(surface: Any, client: Any, pid: int, previous: int, kind: int) -> None:
    if _reporting is not None:
        _reporting.buffer_kind_changed(surface, client, pid, previous, kind)


def _toggle(observers: list, observer: Callable[..., Any], wanted: bool) -> None:
    if wanted and observer not in observers:
        observers.append(observer)
    elif not wanted and observer in observers:
        observers.remove(observer)

