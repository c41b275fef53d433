"""Frame source: taps one output's committed buffers and their presentation times.

wlroots emits ``commit`` (with the buffer that reached the output) and ``present`` (with the
time it was shown, or ``presented=false``). Depending on the backend, ``present`` comes
before ``commit`` (headless: inside the commit) or later (DRM: at vblank), so both orders are
matched by ``commit_seq``. The sink is called on the compositor thread and must be cheap:
``capture(buffer)`` copies or imports the buffer (or drops it) and returns a token,
``submit(token, when_ns)`` hands it on with its presentation time, ``discard(token)`` gives
the token back when the frame was never shown.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Protocol

from pywayland.server import Listener

from compositor.ffi import ffi, lib, to_native
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from compositor.output import ServerOutput

log = logging.getLogger(__name__)

# Unmatched events kept at most (a backend that never sends ``present`` must not leak).
MAX_PENDING = 4


class FrameSink(Protocol):
    def capture(self, buffer: Any) -> Any | None: ...
    def submit(self, token: Any, when_ns: int) -> None: ...
    def discard(self, token: Any) -> None: ...


class FrameSource:
    def __init__(self, server_output: ServerOutput, sink: FrameSink, on_gone: Any) -> None:
        self.output = server_output
        self.sink = sink
        self.on_gone = on_gone
        self.frames_seen = 0  # commits with a buffer while attached
        self.frames_presented = 0  # of those, presented (submitted or dropped by the sink)
        self.last_present_ns: int | None = None
        # Frames timed by the backend's present event vs by their commit (no present came).
        self.timed_by_present = 0
        self.timed_by_commit = 0
        self._pending: OrderedDict[int, tuple[Any, int]] = OrderedDict()
        self._early: OrderedDict[int, tuple[bool, int]] = OrderedDict()
        self._commit = ffi.new("comp_rec_commit *")
        self._present = ffi.new("comp_rec_present *")
        output = server_output.output
        self._listeners = Listeners(
            (output.commit_event, self._on_commit),
            (output.present_event, self._on_present),
            (output.destroy_event, self._on_destroy),
        )

    def _on_commit(self, listener: Listener, data: Any) -> None:
        lib.comp_rec_read_commit(to_native(data, "void *"), self._commit)
        if self._commit.buffer == ffi.NULL:
            return
        self.frames_seen += 1
        seq, commit_ns = self._commit.commit_seq, self._commit.when_ns
        token = self.sink.capture(self._commit.buffer)
        early = self._early.pop(seq, None)
        if early is not None:
            self._finish(token, early[0], early[1] or commit_ns, by_present=bool(early[1]))
            return
        self._pending[seq] = (token, commit_ns)
        while len(self._pending) > MAX_PENDING:
            # No present event for this one: the commit time is the best we know.
            _, (old_token, old_ns) = self._pending.popitem(last=False)
            self._finish(old_token, True, old_ns, by_present=False)

    def _on_present(self, listener: Listener, data: Any) -> None:
        lib.comp_rec_read_present(
            to_native(data, "void *"), self._present
        )
        seq, presented = self._present.commit_seq, bool(self._present.presented)
        entry = self._pending.pop(seq, None)
        if entry is None:
            self._early[seq] = (presented, self._present.when_ns)
            while len(self._early) > MAX_PENDING:
                self._early.popitem(last=False)
            return
        when_ns = self._present.when_ns
        self._finish(entry[0], presented, when_ns or entry[1], by_present=bool(when_ns))

    def _finish(self, token: Any, presented: bool, when_ns: int, by_present: bool) -> None:
        if not presented:
            if token is not None:
                self.sink.discard(token)
            return
        self.frames_presented += 1
        if by_present:
            self.timed_by_present += 1
        else:
            self.timed_by_commit += 1
        self.last_present_ns = when_ns
        if token is not None:
            self.sink.submit(token, when_ns)

    def flush(self) -> None:
        """Hand on frames still waiting for their present event (at stop)."""
        while self._pending:
            _, (token, commit_ns) = self._pending.popitem(last=False)
            self._finish(token, True, commit_ns, by_present=False)

    def _on_destroy(self, listener: Listener, data: Any) -> None:
        self.on_gone(f"output {self.output.name} was removed")

    def detach(self) -> None:
        self._listeners.remove_all()
        # Let go of the session (its sink and callback): no session <-> frame source cycle
        # that only a full garbage collection would free, with the encoder's frames in it.
        self.sink = None
        self.on_gone = None
