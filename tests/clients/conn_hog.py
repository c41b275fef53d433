"""A hostile client that holds many Wayland connections, idle: raw sockets, real fds.

    python tests/clients/conn_hog.py --count 600

Connects ``--count`` times to $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY, sends wl_display.sync on
each, and reads each connection's first answer: wl_callback.done (the compositor took the
connection) or wl_display.error (it refused it: the message is counted). It prints one JSON
line, ``{"accepted": N, "refused": {MESSAGE: COUNT}, "silent": N, "connect_failed": N}``
(silent: no answer within --timeout; connect_failed: the connections not made, from the
first connect() that failed or waited --connect-timeout on), then holds every connection
open until a line (or EOF) on stdin, closes them all and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import select
import socket
import struct
import sys
import time
from collections import Counter


def parse_first_message(data: bytes) -> tuple[str, str] | None:
    """('done', '') for a callback, ('error', MESSAGE) for wl_display.error, None: partial."""
    while len(data) >= 8:
        obj, word = struct.unpack_from("<II", data)
        size, opcode = word >> 16, word & 0xFFFF
        if size < 8 or len(data) < size:
            return None
        if obj == 1 and opcode == 0:
            length = struct.unpack_from("<I", data, 16)[0]
            return "error", data[20 : 20 + length - 1].decode(errors="replace")
        if obj == 2:
            return "done", ""
        data = data[size:]
    return None


def connect(path: str, timeout: float) -> socket.socket | None:
    """A non-blocking connection; None when it failed or the socket's backlog stayed full
    for ``timeout`` (a compositor that stopped accepting: a Unix socket's connect() then
    fails with EAGAIN at once instead of waiting)."""
    deadline = time.monotonic() + timeout
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
        try:
            sock.connect(path)
            return sock
        except BlockingIOError:
            sock.close()
            if time.monotonic() > deadline:
                return None
            time.sleep(0.01)
        except OSError:
            sock.close()
            return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--connect-timeout", type=float, default=3.0)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, args.count + 64)), hard))
    path = os.path.join(os.environ["XDG_RUNTIME_DIR"], os.environ["WAYLAND_DISPLAY"])
    socks: list[socket.socket] = []
    connect_failed = 0
    sync = struct.pack("<III", 1, (12 << 16) | 0, 2)  # wl_display@1.sync(new id 2)
    for _ in range(args.count):
        sock = connect(path, args.connect_timeout)
        if sock is None:
            connect_failed = args.count - len(socks)
            break
        try:
            sock.sendall(sync)
        except OSError:
            pass  # refused at once: its error is read below
        socks.append(sock)
    buffers = {sock.fileno(): b"" for sock in socks}
    by_fd = {sock.fileno(): sock for sock in socks}
    waiting = set(buffers)
    accepted = 0
    refused: Counter[str] = Counter()
    deadline = time.monotonic() + args.timeout
    poller = select.poll()
    for fd in waiting:
        poller.register(fd, select.POLLIN)
    while waiting and time.monotonic() < deadline:
        for fd, _event in poller.poll(200):
            try:
                chunk = by_fd[fd].recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            buffers[fd] += chunk
            answer = parse_first_message(buffers[fd])
            if answer is None and chunk:
                continue
            poller.unregister(fd)
            waiting.discard(fd)
            if answer is None:
                refused["closed without a message"] += 1
            elif answer[0] == "done":
                accepted += 1
            else:
                refused[answer[1]] += 1
    print(
        json.dumps(
            {
                "accepted": accepted,
                "refused": dict(refused),
                "silent": len(waiting),
                "connect_failed": connect_failed,
            }
        ),
        flush=True,
    )
    sys.stdin.readline()
    for sock in socks:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
