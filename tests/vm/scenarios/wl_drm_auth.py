"""VM scenario: real wl_drm authentication on a primary node (run inside the guest).

The compositor runs on the DRM backend (virtio-gpu, seatd) with ``--wl-drm-device primary
--no-linux-dmabuf``, so Mesa's EGL clients must use wl_drm and authenticate. Checks:
  global          wl_drm advertises /dev/dri/card0 with the PRIME capability
  magic_authorized an unprivileged client's magic is really authorized: GEM_FLINK is
                  refused (EACCES) before wl_drm.authenticate and works after, and the
                  kernel's debugfs clients table shows a=y for it
  wrong_magic     a magic no client holds gets the authenticate_fail protocol error
  simple_egl      Mesa's weston-simple-egl (kms_swrast), unprivileged, authenticates
                  (a=y), submits create_prime_buffer frames that reach the real scanout
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.clients.wl_drm_client import WlDrmClient
from tests.harness import CompositorProcess
from tests.vm.guest.vmlib import (
    AS_NOBODY,
    PYTHON_AS_NOBODY,
    SEAT_ENV,
    Checks,
    drm_clients,
    screendump,
    setup_devices,
    share_with_nobody,
    start_seatd,
    wait_for,
)

ARGS = [
    "--renderer",
    "pixman",
    "--wl-drm-device",
    "primary",
    "--no-linux-dmabuf",
    "--log-level",
    "debug",
]
PRIME_CAP = 1
AUTHENTICATE_FAIL = 0


def client_row(pid: int) -> dict[str, str] | None:
    return next((c for c in drm_clients() if c.get("pid") == str(pid)), None)


def coloured(image, box: tuple[int, int, int, int]) -> int:
    x, y, w, h = box
    return sum(1 for p in image.crop((x, y, x + w, y + h)).getdata() if max(p) - min(p) > 60)


def main() -> int:
    checks = Checks()
    setup_devices(("virtio-gpu",))
    seatd = start_seatd()
    comp = CompositorProcess(Path("/tmp/comp"), args=ARGS, env=SEAT_ENV, backend="drm")
    comp.start(timeout=90)
    nobody_env = share_with_nobody(comp)
    socket_path = str(comp.runtime_dir / comp.socket)

    with checks.check("global") as info:
        client = WlDrmClient(socket_path)
        try:
            info["device"] = client.events.device
            info["capabilities"] = client.events.capabilities
            assert client.events.device == "/dev/dri/card0", client.events.device
            assert (client.events.capabilities or 0) & PRIME_CAP, "no PRIME capability"
        finally:
            client.close()

    with checks.check("magic_authorized") as info:
        proc = subprocess.Popen(
            # Imported as root, then dropped to nobody (the checkout may be closed to it).
            [*PYTHON_AS_NOBODY, "tests.vm.guest.auth_client", socket_path, "/dev/dri/card0"],
            env=nobody_env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            line = proc.stdout.readline()
            assert line, f"auth client failed: {proc.stderr.read() if proc.poll() else ''}"
            report = json.loads(line)
            info["report"] = report
            row = client_row(proc.pid)
            info["clients_row"] = row
            assert report["uid"] == 65534
            assert report["flink_before"] == "EACCES", "flink worked before authentication"
            assert report["authenticated"] == 1, "no wl_drm.authenticated event"
            assert report["flink_after"].startswith("name"), report["flink_after"]
            assert row is not None and row.get("a") == "y", f"debugfs: {row}"
        finally:
            proc.stdin.close()
            proc.wait(timeout=30)
        info["compositor_log"] = [ln for ln in comp.log().splitlines() if "auth" in ln][-5:]

    with checks.check("wrong_magic") as info:
        client = WlDrmClient(socket_path)
        try:
            client.authenticate(0x7FFF1234)
            error = client.expect_error()
            info["error"] = str(error)
            assert error.interface == "wl_drm" and error.code == AUTHENTICATE_FAIL, error
            assert client.events.authenticated == 0
        finally:
            client.close()
        assert comp.alive(), "the compositor died on a wrong magic"

    with checks.check("simple_egl") as info:
        egl_env = {**nobody_env, "MESA_LOADER_DRIVER_OVERRIDE": "kms_swrast"}
        log = open("/mnt/out/simple-egl.log", "wb")
        egl = subprocess.Popen(
            [*AS_NOBODY, "weston-simple-egl"], env=egl_env, stdout=log, stderr=subprocess.STDOUT
        )
        comp.clients.append(egl)
        view = comp.wait_for_view("org.freedesktop.weston.simple-egl", timeout=120)
        info["view"] = view
        row = wait_for(lambda: client_row(egl.pid), 30, what="simple-egl in debugfs clients")
        info["clients_row"] = row
        assert row.get("a") == "y", f"simple-egl not authenticated in the kernel: {row}"
        assert row.get("uid") == "65534", row

        def prime_buffers() -> list:
            table = comp.ctl_ok("buffers")
            mine = [c for c in table["clients"] if c.get("pid") == egl.pid]
            return [b for c in mine for b in c.get("buffers", [])]

        buffers = wait_for(prime_buffers, 60, what="simple-egl's wl_drm buffers")
        info["buffers"] = buffers[:3]
        assert all(b.get("source") == "prime" for b in buffers), buffers
        box = (view["x"], view["y"], view["width"], view["height"])
        crop = (box[0], box[1], box[0] + box[2], box[1] + box[3])
        first = wait_for(
            lambda: (im := screendump("simple-egl-1")) and coloured(im, box) > 500 and im,
            30,
            what="simple-egl's triangle on the scanout",
        )
        info["coloured_pixels"] = coloured(first, box)
        # It rotates: a later picture of the window differs (polled, not slept for).
        wait_for(
            lambda: screendump("simple-egl-2").crop(crop).tobytes() != first.crop(crop).tobytes(),
            30,
            what="simple-egl's next frames on the scanout",
        )
        assert egl.poll() is None, "simple-egl exited"

    comp.stop(check=False)
    (Path("/mnt/out") / "compositor.log").write_text(comp.log())
    seatd.terminate()
    return 0 if all(r["ok"] for r in checks.results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
