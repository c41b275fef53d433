"""A layer surface that never acks a configure and never maps (a panel killed while it
starts): prints ``configured W H`` for each configure; exits at EOF on stdin or when the
compositor closes it (``closed``).

    python -m tests.clients.layer_unacked
"""

from __future__ import annotations

import os
import sys

from pywayland.client import Display
from pywayland.protocol.wayland import WlCompositor

from tests.clients.event_loop import run, say
from tests.clients.generated import load
from tests.clients.solid_window import exit_on_handler_errors

layer_shell = load("wlr-layer-shell-unstable-v1")


def main() -> None:
    exit_on_handler_errors()
    display = Display()
    display.connect()
    found: dict[str, int] = {}
    registry = display.get_registry()
    registry.dispatcher["global"] = lambda r, name, interface, version: found.setdefault(
        interface, name
    )
    display.roundtrip()
    compositor = registry.bind(found["wl_compositor"], WlCompositor, 4)
    shell = registry.bind(found["zwlr_layer_shell_v1"], layer_shell.ZwlrLayerShellV1, 1)
    surface = compositor.create_surface()
    top = layer_shell.ZwlrLayerShellV1.layer.top.value
    layer = shell.get_layer_surface(surface, None, top, "unacked")
    layer.set_size(100, 30)
    layer.dispatcher["configure"] = lambda _l, serial, width, height: say(
        "configured", width, height
    )
    layer.dispatcher["closed"] = lambda _l: say("closed")
    surface.commit()
    run(display, lambda words: None)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
