"""The project's own cffi module and the glue between it and pywlroots' module.

``lib``/``ffi`` are the project's native module (see build.py). pywlroots keeps its own
``wlroots.ffi``; a pointer crosses between the two only through :func:`to_native` and
:func:`to_wlroots`, which re-type the same address.
"""

from __future__ import annotations

from typing import Any

try:
    from compositor.ffi._native import ffi, lib
except ImportError as exc:  # pragma: no cover - only when the build step was skipped
    raise ImportError(
        "compositor.ffi._native is not built: run ./run_tests.sh (which installs the project) "
        "or `python compositor/ffi/build.py` in the source tree"
    ) from exc

from wlroots import ffi as wlr_ffi

__all__ = ["address", "ffi", "lib", "to_native", "to_wlroots"]


def address(ptr: Any) -> int:
    """The C address of a pointer of any of the ffi modules (ours, pywlroots', pywayland's)
    or of an object with ``_ptr``; 0 for None and NULL."""
    ptr = getattr(ptr, "_ptr", ptr)
    if ptr is None:
        return 0
    return int(ffi.cast("uintptr_t", ptr))


def to_native(ptr: Any, ctype: str) -> Any:
    """Re-type a pywlroots cdata pointer (or an object with ``_ptr``) for this module."""
    ptr = getattr(ptr, "_ptr", ptr)
    if ptr is None:
        return ffi.NULL
    return ffi.cast(ctype, int(wlr_ffi.cast("uintptr_t", ptr)))


def to_wlroots(ptr: Any, ctype: str) -> Any:
    """Re-type a pointer of this module for pywlroots' ffi."""
    return wlr_ffi.cast(ctype, int(ffi.cast("uintptr_t", ptr)))
