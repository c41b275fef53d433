"""``pydrm-ctl``: talk to a running compositor's control socket.

    pydrm-ctl [--socket PATH] COMMAND [key=value ...]

Values are parsed as JSON when they can be (numbers, true/false), else taken as strings.
Example: ``pydrm-ctl pointer-move x=100 y=200``, ``pydrm-ctl views``. ``pydrm-ctl top``
shows the inspector live (see :mod:`compositor.inspect.top`).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any


def default_path() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    display = os.environ.get("WAYLAND_DISPLAY", "wayland-0")
    return Path(runtime) / f"{display}.control"


class ControlClient:
    """A blocking client: one request, one reply."""

    def __init__(self, path: Path | str, timeout: float = 10.0) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(str(path))
        self.buffer = b""

    def call(self, cmd: str, **args: Any) -> dict[str, Any]:
        self.sock.sendall(json.dumps({"cmd": cmd, **args}).encode() + b"\n")
        return self.receive()

    def receive(self) -> dict[str, Any]:
        """The next line the compositor sent (a reply, or a line of a stream)."""
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the compositor closed the control connection")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> ControlClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _follow(client: ControlClient) -> int:
    """Print a stream's lines (``trace``: the text itself) until it ends or Ctrl+C."""
    client.sock.settimeout(None)
    try:
        while True:
            message = client.receive()
            text = message.get("trace")
            print(text if text is not None else json.dumps(message), flush=True)
    except (ConnectionError, KeyboardInterrupt):
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pydrm-ctl", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--socket",
        type=Path,
        default=None,
        help="control socket (default $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY.control)",
    )
    parser.add_argument("command", help="a compositor command (`help` lists them), or top")
    parser.add_argument("args", nargs=argparse.REMAINDER, metavar="key=value")
    ns = parser.parse_args(argv)
    path = ns.socket or default_path()
    if ns.command == "top":
        from compositor.inspect import top  # noqa: PLC0415

        try:
            return top.main(lambda: ControlClient(path), ns.args)
        except OSError as exc:
            print(f"pydrm-ctl: cannot reach {path}: {exc}", file=sys.stderr)
            return 1
    args: dict[str, Any] = {}
    for item in ns.args:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"arguments are key=value, not {item!r}")
        args[key.replace("-", "_")] = _value(value)
    try:
        with ControlClient(path) as client:
            reply = client.call(ns.command, **args)
            if reply.get("streaming"):
                return _follow(client)
    except OSError as exc:
        print(f"pydrm-ctl: cannot reach {path}: {exc}; is the compositor running?", file=sys.stderr)
        return 1
    print(json.dumps(reply, indent=2))
    return 0 if reply.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
