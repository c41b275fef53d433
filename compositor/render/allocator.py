"""The buffer allocator a renderer draws outputs into (render/renderer.py picks the
renderer; the GLES2 probe in render/probe.py needs an allocator too)."""

from __future__ import annotations

import logging
import os

from wlroots.allocator import Allocator
from wlroots.backend import Backend
from wlroots.renderer import Renderer

from compositor.ffi import ffi, lib, to_native, to_wlroots

log = logging.getLogger(__name__)


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


def allocator_for(backend: Backend, renderer: Renderer, kind: str, drm_fd: int) -> Allocator:
    """wlroots' own choice, except where it cannot work: GBM on a render node whose driver
    allocates through DRM dumb buffers (Mesa's kms_swrast on virtio-gpu/vgem), which the
    kernel only allows on a primary node. Then GBM runs on the same device's card node.
    ``kind``: the renderer's ("gles2", "pixman"); ``drm_fd``: its render node, -1 for none.
    RuntimeError when no allocator works."""
    backend_ptr = to_native(backend, "struct wlr_backend *")
    renderer_ptr = to_native(renderer, "struct wlr_renderer *")
    if (
        kind == "gles2"
        and lib.wlr_backend_get_drm_fd(backend_ptr) < 0
        and drm_fd >= 0
        and not _gbm_can_allocate(drm_fd)
    ):
        card = _primary_node_for(drm_fd)
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
        raise RuntimeError(
            f"no buffer allocator works with the {kind} renderer on this backend; "
            "try --renderer pixman"
        )
    return Allocator(to_wlroots(ptr, "struct wlr_allocator *"))
