"""A client that watches the globals announced to it, for as long as its stdin is open.

    python -m tests.vm.guest.as_nobody tests.vm.guest.registry_watch SOCKET_PATH  # as root
    python -m tests.vm.guest.registry_watch SOCKET_PATH

Prints ``ready`` once the first globals are in; on each line read from stdin, roundtrips and
prints one JSON line: how many globals of each interface were announced to it since it
connected, and how many removed.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

from pywayland.client import Display


def main(socket_path: str) -> int:
    display = Display(socket_path)
    display.connect()
    announced: Counter[str] = Counter()
    removed: list[int] = []
    registry = display.get_registry()
    registry.dispatcher["global"] = lambda _, name, interface, version: announced.update(
        [interface]
    )
    registry.dispatcher["global_remove"] = lambda _, name: removed.append(name)
    display.roundtrip()
    print("ready", flush=True)
    for _line in sys.stdin:
        display.roundtrip()
        print(json.dumps({"announced": dict(announced), "removed": len(removed)}), flush=True)
    display.disconnect()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
