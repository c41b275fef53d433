"""The encoders' worker threads: below the compositor in the scheduler's eyes.

On a machine with few cores the encoder (and the threads libx264 starts from it, which
inherit its nice value) competes with the compositor thread and the clients. The output
must not wait for the recording: the worker runs at nice +10, so the compositor thread is
scheduled first when both are ready and the encoder takes the time left (its queue absorbs
a late frame; a full queue drops one, counted, rather than slowing the output).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

NICE = 10


def start_worker(run: Callable[[], None], name: str) -> threading.Thread:
    def body() -> None:
        try:
            # Lowering a thread's own priority needs no privilege (Linux: per thread); 10
            # below the compositor's own (a compositor started under `nice` keeps its
            # encoder below it too), 19 at most.
            tid = threading.get_native_id()
            os.setpriority(
                os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + NICE)
            )
        except OSError as exc:
            log.warning("%s: could not lower the encoder's priority: %s", name, exc)
        run()

    thread = threading.Thread(target=body, name=name, daemon=True)
    thread.start()
    return thread
