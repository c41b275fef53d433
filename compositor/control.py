"""The control socket: a line-oriented JSON API on a Unix socket, served by the event loop.

One request per line, ``{"cmd": NAME, ...arguments}``; one reply per line,
``{"ok": true, ...}`` or ``{"ok": false, "error": MESSAGE}``. Modules register their own
commands with :meth:`ControlServer.register` (the recorder its record-start/stop, wl_drm its
buffer table). A *stream* (:meth:`ControlServer.register_stream`, e.g. ``trace``) answers
``{"ok": true, "streaming": true}`` and then keeps sending lines on that connection until
it closes. Nothing here blocks the compositor: replies and stream lines are queued with a
bound per connection (see :class:`_Connection`).
``pydrm-ctl`` is the command-line client.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pywayland import lib
from pywayland.server.eventloop import EventLoop

from compositor import wayland_fixes
from compositor.python_calls import exempt

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], dict[str, Any] | None]
# A stream handler gets the request and a function that sends one JSON line; it returns the
# function that stops the stream (called when the connection closes).
StreamHandler = Callable[[dict[str, Any], Callable[[dict[str, Any]], None]], Callable[[], None]]
MAX_REQUEST = 64 * 1024
# Bytes of replies a connection may have unsent before the compositor stops reading its
# requests (the client is not reading its replies: it waits, nobody else does).
MAX_REPLY_BACKLOG = 256 * 1024
# Bytes of stream lines a reader may have unsent: past it the reader has fallen behind (a
# paused `pydrm-ctl trace | less`) and its connection is closed, with a line in the log.
MAX_STREAM_BACKLOG = 1 << 20
# How long accepting pauses when accept() fails with the connection still queued (no fds).
ACCEPT_PAUSE_MS = 100
# What a streaming connection may send before its stream ends: read and dropped, counted.
_READABLE = lib.WL_EVENT_READABLE
_WRITABLE = lib.WL_EVENT_WRITABLE
_HANGUP = lib.WL_EVENT_HANGUP | lib.WL_EVENT_ERROR


class CommandError(Exception):
    """A request was wrong; the message goes back to the caller."""


class _Connection:
    """One control connection, never blocking the compositor's thread.

    Replies and stream lines go into one queue, bounded per connection, and are written as
    the socket takes them (the fd source asks for WRITABLE while bytes wait). A request
    reader that does not read its replies is not read any further until it does; a stream
    reader that falls MAX_STREAM_BACKLOG behind is closed. Input on a streaming connection
    is read and dropped. A close asked for from inside a stream's producer (a protocol
    logger, see inspect/trace.py) happens on the next idle turn of the loop, never inside it.
    """

    def __init__(self, control: ControlServer, sock: socket.socket) -> None:
        self.control = control
        self.sock = sock
        self.buffer = b""
        self.stop_stream: Callable[[], None] | None = None
        self.out = bytearray()
        self.dropped_input = 0
        self.closed = False
        self._mask = _READABLE
        self._close_idle: Any = None
        self.source = wayland_fixes.add_fd(
            control.event_loop, sock.fileno(), self._on_fd, count=False
        )

    # -- input ----------------------------------------------------------------------------

    def _on_fd(self, fd: int, mask: int, data: object = None) -> int:
        if self.closed:
            return 0
        if mask & _WRITABLE:
            self._flush()
            if not self.closed and b"\n" in self.buffer:
                self._process()  # requests held back while the replies waited
        if self.closed:
            return 0
        if self._mask & _READABLE and mask & (_READABLE | _HANGUP):
            self._read()
        elif mask & _HANGUP:  # gone while we were not reading it: nothing left to answer
            self.close()
        return 0

    def _read(self) -> None:
        try:
            chunk = self.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self.close()
            return
        if self.stop_stream is not None:
            self.dropped_input += len(chunk)  # a stream takes no more requests
            return
        self.buffer += chunk
        self._process()

    def _process(self) -> None:
        """Answer the complete requests read, while the unsent replies stay in bound."""
        start = 0
        while self.stop_stream is None and not self.closed and len(self.out) <= MAX_REPLY_BACKLOG:
            end = self.buffer.find(b"\n", start)
            if end < 0:
                break
            line = self.buffer[start:end]
            start = end + 1
            if line.strip():
                self._queue(self.control.dispatch(line, self))
        self.buffer = self.buffer[start:]
        if self.closed:
            return
        if self.stop_stream is not None:
            self.dropped_input += len(self.buffer)
            self.buffer = b""
        elif len(self.buffer) > MAX_REQUEST and b"\n" not in self.buffer:
            self._queue({"ok": False, "error": f"request longer than {MAX_REQUEST} bytes"})
            self.close_soon()
            return
        self._update_mask()

    # -- output ---------------------------------------------------------------------------

    def stream(self, message: dict[str, Any]) -> None:
        """Send one line of a stream without blocking; a reader too far behind is closed
        (soon: this runs inside the stream's producer)."""
        if self.closed or self._close_idle is not None:
            return
        line = json.dumps(message).encode() + b"\n"
        if len(self.out) + len(line) > MAX_STREAM_BACKLOG:
            log.warning(
                "control: a stream reader fell %d bytes behind (it stopped reading); "
                "closing its connection",
                len(self.out),
            )
            self.close_soon()
            return
        self.out += line
        self._flush(defer_close=True)

    def _queue(self, reply: dict[str, Any]) -> None:
        self.out += json.dumps(reply).encode() + b"\n"
        self._flush()

    def _flush(self, defer_close: bool = False) -> None:
        if self.out:
            try:
                sent = self.sock.send(self.out)
            except BlockingIOError:
                sent = 0
            except OSError:  # the reader went (EPIPE, ECONNRESET)
                self.out.clear()
                if defer_close:
                    self.close_soon()
                else:
                    self.close()
                return
            del self.out[:sent]
        self._update_mask()

    def _update_mask(self) -> None:
        if self.closed or self.source is None:
            return
        mask = _WRITABLE if self.out else 0
        if self.stop_stream is not None or (
            len(self.out) <= MAX_REPLY_BACKLOG and b"\n" not in self.buffer
        ):
            mask |= _READABLE  # else: wait until the client reads its replies
        if mask != self._mask:
            self._mask = mask
            lib.wl_event_source_fd_update(self.source._ptr, mask)

    # -- closing --------------------------------------------------------------------------

    def close_soon(self) -> None:
        """Close on the loop's next idle turn (safe from inside a stream's producer)."""
        if self.closed or self._close_idle is not None:
            return
        self._close_idle = wayland_fixes.add_idle(self.control.event_loop, self._close_now)

    def _close_now(self) -> None:
        self._close_idle = None
        self.close()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._close_idle is not None:
            wayland_fixes.remove_source(self._close_idle)
            self._close_idle = None
        if self.stop_stream is not None:
            stop, self.stop_stream = self.stop_stream, None
            stop()
        if self.source is not None:
            wayland_fixes.remove_source(self.source)
            self.source = None
        self.sock.close()
        self.out = bytearray()
        self.control.connections.discard(self)


class ControlServer:
    def __init__(self, event_loop: EventLoop, path: Path) -> None:
        self.path = path
        self.event_loop = event_loop
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
        self._resume = wayland_fixes.add_timer(
            self.event_loop, exempt(self._resume_accepting)
        )
        self._pause_logged = -10.0
        self._waiting: list[socket.socket] = []  # accepted, not yet watched (no fd for it)
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
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return 0
        except OSError as exc:
            # Out of fds or memory: the connection stays queued and the socket readable, so
            # stop listening for a moment instead of being called again at once (a spin).
            self._pause_accepting(exc)
            return 0
        sock.setblocking(False)
        self._watch(sock)
        return 0

    def _watch(self, sock: socket.socket) -> bool:
        try:
            connection = _Connection(self, sock)
        except OSError as exc:  # no fd left to watch it with: it waits, accepting pauses
            self._waiting.append(sock)
            self._pause_accepting(exc)
            return False
        self.connections.add(connection)
        return True

    def _pause_accepting(self, exc: OSError) -> None:
        lib.wl_event_source_fd_update(self.source._ptr, 0)
        self._resume.timer_update(ACCEPT_PAUSE_MS)
        now = time.monotonic()
        if now - self._pause_logged >= 5.0:  # a line every few seconds at most
            self._pause_logged = now
            log.warning("control: cannot accept connections (%s); pausing", exc.strerror)

    def _resume_accepting(self, data: object = None) -> int:
        while self._waiting:
            if not self._watch(self._waiting.pop(0)):
                return 0  # still no fd: paused again
        if self.source is not None:
            lib.wl_event_source_fd_update(self.source._ptr, _READABLE)
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
        wayland_fixes.remove_source(self._resume)
        for sock in self._waiting:
            sock.close()
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
