"""``pydrm-ctl trace [client=PID] [interface=NAME]``: the compositor's protocol log, live.

Each tracer installs a libwayland protocol logger (``comp_trace_*`` in ffi/csrc/protocol_trace.c)
that formats every request and event in WAYLAND_DEBUG's format (new ids, fds and objects
shown) and filters by client pid and interface in C; the lines that pass are streamed on the
tracer's control connection. When the connection closes the logger goes: nothing is logged,
and nothing costs anything, while no one traces.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from compositor.control import CommandError
from compositor.ffi import ffi, lib, to_native

if TYPE_CHECKING:
    from pywayland.server import Display

    from compositor.control import ControlServer


class _Tracer:
    def __init__(self, send: Callable[[dict[str, Any]], None]) -> None:
        self.send = send
        self.handle = ffi.new_handle(self)
        self.trace: Any = ffi.NULL


@ffi.def_extern()
def comp_py_trace_line(handle: Any, line: Any) -> None:
    tracer = ffi.from_handle(handle)
    tracer.send({"trace": ffi.string(line).decode(errors="replace")})


class Tracing:
    def __init__(self, display: Display) -> None:
        self.display = display
        self.tracers: set[_Tracer] = set()

    def start(
        self, request: dict[str, Any], send: Callable[[dict[str, Any]], None]
    ) -> Callable[[], None]:
        try:
            pid = int(request.get("client", 0))
        except (TypeError, ValueError) as exc:
            raise CommandError("client= takes a pid") from exc
        interface = str(request.get("interface", ""))
        if len(interface) >= 64:
            raise CommandError("interface= takes an interface name like wl_surface")
        tracer = _Tracer(send)
        display = to_native(self.display, "struct wl_display *")
        tracer.trace = lib.comp_trace_start(display, pid, interface.encode(), tracer.handle)
        if tracer.trace == ffi.NULL:
            raise CommandError("libwayland could not add a protocol logger")
        self.tracers.add(tracer)

        def stop() -> None:
            lib.comp_trace_stop(tracer.trace)
            tracer.trace = ffi.NULL
            self.tracers.discard(tracer)

        return stop

    def register_commands(self, control: ControlServer) -> None:
        control.register_stream(
            "trace",
            "stream the protocol log (WAYLAND_DEBUG format) [client=PID] [interface=NAME]",
            self.start,
        )

    def destroy(self) -> None:
        for tracer in list(self.tracers):
            lib.comp_trace_stop(tracer.trace)
        self.tracers.clear()
