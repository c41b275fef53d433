"""CPU copies of client pixels, counted per path, observed where they happen: the surface commit.

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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pywayland.server import Listener, Signal
from wlroots import ffi as wlr_ffi
from wlroots.wlr_types.surface import Surface

from compositor.ffi import ffi, lib, to_native
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from compositor.server import Server

log = logging.getLogger(__name__)

PATHS = ("shm_upload", "dmabuf_import", "pixman_read", "readback")
BYTES_PER_PIXEL = 4  # every format wlroots 0.15 uploads from wl_shm is 32 bpp


@dataclass
class PathStats:
    commits: int = 0  # surface commits that went through this path
    copies: int = 0  # CPU copy operations (texture uploads, rectangle by rectangle)
    bytes: int = 0  # bytes copied (or, for pixman_read, read) by the CPU
    full: int = 0  # commits that (re)created the texture

    def as_dict(self, frames: int) -> dict[str, Any]:
        per = max(frames, 1)
        return {
            "commits": self.commits,
            "copies": self.copies,
            "bytes": self.bytes,
            "full": self.full,
            "copies_per_frame": round(self.copies / per, 3),
            "bytes_per_frame": round(self.bytes / per, 1),
        }


@dataclass
class _Tracked:
    listeners: Listeners
    client_buffer: int = 0


class CopyStats:
    """Listens to every surface's commit and classifies the texture update it caused."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.paths = {name: PathStats() for name in PATHS}
        self.since = time.monotonic()
        self._frames_at_reset = 0
        self._surfaces: dict[int, _Tracked] = {}
        self._info = ffi.new("struct comp_surface_buffer *")
        compositor = server.globals.compositor
        self._new_surface = Signal(
            ptr=wlr_ffi.addressof(compositor._ptr.events.new_surface),
            data_wrapper=lambda ptr: Surface(wlr_ffi.cast("struct wlr_surface *", ptr)),
        )
        self._listeners = Listeners((self._new_surface, self._on_new_surface))

    # -- events ---------------------------------------------------------------------------

    def _on_new_surface(self, listener: Listener, surface: Surface) -> None:
        key = int(wlr_ffi.cast("uintptr_t", surface._ptr))
        self._surfaces[key] = _Tracked(
            Listeners(
                (surface.commit_event, lambda _l, _d: self._on_commit(key, surface)),
                (surface.destroy_event, lambda _l, _d: self._forget(key)),
            )
        )

    def _forget(self, key: int) -> None:
        tracked = self._surfaces.pop(key, None)
        if tracked is not None:
            tracked.listeners.remove_all()

    def _on_commit(self, key: int, surface: Surface) -> None:
        tracked = self._surfaces.get(key)
        info = self._info
        if tracked is None or not lib.comp_surface_buffer_info(
            to_native(surface, "struct wlr_surface *"), info
        ):
            return
        new_texture = info.client_buffer != tracked.client_buffer
        tracked.client_buffer = info.client_buffer
        if not new_texture and info.damage_rects == 0:
            return  # a commit without new pixels (frame callback, damage-free attach)
        full_bytes = info.width * info.height * BYTES_PER_PIXEL
        damage_bytes = info.damage_area * BYTES_PER_PIXEL
        if not info.texture_gles2:
            stats = self.paths["pixman_read"]
            stats.commits += 1
            stats.full += int(new_texture)
            stats.bytes += damage_bytes
        elif info.dmabuf:
            stats = self.paths["dmabuf_import"]
            stats.commits += 1
            stats.full += int(new_texture)
        else:
            stats = self.paths["shm_upload"]
            stats.commits += 1
            if new_texture:
                stats.full += 1
                stats.copies += 1
                stats.bytes += full_bytes
            else:
                stats.copies += info.damage_rects
                stats.bytes += damage_bytes

    def tracked_surfaces(self) -> int:
        """Live wl_surfaces (every surface is tracked from creation to destruction)."""
        return len(self._surfaces)

    def count_readback(self, nbytes: int) -> None:
        """The compositor read rendered pixels back to the CPU (screenshot)."""
        stats = self.paths["readback"]
        stats.commits += 1
        stats.copies += 1
        stats.bytes += nbytes

    # -- reporting ------------------------------------------------------------------------

    def _frames(self) -> int:
        return sum(view.frames_committed for view in self.server.outputs)

    def snapshot(self) -> dict[str, Any]:
        frames = self._frames() - self._frames_at_reset
        gpu = self.paths["dmabuf_import"]
        return {
            "renderer": self.server.renderer_choice.kind,
            "seconds": round(time.monotonic() - self.since, 3),
            "frames": frames,
            "paths": {name: stats.as_dict(frames) for name, stats in self.paths.items()},
            "client_cpu_copies": sum(
                self.paths[name].copies for name in ("shm_upload", "dmabuf_import")
            ),
            "zero_copy_imports": gpu.commits,
        }

    def reset(self) -> None:
        self.paths = {name: PathStats() for name in PATHS}
        self.since = time.monotonic()
        self._frames_at_reset = self._frames()

    def command(self, request: dict[str, Any]) -> dict[str, Any]:
        reply = self.snapshot()
        if request.get("reset"):
            self.reset()
        return reply

    def destroy(self) -> None:
        for key in list(self._surfaces):
            self._forget(key)
        self._listeners.remove_all()
