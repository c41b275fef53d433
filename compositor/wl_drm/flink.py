"""Legacy GEM flink names -> a dma-buf fd, on the compositor's primary-node fd.

Only used with ``--allow-flink``, after the ownership check in
:class:`compositor.wl_drm.quotas.FlinkNames`. Render nodes refuse GEM_OPEN, so this needs
the DRM backend's primary-node fd.
"""

from __future__ import annotations

import fcntl
import os
import struct

DRM_IOCTL_GEM_CLOSE = 0x40086409  # struct drm_gem_close { u32 handle; u32 pad; }
DRM_IOCTL_GEM_OPEN = 0xC010640B  # struct drm_gem_open { u32 name; u32 handle; u64 size; }
DRM_IOCTL_PRIME_HANDLE_TO_FD = 0xC00C642D  # struct drm_prime_handle { u32; u32 flags; s32 fd; }
DRM_CLOEXEC = os.O_CLOEXEC
DRM_RDWR = os.O_RDWR


class FlinkError(Exception):
    pass


def open_flink_name(drm_fd: int, name: int) -> tuple[int, int]:
    """GEM_OPEN ``name`` and export it as a dma-buf: returns (fd, size); the caller owns fd."""
    if drm_fd < 0:
        raise FlinkError(
            "flink needs the compositor's primary DRM node and it has none (not on the drm "
            "backend); use create_prime_buffer"
        )
    try:
        reply = fcntl.ioctl(drm_fd, DRM_IOCTL_GEM_OPEN, struct.pack("IIQ", name, 0, 0))
    except OSError as exc:
        raise FlinkError(f"GEM_OPEN of flink name {name} failed: {exc.strerror}") from exc
    _, handle, size = struct.unpack("IIQ", reply)
    try:
        reply = fcntl.ioctl(
            drm_fd,
            DRM_IOCTL_PRIME_HANDLE_TO_FD,
            struct.pack("IIi", handle, DRM_CLOEXEC | DRM_RDWR, -1),
        )
        fd = struct.unpack("IIi", reply)[2]
    except OSError as exc:
        raise FlinkError(f"exporting flink name {name} failed: {exc.strerror}") from exc
    finally:
        try:
            fcntl.ioctl(drm_fd, DRM_IOCTL_GEM_CLOSE, struct.pack("II", handle, 0))
        except OSError:
            pass
    return fd, size
