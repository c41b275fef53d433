"""What real applications hold of wl_shm: the figures behind the per-client limits' defaults.

    python bench/measure_shm_use.py [--width 1920 --height 1080] [--seconds 6]

One compositor (headless, pixman, --width x --height, Xwayland on), then each application
in turn: started, left to draw for --seconds, maximized (Alt+F10) and restored (toolkits
allocate new buffers at each size), then ended. The `clients` command's ``wl_shm`` entry
(compositor/limits.py) gives each client's peak pools, buffers and bytes mapped; the
largest over the run is printed per application, with its connections. X11 applications
are counted in Xwayland (one client for all of them): they run together. Figures, not
assertions; README's "Limits" section has the run behind the defaults.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.harness import CompositorProcess  # noqa: E402

VIDEO = "av://lavfi:testsrc2=size=1280x720:rate=30"
APPS: list[tuple[str, list[list[str]], dict[str, str]]] = [
    ("foot", [["foot"]], {}),
    ("weston-terminal", [["weston-terminal"]], {}),
    ("gtk3-widget-factory", [["gtk3-widget-factory"]], {}),
    ("gtk4-widget-factory", [["gtk4-widget-factory"]], {"GSK_RENDERER": "cairo"}),
    ("gtk4-widget-factory (GL renderer, llvmpipe)", [["gtk4-widget-factory"]], {}),
    ("mpv --vo=gpu (llvmpipe)", [["mpv", "--vo=gpu", "--loop", VIDEO]], {}),
    ("mpv --vo=wlshm", [["mpv", "--vo=wlshm", "--loop", VIDEO]], {}),
    (
        "Xwayland: xeyes, xclock x2, xlogo, gtk3-widget-factory (GDK_BACKEND=x11)",
        [
            ["xeyes"],
            ["xclock", "-update", "1"],
            ["xlogo"],
            ["gtk3-widget-factory"],
            ["xclock", "-geometry", "600x600", "-update", "1"],
        ],
        {"GDK_BACKEND": "x11", "DISPLAY": "X11"},
    ),
    (
        "Xwayland: 42 windows (30 xlogo, 5 xclock, 5 xeyes, 2 gtk3-widget-factory)",
        [["xlogo"]] * 30 + [["xclock", "-update", "1"]] * 5 + [["xeyes"]] * 5
        + [["gtk3-widget-factory"]] * 2,
        {"GDK_BACKEND": "x11", "DISPLAY": "X11"},
    ),
]


def key(comp: CompositorProcess, name: str, pressed: bool | None = None) -> None:
    args = {"key": name} if pressed is None else {"key": name, "pressed": pressed}
    comp.ctl("key", **args)


def peaks(comp: CompositorProcess, into: dict[int, dict]) -> None:
    for client in comp.ctl_ok("clients")["clients"]:
        shm = client.get("wl_shm")
        if not shm:
            continue
        entry = into.setdefault(client["pid"], {"exe": client["exe"], "connections": 0})
        entry["pools"] = max(entry.get("pools", 0), shm["pools"]["peak"])
        entry["buffers"] = max(entry.get("buffers", 0), shm["buffers"]["peak"])
        entry["bytes"] = max(entry.get("bytes", 0), shm["bytes"]["peak"])
        entry["mapped"] = max(entry.get("mapped", 0), shm["mapped"]["peak"])


def connections_by_pid(comp: CompositorProcess) -> dict[int, int]:
    counts: dict[int, int] = {}
    for client in comp.ctl_ok("clients")["clients"]:
        counts[client["pid"]] = counts.get(client["pid"], 0) + 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="shm-use-") as tmp:
        comp = CompositorProcess(
            Path(tmp),
            # The limits far above anything, so that no application is stopped by them.
            args=["--renderer", "pixman", "--max-client-shm-pools", "65536",
                  "--max-client-shm-buffers", "1048576", "--max-client-shm-bytes", str(1 << 40),
                  "--max-client-shm-mapped", str(1 << 46)],
            width=args.width,
            height=args.height,
        )
        comp.start()
        try:
            for label, commands, env in APPS:
                missing = [c[0] for c in commands if shutil.which(c[0]) is None]
                if missing:
                    print(f"{label}: skipped, not installed: {missing}", file=sys.stderr)
                    continue
                if env.get("DISPLAY") == "X11":  # the compositor's Xwayland
                    env = {**env, "DISPLAY": comp.ctl_ok("ping")["display"]}
                procs = [
                    comp.spawn(c, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    for c in commands
                ]
                seen: dict[int, dict] = {}
                time.sleep(args.seconds)
                peaks(comp, seen)
                conns = connections_by_pid(comp)
                for _ in range(2):  # maximize and restore the focused window, twice
                    key(comp, "Alt_L", True)
                    key(comp, "F10")
                    key(comp, "Alt_L", False)
                    time.sleep(args.seconds / 2)
                    peaks(comp, seen)
                for pid, count in connections_by_pid(comp).items():
                    conns[pid] = max(conns.get(pid, 0), count)
                for pid, entry in seen.items():
                    entry["connections"] = conns.get(pid, 0)
                for proc in procs:
                    proc.terminate()
                for proc in procs:
                    try:
                        proc.wait(5)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                time.sleep(1)
                for entry in seen.values():
                    if entry.get("pools") or entry.get("buffers"):
                        results.append({"app": label, **entry})
                        print(
                            f"{label:60} {Path(entry['exe']).name:18} "
                            f"pools {entry['pools']:4}  buffers {entry['buffers']:4}  "
                            f"{entry['bytes'] / (1 << 20):7.1f} MiB  "
                            f"mapped {entry['mapped'] / (1 << 20):7.1f} MiB  "
                            f"connections {entry['connections']}",
                            flush=True,
                        )
        finally:
            comp.stop(check=False)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
