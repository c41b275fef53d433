"""What the small protocol clients of tests/wp share: the loop that dispatches Wayland
events and reads commands from stdin, a ``sync TOKEN`` answered after a roundtrip, and a
wl_shm buffer of one colour.

    run(display, lambda words: ...)  # returns at EOF on stdin or a lost connection
"""

from __future__ import annotations

import mmap
import os
import selectors
import sys
from collections.abc import Callable

from pywayland.client import Display
from pywayland.protocol.wayland import WlShm


def say(*words: object) -> None:
    print(*words, flush=True)


def run(display: Display, command: Callable[[list[str]], bool | None]) -> None:
    """Dispatch events and hand each stdin line's words to ``command`` (False: stop)
    until stdin ends or the compositor goes (``disconnected``)."""
    selector = selectors.DefaultSelector()
    selector.register(display.get_fd(), selectors.EVENT_READ, "wayland")
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
    pending = b""
    while True:
        display.flush()
        for key, _ in selector.select():
            if key.data == "wayland":
                if display.dispatch(block=True) < 0:
                    say("disconnected")
                    return
                continue
            data = os.read(key.fd, 4096)
            if not data:
                return
            pending += data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if command(line.decode().split()) is False:
                    return


def sync(display: Display, keep: list, token: str) -> None:
    """``synced TOKEN`` once the compositor has answered everything sent before."""
    callback = display.sync()

    def done(cb, data: int) -> None:
        keep.remove(cb)
        say("synced", token)

    callback.dispatcher["done"] = done
    keep.append(callback)


def shm_buffer(shm, width: int, height: int, pixel: int, argb: bool = False):
    """A wl_buffer of ``pixel`` (0xAARRGGBB) everywhere: xrgb8888, or argb8888."""
    size = width * height * 4
    fd = os.memfd_create("test-client", os.MFD_CLOEXEC)
    os.ftruncate(fd, size)
    with mmap.mmap(fd, size) as data:
        data.write(pixel.to_bytes(4, "little") * (width * height))
    pool = shm.create_pool(fd, size)
    os.close(fd)
    fmt = WlShm.format.argb8888 if argb else WlShm.format.xrgb8888
    buffer = pool.create_buffer(0, width, height, width * 4, fmt.value)
    pool.destroy()
    return buffer
