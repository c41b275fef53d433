"""Hostile clients against the per-client limits (compositor/limits.py): each is stopped with
the error that names its limit, an innocent client connects and keeps working meanwhile,
and the compositor's fds and RSS come back to the baseline after."""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

from tests.harness import memcheck_prefix, wait_for
from tests.helpers import rgb, solid_window, sync

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def cpu_share(pid: int, seconds: float = 2.0) -> float:
    """The share of one CPU a process used over the next ``seconds``."""
    start, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - start) / (time.monotonic() - t0)


@contextmanager
def fd_limit(soft: int):
    """Processes started inside get this soft limit on open files (then it is restored)."""
    old_soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (old_soft, hard))


def conn_hog(comp, count: int, timeout: float = 30.0) -> tuple[subprocess.Popen, dict]:
    """tests/clients/conn_hog.py holding ``count`` connections; (process, its report)."""
    proc = comp.spawn(
        [
            sys.executable,
            "-m",
            "tests.clients.conn_hog",
            "--count",
            str(count),
            "--timeout",
            str(timeout),
        ],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    assert line, proc.stderr.read()
    return proc, json.loads(line)


def release(proc: subprocess.Popen) -> None:
    proc.stdin.write("close\n")
    proc.stdin.flush()
    assert proc.wait(10) == 0


def clients(comp) -> int:
    return comp.ctl_ok("stats", objects=0)["clients"]


def rss_kib(comp) -> int:
    return comp.ctl_ok("stats", objects=0)["rss_kib"]


# What RSS may stay above the baseline once a hostile client has gone (and malloc_trim ran
# two seconds later): allocator fragmentation, Python's free lists.
RSS_SLACK_KIB = 3072


def assert_rss_back(comp, baseline: int) -> None:
    if memcheck_prefix():
        return  # valgrind's own memory is in the figure
    wait_for(
        lambda: rss_kib(comp) <= baseline + RSS_SLACK_KIB,
        10,
        what=f"RSS back to {baseline} KiB + {RSS_SLACK_KIB} (now {rss_kib(comp)})",
    )
    print(f"RSS baseline {baseline} KiB, after {rss_kib(comp)} KiB")


def innocent_window(comp, color: str, app_id: str) -> None:
    """A new client connects, maps a window and its pixels reach the output."""
    _, view = solid_window(comp, color, app_id)
    image = comp.screenshot()
    assert image.getpixel((view["x"] + 3, view["y"] + 3)) == rgb(color)


# -- connections ----------------------------------------------------------------------------


def test_out_of_fds_no_busy_loop_and_others_served(make_compositor):
    """With the fd limit at 1024 and no client limit below it, ~500 idle connections use
    up the compositor's fds: the ones past it are told so and closed (the spare fd), the
    loop does not spin, a queued control connection waits without spinning either, the
    log stays short, a client already connected keeps its window, and once the hog goes a
    new client connects and fds come back to the baseline."""
    with fd_limit(1024):
        comp = make_compositor(args=["--max-clients", "5000", "--max-client-connections", "5000"])
    innocent, _ = solid_window(comp, "336699", "test.before")
    wait_for(lambda: comp.open_fds() > 0)
    baseline_fds = comp.open_fds()
    baseline_clients = clients(comp)
    baseline_rss = rss_kib(comp)
    hog, report = conn_hog(comp, 700)
    try:
        # Every connection was answered: taken, or refused with a reason.
        assert report["silent"] == report["connect_failed"] == 0, f"not answered: {report}"
        # Each client costs two fds: the compositor took about (1024 - its own) / 2.
        assert 400 < report["accepted"] < 512, report
        assert all(
            "Too many open files" in m or "out of file descriptors" in m for m in report["refused"]
        ), report
        # A control connection now waits in the socket's queue (no fd to accept it with).
        queued = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        queued.connect(str(comp.control_path))
        queued.sendall(b'{"cmd": "ping"}\n')
        log_before = comp.log_path.stat().st_size
        share = cpu_share(comp.pid)
        assert share < 0.5, f"the compositor used {share:.0%} of a CPU while out of fds"
        grown = comp.log_path.stat().st_size - log_before
        assert grown < 4096, f"the log grew {grown} bytes in 2 s while out of fds"
    except AssertionError:
        comp.stop(check=False)  # a spinning compositor's log is too big to show
        raise
    # The open control connection and the connected window are served all along.
    assert comp.ctl_ok("ping")["pid"] == comp.pid
    assert any(v["app_id"] == "test.before" for v in comp.views())
    sync(innocent)  # a roundtrip on its connection: served
    release(hog)
    wait_for(lambda: clients(comp) == baseline_clients, 10, what="the hog's clients to go")
    # The queued control connection is accepted once fds are free again.
    queued.settimeout(5)
    assert b'"ok": true' in queued.recv(4096)
    queued.close()
    innocent_window(comp, "996633", "test.after")
    assert innocent.poll() is None
    comp.clients.pop().kill()  # the new window's client
    wait_for(
        lambda: comp.open_fds() == baseline_fds,
        10,
        what=f"fds back to {baseline_fds} (now {comp.open_fds()})",
    )
    assert_rss_back(comp, baseline_rss)
    text = comp.log()
    assert text.count("refused a connection") <= 4, "refusals are logged at a bounded rate"
    assert "failed to accept" not in text


def test_connection_limits_per_process_and_in_all(make_compositor):
    """--max-client-connections stops one process, --max-clients all of them, each with a
    wl_display.error naming the option; a client of another process is served meanwhile."""
    comp = make_compositor(args=["--max-client-connections", "4", "--max-clients", "8"])
    innocent, _ = solid_window(comp, "336699", "test.before")
    baseline_fds = comp.open_fds()
    baseline_clients = clients(comp)
    hog1, report1 = conn_hog(comp, 6)
    assert report1["accepted"] == 4, report1
    ((message, count),) = report1["refused"].items()
    assert count == 2 and "(--max-client-connections)" in message, report1
    sync(innocent)  # another process: served
    # 1 + 4 clients: a second process gets three more, then the total is reached.
    hog2, report2 = conn_hog(comp, 6)
    assert report2["accepted"] == 3, report2
    ((message, count),) = report2["refused"].items()
    assert count == 3 and "limit is 8 (--max-clients)" in message, report2
    sync(innocent)
    release(hog2)
    wait_for(lambda: clients(comp) == baseline_clients + 4, 10, what="hog2's clients to go")
    innocent_window(comp, "996633", "test.after")
    release(hog1)
    comp.clients.pop().kill()
    wait_for(lambda: clients(comp) == baseline_clients, 10, what="the clients to go")
    wait_for(lambda: comp.open_fds() == baseline_fds, 10, what="fds back to the baseline")
    text = comp.log()
    assert "(--max-client-connections)" in text and "(--max-clients)" in text


# -- wl_shm -----------------------------------------------------------------------------------


def shm_hog(comp, mode: str, *args: str) -> tuple[subprocess.Popen, dict]:
    """tests/clients/shm_hog.py in ``mode``; (process, its report), its connection still
    open (if the compositor did not close it)."""
    proc = comp.spawn(
        [sys.executable, "-m", "tests.clients.shm_hog", mode, *args],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    assert line, proc.stderr.read()
    return proc, json.loads(line)


def shm_left_over(comp) -> dict:
    """The clients connected, and what all clients' wl_shm counts hold beyond what the
    connected clients hold (pools and buffers of clients gone: 0 when all were freed)."""
    stats = comp.ctl_ok("stats", objects=0)
    held = [c["wl_shm"] for c in comp.ctl_ok("clients")["clients"] if c["wl_shm"]]
    left = {
        k: stats[f"shm_{k}"] - sum(h[k]["used"] for h in held)
        for k in ("pools", "buffers", "bytes", "mapped")
    }
    return {"clients": stats["clients"], **left}


def mappings(comp) -> int:
    with open(f"/proc/{comp.pid}/maps") as maps:
        return sum(1 for _ in maps)


class Baseline:
    """The compositor's fds, RSS, wl_shm counts and mappings, with an innocent window up."""

    def __init__(self, comp) -> None:
        self.comp = comp
        self.innocent, _ = solid_window(comp, "336699", "test.innocent")
        self.fds = comp.open_fds()
        self.rss = rss_kib(comp)
        # Two control calls: the innocent client may swap buffers between them.
        self.shm = wait_for(
            lambda: (
                (s := shm_left_over(comp))
                and not any(v for k, v in s.items() if k != "clients")
                and s
            ),
            10,
            what="all wl_shm held by the clients connected",
        )
        self.maps = mappings(comp)

    def refused(self, report: dict, interface: str, code: int, words: str) -> None:
        """The hostile client got the error naming its limit; the innocent one was served
        meanwhile, and a new one connects and shows its pixels."""
        error = report["error"]
        assert error is not None, f"nothing refused: {report}"
        assert (error["interface"], error["code"]) == (interface, code), error
        assert words in error["message"], error
        sync(self.innocent)

    def back(self, hog: subprocess.Popen) -> None:
        release(hog)
        comp = self.comp
        wait_for(
            lambda: shm_left_over(comp) == self.shm,
            10,
            what=f"wl_shm counts back to {self.shm} (now {shm_left_over(comp)})",
        )
        innocent_window(comp, "996633", "test.after")
        comp.clients.pop().kill()
        wait_for(lambda: shm_left_over(comp) == self.shm, 10, what="the new window's wl_shm gone")
        wait_for(
            lambda: comp.open_fds() == self.fds,
            10,
            what=f"fds back to {self.fds} (now {comp.open_fds()})",
        )
        assert mappings(comp) <= self.maps + 8, f"mappings {self.maps} -> {mappings(comp)}"
        assert_rss_back(comp, self.rss)
        sync(self.innocent)


WL_DISPLAY_NO_MEMORY = 2
WL_SHM_INVALID_STRIDE = 1
WL_SHM_INVALID_FD = 2


def test_shm_bytes_of_buffers_stop_at_the_limit(make_compositor):
    """The hostile review's 2 GiB of 64 MiB buffers, attached and committed: stopped at
    --max-client-shm-bytes."""
    comp = make_compositor(args=["--max-client-shm-bytes", str(256 << 20)])
    base = Baseline(comp)
    hog, report = shm_hog(comp, "bytes", "--mib", "64", "--count", "32")
    base.refused(report, "wl_display", WL_DISPLAY_NO_MEMORY, "> 268435456 (--max-client-shm-bytes)")
    assert report["made"] == 4, report
    assert comp.ctl_ok("limits")["shm"]["refused"] == 1
    base.back(hog)
    assert "(--max-client-shm-bytes)" in comp.log()


def test_shm_one_page_pools_stop_at_the_limit(make_compositor):
    """Thousands of one-page pools, each a mapping in the compositor: stopped at
    --max-client-shm-pools, the compositor's mappings back to the baseline after."""
    comp = make_compositor()
    base = Baseline(comp)
    hog, report = shm_hog(comp, "pools", "--count", "5000")
    base.refused(
        report,
        "wl_display",
        WL_DISPLAY_NO_MEMORY,
        "1024 pools, the limit (--max-client-shm-pools)",
    )
    assert 896 <= report["made"] <= 1024, report
    base.back(hog)


def test_shm_pools_of_all_clients_stop_at_the_limit(make_compositor):
    """Two clients within their own limit reach --max-shm-pools together: the second is
    refused; once it is gone, a new client gets its pools."""
    comp = make_compositor(args=["--max-shm-pools", "300", "--max-client-shm-pools", "200"])
    base = Baseline(comp)
    hog1, report1 = shm_hog(comp, "pools", "--count", "200")
    assert report1["error"] is None and report1["made"] == 200, report1
    hog2, report2 = shm_hog(comp, "pools", "--count", "200")
    base.refused(report2, "wl_display", WL_DISPLAY_NO_MEMORY, "the limit (--max-shm-pools)")
    release(hog2)
    base.back(hog1)


def test_shm_buffers_stop_at_the_limit(make_compositor):
    comp = make_compositor(args=["--max-client-shm-buffers", "500"])
    base = Baseline(comp)
    hog, report = shm_hog(comp, "buffers", "--count", "2000")
    base.refused(
        report,
        "wl_display",
        WL_DISPLAY_NO_MEMORY,
        "500 buffers, the limit (--max-client-shm-buffers)",
    )
    base.back(hog)


def test_shm_pool_resized_past_the_mapped_limit(make_compositor):
    comp = make_compositor(args=["--max-client-shm-mapped", str(1 << 30)])
    base = Baseline(comp)
    hog, report = shm_hog(comp, "resize", "--mib", "2000")
    base.refused(
        report,
        "wl_display",
        WL_DISPLAY_NO_MEMORY,
        "> 1073741824 (--max-client-shm-mapped)",
    )
    base.back(hog)


def test_shm_buffer_larger_than_the_renderer_draws(make_compositor):
    """A buffer wider than --max-buffer-size (or what the renderer draws) is refused on its
    pool (wl_shm.invalid_stride); one at the limit is taken."""
    comp = make_compositor(args=["--max-buffer-size", "4096"])
    base = Baseline(comp)
    hog, report = shm_hog(comp, "size", "--size", "4096x64")
    assert report["error"] is None, report
    release(hog)
    hog, report = shm_hog(comp, "size", "--size", "64x4097")
    base.refused(
        report,
        "wl_shm_pool",
        WL_SHM_INVALID_STRIDE,
        "64x4097: the most is 4096 (--max-buffer-size)",
    )
    base.back(hog)


def test_shm_pool_larger_than_its_file(make_compositor):
    """A client that lies about its pool's size (it would SIGBUS the compositor's reads)."""
    comp = make_compositor()
    base = Baseline(comp)
    hog, report = shm_hog(comp, "lie", "--mib", "64")
    base.refused(
        report,
        "wl_shm",
        WL_SHM_INVALID_FD,
        "a pool of 67108864 bytes on a file of 4096 bytes",
    )
    base.back(hog)


def test_shm_use_against_limits_in_clients_top_and_stats(make_compositor):
    """What a client holds, the most it held, and its limits: `clients`, `top`, `stats` and
    `limits` agree with what the client made."""
    from compositor.inspect.top import cell, rows

    comp = make_compositor(args=["--max-client-shm-buffers", "100"])
    hog, report = shm_hog(comp, "buffers", "--count", "40")
    assert report["error"] is None, report
    (client,) = comp.ctl_ok("clients", pid=hog.pid)["clients"]
    shm = client["wl_shm"]
    assert shm["pools"] == {"used": 1, "peak": 1, "limit": 1024}
    assert shm["buffers"] == {"used": 40, "peak": 40, "limit": 100}
    assert shm["bytes"] == {"used": 40 * 4, "peak": 40 * 4, "limit": 4 << 30}
    assert shm["mapped"] == {"used": 4096, "peak": 4096, "limit": 16 << 30}
    assert shm["refused"] == 0
    stats = comp.ctl_ok("stats", objects=0)
    assert (stats["shm_pools"], stats["shm_buffers"], stats["shm_mapped"]) == (1, 40, 4096)
    limits = comp.ctl_ok("limits")
    assert limits["per_client"]["shm_buffers"] == 100
    assert limits["shm"]["buffers"] == 40 and limits["connections"]["accepted"] >= 1
    (row,) = [r for r in rows(comp.ctl_ok("clients")) if r["PID"] == hog.pid]
    assert cell(row, "SHM") == "160 B of 4.0 GiB"
    release(hog)
    wait_for(
        lambda: comp.ctl_ok("stats", objects=0)["shm_buffers"] == 0,
        10,
        what="the buffers to go with the client",
    )
