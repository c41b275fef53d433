"""Injected input: a headless pointer and keyboard that scripts and tests drive.

On the headless backend the compositor adds one pointer and one keyboard
(``wlr_headless_add_input_device``); the control socket's ``pointer``/``key`` commands emit
real wlroots input events on them, so injected input takes exactly the path that libinput
events take (cursor -> seat -> client, bindings included).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from compositor.control import CommandError
from compositor.ffi import ffi, lib, to_native

if TYPE_CHECKING:
    from wlroots.backend import Backend
    from wlroots.wlr_types import OutputLayout

    from compositor.control import ControlServer

log = logging.getLogger(__name__)

# Linux evdev key codes (linux/input-event-codes.h) by xkb-style name.
_LETTERS = "qwertyuiop", "asdfghjkl", "zxcvbnm"
KEYCODES: dict[str, int] = {}
for _row, _start in zip(_LETTERS, (16, 30, 44), strict=True):
    for _i, _ch in enumerate(_row):
        KEYCODES[_ch] = _start + _i
for _i, _ch in enumerate("1234567890"):
    KEYCODES[_ch] = 2 + _i
KEYCODES.update(
    {
        "Escape": 1,
        "minus": 12,
        "equal": 13,
        "BackSpace": 14,
        "Tab": 15,
        "Return": 28,
        "Control_L": 29,
        "semicolon": 39,
        "apostrophe": 40,
        "grave": 41,
        "Shift_L": 42,
        "backslash": 43,
        "comma": 51,
        "period": 52,
        "slash": 53,
        "Shift_R": 54,
        "Alt_L": 56,
        "space": 57,
        "Caps_Lock": 58,
        "Super_L": 125,
        "Up": 103,
        "Left": 105,
        "Right": 106,
        "Down": 108,
        "Delete": 111,
    }
)
for _i in range(10):
    KEYCODES[f"F{_i + 1}"] = 59 + _i
KEYCODES.update({"F11": 87, "F12": 88})
# Characters typed with Shift held.
SHIFTED = {
    "!": "1",
    "@": "2",
    "#": "3",
    "$": "4",
    "%": "5",
    "^": "6",
    "&": "7",
    "*": "8",
    "(": "9",
    ")": "0",
    "_": "minus",
    "+": "equal",
    ":": "semicolon",
    '"': "apostrophe",
    "~": "grave",
    "|": "backslash",
    "<": "comma",
    ">": "period",
    "?": "slash",
}
CHARS = {
    " ": "space",
    "\n": "Return",
    "\t": "Tab",
    "-": "minus",
    "=": "equal",
    ";": "semicolon",
    "'": "apostrophe",
    "`": "grave",
    "\\": "backslash",
    ",": "comma",
    ".": "period",
    "/": "slash",
}


class InjectionError(ValueError):
    """Bad injected input: reported to the control client, not logged as a crash."""


def _now_msec() -> int:
    return int(time.monotonic() * 1000) & 0xFFFFFFFF


class InputInjector:
    def __init__(self, backend: Backend, output_layout: OutputLayout) -> None:
        self.output_layout = output_layout
        self._backend = to_native(backend, "struct wlr_backend *")
        # Plugged devices of each kind, oldest first: input goes to the newest.
        self.plugged: dict[str, list] = {"pointer": [], "keyboard": []}
        self.plug("pointer")
        self.plug("keyboard")
        self.tablet = None  # the headless tablet (tablet-add) and its pen
        self._pen = None
        self._pen_in = False

    @property
    def pointer(self):
        return self._newest("pointer")

    @property
    def keyboard(self):
        return self._newest("keyboard")

    def _newest(self, kind: str):
        devices = self.plugged[kind]
        if not devices:
            raise InjectionError(f"no {kind} is plugged in: input-plug kind={kind}")
        return devices[-1]

    def plug(self, kind: str) -> None:
        """A headless keyboard or pointer joins (as a USB one is plugged in); the injected
        input goes to it from now on."""
        types = {"pointer": lib.WLR_INPUT_DEVICE_POINTER, "keyboard": lib.WLR_INPUT_DEVICE_KEYBOARD}
        if kind not in types:
            raise InjectionError("kind= takes keyboard or pointer")
        device = lib.wlr_headless_add_input_device(self._backend, types[kind])
        if device == ffi.NULL:
            raise InjectionError(f"wlroots refused to add a headless {kind}")
        self.plugged[kind].append(device)

    def unplug(self, kind: str) -> None:
        """The newest keyboard or pointer goes (as a USB one is pulled out), in the middle
        of whatever it was doing; input goes to the one plugged before it, if any."""
        if kind not in self.plugged:
            raise InjectionError("kind= takes keyboard or pointer")
        device = self._newest(kind)
        self.plugged[kind].pop()
        lib.comp_headless_input_device_unplug(device)

    def move(self, x: float, y: float) -> None:
        """Warp the pointer to layout coordinates (x, y)."""
        nx, ny = self._normalized(x, y)
        lib.comp_pointer_motion_absolute(self.pointer, _now_msec(), nx, ny)
        lib.comp_pointer_frame(self.pointer)

    def _normalized(self, x: float, y: float) -> tuple[float, float]:
        """Layout coordinates as an absolute device's, 0 to 1 over the layout."""
        box = self.output_layout.get_box()
        if box is None or box.width <= 0 or box.height <= 0:
            raise InjectionError("no output: the pointer has nowhere to go")
        nx = (x - box.x) / box.width
        ny = (y - box.y) / box.height
        if not (0.0 <= nx <= 1.0 and 0.0 <= ny <= 1.0):
            raise InjectionError(
                f"({x}, {y}) is outside the output layout {box.x},{box.y} {box.width}x{box.height}"
            )
        return nx, ny

    def button(self, button: int, pressed: bool) -> None:
        lib.comp_pointer_button(self.pointer, _now_msec(), button, pressed)
        lib.comp_pointer_frame(self.pointer)

    def scroll(self, delta: float, vertical: bool = True) -> None:
        lib.comp_pointer_axis(self.pointer, _now_msec(), vertical, delta)
        lib.comp_pointer_frame(self.pointer)

    def gesture(
        self,
        kind: str,
        phase: str,
        fingers: int = 3,
        dx: float = 0.0,
        dy: float = 0.0,
        scale: float = 1.0,
        rotation: float = 0.0,
        cancelled: bool = False,
    ) -> None:
        """A touchpad gesture event: kind swipe|pinch|hold, phase begin|update|end."""
        kinds, phases = ("swipe", "pinch", "hold"), ("begin", "update", "end")
        if kind not in kinds or phase not in phases or (kind, phase) == ("hold", "update"):
            raise InjectionError(
                f"no {kind} {phase}: kind is swipe, pinch or hold, phase begin, update "
                "(not for hold) or end"
            )
        lib.comp_pointer_gesture(
            self.pointer,
            _now_msec(),
            kinds.index(kind),
            phases.index(phase),
            fingers,
            dx,
            dy,
            scale,
            rotation,
            cancelled,
        )

    def add_tablet(self) -> None:
        """A tablet-tool device joins the headless backend (as a plugged-in tablet)."""
        tablet = lib.wlr_headless_add_input_device(self._backend, lib.WLR_INPUT_DEVICE_TABLET_TOOL)
        if tablet == ffi.NULL:
            raise InjectionError("wlroots refused to add a headless tablet")
        self.tablet = tablet  # the pen is on the last one plugged in

    def pen(
        self,
        x: float,
        y: float,
        tip: str | None = None,
        pressure: float | None = None,
        proximity: str | None = None,
        button: int | None = None,
        pressed: bool = True,
    ) -> None:
        """A pen on the headless tablet at layout (x, y): comes in (proximity=in, or its
        first event), moves there (with pressure 0..1), its tip goes down or up, a button
        (an evdev code: 331 BTN_STYLUS) is pressed or released, it goes out (proximity=out),
        in the order libinput reports them."""
        if self.tablet is None:
            raise InjectionError("no tablet: plug one in first (tablet-add)")
        if tip not in (None, "down", "up") or proximity not in (None, "in", "out"):
            raise InjectionError("tip is down or up, proximity in or out")
        nx, ny = self._normalized(x, y)
        if self._pen is None:
            self._pen = lib.comp_tablet_pen_create()
        now = _now_msec()
        if proximity == "in" or (not self._pen_in and proximity != "out"):
            lib.comp_tablet_pen_proximity(self.tablet, self._pen, now, nx, ny, True)
            self._pen_in = True
        axes = lib.WLR_TABLET_TOOL_AXIS_X | lib.WLR_TABLET_TOOL_AXIS_Y
        if pressure is not None:
            axes |= lib.WLR_TABLET_TOOL_AXIS_PRESSURE
        lib.comp_tablet_pen_axis(self.tablet, self._pen, now, axes, nx, ny, pressure or 0.0)
        if tip is not None:
            lib.comp_tablet_pen_tip(self.tablet, self._pen, now, nx, ny, tip == "down")
        if button is not None:
            lib.comp_tablet_pen_button(self.tablet, self._pen, now, button, pressed)
        if proximity == "out":
            lib.comp_tablet_pen_proximity(self.tablet, self._pen, now, nx, ny, False)
            self._pen_in = False

    def key(self, name: str | int, pressed: bool) -> None:
        code = name if isinstance(name, int) else KEYCODES.get(name)
        if code is None:
            raise InjectionError(
                f"unknown key {name!r}; use an evdev key code or one of "
                f"{', '.join(sorted(KEYCODES))}"
            )
        lib.comp_keyboard_key(self.keyboard, _now_msec(), code, pressed)

    def type_text(self, text: str) -> None:
        for ch in text:
            shifted = ch.isupper() or ch in SHIFTED
            name = SHIFTED.get(ch) or CHARS.get(ch) or ch.lower()
            if name not in KEYCODES:
                raise InjectionError(f"cannot type {ch!r}")
            if shifted:
                self.key("Shift_L", True)
            self.key(name, True)
            self.key(name, False)
            if shifted:
                self.key("Shift_L", False)


def register_commands(control: ControlServer, injector: InputInjector | None) -> None:
    """The control socket's injected input; without an injector each says why it cannot."""

    def need() -> InputInjector:
        if injector is None:
            raise CommandError(
                "input injection needs the headless backend (and no --no-headless-input)"
            )
        return injector

    def move(request: dict) -> dict:
        need().move(float(request["x"]), float(request["y"]))
        return {}

    def button(request: dict) -> dict:
        device, code = need(), int(request.get("button", 0x110))
        for pressed in _press_release(request):
            device.button(code, pressed)
        return {}

    def key(request: dict) -> dict:
        device = need()
        for pressed in _press_release(request):
            device.key(request["key"], pressed)
        return {}

    def type_text(request: dict) -> dict:
        need().type_text(str(request["text"]))
        return {}

    def gesture(request: dict) -> dict:
        need().gesture(
            str(request["kind"]),
            str(request["phase"]),
            fingers=int(request.get("fingers", 3)),
            dx=float(request.get("dx", 0)),
            dy=float(request.get("dy", 0)),
            scale=float(request.get("scale", 1)),
            rotation=float(request.get("rotation", 0)),
            cancelled=str(request.get("cancelled", "false")).lower() in ("true", "1"),
        )
        return {}

    def pen(request: dict) -> dict:
        pressure, pen_button = request.get("pressure"), request.get("button")
        need().pen(
            float(request["x"]),
            float(request["y"]),
            tip=request.get("tip"),
            pressure=None if pressure is None else float(pressure),
            proximity=request.get("proximity"),
            button=None if pen_button is None else int(pen_button),
            pressed=str(request.get("pressed", "true")).lower() in ("true", "1", "yes"),
        )
        return {}

    control.register("pointer-move", "move the pointer to layout x, y", move)
    control.register(
        "pointer-button",
        "click a button (button=272 left); pressed=true|false for only the press or release",
        button,
    )
    control.register(
        "key", "press and release a key (name or evdev code); pressed=true|false for only one", key
    )
    control.register("type", "type text on the injected keyboard", type_text)
    control.register(
        "pointer-scroll",
        "scroll the injected pointer: delta= (positive: down/right) [horizontal=true]",
        lambda r: (
            need().scroll(
                float(r["delta"]), vertical=str(r.get("horizontal", "false")).lower() != "true"
            )
            or {}
        ),
    )
    control.register(
        "pointer-gesture",
        "a touchpad gesture on the injected pointer: kind=swipe|pinch|hold "
        "phase=begin|update|end [fingers=3 dx= dy= scale= rotation= cancelled=false]",
        gesture,
    )
    control.register(
        "tablet-add",
        "plug a tablet (a tablet-tool device) into the headless backend",
        lambda r: need().add_tablet() or {},
    )
    control.register(
        "tablet-pen",
        "the headless tablet's pen at layout x, y: [tip=down|up] [pressure=0..1] "
        "[proximity=in|out] [button=331 pressed=true|false]",
        pen,
    )
    control.register(
        "input-plug",
        "headless: plug in another keyboard or pointer (kind=keyboard|pointer); injected "
        "input goes to it",
        lambda r: need().plug(str(r.get("kind"))) or {},
    )
    control.register(
        "input-unplug",
        "headless: pull out the newest keyboard or pointer (kind=keyboard|pointer)",
        lambda r: need().unplug(str(r.get("kind"))) or {},
    )


def _press_release(request: dict) -> tuple[bool, ...]:
    """A click (press, release) unless ``pressed`` asks for one of them."""
    if "pressed" not in request:
        return True, False
    value = request["pressed"]
    if isinstance(value, str):
        value = {"true": True, "1": True, "false": False, "0": False}.get(value.lower(), value)
    if not isinstance(value, (bool, int)) or value not in (0, 1):
        raise CommandError(f"pressed must be true or false, not {request['pressed']!r}")
    return (bool(value),)
