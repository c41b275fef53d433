"""A taskbar without pixels: wlr-foreign-toplevel-management v3 (bindings generated from
tests/protocols/), printing what the compositor tells it and doing what stdin asks.

Printed, flushed at once:

    toplevel N                   a new handle (N counts from 1)
    done N app_id=A title=T state=S outputs=O parent=P
                                 after each zwlr_foreign_toplevel_handle_v1.done: S the
                                 states (activated, fullscreen, maximized, minimized)
                                 sorted and joined by commas (- for none), O the names of
                                 the outputs (wl_output v4) likewise, P the parent's N or -
    closed N                     the window is gone (unmapped or destroyed)
                                 (an output's wl_registry.global_remove drops it from every
                                 window and prints their ``done`` lines again)
    synced TOKEN                 the compositor handled everything sent before ``sync``

stdin: ``activate N``, ``maximize N``, ``unmaximize N``, ``minimize N``, ``unminimize N``,
``fullscreen N [OUTPUT]``, ``unfullscreen N``, ``close N``, ``sync TOKEN``.
"""

from __future__ import annotations

import os
import selectors
import sys

from pywayland.client import Display
from pywayland.protocol.wayland import WlOutput, WlSeat

from tests.clients.generated import load
from tests.clients.solid_window import exit_on_handler_errors

protocol = load("wlr-foreign-toplevel-management-unstable-v1")
STATES = {0: "maximized", 1: "minimized", 2: "activated", 3: "fullscreen"}


def say(*words: object) -> None:
    print(*words, flush=True)


class Toplevel:
    def __init__(self, bar: Taskbar, number: int, handle) -> None:
        self.bar, self.number, self.handle = bar, number, handle
        self.app_id = self.title = ""
        self.states: list[str] = []
        self.outputs: list[str] = []
        self.parent = "-"
        handle.dispatcher["title"] = lambda h, title: setattr(self, "title", title)
        handle.dispatcher["app_id"] = lambda h, app_id: setattr(self, "app_id", app_id)
        handle.dispatcher["state"] = self._on_state
        handle.dispatcher["output_enter"] = lambda h, output: self.outputs.append(
            bar.output_names.get(output, "?")
        )
        handle.dispatcher["output_leave"] = lambda h, output: self.outputs.remove(
            bar.output_names.get(output, "?")
        )
        handle.dispatcher["parent"] = self._on_parent
        handle.dispatcher["done"] = self._on_done
        handle.dispatcher["closed"] = self._on_closed

    def _on_state(self, handle, states) -> None:
        if isinstance(states, (bytes, bytearray)):
            states = [int.from_bytes(states[i : i + 4], "little") for i in range(0, len(states), 4)]
        self.states = [STATES.get(state, str(state)) for state in states]

    def _on_parent(self, handle, parent) -> None:
        owner = next((t for t in self.bar.toplevels.values() if t.handle == parent), None)
        self.parent = str(owner.number) if owner is not None else "-"

    def _on_done(self, handle) -> None:
        say(
            "done",
            self.number,
            f"app_id={self.app_id}",
            f"title={self.title}",
            "state=" + (",".join(sorted(self.states)) or "-"),
            "outputs=" + (",".join(sorted(self.outputs)) or "-"),
            f"parent={self.parent}",
        )

    def _on_closed(self, handle) -> None:
        say("closed", self.number)
        handle.destroy()
        del self.bar.toplevels[self.number]


class Taskbar:
    def __init__(self) -> None:
        self.display = Display()
        self.display.connect()
        self.toplevels: dict[int, Toplevel] = {}
        self.output_names: dict = {}
        self.outputs: list = []
        self.count = 0
        self.manager = self.seat = None
        self.callbacks: list = []
        registry = self.display.get_registry()
        registry.dispatcher["global"] = self._on_global
        registry.dispatcher["global_remove"] = self._on_global_remove
        self.output_globals: dict[int, object] = {}  # registry name -> wl_output
        self.display.roundtrip()
        if self.manager is None:
            sys.exit("the compositor does not offer zwlr_foreign_toplevel_manager_v1")
        self.display.roundtrip()  # output names, the first toplevels

    def _on_global(self, registry, name: int, interface: str, version: int) -> None:
        if interface == "zwlr_foreign_toplevel_manager_v1":
            self.manager = registry.bind(name, protocol.ZwlrForeignToplevelManagerV1, 3)
            self.manager.dispatcher["toplevel"] = self._on_toplevel
        elif interface == "wl_output":
            output = registry.bind(name, WlOutput, min(version, 4))
            self.output_globals[name] = output
            output.dispatcher["name"] = lambda o, value: self.output_names.__setitem__(o, value)
            self.outputs.append(output)
        elif interface == "wl_seat":
            self.seat = registry.bind(name, WlSeat, 1)

    def _on_global_remove(self, registry, name: int) -> None:
        """An output went away: wlroots 0.15 can no longer send output_leave for it (its
        resources are gone first), so the taskbar drops it itself, as real ones do."""
        output = self.output_globals.pop(name, None)
        if output is None:
            return
        gone = self.output_names.pop(output, None)
        for toplevel in self.toplevels.values():
            if gone in toplevel.outputs:
                toplevel.outputs.remove(gone)
                toplevel._on_done(toplevel.handle)

    def _on_toplevel(self, manager, handle) -> None:
        self.count += 1
        self.toplevels[self.count] = Toplevel(self, self.count, handle)
        say("toplevel", self.count)

    def command(self, words: list[str]) -> None:
        if words[0] == "sync":
            callback = self.display.sync()
            token = words[1]

            def done(cb, data) -> None:
                self.callbacks.remove(cb)
                say("synced", token)

            callback.dispatcher["done"] = done
            self.callbacks.append(callback)
            return
        handle = self.toplevels[int(words[1])].handle
        if words[0] == "activate":
            handle.activate(self.seat)
        elif words[0] == "fullscreen":
            wanted = words[2] if len(words) > 2 else None
            output = next((o for o, n in self.output_names.items() if n == wanted), None)
            handle.set_fullscreen(output)
        else:
            getattr(
                handle,
                {
                    "maximize": "set_maximized",
                    "unmaximize": "unset_maximized",
                    "minimize": "set_minimized",
                    "unminimize": "unset_minimized",
                    "unfullscreen": "unset_fullscreen",
                    "close": "close",
                }[words[0]],
            )()

    def run(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self.display.get_fd(), selectors.EVENT_READ, "wayland")
        selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
        pending = b""
        try:
            while True:
                self.display.dispatch(block=False)
                self.display.flush()
                for key, _ in selector.select():
                    if key.data == "wayland":
                        self.display.dispatch(block=True)
                    elif data := os.read(key.fd, 4096):
                        pending += data
                        *lines, pending = pending.split(b"\n")
                        for line in lines:
                            if line.split():
                                self.command(line.decode().split())
                    else:
                        selector.unregister(key.fd)
        except RuntimeError:
            say("disconnected")


if __name__ == "__main__":
    exit_on_handler_errors()
    Taskbar().run()
