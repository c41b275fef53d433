"""A backend made by the project's own ffi (nested, DRM) as a pywlroots ``Backend``, and the
error every backend raises when it cannot start."""

from __future__ import annotations

import weakref

from pywayland.server import Display, Signal
from wlroots import ffi as wlr_ffi
from wlroots import lib as wlr_lib
from wlroots.backend import Backend
from wlroots.wlr_types.input_device import InputDevice
from wlroots.wlr_types.output import Output

from compositor.ffi import to_wlroots


class BackendError(Exception):
    """The backend could not start; the message says what to check."""


def wrap_backend(ptr, display: Display) -> Backend:
    """Give a backend pointer made by the project's ffi the pywlroots Backend wrapper."""
    backend = Backend.__new__(Backend)
    wlr_ptr = to_wlroots(ptr, "struct wlr_backend *")
    # Same wiring as Backend.__init__, minus the creation call it hard-codes.
    backend._ptr = wlr_ffi.gc(wlr_ptr, wlr_lib.wlr_backend_destroy)
    backend._weak_display = weakref.ref(display)
    backend.destroy_event = Signal(ptr=wlr_ffi.addressof(backend._ptr.events.destroy))
    backend.new_input_event = Signal(
        ptr=wlr_ffi.addressof(backend._ptr.events.new_input), data_wrapper=InputDevice
    )
    backend.new_output_event = Signal(
        ptr=wlr_ffi.addressof(backend._ptr.events.new_output), data_wrapper=Output
    )
    return backend
