"""What real applications hold of protocol objects, dma-bufs and fds: the figures behind
the per-client object limits' defaults (compositor/limits_options.py).

    python bench/measure_objects.py [--width 3840 --height 2160] [--seconds 6]

The applications and steps of bench/measure_shm_use.py (started, left to draw, maximized
and restored twice, ended), with every object limit far above anything; the `clients`
command's ``limits`` entry (compositor/limits_objects.py) gives each client's peak objects
(all, surfaces, subsurfaces, regions, callbacks, data sources), dma-buf buffers and fds.
X11 applications are counted in Xwayland (one client for all). Figures, not assertions.
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
sys.path.insert(0, str(ROOT / "bench"))

from measure_shm_use import APPS, key  # noqa: E402

from compositor.limits_options import OBJECT_LIMITS  # noqa: E402
from tests.harness import CompositorProcess  # noqa: E402

FIGURES = ("objects", "surfaces", "subsurfaces", "regions", "callbacks", "data_sources",
           "dmabuf_buffers", "dmabuf_fds", "parked_fds")  # fmt: skip


def peaks(comp: CompositorProcess, into: dict[int, dict]) -> None:
    for client in comp.ctl_ok("clients")["clients"]:
        held = client.get("limits")
        if not held:
            continue
        entry = into.setdefault(client["pid"], {"exe": client["exe"]})
        for name in FIGURES:
            entry[name] = max(entry.get(name, 0), held[name]["peak"])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--width", type=int, default=3840)
    parser.add_argument("--height", type=int, default=2160)
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()
    high = []
    for _name, option, _default, maximum, _what in OBJECT_LIMITS:
        high += [option, str(maximum)]
    results = []
    with tempfile.TemporaryDirectory(prefix="objects-use-") as tmp:
        comp = CompositorProcess(Path(tmp), args=["--renderer", "pixman", *high],
                                 width=args.width, height=args.height)  # fmt: skip
        comp.start()
        try:
            for label, commands, env in APPS:
                missing = [c[0] for c in commands if shutil.which(c[0]) is None]
                if missing:
                    print(f"{label}: skipped, not installed: {missing}", file=sys.stderr)
                    continue
                if env.get("DISPLAY") == "X11":
                    env = {**env, "DISPLAY": comp.ctl_ok("ping")["display"]}
                procs = [
                    comp.spawn(c, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    for c in commands
                ]
                seen: dict[int, dict] = {}
                time.sleep(args.seconds)
                peaks(comp, seen)
                for _ in range(2):
                    key(comp, "Alt_L", True)
                    key(comp, "F10")
                    key(comp, "Alt_L", False)
                    time.sleep(args.seconds / 2)
                    peaks(comp, seen)
                for proc in procs:
                    proc.terminate()
                for proc in procs:
                    try:
                        proc.wait(5)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                time.sleep(1)
                for entry in seen.values():
                    if entry.get("surfaces"):
                        results.append({"app": label, **entry})
                        print(f"{label[:58]:58} {Path(entry['exe'] or '?').name:18} " + "  ".join(
                            f"{n} {entry[n]}" for n in FIGURES), flush=True)  # fmt: skip
        finally:
            comp.stop(check=False)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
