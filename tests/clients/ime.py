"""An input method (IME) over input-method v2 (bindings generated from tests/protocols/):
it prints what the compositor tells it and writes what stdin asks into the focused text
field.

Printed: ``activate``, ``deactivate``, ``surrounding CURSOR ANCHOR TEXT``, ``content-type
HINT PURPOSE``, ``change-cause CAUSE``, ``done N`` (the Nth done: the serial it commits
with), ``unavailable``; with a keyboard grab: ``grab-keymap``, ``grab-key KEY STATE``,
``grab-modifiers DEPRESSED``; ``synced TOKEN``.

stdin: ``commit-string TEXT``, ``preedit TEXT`` (cursor over the whole text), ``delete
BEFORE AFTER`` (each followed by zwp_input_method_v2.commit), ``grab`` / ``ungrab`` the
keyboard, ``sync TOKEN``.
"""

from __future__ import annotations

import os
import selectors
import sys

from pywayland.client import Display
from pywayland.protocol.wayland import WlSeat

from tests.clients.generated import load
from tests.clients.solid_window import exit_on_handler_errors

protocol = load("input-method-unstable-v2")


def say(*words: object) -> None:
    print(*words, flush=True)


class InputMethod:
    def __init__(self) -> None:
        self.display = Display()
        self.display.connect()
        self.seat = self.manager = self.grab = None
        self.serial = 0
        self.callbacks: list = []
        registry = self.display.get_registry()
        registry.dispatcher["global"] = self._on_global
        self.display.roundtrip()
        if self.manager is None:
            sys.exit("the compositor does not offer zwp_input_method_manager_v2")
        im = self.im = self.manager.get_input_method(self.seat)
        im.dispatcher["activate"] = lambda i: say("activate")
        im.dispatcher["deactivate"] = lambda i: say("deactivate")
        im.dispatcher["surrounding_text"] = lambda i, text, cursor, anchor: say(
            "surrounding", cursor, anchor, text
        )
        im.dispatcher["content_type"] = lambda i, hint, purpose: say("content-type", hint, purpose)
        im.dispatcher["text_change_cause"] = lambda i, cause: say("change-cause", cause)
        im.dispatcher["done"] = self._on_done
        im.dispatcher["unavailable"] = lambda i: say("unavailable")
        self.display.roundtrip()

    def _on_global(self, registry, name: int, interface: str, version: int) -> None:
        if interface == "wl_seat":
            self.seat = registry.bind(name, WlSeat, 1)
        elif interface == "zwp_input_method_manager_v2":
            self.manager = registry.bind(name, protocol.ZwpInputMethodManagerV2, 1)

    def _on_done(self, im) -> None:
        self.serial += 1
        say("done", self.serial)

    def _on_keymap(self, grab, fmt: int, fd: int, size: int) -> None:
        os.close(fd)
        say("grab-keymap")

    def command(self, line: str) -> None:
        word, _, rest = line.partition(" ")
        if word == "commit-string":
            self.im.commit_string(rest)
        elif word == "preedit":
            self.im.set_preedit_string(rest, 0, len(rest.encode()))
        elif word == "delete":
            before, after = (int(n) for n in rest.split())
            self.im.delete_surrounding_text(before, after)
        elif word == "grab":
            grab = self.grab = self.im.grab_keyboard()
            grab.dispatcher["keymap"] = self._on_keymap
            grab.dispatcher["key"] = lambda g, serial, t, key, state: say("grab-key", key, state)
            grab.dispatcher["modifiers"] = lambda g, serial, depressed, *rest: say(
                "grab-modifiers", depressed
            )
            grab.dispatcher["repeat_info"] = lambda g, rate, delay: None
            return
        elif word == "ungrab":
            self.grab.release()
            self.grab = None
            return
        elif word == "sync":
            callback = self.display.sync()

            def done(cb, data) -> None:
                self.callbacks.remove(cb)
                say("synced", rest)

            callback.dispatcher["done"] = done
            self.callbacks.append(callback)
            return
        else:
            print(f"unknown command: {line!r}", file=sys.stderr, flush=True)
            return
        self.im.commit(self.serial)

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
                            if line.strip():
                                self.command(line.decode().strip())
                    else:
                        selector.unregister(key.fd)
        except RuntimeError:
            say("disconnected")


if __name__ == "__main__":
    exit_on_handler_errors()
    InputMethod().run()
