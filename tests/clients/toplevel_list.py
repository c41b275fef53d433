"""A client of ext-foreign-toplevel-list-v1 (pywayland's bindings): it prints every window
the compositor lists, and each change, a line per event, flushed at once:

    toplevel N | identifier N ID | title N TEXT | app_id N TEXT | done N | closed N |
    finished | synced TOKEN

N numbers the handles in the order they came (1, 2, ...). On stdin: ``sync TOKEN`` (a
roundtrip: ``synced TOKEN``), ``stop`` (the list's stop request: ``finished`` comes back),
``quit``.

    python -m tests.clients.toplevel_list
"""

from __future__ import annotations

import itertools
import os
import sys

from pywayland.client import Display
from pywayland.protocol.ext_foreign_toplevel_list_v1 import ExtForeignToplevelListV1

from tests.clients.event_loop import run, say, sync
from tests.clients.solid_window import exit_on_handler_errors


class ToplevelList:
    def __init__(self) -> None:
        self.display = Display()
        self.display.connect()
        self.numbers = itertools.count(1)
        self.handles: list = []
        self.callbacks: list = []
        self.list = None
        registry = self.registry = self.display.get_registry()
        registry.dispatcher["global"] = self._on_global
        self.display.roundtrip()
        if self.list is None:
            say("missing ext_foreign_toplevel_list_v1")
            sys.stdout.flush()
            os._exit(3)
        self.display.roundtrip()

    def _on_global(self, registry, name: int, interface: str, version: int) -> None:
        if interface == "ext_foreign_toplevel_list_v1":
            self.list = registry.bind(name, ExtForeignToplevelListV1, 1)
            self.list.dispatcher["toplevel"] = self._on_toplevel
            self.list.dispatcher["finished"] = lambda lst: say("finished")

    def _on_toplevel(self, lst, handle) -> None:
        number = next(self.numbers)
        self.handles.append(handle)
        say("toplevel", number)
        handle.dispatcher["identifier"] = lambda h, text: say("identifier", number, text)
        handle.dispatcher["title"] = lambda h, text: say("title", number, text)
        handle.dispatcher["app_id"] = lambda h, text: say("app_id", number, text)
        handle.dispatcher["done"] = lambda h: say("done", number)

        def closed(h) -> None:
            say("closed", number)
            h.destroy()

        handle.dispatcher["closed"] = closed

    def command(self, words: list[str]) -> bool:
        if len(words) == 2 and words[0] == "sync":
            sync(self.display, self.callbacks, words[1])
        elif words == ["stop"]:
            self.list.stop()
        elif words == ["quit"]:
            return False
        return True


def main() -> None:
    exit_on_handler_errors()
    lister = ToplevelList()
    run(lister.display, lister.command)
    sys.stdout.flush()
    os._exit(0)  # pywayland frees proxies after the display at interpreter exit


if __name__ == "__main__":
    main()
