"""One recording: frame source -> encoder -> MP4, the indicator, and the progress line.

The encoder is created on the first captured buffer (its size and format are known only
then); the path is checked for writability up front so that a bad path is refused at once.
Errors from the encoder's worker (disk full, ...) are picked up by the progress timer on the
compositor thread, which stops the recording and says what happened.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from compositor import wayland_fixes
from compositor.ffi import ffi, lib
from compositor.recorder.errors import RecordingWriteError, describe_write_error
from compositor.recorder.frame_source import FrameSource
from compositor.recorder.indicator import Indicator

if TYPE_CHECKING:
    from compositor.output import ServerOutput

log = logging.getLogger(__name__)

TICK_MS = 250
PROGRESS_EVERY_S = 1.0


class Encoder(Protocol):
    name: str
    frames_in: int
    frames_encoded: int
    frames_dropped: int
    busy_s: float
    pts: list[int]
    error: str | None

    def capture(self, buffer: Any) -> Any | None: ...
    def submit(self, token: Any, when_ns: int) -> None: ...
    def discard(self, token: Any) -> None: ...
    def stop(self) -> None: ...


# (path, buffer, width, height, drm_format) -> an encoder; raises EncoderError.
EncoderFactory = Callable[[Path, Any, int, int, int], Encoder]


def check_writable(path: Path) -> None:
    """Create (truncate) the file now, so a bad path fails the start, not the first frame."""
    if path.suffix.lower() != ".mp4":
        raise RecordingWriteError(f"recordings are MP4: give a path ending in .mp4, not {path}")
    try:
        with open(path, "wb"):
            pass
    except OSError as exc:
        raise RecordingWriteError(
            describe_write_error(path, exc) + "; choose a writable directory"
        ) from exc


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB"


class Session:
    def __init__(
        self,
        server_output: ServerOutput,
        path: Path,
        factory: EncoderFactory,
        on_stopped: Callable[[Session, str], None],
    ) -> None:
        check_writable(path)
        self.output = server_output
        self.path = path
        self.factory = factory
        self.on_stopped = on_stopped
        self.encoder: Encoder | None = None
        self.shape: tuple[int, int, int] | None = None  # width, height, format of the frames
        self.encoder_name = "pending"
        self.error: str | None = None
        self.started = time.monotonic()
        self.output_frames_at_start = server_output.frames_committed
        self.output_frames = 0
        self.stopped = False
        self.output_gone = False
        self._last_progress = self.started
        self._first_ns: int | None = None
        self._last_ns: int | None = None
        self.source = FrameSource(server_output, self, self._on_source_gone)
        self.indicator = Indicator(server_output)
        self._timer = wayland_fixes.add_timer(server_output.core.event_loop, self._on_tick)
        self._timer.timer_update(TICK_MS)
        log.info("recording %s to %s", server_output.name, path)

    # -- FrameSink (compositor thread) ----------------------------------------------------

    def capture(self, buffer: Any) -> Any | None:
        if self.encoder is None and not self._create_encoder(buffer):
            return None
        return self.encoder.capture(buffer)

    def submit(self, token: Any, when_ns: int) -> None:
        if self._first_ns is None:
            self._first_ns = when_ns
        self._last_ns = when_ns
        self.encoder.submit(token, when_ns)

    def discard(self, token: Any) -> None:
        self.encoder.discard(token)

    def _create_encoder(self, buffer: Any) -> bool:
        if self.error is not None:
            return False
        width, height = ffi.new("int32_t *"), ffi.new("int32_t *")
        fmt, stride = ffi.new("uint32_t *"), ffi.new("size_t *")
        dmabuf = ffi.new("comp_rec_dmabuf *")
        if lib.comp_rec_buffer_shape(buffer, width, height, fmt, stride):
            shape = (width[0], height[0], fmt[0])
        elif lib.comp_rec_buffer_dmabuf(buffer, dmabuf):
            shape = (dmabuf.width, dmabuf.height, dmabuf.format)
        else:
            self.error = "the output buffer is neither CPU-readable nor a dma-buf"
            return False
        self.shape = shape
        try:
            self.encoder = self.factory(self.path, buffer, *shape)
        except Exception as exc:  # EncoderError, RecordingWriteError, av errors
            self.error = str(exc)
            return False
        self.encoder_name = self.encoder.name
        log.info("recording: %s encoder, %dx%d", self.encoder_name, shape[0], shape[1])
        return True

    # -- progress and errors --------------------------------------------------------------

    def _on_tick(self, data: Any = None) -> int:
        if self.stopped:
            return 0
        error = self.error or (self.encoder.error if self.encoder is not None else None)
        if error is not None:
            self.on_stopped(self, error)
            return 0
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_EVERY_S:
            self._last_progress = now
            log.info("%s", self.progress_line())
        self._timer.timer_update(TICK_MS)
        return 0

    def _on_source_gone(self, reason: str) -> None:
        self.output_gone = True
        self.on_stopped(self, reason)

    def duration_s(self) -> float:
        if self._first_ns is None or self._last_ns is None:
            return 0.0
        return (self._last_ns - self._first_ns) / 1e9

    def status(self, with_pts: bool = False) -> dict[str, Any]:
        enc = self.encoder
        encoded = enc.frames_encoded if enc else 0
        status: dict[str, Any] = {
            "path": str(self.path),
            "encoder": self.encoder_name,
            "output": self.output.name,
            "frames_presented": self.source.frames_presented,
            "timed_by_present": self.source.timed_by_present,
            "timed_by_commit": self.source.timed_by_commit,
            "frames_submitted": enc.frames_in if enc else 0,
            "frames_encoded": encoded,
            "frames_dropped": enc.frames_dropped if enc else 0,
            # x264: frames the compositor thread had to copy itself (the worker lagged).
            "copied_on_compositor_thread": getattr(enc, "copied_here", 0),
            "output_frames": (
                self.output_frames
                if self.stopped
                else self.output.frames_committed - self.output_frames_at_start
            ),
            "duration_s": round(self.duration_s(), 3),
            # CLOCK_MONOTONIC time of the first frame (pts 0), to line up with other clocks.
            "first_present_ns": self._first_ns,
            "encoder_fps": round(encoded / enc.busy_s, 1) if enc and enc.busy_s > 0 else None,
            "bytes": self.path.stat().st_size if self.path.exists() else 0,
            "error": self.error or (enc.error if enc else None),
            "indicator": self.indicator.box if self.indicator else None,
        }
        if with_pts:
            status["pts_90khz"] = list(enc.pts) if enc else []
        return status

    def progress_line(self) -> str:
        s = self.status()
        fps = s["encoder_fps"]
        return (
            f"recording {self.path.name}: {s['duration_s']:.1f} s, {s['frames_encoded']} frames, "
            f"{s['frames_dropped']} dropped, encoder {fps or 0:.0f} fps, {_mib(s['bytes'])}"
        )

    def stop(self) -> None:
        """Finalize the file: blocks while the encoder drains its (bounded) queue."""
        if self.stopped:
            return
        self.stopped = True
        self.output_frames = self.output.frames_committed - self.output_frames_at_start
        wayland_fixes.remove_source(self._timer)
        self.source.flush()
        self.source.detach()
        if self.encoder is not None:
            self.encoder.stop()
        if self.output_gone:
            # Inside the output's destroy signal the scene still damages the dying output:
            # remove the indicator once that is over.
            self.indicator.destroy_later(self.output.core.event_loop)
        else:
            self.indicator.destroy()
