"""DRM fourcc codes (drm_fourcc.h): making them from their four letters and naming them."""

from __future__ import annotations


def fourcc(code: str) -> int:
    """``"XR24"`` -> 0x34325258 (drm_fourcc.h's fourcc_code)."""
    a, b, c, d = (ord(ch) for ch in code.ljust(4))
    return a | b << 8 | c << 16 | d << 24


def fourcc_name(value: int) -> str:
    """0x34325258 -> ``"XR24"``; 0 (no format) -> ``""``; unprintable codes as hex."""
    if value == 0:
        return ""
    chars = [(value >> shift) & 0xFF for shift in (0, 8, 16, 24)]
    if all(32 <= ch < 127 for ch in chars):
        return "".join(map(chr, chars)).rstrip() or hex(value)
    return f"0x{value:08x}"


XRGB8888 = fourcc("XR24")  # bytes B, G, R, X
XBGR8888 = fourcc("XB24")  # bytes R, G, B, X
ARGB8888 = fourcc("AR24")
