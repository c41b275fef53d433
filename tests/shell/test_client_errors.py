"""A client that goes before its window's first commit (it quits, or dies of a protocol
error), with a decoration asked for: the compositor frees what it held without touching
freed memory (wlroots 0.15's xdg-decoration did: ffi/csrc/xdg_decoration_guard.c). The
oracle is valgrind's memcheck on the compositor: no invalid read or write."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import needs
from tests.harness import CompositorProcess

CLIENT = r"""
import sys
from pywayland.client import Display
from pywayland.protocol.wayland import WlCompositor
from pywayland.protocol.xdg_decoration_unstable_v1 import (
    ZxdgDecorationManagerV1, ZxdgToplevelDecorationV1)
from pywayland.protocol.xdg_shell import XdgWmBase

display = Display(sys.argv[1])
display.connect()
found = {}
registry = display.get_registry()
def bind(registry, name, interface, version):
    kinds = {"wl_compositor": (WlCompositor, 4), "xdg_wm_base": (XdgWmBase, 1),
             "zxdg_decoration_manager_v1": (ZxdgDecorationManagerV1, 1)}
    if interface in kinds:
        found[interface] = registry.bind(name, *kinds[interface])
registry.dispatcher["global"] = bind
display.roundtrip()
surface = found["wl_compositor"].create_surface()
xdg_surface = found["xdg_wm_base"].get_xdg_surface(surface)
toplevel = xdg_surface.get_toplevel()
if sys.argv[2] != "none":
    decoration = found["zxdg_decoration_manager_v1"].get_toplevel_decoration(toplevel)
    mode = ZxdgToplevelDecorationV1.mode
    decoration.set_mode((mode.server_side if sys.argv[2] == "server" else mode.client_side).value)
if sys.argv[3] == "committed":
    surface.commit()
    display.roundtrip()
xdg_surface.ack_configure(987654)  # no such configure: invalid_serial
display.flush()
try:
    display.roundtrip()
except Exception:
    pass
print(display.get_error() if hasattr(display, "get_error") else "done")
display.disconnect()
"""


@needs("valgrind")
def test_clients_gone_before_their_first_commit_touch_no_freed_memory(tmp_path, monkeypatch):
    logs = tmp_path / "memcheck"
    logs.mkdir()
    monkeypatch.setenv("PYDRM_MEMCHECK_DIR", str(logs))
    comp = CompositorProcess(tmp_path / "comp")
    comp.timeout_scale = 15  # valgrind
    comp.start()
    try:
        socket = str(comp.runtime_dir / comp.socket)
        for decoration in ("none", "server", "client"):
            for when in ("at once", "committed"):
                subprocess.run([sys.executable, "-c", CLIENT, socket, decoration, when],
                               timeout=120, check=True, capture_output=True)  # fmt: skip
        assert comp.ctl_ok("views")["views"] == []
    finally:
        comp.stop()
    log = logs / f"memcheck-{comp.pid}.log"  # valgrind runs in the compositor's process
    text = log.read_text()
    assert "ERROR SUMMARY" in text, text[-2000:]  # valgrind ran to the compositor's end
    invalid = [line for line in text.splitlines() if "Invalid " in line]
    assert invalid == [], "\n".join(invalid) + f"\nsee {log}"
