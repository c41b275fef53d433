"""What a configuration file sees: the functions it calls to say what it wants.

The file is plain Python, run once at start and again at each reload. Every name below is
in its namespace already (``from compositor.configfile.api import *`` says so to an
editor or a linter, and changes nothing). Calling them records *declarations*; nothing
happens to the running compositor until the whole file ran without an error, and then the
new declarations replace the old ones as a whole (see compositor/configfile/runtime.py).
A mistake (an unknown key name, option, command or hook, a wrong type) raises
:class:`ConfigError` at the line that made it, so the error names the file and that line.

Commands (:data:`cmd`) are the control socket's commands (``pydrm-ctl help`` lists them):
``cmd.spawn("foot")`` or ``cmd("move-to-output", output="HDMI-A-1")`` makes a
:class:`Command`, run later by a binding, or at once with ``.run()`` (in a hook, say).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Command",
    "ConfigError",
    "autostart",
    "background",
    "bind",
    "cmd",
    "cursor",
    "default_bindings",
    "hook",
    "input",
    "monitor",
    "mouse",
    "on_reload",
    "output",
    "profile",
    "rule",
    "sandbox",
    "title_bar",
    "unbind",
    "client_limits",
]

# wlroots' modifier bits (enum wlr_keyboard_modifier).
SHIFT, CTRL, ALT, LOGO = 1, 4, 8, 64
MODIFIER_NAMES = {
    "shift": SHIFT,
    "ctrl": CTRL,
    "control": CTRL,
    "alt": ALT,
    "mod1": ALT,
    "super": LOGO,
    "logo": LOGO,
    "mod4": LOGO,
    "win": LOGO,
}
BUTTONS = {
    "left": 0x110,
    "right": 0x111,
    "middle": 0x112,
    "side": 0x113,
    "extra": 0x114,
    "button1": 0x110,
    "button2": 0x112,
    "button3": 0x111,
    "button8": 0x113,
    "button9": 0x114,
}
HOOK_EVENTS = {
    "window_mapped": "a window is shown for the first time or again (its description)",
    "window_unmapped": "a window is hidden or closed (its description)",
    "window_focused": "a window gets the keyboard focus (its description)",
    "window_title": "a window's title changed (its description)",
    "output_added": "an output is connected and lit (its description)",
    "output_removed": "an output went (its description)",
    "client_connected": "a Wayland client connected ({'pid': ...})",
    "client_gone": "a Wayland client disconnected ({'pid': ...})",
    "client_first_buffer": "a client showed its first buffer of a kind since the hook was set "
    "({'pid', 'kind': 'wl_shm'|'linux-dmabuf'|'wl_drm PRIME dma-buf'|'wl_drm PRIME memfd'|..., "
    "'app_id'})",
    "client_shm_fallback": "a surface that showed dma-bufs shows shared memory now: its "
    "client's GPU path fell back ({'pid', 'from': kind, 'kind', 'app_id'})",
}
STATES = ("normal", "maximized", "fullscreen", "minimized")
DECORATIONS = ("server", "client")
TRANSFORMS = {
    "normal": 0,
    "0": 0,
    "90": 1,
    "180": 2,
    "270": 3,
    "flipped": 4,
    "flipped-90": 5,
    "flipped-180": 6,
    "flipped-270": 7,
}
ACCEL_PROFILES = ("flat", "adaptive")
SCROLL_METHODS = ("none", "two_finger", "edge", "on_button_down")
_COLOR = re.compile(r"#?([0-9a-fA-F]{6})")


class ConfigError(Exception):
    """A mistake in the configuration file (reported with the file and line)."""


class CommandFailed(RuntimeError):
    """A command ran and the compositor refused it (the reason is the message)."""


# -- what a file declares ---------------------------------------------------------------


@dataclass
class KeyBinding:
    keys: str  # as written: "Super+Shift+Return"
    modifiers: int
    keysym: str
    action: Command | Callable[[], Any]
    description: str
    inhibitable: bool


@dataclass(frozen=True)
class Monitor:
    """Matches outputs by connector name and/or make, model, serial (each exact)."""

    name: str | None = None
    make: str | None = None
    model: str | None = None
    serial: str | None = None

    def matches(self, output: Any) -> bool:
        return all(
            wanted is None or wanted == (getattr(output, attr) or "")
            for attr, wanted in (
                ("name", self.name),
                ("make", self.make),
                ("model", self.model),
                ("serial", self.serial),
            )
        )

    def __str__(self) -> str:
        return " ".join(f"{k}={v!r}" for k, v in vars(self).items() if v is not None)


@dataclass
class OutputSettings:
    mode: Any = None  # compositor.config.Mode
    scale: float | None = None
    transform: int | None = None
    position: tuple[int, int] | None = None
    enabled: bool | None = None
    scanout: bool | None = None  # False: every frame composited (a rule for graphics work)

    def merged(self, other: OutputSettings) -> OutputSettings:
        """These settings, with ``other``'s where it has one."""
        return OutputSettings(
            **{
                k: v if getattr(other, k) is None else getattr(other, k)
                for k, v in vars(self).items()
            }
        )


@dataclass
class Profile:
    name: str
    outputs: list[tuple[Monitor, OutputSettings]]


@dataclass
class Rule:
    match: dict[str, Any]  # app_id, title, x11_class: compiled patterns; pid: int
    output: str | None = None
    position: tuple[int, int] | None = None
    size: tuple[int, int] | None = None
    state: str | None = None
    decoration: str | None = None
    focus: bool | None = None
    layer: str | None = None  # "above", "below" or "normal" (above=/below=)
    line: int = 0

    def matches(self, view: Any) -> bool:
        for key, wanted in self.match.items():
            if key == "pid":
                if view.pid != wanted:
                    return False
            elif key == "x11_class":
                if view.kind != "x11" or not wanted.fullmatch(view.app_id or ""):
                    return False
            elif not wanted.fullmatch(getattr(view, key) or ""):
                return False
        return True


@dataclass
class InputSettings:
    match: str  # "*", "type:keyboard", "type:pointer", "type:touchpad", or a device name
    settings: dict[str, Any]

    def matches(self, name: str, kind: str, touchpad: bool = False) -> bool:
        if self.match == "*":
            return True
        if self.match.startswith("type:"):
            wanted = self.match[5:]
            return wanted == kind or (wanted == "touchpad" and touchpad)
        return self.match == name


@dataclass
class Declarations:
    """Everything one run of a configuration file declared."""

    path: Path
    default_bindings: bool = True
    bindings: dict[tuple[int, str], KeyBinding] = field(default_factory=dict)
    unbound: dict[tuple[int, str], str] = field(default_factory=dict)
    mouse: dict[tuple[int, int], Any] = field(default_factory=dict)  # action, None: unbound
    rules: list[Rule] = field(default_factory=list)
    outputs: list[tuple[Monitor, OutputSettings]] = field(default_factory=list)
    profiles: list[Profile] = field(default_factory=list)
    inputs: list[InputSettings] = field(default_factory=list)
    autostart: list[str | list[str]] = field(default_factory=list)
    on_reload: list[str | list[str]] = field(default_factory=list)
    cursor: tuple[str | None, int] | None = None
    background: str | None = None
    title_bar: dict[str, Any] = field(default_factory=dict)
    sandbox: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())  # shown, hidden
    hooks: dict[str, list[Callable[..., Any]]] = field(default_factory=dict)
    client_limits: list[Any] = field(default_factory=list)  # limits_objects.ClientRule


# The declarations of the file being run (set by the loader), and what commands exist.
_current: Declarations | None = None
_command_names: frozenset[str] = frozenset()
# Runs a command in the compositor: (name, arguments) -> the reply (set by the runtime).
_runner: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None


def _declarations(what: str) -> Declarations:
    if _current is None:
        raise ConfigError(f"{what}() declares configuration: call it in the config file itself")
    return _current


# -- commands ---------------------------------------------------------------------------

# The argument a command's first positional value is (cmd.spawn("foot")).
POSITIONAL = {
    "spawn": "command",
    "vt": "number",
    "move-to-output": "output",
    "set-layer": "layer",
    "focus": "id",
    "close": "id",
    "switch-windows": "step",
    "record-start": "path",
    "screenshot": "path",
}


class Command:
    """One compositor command with its arguments, run by a binding or by :meth:`run`."""

    def __init__(self, name: str, args: dict[str, Any]) -> None:
        self.name = name
        self.args = args

    def run(self) -> dict[str, Any]:
        """Run it now; returns the reply, raises :class:`CommandFailed` when refused."""
        if _runner is None:
            raise CommandFailed("commands run once the compositor has started")
        return _runner(self.name, self.args)

    __call__ = run

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.args.items())
        return f"cmd({self.name!r}{', ' if args else ''}{args})"


class _Commands:
    """``cmd.NAME(...)`` / ``cmd("NAME", ...)``: a :class:`Command` (``_`` in NAME is ``-``)."""

    def __call__(self, name: str, *positional: Any, **args: Any) -> Command:
        if not isinstance(name, str):
            raise ConfigError(f"a command name is a string, not {name!r}")
        if _command_names and name not in _command_names:
            close = [n for n in sorted(_command_names) if n.startswith(name[:3])]
            hint = f" (did you mean {', '.join(close[:4])}?)" if close else ""
            raise ConfigError(f"unknown command {name!r}{hint}; `pydrm-ctl help` lists them")
        if positional:
            if len(positional) > 1 or name not in POSITIONAL:
                raise ConfigError(
                    f"command {name!r} takes keyword arguments (name=value)"
                    + (f", or one value for {POSITIONAL[name]}" if name in POSITIONAL else "")
                )
            args = {POSITIONAL[name]: positional[0], **args}
        return Command(name, args)

    def __getattr__(self, attr: str) -> Callable[..., Command]:
        if attr.startswith("__"):
            raise AttributeError(attr)
        name = attr.replace("_", "-")
        return lambda *positional, **args: self(name, *positional, **args)


cmd = _Commands()


# -- helpers ----------------------------------------------------------------------------


def _keys(text: Any, what: str) -> tuple[int, str]:
    """ "Super+Shift+Return" -> (modifier bits, keysym name), checked against xkb."""
    from xkbcommon import xkb

    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{what} takes keys like 'Super+Return', not {text!r}")
    *mods, key = [part.strip() for part in text.split("+")]
    if key == "" and text.endswith("+"):  # "Ctrl++"
        key = "plus"
    bits = _modifiers(mods, text)
    if xkb.keysym_from_name(key) == 0:
        found = xkb.keysym_from_name(key, case_insensitive=True)
        if found == 0:
            raise ConfigError(
                f"unknown key {key!r} in {text!r} (an xkb keysym name: Return, a, F4)"
            )
        key = xkb.keysym_get_name(found)
    if bits & SHIFT and len(key) == 1 and key.isalpha():
        key = key.upper()  # Shift+a gives the keysym A
    return bits, key


def _modifiers(names: list[str], text: str) -> int:
    bits = 0
    for name in names:
        bit = MODIFIER_NAMES.get(name.lower())
        if bit is None:
            raise ConfigError(f"unknown modifier {name!r} in {text!r} (Super, Alt, Ctrl, Shift)")
        bits |= bit
    return bits


def _pattern(value: Any, what: str) -> re.Pattern[str]:
    if isinstance(value, re.Pattern):
        return value
    if not isinstance(value, str):
        raise ConfigError(f"{what} takes a string (a regular expression), not {value!r}")
    try:
        return re.compile(value)
    except re.error as exc:
        raise ConfigError(f"{what}={value!r} is not a regular expression: {exc}") from None


def _pair(value: Any, what: str, positive: bool = False) -> tuple[int, int]:
    if (
        not isinstance(value, (tuple, list))
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or (positive and min(value) <= 0)
    ):
        kind = "positive whole numbers" if positive else "whole numbers"
        raise ConfigError(f"{what} takes two {kind} (x, y), not {value!r}")
    return int(value[0]), int(value[1])


def _bool(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{what} takes True or False, not {value!r}")
    return value


def _color(value: Any, what: str) -> str:
    match = _COLOR.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ConfigError(f"{what} takes a colour like '#2e5a8a', not {value!r}")
    return match[1].lower()


def _command_line(value: Any, what: str) -> str | list[str]:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(f"{what} takes a shell command line or an argument list, not {value!r}")


def _action(action: Any, what: str) -> Any:
    if isinstance(action, Command) or callable(action):
        return action
    raise ConfigError(
        f"{what}: the action is a command (cmd.spawn('foot'), cmd.close()) or a function, "
        f"not {action!r}"
    )


# -- the declarations -------------------------------------------------------------------


def bind(
    keys: str,
    action: Command | Callable[[], Any],
    description: str | None = None,
    *,
    inhibitable: bool = True,
) -> None:
    """Bind keys, e.g. ``bind("Super+Return", cmd.spawn("foot"))``; replaces a built-in
    binding of the same keys. ``inhibitable=False``: runs even while a client inhibits
    shortcuts (as Ctrl+Alt+BackSpace does)."""
    declarations = _declarations("bind")
    bits, keysym = _keys(keys, "bind")
    action = _action(action, f"bind({keys!r})")
    if description is not None and not isinstance(description, str):
        raise ConfigError(f"bind({keys!r}): the description is a string, not {description!r}")
    declarations.bindings[(bits, keysym)] = KeyBinding(
        keys,
        bits,
        keysym,
        action,
        description or repr(action),
        _bool(inhibitable, "inhibitable"),
    )
    declarations.unbound.pop((bits, keysym), None)


def unbind(keys: str) -> None:
    """Remove a binding (a built-in one: ``unbind("Alt+F4")``)."""
    declarations = _declarations("unbind")
    bits, keysym = _keys(keys, "unbind")
    declarations.bindings.pop((bits, keysym), None)
    declarations.unbound[(bits, keysym)] = keys


def default_bindings(keep: bool = True) -> None:
    """``default_bindings(False)``: none of the built-in key and pointer bindings, except
    the way out (Ctrl+Alt+BackSpace quits, Ctrl+Alt+F1..F12 switch VT), which only
    ``unbind`` removes."""
    _declarations("default_bindings").default_bindings = _bool(keep, "default_bindings")


def mouse(buttons: str, action: str | Command | Callable[..., Any] | None) -> None:
    """A pointer binding on windows: ``mouse("Super+left", "move")``, ``"resize"``, a
    command, a function of the window's description, or None to remove one.
    Buttons: left, right, middle, side, extra (or button1..3, 8, 9)."""
    declarations = _declarations("mouse")
    if not isinstance(buttons, str) or "+" not in buttons and buttons.lower() not in BUTTONS:
        raise ConfigError(f"mouse takes buttons like 'Super+left', not {buttons!r}")
    *mods, button = [part.strip() for part in buttons.split("+")]
    code = BUTTONS.get(button.lower())
    if code is None:
        raise ConfigError(
            f"unknown button {button!r} in {buttons!r} (left, right, middle, side, extra)"
        )
    bits = _modifiers(mods, buttons)
    if action is not None and action not in ("move", "resize"):
        action = _action(action, f"mouse({buttons!r})")
    declarations.mouse[(bits, code)] = action


def rule(
    *,
    app_id: str | None = None,
    title: str | None = None,
    x11_class: str | None = None,
    pid: int | None = None,
    output: str | None = None,
    position: tuple[int, int] | None = None,
    size: tuple[int, int] | None = None,
    state: str | None = None,
    decoration: str | None = None,
    focus: bool | None = None,
    above: bool | None = None,
    below: bool | None = None,
) -> None:
    """A window rule, applied when a matching window first maps. Match (all given must
    hold; strings are regular expressions matched against the whole value): ``app_id``,
    ``title``, ``x11_class`` (an X11 window's WM_CLASS), ``pid``. Do: ``output`` (a name:
    the window opens there), ``position`` (x, y: in the layout, or from the top-left of
    ``output`` when given), ``size`` (width, height), ``state`` (normal, maximized,
    fullscreen, minimized), ``decoration`` (server: our title bar; client: none of ours),
    ``focus`` (False: it opens without taking the focus), ``above`` (True: kept above
    every normal window, even one focused later) or ``below`` (True: kept under them;
    ``above=False``/``below=False``: among the normal ones). The layer follows the rules
    at each reload too: a window whose layer a rule set goes back to normal when no rule
    says so any more."""
    declarations = _declarations("rule")
    match: dict[str, Any] = {}
    for key, value in (("app_id", app_id), ("title", title), ("x11_class", x11_class)):
        if value is not None:
            match[key] = _pattern(value, key)
    if pid is not None:
        if not isinstance(pid, int) or isinstance(pid, bool):
            raise ConfigError(f"pid takes a number, not {pid!r}")
        match["pid"] = pid
    if not match:
        raise ConfigError("rule() needs something to match: app_id=, title=, x11_class= or pid=")
    if output is not None and not isinstance(output, str):
        raise ConfigError(f"output takes an output's name, not {output!r}")
    if state is not None and state not in STATES:
        raise ConfigError(f"state takes one of {', '.join(STATES)}, not {state!r}")
    if decoration is not None and decoration not in DECORATIONS:
        raise ConfigError(f"decoration takes server or client, not {decoration!r}")
    layer = None
    if above is not None or below is not None:
        above = above is not None and _bool(above, "above")
        below = below is not None and _bool(below, "below")
        if above and below:
            raise ConfigError("a window is kept above or below the others, not both")
        layer = "above" if above else "below" if below else "normal"
    declarations.rules.append(
        Rule(
            match,
            output=output,
            position=None if position is None else _pair(position, "position"),
            size=None if size is None else _pair(size, "size", positive=True),
            state=state,
            decoration=decoration,
            focus=None if focus is None else _bool(focus, "focus"),
            layer=layer,
            line=sys._getframe(1).f_lineno,
        )
    )


def monitor(
    name: str | None = None,
    *,
    make: str | None = None,
    model: str | None = None,
    serial: str | None = None,
) -> Monitor:
    """Which output: by connector name (``"DP-1"``) and/or ``make``, ``model``,
    ``serial`` (as ``pydrm-ctl outputs`` and wlr-randr show them)."""
    for what, value in (("name", name), ("make", make), ("model", model), ("serial", serial)):
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"monitor {what} takes a string, not {value!r}")
    if (name, make, model, serial) == (None, None, None, None):
        raise ConfigError("monitor() needs a name, make, model or serial")
    return Monitor(name, make, model, serial)


def _monitor(value: Any) -> Monitor:
    if isinstance(value, Monitor):
        return value
    if isinstance(value, str):
        return Monitor(name=value)
    raise ConfigError(f"an output is named by a string or monitor(...), not {value!r}")


def _output_settings(
    mode: Any = None,
    scale: Any = None,
    transform: Any = None,
    position: Any = None,
    enabled: Any = None,
    scanout: Any = None,
) -> OutputSettings:
    from compositor.config import parse_mode

    settings = OutputSettings()
    if mode is not None:
        try:
            settings.mode = parse_mode(mode) if isinstance(mode, str) else None
        except Exception as exc:  # argparse's error type: the message says what is wrong
            raise ConfigError(str(exc).replace("--mode", "mode")) from None
        if settings.mode is None:
            raise ConfigError(f"mode takes 'WIDTHxHEIGHT[@HZ]', not {mode!r}")
    if scale is not None:
        if not isinstance(scale, (int, float)) or isinstance(scale, bool) or not 0.25 <= scale <= 8:
            raise ConfigError(f"scale takes a number from 0.25 to 8, not {scale!r}")
        settings.scale = float(scale)
    if transform is not None:
        if str(transform) not in TRANSFORMS:
            raise ConfigError(f"transform takes one of {', '.join(TRANSFORMS)}, not {transform!r}")
        settings.transform = TRANSFORMS[str(transform)]
    if position is not None:
        settings.position = _pair(position, "position")
    if enabled is not None:
        settings.enabled = _bool(enabled, "enabled")
    if scanout is not None:
        settings.scanout = _bool(scanout, "scanout")
    return settings


def output(
    name: str | Monitor | None = None,
    *,
    make: str | None = None,
    model: str | None = None,
    serial: str | None = None,
    mode: str | None = None,
    scale: float | None = None,
    transform: str | None = None,
    position: tuple[int, int] | None = None,
    enabled: bool | None = None,
    scanout: bool | None = None,
) -> None:
    """Settings of an output, by connector name or make/model/serial: ``mode``
    ("1920x1080@60"), ``scale``, ``transform`` (normal, 90, 180, 270, flipped,
    flipped-90...), ``position`` (x, y in the layout; outputs without one are laid out
    left to right after those with one), ``enabled``, ``scanout`` (False: every frame
    composited, no client's buffer put on the plane directly; ``outputs`` says "by rule").
    Applied when the output appears."""
    declarations = _declarations("output")
    if isinstance(name, Monitor):
        which = name
    else:
        which = monitor(name, make=make, model=model, serial=serial)
    declarations.outputs.append(
        (which, _output_settings(mode, scale, transform, position, enabled, scanout))
    )


def profile(name: str, outputs: dict[Any, dict[str, Any]]) -> None:
    """Settings applied when exactly this set of outputs is connected (as kanshi does):
    ``profile("docked", {"eDP-1": dict(enabled=False), monitor(make="Dell"): dict(
    mode="2560x1440", position=(0, 0))})``. The first profile that matches wins; its
    settings come over those of ``output()``."""
    declarations = _declarations("profile")
    if not isinstance(name, str):
        raise ConfigError(f"a profile's name is a string, not {name!r}")
    if not isinstance(outputs, dict) or not outputs:
        raise ConfigError("profile() takes a dict: {output name or monitor(...): {settings}}")
    entries = []
    for key, settings in outputs.items():
        if not isinstance(settings, dict):
            raise ConfigError(f"profile {name!r}: the settings of {key!r} are a dict")
        unknown = set(settings) - {"mode", "scale", "transform", "position", "enabled", "scanout"}
        if unknown:
            raise ConfigError(
                f"profile {name!r}: unknown output setting {sorted(unknown)[0]!r} "
                "(mode, scale, transform, position, enabled)"
            )
        entries.append((_monitor(key), _output_settings(**settings)))
    declarations.profiles.append(Profile(name, entries))


INPUT_SETTINGS: dict[str, type | tuple[type, ...]] = {
    "xkb_layout": str,
    "xkb_variant": str,
    "xkb_options": str,
    "xkb_model": str,
    "xkb_rules": str,
    "repeat_rate": int,
    "repeat_delay": int,
    "tap": bool,
    "natural_scroll": bool,
    "accel_profile": str,
    "accel_speed": (int, float),
    "left_handed": bool,
    "dwt": bool,
    "scroll_method": str,
}


def input(match: str = "*", **settings: Any) -> None:  # noqa: A001 (sway's name)
    """Settings of input devices: ``match`` is "*", "type:keyboard", "type:pointer",
    "type:touchpad" or a device's name. Keyboards: ``xkb_layout``, ``xkb_variant``,
    ``xkb_options``, ``xkb_model``, ``xkb_rules``, ``repeat_rate`` (keys a second),
    ``repeat_delay`` (ms). libinput pointers and touchpads: ``tap``, ``natural_scroll``,
    ``accel_profile`` (flat, adaptive), ``accel_speed`` (-1..1), ``left_handed``,
    ``dwt`` (disable while typing), ``scroll_method`` (none, two_finger, edge,
    on_button_down)."""
    declarations = _declarations("input")
    if not isinstance(match, str):
        raise ConfigError(f"input() matches a device name or 'type:...', not {match!r}")
    if match.startswith("type:") and match[5:] not in ("keyboard", "pointer", "touchpad"):
        raise ConfigError(f"input type is keyboard, pointer or touchpad, not {match[5:]!r}")
    for key, value in settings.items():
        kind = INPUT_SETTINGS.get(key)
        if kind is None:
            raise ConfigError(f"unknown input setting {key!r} (one of {', '.join(INPUT_SETTINGS)})")
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ConfigError(
                f"input setting {key} takes a {getattr(kind, '__name__', 'number')}, not {value!r}"
            )
    if "accel_profile" in settings and settings["accel_profile"] not in ACCEL_PROFILES:
        raise ConfigError(
            f"accel_profile takes flat or adaptive, not {settings['accel_profile']!r}"
        )
    if "scroll_method" in settings and settings["scroll_method"] not in SCROLL_METHODS:
        raise ConfigError(
            f"scroll_method takes one of {', '.join(SCROLL_METHODS)}, not "
            f"{settings['scroll_method']!r}"
        )
    if "accel_speed" in settings and not -1 <= settings["accel_speed"] <= 1:
        raise ConfigError("accel_speed takes a number from -1 to 1")
    for key, low, high in (("repeat_rate", 0, 1000), ("repeat_delay", 0, 10000)):
        if key in settings and not low <= settings[key] <= high:
            raise ConfigError(f"{key} takes a number from {low} to {high}")
    declarations.inputs.append(InputSettings(match, dict(settings)))


def autostart(*commands: str | list[str]) -> None:
    """Commands started once, when the compositor starts (not again at a reload). A string
    runs through /bin/sh; a list is the argument list."""
    declarations = _declarations("autostart")
    declarations.autostart += [_command_line(c, "autostart") for c in commands]


def on_reload(*commands: str | list[str]) -> None:
    """Commands started at start and again at each reload (sway's exec_always)."""
    declarations = _declarations("on_reload")
    declarations.on_reload += [_command_line(c, "on_reload") for c in commands]


def cursor(theme: str | None = None, size: int = 24) -> None:
    """The pointer's xcursor theme and size (also XCURSOR_THEME/XCURSOR_SIZE for clients
    started from here)."""
    declarations = _declarations("cursor")
    if theme is not None and not isinstance(theme, str):
        raise ConfigError(f"cursor theme is a name, not {theme!r}")
    if not isinstance(size, int) or isinstance(size, bool) or not 8 <= size <= 256:
        raise ConfigError(f"cursor size takes a number from 8 to 256, not {size!r}")
    declarations.cursor = (theme, size)


def background(color: str) -> None:
    """The colour under everything ('#203040')."""
    _declarations("background").background = _color(color, "background")


def title_bar(
    *,
    focused: str | None = None,
    unfocused: str | None = None,
    close: str | None = None,
    maximize: str | None = None,
    font: str | None = None,
    font_size: int | None = None,
) -> None:
    """Our title bars: colours of the bar (focused, unfocused) and of its buttons, and
    the titles' font and size. ``font`` is a font's fontconfig name ("DejaVu Sans Mono",
    "DejaVu Serif:bold", "monospace"; ``fc-list : family`` lists them) or a font file's
    path; a name fontconfig has no family of is an error, not some other font."""
    declarations = _declarations("title_bar")
    for key, value in (
        ("focused", focused),
        ("unfocused", unfocused),
        ("close", close),
        ("maximize", maximize),
    ):
        if value is not None:
            declarations.title_bar[key] = _color(value, key)
    if font is not None:
        declarations.title_bar.update(_font(font))
    if font_size is not None:
        if (
            not isinstance(font_size, int)
            or isinstance(font_size, bool)
            or not 6 <= font_size <= 48
        ):
            raise ConfigError(f"font_size takes a number from 6 to 48, not {font_size!r}")
        declarations.title_bar["font_size"] = font_size


def _font(font: Any) -> dict[str, Any]:
    """``title_bar(font=...)``: the file (and face) of a font's name or path, read once."""
    from compositor.configfile import fonts  # noqa: PLC0415 (only for a font)

    if not isinstance(font, str):
        raise ConfigError(f"font takes a font's name or a font file's path, not {font!r}")
    if fonts.looks_like_a_path(font):
        path = Path(font).expanduser()
        if not path.is_file():
            raise ConfigError(
                f"font: no such file {font!r} (a font file's path, or a font's name like "
                "'DejaVu Sans Mono')"
            )
        found = {"font": str(path), "font_index": 0}
    else:
        try:
            resolved = fonts.resolve(font)
        except fonts.FontError as exc:
            raise ConfigError(str(exc)) from None
        found = {"font": resolved.file, "font_index": resolved.index, "font_name": font}
    from PIL import ImageFont  # noqa: PLC0415 (the title bars' renderer)

    try:
        ImageFont.truetype(found["font"], 12, index=found["font_index"])
    except OSError as exc:
        raise ConfigError(f"font: {found['font']} is not a font Pillow can read ({exc})") from None
    return found


def client_limits(
    *,
    exe: str | None = None,
    uid: int | None = None,
    linux_dmabuf: bool | None = None,
    wl_drm: bool | None = None,
    scanout: bool | None = None,
    refuse_formats: list[str | int] | tuple[str | int, ...] = (),
    refuse_modifiers: list[str | int] | tuple[str | int, ...] = (),
    **limits: int,
) -> None:
    """Other limits for the clients whose executable (``exe``: a regular expression matched
    against the whole path or the base name, from /proc/PID/exe; ``Xwayland`` names Xwayland,
    whose credentials are the compositor's own) and ``uid`` match, decided when a client
    connects: any of ``--max-client-*``'s without the prefix, dashes as underscores
    (``shm_bytes=8 << 30``: firefox may hold 8 GiB of wl_shm; ``regions=0``), and the
    graphics paths kept from it: ``linux_dmabuf=False``, ``wl_drm=False`` (the global is
    hidden from it, so it takes its fall-back path), ``scanout=False`` (its buffers always
    composited, never put on a plane directly); formats and modifiers refused to it, to
    exercise its fall-back: ``refuse_formats=["XR24", "AR24"]`` (fourccs),
    ``refuse_modifiers=["LINEAR", 0x0100000000000001]`` (LINEAR, INVALID: no explicit
    modifier, or the number): left out of what linux-dmabuf and wl_drm offer it, its buffers
    of them refused (see compositor/format_rules.py). Every matching rule applies, in the
    file's order (a later one's value wins, refusals add up); clients connected already keep
    theirs."""
    from compositor.format_names import parse_format, parse_modifier  # noqa: PLC0415
    from compositor.limits_objects import ClientRule, check_rule_limits  # noqa: PLC0415

    declarations = _declarations("client_limits")
    if exe is None and uid is None:
        raise ConfigError("client_limits() needs something to match: exe= or uid=")
    if uid is not None and (not isinstance(uid, int) or isinstance(uid, bool)):
        raise ConfigError(f"uid takes a number, not {uid!r}")
    try:
        checked = check_rule_limits(limits)
    except ValueError as exc:
        raise ConfigError(f"client_limits(): {exc}") from None
    hide = tuple(
        name
        for name, offered in (
            ("linux_dmabuf", linux_dmabuf), ("wl_drm", wl_drm), ("scanout", scanout)
        )
        if offered is not None and not _bool(offered, name)
    )
    refused: list[tuple[str, Any]] = []
    for what, given, parse in (
        ("refuse_formats", refuse_formats, parse_format),
        ("refuse_modifiers", refuse_modifiers, parse_modifier),
    ):
        if isinstance(given, (str, int)) or not isinstance(given, (list, tuple)):
            raise ConfigError(f"{what} takes a list, like {what}=[...], not {given!r}")
        try:
            refused.append((what, frozenset(parse(value) for value in given)))
        except ValueError as exc:
            raise ConfigError(f"client_limits() {what}: {exc}") from None
    declarations.client_limits.append(
        ClientRule(
            exe=None if exe is None else _pattern(exe, "exe"),
            uid=uid,
            limits=checked,
            hide=hide,
            refuse_formats=refused[0][1],
            refuse_modifiers=refused[1][1],
            line=sys._getframe(1).f_lineno,
        )
    )


def _interfaces(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ConfigError(f"sandbox {what} takes a list of interface names, not {value!r}")
    for name in value:
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ConfigError(
                f"sandbox {what}: {name!r} is not an interface name like zwlr_layer_shell_v1"
            )
    return tuple(value)


def sandbox(
    *, show: list[str] | tuple[str, ...] = (), hide: list[str] | tuple[str, ...] = ()
) -> None:
    """Which globals connections from a sandbox (wp_security_context_v1: Flatpak) see.
    By default the privileged ones are hidden (compositor/security_context.py's
    PRIVILEGED: screencopy, virtual input, data-control, layer-shell, session lock...);
    ``show`` offers some of those to sandboxes again, ``hide`` hides more (any interface
    name). A global a sandboxed client bound already stays bound."""
    _declarations("sandbox").sandbox = (_interfaces(show, "show"), _interfaces(hide, "hide"))


def hook(event: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A function called at an event, with one argument (a dict): ``@hook("window_mapped")``.
    Events: window_mapped, window_unmapped, window_focused, window_title, output_added,
    output_removed, client_connected, client_gone, client_first_buffer, client_shm_fallback.
    A hook that raises is logged with its
    traceback; after 3 failures it is disabled. Events with no hook cost nothing."""
    declarations = _declarations("hook")
    if event not in HOOK_EVENTS:
        raise ConfigError(f"unknown hook event {event!r} (one of {', '.join(HOOK_EVENTS)})")

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        if not callable(function):
            raise ConfigError(f"@hook({event!r}) decorates a function, not {function!r}")
        declarations.hooks.setdefault(event, []).append(function)
        return function

    return register
