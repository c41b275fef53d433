"""Benchmark helpers: start a compositor headless at a size, measure processes, count frames.

One function per compositor, each starting it on a private XDG_RUNTIME_DIR and a named
Wayland socket at WIDTHxHEIGHT with the CPU (pixman) renderer, waiting until it answers a
``wl_display.sync`` and returning a :class:`Compositor` handle with ``client_env()``,
``cpu_seconds()`` and ``stop()``::

    comp = start_ours(workdir, "bench-0", 1920, 1080)
    try:
        subprocess.Popen(["weston-simple-shm"], env=comp.client_env())
    finally:
        comp.stop()

``frame_counter.py`` builds and reads the client-side frame counter.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS_DIR = BENCH / "results"  # ignored too
CLK_TCK = os.sysconf("SC_CLK_TCK")
NOBODY = 65534


class CompositorUnavailable(RuntimeError):
    """The compositor is not installed or cannot run here; the message says why."""


class CompositorFailed(RuntimeError):
    """The compositor exited or never became ready; the message has its log's tail."""


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.05)


def wayland_roundtrip(path: Path, timeout: float = 2.0) -> bool:
    """Connect to a Wayland socket and complete one wl_display.sync; True if it answered."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(str(path))
            # wl_display@1.sync(new id 2): object id, (size << 16) | opcode, new_id.
            sock.sendall(struct.pack("<III", 1, (12 << 16) | 0, 2))
            return len(sock.recv(64)) >= 8
    except OSError:
        return False


def process_cpu_seconds(pid: int) -> float:
    """CPU time of a process (all its threads), in seconds; 0.0 once it is gone.

    The sum of each thread's on-CPU time in ``/proc/PID/task/*/schedstat`` (nanoseconds): at
    1-2 % of a core over a few seconds, utime+stime of ``/proc/PID/stat`` count in 10 ms ticks
    and could not tell 0.25 from 0.29 ms per frame. Threads that already exited are not in
    it; utime+stime are the fallback where schedstat is missing (no CONFIG_SCHEDSTATS)."""
    try:
        total_ns = 0
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                total_ns += int((task / "schedstat").read_text().split()[0])
            except (OSError, IndexError, ValueError):
                continue  # the thread ended meanwhile
        if total_ns > 0:
            return total_ns / 1e9
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # fields 14 and 15 of stat(5)


def process_memory_kib(pid: int) -> dict[str, int]:
    """Resident memory of a process in KiB: ``rss`` (VmRSS of /proc/PID/status, what ps and
    top show: its private pages plus every shared page it maps, libraries included) and
    ``pss`` (smaps_rollup: shared pages divided among the processes that map them); {} once
    it is gone."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out["rss"] = int(line.split()[1])
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                out["pss"] = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return out


def child_pids(pid: int) -> list[int]:
    """Direct children of ``pid`` (weston's desktop-shell helper, for example)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        if int(text[text.rindex(")") + 2 :].split()[1]) == pid:
            children.append(int(entry.name))
    return children


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


@dataclass
class Compositor:
    """A running compositor: where its clients connect, its process, and how to stop it."""

    name: str
    proc: subprocess.Popen
    runtime_dir: Path
    socket: str
    width: int
    height: int
    log_path: Path
    info: dict[str, Any] = field(default_factory=dict)
    _log_file: Any = None
    _cleanup: list[Callable[[], None]] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def client_env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_SOCKET", "DISPLAY")}
        env.update(XDG_RUNTIME_DIR=str(self.runtime_dir), WAYLAND_DISPLAY=self.socket)
        env.update(extra)
        return env

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.pid)

    def helper_cpu_seconds(self) -> float:
        """CPU of the compositor's child processes (weston-desktop-shell, swaybg, ...)."""
        return sum(process_cpu_seconds(pid) for pid in child_pids(self.pid))

    def memory_kib(self) -> dict[str, int]:
        """The compositor process's ``rss`` and ``pss`` in KiB (:func:`process_memory_kib`)."""
        return process_memory_kib(self.pid)

    def helper_memory_kib(self) -> dict[str, int]:
        """``rss`` and ``pss`` summed over the compositor's child processes."""
        total: dict[str, int] = {}
        for pid in child_pids(self.pid):
            for key, value in process_memory_kib(pid).items():
                total[key] = total.get(key, 0) + value
        return total

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then SIGKILL after ``timeout``; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        for cleanup in self._cleanup:
            cleanup()
        self._cleanup = []
        return self.proc.returncode

    def __enter__(self) -> Compositor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _private_runtime_dir(workdir: Path, name: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=workdir))
    path.chmod(0o700)
    return path


def _launch(
    name: str,
    argv: list[str],
    env: dict[str, str],
    workdir: Path,
    runtime_dir: Path,
    socket: str,
    size: tuple[int, int],
    cwd: Path | None = None,
) -> Compositor:
    log_path = workdir / f"{name}-{socket}.log"
    log_file = open(log_path, "wb")
    proc = subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
    )
    return Compositor(name, proc, runtime_dir, socket, *size, log_path, {}, log_file)


def _wait_ready(comp: Compositor, timeout: float, extra: Callable[[], bool] | None = None) -> None:
    def ready() -> bool:
        if not comp.alive():
            raise CompositorFailed(
                f"{comp.name} exited with {comp.proc.returncode} during start; log "
                f"{comp.log_path}:\n{comp.log_tail()}"
            )
        if not wayland_roundtrip(comp.runtime_dir / comp.socket):
            return False
        return extra() if extra is not None else True

    try:
        wait_for(ready, timeout, f"{comp.name} on {comp.runtime_dir / comp.socket}")
    except (TimeoutError, CompositorFailed):
        comp.stop()
        raise


def _clean_env(runtime_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("WAYLAND_DISPLAY", "WAYLAND_SOCKET", "DISPLAY") and not k.startswith("WLR_")
    }
    env["XDG_RUNTIME_DIR"] = str(runtime_dir)
    return env


def start_ours(
    workdir: Path,
    socket_name: str,
    width: int,
    height: int,
    timeout: float = 30.0,
    renderer: str = "pixman",
    env_extra: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
    root: Path = ROOT,
) -> Compositor:
    """pydrm-compositor, headless, pixman renderer (or ``renderer``: bench_gl.py runs gles2
    in the VM, with the GL stack's variables in ``env_extra``), from the checkout ``root``
    (another one, with its own built module, to compare commits); ready when its control
    socket answers."""
    runtime_dir = _private_runtime_dir(workdir, "ours")
    argv = [sys.executable, "-m", "compositor", "--backend", "headless", "--renderer", renderer]
    argv += ["--socket", socket_name, "--width", str(width), "--height", str(height), *args]
    env = _clean_env(runtime_dir)
    env.update(env_extra or {})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    size = (width, height)
    comp = _launch("ours", argv, env, workdir, runtime_dir, socket_name, size, cwd=root)
    comp.info["control_socket"] = str(runtime_dir / f"{socket_name}.control")
    _wait_ready(comp, timeout, lambda: ours_outputs(comp) is not None)
    return comp


def ours_outputs(comp: Compositor) -> list[dict[str, Any]] | None:
    """Our compositor's outputs with their ``frames_committed`` counters (control socket)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from compositor.control_client import ControlClient

    try:
        with ControlClient(comp.info["control_socket"], timeout=5.0) as control:
            reply = control.call("outputs")
    except OSError:
        return None
    return reply.get("outputs") if reply.get("ok") else None


def ours_stats(comp: Compositor) -> dict[str, Any] | None:
    """Our compositor's ``stats objects=0`` (``python_calls``, ``rss_kib``, ...), or None.

    The control socket's own callbacks are not counted in ``python_calls``, so asking does
    not move it."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from compositor.control_client import ControlClient

    try:
        with ControlClient(comp.info["control_socket"], timeout=5.0) as control:
            reply = control.call("stats", objects=0)
    except OSError:
        return None
    return reply if reply.get("ok") else None


def start_weston(
    workdir: Path,
    socket_name: str,
    width: int,
    height: int,
    timeout: float = 30.0,
    repaint_window_ms: int | None = None,
) -> Compositor:
    """weston (10) headless backend, pixman renderer, desktop-shell, no idle.

    No weston.ini is read, unless ``repaint_window_ms`` asks for one with ``[core]
    repaint-window``: weston's headless output finishes each frame 16 ms after its repaint
    and repaints again (refresh - repaint-window) later, 16 + 16.7 - 7 ms by default, so it
    paces clients at about 39 fps however idle it is; repaint-window=16 gives about 60.
    """
    if shutil.which("weston") is None:
        raise CompositorUnavailable("weston is not installed (apt-get install weston)")
    runtime_dir = _private_runtime_dir(workdir, "weston")
    argv = ["weston", "--backend=headless-backend.so", "--use-pixman", "--idle-time=0"]
    argv += [f"--width={width}", f"--height={height}", f"--socket={socket_name}"]
    if repaint_window_ms is None:
        argv.append("--no-config")
    else:
        ini = runtime_dir / "weston.ini"
        ini.write_text(f"[core]\nrepaint-window={repaint_window_ms}\n")
        argv.append(f"--config={ini}")
    env = _clean_env(runtime_dir)
    comp = _launch("weston", argv, env, workdir, runtime_dir, socket_name, (width, height))
    comp.info["repaint_window_ms"] = repaint_window_ms if repaint_window_ms is not None else 7
    _wait_ready(comp, timeout)
    return comp


SWAY_CONFIG = """\
# Written by bench/common.py: one headless output, no Xwayland, no bar, floating windows.
output HEADLESS-1 resolution {width}x{height} position 0 0
xwayland disable
# Floating, at their own size (250x250 for weston-simple-shm, --width x --height for
# weston-simple-damage), like weston and ours;
# tiled, sway would ask each window to fill its tile.
for_window [app_id=".*"] floating enable
"""


def start_sway(
    workdir: Path,
    socket_name: str,
    width: int,
    height: int,
    timeout: float = 30.0,
    renderer: str = "pixman",
    env_extra: dict[str, str] | None = None,
    extra_config: str = "",
) -> Compositor:
    """sway (1.7, wlroots 0.15) with WLR_BACKENDS=headless and WLR_RENDERER=pixman (or
    ``renderer``, with ``env_extra`` for its environment and ``extra_config`` appended to
    the config: bench_gl.py runs gles2 in the VM).

    sway picks its own socket name (wayland-N); a symlink ``socket_name`` to it lets clients
    use the name asked for. sway 1.7 refuses to run as root, so as root it runs as nobody.
    """
    if shutil.which("sway") is None:
        raise CompositorUnavailable("sway is not installed (apt-get install sway)")
    as_root = os.geteuid() == 0
    if as_root and shutil.which("setpriv") is None:
        raise CompositorUnavailable("sway refuses root, and setpriv (util-linux) is missing")
    # Under /tmp, not workdir: nobody must reach it.
    runtime_dir = Path(tempfile.mkdtemp(prefix="bench-sway-"))
    runtime_dir.chmod(0o700)
    if as_root:
        os.chown(runtime_dir, NOBODY, NOBODY)
    config = runtime_dir / "sway.config"
    config_text = SWAY_CONFIG.format(width=width, height=height) + extra_config
    config.write_text(config_text)
    config.chmod(0o644)
    ipc = runtime_dir / "sway-ipc.sock"
    env = _clean_env(runtime_dir)
    env.update(
        WLR_BACKENDS="headless",
        WLR_HEADLESS_OUTPUTS="1",
        WLR_LIBINPUT_NO_DEVICES="1",
        WLR_RENDERER=renderer,
        SWAYSOCK=str(ipc),
        HOME=str(runtime_dir),
        XDG_CONFIG_HOME=str(runtime_dir),
    )
    env.update(env_extra or {})
    argv = ["sway", "--config", str(config)]
    if as_root:
        argv = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *argv]
    comp = _launch("sway", argv, env, workdir, runtime_dir, socket_name, (width, height))
    comp.info.update(config=config_text, as_nobody=as_root)
    comp._cleanup.append(lambda: shutil.rmtree(runtime_dir, ignore_errors=True))

    def linked() -> bool:
        link = runtime_dir / socket_name
        if link.is_symlink():
            return True
        names = [p.name for p in runtime_dir.glob("wayland-*") if not p.name.endswith(".lock")]
        if not names:
            return False
        link.symlink_to(sorted(names)[0])
        comp.info["real_socket"] = sorted(names)[0]
        return True

    def mode_set() -> bool:
        if not linked():
            return False
        result = subprocess.run(
            ["swaymsg", "--socket", str(ipc), "--raw", "--type", "get_outputs"],
            capture_output=True,
            text=True,
            env=env,
        )
        if result.returncode != 0:
            return False
        mode = [o.get("current_mode", {}) for o in json.loads(result.stdout)]
        return any(m.get("width") == width and m.get("height") == height for m in mode)

    try:
        wait_for(lambda: comp.alive() and linked(), timeout, "sway's Wayland socket")
    except TimeoutError:
        comp.stop()
        raise CompositorFailed(f"sway did not start:\n{comp.log_tail()}") from None
    _wait_ready(comp, timeout, mode_set)
    return comp


STARTERS: dict[str, Callable[[Path, str, int, int], Compositor]] = {
    "ours": start_ours,
    "weston": start_weston,
    "sway": start_sway,
}


def wl_output_modes(comp: Compositor) -> list[str]:
    """The current mode of each wl_output as a client sees it (wayland-info), e.g. 1920x1080."""
    if shutil.which("wayland-info") is None:
        return []
    result = subprocess.run(
        ["wayland-info", "--interface", "wl_output"],
        env=comp.client_env(),
        capture_output=True,
        text=True,
        timeout=10,
    )
    modes, pending = [], ""
    for line in result.stdout.splitlines():
        words = line.replace(",", " ").split()
        if "width:" in words and "height:" in words and "px" in words:
            pending = f"{words[words.index('width:') + 1]}x{words[words.index('height:') + 1]}"
            if "refresh:" in words:
                pending += f"@{words[words.index('refresh:') + 1]}Hz"
        elif "flags:" in words and pending:
            if "current" in words:
                modes.append(pending)
            pending = ""
    return modes


def interleaved_runs(
    names: list[str],
    rounds: int,
    one_run: Callable[[str, Path], dict[str, Any]],
    figure: str,
    what: str,
    bench: str,
    args: Any,
    more_figures: tuple[str, ...] = (),
    extra: dict[str, Any] | None = None,
) -> int:
    """Run ``one_run(name, workdir)`` for each compositor in turn, ``rounds`` times (a
    compositor that is not installed is skipped), print every run and the medians of
    ``figure`` (and ours/sway), and write bench/results/<bench>-<time>.json.

    ``more_figures``: further figures whose medians and ours/sway ratios go into the file's
    ``medians`` and ``ratios_ours_over_sway`` too (a run may lack one, or have None);
    ``extra``: more top-level keys for the file (what the runs were measured against)."""
    import platform
    import statistics
    from datetime import UTC, datetime

    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix=f"bench-{bench}-") as tmp:
        for round_number in range(rounds):
            for name in names:
                try:
                    run = one_run(name, Path(tmp))
                except CompositorUnavailable as exc:
                    print(f"{name}: skipped: {exc}")
                    continue
                run["round"] = round_number
                runs.append(run)
                print(json.dumps(run), flush=True)
    all_medians: dict[str, dict[str, float]] = {}
    ratios: dict[str, float | None] = {}
    for key in (figure, *more_figures):
        values = {
            name: [r[key] for r in runs if r["compositor"] == name and r.get(key) is not None]
            for name in names
        }
        all_medians[key] = {name: statistics.median(v) for name, v in values.items() if v}
        ours, sway = all_medians[key].get("ours"), all_medians[key].get("sway")
        ratios[key] = ours / sway if ours is not None and sway else None
    medians = all_medians[figure]
    print(f"median {what}:", medians)
    if ratios[figure] is not None:
        print(f"ours/sway: {ratios[figure]:.2f}")
    for key in more_figures:
        ratio = f"{ratios[key]:.2f}" if ratios[key] is not None else "-"
        print(f"median {key}: {all_medians[key]} ours/sway: {ratio}")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{bench}-{stamp}.json"
    machine = {"cpus": os.cpu_count(), "platform": platform.platform(), "load": loadavg()}
    path.write_text(
        json.dumps(
            {
                "bench": bench,
                "args": vars(args),
                "machine": machine,
                "runs": runs,
                f"median_{figure}": medians,
                **(
                    {"medians": all_medians, "ratios_ours_over_sway": ratios}
                    if more_figures
                    else {}
                ),
                **(extra or {}),
            },
            indent=2,
        )
    )
    print(f"written: {path}")
    return 0
