"""The configuration file at run time, as the composition root sees it.

:class:`UserConfig` always exists: it registers the window and session commands
(commands.py) and ``reload``, ``config`` and ``config-dismiss``, and finds the file
(``--config PATH``, else ``$XDG_CONFIG_HOME/pydrm-compositor/config.py`` when it exists,
none with ``--no-config``). Only when there is one does it import and make the
:class:`~compositor.configfile.active.ActiveConfig` that loads, applies and reloads it: a
compositor without a file runs exactly as before, with none of that code loaded.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compositor.configfile.commands import WindowCommands
from compositor.control import CommandError

if TYPE_CHECKING:
    from compositor.config import Config
    from compositor.configfile.active import ActiveConfig
    from compositor.control import ControlServer
    from compositor.core import Core
    from compositor.input.bindings import Bindings
    from compositor.input.seat import SeatManager
    from compositor.output import OutputManager
    from compositor.shell.decorations import Decorations
    from compositor.shell.switcher import WindowSwitcher
    from compositor.shell.window_manager import WindowManager

log = logging.getLogger(__name__)


def default_path(env: os._Environ[str] | dict[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "/")) / ".config")
    return Path(base) / "pydrm-compositor" / "config.py"


def find(config: Config) -> Path | None:
    """The file to read: None when there is none (the built-in behaviour)."""
    if config.no_config:
        return None
    if config.config_file is not None:
        return config.config_file  # named: a missing one is an error, reported at load
    path = default_path()
    return path if path.is_file() else None


class UserConfig:
    def __init__(
        self,
        core: Core,
        *,
        wm: WindowManager,
        outputs: OutputManager,
        bindings: Bindings,
        seat: SeatManager,
        decorations: Decorations,
        switcher: WindowSwitcher,
    ) -> None:
        self.core = core
        self._parts = {
            "wm": wm,
            "outputs": outputs,
            "bindings": bindings,
            "seat": seat,
            "decorations": decorations,
        }
        self.path = find(core.config)
        self.window_commands = WindowCommands(core, wm, switcher)
        self.active: ActiveConfig | None = None

    def register_commands(self, control: ControlServer) -> None:
        self.window_commands.register_commands(control)
        control.register(
            "reload",
            "read the configuration file again; a file with an error keeps the running one "
            "(the error names the file and line)",
            lambda request: self.reload(),
        )
        control.register(
            "config",
            "the configuration file: path, whether it is in use, the last error, bindings, "
            "rules, outputs, inputs and hooks",
            lambda request: self.describe(),
        )
        control.register(
            "config-dismiss",
            "hide the configuration error shown on screen",
            lambda request: self.dismiss(),
        )

    def start(self, registry: Any) -> None:
        """Once every command is registered (``registry``: the control server, or a
        stand-in with ``--no-control``): load and apply the file, if there is one."""
        if self.path is None:
            why = "--no-config" if self.core.config.no_config else f"no {default_path()}"
            log.info("config file: none (%s)", why)
            return
        from compositor.configfile.active import ActiveConfig  # noqa: PLC0415 (with a file)

        self.active = ActiveConfig(
            self.core,
            self.path,
            window_commands=self.window_commands,
            registry=registry,
            **self._parts,
        )
        self.active.start()

    def reload(self) -> dict[str, Any]:
        if self.active is None:
            raise CommandError(
                "no configuration file is in use (--no-config, or there was no "
                f"{default_path()} when the compositor started: start it with --config)"
            )
        return self.active.reload()

    def dismiss(self) -> dict[str, Any]:
        if self.active is not None:
            self.active.dismiss()
        return {}

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {"path": None, "loaded": False, "error": None}
        if self.active is not None:
            described = self.active.describe()
        described["spawned"] = self.window_commands.spawner.started
        return described

    def destroy(self) -> None:
        if self.active is not None:
            self.active.destroy()
            self.active = None
        self.window_commands.spawner.destroy()
