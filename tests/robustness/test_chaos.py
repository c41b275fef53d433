"""A short chaos run (tests/chaos.py) in the suite: fixed seeds, two rounds of 60 actions of
people, devices and hostile clients against one compositor. No crash, every checked effect
as it must be; once everything is gone the live counts and fds are back to the baseline
after each round, and the second round adds no memory the first did not (what the first
adds is made once: Pillow for titles, wlroots' textures and swapchains, fonts). The
30-minute run is bench/bench_chaos.py."""

from __future__ import annotations

import os

from tests.chaos import Chaos, stable_baseline, warm_up

SEEDS = (20261207, 20261208)
ROUND_GROWTH_KIB = 4 * 1024  # RSS a whole second round may add
VARIABLE = ("rss_kib", "swapchain_fds")


def test_random_actions_leave_nothing_behind(make_compositor, tmp_path):
    comp = make_compositor(width=800, height=600)
    warm_up(comp, tmp_path)
    before = stable_baseline(comp)
    fixed = {k: v for k, v in before.items() if k not in VARIABLE}
    rss = []
    for seed in SEEDS:
        chaos = Chaos(comp, seed, tmp_path)
        result = chaos.run(count=60)
        log = "\n".join(result.log)
        assert not result.crashed, log + "\n" + comp.log()[-3000:]
        after = chaos.end_round(fixed)
        assert not result.failures, "\n".join(result.failures) + "\n\n" + log
        assert {k: after[k] for k in fixed} == fixed, f"{before} -> {after}\n{log}"
        # The output's swapchain keeps up to 4 buffers, made as frames need them.
        assert after["swapchain_fds"] <= 4, (before, after)
        rss.append(after["rss_kib"])
        print(
            f"chaos seed {seed}: {sum(result.actions.values())} actions, RSS "
            f"{before['rss_kib']} -> {after['rss_kib']} KiB"
        )
    if not os.environ.get("PYDRM_MEMCHECK_DIR"):  # under valgrind RSS is valgrind's
        assert rss[1] - rss[0] < ROUND_GROWTH_KIB, rss
