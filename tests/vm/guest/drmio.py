"""Raw DRM ioctls for VM scenarios (x86_64 numbers): magic, dumb buffers, flink, PRIME.

Enough to act as a real DRM client without libdrm bindings: an unprivileged process that
authenticates through wl_drm, and a test client that allocates buffers on vgem or
virtio-gpu and exports them as dma-buf fds.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import struct
from dataclasses import dataclass

GET_MAGIC = 0x80046402
GEM_CLOSE = 0x40086409
GEM_FLINK = 0xC008640A
PRIME_HANDLE_TO_FD = 0xC00C642D
MODE_CREATE_DUMB = 0xC02064B2
MODE_MAP_DUMB = 0xC01064B3
DRM_RDWR = os.O_RDWR
DRM_CLOEXEC = os.O_CLOEXEC


def get_magic(fd: int) -> int:
    return struct.unpack("I", fcntl.ioctl(fd, GET_MAGIC, bytes(4)))[0]


@dataclass
class Dumb:
    fd: int  # the device fd it lives on
    handle: int
    width: int
    height: int
    pitch: int
    size: int

    def flink(self) -> int:
        """A global GEM name (needs an authenticated or master fd on a primary node)."""
        reply = fcntl.ioctl(self.fd, GEM_FLINK, struct.pack("II", self.handle, 0))
        return struct.unpack("II", reply)[1]

    def export(self) -> int:
        """A dma-buf fd for the buffer (PRIME), mappable read-write."""
        reply = fcntl.ioctl(
            self.fd, PRIME_HANDLE_TO_FD, struct.pack("IIi", self.handle, DRM_RDWR | DRM_CLOEXEC, -1)
        )
        return struct.unpack("IIi", reply)[2]

    def write(self, data: bytes, offset: int = 0) -> None:
        """Write bytes into the buffer through a mapping of its dma-buf (else the dumb map)."""
        dmabuf = self.export()
        try:
            with mmap.mmap(
                dmabuf, self.size, mmap.MAP_SHARED, mmap.PROT_WRITE | mmap.PROT_READ
            ) as m:
                m[offset : offset + len(data)] = data
                return
        except OSError:
            pass
        finally:
            os.close(dmabuf)
        reply = fcntl.ioctl(self.fd, MODE_MAP_DUMB, struct.pack("IIQ", self.handle, 0, 0))
        map_offset = struct.unpack("IIQ", reply)[2]
        with mmap.mmap(self.fd, self.size, mmap.MAP_SHARED, offset=map_offset) as m:
            m[offset : offset + len(data)] = data

    def close(self) -> None:
        fcntl.ioctl(self.fd, GEM_CLOSE, struct.pack("II", self.handle, 0))


def create_dumb(fd: int, width: int, height: int, bpp: int = 32) -> Dumb:
    reply = fcntl.ioctl(
        fd, MODE_CREATE_DUMB, struct.pack("IIIIIIQ", height, width, bpp, 0, 0, 0, 0)
    )
    _, _, _, _, handle, pitch, size = struct.unpack("IIIIIIQ", reply)
    return Dumb(fd, handle, width, height, pitch, size)


def driver_name(fd: int) -> str:
    """The kernel driver behind a DRM fd, from sysfs (vgem, virtio_gpu, ...)."""
    st = os.fstat(fd)
    link = f"/sys/dev/char/{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}/device/driver"
    try:
        return os.path.basename(os.readlink(link))
    except OSError:
        # vgem is a platform-less device: its node has no device/driver link.
        base = f"/sys/dev/char/{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}/device"
        return os.path.basename(os.path.realpath(base))


def xrgb_rows(width: int, height: int, pitch: int, color: int) -> bytes:
    row = (color | 0xFF000000).to_bytes(4, "little") * width
    return (row + bytes(pitch - len(row))) * height
