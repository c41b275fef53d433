"""The chaos soak: 30 minutes of what a person and their devices do, at random, seeded.

    python bench/bench_chaos.py [--minutes 30] [--seed N] [--round 100] [--no-heavy]

One compositor (headless, pixman, 1280x800) and the actions of tests/chaos.py, in rounds of
``--round`` actions, each round with its own seed (``--seed`` + round number): real
applications started and ended by SIGTERM, SIGKILL and Alt+F4 (foot, weston-terminal, GTK3,
GTK4, Qt5, mpv, X11 apps, and Firefox and Chromium unless ``--no-heavy``), clicks, drags,
typing, Alt+Tab, drag and drop, clipboard, wtype, keyboards and pointers plugged and
unplugged, outputs added, removed and rescaled, recordings, tracers, panels, swaylock,
hostile clients. After each round every client is ended and the live counts, fds and RSS
are taken once the memory trim ran (see tests/robustness/test_chaos.py for what must hold).

Printed and written to bench/results/chaos-<time>.json: seed, actions (by kind), failed
checks (with the log line), crashes, and per round RSS, fds and live counts against the
baseline. Every action's log line is in the .log beside it: a run is reproduced from its
seed (timing differs; the actions and their order do not).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.chaos import Chaos, fd_list, stable_baseline, warm_up  # noqa: E402
from tests.harness import CompositorProcess  # noqa: E402

RESULTS = ROOT / "bench" / "results"
VARIABLE = ("rss_kib", "swapchain_fds")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--round", type=int, default=100, help="actions per round")
    parser.add_argument("--no-heavy", action="store_true", help="no Firefox, no Chromium")
    ns = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    log_path = RESULTS / f"chaos-{stamp}.log"
    workdir = Path(tempfile.mkdtemp(prefix="pydrm-chaos-"))
    comp = CompositorProcess(workdir / "c", width=1280, height=800).start()
    actions: Counter = Counter()
    failures: list[str] = []
    rounds = []
    crashed = False
    started = time.monotonic()
    try:
        warm_up(comp, workdir)
        base = stable_baseline(comp)
        fixed = {k: v for k, v in base.items() if k not in VARIABLE}
        base_fds = fd_list(comp)
        print(f"seed {ns.seed}, baseline {base}", flush=True)
        with open(log_path, "w") as log:
            n = 0
            while time.monotonic() - started < ns.minutes * 60:
                seed = ns.seed + n
                chaos = Chaos(comp, seed, workdir, heavy=not ns.no_heavy)
                result = chaos.run(
                    count=ns.round, seconds=ns.minutes * 60 - (time.monotonic() - started)
                )
                log.write(f"-- round {n} seed {seed}\n" + "\n".join(result.log) + "\n")
                log.flush()
                actions.update(result.actions)
                failures += [f"round {n} seed {seed}: {f}" for f in result.failures]
                if result.crashed:
                    crashed = True
                    break
                after = chaos.end_round(fixed)
                back = {k: after[k] for k in fixed} == fixed
                rounds.append(
                    {
                        "round": n,
                        "seed": seed,
                        "actions": sum(result.actions.values()),
                        "minutes": round((time.monotonic() - started) / 60, 1),
                        "rss_kib": after["rss_kib"],
                        "swapchain_fds": after["swapchain_fds"],
                        "counts_back": back,
                        "counts": after,
                    }
                )
                if not back:
                    now = fd_list(comp)
                    rounds[-1]["fds_new"] = sorted(set(now) - set(base_fds))
                    rounds[-1]["fds_gone"] = sorted(set(base_fds) - set(now))
                print(
                    f"round {n}: {sum(result.actions.values())} actions, "
                    f"{len(result.failures)} failed checks, RSS {after['rss_kib']} KiB, "
                    f"fds {after['fds']}+{after['swapchain_fds']}, counts back: {back}",
                    flush=True,
                )
                n += 1
    except Exception as exc:  # the compositor went away under a helper: a crash
        crashed = crashed or not comp.alive()
        failures.append(f"runner: {exc!r}")
    finally:
        alive = comp.alive()
        comp.stop(check=False)
    summary = {
        "seed": ns.seed,
        "minutes": round((time.monotonic() - started) / 60, 1),
        "actions": sum(actions.values()),
        "by_kind": dict(actions.most_common()),
        "crashes": int(crashed or not alive),
        "failed_checks": failures,
        "baseline": base if "base" in dir() else None,
        "rounds": rounds,
        "log": str(log_path),
        "heavy": not ns.no_heavy,
    }
    out = RESULTS / f"chaos-{stamp}.json"
    out.write_text(json.dumps(summary, indent=1))
    rss = [r["rss_kib"] for r in rounds]
    print(
        f"chaos: seed {ns.seed}, {summary['actions']} actions in {summary['minutes']} min, "
        f"{summary['crashes']} crashes, {len(failures)} failed checks, rounds {len(rounds)}, "
        f"RSS baseline {summary['baseline']['rss_kib'] if summary['baseline'] else '?'} KiB, "
        f"rounds min/max {min(rss, default=0)}/{max(rss, default=0)} KiB, "
        f"counts back every round: {all(r['counts_back'] for r in rounds)} -> {out}"
    )
    return 1 if summary["crashes"] or failures else 0


if __name__ == "__main__":
    sys.exit(main())
