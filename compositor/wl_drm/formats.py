"""DRM fourcc formats wl_drm understands: planes, bytes per pixel and subsampling.

Only formats described here can be validated, so only these can be created; the formats a
client is *offered* are these intersected with what the renderer imports (see
:func:`compositor.wl_drm.manager.offered_formats`).
"""

from __future__ import annotations

from dataclasses import dataclass

from compositor.fourcc import ARGB8888, XRGB8888, fourcc, fourcc_name

__all__ = ["ARGB8888", "FORMATS", "NV12", "XRGB8888", "YUV420", "Format", "fourcc", "fourcc_name"]


@dataclass(frozen=True)
class Plane:
    cpp: int  # bytes per pixel (per sample block) in this plane
    hsub: int = 1  # horizontal subsampling
    vsub: int = 1  # vertical subsampling


@dataclass(frozen=True)
class Format:
    name: str  # protocol enum name
    code: int
    planes: tuple[Plane, ...]

    @property
    def n_planes(self) -> int:
        return len(self.planes)


def _f(name: str, code: str, *planes: Plane) -> Format:
    return Format(name, fourcc(code), planes)


_P1, _P2, _P3, _P4 = Plane(1), Plane(2), Plane(3), Plane(4)
_C420 = Plane(2, 2, 2)  # interleaved CbCr, half width and height (NV12/NV21)
_C422 = Plane(2, 2, 1)  # interleaved CbCr, half width (NV16/NV61)

FORMATS: dict[int, Format] = {
    f.code: f
    for f in (
        _f("rgb565", "RG16", _P2),
        _f("bgr565", "BG16", _P2),
        _f("rgb888", "RG24", _P3),
        _f("bgr888", "BG24", _P3),
        _f("xrgb8888", "XR24", _P4),
        _f("xbgr8888", "XB24", _P4),
        _f("rgbx8888", "RX24", _P4),
        _f("bgrx8888", "BX24", _P4),
        _f("argb8888", "AR24", _P4),
        _f("abgr8888", "AB24", _P4),
        _f("rgba8888", "RA24", _P4),
        _f("bgra8888", "BA24", _P4),
        _f("xrgb2101010", "XR30", _P4),
        _f("xbgr2101010", "XB30", _P4),
        _f("argb2101010", "AR30", _P4),
        _f("abgr2101010", "AB30", _P4),
        _f("yuyv", "YUYV", Plane(4, 2, 1)),  # one 4-byte block per two pixels
        _f("uyvy", "UYVY", Plane(4, 2, 1)),
        _f("nv12", "NV12", _P1, _C420),
        _f("nv21", "NV21", _P1, _C420),
        _f("nv16", "NV16", _P1, _C422),
        _f("nv61", "NV61", _P1, _C422),
        _f("yuv420", "YU12", _P1, Plane(1, 2, 2), Plane(1, 2, 2)),
        _f("yvu420", "YV12", _P1, Plane(1, 2, 2), Plane(1, 2, 2)),
        _f("yuv444", "YU24", _P1, _P1, _P1),
    )
}

NV12 = fourcc("NV12")
YUV420 = fourcc("YU12")
