"""Asks for an ext_transient_seat_v1 (pywayland's bindings) and prints what came back:
``ready NAME`` or ``denied`` (or ``missing`` without the global)."""

from __future__ import annotations

import os
import sys

from pywayland.client import Display
from pywayland.protocol.ext_transient_seat_v1 import ExtTransientSeatManagerV1


def main() -> None:
    display = Display()
    display.connect()
    found: dict[str, int] = {}
    registry = display.get_registry()
    registry.dispatcher["global"] = lambda r, name, interface, version: found.setdefault(
        interface, name
    )
    display.roundtrip()
    if "ext_transient_seat_manager_v1" not in found:
        print("missing", flush=True)
        os._exit(3)
    manager = registry.bind(found["ext_transient_seat_manager_v1"], ExtTransientSeatManagerV1, 1)
    seat = manager.create()
    seat.dispatcher["ready"] = lambda s, name: print("ready", name, flush=True)
    seat.dispatcher["denied"] = lambda s: print("denied", flush=True)
    display.roundtrip()
    seat.destroy()
    display.roundtrip()
    sys.stdout.flush()
    os._exit(0)  # pywayland frees proxies after the display at interpreter exit


if __name__ == "__main__":
    main()
