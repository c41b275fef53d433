"""A configuration file in use: loaded, applied as a whole or not at all, reloaded.

Made by :class:`~compositor.configfile.runtime.UserConfig` only when there is a file (an
idle compositor without one never imports this, nor the parts below).
:meth:`ActiveConfig.load_and_apply` loads the file (loader.py) and, only when that worked,
takes the running declarations out and puts the new ones in, without touching clients:
bindings, window rules (for windows that map from then on), outputs and inputs applied
again, hooks replaced. A file that fails keeps what runs (at start: the built-in
behaviour); the error, with the file and line, goes to the log, to the reply of ``reload``
and ``config``, and on screen (a red line at the top of each output) until
``config-dismiss`` or a reload that works.

Each part takes its declarations out exactly: a built-in binding the file replaced or
removed is bound again, observers the file needed are removed; outputs keep their settings
until a file says otherwise (as sway does), inputs the next file says nothing of go back
to the defaults.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from wlroots.wlr_types import SceneNode

from compositor import wayland_fixes
from compositor.configfile import api, loader
from compositor.configfile.hooks import Hooks
from compositor.configfile.inputs import InputConfig
from compositor.configfile.outputs import OutputConfig
from compositor.configfile.rules import WindowRules
from compositor.control import CommandError
from compositor.ffi import ffi, lib, to_native, to_wlroots

if TYPE_CHECKING:
    from pathlib import Path

    from compositor.configfile.commands import WindowCommands
    from compositor.core import Core
    from compositor.input.bindings import Bindings
    from compositor.input.seat import SeatManager
    from compositor.output import OutputManager
    from compositor.shell.decorations import Decorations
    from compositor.shell.window_manager import WindowManager

log = logging.getLogger(__name__)

RELOAD_KEYS = "Super+Shift+c"  # bound while a file is in use (sway's)
ERROR_BAR_HEIGHT = 24
ERROR_COLOR = "992020"  # RRGGBB


def _set_client_limits(rules: list) -> None:
    """The file's client_limits() rules, for clients that connect from now on."""
    from compositor import limits_objects  # noqa: PLC0415

    objects = limits_objects.current()
    if objects is not None:
        objects.set_rules(rules)


class ActiveConfig:
    def __init__(
        self,
        core: Core,
        path: Path,
        *,
        wm: WindowManager,
        outputs: OutputManager,
        bindings: Bindings,
        seat: SeatManager,
        decorations: Decorations,
        window_commands: WindowCommands,
        registry: Any,
    ) -> None:
        self.core = core
        self.wm = wm
        self.outputs = outputs
        self.bindings = bindings
        self.seat = seat
        self.decorations = decorations
        self.path = path
        self.declarations: api.Declarations | None = None  # what runs now
        self.error: loader.ConfigFileError | None = None  # the last load's, until dismissed
        self.loads = self.reloads = self.failed_loads = 0
        self.window_commands = window_commands
        self.rules = WindowRules(wm, decorations)
        self.output_config = OutputConfig(core, outputs)
        self.input_config = InputConfig(core, seat)
        self.hooks = Hooks(core.display, wm, outputs)
        self.registry = registry  # the command handlers (the control server, or its stand-in)
        self._bound: list[tuple[int, str]] = []  # bindings the file added
        self._unbound: list[tuple[int, str, tuple[str, Any, bool]]] = []  # built-ins it took out
        self._autostarted = False
        self._background: Any = ffi.NULL  # a scene tree under everything
        self._banner: Any = ffi.NULL  # the error line's scene tree
        self._error_text: str | None = None  # shown until dismissed
        self._background_color: Any = None
        self._idle: Any = None
        self._reload_soon: Any = None

    # -- the command set ------------------------------------------------------------------

    def run_command(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        """Run a command of the set in-process (bindings, hooks, the file's ``.run()``).
        ``reload`` runs on the event loop's next idle turn: it replaces the bindings, hooks
        and observers that may be running it."""
        if name == "reload":
            self._reload_from_binding()
            return {"ok": True, "scheduled": True}
        entry = self.registry.handlers.get(name) if self.registry is not None else None
        if entry is None:
            raise api.CommandFailed(f"unknown command {name!r}")
        try:
            return {"ok": True, **(entry[1]({"cmd": name, **args}) or {})}
        except (CommandError, ValueError, TypeError, KeyError) as exc:
            raise api.CommandFailed(f"{name}: {exc}") from None

    # -- start, reload --------------------------------------------------------------------

    def start(self) -> None:
        """Bind the reload keys, load and apply the file. Autostart and on-reload commands
        run on the event loop's first turn (clients started then find WAYLAND_DISPLAY and
        DISPLAY set)."""
        api._runner = self.run_command
        self.bindings.add(
            *_keys(RELOAD_KEYS), "reload the configuration file", self._reload_from_binding
        )
        self.load_and_apply()

    def reload(self) -> dict[str, Any]:
        self.reloads += 1
        if not self.load_and_apply():
            # The command's error: {"ok": false, "error": "FILE:LINE: ... (kept)"}.
            raise CommandError(f"{self.error} (the running configuration is kept)")
        return {"path": str(self.path), "loaded": True}

    def _reload_from_binding(self) -> None:
        # Not from inside a binding or a hook: the reload replaces them.
        if self._reload_soon is None:

            def run() -> None:
                self._reload_soon = None
                self.reloads += 1
                self.load_and_apply()

            self._reload_soon = wayland_fixes.add_idle(self.core.event_loop, run)

    def load_and_apply(self) -> bool:
        names = frozenset(self.registry.handlers) if self.registry is not None else frozenset()
        try:
            new = loader.load(self.path, names)
        except loader.ConfigFileError as exc:
            self._failed(
                exc,
                "kept the running configuration"
                if self.declarations
                else "running with the built-in settings",
            )
            return False
        old = self.declarations
        if old is not None:
            self._take_out()
        try:
            self._put_in(new)
        except Exception as exc:  # the file was fine, something it asked for is not
            line, details = loader.user_traceback(exc, self.path)
            self._take_out()
            if old is not None:
                self._put_in(old)
            self._failed(
                loader.ConfigFileError(self.path, line, f"{type(exc).__name__}: {exc}", details),
                "kept the running configuration",
            )
            return False
        self.declarations = new
        self.loads += 1
        self.error = None
        self._hide_error()
        log.info("config file %s loaded (%s)", self.path, self._summary(new))
        self._run_commands(new)
        return True

    def _failed(self, error: loader.ConfigFileError, what: str) -> None:
        self.failed_loads += 1
        self.error = error
        log.error("config file error: %s; %s", error, what)
        if error.details:
            log.error("config file error, in detail:\n%s", error.details.rstrip())
        self._show_error(str(error))

    def _run_commands(self, declarations: api.Declarations) -> None:
        commands = list(declarations.on_reload)
        if not self._autostarted:
            self._autostarted = True
            commands = declarations.autostart + commands
        if not commands:
            return
        if self._idle is not None:
            wayland_fixes.remove_source(self._idle)

        def run() -> None:
            self._idle = None
            for command in commands:
                try:
                    self.window_commands.spawner.spawn(command)
                except CommandError as exc:
                    log.error("config file: %s", exc)

        self._idle = wayland_fixes.add_idle(self.core.event_loop, run)

    # -- putting declarations in and taking them out --------------------------------------

    def _put_in(self, d: api.Declarations) -> None:
        self.declarations = d
        self._bind_keys(d)
        self._bind_mouse(d)
        self.rules.set(d.rules)
        self.output_config.set(d.outputs, d.profiles)
        self.input_config.set(d.inputs)
        self._cosmetics(d)
        self.hooks.set(d.hooks)
        _set_client_limits(d.client_limits)

    def _take_out(self) -> None:
        self.hooks.clear()
        _set_client_limits([])
        for mods, keysym in reversed(self._bound):
            self.bindings.remove(mods, keysym)
        self._bound = []
        for mods, keysym, (description, action, inhibitable) in reversed(self._unbound):
            self.bindings.add(mods, keysym, description, action, inhibitable=inhibitable)
        self._unbound = []
        self.seat.cursor.mouse_bindings = None
        self.rules.clear()
        # Outputs keep their settings until a file says otherwise (their observers go);
        # inputs follow the next file (devices it says nothing of go back to the defaults).
        self.output_config.set([], [])
        self._set_background(None)
        self._set_sandbox((), ())
        self.declarations = None

    def _bind_keys(self, d: api.Declarations) -> None:
        out: set[tuple[int, str]] = set(d.unbound) | set(d.bindings)
        if not d.default_bindings:
            out |= {
                (mods, keysym)
                for mods, keysym, _, inhibitable in self.bindings.entries()
                if inhibitable
            }
        for mods, keysym in sorted(out):
            entry = self.bindings.entry(mods, keysym)
            if entry is not None:
                self.bindings.remove(mods, keysym)
                self._unbound.append((mods, keysym, entry))
        for binding in d.bindings.values():
            self.bindings.add(
                binding.modifiers,
                binding.keysym,
                binding.description,
                self._action(binding.keys, binding.action),
                inhibitable=binding.inhibitable,
            )
            self._bound.append((binding.modifiers, binding.keysym))

    def _action(self, keys: str, action: Any) -> Any:
        def run() -> None:
            try:
                if isinstance(action, api.Command):
                    action.run()
                else:
                    with loader.time_limit():
                        action()
            except api.CommandFailed as exc:
                log.warning("binding %s: %s", keys, exc)
            except Exception as exc:
                _, details = loader.user_traceback(exc)
                log.error("binding %s failed:\n%s", keys, details.rstrip())

        return run

    def _bind_mouse(self, d: api.Declarations) -> None:
        if not d.mouse and d.default_bindings:
            self.seat.cursor.mouse_bindings = None  # the built-in ones, as they match today
            return
        table: dict[tuple[int, int], Any] = {}
        if d.default_bindings:
            for mods in (api.ALT, api.LOGO):
                table[(mods, api.BUTTONS["left"])] = "move"
                table[(mods, api.BUTTONS["right"])] = "resize"
        for key, action in d.mouse.items():
            if action is None:
                table.pop(key, None)
            elif action in ("move", "resize"):
                table[key] = action
            else:
                table[key] = self._mouse_action(action)
        self.seat.cursor.mouse_bindings = table

    def _mouse_action(self, action: Any) -> Any:
        def run(view: Any) -> None:
            try:
                if isinstance(action, api.Command):
                    action.run()
                else:
                    with loader.time_limit():
                        action(view.describe())
            except api.CommandFailed as exc:
                log.warning("pointer binding: %s", exc)
            except Exception as exc:
                _, details = loader.user_traceback(exc)
                log.error("pointer binding failed:\n%s", details.rstrip())

        return run

    def _cosmetics(self, d: api.Declarations) -> None:
        theme, size = d.cursor or (None, 24)
        self.seat.cursor.set_cursor_theme(theme, size)
        if d.cursor is not None:
            if theme is not None:
                os.environ["XCURSOR_THEME"] = theme
            os.environ["XCURSOR_SIZE"] = str(size)
        colors = {k: v for k, v in d.title_bar.items() if not k.startswith("font")}
        from compositor.shell import decorations as decorations_module

        defaults = {
            "focused": decorations_module.FOCUSED,
            "unfocused": decorations_module.UNFOCUSED,
            "close": decorations_module.CLOSE,
            "maximize": decorations_module.MAXIMIZE,
        }
        wanted = {**defaults, **colors}
        font, font_size = d.title_bar.get("font"), d.title_bar.get("font_size")
        font_index = d.title_bar.get("font_index", 0)
        if (
            wanted != self.decorations.colors
            or (font or decorations_module.DEFAULT_FONT) != decorations_module.TITLE_FONT
            or font_index != decorations_module.TITLE_FONT_INDEX
            or (font_size or decorations_module.DEFAULT_SIZE) != decorations_module.TITLE_SIZE
        ):
            self.decorations.set_style(wanted, font, font_size, font_index)
            if "font_name" in d.title_bar:
                log.info("title bars: font %r is %s", d.title_bar["font_name"], font)
        self._set_background(d.background)
        self._set_sandbox(*d.sandbox)

    def _set_sandbox(self, show: tuple[str, ...], hide: tuple[str, ...]) -> None:
        from compositor import security_context  # noqa: PLC0415 (with a sandbox())

        contexts = security_context.current()
        if contexts is not None:
            contexts.configure(show, hide)

    # -- the background -------------------------------------------------------------------

    def _set_background(self, color: str | None) -> None:
        if self._background != ffi.NULL:
            lib.wlr_scene_node_destroy(self._background)
            self._background = ffi.NULL
        for observers in (self.outputs.added, self.outputs.changed):
            if self._on_outputs_for_background in observers:
                observers.remove(self._on_outputs_for_background)
        if color is None:
            return
        self._background_color = ffi.new("float[4]", _rgba(color))
        self.outputs.added.append(self._on_outputs_for_background)
        self.outputs.changed.append(self._on_outputs_for_background)
        self._draw_background()

    def _on_outputs_for_background(self, _output: Any) -> None:
        self._draw_background()

    def _draw_background(self) -> None:
        if self._background != ffi.NULL:
            lib.wlr_scene_node_destroy(self._background)
        root = to_native(self.core.scene.node, "struct wlr_scene_node *")
        tree = lib.wlr_scene_tree_create(root)
        if tree == ffi.NULL:
            self._background = ffi.NULL
            return
        self._background = ffi.cast("struct wlr_scene_node *", tree)
        SceneNode(to_wlroots(self._background, "struct wlr_scene_node *")).place_below(
            self.core.stacking.background
        )
        for server_output in self.outputs:
            box = self.core.output_layout.get_box(server_output.output)
            if box is None:
                continue
            rect = lib.wlr_scene_rect_create(
                self._background, box.width, box.height, self._background_color
            )
            if rect != ffi.NULL:
                lib.wlr_scene_node_set_position(
                    ffi.cast("struct wlr_scene_node *", rect), box.x, box.y
                )

    # -- the error on screen --------------------------------------------------------------

    def _show_error(self, text: str) -> None:
        self._hide_error()
        self._error_text = text
        for observers in (self.outputs.added, self.outputs.changed):
            observers.append(self._on_outputs_for_banner)
        self._draw_error()

    def _on_outputs_for_banner(self, _output: Any) -> None:
        self._draw_error()

    def _draw_error(self) -> None:
        """A red line at the top of each output (outputs that come later get it too)."""
        from compositor.shell.decorations import render_title

        if self._banner != ffi.NULL:
            lib.wlr_scene_node_destroy(self._banner)
            self._banner = ffi.NULL
        text = self._error_text

        root = to_native(self.core.scene.node, "struct wlr_scene_node *")
        tree = lib.wlr_scene_tree_create(root)  # last made: above everything
        if tree == ffi.NULL:
            return
        self._banner = ffi.cast("struct wlr_scene_node *", tree)
        color = ffi.new("float[4]", _rgba(ERROR_COLOR))
        message = f"config error: {text}   (pydrm-ctl config-dismiss hides this)"
        for server_output in self.outputs:
            box = self.core.output_layout.get_box(server_output.output)
            if box is None:
                continue
            rect = lib.wlr_scene_rect_create(self._banner, box.width, ERROR_BAR_HEIGHT, color)
            if rect != ffi.NULL:
                lib.wlr_scene_node_set_position(
                    ffi.cast("struct wlr_scene_node *", rect), box.x, box.y
                )
            buffer = render_title(message[:300], 1)
            if buffer == ffi.NULL:
                continue
            node = lib.wlr_scene_buffer_create(self._banner, buffer)
            lib.wlr_buffer_drop(buffer)
            if node != ffi.NULL:
                lib.wlr_scene_node_set_position(
                    ffi.cast("struct wlr_scene_node *", node), box.x + 8, box.y + 4
                )

    def dismiss(self) -> None:
        """Hide the error line (``config-dismiss``)."""
        self._hide_error()

    def _hide_error(self) -> None:
        for observers in (self.outputs.added, self.outputs.changed):
            if self._on_outputs_for_banner in observers:
                observers.remove(self._on_outputs_for_banner)
        self._error_text = None
        if self._banner != ffi.NULL:
            lib.wlr_scene_node_destroy(self._banner)
            self._banner = ffi.NULL

    # -- reporting, teardown --------------------------------------------------------------

    def _summary(self, d: api.Declarations) -> str:
        parts = [
            f"{len(d.bindings)} bindings",
            f"{len(d.unbound)} unbound",
            f"{len(d.rules)} rules",
            f"{len(d.outputs)} outputs",
            f"{len(d.profiles)} profiles",
            f"{len(d.inputs)} inputs",
            f"{sum(len(h) for h in d.hooks.values())} hooks",
        ]
        return ", ".join(parts)

    def describe(self) -> dict[str, Any]:
        d = self.declarations
        error = self.error
        return {
            "path": str(self.path),
            "loaded": d is not None,
            "loads": self.loads,
            "reloads": self.reloads,
            "failed_loads": self.failed_loads,
            "error": None
            if error is None
            else {
                "file": str(error.path),
                "line": error.line,
                "message": error.message,
                "text": str(error),
            },
            "error_shown": self._error_text is not None,
            "bindings": [
                {"keys": b.keys, "description": b.description} for b in d.bindings.values()
            ]
            if d is not None
            else [],
            "unbound": [
                {"modifiers": mods, "key": keysym, "description": entry[0]}
                for mods, keysym, entry in self._unbound
            ],
            "mouse": len(self.seat.cursor.mouse_bindings or {}),
            "rules": len(d.rules) if d is not None else 0,
            "rules_applied": self.rules.applied,
            "title_font": {
                key: d.title_bar[key]
                for key in ("font_name", "font", "font_index")
                if key in d.title_bar
            }
            if d is not None
            else {},
            "outputs": self.output_config.describe(),
            "inputs": self.input_config.results,
            "hooks": self.hooks.describe(),
        }

    def destroy(self) -> None:
        api._runner = None
        for source in (self._idle, self._reload_soon):
            wayland_fixes.remove_source(source)
        self._idle = self._reload_soon = None
        self.hooks.destroy()
        self.rules.clear()
        self.output_config.destroy()
        self.input_config.destroy()
        self._hide_error()
        if self._background != ffi.NULL:
            lib.wlr_scene_node_destroy(self._background)
            self._background = ffi.NULL


def _keys(text: str) -> tuple[int, str]:
    return api._keys(text, "bind")


def _rgba(color: str) -> list[float]:
    value = int(color, 16)
    return [((value >> shift) & 0xFF) / 255 for shift in (16, 8, 0)] + [1.0]
