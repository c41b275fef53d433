"""The control socket: a line-oriented JSON API on a Unix socket, served by the event loop.

One request per line, ``{"cmd": NAME, ...arguments}``; one reply per line,
``{"ok": true, ...}`` or ``{"ok": false, "error": MESSAGE}``. Modules register their own
commands with :meth:`ControlServer.register` (the recorder its record-start/stop, wl_drm its
buffer table). A *stream* (:meth:`ControlServer.register_stream`, e.g. ``trace``) answers
``{"ok": true, "streaming": true}`` and then keeps sending lines on that connection until
it closes; a reader that falls behind loses lines (counted), never the compositor's time.
``pydrm-ctl`` is the command-line client.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pywayland.server.eventloop import EventLoop

from compositor import wayland_fixes

if TYPE_CHECKING:
    from compositor.server import Server

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], dict[str, Any] | None]
# A stream handler gets the request and a function that sends one JSON line; it returns the
# function that stops the stream (called when the connection closes).
StreamHandler = Callable[[dict[str, Any], Callable[[dict[str, Any]], None]], Callable[[], None]]
MAX_REQUEST = 64 * 1024
MAX_STREAM_BACKLOG = 1 << 20  # bytes a slow stream reader may have pending


class CommandError(Exception):
    """A request was wrong; the message goes back to the caller."""


class _Connection:
    def __init__(self, control: ControlServer, sock: socket.socket) -> None:
        self.control = control
        self.sock = sock
        self.buffer = b""
        self.stop_stream: Callable[[], None] | None = None
        self.backlog = b""
        self.dropped = 0
        self._flush_timer: Any = None
        self.source = wayland_fixes.add_fd(
            control.event_loop, sock.fileno(), self._on_readable, count=False
        )

    def _on_readable(self, fd: int, mask: int, data: object = None) -> int:
        try:
            chunk = self.sock.recv(65536)
        except BlockingIOError:
            return 0
        except OSError:
            chunk = b""
        if not chunk:
            self.close()
            return 0
        self.buffer += chunk
        if len(self.buffer) > MAX_REQUEST and b"\n" not in self.buffer:
            self._send({"ok": False, "error": f"request longer than {MAX_REQUEST} bytes"})
            self.close()
            return 0
        while b"\n" in self.buffer and self.stop_stream is None:
            line, self.buffer = self.buffer.split(b"\n", 1)
            if line.strip():
                self._send(self.control.dispatch(line, self))
        return 0

    def stream(self, message: dict[str, Any]) -> None:
        """Send one line of a stream without blocking; drop it when the reader lags."""
        line = json.dumps(message).encode() + b"\n"
        if len(self.backlog) + len(line) > MAX_STREAM_BACKLOG:
            self.dropped += 1
            return
        self.backlog += line
        self._flush()

    def _flush(self, data: object = None) -> int:
        try:
            sent = self.sock.send(self.backlog) if self.backlog else 0
        except BlockingIOError:
            sent = 0
        except OSError:
            self.close()
            return 0
        self.backlog = self.backlog[sent:]
        if self.backlog and self._flush_timer is None:  # try again shortly
            self._flush_timer = wayland_fixes.add_timer(self.control.event_loop, self._retry)
            self._flush_timer.timer_update(50)
        return 0

    def _retry(self, data: object = None) -> int:
        wayland_fixes.remove_source(self._flush_timer)
        self._flush_timer = None
        return self._flush()

    def _send(self, reply: dict[str, Any]) -> None:
        try:
            self.sock.setblocking(True)
            self.sock.sendall(json.dumps(reply).encode() + b"\n")
            self.sock.setblocking(False)
        except OSError:
            self.close()

    def close(self) -> None:
        if self.stop_stream is not None:
            stop, self.stop_stream = self.stop_stream, None
            stop()
        wayland_fixes.remove_source(self._flush_timer)
        self._flush_timer = None
        if self.source is not None:
            wayland_fixes.remove_source(self.source)
            self.source = None
            self.sock.close()
            self.control.connections.discard(self)


class ControlServer:
    def __init__(self, server: Server, path: Path) -> None:
        self.server = server
        self.path = path
        self.event_loop: EventLoop = server.event_loop
        self.handlers: dict[str, tuple[str, Handler]] = {}
        self.streams: dict[str, tuple[str, StreamHandler]] = {}
        self.connections: set[_Connection] = set()
        if path.exists():
            if _is_live(path):
                raise OSError(
                    f"control socket {path} is in use by another compositor; pass "
                    "another --socket or --control-socket"
                )
            path.unlink()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        self.listener.bind(str(path))
        os.chmod(path, 0o600)
        self.listener.listen(16)
        self.listener.setblocking(False)
        self.source = wayland_fixes.add_fd(
            self.event_loop, self.listener.fileno(), self._on_accept, count=False
        )
        self.register("help", "list the commands", self._help)
        log.info("control socket: %s", path)

    def register(self, name: str, description: str, handler: Handler) -> None:
        self.handlers[name] = (description, handler)

    def register_stream(self, name: str, description: str, handler: StreamHandler) -> None:
        self.streams[name] = (description, handler)

    def _help(self, request: dict[str, Any]) -> dict[str, Any]:
        entries = {**self.handlers, **self.streams}
        return {"commands": {name: desc for name, (desc, _) in sorted(entries.items())}}

    def _on_accept(self, fd: int, mask: int, data: object = None) -> int:
        try:
            sock, _ = self.listener.accept()
        except OSError:
            return 0
        sock.setblocking(False)
        self.connections.add(_Connection(self, sock))
        return 0

    def dispatch(self, line: bytes, connection: _Connection | None = None) -> dict[str, Any]:
        try:
            request = json.loads(line)
            if not isinstance(request, dict) or not isinstance(request.get("cmd"), str):
                raise CommandError('a request is a JSON object with a "cmd" string')
            stream = self.streams.get(request["cmd"])
            if stream is not None and connection is not None:
                connection.stop_stream = stream[1](request, connection.stream)
                return {"ok": True, "streaming": True}
            entry = self.handlers.get(request["cmd"])
            if entry is None:
                raise CommandError(f'unknown command {request["cmd"]!r}; try "help"')
            result = entry[1](request) or {}
            return {"ok": True, **result}
        except json.JSONDecodeError as exc:
            return {"ok": False, "error": f"not JSON: {exc}"}
        except (CommandError, ValueError, TypeError, KeyError) as exc:
            return {"ok": False, "error": str(exc)}
        except Exception as exc:  # a handler bug must not take the compositor down
            log.exception("control command failed")
            return {"ok": False, "error": f"internal error: {exc}"}

    def destroy(self) -> None:
        for connection in list(self.connections):
            connection.close()
        wayland_fixes.remove_source(self.source)
        self.source = None
        self.listener.close()
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass


def _is_live(path: Path) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        probe.close()
