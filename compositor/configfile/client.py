"""Run the compositor's commands from a Python script, over its control socket.

    from compositor.configfile.client import Compositor

    with Compositor() as wm:                 # $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY.control
        wm.spawn(command="foot")             # the same commands as pydrm-ctl and bindings
        for view in wm.views()["views"]:
            if view["app_id"] == "foot":
                wm.maximize(id=view["id"], state=True)
        wm.call("move-to-output", output="HDMI-A-1")   # any command by its name
        wm.reload()

A method name is a command's name with ``-`` written ``_`` (``wm.move_to_output(...)``);
each returns the reply (a dict without ``ok``) or raises :class:`CommandFailed` with the
compositor's message. ``pydrm-ctl help`` (or ``wm.help()``) lists the commands and
compositor/configfile/commands.py documents the window commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compositor.control_client import ControlClient, default_path


class CommandFailed(RuntimeError):
    """The compositor refused a command; the message is its reason."""


class Compositor:
    def __init__(self, path: Path | str | None = None, timeout: float = 10.0) -> None:
        """``path``: the control socket (default: the one of $WAYLAND_DISPLAY)."""
        self.client = ControlClient(path or default_path(), timeout=timeout)

    def call(self, command: str, **args: Any) -> dict[str, Any]:
        reply = self.client.call(command, **args)
        if not reply.pop("ok", False):
            raise CommandFailed(reply.get("error", f"{command} failed"))
        return reply

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        command = name.replace("_", "-")
        return lambda **args: self.call(command, **args)

    def close_connection(self) -> None:
        self.client.close()

    def __enter__(self) -> Compositor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close_connection()
