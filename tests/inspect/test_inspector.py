"""The inspector with real clients: ``pydrm-ctl clients`` says what each client shares, how it
reached the output, what it cost, and why it is not zero-copy.

No /dev/dri here: wl_drm advertises /dev/dri/renderD128 on purpose (``--wl-drm-device``), so
Mesa's EGL cannot open it and falls back to wl_shm (what the inspector must diagnose), while
our own wl_drm client shares memfd-backed PRIME buffers through the same mmap path a dma-buf
takes under pixman.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from compositor.inspect.diagnosis import SCANOUT_PATH, Context, diagnose, scanout_notes, zero_copy
from tests.clients.wl_drm_client import XRGB8888, WlDrmClient, memfd_buffer
from tests.conftest import needs
from tests.helpers import wait_for_line
from tests.waiting import wait_for


@pytest.fixture
def comp(wl_drm_compositor):
    return wl_drm_compositor


def client_of(comp, pid: int) -> dict:
    clients = comp.ctl_ok("clients", pid=pid)["clients"]
    assert len(clients) == 1, clients
    return clients[0]


def toplevel(client: dict) -> dict:
    return next(s for s in client["surfaces"] if s["role"] == "xdg_toplevel")


@needs("weston-simple-egl")
def test_a_mesa_egl_client_that_fell_back_to_shm_is_diagnosed(comp):
    proc = comp.spawn(["weston-simple-egl"])
    comp.wait_for_view("org.freedesktop.weston.simple-egl", timeout=30)
    client = client_of(comp, proc.pid)
    assert client["exe"] == "/usr/bin/weston-simple-egl"
    assert client["globals"]["wl_drm"] == 2 and client["globals"]["wl_compositor"] >= 1
    assert client["wl_drm"]["authentication"] == "not asked"
    surface = toplevel(client)
    assert surface["buffer"]["kind"] == "wl_shm"
    assert surface["buffer"]["format"] in ("AR24", "XR24")
    assert surface["path"] == "pixman reads the client's mapping (CPU)"
    assert "bound wl_drm but never authenticated" in client["diagnosis"]
    assert any("its EGL fell back to software rendering" in d for d in client["diagnosis"])
    assert client["zero_copy"] is False


def test_a_wl_drm_client_shows_its_prime_buffer_and_what_it_cost(comp):
    proc = comp.spawn(
        [sys.executable, "-m", "tests.clients.wl_drm_client", "--authenticate"], text=True
    )
    wait_for_line(proc, lambda line: line == "mapped", timeout=30)
    client = wait_for(
        lambda: (
            (c := client_of(comp, proc.pid))
            and toplevel(c)["commits"] >= 1
            and toplevel(c)["frames_shown"] >= 1
            and c
        ),
        20,
        what="the wl_drm client's first commit",
    )
    surface = toplevel(client)
    buffer = surface["buffer"]
    assert buffer == {
        "kind": "wl_drm PRIME memfd",
        "format": "XR24",
        "modifier": "implicit",
        "planes": [{"offset": 0, "stride": 640}],
        "width": 160,
        "height": 120,
        "bytes": 76800,
    }
    assert surface["path"] == "pixman reads the client's mapping (CPU)"
    # One commit of the whole buffer: pixman read all of it once.
    assert (surface["commits"], surface["bytes_copied"]) == (1, 76800)
    assert client["wl_drm"]["buffers"] == 1 and client["wl_drm"]["bytes"] == 76800
    assert client["wl_drm"]["authentication"] == "render node: no authentication needed"
    assert any("backed by memfds" in d for d in client["diagnosis"])


def commit_and_wait_until_shown(client: WlDrmClient, surface, buffer, width: int, height: int):
    """One commit of the whole buffer, then wait for its frame callback: the compositor
    drew a frame with it (nothing else changes on the output: that frame is this commit's)."""
    done: list[int] = []
    callback = surface.frame()
    callback.dispatcher["done"] = lambda _, time: done.append(time)
    surface.attach(buffer, 0, 0)
    surface.damage(0, 0, width, height)
    surface.commit()
    wait_for(lambda: client.roundtrip() or done, 10, interval=0.002, what="the frame callback")


def test_rates_are_what_the_client_did_per_second_between_two_calls(comp):
    """The test is the client: it knows how many commits (each a whole 160x120 XRGB buffer,
    each shown in its own frame) it made between two ``clients`` calls, and it times the
    calls itself. The compositor's interval lies between the end of the first call and the
    start of the second, and the start of the first and the end of the second: the rates
    must lie between what those two intervals give. 1.5 s apart, so that a count per call
    (12) is not taken for a rate per second (8)."""
    commits, width, height, interval = 12, 160, 120, 1.5
    frame_bytes = width * height * 4
    client = WlDrmClient(str(comp.runtime_dir / comp.socket))
    try:
        fd = memfd_buffer(width, height, width * 4, 0x33CC66)
        buffer = client.create_prime_buffer(fd, width, height, XRGB8888, 0, width * 4)
        os.close(fd)
        surface = client.show(buffer, width, height, app_id="test.rates")
        commit_and_wait_until_shown(client, surface, buffer, width, height)
        start_first = time.monotonic()
        first = toplevel(client_of(comp, os.getpid()))
        end_first = time.monotonic()
        assert first["commits_per_s"] is None  # nothing to compare with yet
        assert first["commits"] == 2  # show()'s and the one above
        for _ in range(commits):
            commit_and_wait_until_shown(client, surface, buffer, width, height)
        time.sleep(max(0.0, end_first + interval - time.monotonic()))
        start_second = time.monotonic()
        second = toplevel(client_of(comp, os.getpid()))
        end_second = time.monotonic()
    finally:
        client.close()
    longest, shortest = end_second - start_first, start_second - end_first
    assert second["commits"] - first["commits"] == commits
    assert second["frames_shown"] - first["frames_shown"] == commits
    assert second["bytes_copied"] - first["bytes_copied"] == commits * frame_bytes
    # Rounded to 0.1 (commits, frames) and to 1 (bytes) by the inspector.
    for key, done, rounding in (
        ("commits_per_s", commits, 0.05),
        ("frames_shown_per_s", commits, 0.05),
        ("bytes_copied_per_s", commits * frame_bytes, 0.5),
    ):
        low, high = done / longest - rounding, done / shortest + rounding
        assert low <= second[key] <= high, f"{key} {second[key]} not in [{low}, {high}]"


def test_diagnosis_of_a_zero_copy_client_is_empty():
    context = Context("gles2", True, "/dev/dri/renderD128", True)
    client = {
        "globals": {"zwp_linux_dmabuf_v1": 3},
        "wl_drm": None,
        "surfaces": [
            {
                "role": "xdg_toplevel",
                "fullscreen": True,
                "buffer": {"kind": "linux-dmabuf"},
                "path": "EGLImage (no copy)",
            }
        ],
    }
    assert diagnose(client, context) == [] and zero_copy(client)
    # Not fullscreen: composited, still with no copy; why it is not scanned out is said
    # apart (zero-copy and direct scan-out are two facts).
    client["surfaces"][0]["fullscreen"] = False
    assert diagnose(client, context) == [] and zero_copy(client)
    assert scanout_notes(client) == [
        "not fullscreen: direct scanout needs one opaque surface covering the output"
    ]
    client["surfaces"][0]["path"] = SCANOUT_PATH
    assert zero_copy(client) and scanout_notes(client) == []
    # Copied: a GL upload of wl_shm is not zero-copy, whatever else the client shows.
    client["surfaces"].append(
        {"role": "wl_subsurface", "fullscreen": False, "buffer": {"kind": "wl_shm"},
         "path": "GL texture upload (CPU copy of the damage)"}
    )
    assert not zero_copy(client)


def ctl_argv(comp) -> list[str]:
    return [sys.executable, "-m", "compositor.control_client", "--socket", str(comp.control_path)]


@needs("weston-simple-shm")
def test_top_json_streams_one_snapshot_per_line(comp):
    proc = comp.spawn(["weston-simple-shm"])
    comp.wait_for_view("org.freedesktop.weston.simple-shm", timeout=30)
    result = comp.run_client(
        [*ctl_argv(comp), "top", "--json", "--count", "2", "--interval", "0.2"]
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    snapshots = [json.loads(line) for line in lines]
    assert [c["pid"] for c in snapshots[1]["clients"]] == [proc.pid]
    assert snapshots[1]["clients"][0]["commits_per_s"] > 0


@needs("tmux", "weston-simple-shm")
def test_top_renders_in_a_real_terminal(comp, tmp_path):
    comp.spawn(["weston-simple-shm"])
    comp.wait_for_view("org.freedesktop.weston.simple-shm", timeout=30)
    session = f"pydrm-top-{comp.socket}"
    tmux = ["tmux", "-L", session]
    command = " ".join(ctl_argv(comp)) + " top --interval 0.5"
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", session, "-x", "180", "-y", "12", command],
        check=True,
        env={**comp.env, "TERM": "xterm-256color"},
    )

    def screen() -> str:
        return subprocess.run(
            [*tmux, "capture-pane", "-p", "-t", session], capture_output=True, text=True
        ).stdout

    try:
        text = wait_for(
            lambda: (s := screen()) and "weston-simple-shm" in s and "MiB" in s and s,
            30,
            what="top's row for weston-simple-shm",
        )
        assert "wl_shm XR24" in text and "pixman reads the client's mapping" in text
        assert "sorted by COPIED/S" in text
        subprocess.run([*tmux, "send-keys", "-t", session, "s"], check=True)
        wait_for(lambda: "sorted by COMMITS/S" in screen(), 10, what="the sort key to change")
        subprocess.run([*tmux, "send-keys", "-t", session, "q"], check=True)
        wait_for(
            lambda: subprocess.run([*tmux, "has-session", "-t", session]).returncode != 0,
            10,
            what="top to quit on q",
        )
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)


def test_trace_shows_a_create_prime_buffer_with_its_fields_and_fd(comp):
    tracer = comp.spawn([*ctl_argv(comp), "trace", "interface=wl_drm"], text=True)
    wait_for(lambda: comp.ctl_ok("stats", objects=0)["tracers"] == 1, 20, what="the tracer")
    proc = comp.spawn([sys.executable, "-m", "tests.clients.wl_drm_client"], text=True)
    wait_for_line(proc, lambda line: line == "mapped", timeout=30)
    device = wait_for_line(tracer, lambda line: ".device(" in line)
    assert f"pid {proc.pid}: -> wl_drm@" in device
    assert device.endswith('.device("/dev/dri/renderD128")')
    line = wait_for_line(tracer, lambda line: ".create_prime_buffer(" in line)
    # WAYLAND_DEBUG's format: the new id with its interface, the fd, every int.
    args = line.split(".create_prime_buffer(")[1].rstrip(")").split(", ")
    assert args[0].startswith("new id wl_buffer@") and args[1].startswith("fd ")
    assert args[2:] == ["160", "120", "875713112", "0", "640", "0", "0", "0", "0"]
    assert f"pid {proc.pid}: " in line
    tracer.terminate()
    tracer.wait(10)
    # The logger goes with its tracer: nothing is logged while no one traces.
    wait_for(lambda: comp.ctl_ok("stats", objects=0)["tracers"] == 0, 20, what="no tracer")
