"""What the compositor holds right now: the ``stats`` control command.

Live counts that must come back to their baseline when clients leave (endurance tests and
bench/bench_soak.py compare them): connected clients, surfaces, views, popups, connected
listeners, event-loop sources, wl_drm buffers, recordings, and the Python objects of the
compositor's own classes and of the bindings' wrappers (``pywayland.*``, ``wlroots.*``),
counted by type after a full garbage collection, plus the process's RSS and open fds.
"""

from __future__ import annotations

import gc
import os
import sys
from collections import Counter
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Any

from compositor import python_calls
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from compositor.control import ControlServer

# Python objects whose type comes from these packages are counted one by one (PyAV's too:
# a recording's encoder lives in them).
COUNTED_PACKAGES = ("compositor.", "pywayland.", "wlroots.", "av.")
# Modules only some runs need, imported on first use so that an idle compositor does not
# hold them; ``stats`` lists those loaded (tests and benchmarks check the idle set is empty).
OPTIONAL_MODULES = (
    # Recording: PyAV, the session (frame source, indicator), the encoders, the VA-API probe.
    "av",
    "compositor.recorder.session",
    "compositor.recorder.frame_source",
    "compositor.recorder.indicator",
    "compositor.recorder.vaapi_probe",
    "compositor.recorder.x264",
    "compositor.recorder.vaapi",
    # The GLES2 overlay's PyOpenGL (and numpy, which it may load); Pillow, for title bars.
    "OpenGL",
    "numpy",
    "PIL",
    # The renderer's probes (ctypes for GBM, a child process for GLES2); `-- CLIENT`.
    "ctypes",
    "compositor.render.probe",
    "subprocess",
    # wl_drm, only when a DRM node is offered (its generated bindings and buffer bridge).
    "compositor.wl_drm.manager",
    # The `clients` command's inspector.
    "compositor.inspect.clients",
    "compositor.inspect.diagnosis",
    # Standard modules that only a rare path pulls in (ctypes.util, argparse's own sizing).
    "tempfile",
    "shutil",
)


def python_objects(collect: bool = True) -> tuple[int, dict[str, int]]:
    """(all objects gc tracks, {module.Type: count} for COUNTED_PACKAGES), after a full
    collection, or as they are (``collect=False``: what reference counting alone freed)."""
    if collect:
        gc.collect()
    objects = gc.get_objects()
    counts: Counter[str] = Counter()
    for obj in objects:
        module = type(obj).__module__
        if (
            isinstance(module, str)
            and module.startswith(COUNTED_PACKAGES)
            and not isinstance(obj, Enum)  # enum members: fixed, and many
        ):
            counts[f"{module}.{type(obj).__qualname__}"] += 1
    total = len(objects)
    del objects
    return total, dict(sorted(counts.items()))


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd")) - 1  # less the fd listdir itself opened


class Stats:
    """The ``stats`` command: the process's own figures, and one gauge per feature count
    (added by the composition root: views, wl_drm buffers, recordings, ...)."""

    def __init__(self) -> None:
        self.gauges: dict[str, Callable[[], Any]] = {}

    def gauge(self, name: str, read: Callable[[], Any]) -> None:
        self.gauges[name] = read

    def register_commands(self, control: ControlServer) -> None:
        control.register(
            "stats",
            "live counts (clients, views, popups, listeners, buffers, recordings, Python "
            "objects by type), RSS and fds; objects=0 skips the per-type object count, "
            "collect=0 counts without a garbage collection first",
            self.snapshot,
        )

    def snapshot(self, request: dict[str, Any] | None = None) -> dict[str, Any]:
        request = request or {}
        reply: dict[str, Any] = {name: read() for name, read in self.gauges.items()}
        reply.update(
            {
                "listeners": Listeners.live,
                # Times C called into Python (listeners, event-loop callbacks, frame hooks).
                "python_calls": python_calls.entered,
                "rss_kib": rss_kib(),
                "optional_modules": [m for m in OPTIONAL_MODULES if m in sys.modules],
                "fds": open_fds(),
            }
        )
        if request.get("objects", True) not in (False, 0, "0", "false"):
            collect = request.get("collect", True) not in (False, 0, "0", "false")
            reply["gc_objects"], reply["py_objects"] = python_objects(collect)
        return reply
