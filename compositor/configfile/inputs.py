"""Input devices as the configuration file says: keymaps and repeat for keyboards, libinput
settings for pointers and touchpads.

Settings go on the devices there are when the file is (re)loaded and on each device the
backend adds later (a listener on the backend's new-input signal, there only while the file
declares inputs). Keyboards of clients (virtual keyboards: wtype, on-screen keyboards)
keep the keymap their client gave them. libinput settings reach libinput devices only (the
drm backend's); on others they are reported as not applicable. libinput's configuration
API is called through ctypes (loaded with the first libinput setting).
"""

from __future__ import annotations

import ctypes
import logging
from typing import TYPE_CHECKING, Any

from pywayland.server import Listener
from wlroots import lib as wlr_lib
from wlroots.wlr_types.input_device import InputDeviceType

from compositor.ffi import address
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from wlroots.wlr_types import InputDevice

    from compositor.configfile.api import InputSettings
    from compositor.core import Core
    from compositor.input.seat import SeatManager

log = logging.getLogger(__name__)

DEFAULT_REPEAT = (25, 600)  # input/keyboard.py's
XKB_KEYS = ("xkb_rules", "xkb_model", "xkb_layout", "xkb_variant", "xkb_options")
LIBINPUT_KEYS = (
    "tap",
    "natural_scroll",
    "accel_profile",
    "accel_speed",
    "left_handed",
    "dwt",
    "scroll_method",
)
ACCEL_PROFILES = {"flat": 1, "adaptive": 2}  # enum libinput_config_accel_profile
SCROLL_METHODS = {"none": 0, "two_finger": 1, "edge": 2, "on_button_down": 4}
STATUS = {0: "applied", 1: "not supported by the device", 2: "invalid value"}
# Each libinput key's setter and the getter of the device's default.
_DEFAULTS = {
    "tap": ("libinput_device_config_tap_set_enabled",
            "libinput_device_config_tap_get_default_enabled"),
    "natural_scroll": ("libinput_device_config_scroll_set_natural_scroll_enabled",
                       "libinput_device_config_scroll_get_default_natural_scroll_enabled"),
    "accel_profile": ("libinput_device_config_accel_set_profile",
                      "libinput_device_config_accel_get_default_profile"),
    "accel_speed": ("libinput_device_config_accel_set_speed",
                    "libinput_device_config_accel_get_default_speed"),
    "left_handed": ("libinput_device_config_left_handed_set",
                    "libinput_device_config_left_handed_get_default"),
    "dwt": ("libinput_device_config_dwt_set_enabled",
            "libinput_device_config_dwt_get_default_enabled"),
    "scroll_method": ("libinput_device_config_scroll_set_method",
                      "libinput_device_config_scroll_get_default_method"),
}  # fmt: skip


def compile_keymap(settings: dict[str, Any]):
    """The keymap of these xkb_* settings (the rest from XKB_DEFAULT_*), or None."""
    from xkbcommon import xkb

    names = {key[4:]: settings.get(key) for key in XKB_KEYS}
    try:
        return xkb.Context().keymap_new_from_names(**names)
    except Exception:  # xkbcommon's compile error
        return None


class InputConfig:
    def __init__(self, core: Core, seat: SeatManager) -> None:
        self.core = core
        self.seat = seat
        self.declared: list[InputSettings] = []
        # "keyboard:NAME" (pointer:, touchpad:) -> setting -> what became of it
        self.results: dict[str, dict[str, str]] = {}
        self._listeners: Listeners | None = None
        self._configured: set[int] = set()  # keyboards whose keymap or repeat we set
        self._libinput: Any = None

    def set(self, declared: list[InputSettings]) -> None:
        self.declared = list(declared)
        if self.declared and self._listeners is None:
            self._listeners = Listeners((self.core.backend.new_input_event, self._on_new_input))
        elif not self.declared and self._listeners is not None:
            self._listeners.remove_all()
            self._listeners = None
        self.results = {}
        for handler in list(self.seat.keyboards):
            self._apply(handler.device, handler)
        for device in list(self.seat.pointers):
            self._apply(device, None)

    def clear(self) -> None:
        self.set([])

    def destroy(self) -> None:
        if self._listeners is not None:
            self._listeners.remove_all()
            self._listeners = None

    def _on_new_input(self, listener: Listener, device: InputDevice) -> None:
        # The seat's own listener came first: the keyboard's handler exists.
        handler = next((h for h in self.seat.keyboards if h.device is device), None)
        if handler is None:
            handler = next((h for h in self.seat.keyboards if h.device._ptr == device._ptr), None)
        self._apply(device, handler)

    def settings_for(self, device: InputDevice, kind: str, touchpad: bool) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for declared in self.declared:
            if declared.matches(device.name or "", kind, touchpad):
                merged.update(declared.settings)
        return merged

    def _apply(self, device: InputDevice, handler: Any) -> None:
        if device.device_type == InputDeviceType.KEYBOARD:
            if handler is not None and not _virtual_keyboard(device):
                self._keyboard(device, handler)
        elif device.device_type == InputDeviceType.POINTER:
            self._pointer(device)

    def _keyboard(self, device: InputDevice, handler: Any) -> None:
        settings = self.settings_for(device, "keyboard", False)
        key = address(device)
        if not settings and key not in self._configured:
            return  # never touched: stays as input/keyboard.py made it
        keyboard = handler.keyboard
        keymap = compile_keymap(settings)
        if keymap is None:
            log.warning("input %s: the xkb settings give no keymap; kept", device.name)
        else:
            keyboard.set_keymap(keymap)
        rate = settings.get("repeat_rate", DEFAULT_REPEAT[0])
        delay = settings.get("repeat_delay", DEFAULT_REPEAT[1])
        keyboard.set_repeat_info(rate, delay)
        if settings:
            self._configured.add(key)
            self.results[f"keyboard:{device.name}"] = {k: "applied" for k in settings}
            log.info("input %s: %s", device.name, _describe(settings))
        else:
            self._configured.discard(key)

    def _pointer(self, device: InputDevice) -> None:
        libinput_device = None
        if wlr_lib.wlr_input_device_is_libinput(device._ptr):
            libinput_device = wlr_lib.wlr_libinput_get_device_handle(device._ptr)
        touchpad = False
        if libinput_device is not None:
            touchpad = (
                self._call("libinput_device_config_tap_get_finger_count", libinput_device) > 0
            )
        settings = {
            k: v
            for k, v in self.settings_for(device, "pointer", touchpad).items()
            if k in LIBINPUT_KEYS
        }
        if libinput_device is not None:
            # What the file does not set is libinput's default again: a setting taken out
            # of the file and reloaded goes back, as keyboards' do.
            for key in LIBINPUT_KEYS:
                if key not in settings:
                    self._reset(libinput_device, key)
        if not settings:
            return
        name = f"{'touchpad' if touchpad else 'pointer'}:{device.name}"
        if libinput_device is None:
            self.results[name] = {k: "not a libinput device" for k in settings}
            log.info("input %s: not a libinput device: %s not applied", name, ", ".join(settings))
            return
        results = {}
        for key, value in settings.items():
            results[key] = STATUS.get(self._set(libinput_device, key, value), "failed")
        self.results[name] = results
        log.info(
            "input %s: %s", name, ", ".join(f"{k}={v} ({results[k]})" for k, v in settings.items())
        )

    def _set(self, device: Any, key: str, value: Any) -> int:
        if key == "tap":
            return self._call("libinput_device_config_tap_set_enabled", device, int(value))
        if key == "natural_scroll":
            return self._call(
                "libinput_device_config_scroll_set_natural_scroll_enabled", device, int(value)
            )
        if key == "accel_profile":
            return self._call(
                "libinput_device_config_accel_set_profile", device, ACCEL_PROFILES[value]
            )
        if key == "accel_speed":
            return self._call(
                "libinput_device_config_accel_set_speed", device, ctypes.c_double(value)
            )
        if key == "left_handed":
            return self._call("libinput_device_config_left_handed_set", device, int(value))
        if key == "dwt":
            return self._call("libinput_device_config_dwt_set_enabled", device, int(value))
        if key == "scroll_method":
            return self._call(
                "libinput_device_config_scroll_set_method", device, SCROLL_METHODS[value]
            )
        return 2

    def _reset(self, device: Any, key: str) -> None:
        """Back to libinput's default for the device (unsupported ones stay as they are)."""
        setter, getter = _DEFAULTS[key]
        if key == "accel_speed":
            default: Any = ctypes.c_double(self._call(getter, device, restype=ctypes.c_double))
        else:
            default = self._call(getter, device)
        self._call(setter, device, default)

    def _call(self, function: str, device: Any, *args: Any, restype: Any = ctypes.c_int) -> Any:
        if self._libinput is None:
            self._libinput = ctypes.CDLL("libinput.so.10")
        pointer = ctypes.c_void_p(address(device))
        c_function = getattr(self._libinput, function)
        c_function.restype = restype
        result = c_function(pointer, *args)
        return result if restype is ctypes.c_double else int(result)


def _virtual_keyboard(device: InputDevice) -> bool:
    """A client's keyboard (zwp_virtual_keyboard_v1)."""
    function = _wlroots_function("wlr_input_device_get_virtual_keyboard")
    if function is None:
        return False
    return bool(function(ctypes.c_void_p(address(device))))


_functions: dict[str, Any] = {}


def _wlroots_function(name: str) -> Any:
    if name not in _functions:
        try:
            library = ctypes.CDLL("libwlroots.so.10")
            function = getattr(library, name)
            function.restype = ctypes.c_void_p
            function.argtypes = (ctypes.c_void_p,)
            _functions[name] = function
        except (OSError, AttributeError):
            _functions[name] = None
    return _functions[name]


def _describe(settings: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in settings.items())
