"""MP4 muxing with PyAV: fragmented, so that whatever reached the disk stays playable.

``empty_moov+frag_keyframe`` writes a fragment at every keyframe: if the compositor is
killed or the disk fills up, the file so far is a valid MP4 up to the last whole fragment.
Timestamps are in a 1/90000 time base and come from the output's presentation times
(variable frame rate). Two kinds of streams: one encoded by libx264 inside PyAV, and one fed
with ready Annex-B H.264 packets (the VA-API encoder and the bitstream writer's tests).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av

from compositor.recorder.errors import RecordingWriteError, describe_write_error

log = logging.getLogger(__name__)

TIME_BASE = Fraction(1, 90000)
MOVFLAGS = "frag_keyframe+empty_moov+default_base_moof"
# ITU-R BT.709, limited ("MPEG") range: what the encoders convert to and tag.
BT709 = 1
RANGE_MPEG = 1


def ns_to_pts(delta_ns: int) -> int:
    return delta_ns * TIME_BASE.denominator // 1_000_000_000


class Mp4Muxer:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.container = av.open(str(path), "w", format="mp4", options={"movflags": MOVFLAGS})
        except (OSError, av.FFmpegError) as exc:
            raise RecordingWriteError(
                describe_write_error(path, exc) + "; choose a writable path"
            ) from exc
        self.stream: av.VideoStream | None = None
        self.packets = 0
        self.closed = False

    def add_x264_stream(self, width: int, height: int, crf: int) -> av.VideoStream:
        stream = self.container.add_stream(
            "libx264",
            options={
                "preset": "ultrafast",
                "tune": "zerolatency",
                "crf": str(crf),
                # x264 counts keyint in frames; one fragment per keyframe.
                "x264-params": "keyint=60:min-keyint=1:scenecut=0",
            },
        )
        self._configure(stream, width, height)
        self.stream = stream
        return stream

    def add_annexb_stream(self, width: int, height: int, sps_pps: bytes) -> av.VideoStream:
        """A stream for ready H.264 packets; ``sps_pps`` is Annex-B (start codes)."""
        stream = self.container.add_stream("h264")
        self._configure(stream, width, height)
        stream.codec_context.extradata = sps_pps
        self.stream = stream
        return stream

    @staticmethod
    def _configure(stream: av.VideoStream, width: int, height: int) -> None:
        ctx = stream.codec_context
        ctx.width, ctx.height = width, height
        ctx.pix_fmt = "yuv420p"
        ctx.time_base = TIME_BASE
        # A nominal rate for rate control only: pts carry the real (variable) timing.
        ctx.framerate = Fraction(60, 1)
        ctx.colorspace = BT709
        ctx.color_primaries = BT709
        ctx.color_trc = BT709
        ctx.color_range = RANGE_MPEG
        stream.time_base = TIME_BASE

    def mux(self, packets: Iterable[av.Packet]) -> None:
        try:
            for packet in packets:
                self.container.mux(packet)
                self.packets += 1
        except (OSError, av.FFmpegError) as exc:
            raise RecordingWriteError(describe_write_error(self.path, exc)) from exc

    def mux_annexb(self, data: bytes, pts: int, keyframe: bool) -> None:
        assert self.stream is not None
        packet = av.Packet(data)
        packet.pts = packet.dts = pts
        packet.time_base = TIME_BASE
        packet.stream = self.stream
        packet.is_keyframe = keyframe
        self.mux([packet])

    def close(self) -> None:
        """Write the trailer. Raises RecordingWriteError; the file stays playable anyway."""
        if self.closed:
            return
        self.closed = True
        try:
            self.container.close()
        except (OSError, av.FFmpegError) as exc:
            raise RecordingWriteError(describe_write_error(self.path, exc)) from exc

    def size(self) -> int:
        try:
            return os.path.getsize(self.path)
        except OSError:
            return 0
