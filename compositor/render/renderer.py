"""Create the compositing renderer the Config asks for, and say why when falling back.

The compositor owns this step (instead of ``wlr_renderer_autocreate`` +
``wlr_renderer_init_wl_display``) so that each buffer-sharing global is created on purpose:
``wl_shm`` here, ``zwp_linux_dmabuf_v1`` by :mod:`compositor.globals`, ``wl_drm`` by
:mod:`compositor.wl_drm`.
"""

from __future__ import annotations

import glob
import logging
import os

from wlroots.allocator import Allocator
from wlroots.backend import Backend
from wlroots.renderer import Renderer

from compositor.core import RendererChoice
from compositor.ffi import ffi, lib, to_native, to_wlroots
from compositor.render.allocator import allocator_for

log = logging.getLogger(__name__)


class RendererError(Exception):
    """No renderer of the requested kind could be created."""


def find_render_node() -> str | None:
    nodes = sorted(glob.glob("/dev/dri/renderD*"))
    return nodes[0] if nodes else None


def _gles2(backend: Backend) -> tuple[object, int, str]:
    fd = lib.wlr_backend_get_drm_fd(to_native(backend, "struct wlr_backend *"))
    if fd >= 0:
        source = "the backend's DRM device"
    else:
        node = find_render_node()
        if node is None:
            raise RendererError("no DRM render node (/dev/dri/renderD*) exists on this machine")
        try:
            fd = os.open(node, os.O_RDWR | os.O_CLOEXEC)
        except OSError as exc:
            raise RendererError(
                f"cannot open {node}: {exc.strerror}; add the user to the 'render' group"
            ) from exc
        source = node
    ptr = lib.wlr_gles2_renderer_create_with_drm_fd(fd)
    if ptr == ffi.NULL:
        raise RendererError(
            f"EGL/GLES2 could not be initialised on {source} (see the wlroots log above)"
        )
    renderer_fd = lib.wlr_renderer_get_drm_fd(ptr)
    return ptr, renderer_fd if renderer_fd >= 0 else fd, source


def create_renderer(backend: Backend, requested: str) -> RendererChoice:
    ptr = None
    drm_fd = -1
    if requested in ("gles2", "auto"):
        try:
            node = find_render_node()
            if requested == "auto" and node is not None:
                # A GL stack can create its renderer and still crash at the first frame.
                # (The probe, and subprocess with it, only where there is a node to try.)
                from compositor.render.probe import probe

                why_not = probe(node)
                if why_not is not None:
                    raise RendererError(why_not)
            ptr, drm_fd, source = _gles2(backend)
            reason = f"GLES2 on {source}"
        except RendererError as exc:
            if requested == "gles2":
                raise RendererError(f"--renderer gles2: {exc}; use --renderer pixman") from exc
            reason = f"pixman (CPU) because GLES2 is unavailable: {exc}"
    else:
        reason = "pixman (CPU), as requested"
    if ptr is None:
        ptr = lib.wlr_pixman_renderer_create()
        if ptr == ffi.NULL:
            raise RendererError("wlroots could not create the pixman renderer")
    kind = "gles2" if lib.wlr_renderer_is_gles2(ptr) else "pixman"
    log.info("renderer: %s", reason)
    renderer = Renderer(to_wlroots(ptr, "struct wlr_renderer *"))
    return RendererChoice(renderer=renderer, kind=kind, drm_fd=drm_fd, reason=reason)


def create_allocator(backend: Backend, choice: RendererChoice) -> Allocator:
    """The buffer allocator for this renderer (render/allocator.py)."""
    try:
        return allocator_for(backend, choice.renderer, choice.kind, choice.drm_fd)
    except RuntimeError as exc:
        raise RendererError(str(exc)) from None
