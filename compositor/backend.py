"""Backend creation: headless, nested (wayland/x11) or DRM, chosen from the Config.

The nested and headless backends create their outputs here (one per ``--outputs``); the DRM
backend announces the connected outputs itself.
"""

from __future__ import annotations

import logging
import os

from pywayland.server import Display
from wlroots.backend import Backend, BackendType

from compositor.backend_handle import BackendError, wrap_backend
from compositor.config import Config, ConfigError
from compositor.ffi import ffi, lib, to_native

log = logging.getLogger(__name__)


def _create_nested(display: Display, config: Config, create, add_output, failure: str) -> Backend:
    ptr = create(to_native(display, "struct wl_display *"), ffi.NULL)
    if ptr == ffi.NULL:
        raise BackendError(failure)
    backend = wrap_backend(ptr, display)
    for _ in range(config.outputs):
        add_output(ptr)  # before start: counted, each becomes a window on start
    return backend


def create_backend(display: Display, config: Config, backend_name: str) -> Backend:
    if backend_name == "headless":
        backend = Backend(display, backend_type=BackendType.HEADLESS)
        for _ in range(config.outputs):
            lib.wlr_headless_add_output(
                to_native(backend, "struct wlr_backend *"), config.width, config.height
            )
        return backend
    if backend_name == "wayland":
        return _create_nested(
            display,
            config,
            lib.wlr_wl_backend_create,
            lib.wlr_wl_output_create,
            f"cannot connect to the Wayland session {os.environ.get('WAYLAND_DISPLAY')!r}; "
            "check WAYLAND_DISPLAY and XDG_RUNTIME_DIR, or use --backend headless",
        )
    if backend_name == "x11":
        return _create_nested(
            display,
            config,
            lib.wlr_x11_backend_create,
            lib.wlr_x11_output_create,
            f"cannot connect to the X server {os.environ.get('DISPLAY')!r}; check DISPLAY "
            "and xauth, or use --backend headless",
        )
    if backend_name == "drm":
        from compositor.drm_backend import create_drm_backend

        return create_drm_backend(display, config)
    raise ConfigError(f"unknown backend {backend_name!r}")
