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
from dataclasses import dataclass

from wlroots.allocator import Allocator
from wlroots.backend import Backend
from wlroots.renderer import Renderer

from compositor.ffi import ffi, lib, to_native, to_wlroots

log = logging.getLogger(__name__)


class RendererError(Exception):
    """No renderer of the requested kind could be created."""


@dataclass
class RendererChoice:
    renderer: Renderer
    kind: str  # "gles2" or "pixman"
    drm_fd: int  # the render node fd the renderer uses, -1 for pixman
    reason: str  # why this kind was chosen, for the log and the control socket


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


def _gbm_can_allocate(fd: int) -> bool:
    """Whether GBM on ``fd`` can create a small rendering buffer (probe, freed at once)."""
    # ctypes (and ctypes.util's tempfile, shutil, random...) only for this probe, which runs
    # only for GLES2 on a render node: a pixman compositor never loads it.
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("gbm") or "libgbm.so.1"
    try:
        gbm = ctypes.CDLL(name)
    except OSError:
        return False
    gbm.gbm_create_device.restype = ctypes.c_void_p
    gbm.gbm_create_device.argtypes = [ctypes.c_int]
    gbm.gbm_bo_create.restype = ctypes.c_void_p
    gbm.gbm_bo_create.argtypes = [ctypes.c_void_p] + [ctypes.c_uint32] * 4
    gbm.gbm_bo_destroy.argtypes = [ctypes.c_void_p]
    gbm.gbm_device_destroy.argtypes = [ctypes.c_void_p]
    device = gbm.gbm_create_device(fd)
    if not device:
        return False
    xrgb8888, use_rendering = 0x34325258, 1 << 2
    bo = gbm.gbm_bo_create(device, 64, 64, xrgb8888, use_rendering)
    if bo:
        gbm.gbm_bo_destroy(bo)
    gbm.gbm_device_destroy(device)
    return bool(bo)


def _primary_node_for(render_fd: int) -> str | None:
    """The card node of the device behind a render node fd (same PCI/platform device)."""
    try:
        rdev = os.fstat(render_fd).st_rdev
        base = f"/sys/dev/char/{os.major(rdev)}:{os.minor(rdev)}/device/drm"
        cards = sorted(n for n in os.listdir(base) if n.startswith("card"))
    except OSError:
        return None
    return f"/dev/dri/{cards[0]}" if cards else None


def create_allocator(backend: Backend, choice: RendererChoice) -> Allocator:
    """wlroots' own choice, except where it cannot work: GBM on a render node whose driver
    allocates through DRM dumb buffers (Mesa's kms_swrast on virtio-gpu/vgem), which the
    kernel only allows on a primary node. Then GBM runs on the same device's card node."""
    backend_ptr = to_native(backend, "struct wlr_backend *")
    renderer_ptr = to_native(choice.renderer, "struct wlr_renderer *")
    if (
        choice.kind == "gles2"
        and lib.wlr_backend_get_drm_fd(backend_ptr) < 0
        and choice.drm_fd >= 0
        and not _gbm_can_allocate(choice.drm_fd)
    ):
        card = _primary_node_for(choice.drm_fd)
        fd = os.open(card, os.O_RDWR | os.O_CLOEXEC) if card else -1
        ptr = lib.wlr_gbm_allocator_create(fd) if fd >= 0 else ffi.NULL
        if ptr != ffi.NULL:
            log.info(
                "allocator: GBM on %s (the render node's driver cannot allocate buffers, "
                "e.g. Mesa kms_swrast needs dumb buffers)",
                card,
            )
            return Allocator(to_wlroots(ptr, "struct wlr_allocator *"))
        if fd >= 0:
            os.close(fd)
        log.warning("allocator: no GBM allocator on %s; trying wlroots' choice", card)
    ptr = lib.wlr_allocator_autocreate(backend_ptr, renderer_ptr)
    if ptr == ffi.NULL:
        raise RendererError(
            f"no buffer allocator works with the {choice.kind} renderer on this backend; "
            "try --renderer pixman"
        )
    return Allocator(to_wlroots(ptr, "struct wlr_allocator *"))
