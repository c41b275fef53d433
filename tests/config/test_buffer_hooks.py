"""The configuration's buffer hooks (issue 20, "buffer events per client ... for graphics
work"): ``client_first_buffer`` when a client shows its first buffer of a kind,
``client_shm_fallback`` when a surface that showed dma-bufs shows shared memory. The hook
writes what it got to a file; the kinds are the ones the clients were made to use."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

from tests.clients.wl_drm_client import XRGB8888, WlDrmClient, memfd_buffer
from tests.conftest import WL_DRM_TEST_ARGS, needs
from tests.harness import wait_for


def start(make_compositor, tmp_path: Path, text: str, args: list[str]):
    config = tmp_path / "config.py"
    config.write_text(textwrap.dedent(text).lstrip())
    return make_compositor(args=["--config", str(config), *args]), config


def events(path: Path) -> list[dict]:
    text = path.read_text() if path.exists() else ""
    return [json.loads(line) for line in text.splitlines()]


@needs("weston-simple-shm")
def test_first_buffer_of_each_kind_per_client(make_compositor, tmp_path):
    out = tmp_path / "buffers.jsonl"
    comp, _ = start(
        make_compositor,
        tmp_path,
        f"""
        import json

        @hook("client_first_buffer")
        def first(event):
            with open({str(out)!r}, "a") as f:
                f.write(json.dumps(dict(event, hook="first")) + "\\n")

        @hook("client_shm_fallback")
        def fallback(event):
            with open({str(out)!r}, "a") as f:
                f.write(json.dumps(dict(event, hook="fallback")) + "\\n")
        """,
        args=WL_DRM_TEST_ARGS,
    )
    shm = comp.spawn(["weston-simple-shm"])
    wait_for(lambda: any(e["pid"] == shm.pid for e in events(out)), 30, what="wl_shm's hook")
    client = WlDrmClient(str(comp.runtime_dir / comp.socket))
    try:
        client.authenticate(1)
        stride = 64 * 4
        fd = memfd_buffer(64, 48, stride, 0x3366CC)
        first = client.create_prime_buffer(fd, 64, 48, XRGB8888, 0, stride)
        surface = client.show(first, 64, 48, "test.hook-drm")
        os.close(fd)
        # A second buffer of the same kind: no second event for the client.
        fd = memfd_buffer(64, 48, stride, 0xCC6633)
        second = client.create_prime_buffer(fd, 64, 48, XRGB8888, 0, stride)
        os.close(fd)
        client.attach(surface, second, 64, 48)
        client.roundtrip()
        wait_for(
            lambda: any(e["pid"] == os.getpid() for e in events(out)), 30, what="wl_drm's hook"
        )
        # A third client connected after both: its events come after theirs, so by then any
        # second event of the wl_drm client (the same kind again) would be in the file.
        shm2 = comp.spawn(["weston-simple-shm"])
        wait_for(lambda: any(e["pid"] == shm2.pid for e in events(out)), 30, what="the last")
    finally:
        client.close()
    got = [e for e in events(out) if e["pid"] in (shm.pid, os.getpid())]
    assert got == [
        {"pid": shm.pid, "kind": "wl_shm", "app_id": "org.freedesktop.weston.simple-shm",
         "hook": "first"},
        {"pid": os.getpid(), "kind": "wl_drm PRIME memfd", "app_id": "test.hook-drm",
         "hook": "first"},
    ], got  # fmt: skip
    hooks = comp.ctl_ok("config")["hooks"]
    assert hooks["client_first_buffer"][0]["calls"] == 3
    assert hooks["client_shm_fallback"][0]["calls"] == 0
