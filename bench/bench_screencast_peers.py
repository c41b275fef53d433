"""Benchmark (not a test): the cost of sharing an output, ours against sway 1.7 +
xdg-desktop-portal-wlr 0.7 (xdpw), interleaved (ours, sway, ours, sway, ...).

    python bench/bench_screencast_peers.py [--sizes 1280x720,1920x1080] [--rounds 2]
                                           [--seconds 8] [--compositors ours,sway]

Each run starts a fresh compositor (headless, pixman, at the size; bench_gl.start: sway as
uid 65534 with no borders, its output commits counted by bench/sway_gl_shim.c), a private
pipewire + wireplumber on a D-Bus session bus of their own (tests/screencast/
pipewire_session.py) and the same load as bench_screencast.py: weston-simple-damage sized
to the output less 48 px and one weston-simple-shm, both under bench/frame_counter.c (their
frames counted; sway needs its commit-after-ack). After a warm-up two windows of
``--seconds`` are measured on the same compositor and load:

- ``idle``: nothing shared;
- ``share``: the whole output shared, cursor embedded, read by bench_screencast.py's
  consumer (``gst-launch-1.0 pipewiresrc ! video/x-raw,format=BGRx ! fakesink``, here with
  ``silent=false`` so that it prints a line per frame it gets, counted). Ours:
  ``screencast-start`` on the control socket (what our portal backend asks for; the stream
  is made in the compositor). sway: the portal's ScreenCast over D-Bus, as an application
  does it (CreateSession, SelectSources monitor + embedded cursor, Start; xdpw answers its
  chooser from its config: chooser_type=none, output_name=HEADLESS-1) through Debian's
  xdg-desktop-portal 1.16 (XDG_CURRENT_DESKTOP=sway, only wlr.portal in its portal dir);
  the consumer reads the node Start returns. xdpw does the copying: wlr-screencopy
  (copy_with_damage) into its wl_shm buffers, which are the PipeWire buffers.

xdpw 0.7 refuses to stream from sway on pixman: its start_screencast() wants a dma-buf
format from screencopy, which pixman never offers ("wlroots: unable to receive a valid
format from wlr_screencopy", Start answers 2: xdpw #289). The bench first shows that with
stock xdpw (``stock_xdpw`` in the results: the response and xdpw's log line), then runs
xdpw with bench/xdpw_shm_shim.c preloaded: it hands xdpw the shm format where the
linux_dmabuf event is missing, and xdpw streams from shared memory as it would with #289
fixed (no dma-buf modifiers to offer, so PipeWire gets memfd buffers only).

Per window: output frames/s (ours: ``outputs`` frames_committed; sway: the shim's count);
frames/s of each load client; the compositor's main-thread CPU per output frame and its
whole-process CPU (schedstat, every thread); pipewire's CPU; when shared, xdpw's CPU, the
frames the consumer got per second and its CPU, and per shared (delivered) frame: the CPU of
the compositor plus xdpw (sway) or of the compositor (ours), in all and over the idle
window's rate (what sharing added). For ours also the stream's own counters
(``screencast-list``: frames sent, dropped, its fill CPU). Prints each run, the medians per
compositor and their ratios (ours/sway), and writes bench/results/screencast-peers-SIZE-*.json
per size. On a shared 2-core machine the absolute figures move with the load average, which
each window records: compare the compositors of one interleaved run.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

from bench_clients import start_clients, stop_clients, wait_quiet  # noqa: E402
from bench_gl import build_sway_shim, start, sway_commits, thread_cpu_seconds  # noqa: E402
from bench_screencast import consumer_argv  # noqa: E402
from common import (  # noqa: E402
    Compositor,
    CompositorUnavailable,
    interleaved_runs,
    loadavg,
    ours_outputs,
    process_cpu_seconds,
    wait_for,
)
from frame_counter import build_frame_counter, build_preload, read_counter  # noqa: E402

from tests.screencast.pipewire_session import PipewireSession, missing_programs  # noqa: E402

XDPW = "/usr/libexec/xdg-desktop-portal-wlr"
XDP = "/usr/libexec/xdg-desktop-portal"
WLR_PORTAL = Path("/usr/share/xdg-desktop-portal/portals/wlr.portal")
XDPW_REFUSAL = "unable to receive a valid format from wlr_screencopy"
XDPW_CONFIG = "[screencast]\nchooser_type=none\noutput_name=HEADLESS-1\n"
START_TIMEOUT_S = 60.0
FIGURES = (
    "share_output_fps",
    "idle_output_fps",
    "share_delivered_fps",
    "share_main_ms_per_output_frame",
    "idle_main_ms_per_output_frame",
    "share_compositor_cpu_pct",
    "idle_compositor_cpu_pct",
    "share_xdpw_cpu_pct",
    "share_consumer_cpu_pct",
    "share_pipewire_cpu_pct",
    "share_damage_client_fps",
    "added_ms_per_shared_frame",
)


def build_xdpw_shim() -> Path:
    """bench/xdpw_shm_shim.c -> bench/build/xdpw_shm_shim.so."""
    return build_preload("xdpw_shm_shim")


class Consumer:
    """bench_screencast.py's pipewiresrc consumer of one node, its frames counted."""

    def __init__(self, node_id: int, env: dict[str, str]) -> None:
        self.frames = 0
        self.proc = subprocess.Popen(
            consumer_argv(node_id, count_frames=True),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if "last-message = chain" in line:
                self.frames += 1

    def cpu_seconds(self) -> float:
        # stdbuf execs gst-launch-1.0: the same process.
        return process_cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(10)


class OursShare:
    """A stream of HEADLESS-1 made by our compositor (``screencast-start``)."""

    def __init__(self, comp: Compositor, pw: PipewireSession) -> None:
        self.comp, self.pw = comp, pw
        self.stream: dict[str, Any] = {}

    def call(self, command: str, **args: Any) -> dict[str, Any]:
        from compositor.control_client import ControlClient

        with ControlClient(self.comp.info["control_socket"], timeout=30.0) as control:
            reply = control.call(command, **args)
        if not reply.get("ok"):
            raise RuntimeError(f"{command}: {reply}")
        return reply

    def start(self) -> int:
        self.stream = self.call(
            "screencast-start", source={"output": "HEADLESS-1"}, cursor="embedded", client="bench"
        )
        return int(self.stream["node_id"])

    def counters(self) -> dict[str, Any]:
        streams = self.call("screencast-list")["streams"]
        return streams[0] if streams else {}

    def cpu_seconds(self) -> float:
        return 0.0  # no process besides the compositor

    def stop(self) -> None:
        if self.stream:
            self.call("screencast-stop", stream=self.stream["stream"])


class PortalShare:
    """sway's output shared through xdg-desktop-portal and xdpw, as an application asks."""

    def __init__(self, comp: Compositor, pw: PipewireSession, workdir: Path, shim: bool) -> None:
        for program in (XDPW, XDP):
            if not Path(program).exists():
                raise CompositorUnavailable(
                    f"{program} is missing: apt-get install xdg-desktop-portal-wlr "
                    "xdg-desktop-portal"
                )
        self.comp, self.pw, self.workdir = comp, pw, workdir
        config = workdir / "xdpw.ini"
        config.write_text(XDPW_CONFIG)
        portals = workdir / "portals"
        portals.mkdir(exist_ok=True)
        shutil.copy(WLR_PORTAL, portals)
        self.env = pw.env(
            WAYLAND_DISPLAY=str(comp.runtime_dir / comp.socket),
            XDG_CURRENT_DESKTOP="sway",
            XDG_DESKTOP_PORTAL_DIR=str(portals),
            XDG_DATA_DIRS="/usr/share",
        )
        xdpw_env = dict(self.env)
        if shim:
            xdpw_env["LD_PRELOAD"] = str(build_xdpw_shim())
        self.xdpw_log = workdir / "xdpw.log"
        self.procs: list[subprocess.Popen] = []
        self.xdpw = self._spawn([XDPW, "-l", "INFO", "-c", str(config)], xdpw_env, self.xdpw_log)
        self.loop = asyncio.new_event_loop()
        self.client: Any = None
        self.session = ""
        try:
            self.loop.run_until_complete(self._connect())
        except BaseException:
            self.stop()
            raise

    def _spawn(self, argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
        with open(log, "wb") as out:
            proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    async def _wait_name(self, name: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            reply = await self.client._call(
                "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                "NameHasOwner", "s", [name],
            )  # fmt: skip
            if reply.body[0]:
                return
            for proc in self.procs:
                if proc.poll() is not None:
                    raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} did not appear on the session bus")
            await asyncio.sleep(0.1)

    async def _connect(self) -> None:
        from tests.screencast.portal_session import PortalClient

        self.client = await PortalClient.connect(self.pw.bus_address)
        await self._wait_name("org.freedesktop.impl.portal.desktop.wlr")
        self._spawn([XDP, "-v"], self.env, self.workdir / "xdg-desktop-portal.log")
        await self._wait_name("org.freedesktop.portal.Desktop")

    async def _start(self) -> tuple[int, dict[str, Any]]:
        from dbus_fast import Variant

        self.session = await self.client.create_session()
        selected = await self.client.select_sources(
            self.session, types=Variant("u", 1), cursor_mode=Variant("u", 2)
        )
        if selected != 0:
            return selected, {}
        return await self.client.start(self.session)

    def try_start(self) -> tuple[int, dict[str, Any]]:
        """The portal's Start: (response, results)."""
        response, results = self.loop.run_until_complete(self._start())
        if response != 0:
            self.session = ""  # the portal closed it
        return response, results

    def start(self) -> int:
        response, results = self.try_start()
        if response != 0 or not results.get("streams"):
            refusal = [line for line in self.log().splitlines() if XDPW_REFUSAL in line]
            raise RuntimeError(f"the portal's Start answered {response}; xdpw: {refusal}")
        return int(results["streams"][0][0])

    def log(self) -> str:
        return self.xdpw_log.read_text(errors="replace")

    def counters(self) -> dict[str, Any]:
        return {}

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.xdpw.pid)

    def stop(self) -> None:
        if self.session and self.client is not None:
            try:
                self.loop.run_until_complete(
                    asyncio.wait_for(self.client.close_session(self.session), 10)
                )
            except Exception as exc:  # the session may be gone with xdpw already
                print(f"portal session close: {exc!r}", file=sys.stderr)
            self.session = ""
        if self.client is not None:
            self.client.bus.disconnect()
            self.client = None
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.loop.close()


def output_frames(comp: Compositor) -> int:
    if comp.name == "ours":
        return int((ours_outputs(comp) or [{}])[0].get("frames_committed", 0))
    return sway_commits(comp) or 0


class Sampler:
    """One snapshot of every counter a window compares: call it at the start and the end."""

    def __init__(self, comp: Compositor, pw: PipewireSession, counters: list[Path]) -> None:
        self.comp, self.pw, self.counters = comp, pw, counters

    def __call__(self, share: Any = None, consumer: Consumer | None = None) -> dict[str, Any]:
        snap: dict[str, Any] = {"t": time.monotonic(), "loadavg_1min": loadavg()[0]}
        snap["output_frames"] = output_frames(self.comp)
        snap["cpu"] = self.comp.cpu_seconds()
        snap["main_cpu"], _ = thread_cpu_seconds(self.comp.pid)
        snap["pipewire_cpu"] = process_cpu_seconds(self.pw.processes["pipewire"].pid)
        snap["client_commits"] = [c.commits if c else 0 for c in map(read_counter, self.counters)]
        if share is not None:
            snap["share_cpu"] = share.cpu_seconds()
            snap["stream"] = share.counters()
        if consumer is not None:
            snap["consumer_frames"] = consumer.frames
            snap["consumer_cpu"] = consumer.cpu_seconds()
        return snap


def window_figures(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """What happened between two snapshots."""
    wall = b["t"] - a["t"]
    frames = b["output_frames"] - a["output_frames"]
    clients = [y - x for x, y in zip(a["client_commits"], b["client_commits"], strict=True)]
    out: dict[str, Any] = {
        "wall_s": round(wall, 3),
        "loadavg_1min": a["loadavg_1min"],
        "output_frames": frames,
        "output_fps": frames / wall,
        "damage_client_fps": clients[0] / wall,
        "shm_client_fps": clients[1] / wall,
        "compositor_cpu_pct": 100 * (b["cpu"] - a["cpu"]) / wall,
        "main_ms_per_output_frame": 1000 * (b["main_cpu"] - a["main_cpu"]) / max(frames, 1),
        "pipewire_cpu_pct": 100 * (b["pipewire_cpu"] - a["pipewire_cpu"]) / wall,
    }
    if "consumer_frames" in b:
        delivered = b["consumer_frames"] - a["consumer_frames"]
        out.update(
            delivered_frames=delivered,
            delivered_fps=delivered / wall,
            consumer_cpu_pct=100 * (b["consumer_cpu"] - a["consumer_cpu"]) / wall,
            xdpw_cpu_pct=100 * (b["share_cpu"] - a["share_cpu"]) / wall,
        )
        sa, sb = a["stream"], b["stream"]
        if sb:
            sent = sb["frames_sent"] - sa["frames_sent"]
            out.update(
                stream_frames_sent=sent,
                stream_frames_dropped=sb["frames_dropped"] - sa["frames_dropped"],
                stream_fill_ms_per_frame=(sb["cpu_ms"] - sa["cpu_ms"]) / max(sent, 1),
            )
    return out


def wait_frames(sample: Any, key: str, count: int, what: str) -> None:
    first = sample()[key]
    wait_for(lambda: sample()[key] >= first + count, START_TIMEOUT_S, what)


class LoadFailed(RuntimeError):
    """A load client exited or drew nothing before the windows were measured."""


def wait_load(sample: Sampler, clients: list[subprocess.Popen], gate: Path) -> None:
    """bench_clients.py's start: each load client draws its first frame and waits at the
    ``gate`` (frame_counter.c), which opens once the compositor is quiet, so that none
    animates while the other maps (weston-simple-damage and -shm have two buffers and abort
    when sway 1.7 holds one past a frame callback while it maps a window: "Both buffers
    busy", bench/README.md); then until each has drawn 10 frames. LoadFailed (with its
    log's last line) if one exits or stalls."""

    def past(gate_state: int, commits: int) -> Callable[[], bool]:
        def check() -> bool:
            for proc, counter in zip(clients, sample.counters, strict=True):
                if proc.poll() is not None:
                    log = counter.with_suffix(".log").read_text(errors="replace").strip()
                    last = log.splitlines()[-1] if log else ""
                    raise LoadFailed(f"{proc.args[0]} exited with {proc.returncode}: {last}")
            return all(
                (c := read_counter(p)) is not None and c.gate >= gate_state and c.commits >= commits
                for p in sample.counters
            )

        return check

    try:
        wait_for(past(1, 2), START_TIMEOUT_S, "the load clients mapped")
        wait_quiet(sample.comp)
        gate.touch()
        wait_for(past(2, 10), START_TIMEOUT_S, "the load clients drawing")
    except TimeoutError as exc:
        raise LoadFailed(str(exc)) from None


def one_run(name: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """:func:`measure`, once more if the load did not start (then ``attempts`` is 2)."""
    for attempt in (1, 2):
        try:
            run = measure(name, args, workdir)
        except LoadFailed as exc:
            if attempt == 2:
                raise
            print(f"{name}: the load did not start ({exc}); once more", flush=True)
            continue
        run["attempts"] = attempt
        return run
    raise AssertionError("unreachable")


def measure(name: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    width, height = args.width, args.height
    workdir.chmod(0o755)  # sway, as nobody, writes its commit counter here
    # Short: the control socket's path must fit AF_UNIX's 108 bytes.
    run_dir = Path(tempfile.mkdtemp(prefix=name[0], dir=workdir))
    run_dir.chmod(0o755)
    comp = start(name, args, {}, run_dir, f"scp-{name}")
    pw = share = consumer = None
    clients: list[subprocess.Popen] = []
    try:
        pw = PipewireSession(
            run_dir / "pw", runtime_dir=comp.runtime_dir if name == "ours" else None
        )
        pw.start()
        shim = build_frame_counter()
        damage = ["weston-simple-damage", f"--width={width - 48}", f"--height={height - 48}"]
        counters: list[Path] = []
        gate = run_dir / "gate"
        for argv, tag in ((damage, "damage"), (["weston-simple-shm"], "shm")):
            started, paths = start_clients(comp, 1, shim, run_dir, argv=argv, tag=tag, gate=gate)
            clients += started
            counters += paths
        sample = Sampler(comp, pw, counters)
        wait_load(sample, clients, gate)
        if name == "sway":
            share = PortalShare(comp, pw, run_dir, shim=True)
        else:
            share = OursShare(comp, pw)
        time.sleep(args.warmup)
        a = sample()
        time.sleep(args.seconds)
        idle = window_figures(a, sample())

        consumer = Consumer(share.start(), pw.env())
        wait_frames(
            lambda: sample(share, consumer), "consumer_frames", 10, "frames at the consumer"
        )
        a = sample(share, consumer)
        time.sleep(args.seconds)
        shared = window_figures(a, sample(share, consumer))
        for proc in clients:
            if proc.poll() is not None:
                raise RuntimeError(f"load client {proc.args[0]} exited with {proc.returncode}")
    finally:
        if consumer is not None:
            consumer.stop()
        if share is not None:
            share.stop()
        stop_clients(clients)
        if pw is not None:
            pw.stop()
        comp.stop()
    run: dict[str, Any] = {"compositor": name, "size": f"{width}x{height}"}
    run.update({f"idle_{k}": v for k, v in idle.items()})
    run.update({f"share_{k}": v for k, v in shared.items()})
    delivered = max(shared["delivered_frames"], 1)
    wall = shared["wall_s"]
    share_cpu_s = (shared["compositor_cpu_pct"] + shared["xdpw_cpu_pct"]) / 100 * wall
    idle_cpu_s = idle["compositor_cpu_pct"] / 100 * wall
    # All the CPU of the compositor (+ xdpw) per frame delivered, and what sharing added to
    # it over the idle window's rate.
    run["ms_per_shared_frame"] = 1000 * share_cpu_s / delivered
    run["added_ms_per_shared_frame"] = 1000 * (share_cpu_s - idle_cpu_s) / delivered
    if name != "sway":
        run["share_xdpw_cpu_pct"] = None
    return run


def stock_xdpw_check(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Start a cast from sway (pixman) through unmodified xdpw: its answer and log line."""
    run_dir = workdir / "stock-xdpw"
    run_dir.mkdir(mode=0o755)
    comp = start("sway", args, {}, run_dir, "bench-scp-stock")
    pw = share = None
    try:
        pw = PipewireSession(run_dir / "pw").start()
        share = PortalShare(comp, pw, run_dir, shim=False)
        response, results = share.try_start()
        lines = [line for line in share.log().splitlines() if XDPW_REFUSAL in line]
        return {
            "start_response": response,
            "streams": len(results.get("streams", [])),
            "xdpw_log": lines,
            "xdpw_version": xdpw_version(),
        }
    finally:
        if share is not None:
            share.stop()
        if pw is not None:
            pw.stop()
        comp.stop()


def xdpw_version() -> str:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", "xdg-desktop-portal-wlr"],
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1280x720,1920x1080")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--compositors", default="ours,sway")
    args = parser.parse_args()
    missing = missing_programs()
    if missing:
        print(f"skipped: {', '.join(missing)} missing (apt-get install pipewire wireplumber)")
        return 0
    if not Path(XDPW).exists():
        print("sway + xdpw skipped: install it (apt-get install xdg-desktop-portal-wlr)")
    args.renderer, args.before = "pixman", None  # for bench_gl.start
    build_sway_shim()
    extra: dict[str, Any] = {"load_before": loadavg()}
    names = args.compositors.split(",")
    if "sway" in names and Path(XDPW).exists():
        args.width, args.height = 1280, 720
        with tempfile.TemporaryDirectory(prefix="bench-scp-stock-") as tmp:
            extra["stock_xdpw"] = stock_xdpw_check(args, Path(tmp))
        print("stock xdpw on sway/pixman:", extra["stock_xdpw"], flush=True)
    extra["xdpw"] = "xdpw with bench/xdpw_shm_shim.c preloaded (shm format for the dma-buf one)"
    extra["consumer"] = " ".join(consumer_argv(0, count_frames=True))
    for size in args.sizes.split(","):
        args.width, args.height = (int(v) for v in size.split("x"))
        interleaved_runs(
            names,
            args.rounds,
            lambda name, workdir: one_run(name, args, workdir),
            "ms_per_shared_frame",
            f"compositor (+ xdpw) CPU ms per shared frame at {size}",
            f"screencast-peers-{size}",
            args,
            more_figures=FIGURES,
            extra=extra,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
