"""CPU copies of client pixels, counted per path, observed where they happen: the surface commit
(in C, ``comp_copy_stats`` in ffi/csrc/copy_stats.c: no Python runs per commit).

wlroots turns a committed client buffer into a texture in ``wlr_surface``'s commit (before
the ``commit`` signal this module listens to), in one of these ways, which the surface's
``wlr_client_buffer`` shows afterwards:

* ``shm_upload`` (GLES2, wl_shm): a new client buffer means a full ``glTexImage2D`` of the
  buffer (width x height x 4 bytes); the same client buffer again means wlroots uploaded
  only the damaged rectangles (``glTexSubImage2D``), ``buffer_damage`` of this commit.
* ``dmabuf_import`` (GLES2, linux-dmabuf or wl_drm PRIME): the dma-buf becomes an EGLImage
  bound to a texture; no CPU copy. Counted as imports, with zero bytes copied.
* ``pixman_read`` (pixman): the texture wraps the client's mapping (wl_shm mmap, or the
  mapped dma-buf of a wl_drm buffer); nothing is uploaded, but the CPU reads at least the
  damaged area of the buffer from client memory when it composites. Counted as one
  read of the damaged bytes per commit (a lower bound: overlapping outputs read it again).

Per frame figures divide by the frames the outputs committed in the same interval.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from compositor.ffi import ffi, lib, to_native

if TYPE_CHECKING:
    from compositor.output import OutputManager

log = logging.getLogger(__name__)

PATHS = ("shm_upload", "dmabuf_import", "pixman_read", "readback")
READBACK = PATHS.index("readback")


def _as_dict(path: Any, frames: int) -> dict[str, Any]:
    per = max(frames, 1)
    return {
        "commits": path.commits,
        "copies": path.copies,
        "bytes": path.bytes,
        "full": path.full,
        "copies_per_frame": round(path.copies / per, 3),
        "bytes_per_frame": round(path.bytes / per, 1),
    }


class CopyStats:
    """The C counters of every surface commit's texture update, and the readbacks."""

    def __init__(self, compositor, renderer_kind: str, outputs: OutputManager) -> None:
        self.renderer_kind = renderer_kind
        self.outputs = outputs
        self.since = time.monotonic()
        self._frames_at_reset = 0
        self._stats = lib.comp_copy_stats_create(to_native(compositor, "struct wlr_compositor *"))
        if self._stats == ffi.NULL:
            raise MemoryError("cannot create the copy counters")

    def tracked_surfaces(self) -> int:
        """Live wl_surfaces (every surface is tracked from creation to destruction)."""
        return self._stats.surfaces

    def count_readback(self, nbytes: int) -> None:
        """The compositor read rendered pixels back to the CPU (screenshot)."""
        stats = self._stats.paths[READBACK]
        stats.commits += 1
        stats.copies += 1
        stats.bytes += nbytes

    # -- reporting ------------------------------------------------------------------------

    def _frames(self) -> int:
        return sum(server_output.frames_committed for server_output in self.outputs)

    def snapshot(self) -> dict[str, Any]:
        frames = self._frames() - self._frames_at_reset
        paths = {name: self._stats.paths[i] for i, name in enumerate(PATHS)}
        return {
            "renderer": self.renderer_kind,
            "seconds": round(time.monotonic() - self.since, 3),
            "frames": frames,
            "paths": {name: _as_dict(path, frames) for name, path in paths.items()},
            "client_cpu_copies": paths["shm_upload"].copies + paths["dmabuf_import"].copies,
            "zero_copy_imports": paths["dmabuf_import"].commits,
        }

    def reset(self) -> None:
        for i in range(len(PATHS)):
            path = self._stats.paths[i]
            path.commits = path.copies = path.bytes = path.full = 0
        self.since = time.monotonic()
        self._frames_at_reset = self._frames()

    def command(self, request: dict[str, Any]) -> dict[str, Any]:
        reply = self.snapshot()
        if request.get("reset"):
            self.reset()
        return reply

    def destroy(self) -> None:
        lib.comp_copy_stats_destroy(self._stats)
        self._stats = ffi.NULL
