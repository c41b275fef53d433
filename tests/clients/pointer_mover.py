"""A virtual mouse: zwlr_virtual_pointer_v1 (bindings generated from tests/protocols/),
moving the pointer the way a 1000 Hz mouse does, with a frame after each motion.

    pointer_mover.py --events N [--rate HZ] (--jiggle DX,DY | --points X,Y X,Y ...)
                     [--extent W,H] [--start X,Y] [--ready-file PATH] [--hold]

``--jiggle DX,DY``: relative motions, +DX,+DY then -DX,-DY, so the pointer stays where it
is (over one window). ``--points``: absolute motions to each layout point in turn (in a
layout of ``--extent`` W x H, the compositor's output size), cycling; crossing windows.
``--rate`` events per second (0: as fast as the socket takes them). After the last event
the client waits for the compositor to have handled them all (wl_display.sync) and prints
``done N``; with ``--ready-file`` it first writes that file once its pointer device exists,
and waits for the file to be removed before moving (so a caller can take a baseline);
with ``--hold`` it keeps its pointer until a line (or EOF) on stdin.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from pywayland.client import Display
from pywayland.protocol.wayland import WlSeat

from tests.clients.generated import load

protocol = load("wlr-virtual-pointer-unstable-v1")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--jiggle", default=None)
    parser.add_argument("--points", nargs="*", default=None)
    parser.add_argument("--extent", default="1280,800")
    parser.add_argument("--ready-file", default=None)
    parser.add_argument("--hold", action="store_true")
    parser.add_argument("--start", default=None, help="X,Y: an absolute motion there first")
    args = parser.parse_args()

    display = Display()
    display.connect()
    registry = display.get_registry()
    found: dict[str, object] = {}

    def on_global(registry, name, interface, version):
        if interface == "zwlr_virtual_pointer_manager_v1":
            found["manager"] = registry.bind(
                name, protocol.ZwlrVirtualPointerManagerV1, min(version, 2)
            )
        elif interface == "wl_seat" and "seat" not in found:
            found["seat"] = registry.bind(name, WlSeat, 1)

    registry.dispatcher["global"] = on_global
    display.roundtrip()
    if "manager" not in found:
        print("no zwlr_virtual_pointer_manager_v1", file=sys.stderr)
        return 1
    pointer = found["manager"].create_virtual_pointer(found.get("seat"))
    display.roundtrip()
    if args.ready_file:
        with open(args.ready_file, "w") as ready:
            ready.write(f"{os.getpid()}\n")
        while os.path.exists(args.ready_file):
            time.sleep(0.01)

    extent_w, extent_h = (int(v) for v in args.extent.split(","))
    points = [tuple(int(v) for v in p.split(",")) for p in args.points or []]
    jiggle = tuple(float(v) for v in args.jiggle.split(",")) if args.jiggle else None
    if args.start:
        sx, sy = (int(v) for v in args.start.split(","))
        pointer.motion_absolute(
            int(time.monotonic() * 1000) & 0xFFFFFFFF, sx, sy, extent_w, extent_h
        )
        pointer.frame()
        display.roundtrip()
    period = 1.0 / args.rate if args.rate > 0 else 0.0
    start = time.monotonic()
    for i in range(args.events):
        if period:
            delay = start + i * period - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        msec = int(time.monotonic() * 1000) & 0xFFFFFFFF
        if jiggle is not None:
            sign = 1 if i % 2 == 0 else -1
            pointer.motion(msec, sign * jiggle[0], sign * jiggle[1])
        else:
            x, y = points[i % len(points)]
            pointer.motion_absolute(msec, x, y, extent_w, extent_h)
        pointer.frame()
        if i % 64 == 63:
            display.flush()
    display.roundtrip()
    print(f"done {args.events}", flush=True)
    if args.hold:
        sys.stdin.readline()
    pointer.destroy()
    display.roundtrip()
    display.disconnect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
