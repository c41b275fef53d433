"""The frame clock: free-running (the backend's timer), or manual for tests that need the
same pictures on every run (``--frame-clock manual``, headless only).

A manual clock holds every frame the backend would emit; ``frame-step count=N`` emits N
frames of every output, each after advancing a virtual CLOCK_MONOTONIC by exactly one
refresh period (the first output's; 16666666 ns at 60 Hz). Frame callbacks carry that
time (in ms) and wp_presentation feedback reports each frame presented at it, so a client
that animates from them (weston-simple-shm, anything that reads the frame callback's time
or the presentation time) draws the same frame for the same step on every run. The clock
starts at ``START_NS`` (1 s) whatever the real time. ``count=N`` emits its N frames back to
back, with no time for clients to answer in between (an animation then skips ahead);
``Compositor.frame_step`` (compositor/testing) steps one at a time and waits, after each,
for the clients that were sent frame done to commit (``awaiting`` back to 0).

What waits for a frame waits for a step: clients' frame callbacks, wlr-screencopy (grim),
the recorder (a video frame per step that changed the picture; timed in real time, not
by the virtual clock: wlroots 0.15's headless output reports each commit presented at the
real time inside the commit, before this clock's own report, and the recorder takes the
first), ext-session-lock's ``locked`` (sent once a step shows the
lock, or after its 1 s limit). The control socket's ``screenshot`` renders the scene when
asked and needs no step. C side: ffi/csrc/frame_clock.c.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from compositor.control import CommandError
from compositor.ffi import ffi, lib

if TYPE_CHECKING:
    from compositor.control import ControlServer
    from compositor.output import OutputManager

log = logging.getLogger(__name__)

MODES = ("backend", "manual")
START_NS = 1_000_000_000
MAX_STEPS = 10_000  # per command: the compositor does nothing else while it steps


class FrameClock:
    def __init__(self, mode: str, outputs: OutputManager) -> None:
        if mode not in MODES:
            raise ValueError(f"frame clock {mode!r}: use one of {', '.join(MODES)}")
        self.outputs = outputs
        self.manual = mode == "manual"
        lib.comp_frame_clock_set_manual(self.manual, START_NS)
        if self.manual:
            log.info("frame clock: manual (frames only on frame-step), starting at %d ns", START_NS)

    def _loops(self) -> Any:
        loops = [o.loop for o in self.outputs if isinstance(o.loop, ffi.CData)]
        return ffi.new("comp_frame_loop *[]", loops), len(loops)

    def period_ns(self) -> int:
        """One refresh period of the first output (60 Hz without one)."""
        return lib.comp_frame_clock_period_ns(*self._loops())

    def describe(self) -> dict[str, Any]:
        return {
            "mode": "manual" if self.manual else "backend",
            "time_ns": lib.comp_frame_clock_time_ns() if self.manual else None,
            "period_ns": self.period_ns(),
            "steps": lib.comp_frame_clock_steps(),
            # Surfaces sent frame done by the last step that have not committed since.
            "awaiting": lib.comp_frame_clock_awaiting(),
        }

    def step(self, request: dict[str, Any]) -> dict[str, Any]:
        if not self.manual:
            raise CommandError(
                "the frame clock is not manual: start the compositor with --frame-clock manual"
            )
        count = request.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_STEPS:
            raise CommandError(f"count is a whole number from 1 to {MAX_STEPS}")
        loops, n = self._loops()
        period = lib.comp_frame_clock_period_ns(loops, n)
        for _ in range(count):
            lib.comp_frame_clock_step(loops, n, period)
        return self.describe()

    def register_commands(self, control: ControlServer) -> None:
        control.register(
            "frame-clock",
            "the frame clock: mode, virtual time_ns, period_ns, steps, awaiting (surfaces "
            "sent frame done by the last step that have not committed since)",
            lambda r: self.describe(),
        )
        control.register(
            "frame-step",
            "manual frame clock: emit count=N frames of every output, each one refresh "
            "period later on the virtual clock",
            self.step,
        )
