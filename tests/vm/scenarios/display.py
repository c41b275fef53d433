"""VM scenario: the DRM backend on virtio-gpu under seatd (run inside the guest).

Checks, in order (one boot for all; results in /mnt/out/results.json):
  no_device       --backend drm before any KMS driver is loaded: exit 1, "no DRM device"
  no_seat         no seatd and no logind: exit 1, a message that names seatd/logind
  busy            another process holds DRM master on card0: exit 1, "is busy"
  no_output       every connector off: "no connected output" in the log, it keeps running,
                  and lights the output up when the connector comes back (hotplug)
  modeset         compositor on seatd: Virtual-1 modeset at 1280x800, it is DRM master
  shm_window      weston-simple-shm and a solid test window appear in the QMP screendump
  vt_away         Ctrl+Alt+F2 (real key press) -> the session goes inactive, VT 2 shown,
                  master dropped
  vt_back         Ctrl+Alt+F1 on the text console -> back on VT 1, the picture restored
  hotplug         a second connector forced on: a new output, laid out right of the first;
                  forced off: it goes, the first keeps running
  sigterm         SIGTERM: exit 0, no DRM master left, VT 1 back in text mode with a
                  working keyboard, the console shown on the scanout
  mode_option     --mode 1024x768 picks the connector's listed mode; the scanout is 1024x768
  seatd_launch_quit_key  under `seatd-launch` (root); Ctrl+Alt+BackSpace quits, exit 0
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.harness import CompositorProcess
from tests.helpers import region_is, rgb
from tests.vm.guest.vmlib import (
    OUT,
    SEAT_ENV,
    Checks,
    active_vt,
    drm_clients,
    is_master,
    screendump,
    send_keys,
    setup_devices,
    start_seatd,
    wait_for,
)

KDGETMODE = 0x4B3B
KDGKBMODE = 0x4B44
K_OFF = 0x04
UUID0 = "00000000-0000-0000-0000-000000000000"
ARGS = ["--renderer", "pixman", "--log-level", "debug", "--no-wl-drm"]


def run_compositor(env: dict[str, str], timeout: float = 60.0) -> subprocess.CompletedProcess:
    """A compositor expected to fail at start: its exit code and log."""
    return subprocess.run(
        [sys.executable, "-m", "compositor", "--backend", "drm", *ARGS, "--no-control"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def expect_failure(info: dict, env: dict[str, str], *needles: str) -> None:
    proc = run_compositor(env)
    info["log_tail"] = proc.stderr[-1500:]
    assert proc.returncode == 1, f"exit code {proc.returncode}, expected 1"
    assert "Traceback" not in proc.stderr, "a traceback instead of a message"
    for needle in needles:
        assert needle in proc.stderr, f"{needle!r} not in the error"


def install_hotplug_rule() -> None:
    """A synthetic uevent carries its keys as SYNTH_ARG_*: this udev rule turns ours into the
    HOTPLUG=1 that a driver sends on a real plug/unplug (what wlroots listens for)."""
    rules = Path("/run/udev/rules.d")
    rules.mkdir(parents=True, exist_ok=True)
    (rules / "99-pydrm-hotplug.rules").write_text(
        'SUBSYSTEM=="drm", ENV{SYNTH_ARG_HOTPLUG}=="1", ENV{HOTPLUG}="1"\n'
    )
    subprocess.run(["udevadm", "control", "--reload"], check=True)


def plug(connector: str, state: str) -> None:
    """Force a virtio-gpu connector on/off (DRM sysfs status), then the hotplug uevent."""
    Path(f"/sys/class/drm/card0-{connector}/status").write_text(state)
    Path("/sys/class/drm/card0/uevent").write_text(f"change {UUID0} HOTPLUG=1")


def scanout_when(name: str, ok, timeout: float = 30.0, what: str = "the scanout"):
    """Screendumps (kept as NAME.png) until ``ok(image)``; returns that image. A frame can
    reach the scanout after the compositor counted it: poll the picture, never sleep."""

    def attempt():
        image = screendump(name)
        return image if ok(image) else None

    return wait_for(attempt, timeout, what)


def shm_colours(image, view: dict) -> int:
    x, y, w, h = view["x"], view["y"], view["width"], view["height"]
    return len(image.crop((x, y, x + w, y + h)).getcolors(1 << 20) or [])


def tty_modes(vt: int) -> tuple[int, int]:
    buf = bytearray(4)
    with open(f"/dev/tty{vt}", "rb", buffering=0) as tty:
        fcntl.ioctl(tty, KDGETMODE, buf)
        mode = int.from_bytes(buf, "little")
        fcntl.ioctl(tty, KDGKBMODE, buf)
        kbmode = int.from_bytes(buf, "little")
    return mode, kbmode


def main() -> int:
    checks = Checks()
    with checks.check("no_device") as info:
        expect_failure(info, SEAT_ENV, "no DRM device", "modprobe")
    setup_devices(("virtio-gpu",))
    with checks.check("no_seat") as info:
        expect_failure(info, {"LIBSEAT_BACKEND": "seatd", "SEATD_SOCK": "/run/none.sock"}, "seatd")
    seatd = start_seatd()
    with checks.check("busy") as info:
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import os,time; os.open('/dev/dri/card0', os.O_RDWR); "
                "print('held', flush=True); time.sleep(600)",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout.readline().strip() == "held"
            assert is_master(holder.pid), f"holder is not master: {drm_clients()}"
            expect_failure(info, SEAT_ENV, "is busy")
        finally:
            holder.kill()
            holder.wait()

    install_hotplug_rule()
    with checks.check("no_output") as info:
        plug("Virtual-1", "off")
        lonely = CompositorProcess(Path("/tmp/lonely"), args=ARGS, env=SEAT_ENV, backend="drm")
        try:
            lonely.start(timeout=90)
            wanted = "no connected output on /dev/dri/card0"
            assert wanted in lonely.log(), "no 'no connected output' error in the log"
            info["error"] = next(ln for ln in lonely.log().splitlines() if wanted in ln)
            assert lonely.ctl_ok("outputs")["outputs"] == []
            plug("Virtual-1", "detect")  # the monitor is plugged in: it lights up
            wait_for(lambda: lonely.ctl_ok("outputs")["outputs"], 60, what="Virtual-1")
        finally:
            plug("Virtual-1", "detect")
            lonely.stop(check=False)
    comp = CompositorProcess(Path("/tmp/comp"), args=ARGS, env=SEAT_ENV, backend="drm")
    window_boxes: list[tuple[tuple[int, int, int, int], tuple[int, int, int] | None]] = []
    with checks.check("modeset") as info:
        comp.start(timeout=90)
        outputs = comp.ctl_ok("outputs")["outputs"]
        info["outputs"] = outputs
        assert [(o["name"], o["width"], o["height"]) for o in outputs] == [
            ("Virtual-1", 1280, 800)
        ], outputs
        assert is_master(comp.pid), f"not DRM master: {drm_clients()}"
        image = screendump("modeset")
        assert image.size == (1280, 800), image.size
    with checks.check("shm_window") as info:
        comp.spawn(["weston-simple-shm"])
        shm = comp.wait_for_view("org.freedesktop.weston.simple-shm", timeout=60)
        comp.spawn(
            [
                sys.executable,
                "-m",
                "tests.clients.solid_window",
                "--color",
                "3366cc",
                "--app-id",
                "vm.solid",
                "--size",
                "160x120",
            ],
            text=True,
        )
        solid = comp.wait_for_view("vm.solid", timeout=60)
        info["views"] = comp.views()
        sx, sy, sw, sh = solid["x"], solid["y"], solid["width"], solid["height"]
        box = (sx + 2, sy + 2, sw - 4, sh - 4)
        # The solid window exactly, and simple-shm's pattern (many colours, not background).
        desktop = scanout_when(
            "windows",
            lambda im: region_is(im, box, rgb("3366cc")) and shm_colours(im, shm) >= 16,
            what=f"the solid window at {box} and simple-shm's pattern on the scanout",
        )
        window_boxes.append((box, rgb("3366cc")))
        info["shm_colours"] = shm_colours(desktop, shm)
    with checks.check("vt_away") as info:
        assert active_vt() == 1, f"compositor not on VT 1 but {active_vt()}"
        send_keys("ctrl", "alt", "f2")
        wait_for(lambda: active_vt() == 2, 20, what="VT 2 to become active")
        wait_for(lambda: not is_master(comp.pid), 20, what="master to be dropped")
        wait_for(lambda: "session inactive" in comp.log(), 20, what="the session to pause")
        # VT 2's console takes the scanout: the solid window is no longer on it.
        scanout_when(
            "vt2",
            lambda im: not region_is(im, box, rgb("3366cc")),
            20,
            what="VT 2's console on the scanout instead of the windows",
        )
    with checks.check("vt_back") as info:
        send_keys("ctrl", "alt", "f1")
        wait_for(lambda: active_vt() == 1, 20, what="VT 1 to become active again")
        wait_for(lambda: is_master(comp.pid), 20, what="master to come back")
        frames = comp.ctl_ok("outputs")["outputs"][0]["frames_committed"]
        wait_for(
            lambda: comp.ctl_ok("outputs")["outputs"][0]["frames_committed"] > frames + 3,
            20,
            what="simple-shm frames to reach the scanout again",
        )
        assert window_boxes, "no window reached the scanout before: nothing to compare"
        scanout_when(
            "vt1-back",
            lambda im: all(region_is(im, b, colour) for b, colour in window_boxes),
            20,
            what=f"the windows at {[b for b, _ in window_boxes]} restored",
        )
        assert comp.alive()
    with checks.check("hotplug") as info:
        plug("Virtual-2", "on")

        def two_outputs():
            outputs = comp.ctl_ok("outputs")["outputs"]
            return outputs if len(outputs) == 2 else None

        outputs = wait_for(two_outputs, 60, what="the hotplugged output")
        info["plugged"] = outputs
        first, second = outputs
        assert second["name"] == "Virtual-2", outputs
        assert (second["x"], second["y"]) == (first["width"], 0), "not laid out to the right"
        plug("Virtual-2", "off")
        wait_for(lambda: len(comp.ctl_ok("outputs")["outputs"]) == 1, 60, what="the output to go")
        plug("Virtual-2", "detect")
        frames = comp.ctl_ok("outputs")["outputs"][0]["frames_committed"]
        wait_for(
            lambda: comp.ctl_ok("outputs")["outputs"][0]["frames_committed"] > frames + 3,
            20,
            what="Virtual-1 to keep showing frames",
        )
        assert comp.alive()
    with checks.check("sigterm") as info:
        code = comp.stop(check=False, sig=signal.SIGTERM, timeout=30)
        info["log_tail"] = comp.log()[-1500:]
        assert code == 0, f"exit code {code}"
        assert "Traceback" not in comp.log()
        clients = drm_clients()
        info["clients"] = clients
        assert not any(c.get("master") == "y" for c in clients), f"a master is left: {clients}"
        assert active_vt() == 1
        mode, kbmode = tty_modes(1)
        info["kd_mode"], info["kb_mode"] = mode, kbmode
        assert mode == 0, f"VT 1 left in graphics mode ({mode})"
        assert kbmode != K_OFF, "VT 1 keyboard left off"
        # The text console draws on the scanout again: type a line of '#' on it.
        with open("/dev/tty1", "w") as tty:
            tty.write("\033[2J\033[H" + "#" * 400 + "\n")

        def lit(image) -> int:
            return sum(1 for p in image.crop((0, 0, 1280, 64)).getdata() if max(p) > 128)

        console = scanout_when(
            "console-after-exit",
            lambda im: lit(im) > 1000,
            20,
            what="the text console's '#' lines on the scanout",
        )
        info["console_lit_pixels"] = lit(console)
    with checks.check("mode_option") as info:
        comp2 = CompositorProcess(
            Path("/tmp/comp2"), args=[*ARGS, "--mode", "1024x768"], env=SEAT_ENV, backend="drm"
        )
        comp2.start(timeout=90)
        try:
            outputs = comp2.ctl_ok("outputs")["outputs"]
            info["outputs"] = outputs
            assert (outputs[0]["width"], outputs[0]["height"]) == (1024, 768), outputs
            image = screendump("mode-1024x768")
            assert image.size == (1024, 768), f"scanout is {image.size}"
            assert "--mode 1024x768" in comp2.log(), "the listed mode was not chosen"
        finally:
            comp2.stop(check=False)
    seatd.terminate()
    seatd.wait()
    with checks.check("seatd_launch_quit_key") as info:
        # The documented root launch (seatd-launch starts its own seatd), quit with the
        # real key chord Ctrl+Alt+BackSpace on the virtio keyboard.
        log_path = OUT / "seatd-launch.log"
        with open(log_path, "wb") as log:
            launched = subprocess.Popen(
                [
                    "seatd-launch",
                    "--",
                    sys.executable,
                    "-m",
                    "compositor",
                    "--backend",
                    "drm",
                    *ARGS,
                    "--no-control",
                    "--socket",
                    "wayland-vm",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONFAULTHANDLER": "1"},
            )
            try:
                wait_for(lambda: "(keyboard)" in log_path.read_text(), 90, what="a keyboard")
                send_keys("ctrl", "alt", "backspace")
                code = launched.wait(timeout=30)
            finally:
                if launched.poll() is None:
                    launched.kill()
        text = log_path.read_text()
        info["log_tail"] = text[-1200:]
        assert "key binding: quit" in text, "Ctrl+Alt+BackSpace did not reach the binding"
        assert code == 0 and "Traceback" not in text, f"exit code {code}"
        assert not any(c.get("master") == "y" for c in drm_clients()), drm_clients()
    (OUT / "compositor.log").write_text(comp.log() if comp.log_path.exists() else "")
    return 0 if all(r["ok"] for r in checks.results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
