"""Names of the DRM formats and modifiers a rule refuses (``--refuse-format``,
``--refuse-modifier``, the configuration's ``client_limits(refuse_formats=...,
refuse_modifiers=...)``; compositor/format_rules.py applies them). Kept apart so that parsing
the command line needs no native module."""

from __future__ import annotations

import re

from compositor.fourcc import fourcc, fourcc_name

# drm_fourcc.h: DRM_FORMAT_MOD_LINEAR, and DRM_FORMAT_MOD_INVALID (a buffer whose layout the
# driver knows implicitly: a client that gives no modifier, and every wl_drm buffer).
MODIFIERS = {"LINEAR": 0, "INVALID": (1 << 56) - 1}
MODIFIER_NAMES = {value: name for name, value in MODIFIERS.items()}


def parse_format(value: object) -> int:
    """A fourcc's four letters (``"XR24"``, drm_fourcc.h's and wayland-info's; shorter ones
    padded with spaces, as ``"R8"``) or its number; ValueError saying what is wrong."""
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 < value < 1 << 32:
            raise ValueError(f"a fourcc is a 32-bit number, not {value:#x}")
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9A-Za-z_ ]{1,4}", value):
        return fourcc(value)
    if isinstance(value, str) and re.fullmatch(r"0x[0-9a-fA-F]{1,8}", value):
        return parse_format(int(value, 16))
    raise ValueError(
        f"{value!r} is not a DRM format: give its fourcc like XR24 (XRGB8888), AR24, NV12 "
        "(wayland-info lists what the compositor offers)"
    )


def parse_modifier(value: object) -> int:
    """LINEAR, INVALID (implicit: no modifier), or the 64-bit number (``0x0100000000000001``
    or an int); ValueError saying what is wrong."""
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value < 1 << 64:
            raise ValueError(f"a modifier is a 64-bit number, not {value:#x}")
        return value
    if isinstance(value, str):
        if value.upper() in MODIFIERS:
            return MODIFIERS[value.upper()]
        if re.fullmatch(r"0x[0-9a-fA-F]{1,16}", value):
            return int(value, 16)
    raise ValueError(
        f"{value!r} is not a DRM modifier: give LINEAR, INVALID (no explicit modifier) or "
        "its number like 0x0100000000000001 (wayland-info lists what is offered)"
    )


def format_label(code: int) -> str:
    return fourcc_name(code)


def modifier_label(value: int) -> str:
    return MODIFIER_NAMES.get(value, f"0x{value:016x}")
