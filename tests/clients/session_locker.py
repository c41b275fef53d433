"""A lock screen of the tests' own, on ext-session-lock-v1 (pywayland's bindings): it locks
at start and puts a lock surface of one colour on every output, new ones included.

Prints one line per event the tests care about, flushed at once:

    locked | finished | configure OUTPUT W H | drawn OUTPUT W H | output-gone OUTPUT |
    enter SX SY | motion SX SY | leave | button CODE STATE | keyboard-enter |
    keyboard-leave | key CODE STATE | synced TOKEN | unlocked | disconnected

OUTPUT is the wl_output's name (version 4). Options: ``--color RRGGBB``, ``--no-surfaces``
(lock, but show nothing: the compositor's colour stays), ``--wrong-size`` (commit a buffer
1 pixel wider than configured: a protocol error). On stdin: ``sync TOKEN``, ``unlock``
(unlock_and_destroy, then a roundtrip: prints ``unlocked``), ``destroy`` (the lock's
destroy request: a protocol error once locked), ``lock`` (lock again with a new object).

    python -m tests.clients.session_locker --color 336699
"""

from __future__ import annotations

import argparse
import mmap
import os
import selectors
import sys

from pywayland.client import Display
from pywayland.protocol.ext_session_lock_v1 import ExtSessionLockManagerV1
from pywayland.protocol.wayland import WlCompositor, WlOutput, WlSeat, WlShm

from tests.clients.solid_window import exit_on_handler_errors


def say(*words: object) -> None:
    print(*words, flush=True)


class Locker:
    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.color = int(options.color, 16)
        self.display = Display()
        self.display.connect()
        self.compositor = self.shm = self.manager = self.seat = None
        self.outputs: dict[int, dict] = {}  # global name -> {"output", "name", "surface"...}
        self.callbacks: list = []
        self.buffers: list = []
        self.lock = None
        registry = self.registry = self.display.get_registry()
        registry.dispatcher["global"] = self._on_global
        registry.dispatcher["global_remove"] = self._on_global_remove
        self.display.roundtrip()
        self.display.roundtrip()  # output names
        if not (self.compositor and self.shm and self.manager):
            say("no-session-lock")
            sys.exit(3)
        self._lock()
        self.running = True

    def _on_global(self, registry, name: int, interface: str, version: int) -> None:
        if interface == "wl_compositor":
            self.compositor = registry.bind(name, WlCompositor, min(version, 4))
        elif interface == "wl_shm":
            self.shm = registry.bind(name, WlShm, 1)
        elif interface == "ext_session_lock_manager_v1":
            self.manager = registry.bind(name, ExtSessionLockManagerV1, 1)
        elif interface == "wl_seat":
            self.seat = registry.bind(name, WlSeat, min(version, 5))
            self.seat.dispatcher["capabilities"] = self._on_seat_caps
        elif interface == "wl_output":
            output = registry.bind(name, WlOutput, min(version, 4))
            entry = self.outputs[name] = {"output": output, "name": f"output-{name}"}
            output.dispatcher["name"] = lambda o, text: entry.update(name=text)
            if self.lock is not None and not self.options.no_surfaces:
                self._lock_surface(entry)  # its name comes before the configure

    def _on_global_remove(self, registry, name: int) -> None:
        entry = self.outputs.pop(name, None)
        if entry is not None:
            say("output-gone", entry["name"])
            if "lock_surface" in entry:
                entry["lock_surface"].destroy()
                entry["surface"].destroy()

    def _on_seat_caps(self, seat, caps: int) -> None:
        if caps & WlSeat.capability.pointer.value and not hasattr(self, "pointer"):
            pointer = self.pointer = seat.get_pointer()
            pointer.dispatcher["enter"] = lambda p, serial, surface, sx, sy: say(
                "enter", f"{sx:g}", f"{sy:g}"
            )
            pointer.dispatcher["motion"] = lambda p, t, sx, sy: say("motion", f"{sx:g}", f"{sy:g}")
            pointer.dispatcher["leave"] = lambda *a: say("leave")
            pointer.dispatcher["button"] = lambda p, serial, t, button, state: say(
                "button", button, state
            )
        if caps & WlSeat.capability.keyboard.value and not hasattr(self, "keyboard"):
            keyboard = self.keyboard = seat.get_keyboard()
            keyboard.dispatcher["enter"] = lambda *a: say("keyboard-enter")
            keyboard.dispatcher["leave"] = lambda *a: say("keyboard-leave")
            keyboard.dispatcher["key"] = lambda k, serial, t, key, state: say("key", key, state)

    def _lock(self) -> None:
        lock = self.lock = self.manager.lock()
        lock.dispatcher["locked"] = lambda lock: say("locked")
        lock.dispatcher["finished"] = lambda lock: say("finished")
        if not self.options.no_surfaces:
            for entry in self.outputs.values():
                self._lock_surface(entry)

    def _lock_surface(self, entry: dict) -> None:
        surface = entry["surface"] = self.compositor.create_surface()
        lock_surface = entry["lock_surface"] = self.lock.get_lock_surface(surface, entry["output"])

        def configure(ls, serial: int, width: int, height: int) -> None:
            say("configure", entry["name"], width, height)
            ls.ack_configure(serial)
            extra = 1 if self.options.wrong_size else 0
            surface.attach(self._buffer(width + extra, height), 0, 0)
            surface.damage(0, 0, width + extra, height)
            surface.commit()
            say("drawn", entry["name"], width, height)

        lock_surface.dispatcher["configure"] = configure

    def _buffer(self, width: int, height: int):
        stride, size = width * 4, width * 4 * height
        fd = os.memfd_create("locker", os.MFD_CLOEXEC)
        os.ftruncate(fd, size)
        with mmap.mmap(fd, size) as data:
            data.write((self.color | 0xFF000000).to_bytes(4, "little") * (width * height))
        pool = self.shm.create_pool(fd, size)
        os.close(fd)
        buffer = pool.create_buffer(0, width, height, stride, WlShm.format.xrgb8888.value)
        pool.destroy()
        self.buffers.append(buffer)
        return buffer

    def _sync(self, handler) -> None:
        callback = self.display.sync()

        def done(cb, data: int) -> None:
            self.callbacks.remove(cb)
            handler()

        callback.dispatcher["done"] = done
        self.callbacks.append(callback)

    def _command(self, words: list[str]) -> None:
        if len(words) == 2 and words[0] == "sync":
            token = words[1]
            self._sync(lambda: self._sync(lambda: say("synced", token)))
        elif words == ["unlock"]:
            self.lock.unlock_and_destroy()
            self.lock = None
            self._sync(lambda: say("unlocked"))
        elif words == ["destroy"]:
            self.lock.destroy()
            self.lock = None
        elif words == ["lock"]:
            self._lock()
        elif words:
            print(f"unknown command: {words!r}", file=sys.stderr, flush=True)

    def run(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self.display.get_fd(), selectors.EVENT_READ, "wayland")
        selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
        pending = b""
        try:
            while self.running:
                self.display.dispatch(block=False)
                self.display.flush()
                for key, _ in selector.select():
                    if key.data == "wayland":
                        self.display.dispatch(block=True)
                    elif data := os.read(key.fd, 4096):
                        pending += data
                        *lines, pending = pending.split(b"\n")
                        for line in lines:
                            self._command(line.decode().split())
                    else:
                        selector.unregister(key.fd)
        except RuntimeError:
            say("disconnected")


def main() -> None:
    exit_on_handler_errors()
    parser = argparse.ArgumentParser()
    parser.add_argument("--color", default="336699", help="RRGGBB")
    parser.add_argument("--no-surfaces", action="store_true")
    parser.add_argument("--wrong-size", action="store_true")
    Locker(parser.parse_args()).run()


if __name__ == "__main__":
    main()
