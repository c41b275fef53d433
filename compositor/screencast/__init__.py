"""Screen sharing: PipeWire video streams of an output, a window or a region, made by the
compositor itself (issue 24). The portal backend (another process) asks for them through
the control socket; PipeWire consumers (browsers, OBS, ``gst-launch-1.0 pipewiresrc``) read
them by node id.

The frames are made in C (``compositor/ffi/csrc/screencast.c``): PipeWire's loop is one
more fd on the compositor's event loop, each stream a driver node with memfd buffers, a
frame filled when an output the source overlaps commits (or the shared window's surface
does), at most at the output's rate; on GLES2 read back with the renderer
(``csrc/screencast_gl.c``). No Python runs per frame; Python starts and stops
streams and tells the portal when one ended.

Control socket interface (the portal backend relies on exactly this):

``screencast-sources``
    -> ``{"ok": true, "outputs": [{"name", "width", "height", "x", "y"}],
    "views": [{"id", "title", "app_id", "x", "y", "width", "height", "output"}]}``
    (view ids are those of ``views`` and ``focus id=N``; ``output`` is the output under the
    window's centre, or null).
``screencast-start`` ``{"source": {"output": NAME} | {"view": ID} | {"region": {"x", "y",
    "width", "height"}}, "cursor": "embedded"|"metadata"|"hidden", "client": TEXT,
    "consumer_grace_ms": N}``
    -> ``{"ok": true, "stream": SID, "node_id": N, "width", "height", "format": "BGRx",
    "formats": [...]}``. The region is in layout coordinates. ``cursor`` defaults to
    embedded; ``client`` names the consumer (the portal's app id) for ``screencast-list``;
    ``consumer_grace_ms`` (default 5000, 0: never) is how long the stream waits for a
    consumer that left before it ends with reason "consumer gone". The format is negotiated
    with the consumer among ``formats`` (BGRx first). Errors say what to do (no PipeWire
    daemon: start ``pipewire`` and ``wireplumber`` in the session).
``screencast-stop`` ``{"stream": SID}`` -> ``{"ok": true}`` (an event "stopped", reason
    "stopped", follows on ``screencast-events``).
``screencast-list``
    -> ``{"ok": true, "streams": [{"stream", "node_id", "client", "source", "width",
    "height", "format", "cursor", "state", "fps", "frames_sent", "frames_dropped",
    "copies", "renders", "blank_frames", "buffers", ...}]}``
``screencast-events`` (a stream: one JSON line per event, until the connection closes)
    ``{"event": "stopped", "stream": SID, "reason": R}`` with R one of "stopped",
    "window closed", "output removed", "consumer gone", "pipewire daemon gone",
    "pipewire error: ...", "compositor stopped".

While the session is locked every stream sends a solid colour and no cursor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from compositor import wayland_fixes
from compositor.control import CommandError
from compositor.ffi import ffi, lib, to_native

if TYPE_CHECKING:
    from compositor.core import Core
    from compositor.output import OutputManager, ServerOutput
    from compositor.shell.session_lock import SessionLock
    from compositor.shell.view import View
    from compositor.shell.window_manager import WindowManager

log = logging.getLogger(__name__)

CURSOR_MODES = {"embedded": 0, "metadata": 1, "hidden": 2}
KINDS = {0: "output", 1: "window", 2: "region"}
FORMATS = ["BGRx", "BGRA", "RGBx", "RGBA"]
# enum spa_video_format values of the four (spa/param/video/raw.h)
SPA_FORMATS = {8: "BGRx", 12: "BGRA", 7: "RGBx", 11: "RGBA"}
STATES = {-1: "error", 0: "unconnected", 1: "connecting", 2: "paused", 3: "streaming"}
DEFAULT_CONSUMER_GRACE_MS = 5000
MAX_SIZE = 16384
LOCK_COLOR = (0.1, 0.1, 0.1)  # what a stream shows while the session is locked


@ffi.def_extern()
def comp_py_screencast_ended(handle: Any, sid: int, reason: Any) -> None:
    ffi.from_handle(handle).on_ended(int(sid), ffi.string(reason).decode(errors="replace"))


@dataclass
class _Stream:
    sid: int
    ptr: Any  # comp_sc_stream *
    client: str
    source: dict[str, Any]
    view: View | None = None
    output: str | None = None


class ScreenCast:
    def __init__(
        self,
        core: Core,
        outputs: OutputManager,
        wm: WindowManager,
        session_lock: SessionLock | None,
    ) -> None:
        self.core = core
        self.outputs = outputs
        self.wm = wm
        self.session_lock = session_lock
        self.ctx: Any = ffi.NULL
        self.streams: dict[int, _Stream] = {}
        self.listeners: set[Callable[[dict[str, Any]], None]] = set()
        self.ended_count = 0
        self._handle = ffi.new_handle(self)
        self._disconnect_idle: Any = None
        wm.view_changed_observers.append(self._on_view_changed)
        outputs.added.append(self._on_output_added)
        outputs.changed.append(self._on_outputs_changed)
        if session_lock is not None:
            session_lock.lock_changed.append(self._on_lock_changed)

    # -- the PipeWire connection ----------------------------------------------------------

    def _context(self) -> Any:
        if self.ctx != ffi.NULL and lib.comp_sc_broken(self.ctx):
            log.info("screencast: the PipeWire daemon went; connecting again")
            self._drop_context()
        if self.ctx == ffi.NULL:
            err = ffi.new("char[512]")
            renderer = to_native(self.core.renderer, "struct wlr_renderer *")
            ctx = lib.comp_sc_create(
                to_native(self.core.event_loop, "struct wl_event_loop *"),
                to_native(self.core.scene, "struct wlr_scene *"),
                to_native(self.core.output_layout, "struct wlr_output_layout *"),
                renderer,
                self._handle,
                err,
                len(err),
            )
            if ctx == ffi.NULL:
                raise CommandError(ffi.string(err).decode(errors="replace"))
            self.ctx = ctx
            for server_output in self.outputs:
                lib.comp_sc_output_add(ctx, self._native_output(server_output))
            if self.session_lock is not None and self.session_lock.locked:
                lib.comp_sc_set_blanked(ctx, True, *LOCK_COLOR)
        return self.ctx

    def _disconnect_when_idle(self) -> None:
        """No stream left: leave PipeWire (its socket, its data thread) on the next idle
        turn (not from inside C's callback), as if screen sharing had never been used."""
        if not self.streams and self.ctx != ffi.NULL and self._disconnect_idle is None:
            self._disconnect_idle = wayland_fixes.add_idle(self.core.event_loop, self._idle_drop)

    def _idle_drop(self) -> None:
        self._disconnect_idle = None
        if not self.streams:
            self._drop_context()

    def _drop_context(self) -> None:
        if self._disconnect_idle is not None:
            wayland_fixes.remove_source(self._disconnect_idle)
            self._disconnect_idle = None
        if self.ctx != ffi.NULL:
            lib.comp_sc_destroy(self.ctx)
            self.ctx = ffi.NULL

    @staticmethod
    def _native_output(server_output: ServerOutput) -> Any:
        return to_native(server_output.output, "struct wlr_output *")

    # -- starting and stopping ------------------------------------------------------------

    def start(self, request: dict[str, Any]) -> dict[str, Any]:
        source = request.get("source")
        if not isinstance(source, dict) or len(source) != 1:
            raise CommandError(
                'source is one of {"output": NAME}, {"view": ID}, '
                '{"region": {"x", "y", "width", "height"}}; see screencast-sources'
            )
        cursor = request.get("cursor", "embedded")
        if cursor not in CURSOR_MODES:
            raise CommandError(f"cursor is one of {sorted(CURSOR_MODES)}, not {cursor!r}")
        client = str(request.get("client", ""))[:90]
        grace = request.get("consumer_grace_ms", DEFAULT_CONSUMER_GRACE_MS)
        if not isinstance(grace, int) or grace < 0:
            raise CommandError("consumer_grace_ms is a whole number of milliseconds >= 0")
        null = ffi.NULL
        view = None
        output_name = None
        tree = surface = geometry = output = null
        x = y = width = height = 0
        max_fps = 60
        if "output" in source:
            server_output = self._output(source["output"])
            output_name = server_output.name
            output = self._native_output(server_output)
            x, y = server_output.layout_position
            width, height = server_output.size
            max_fps = _fps(server_output)
            kind = 0
        elif "view" in source:
            view = self._view(source["view"])
            tree = to_native(view.tree, "struct wlr_scene_node *")
            surface = to_native(view.surface, "struct wlr_surface *")
            xdg_surface = getattr(view, "xdg_surface", None)
            if xdg_surface is not None:
                geometry = _geometry_pointer(xdg_surface)
            on = self._output_of_view(view)
            max_fps = _fps(on) if on is not None else 60
            kind = 1
        elif "region" in source:
            region = source["region"]
            try:
                x, y, width, height = (int(region[k]) for k in ("x", "y", "width", "height"))
            except (TypeError, KeyError, ValueError) as exc:
                raise CommandError(
                    'region is {"x", "y", "width", "height"} in layout coordinates'
                ) from exc
            if not (0 < width <= MAX_SIZE and 0 < height <= MAX_SIZE):
                raise CommandError(f"a region is 1 to {MAX_SIZE} pixels wide and high")
            on = [o for o in self.outputs if _overlaps(o, x, y, width, height)]
            if not on:
                raise CommandError(
                    f"region {width}x{height}+{x}+{y} shows no output; see screencast-sources"
                )
            max_fps = max(_fps(o) for o in on)
            kind = 2
        else:
            raise CommandError(f"unknown source {next(iter(source))!r}: output, view or region")
        ctx = self._context()
        err = ffi.new("char[512]")
        ptr = lib.comp_sc_stream_create(
            ctx, kind, output, tree, surface, geometry, x, y, width, height,
            CURSOR_MODES[cursor], max_fps, grace, client.encode(), err, len(err),
        )  # fmt: skip
        if ptr == ffi.NULL:
            self._disconnect_when_idle()
            raise CommandError(ffi.string(err).decode(errors="replace"))
        stats = lib.comp_sc_stream_stats(ptr)
        stream = _Stream(int(stats.id), ptr, client, source, view=view, output=output_name)
        self.streams[stream.sid] = stream
        log.info(
            "screencast: stream %d of %s for %r: PipeWire node %d, %dx%d, cursor %s",
            stream.sid, source, client, stats.node_id, stats.width, stats.height, cursor,
        )  # fmt: skip
        return {
            "stream": stream.sid,
            "node_id": int(stats.node_id),
            "width": int(stats.width),
            "height": int(stats.height),
            "format": FORMATS[0],
            "formats": FORMATS,
        }

    def stop(self, request: dict[str, Any]) -> dict[str, Any]:
        sid = request.get("stream")
        if sid not in self.streams:
            raise CommandError(f"no stream {sid!r}; see screencast-list")
        self._end(self.streams[sid], "stopped")
        return {}

    def _end(self, stream: _Stream, reason: str) -> None:
        """Python ends a stream (C frees it at once) and tells the listeners."""
        del self.streams[stream.sid]
        lib.comp_sc_stream_destroy(stream.ptr)
        self._tell(stream.sid, reason)

    def on_ended(self, sid: int, reason: str) -> None:
        """C ended a stream (output removed, window closed, consumer gone, daemon gone)."""
        if self.streams.pop(sid, None) is not None:
            self._tell(sid, reason)

    def _tell(self, sid: int, reason: str) -> None:
        self.ended_count += 1
        log.info("screencast: stream %d stopped: %s", sid, reason)
        event = {"event": "stopped", "stream": sid, "reason": reason}
        for send in list(self.listeners):
            send(event)
        self._disconnect_when_idle()

    # -- what the compositor tells us -----------------------------------------------------

    def _on_view_changed(self, view: View, change: str) -> None:
        if change in ("unmapped", "destroyed"):
            for stream in [s for s in self.streams.values() if s.view is view]:
                self._end(stream, "window closed")

    def _on_output_added(self, server_output: ServerOutput) -> None:
        if self.ctx != ffi.NULL:
            lib.comp_sc_output_add(self.ctx, self._native_output(server_output))

    def _on_outputs_changed(self, removed: ServerOutput | None) -> None:
        """An output moved or changed mode: its streams follow (removal is seen in C)."""
        for stream in self.streams.values():
            if stream.output is None or (removed is not None and removed.name == stream.output):
                continue
            server_output = next((o for o in self.outputs if o.name == stream.output), None)
            if server_output is not None:
                x, y = server_output.layout_position
                lib.comp_sc_stream_set_box(stream.ptr, x, y, *server_output.size)

    def _on_lock_changed(self, locked: bool) -> None:
        if self.ctx != ffi.NULL:
            lib.comp_sc_set_blanked(self.ctx, locked, *LOCK_COLOR)

    # -- what the portal asks -------------------------------------------------------------

    def sources(self, request: dict[str, Any] | None = None) -> dict[str, Any]:
        outputs = []
        for server_output in self.outputs:
            if not server_output.output.enabled:
                continue
            x, y = server_output.layout_position
            width, height = server_output.size
            outputs.append(
                {"name": server_output.name, "width": width, "height": height, "x": x, "y": y}
            )
        views = []
        for view in self.wm.views:
            if not view.mapped:
                continue
            x, y, width, height = view.geometry()
            on = self._output_of_view(view)
            views.append(
                {
                    "id": view.id,
                    "title": view.title,
                    "app_id": view.app_id,
                    "x": x,
                    "y": y,
                    "width": width,
                    "height": height,
                    "output": on.name if on is not None else None,
                }
            )
        return {"outputs": outputs, "views": views}

    def describe(self, request: dict[str, Any] | None = None) -> dict[str, Any]:
        streams = []
        for stream in self.streams.values():
            st = lib.comp_sc_stream_stats(stream.ptr)
            span_s = (st.last_frame_ns - st.first_frame_ns) / 1e9
            fps = (st.frames_sent - 1) / span_s if st.frames_sent > 1 and span_s > 0 else 0.0
            streams.append(
                {
                    "stream": stream.sid,
                    "node_id": int(st.node_id),
                    "client": stream.client,
                    "source": stream.source,
                    "kind": KINDS.get(st.kind, "?"),
                    "width": st.width,
                    "height": st.height,
                    "negotiated": [st.neg_width, st.neg_height],
                    "format": SPA_FORMATS.get(st.spa_format),
                    "cursor": next(k for k, v in CURSOR_MODES.items() if v == st.cursor),
                    "state": STATES.get(st.state, str(st.state)),
                    "max_fps": st.max_fps,
                    "fps": round(fps, 2),
                    "frames_sent": st.frames_sent,
                    "frames_dropped": st.frames_dropped,
                    "copies": st.copies,
                    "renders": st.renders,
                    "blank_frames": st.blank_frames,
                    "size_waits": st.size_waits,
                    "renegotiations": st.renegotiations,
                    "buffers": st.buffers,
                    "cpu_ms": round(st.cpu_ns / 1e6, 3),
                    # wall time making frames: on GLES2 the read-back's wait for GL too
                    "fill_ms": round(st.fill_ns / 1e6, 3),
                }
            )
        return {
            "streams": streams,
            "live_streams": lib.comp_sc_live_streams(),
            "live_buffers": lib.comp_sc_live_buffers(),
            "live_gl_buffers": lib.comp_sc_gl_live_targets(),
            "pipewire_connected": self.ctx != ffi.NULL,
            "ended": self.ended_count,
        }

    def _events(
        self, request: dict[str, Any], send: Callable[[dict[str, Any]], None]
    ) -> Callable[[], None]:
        self.listeners.add(send)
        return lambda: self.listeners.discard(send)

    def register_commands(self, control: Any) -> None:
        control.register(
            "screencast-sources",
            "what can be shared: outputs and windows (ids as in views)",
            self.sources,
        )
        control.register(
            "screencast-start",
            'share a screen as a PipeWire stream: source={"output": NAME} | {"view": ID} | '
            '{"region": {x,y,width,height}}, cursor=embedded|metadata|hidden, client=TEXT; '
            "answers the stream and its PipeWire node id",
            self.start,
        )
        control.register("screencast-stop", "end a screen-sharing stream: stream=SID", self.stop)
        control.register(
            "screencast-list",
            "screen-sharing streams: consumer, source, size, fps, frames, copies",
            self.describe,
        )
        if hasattr(control, "register_stream"):
            control.register_stream(
                "screencast-events",
                'stream lines {"event": "stopped", "stream": SID, "reason": ...} as streams end',
                self._events,
            )

    def gauges(self) -> dict[str, Callable[[], object]]:
        return {
            "screencast_streams": lib.comp_sc_live_streams,
            "screencast_buffers": lib.comp_sc_live_buffers,
            "screencast_gl_buffers": lib.comp_sc_gl_live_targets,
        }

    # -- helpers --------------------------------------------------------------------------

    def _output(self, name: Any) -> ServerOutput:
        for server_output in self.outputs:
            if server_output.name == name and server_output.output.enabled:
                return server_output
        names = [o.name for o in self.outputs if o.output.enabled]
        raise CommandError(f"no output {name!r}; outputs: {names}")

    def _view(self, view_id: Any) -> View:
        for view in self.wm.views:
            if view.id == view_id and view.mapped:
                return view
        raise CommandError(f"no window {view_id!r} shown; see screencast-sources")

    def _output_of_view(self, view: View) -> ServerOutput | None:
        x, y, width, height = view.geometry()
        cx, cy = x + width // 2, y + height // 2
        for server_output in self.outputs:
            if _overlaps(server_output, cx, cy, 1, 1):
                return server_output
        return None

    def destroy(self) -> None:
        """The compositor stops: every stream ends (listeners told), then the connection."""
        for stream in list(self.streams.values()):
            self._end(stream, "compositor stopped")
        self._drop_context()
        self.listeners.clear()


def _overlaps(server_output: ServerOutput, x: int, y: int, width: int, height: int) -> bool:
    if not server_output.output.enabled:
        return False
    ox, oy = server_output.layout_position
    ow, oh = server_output.size
    return x < ox + ow and ox < x + width and y < oy + oh and oy < y + height


def _fps(server_output: ServerOutput) -> int:
    refresh = server_output.output._ptr.refresh  # mHz; 0 when the backend has no fixed rate
    return max(1, round(refresh / 1000)) if refresh > 0 else 60


def _geometry_pointer(xdg_surface: Any) -> Any:
    """&wlr_xdg_surface.current.geometry (pywlroots' struct has it) as our wlr_box *."""
    from wlroots import ffi as wlr_ffi

    box = wlr_ffi.addressof(xdg_surface._ptr.current, "geometry")
    return to_native(box, "struct wlr_box *")
