"""The backend's way to the compositor: its control socket, from asyncio.

The socket is found as ``pydrm-ctl`` finds it: ``$PYDRM_CONTROL_SOCKET`` when set (the
compositor sets it for its children), else ``$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY.control``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

TIMEOUT_S = 30.0


class CompositorUnreachable(Exception):
    """No compositor answers on the control socket; the message says what to check."""


class CommandFailed(Exception):
    """The compositor answered ``ok: false``."""


def control_path() -> Path:
    explicit = os.environ.get("PYDRM_CONTROL_SOCKET")
    if explicit:
        return Path(explicit)
    runtime = os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    display = os.environ.get("WAYLAND_DISPLAY", "wayland-0")
    return Path(runtime) / f"{display}.control"


def _unreachable(path: Path, exc: BaseException) -> CompositorUnreachable:
    return CompositorUnreachable(
        f"cannot reach the compositor's control socket {path} ({exc}): the portal backend "
        "finds it through PYDRM_CONTROL_SOCKET or XDG_RUNTIME_DIR and WAYLAND_DISPLAY in the "
        "D-Bus activation environment; run `pydrm-portal session-services` from inside the "
        "compositor's session (README: Share your screen)"
    )


async def call(cmd: str, **args: Any) -> dict[str, Any]:
    """One request, one reply; raises CommandFailed with the compositor's message."""
    path = control_path()
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_unix_connection(str(path), limit=1 << 24), TIMEOUT_S
        )
    except (OSError, TimeoutError) as exc:
        raise _unreachable(path, exc) from exc
    try:
        writer.write(json.dumps({"cmd": cmd, **args}).encode() + b"\n")
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        raise _unreachable(path, exc) from exc
    finally:
        writer.close()
    if not line:
        raise _unreachable(path, ConnectionError("closed without answering"))
    reply = json.loads(line)
    if not reply.get("ok"):
        raise CommandFailed(f"{cmd}: {reply.get('error')}")
    return reply


async def stream(cmd: str, **args: Any) -> AsyncIterator[dict[str, Any]]:
    """A control stream's lines (``screencast-events``) until the compositor closes it."""
    path = control_path()
    try:
        reader, writer = await asyncio.open_unix_connection(str(path), limit=1 << 24)
    except OSError as exc:
        raise _unreachable(path, exc) from exc
    try:
        writer.write(json.dumps({"cmd": cmd, **args}).encode() + b"\n")
        await writer.drain()
        first = json.loads(await reader.readline() or b"{}")
        if not first.get("ok"):
            raise CommandFailed(f"{cmd}: {first.get('error', 'connection closed')}")
        while line := await reader.readline():
            yield json.loads(line)
    finally:
        writer.close()
