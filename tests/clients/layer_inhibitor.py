"""A layer surface (an overlay, 100x100, one colour) with an idle inhibitor on it, as a
presentation tool or a screen-saver blocker might have (layer-shell bindings generated from
tests/protocols/).

Prints ``mapped`` once the surface shows, ``idle-inhibitor`` after creating the inhibitor,
``synced TOKEN``; stdin: ``unmap`` (commit no buffer), ``destroy-layer`` (the layer surface
object goes, the wl_surface and its inhibitor stay), ``uninhibit``, ``sync TOKEN``.
"""

from __future__ import annotations

import mmap
import os
import selectors
import sys

from pywayland.client import Display
from pywayland.protocol.idle_inhibit_unstable_v1 import ZwpIdleInhibitManagerV1
from pywayland.protocol.wayland import WlCompositor, WlShm

from tests.clients.generated import load
from tests.clients.solid_window import exit_on_handler_errors

layer_shell = load("wlr-layer-shell-unstable-v1")
SIZE = 100


def say(*words: object) -> None:
    print(*words, flush=True)


class LayerInhibitor:
    def __init__(self) -> None:
        self.display = Display()
        self.display.connect()
        self.globals: dict[str, object] = {}
        self.callbacks: list = []
        registry = self.display.get_registry()
        registry.dispatcher["global"] = self._on_global
        self.display.roundtrip()
        self.surface = self.globals["wl_compositor"].create_surface()
        shell = self.globals["zwlr_layer_shell_v1"]
        overlay = layer_shell.ZwlrLayerShellV1.layer.overlay.value
        self.layer = shell.get_layer_surface(self.surface, None, overlay, "inhibitor")
        self.layer.set_size(SIZE, SIZE)
        self.layer.dispatcher["configure"] = self._on_configure
        self.layer.dispatcher["closed"] = lambda layer: say("closed")
        self.inhibitor = self.globals["zwp_idle_inhibit_manager_v1"].create_inhibitor(self.surface)
        say("idle-inhibitor")
        self.mapped = False
        self.surface.commit()

    def _on_global(self, registry, name: int, interface: str, version: int) -> None:
        classes = {
            "wl_compositor": (WlCompositor, 4),
            "wl_shm": (WlShm, 1),
            "zwlr_layer_shell_v1": (layer_shell.ZwlrLayerShellV1, 4),
            "zwp_idle_inhibit_manager_v1": (ZwpIdleInhibitManagerV1, 1),
        }
        if interface in classes:
            cls, most = classes[interface]
            self.globals[interface] = registry.bind(name, cls, min(version, most))

    def _on_configure(self, layer, serial: int, width: int, height: int) -> None:
        if self.mapped:
            return  # later configures (a re-arrangement) change nothing here
        layer.ack_configure(serial)
        stride, size = SIZE * 4, SIZE * SIZE * 4
        fd = os.memfd_create("layer-inhibitor", os.MFD_CLOEXEC)
        os.ftruncate(fd, size)
        with mmap.mmap(fd, size) as data:
            data.write(b"\x20\x80\xc0\xff" * (SIZE * SIZE))
        pool = self.globals["wl_shm"].create_pool(fd, size)
        os.close(fd)
        buffer = self.buffer = pool.create_buffer(
            0, SIZE, SIZE, stride, WlShm.format.xrgb8888.value
        )
        pool.destroy()
        self.surface.attach(buffer, 0, 0)
        self.surface.damage(0, 0, SIZE, SIZE)
        self.surface.commit()
        self.mapped = True
        say("mapped")

    def command(self, words: list[str]) -> None:
        if words[0] == "unmap":
            self.surface.attach(None, 0, 0)
            self.surface.commit()
        elif words[0] == "destroy-layer":
            self.layer.destroy()
        elif words[0] == "uninhibit":
            self.inhibitor.destroy()
        elif words[0] == "sync":
            callback = self.display.sync()

            def done(cb, data, token=words[1]) -> None:
                self.callbacks.remove(cb)
                say("synced", token)

            callback.dispatcher["done"] = done
            self.callbacks.append(callback)

    def run(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self.display.get_fd(), selectors.EVENT_READ, "wayland")
        selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
        try:
            while True:
                self.display.dispatch(block=False)
                self.display.flush()
                for key, _ in selector.select():
                    if key.data == "wayland":
                        self.display.dispatch(block=True)
                    elif data := os.read(key.fd, 4096):
                        for line in data.decode().split("\n"):
                            if line.split():
                                self.command(line.split())
                    else:
                        selector.unregister(key.fd)
        except RuntimeError:
            say("disconnected")


if __name__ == "__main__":
    exit_on_handler_errors()
    LayerInhibitor().run()
