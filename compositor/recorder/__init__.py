"""Recording the output to H.264 MP4 (VA-API zero-copy where present, x264 otherwise).

:func:`create_recorder` is the one entry point the composition root calls; it returns the
:class:`~compositor.recorder.recorder.Recorder`, which the root wires: ``on_output_added``
and ``on_outputs_changed`` (OutputManager's observers), ``toggle`` (the Ctrl+Alt+R
binding), ``register_commands`` (record-start, record-stop, record-status) and
``shutdown`` (the file is finalized before the outputs go); it reads ``session`` (the
recording under way, or None) for the ``recordings`` gauge of ``stats``.

Modules: ``frame_source`` (committed buffers + presentation times), ``x264`` (PyAV libx264 in
a worker thread), ``vaapi_probe``/``vaapi`` (libva through the project's cffi module),
``h264_bitstream`` (SPS/PPS/slice headers), ``muxer`` (fragmented MP4), ``session`` (one
recording, progress line), ``indicator`` (on-screen red square), ``recorder`` (the recorder:
start/stop, encoder choice, commands).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from compositor.core import Core
    from compositor.recorder.recorder import Recorder


def create_recorder(core: Core) -> Recorder:
    from compositor.recorder.recorder import Recorder

    return Recorder(core)
