"""VM scenario: linux-dmabuf buffers counted and limited per client, on real dma-bufs
(run inside the guest; GLES2, the only renderer that offers zwp_linux_dmabuf_v1).

Checks (one boot, one compositor with --max-client-dmabuf-bytes 4 MiB):
  dmabuf_counted  3 buffers of 1 MiB (virtio-gpu dumb buffers exported as dma-bufs, shown
                  in a window): `clients` counts 3 buffers, 3 fds and 3 x the dma-buf's size
                  as the kernel says it (lseek), none estimated; all back to 0 once the
                  client is gone
  dmabuf_limit    1 MiB buffers until the limit: the 5th is refused with wl_display.no_memory
                  naming --max-client-dmabuf-bytes, the log names the client; counts back to 0
  shm_fallback_hook a configuration hook client_shm_fallback: a window showing a dma-buf, then
                  a wl_shm buffer on the same surface (gl_dmabuf_client --then-shm) fires it
                  once, from linux-dmabuf to wl_shm, with the client's pid and app_id
  scanout_by_rule the DRM backend (pixman, virtio-gpu, seatd) with a configuration rule
                  client_limits(exe=<this python>, scanout=False): a fullscreen dma-buf window
                  of the output's size (what prime_buffers' direct_scanout puts on the plane)
                  is composited instead, every frame, its colour on the real scanout; the
                  output says why ("by rule"), the client's limits say composited_by_rule
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.clients.wl_drm_client import XRGB8888, WlDrmClient
from tests.harness import CompositorProcess
from tests.helpers import region_is, rgb
from tests.vm.guest import drmio
from tests.vm.guest.gl_env import gl_scenario_env
from tests.vm.guest.vmlib import (
    SEAT_ENV,
    Checks,
    screendump,
    setup_devices,
    start_seatd,
    wait_for,
)

MIB = 1 << 20


def hog(comp: CompositorProcess, *args: str) -> tuple[subprocess.Popen, dict]:
    proc = comp.spawn(
        [sys.executable, "-m", "tests.clients.object_hog", "dmabuf", "--device",
         "/dev/dri/card0", *args],
        stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    line = proc.stdout.readline()
    assert line, proc.stderr.read()
    return proc, json.loads(line)


def release(proc: subprocess.Popen) -> None:
    proc.stdin.write("close\n")
    proc.stdin.flush()
    assert proc.wait(60) == 0


def all_clients(comp: CompositorProcess) -> dict:
    return comp.ctl_ok("limits")["objects"]["all_clients"]


def gone(comp: CompositorProcess) -> bool:
    t = all_clients(comp)
    return (t["dmabuf_buffers"], t["dmabuf_bytes"], t["dmabuf_fds"]) == (0, 0, 0)


def main() -> int:
    checks = Checks()
    env = gl_scenario_env(checks, "dmabuf_counted")
    if env is None:
        return 1
    fallbacks = Path("/tmp/limits-fallback.jsonl")
    config = Path("/tmp/limits-hooks.py")
    config.write_text(
        "import json\n\n\n"
        '@hook("client_shm_fallback")\n'
        "def fallback(event):\n"
        f"    with open({str(fallbacks)!r}, 'a') as f:\n"
        "        f.write(json.dumps(event) + '\\n')\n"
    )
    comp = CompositorProcess(
        Path("/tmp/limits"),
        args=["--renderer", "gles2", "--max-client-dmabuf-bytes", str(4 * MIB),
              "--config", str(config)],
        env=env,
    )  # fmt: skip
    comp.start(timeout=120)
    with checks.check("dmabuf_counted") as info:
        proc, report = hog(comp, "--count", "3", "--mib", "1")
        info["report"] = report
        assert report["error"] is None, report
        (client,) = comp.ctl_ok("clients", pid=proc.pid)["clients"]
        held = client["limits"]
        info["held"] = held
        size = report["dmabuf_size"]
        assert size >= MIB, report
        assert held["dmabuf_buffers"]["used"] == 3, held
        assert held["dmabuf_bytes"]["used"] == 3 * size, held
        assert held["dmabuf_estimated"]["used"] == 0, held
        assert held["dmabuf_fds"]["used"] == 3, held
        release(proc)
        wait_for(lambda: gone(comp), what="dma-buf counts back to 0")
    with checks.check("dmabuf_limit") as info:
        proc, report = hog(comp, "--count", "10", "--mib", "1")
        info["report"] = report
        error = report["error"]
        assert error is not None and error["interface"] == "wl_display", report
        assert error["code"] == 2 and "--max-client-dmabuf-bytes" in error["message"], error
        assert report["made"] == 4, report
        assert f"client pid {proc.pid} disconnected: linux-dmabuf" in comp.log()
        release(proc)
        wait_for(lambda: gone(comp), what="dma-buf counts back to 0")
        info["all_clients"] = all_clients(comp)
    with checks.check("shm_fallback_hook") as info:
        proc = comp.spawn(
            [sys.executable, "-m", "tests.vm.guest.gl_dmabuf_client", "--then-shm",
             "--app-id", "vm.fallback"],
            stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        lines = [proc.stdout.readline().strip(), proc.stdout.readline().strip()]
        info["lines"] = lines
        assert lines[1] == "shm shown", (lines, proc.stderr.read() if proc.poll() else "")
        wait_for(lambda: fallbacks.exists() and fallbacks.read_text().strip(), 30,
                 what="the client_shm_fallback hook")  # fmt: skip
        events = [json.loads(line) for line in fallbacks.read_text().splitlines()]
        info["events"] = events
        assert events == [{"pid": proc.pid, "kind": "wl_shm", "app_id": "vm.fallback",
                           "from": "linux-dmabuf"}], events  # fmt: skip
        proc.terminate()
        proc.wait(30)
    comp.stop()
    with checks.check("scanout_by_rule") as info:
        scanout_by_rule(info)
    return 0


def scanout_by_rule(info: dict) -> None:
    setup_devices((), udev=True)
    start_seatd()
    config = Path("/tmp/limits-config.py")
    exe = Path(sys.executable).resolve().name
    config.write_text(f"client_limits(exe={exe!r}, scanout=False)\n")
    comp = CompositorProcess(
        Path("/tmp/limits-drm"), args=["--renderer", "pixman", "--config", str(config)],
        env=SEAT_ENV, backend="drm",
    )  # fmt: skip
    comp.start(timeout=120)
    card = os.open("/dev/dri/card0", os.O_RDWR | os.O_CLOEXEC)
    client = WlDrmClient(str(comp.runtime_dir / comp.socket))
    try:
        output = comp.ctl_ok("outputs")["outputs"][0]
        width, height = output["width"], output["height"]
        client.authenticate(1)
        client.hide_cursor()  # a software cursor would keep it from the plane anyway
        client.roundtrip()
        dumb = drmio.create_dumb(card, width, height)
        dumb.write(drmio.xrgb_rows(width, height, dumb.pitch, 0x10A0F0))
        dmabuf = dumb.export()
        buffer = client.create_prime_buffer(dmabuf, width, height, XRGB8888, 0, dumb.pitch)
        os.close(dmabuf)
        before = comp.ctl_ok("outputs")["outputs"][0]
        client.show(buffer, width, height, "vm.by-rule", fullscreen=True)
        box = (8, 8, width - 16, height - 16)
        wait_for(lambda: region_is(screendump("by-rule"), box, rgb("10a0f0")), 30,
                 what="the fullscreen window's colour on the scanout")  # fmt: skip
        after = comp.ctl_ok("outputs")["outputs"][0]
        info["frames"] = {
            "committed": after["frames_committed"] - before["frames_committed"],
            "scanned_out": after["frames_scanned_out"] - before["frames_scanned_out"],
        }
        info["scanout_refusal"] = after["scanout_refusal"]
        assert info["frames"]["committed"] >= 1 and info["frames"]["scanned_out"] == 0, info
        assert after["direct_scanout"] is False, after
        assert "by rule" in (after["scanout_refusal"] or ""), after
        mine = [c for c in comp.ctl_ok("clients")["clients"] if c["pid"] == os.getpid()]
        info["limits"] = mine[0]["limits"]
        assert mine[0]["limits"]["composited_by_rule"] is True, mine
    finally:
        client.close()
        os.close(card)
        comp.stop(check=False)


if __name__ == "__main__":
    sys.exit(main())
