"""Software encoder: libx264 through PyAV, in a worker thread.

The compositor thread's whole share is :meth:`X264Encoder.capture`: it *pins* the committed
buffer (a lock, so the swapchain does not reuse it, and its data pointer) and takes a free,
preallocated ``VideoFrame`` slot; the worker copies the pixels into the slot (in C, GIL
released), and the buffer is unpinned on the compositor thread at the next frame. Colour
conversion (swscale, one reused context, RGB -> BT.709 limited-range YUV 4:2:0), encoding and
muxing run in the worker too. At most MAX_PINNED buffers are held (the swapchain has 4);
when none is free or every slot is busy the frame is dropped and counted: memory stays
bounded and clients never wait for the encoder.
"""

from __future__ import annotations

import logging
import queue
import time
from pathlib import Path
from typing import Any

import av
from av.video.reformatter import VideoReformatter

from compositor.ffi import ffi, lib
from compositor.recorder.errors import EncoderError, RecordingWriteError
from compositor.recorder.muxer import TIME_BASE, Mp4Muxer, ns_to_pts
from compositor.recorder.worker import start_worker

log = logging.getLogger(__name__)

# Preallocated frames between the compositor and the worker: as many as fit in the budget
# (bursts when the worker is descheduled are absorbed, memory stays bounded), at least 3.
SLOT_BUDGET = 64 << 20
MIN_SLOTS, MAX_SLOTS = 3, 16
# Swapchain buffers held for the worker's copy: the output needs two of wlroots' four. When
# the worker lags further behind, the compositor thread copies the frame itself (no drop).
MAX_PINNED = 2
# DRM fourcc -> the PyAV pixel format with the same byte order in memory.
DRM_FORMATS = {
    0x34325258: "bgr0",  # XRGB8888
    0x34325241: "bgra",  # ARGB8888
    0x34324258: "rgb0",  # XBGR8888
    0x34324241: "rgba",  # ABGR8888
}


class _Slot:
    def __init__(self, width: int, height: int, pix_fmt: str) -> None:
        self.frame = av.VideoFrame(width, height, pix_fmt)
        plane = self.frame.planes[0]
        self.ptr = ffi.cast("uint8_t *", plane.buffer_ptr)
        self.line_size = plane.line_size
        self.size = plane.buffer_size
        # What comp_rec_copy_* take after the source: a buffer of another size (an output
        # whose mode changed) is refused, never copied into part of the frame.
        self.args = (self.ptr, width, height, self.line_size, self.size)


class X264Encoder:
    name = "x264"

    def __init__(self, path: Path, width: int, height: int, drm_format: int, crf: int) -> None:
        pix_fmt = DRM_FORMATS.get(drm_format)
        if pix_fmt is None:
            raise EncoderError(f"x264: output format 0x{drm_format:08x} is not supported")
        self.path = path
        self.width, self.height = width, height
        self.muxer = Mp4Muxer(path)
        self.stream = self.muxer.add_x264_stream(width, height, crf)
        self._reformatter = VideoReformatter()
        self._free: queue.SimpleQueue[_Slot] = queue.SimpleQueue()
        self.slots = max(MIN_SLOTS, min(MAX_SLOTS, SLOT_BUDGET // (width * height * 4)))
        for _ in range(self.slots):
            self._free.put(_Slot(width, height, pix_fmt))
        self._work: queue.SimpleQueue[tuple[_Slot, Any, int] | None] = queue.SimpleQueue()
        # Pins the worker has copied, to unpin on the compositor thread; how many are out.
        self._copied: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.pinned = 0
        self.copied_here = 0  # frames copied on the compositor thread (the worker lagged)
        self.frames_in = 0  # submitted to the worker
        self.frames_encoded = 0
        self.frames_dropped = 0
        self.busy_s = 0.0  # worker time spent converting + encoding + muxing
        self.pts: list[int] = []  # of the encoded frames, in TIME_BASE units
        self.first_ns: int | None = None
        self.error: str | None = None
        self._last_pts = -1
        self._thread = start_worker(self._run, "recorder-x264")

    # -- compositor thread ----------------------------------------------------------------

    def capture(self, buffer: Any) -> tuple[_Slot, Any] | None:
        self._unpin_copied()
        if self.error is not None:
            return None
        try:
            slot = self._free.get_nowait()
        except queue.Empty:
            self.frames_dropped += 1
            return None
        if self.pinned >= MAX_PINNED:  # the worker lags: copy here rather than drop
            self.copied_here += 1
            if lib.comp_rec_copy_buffer(buffer, *slot.args) != 0:
                self._free.put(slot)
                self.frames_dropped += 1
                return None
            return slot, None
        pin = ffi.new("comp_rec_pin *")
        if not lib.comp_rec_pin_buffer(buffer, pin):
            self._free.put(slot)
            self.frames_dropped += 1
            return None
        self.pinned += 1
        return slot, pin

    def submit(self, token: tuple[_Slot, Any], when_ns: int) -> None:
        if self.first_ns is None:
            self.first_ns = when_ns
        self.frames_in += 1
        self._work.put((*token, when_ns - self.first_ns))

    def discard(self, token: tuple[_Slot, Any]) -> None:
        slot, pin = token
        if pin is not None:
            lib.comp_rec_unpin(pin)
            self.pinned -= 1
        self._free.put(slot)

    def _unpin_copied(self) -> None:
        while True:
            try:
                pin = self._copied.get_nowait()
            except queue.Empty:
                return
            lib.comp_rec_unpin(pin)
            self.pinned -= 1

    def stop(self) -> None:
        """Encode what is queued, flush and finalize the file (blocks until done)."""
        self._work.put(None)
        self._thread.join()
        self._unpin_copied()
        # Free the frames now: the encoder may sit in a reference cycle (session <-> frame
        # source) until a full garbage collection, and its slots are up to 64 MiB.
        while True:
            try:
                self._free.get_nowait()
            except queue.Empty:
                break
        self._reformatter = None

    # -- worker ---------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            item = self._work.get()
            if item is None:
                break
            slot, pin, delta_ns = item
            copied = True
            if pin is not None:  # else the compositor thread copied it already
                copied = lib.comp_rec_copy_pinned(pin, *slot.args) == 0
                self._copied.put(pin)  # unpinned on the compositor thread
            if self.error is not None or not copied:
                self.frames_dropped += self.error is None
                self._free.put(slot)
                continue
            start = time.perf_counter()
            try:
                self._encode(slot, delta_ns)
            except RecordingWriteError as exc:
                self.error = str(exc)
            except (av.FFmpegError, ValueError) as exc:
                self.error = f"x264 encoding failed: {exc}"
            self.busy_s += time.perf_counter() - start
        self._finish()

    def _encode(self, slot: _Slot, delta_ns: int) -> None:
        pts = max(ns_to_pts(delta_ns), self._last_pts + 1)
        self._last_pts = pts
        try:
            frame = slot.frame
            frame.pts = pts
            frame.time_base = TIME_BASE
            yuv = self._reformatter.reformat(
                frame,
                format="yuv420p",
                src_colorspace="ITU601",
                dst_colorspace="ITU709",
                dst_color_range="MPEG",
            )
        finally:
            self._free.put(slot)
        self.muxer.mux(self.stream.encode(yuv))
        self.frames_encoded += 1
        self.pts.append(pts)

    def _finish(self) -> None:
        try:
            if self.error is None:
                self.muxer.mux(self.stream.encode(None))
        except (RecordingWriteError, av.FFmpegError) as exc:
            self.error = self.error or str(exc)
        try:
            self.muxer.close()
        except RecordingWriteError as exc:
            self.error = self.error or str(exc)
