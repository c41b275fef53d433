"""Python side of the C buffer bridge (compositor/ffi/csrc/wl_drm_buffer.c).

Also the fd helpers that run before it: the size behind an fd and whether it is a dma-buf.
Fd ownership: the request handler owns the fd until :meth:`Bridge.create` succeeds; from
then on the C side closes it when the wlr_buffer is destroyed.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import stat
from collections.abc import Callable

from compositor import python_calls
from compositor.ffi import ffi, lib
from compositor.wl_drm.validation import Layout

log = logging.getLogger(__name__)

_on_destroyed: Callable[[int], None] | None = None


@python_calls.entry_point(ffi)
def comp_drm_buffer_destroyed(token: int) -> None:
    if _on_destroyed is not None:
        try:
            _on_destroyed(token)
        except Exception:  # never let an exception unwind into C
            log.exception("wl_drm: buffer destroy bookkeeping failed")


class FdError(Exception):
    """The fd cannot back a buffer; the message says why."""


def fd_size(fd: int) -> int:
    """Size of the buffer behind ``fd`` (lseek SEEK_END, as dma-bufs support), offset reset."""
    try:
        mode = os.fstat(fd).st_mode
    except OSError as exc:
        raise FdError(f"the fd is not valid: {exc.strerror}") from exc
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISDIR(mode):
        kind = "a pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a dir"
        raise FdError(f"the fd is {kind}, not a buffer; send a dma-buf or memfd")
    try:
        size = os.lseek(fd, 0, os.SEEK_END)
        os.lseek(fd, 0, os.SEEK_SET)
    except OSError as exc:
        raise FdError(f"cannot size the fd ({exc.strerror}); send a dma-buf or memfd") from exc
    if size <= 0:
        raise FdError("the buffer behind the fd is empty")
    return size


def seal_against_shrinking(fd: int) -> None:
    """Make sure a memfd can never shrink under the mapping (that would SIGBUS the compositor).

    dma-bufs have a fixed size; any other fd must be a memfd that is, or can be, sealed with
    F_SEAL_SHRINK (created with MFD_ALLOW_SEALING). The seal is added here when missing.
    """
    try:
        seals = fcntl.fcntl(fd, fcntl.F_GET_SEALS)
        if not seals & fcntl.F_SEAL_SHRINK:
            fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK)
    except OSError as exc:
        raise FdError(
            "a non-dma-buf fd must be a memfd sealable against shrinking (MFD_ALLOW_SEALING)"
        ) from exc


def is_dmabuf(fd: int) -> bool:
    try:
        target = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return False
    return target.startswith(("/dmabuf:", "anon_inode:dmabuf"))


class Bridge:
    def __init__(self, on_destroyed: Callable[[int], None]) -> None:
        global _on_destroyed
        _on_destroyed = on_destroyed
        lib.comp_drm_bridge_init()

    def create(
        self,
        client: object,
        new_id: int,
        layout: Layout,
        fd: int,
        dmabuf: bool,
        cpu_access: bool,
        map_now: bool,
        token: int,
    ) -> object:
        """The wl_buffer + wlr_buffer, or FdError (fd still the caller's) when it fails."""
        n = len(layout.planes)
        offsets = ffi.new("uint32_t[]", [p.offset for p in layout.planes])
        strides = ffi.new("uint32_t[]", [p.stride for p in layout.planes])
        err = ffi.new("int *")
        ptr = lib.comp_drm_buffer_create(
            client,
            new_id,
            layout.width,
            layout.height,
            layout.format.code,
            n,
            fd,
            offsets,
            strides,
            dmabuf,
            cpu_access,
            layout.end if map_now else 0,
            token,
            err,
        )
        if ptr == ffi.NULL:
            code = err[0]
            if code in (errno.ENOMEM, errno.EINVAL):
                raise FdError(f"buffer creation failed: {os.strerror(code)}")
            raise FdError(
                f"cannot map the buffer ({os.strerror(code)}); send a mappable dma-buf or memfd"
            )
        return ptr

    @staticmethod
    def locks(ptr: object) -> int:
        return int(lib.comp_drm_buffer_locks(ptr))

    @staticmethod
    def live_count() -> int:
        return int(lib.comp_drm_buffer_live_count())

    @staticmethod
    def mapped_count() -> int:
        return int(lib.comp_drm_buffer_mapped_count())
