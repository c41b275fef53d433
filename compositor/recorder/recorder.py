"""The recorder (recorder/__init__.py makes it): start/stop, encoder choice, commands, toggle.

Control commands: ``record-start path=FILE.mp4 [encoder=auto|vaapi|x264]``, ``record-stop``,
``record-status [pts=true]``. Key binding: Ctrl+Alt+R toggles a recording to
``~/Videos`` (or the working directory) named by the date.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compositor import wayland_fixes
from compositor.control import CommandError
from compositor.ffi import lib
from compositor.recorder.errors import EncoderError, RecordingWriteError

if TYPE_CHECKING:
    from compositor.control import ControlServer
    from compositor.core import Core
    from compositor.output import ServerOutput
    from compositor.recorder import vaapi_probe
    from compositor.recorder.session import Encoder, Session

log = logging.getLogger(__name__)


class Recorder:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.config = core.config
        self.output: ServerOutput | None = None
        self.session: Session | None = None
        self.last: dict[str, Any] | None = None
        self._probe: vaapi_probe.ProbeResult | None = None
        self._exit_source: Any = None

    # -- output hooks ---------------------------------------------------------------------

    def on_output_added(self, server_output: ServerOutput) -> None:
        if self.output is not None:
            return  # records the first output
        self.output = server_output
        if self.config.record is not None:
            try:
                self.start(self.config.record, self.config.record_encoder)
            except CommandError as exc:
                log.error("--record: %s; not starting without the recording asked for", exc)
                # From inside the backend's start, before the display runs: exit once it does.
                self._exit_source = wayland_fixes.add_idle(
                    self.core.event_loop, lambda: self.core.terminate(1)
                )

    def register_commands(self, control: ControlServer) -> None:
        control.register(
            "record-start",
            "record the first output: path=FILE.mp4 [encoder=auto|vaapi|x264]",
            lambda r: self.start(
                Path(r["path"]).expanduser(), r.get("encoder", self.config.record_encoder)
            ),
        )
        control.register("record-stop", "stop recording and finalize the file", self._cmd_stop)
        control.register(
            "record-status",
            "recording state and counters (pts=true: the timestamps too)",
            lambda r: self.status(bool(r.get("pts", False))),
        )

    def shutdown(self) -> None:
        if self.session is not None:
            self._stop("the compositor is shutting down")

    # -- start/stop -----------------------------------------------------------------------

    def start(self, path: Path, encoder: str = "auto") -> dict[str, Any]:
        if self.session is not None:
            raise CommandError(f"already recording to {self.session.path}; record-stop first")
        if self.output is None:
            raise CommandError("no output to record yet")
        if encoder not in ("auto", "vaapi", "x264"):
            raise CommandError(f"encoder must be auto, vaapi or x264, not {encoder!r}")
        if encoder in ("auto", "vaapi"):
            probe = self.probe()
            if not probe.available:
                if encoder == "vaapi":
                    raise CommandError(f"VA-API encoder unavailable: {probe.reason}")
                log.info("recording: VA-API unavailable (%s); using x264", probe.reason)
                encoder = "x264"
        factory = self._factory(encoder)
        # The session machinery (frame source, indicator) is imported by the first recording,
        # so an idle compositor does not hold it.
        from compositor.recorder.session import Session

        try:
            self.session = Session(self.output, path, factory, self._on_session_stopped)
        except RecordingWriteError as exc:
            raise CommandError(str(exc)) from exc
        return {"path": str(path), "encoder": encoder}

    def probe(self) -> vaapi_probe.ProbeResult:
        if self._probe is None:
            from compositor.recorder import vaapi_probe  # only once a recording is asked for

            self._probe = vaapi_probe.probe(self.core.renderer_kind)
        return self._probe

    def _factory(self, choice: str):
        crf = self.config.record_crf

        def x264(path: Path, buffer: Any, width: int, height: int, fmt: int) -> Encoder:
            from compositor.recorder.x264 import X264Encoder  # PyAV: only when recording

            return X264Encoder(path, width, height, fmt, crf)

        def vaapi(path: Path, buffer: Any, width: int, height: int, fmt: int) -> Encoder:
            from compositor.recorder.vaapi import VaapiEncoder

            try:
                return VaapiEncoder(self.probe(), path, buffer, width, height, fmt, crf)
            except EncoderError as exc:
                if choice == "vaapi":
                    raise EncoderError(f"VA-API encoder failed (forced): {exc}") from exc
                log.warning("recording: VA-API encoder failed (%s); falling back to x264", exc)
                return x264(path, buffer, width, height, fmt)

        return x264 if choice == "x264" else vaapi

    def _cmd_stop(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.session is None:
            raise CommandError("not recording")
        self._stop("stopped on request")
        return {"last": self.last}

    def toggle(self) -> None:
        if self.session is not None:
            self._stop("stopped by key binding")
            return
        videos = Path.home() / "Videos"
        folder = videos if videos.is_dir() else Path.cwd()
        path = folder / time.strftime("pydrm-%Y%m%d-%H%M%S.mp4")
        try:
            self.start(path, self.config.record_encoder)
        except CommandError as exc:
            log.error("recording: %s", exc)

    def _on_session_stopped(self, session: Session, reason: str) -> None:
        if session is self.session:
            self._stop(reason)

    def _stop(self, reason: str) -> None:
        session, self.session = self.session, None
        if session is None:
            return
        session.stop()
        # The encoder threads are gone; what they allocated (frames, x264's lookahead) sits
        # free in their malloc arenas, which glibc keeps: give it back to the system.
        lib.malloc_trim(0)
        self.last = session.status(with_pts=True)
        s = self.last
        err = s["error"]
        summary = (
            f"{s['frames_encoded']} frames encoded, {s['duration_s']:.1f} s, "
            f"{s['frames_dropped']} dropped, {s['bytes']} bytes"
        )
        if s["frames_encoded"] == 0 and not err:
            # Stopped before its first frame (start and stop in one breath, from a script):
            # an empty file is no MP4; none is left behind.
            Path(s["path"]).unlink(missing_ok=True)
            log.info("recording stopped before its first frame: %s not written", s["path"])
            return
        if err:
            log.error(
                "recording stopped: %s; the file so far stays playable: %s (%s)",
                err,
                s["path"],
                summary,
            )
        else:
            log.info("recording saved (%s): %s (%s)", reason, s["path"], summary)

    def on_outputs_changed(self) -> None:
        """An output changed mode, scale or transform: a recording of another size stops."""
        session = self.session
        if session is None:
            return
        session.indicator.follow_output()
        if session.shape is None:
            return
        width, height = (
            session.output.output._ptr.width,
            session.output.output._ptr.height,
        )
        if (width, height) != session.shape[:2]:
            self._stop(
                f"output {session.output.name} changed to {width}x{height} (the recording "
                f"is {session.shape[0]}x{session.shape[1]}); start a new one"
            )

    def status(self, with_pts: bool = False) -> dict[str, Any]:
        current = self.session.status(with_pts) if self.session is not None else None
        last = dict(self.last) if self.last else None
        if last is not None and not with_pts:
            last.pop("pts_90khz", None)
        return {"recording": current is not None, "current": current, "last": last}
