"""Hostile clients against the per-client limits on objects and fds
(compositor/limits_objects.py, ffi/csrc/client_objects.c): each is stopped with the
error naming its limit and option, a log line names it, another client gets its roundtrip
meanwhile, and the compositor's live counts come back to where they were once it is gone."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from compositor.inspect.top import cell, rows
from tests.conftest import WL_DRM_TEST_ARGS
from tests.harness import wait_for
from tests.helpers import solid_window, sync
from tests.limits.test_limits import assert_rss_back, fd_limit, rss_kib

WL_DISPLAY_NO_MEMORY = 2


def object_hog(comp, mode: str, *args: str) -> tuple[subprocess.Popen, dict]:
    """tests/clients/object_hog.py in ``mode``; (process, its report), its connection still
    open if the compositor did not close it."""
    proc = comp.spawn(
        [sys.executable, "-m", "tests.clients.object_hog", mode, *args],
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
    assert proc.wait(30) == 0


def totals(comp) -> dict:
    return comp.ctl_ok("limits")["objects"]["all_clients"]


def held_by(comp, pid: int) -> dict:
    (client,) = comp.ctl_ok("clients", pid=pid)["clients"]
    return client["limits"]


class Baseline:
    """All clients' object counts with an innocent window up (one client, its objects
    exact), to come back to."""

    def __init__(self, comp) -> None:
        self.comp = comp
        self.innocent, _ = solid_window(comp, "336699", "test.innocent")
        self.fds = comp.open_fds()
        self.counts = wait_for(lambda: self._settled(), 10, what="counts settled")

    def _settled(self) -> dict | None:
        """All clients' figures when they equal the sum of the connected clients' (an
        exact reading: nothing of a client gone is left); None while they differ."""
        all_clients = totals(self.comp)
        listed = self.comp.ctl_ok("clients")["clients"]
        for name in ("objects", "surfaces", "regions", "callbacks", "dmabuf_fds"):
            if all_clients[name] != sum(c["limits"][name]["used"] for c in listed):
                return None
        return {k: all_clients[k] for k in ("objects", "surfaces", "subsurfaces", "regions",
                                             "data_sources", "dmabuf_buffers", "dmabuf_fds",
                                             "parked_fds", "clients")}  # fmt: skip

    def refused(self, report: dict, words: str) -> None:
        """The hostile client got wl_display.no_memory naming its limit; the innocent one
        gets its roundtrip."""
        error = report["error"]
        assert error is not None, f"nothing refused: {report}"
        assert (error["interface"], error["code"]) == ("wl_display", WL_DISPLAY_NO_MEMORY), error
        assert words in error["message"], error
        sync(self.innocent)

    def back(self, hog: subprocess.Popen) -> None:
        release(hog)
        wait_for(lambda: self._settled() == self.counts, 20,
                 what=f"counts back to {self.counts} (now {self._settled()})")  # fmt: skip
        # At most the baseline's: it may have caught a control connection's fd in passing.
        wait_for(
            lambda: self.comp.open_fds() <= self.fds,
            20,
            what=f"fds back to {self.fds} (now {self.comp.open_fds()})",
        )
        sync(self.innocent)


@pytest.mark.parametrize(
    ("mode", "option", "words"),
    [
        ("regions", "--max-client-regions", "wl_region objects, over the limit of 1000"),
        ("surfaces", "--max-client-surfaces", "wl_surface objects, over the limit of 1000"),
        ("callbacks", "--max-client-callbacks", "wl_callback objects"),
        ("data_sources", "--max-client-data-sources", "data sources, over the limit of 1000"),
    ],
)
def test_objects_of_a_kind_stop_at_the_limit(make_compositor, mode, option, words):
    """100,000 of one kind asked for: the client is stopped at the kind's limit, with the
    error naming it and its option, and a log line naming the client."""
    comp = make_compositor(args=[option, "1000"])
    base = Baseline(comp)
    hog, report = object_hog(comp, mode, "--count", "100000")
    base.refused(report, words)
    assert option in report["error"]["message"]
    assert report["made"] <= 1000, report
    assert f"client pid {hog.pid} disconnected: 1001 " in comp.log()
    assert comp.ctl_ok("limits")["objects"]["all_clients"]["refused"] == 1
    base.back(hog)


def test_subsurfaces_stop_at_the_limit(make_compositor):
    comp = make_compositor(args=["--max-client-subsurfaces", "300"])
    base = Baseline(comp)
    hog, report = object_hog(comp, "subsurfaces", "--count", "100000")
    base.refused(report, "301 wl_subsurface objects, over the limit of 300 "
                 "(--max-client-subsurfaces)")  # fmt: skip
    base.back(hog)


def test_all_objects_stop_at_the_limit(make_compositor):
    """Regions under their own limit, but objects of every kind together over theirs."""
    comp = make_compositor(args=["--max-client-objects", "2000"])
    base = Baseline(comp)
    hog, report = object_hog(comp, "regions", "--count", "100000")
    base.refused(report, "objects, over the limit of 2000 (--max-client-objects)")
    base.back(hog)


def test_hostile_client_with_the_default_limits_leaves_another_served(make_compositor):
    """The defaults: 100,000 regions asked for, the client stopped at --max-client-regions'
    default; a second client connects and gets its roundtrip and its window meanwhile."""
    comp = make_compositor()
    base = Baseline(comp)
    rss = rss_kib(comp)
    default = comp.ctl_ok("limits")["per_client"]["regions"]
    hog, report = object_hog(comp, "regions", "--count", "100000")
    base.refused(report, f"{default + 1} wl_region objects, over the limit of {default}")
    other, _ = solid_window(comp, "996633", "test.other")
    sync(other)
    other.kill()
    other.wait()
    base.back(hog)
    assert_rss_back(comp, rss)


def test_fds_parked_in_the_socket_stop_at_the_limit(make_compositor):
    """Requests carrying fds no request takes: parked in libwayland's queue, counted, and
    the client stopped at --max-client-fds."""
    comp = make_compositor(args=["--max-client-fds", "100"])
    base = Baseline(comp)
    hog, report = object_hog(comp, "parked", "--count", "2800")
    base.refused(report, "parked in the socket's queue), over the limit of 100 "
                 "(--max-client-fds)")  # fmt: skip
    assert report["made"] < 2800, report
    base.back(hog)


def test_fds_parked_without_a_whole_request_are_found(make_compositor):
    """fds sent with a few bytes that never make a request: nothing is dispatched, the
    periodic look finds them, the client is told and disconnected."""
    comp = make_compositor(args=["--max-client-fds", "100"])
    base = Baseline(comp)
    hog, report = object_hog(comp, "parked_partial", "--count", "140", "--wait", "60")
    base.refused(report, "over the limit of 100 (--max-client-fds)")
    base.back(hog)


def test_use_against_limits_in_clients_and_limits(make_compositor):
    """What a client holds, in `clients` (each figure: used, peak, limit) and `limits`
    (all clients): exact counts of what the client made."""
    comp = make_compositor()
    base = Baseline(comp)
    hog, report = object_hog(comp, "regions", "--count", "512")
    assert report["error"] is None, report
    held = held_by(comp, hog.pid)
    assert held["regions"] == {"used": 512, "peak": 512, "limit": 4096}
    # wl_display, wl_registry, the globals it bound, 512 regions: nothing else is live
    bound = len(comp.ctl_ok("clients", pid=hog.pid)["clients"][0]["globals"])
    assert held["objects"]["used"] == 2 + bound + 512, held
    assert held["fds"]["limit"] == 512 and held["parked_fds_known"] is True
    assert totals(comp)["regions"] == base.counts["regions"] + 512
    (row,) = [r for r in rows(comp.ctl_ok("clients")) if r["PID"] == hog.pid]
    assert cell(row, "OBJ") == f"{held['objects']['used']} of 50000"
    release(hog)
    wait_for(
        lambda: totals(comp)["regions"] == base.counts["regions"], 20, what="the regions freed"
    )


def test_wl_drm_prime_buffers_stop_at_the_limit(make_compositor):
    """wl_drm's PRIME buffers (memfd-backed here: the host has no dma-buf) have their own
    limits, shown in `limits` beside the others: the 5th buffer of 1 MiB is refused past
    --max-client-bytes 4 MiB."""
    comp = make_compositor(args=[*WL_DRM_TEST_ARGS, "--max-client-bytes", str(4 << 20)])
    base = Baseline(comp)
    assert comp.ctl_ok("limits")["per_client"]["wl_drm_bytes"] == 4 << 20
    hog, report = object_hog(comp, "wl_drm", "--count", "10", "--mib", "1")
    base.refused(report, "(--max-client-bytes)")
    assert report["made"] == 4, report
    base.back(hog)


def test_fds_of_all_clients_stop_at_the_compositors_share(make_compositor):
    """Two clients each under --max-client-fds, together past all clients' share of the fd
    limit (ulimit -n 300: (300 - 128) / 2 = 86): the one that adds past it is refused, the
    first keeps its connection."""
    with fd_limit(300):
        comp = make_compositor()
    assert totals(comp)["max_fds_all_clients"] == 86
    base = Baseline(comp)
    first, report1 = object_hog(comp, "parked", "--count", "56")
    assert report1["error"] is None, report1
    second, report2 = object_hog(comp, "parked", "--count", "56")
    base.refused(report2, "over the compositor's limit of 86 (a share of ulimit -n)")
    assert held_by(comp, first.pid)["parked_fds"]["used"] == 56
    release(second)
    base.back(first)
