"""Pure validation of wl_drm buffer requests: no fds, no sockets, easy to fuzz.

:func:`check_request` checks everything the request's integers say (format, size, offsets,
strides) and returns a :class:`Layout`; :func:`check_fits` then checks the layout against the
size of the buffer behind the fd. Every failure raises :class:`RequestError` naming the field
and the protocol error to send. Python integers do not overflow; the limits below keep every
value inside the C types the bridge uses (``uint32_t`` offsets and strides, ``size_t`` sizes).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum

from compositor.wl_drm.formats import FORMATS, Format, fourcc_name

INT32_MAX = (1 << 31) - 1
# Largest buffer the bridge will map: far above any real buffer, far below size_t/off_t.
MAX_BUFFER_BYTES = 1 << 40


class ErrorKind(Enum):
    """Why a request is refused; manager.py maps each to the protocol error it posts."""

    INVALID_FORMAT = "invalid_format"  # wl_drm.error.invalid_format
    INVALID_NAME = "invalid_name"  # wl_drm.error.invalid_name
    AUTHENTICATE_FAIL = "authenticate_fail"  # wl_drm.error.authenticate_fail
    INVALID_ARGUMENT = "invalid_argument"  # wl_display.error.invalid_method (malformed)
    QUOTA = "quota"  # wl_display.error.no_memory (a per-client limit)


class RequestError(Exception):
    def __init__(self, kind: ErrorKind, field: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.field = field


@dataclass(frozen=True)
class PlaneLayout:
    offset: int
    stride: int
    end: int  # first byte past the plane: offset + stride * rows


@dataclass(frozen=True)
class Layout:
    format: Format
    width: int
    height: int
    planes: tuple[PlaneLayout, ...]

    @property
    def end(self) -> int:
        """Bytes of the fd the buffer needs."""
        return max(p.end for p in self.planes)


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def check_request(
    fmt: int,
    width: int,
    height: int,
    offsets: tuple[int, int, int],
    strides: tuple[int, int, int],
    max_size: int,
    offered: Collection[int] | None = None,
) -> Layout:
    """Validate a create_prime_buffer/create_planar_buffer request's integers.

    ``offered``: the formats advertised to clients (None: every format in the table).
    Planes the format does not have are ignored, as Mesa's clients send zeros there.
    """
    f = FORMATS.get(fmt)
    if f is None or (offered is not None and fmt not in offered):
        raise RequestError(
            ErrorKind.INVALID_FORMAT,
            "format",
            f"format {fourcc_name(fmt)} ({fmt:#x}) is not offered; use one from the "
            "wl_drm.format events",
        )
    for name, value in (("width", width), ("height", height)):
        if not 0 < value <= max_size:
            raise RequestError(
                ErrorKind.INVALID_ARGUMENT,
                name,
                f"{name} {value} is out of range 1..{max_size} (--max-buffer-size)",
            )
    planes = []
    for i, plane in enumerate(f.planes):
        offset, stride = offsets[i], strides[i]
        if not 0 <= offset <= INT32_MAX:
            raise RequestError(
                ErrorKind.INVALID_ARGUMENT,
                f"offset{i}",
                f"offset{i} {offset} is out of range 0..{INT32_MAX}",
            )
        row = _ceil_div(width, plane.hsub) * plane.cpp
        if not row <= stride <= INT32_MAX:
            raise RequestError(
                ErrorKind.INVALID_ARGUMENT,
                f"stride{i}",
                f"stride{i} {stride} is invalid: {f.name} plane {i} at width {width} needs "
                f"{row} to {INT32_MAX} bytes per row",
            )
        end = offset + stride * _ceil_div(height, plane.vsub)
        if end > MAX_BUFFER_BYTES:
            raise RequestError(
                ErrorKind.INVALID_ARGUMENT,
                f"stride{i}",
                f"plane {i} would end at byte {end}, past the {MAX_BUFFER_BYTES} byte limit",
            )
        planes.append(PlaneLayout(offset, stride, end))
    return Layout(f, width, height, tuple(planes))


def check_fits(layout: Layout, size: int) -> None:
    """Every plane must lie inside the ``size`` bytes of the buffer behind the fd."""
    for i, plane in enumerate(layout.planes):
        if plane.offset >= size:
            raise RequestError(
                ErrorKind.INVALID_NAME,
                f"offset{i}",
                f"offset{i} {plane.offset} is past the end of the {size}-byte buffer",
            )
        if plane.end > size:
            raise RequestError(
                ErrorKind.INVALID_NAME,
                "name",
                f"buffer too small: plane {i} needs {plane.end} bytes, the fd has {size}",
            )
