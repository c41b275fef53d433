"""VM scenario: formats and modifiers refused to clients by rule on linux-dmabuf
(compositor/format_rules.py), with real programs (run inside the guest; GLES2 on Mesa's
llvmpipe, the only renderer here that offers zwp_linux_dmabuf_v1).

One configuration (a headless GLES2 compositor, then a DRM one for weston-simple-egl):
  client_limits(exe='wayland-info', refuse_formats=['XR24'], refuse_modifiers=['LINEAR'])
  client_limits(exe='weston-simple-egl', refuse_formats=['AR24'])
  client_limits(exe='weston-simple-dmabuf-egl', refuse_formats=['XR24'])
  client_limits(exe=<this python>, uid=0, refuse_formats=['XR24'])
  client_limits(exe='pydrm-none-info', refuse_modifiers=['INVALID', 'LINEAR'])
Each program is also run as a copy under another name, which no rule matches.

Checks:
  wayland_info     wayland-info (v4: the feedback's format table), restricted and free: each
                   sees one zwp_linux_dmabuf_v1, the same main device; the restricted table is
                   exactly the free one less every XR24 pair and every LINEAR modifier
  nothing_left     wayland-info under a name refused INVALID and LINEAR (every modifier
                   offered here) sees no zwp_linux_dmabuf_v1 at all (wl_drm still there)
  v3_events        a v3 client (this python: XR24 refused) gets format/modifier events with
                   no XR24 and every other format of the free table
  refused_buffer   a client ignoring the list (tests/vm/guest/gl_dmabuf_client: an XR24
                   dma-buf) gets params.failed and says so; the compositor lives on, logs
                   the refusal "by rule", the filter counts it
  dmabuf_egl       weston-simple-dmabuf-egl (GBM + EGL on card0): free, XR24 on screen; with
                   XR24 refused it says the format is not available; told AR24, it shows
                   its frames on linux-dmabuf, `clients` saying "by rule"
  late_global      a client of no rule, connected before any rule's global was made, was
                   announced one zwp_linux_dmabuf_v1 (the compositor's), none removed
  teardown         every client gone: no client record left, one filter global per distinct
                   set of refusals (shared by the clients with the same set), alive
  option           --refuse-format AR24 --refuse-modifier LINEAR, no rule: the one global
                   every client sees has the table less those; the compositor exits cleanly
  egl_fallback     weston-simple-egl (Mesa's EGL picks the format) on the DRM backend: free
                   in AR24; with AR24 refused, another format, its triangle still on screen
"""

from __future__ import annotations

import colorsys
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from pywayland.client import Display
from pywayland.protocol.linux_dmabuf_unstable_v1 import ZwpLinuxDmabufV1

from tests.harness import CompositorProcess
from tests.helpers import pixels
from tests.vm.guest.gl_env import gl_scenario_env
from tests.vm.guest.vmlib import (
    PYTHON_AS_NOBODY,
    SEAT_ENV,
    Checks,
    screendump,
    setup_devices,
    share_with_nobody,
    start_seatd,
    wait_for,
)

XR24, AR24 = 0x34325258, 0x34325241
LINEAR = 0
PAIR = re.compile(r"0x([0-9a-f]{8}) = '.{4}'; 0x([0-9a-f]{16})")
EGL_APP = "org.freedesktop.weston.simple-egl"
PROGRAMS = ("wayland-info", "weston-simple-egl", "weston-simple-dmabuf-egl")


def dmabuf_table(text: str) -> tuple[int, str | None, set[tuple[int, int]]]:
    """From wayland-info's output: how many zwp_linux_dmabuf_v1 globals, the main device, and
    the (format, modifier) pairs it printed."""
    count = text.count("'zwp_linux_dmabuf_v1',")
    device = re.search(r"main device: (0x[0-9A-F]+)", text)
    pairs = {(int(f, 16), int(m, 16)) for f, m in PAIR.findall(text)}
    return count, device.group(1) if device else None, pairs


def v3_formats(socket: str) -> set[tuple[int, int]]:
    display = Display(socket)
    display.connect()
    try:
        got: set[tuple[int, int]] = set()
        found: list[object] = []

        def on_global(registry, name: int, interface: str, version: int) -> None:
            if interface == "zwp_linux_dmabuf_v1":
                dmabuf = registry.bind(name, ZwpLinuxDmabufV1, 3)
                dmabuf.dispatcher["modifier"] = lambda _, fmt, hi, lo: got.add((fmt, hi << 32 | lo))
                found.append(dmabuf)

        registry = display.get_registry()
        registry.dispatcher["global"] = on_global
        display.roundtrip()
        display.roundtrip()
        assert len(found) == 1, f"{len(found)} zwp_linux_dmabuf_v1 globals"
        return got
    finally:
        display.disconnect()


def hues(image) -> set[int]:
    out = set()
    for r, g, b in pixels(image):
        h, s, v = colorsys.rgb_to_hsv(r / 255, g / 255, b / 255)
        if s > 0.4 and v > 0.3:
            out.add(int(h * 12))
    return out


def client_of(comp: CompositorProcess, pid: int) -> dict | None:
    found = comp.ctl_ok("clients", pid=pid)["clients"]
    return found[0] if found else None


def run_until(
    argv: list[str],
    env: dict[str, str],
    words: str,
    timeout: float = 120,
    done: Callable[[subprocess.Popen], bool] | None = None,
) -> str:
    """Runs a client until its output has ``words``, it exits, or ``done(proc)``; its
    output."""
    path = Path(f"/mnt/out/{Path(argv[0]).name}-{len(argv)}-{words.replace(' ', '-')}.log")
    with path.open("wb") as log:
        proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(
                lambda: words in path.read_text(errors="replace")
                or proc.poll() is not None
                or (done is not None and done(proc)),
                timeout, what=f"{argv[0]} to say {words!r} or exit",
            )  # fmt: skip
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(30)
    return path.read_text(errors="replace")[-1500:]


def egl_window(comp: CompositorProcess, name: str, argv: list[str], env: dict) -> dict:
    """Runs weston-simple-egl until its triangle is on the real scanout and its wl_drm
    buffers are listed; stops it. Their format and what `clients` says was refused."""
    log = open(f"/mnt/out/{name}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    comp.clients.append(proc)
    try:
        view = comp.wait_for_view(EGL_APP, timeout=180)
        box = (view["x"], view["y"], view["width"], view["height"])
        crop = (box[0], box[1], box[0] + box[2], box[1] + box[3])
        wait_for(
            lambda: len(hues(screendump(name).crop(crop))) >= 3, 120,
            what=f"{name}'s triangle on the scanout",
        )  # fmt: skip

        def formats() -> set[str]:
            table = comp.ctl_ok("buffers")["clients"]
            return {b["fourcc"] for c in table if c["pid"] == proc.pid for b in c["buffers"]}

        used = wait_for(formats, 60, what=f"{name}'s wl_drm buffers")
        assert proc.poll() is None, f"{name} exited"
        client = client_of(comp, proc.pid) or {}
        return {
            "formats": sorted(used),
            "formats_refused": (client.get("limits") or {}).get("formats_refused"),
            "diagnosis": client.get("diagnosis"),
        }
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(30)
        log.close()
        wait_for(lambda: not [v for v in comp.views() if v.get("app_id") == EGL_APP], 60,
                 what=f"{name}'s window gone")  # fmt: skip


def main() -> int:
    checks = Checks()
    env = gl_scenario_env(checks, "wayland_info")
    if env is None:
        return 1
    python = Path(sys.executable).resolve().name
    config = Path("/tmp/format-rules-config.py")
    config.write_text(
        "client_limits(exe='wayland-info', refuse_formats=['XR24'], refuse_modifiers=['LINEAR'])\n"
        "client_limits(exe='weston-simple-egl', refuse_formats=['AR24'])\n"
        "client_limits(exe='weston-simple-dmabuf-egl', refuse_formats=['XR24'])\n"
        f"client_limits(exe={python!r}, uid=0, refuse_formats=['XR24'])\n"
        "client_limits(exe='pydrm-none-info', refuse_modifiers=['INVALID', 'LINEAR'])\n"
    )
    # The same programs under names no rule matches (/proc/PID/exe names the copy).
    free = {name: Path(f"/tmp/pydrm-free-{name}") for name in PROGRAMS}
    for name, path in free.items():
        shutil.copy(shutil.which(name) or name, path)
    none_info = Path("/tmp/pydrm-none-info")  # every modifier offered here refused
    shutil.copy(shutil.which("wayland-info") or "wayland-info", none_info)
    comp = CompositorProcess(
        Path("/tmp/format-rules"),
        args=["--renderer", "gles2", "--config", str(config)],
        env=env,
        width=800,
        height=600,
    )
    comp.start(timeout=120)
    # A client of no rule (python as nobody) connected before any rule's global is made.
    watcher = subprocess.Popen(
        [*PYTHON_AS_NOBODY, "tests.vm.guest.registry_watch", str(comp.runtime_dir / comp.socket)],
        env=share_with_nobody(comp), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    comp.clients.append(watcher)
    ready = watcher.stdout.readline().strip()
    table: set[tuple[int, int]] = set()
    with checks.check("wayland_info") as info:
        run_free = comp.run_client([str(free["wayland-info"])], timeout=120)
        run_rule = comp.run_client(["wayland-info"], timeout=120)
        assert run_free.returncode == 0 and run_rule.returncode == 0, (run_free, run_rule)
        n_free, dev_free, table = dmabuf_table(run_free.stdout)
        n_rule, dev_rule, restricted = dmabuf_table(run_rule.stdout)
        info["free"] = {"globals": n_free, "device": dev_free, "pairs": len(table)}
        info["restricted"] = {"globals": n_rule, "device": dev_rule, "pairs": len(restricted)}
        info["formats_free"] = sorted({f"{f:08x}" for f, _ in table})
        info["modifiers_free"] = sorted({f"{m:016x}" for _, m in table})
        (Path("/mnt/out") / "wayland-info-free.txt").write_text(run_free.stdout)
        (Path("/mnt/out") / "wayland-info-rule.txt").write_text(run_rule.stdout)
        assert (n_free, n_rule) == (1, 1), info
        assert dev_free is not None and dev_rule == dev_free, info
        assert (XR24, LINEAR) in table, info
        expected = {(f, m) for f, m in table if f != XR24 and m != LINEAR}
        assert expected and restricted == expected, (
            sorted(restricted - expected),
            sorted(expected - restricted),
        )
    with checks.check("nothing_left") as info:
        run_none = comp.run_client([str(none_info)], timeout=120)
        assert run_none.returncode == 0, run_none
        info["globals"], _, pairs = dmabuf_table(run_none.stdout)
        assert info["globals"] == 0 and not pairs, info
        assert "'wl_drm'," in run_none.stdout, "wl_drm: no formats, but still its global"
    with checks.check("v3_events") as info:
        events = v3_formats(str(comp.runtime_dir / comp.socket))
        info["formats"] = sorted({f"{f:08x}" for f, _ in events})
        assert events and all(f != XR24 for f, _ in events), info
        # wlroots sends a format whose only modifiers are INVALID and LINEAR as INVALID
        # alone (for Xwayland): compare formats, not pairs.
        assert {f for f, _ in events} == {f for f, _ in table if f != XR24}, info
    with checks.check("refused_buffer") as info:
        proc = comp.spawn(
            [sys.executable, "-m", "tests.vm.guest.gl_dmabuf_client", "--app-id", "fr.ignores"],
            text=True,
        )
        out, _ = proc.communicate(timeout=120)
        info["client_output"] = out[-500:]
        assert proc.returncode != 0, out
        assert "the compositor refused the dma-buf" in out, out
        assert comp.alive(), "the compositor died on a refused format"
        log = comp.log()
        info["log"] = [line for line in log.splitlines() if "refused by rule" in line][-3:]
        assert "modifier 0x0000000000000000 refused by rule (its format is refused" in log
        filters = comp.ctl_ok("limits")["objects"]["formats_refused"]["linux_dmabuf_filters"]
        info["filters"] = filters
        mine = [f for f in filters if f["formats"] == ["XR24"] and f["modifiers"] == []]
        assert len(mine) == 1 and mine[0]["buffers_refused"] == 1, filters
    egl_env = {**comp.client_env(), "MESA_LOADER_DRIVER_OVERRIDE": "kms_swrast"}
    with checks.check("dmabuf_egl") as info:
        # weston-simple-dmabuf-egl (GBM + EGL on card0: kms_swrast's dumb buffers) picks its
        # format (XRGB8888) and modifier from linux-dmabuf v4's table, and gives up when the
        # format is not in it. Free, it gets as far as creating buffers: weston 10's sets
        # Y_INVERT, which wlroots 0.15 refuses ("dmabuf flags aren't supported": no window);
        # weston 14's (Debian 13) does not, and its window maps.
        argv = ["-d", "/dev/dri/card0"]
        egl_env = {**comp.client_env(), "MESA_LOADER_DRIVER_OVERRIDE": "kms_swrast"}
        shown: dict[str, dict] = {}

        def mapped(proc: subprocess.Popen) -> bool:
            for view in comp.views():
                if view["pid"] == proc.pid:
                    shown["view"] = view
            return bool(shown)

        info["free"] = run_until(
            [str(free["weston-simple-dmabuf-egl"]), *argv], egl_env, "create failed", done=mapped
        )
        info["free_view"] = shown.get("view")
        info["rule"] = run_until(["weston-simple-dmabuf-egl", *argv], egl_env, "not available")
        assert "is not available" not in info["free"], info
        assert "zwp_linux_buffer_params.create failed" in info["free"] or shown, info
        assert "format 0x34325258 is not available" in info["rule"], info
    with checks.check("late_global") as info:
        assert ready == "ready", ready
        watcher.stdin.write("report\n")
        watcher.stdin.flush()
        report = json.loads(watcher.stdout.readline())
        info["report"] = report
        assert report["announced"].get("zwp_linux_dmabuf_v1") == 1, report
        assert report["removed"] == 0, report
        watcher.stdin.close()
        assert watcher.wait(30) == 0
    with checks.check("teardown") as info:
        for proc in comp.clients:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(30)

        def settled() -> dict | None:
            described = comp.ctl_ok("limits")["objects"]["formats_refused"]
            return described if described["clients_by_rule"] == 0 else None

        described = wait_for(settled, 60, what="no client record left")
        info["formats_refused"] = described
        # One filter per distinct set, shared: XR24+LINEAR (wayland-info), XR24 (python,
        # weston-simple-dmabuf-egl); none made where nothing was left (INVALID+LINEAR).
        made = described["linux_dmabuf_filters"]
        assert described["live_filters"] == 2 and len(made) == 3, info
        assert [f["offered_pairs"] for f in made if f["modifiers"] == ["INVALID", "LINEAR"]] == [
            0
        ], info
        assert comp.alive()
    comp.stop()
    (Path("/mnt/out") / "compositor.log").write_text(comp.log())
    with checks.check("option") as info:
        by_option(info, env, free["wayland-info"], table)
    with checks.check("egl_fallback") as info:
        egl_fallback(info, config, free["weston-simple-egl"])
    return 0 if all(r["ok"] for r in checks.results.values()) else 1


def by_option(info: dict, env: dict[str, str], info_path: Path, table: set) -> None:
    """--refuse-format AR24 --refuse-modifier LINEAR: the compositor's own global is a
    filter's; every client sees it; the compositor exits cleanly with it."""
    comp = CompositorProcess(
        Path("/tmp/format-rules-option"),
        args=["--renderer", "gles2", "--refuse-format", "AR24", "--refuse-modifier", "LINEAR"],
        env=env,
    )  # fmt: skip
    comp.start(timeout=120)
    try:
        run = comp.run_client([str(info_path)], timeout=120)
        assert run.returncode == 0, run
        count, _, pairs = dmabuf_table(run.stdout)
        info["globals"], info["pairs"] = count, len(pairs)
        assert count == 1, info
        assert pairs == {(f, m) for f, m in table if f != AR24 and m != LINEAR}, info
        assert "zwp_linux_dmabuf_v1 for all clients (options)" in comp.log()
    finally:
        info["exit"] = comp.stop(check=False)
    assert info["exit"] == 0 and "Traceback" not in comp.log(), comp.log()[-2000:]


def egl_fallback(info: dict, config: Path, free_egl: Path) -> None:
    """weston-simple-egl on Debian's Mesa (kms_swrast on card0: what works in this guest;
    a linux-dmabuf client's Mesa takes the render node, where dumb buffers are refused)
    through wl_drm: the DRM backend, pixman, ``--wl-drm-device primary``. Mesa's EGL offers
    the visuals of wl_drm's format events. Free, it draws in AR24; with AR24 refused it takes
    another format and its triangle is still on the real scanout."""
    setup_devices((), udev=True)
    seatd = start_seatd()
    comp = CompositorProcess(
        Path("/tmp/format-rules-drm"),
        args=["--renderer", "pixman", "--wl-drm-device", "primary", "--config", str(config)],
        env=SEAT_ENV, backend="drm",
    )  # fmt: skip
    try:
        comp.start(timeout=120)
        env = {**comp.client_env(), "MESA_LOADER_DRIVER_OVERRIDE": "kms_swrast"}
        info["free"] = egl_window(comp, "simple-egl-free", [str(free_egl)], env)
        info["rule"] = egl_window(comp, "simple-egl-rule", ["weston-simple-egl"], env)
        assert info["free"]["formats"] == ["AR24"], info
        assert info["free"]["formats_refused"] is None, info
        assert info["rule"]["formats"] and "AR24" not in info["rule"]["formats"], info
        assert info["rule"]["formats_refused"] == {
            "by": "rule", "formats": ["AR24"], "modifiers": [], "linux_dmabuf": "not offered",
        }, info  # fmt: skip
    finally:
        comp.stop(check=False)
        (Path("/mnt/out") / "compositor-drm.log").write_text(comp.log())
        seatd.terminate()


if __name__ == "__main__":
    sys.exit(main())
