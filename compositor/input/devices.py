"""The ``inputs`` control command: every input device of the seat and, for libinput devices,
the settings libinput really has, read back with ``libinput_device_config_*_get``.

This is what a configuration file's ``input(...)`` settings became on the device (the
``config`` command says whether each call succeeded; this says what the device holds now,
whoever set it). A setting the device does not have (tap on a mouse, acceleration on a
tablet) reads ``"unsupported"``. Devices of other backends (headless, wayland, x11) and
clients' virtual devices have no libinput settings: ``"libinput": false``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from wlroots import lib as wlr_lib

from compositor.ffi import address

if TYPE_CHECKING:
    import ctypes

    from wlroots.wlr_types import InputDevice

    from compositor.input.keyboard import KeyboardHandler

UNSUPPORTED = "unsupported"
ACCEL_PROFILES = {1: "flat", 2: "adaptive"}  # enum libinput_config_accel_profile
SCROLL_METHODS = {0: "none", 1: "two_finger", 2: "edge", 4: "on_button_down"}

_libinput: Any = None


def _fn(name: str, restype: Any = None) -> Any:
    # ctypes only when a libinput device is asked about: an idle compositor holds none of
    # the optional modules (stats.OPTIONAL_MODULES, tests/robustness/test_endurance.py).
    import ctypes  # noqa: PLC0415

    global _libinput
    if _libinput is None:
        _libinput = ctypes.CDLL("libinput.so.10")  # wlroots links it: already loaded
    function = getattr(_libinput, name)
    function.restype = ctypes.c_int if restype is None else restype
    function.argtypes = (ctypes.c_void_p,)
    return function


def _get(handle: ctypes.c_void_p, name: str, restype: Any = None) -> Any:
    return _fn(f"libinput_device_config_{name}", restype)(handle)


def libinput_settings(device: InputDevice) -> dict[str, Any] | None:
    """The libinput settings of a libinput pointer as libinput has them now, or None."""
    if not wlr_lib.wlr_input_device_is_libinput(device._ptr):
        return None
    import ctypes  # noqa: PLC0415 (see _fn)

    raw = wlr_lib.wlr_libinput_get_device_handle(device._ptr)
    handle = ctypes.c_void_p(address(raw))
    out: dict[str, Any] = {}
    fingers = _get(handle, "tap_get_finger_count")
    out["tap"] = bool(_get(handle, "tap_get_enabled")) if fingers > 0 else UNSUPPORTED
    out["tap_fingers"] = fingers
    out["natural_scroll"] = (
        bool(_get(handle, "scroll_get_natural_scroll_enabled"))
        if _get(handle, "scroll_has_natural_scroll")
        else UNSUPPORTED
    )
    if _get(handle, "accel_is_available"):
        profiles = _get(handle, "accel_get_profiles", ctypes.c_uint32)
        out["accel_profile"] = ACCEL_PROFILES.get(_get(handle, "accel_get_profile"), "none")
        out["accel_profiles"] = [n for bit, n in ACCEL_PROFILES.items() if profiles & bit]
        out["accel_speed"] = round(float(_get(handle, "accel_get_speed", ctypes.c_double)), 6)
    else:
        out["accel_profile"] = out["accel_speed"] = UNSUPPORTED
        out["accel_profiles"] = []
    out["left_handed"] = (
        bool(_get(handle, "left_handed_get"))
        if _get(handle, "left_handed_is_available")
        else UNSUPPORTED
    )
    out["dwt"] = (
        bool(_get(handle, "dwt_get_enabled")) if _get(handle, "dwt_is_available") else UNSUPPORTED
    )
    methods = _get(handle, "scroll_get_methods", ctypes.c_uint32)
    out["scroll_method"] = SCROLL_METHODS.get(_get(handle, "scroll_get_method"), "unknown")
    out["scroll_methods"] = [n for bit, n in SCROLL_METHODS.items() if bit and methods & bit]
    return out


def describe(
    keyboards: Iterable[KeyboardHandler],
    pointers: Iterable[InputDevice],
    tablet_tools: Iterable[InputDevice],
) -> dict[str, Any]:
    """``inputs``: the seat's keyboards, pointers and tablet tools."""
    devices: list[dict[str, Any]] = []
    for handler in keyboards:
        device = handler.device
        repeat = handler.keyboard._ptr.repeat_info
        devices.append(
            {
                "name": device.name,
                "type": "keyboard",
                "libinput": bool(wlr_lib.wlr_input_device_is_libinput(device._ptr)),
                "repeat_rate": repeat.rate,
                "repeat_delay": repeat.delay,
            }
        )
    for device in pointers:
        settings = libinput_settings(device)
        entry: dict[str, Any] = {
            "name": device.name,
            "type": "pointer",
            "libinput": settings is not None,
        }
        if settings is not None:
            entry["touchpad"] = settings["tap_fingers"] > 0
            entry["settings"] = settings
        devices.append(entry)
    for device in tablet_tools:
        devices.append(
            {
                "name": device.name,
                "type": "tablet_tool",
                "libinput": bool(wlr_lib.wlr_input_device_is_libinput(device._ptr)),
            }
        )
    return {"devices": devices}
