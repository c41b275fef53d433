"""The crashes a new user met in their first hour, each reproduced as it happened.

Every compositor runs with MALLOC_PERTURB_ (tests/harness.py), so a read of freed memory
fails these tests every time rather than now and then.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys

import pytest

from tests.conftest import needs
from tests.helpers import solid_window, sync, wait_for_line
from tests.waiting import wait_for


def devices(comp) -> tuple[int, int]:
    stats = comp.ctl_ok("stats", objects=0)
    return stats["keyboards"], stats["pointers"]


def tracers(comp) -> int:
    return comp.ctl_ok("stats", objects=0)["tracers"]


def click(comp, view: dict) -> None:
    comp.ctl_ok("pointer-move", x=view["x"] + view["width"] // 2, y=view["y"] + view["height"] // 2)
    comp.ctl_ok("pointer-button")


def focused(comp) -> str | None:
    return next((v["app_id"] for v in comp.views() if v["focused"]), None)


@needs("wtype")
def test_focus_change_after_a_virtual_keyboard_went(compositor):
    """wtype's keyboard was the seat's last keyboard when it went: the next keyboard
    focus change read it (wlr_seat_keyboard_send_modifiers near NULL)."""
    first, first_view = solid_window(compositor, "3366cc", "test.first")
    second, second_view = solid_window(compositor, "cc6633", "test.second")
    assert focused(compositor) == "test.second"
    typed = compositor.run_client(["wtype", "echo a"])
    assert typed.returncode == 0, typed.stderr
    wait_for(lambda: devices(compositor) == (1, 1), 10, what="wtype's keyboard to go")
    click(compositor, first_view)
    wait_for(lambda: focused(compositor) == "test.first", 10, what="the click to focus")
    # The window that got the focus was told the keyboard's modifiers (none held).
    wait_for_line(first, lambda line: line == "keyboard-enter")
    # A key from the remaining (headless) keyboard reaches it: the seat has a keyboard.
    compositor.ctl_ok("key", key="a")
    wait_for_line(first, lambda line: line == "key 30 1")
    # A new window takes the focus too.
    third, _ = solid_window(compositor, "66cc33", "test.third")
    wait_for(lambda: focused(compositor) == "test.third", 10, what="the new window's focus")
    sync(third)
    assert compositor.alive()


def _control_socket(comp) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(str(comp.control_path))
    return sock


def _read_line(sock: socket.socket) -> dict:
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(1)
        assert chunk, "the compositor closed the connection"
        data += chunk
    return json.loads(data)


def test_a_trace_whose_reader_went_while_a_line_was_sent(compositor):
    """The tracer's reader stopped reading (shut down its end) and the next traced message
    found the socket broken: the logger was destroyed inside libwayland's walk over its
    loggers, which then read freed memory."""
    window, _ = solid_window(compositor, "3366cc", "test.traced")
    for _round in range(3):
        tracer = _control_socket(compositor)
        tracer.sendall(b'{"cmd": "trace"}\n')
        assert _read_line(tracer) == {"ok": True, "streaming": True}
        wait_for(lambda: tracers(compositor) == 1, 10, what="a tracer")
        tracer.shutdown(socket.SHUT_RD)  # sending to it now fails with EPIPE
        sync(window)  # protocol traffic: each message is traced
        sync(window)
        wait_for(lambda: tracers(compositor) == 0, 10, what="the tracer to go")
        tracer.close()
    assert compositor.alive()


def test_a_trace_killed_mid_stream(compositor):
    """`pydrm-ctl trace` killed with SIGTERM while a window and clicks are traced."""
    window, view = solid_window(compositor, "3366cc", "test.traced")
    for _round in range(3):
        trace = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "compositor.control_client",
                "--socket",
                str(compositor.control_path),
                "trace",
            ],
            env=compositor.client_env(),
            stdout=subprocess.PIPE,
            text=True,
        )
        wait_for(lambda: tracers(compositor) == 1, 10, what="a tracer")
        click(compositor, view)
        sync(window)
        assert "pid" in trace.stdout.readline()  # traced lines are coming
        trace.send_signal(signal.SIGTERM)
        click(compositor, view)
        sync(window)
        trace.wait(10)
        wait_for(lambda: tracers(compositor) == 0, 10, what="the tracer to go")
    assert compositor.alive()


def test_a_control_client_that_never_reads_its_replies(compositor):
    """It writes requests and reads nothing: the compositor stops reading it, and frames,
    other control clients and Wayland clients go on."""
    window, _ = solid_window(compositor, "3366cc", "test.busy")
    hog = _control_socket(compositor)
    hog.setblocking(False)
    request = b'{"cmd": "help"}\n' * 64
    written = 0
    try:
        while written < 64 * 1024 * 1024:
            written += hog.send(request)
    except BlockingIOError:
        pass  # both socket buffers are full: the compositor stopped reading
    assert written < 64 * 1024 * 1024
    frames = compositor.frames()
    compositor.ctl_ok("pointer-move", x=10, y=10)
    sync(window)
    wait_for(lambda: compositor.frames() > frames, 10, what="frames while the hog waits")
    rss = _rss_kib(compositor.pid)
    assert rss < 400 * 1024, f"compositor RSS {rss} KiB"
    # Once it reads, it gets its replies, in order.
    hog.setblocking(True)
    assert _read_line(hog)["ok"] is True
    hog.close()
    assert compositor.alive()


def test_a_stream_reader_that_stops_reading_is_dropped(compositor):
    """A trace reader paused (`pydrm-ctl trace | less`) while the traced clients go on:
    its connection is closed at MAX_STREAM_BACKLOG, with a line in the log."""
    window, _ = solid_window(compositor, "3366cc", "test.chatty")
    tracer = _control_socket(compositor)
    tracer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    tracer.sendall(b'{"cmd": "trace"}\n')
    wait_for(lambda: tracers(compositor) == 1, 10, what="a tracer")

    def dropped() -> bool:
        for _ in range(20):
            sync(window)
        return tracers(compositor) == 0

    wait_for(dropped, 60, what="the lagging tracer to be dropped")
    assert "stream reader fell" in compositor.log()
    tracer.close()


def test_bytes_sent_on_a_stream_are_not_kept(compositor):
    """Input on a streaming connection is read and dropped, not kept (60 MiB took the
    compositor's RSS to 124 MiB)."""
    tracer = _control_socket(compositor)
    tracer.sendall(b'{"cmd": "trace", "interface": "wl_nothing"}\n')
    assert _read_line(tracer) == {"ok": True, "streaming": True}
    before = _rss_kib(compositor.pid)
    chunk = b"x" * (1 << 20)
    for _ in range(64):
        tracer.sendall(chunk)
    compositor.ctl_ok("ping")  # the compositor has read what was sent before this
    after = _rss_kib(compositor.pid)
    assert after - before < 16 * 1024, f"RSS grew {after - before} KiB for 64 MiB sent"
    tracer.close()


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _shrink(comp, window, keep: int, dead: bool = False) -> None:
    window.stdin.write(f"shrink-pool {keep}{' dead' if dead else ''}\n")
    window.stdin.flush()
    wait_for_line(window, lambda line: line == f"shrunk {keep}")


@pytest.mark.parametrize("keep", [0, 128 * 1024])
def test_a_client_that_truncates_its_pool_is_disconnected(compositor, keep):
    """A 256x256 wl_shm window truncates its pool's memfd (to nothing, to half) and commits
    the buffer again: the compositor's own pixman copy read it without libwayland's guard
    and died of SIGBUS. Now the client gets a protocol error; nobody else notices."""
    innocent, _ = solid_window(compositor, "33aa55", "test.innocent")
    hostile, view = solid_window(compositor, "cc3333", "test.hostile", size="256x256")
    _shrink(compositor, hostile, keep)
    wait_for_line(hostile, lambda line: line == "disconnected")
    assert hostile.wait(10) == 0
    assert "faulted" in compositor.log()
    frames = compositor.frames()
    sync(innocent)
    compositor.ctl_ok("overlay", name="probe", x=0, y=0, width=8, height=8, color="ffffff")
    wait_for(lambda: compositor.frames() > frames, 10, what="frames after the fault")
    assert [v["app_id"] for v in compositor.views()] == ["test.innocent"]
    assert compositor.alive()


def test_a_destroyed_buffer_whose_pool_shrank_is_read_safely(compositor, tmp_path):
    """The client destroyed the wl_buffer (wlroots keeps showing its memory, now without
    libwayland's guard) and then truncated the file: the next full repaint read it."""
    hostile, view = solid_window(compositor, "cc3333", "test.hostile", size="256x256")
    _shrink(compositor, hostile, 0, dead=True)
    shot = compositor.ctl_ok("screenshot", path=str(tmp_path / "after.png"))
    assert shot["ok"]
    wait_for_line(hostile, lambda line: line == "disconnected")
    assert "faulted" in compositor.log()
    assert compositor.alive()


def test_the_seat_keyboard_unplugged_then_focus_changes(compositor):
    """A USB keyboard pulled out while it is the seat's keyboard (the one that typed last),
    a pointer pulled out mid-press: the next focus change and the keys of the keyboard
    left reach the right window."""
    first, first_view = solid_window(compositor, "3366cc", "test.first")
    second, second_view = solid_window(compositor, "cc6633", "test.second")
    compositor.ctl_ok("input-plug", kind="keyboard")
    compositor.ctl_ok("input-plug", kind="pointer")
    assert devices(compositor) == (2, 2)
    compositor.ctl_ok("key", key="a")  # on the new keyboard: it is the seat's now
    wait_for_line(second, lambda line: line == "key 30 1")
    compositor.ctl_ok("pointer-move", x=first_view["x"] + 5, y=first_view["y"] + 5)
    compositor.ctl_ok("pointer-button", pressed=True)
    compositor.ctl_ok("input-unplug", kind="keyboard")
    compositor.ctl_ok("input-unplug", kind="pointer")  # its button still held
    assert devices(compositor) == (1, 1)
    # The window that got the press gets its release: nothing stays held.
    wait_for_line(first, lambda line: line == "button 272 0")
    click(compositor, second_view)  # the first pointer; focus changes
    wait_for(lambda: focused(compositor) == "test.second", 10, what="the click to focus")
    click(compositor, first_view)
    wait_for(lambda: focused(compositor) == "test.first", 10, what="the click to focus")
    compositor.ctl_ok("key", key="b")  # the first keyboard
    wait_for_line(first, lambda line: line == "key 48 1")
    compositor.ctl_ok("input-unplug", kind="keyboard")  # none left
    assert devices(compositor) == (0, 1)
    click(compositor, second_view)
    wait_for(lambda: focused(compositor) == "test.second", 10, what="focus without a keyboard")
    compositor.ctl_ok("input-plug", kind="keyboard")
    compositor.ctl_ok("key", key="c")
    click(compositor, first_view)
    wait_for(lambda: focused(compositor) == "test.first", 10, what="the click to focus")
    compositor.ctl_ok("key", key="d")
    wait_for_line(first, lambda line: line == "key 32 1")
    assert compositor.alive()


def test_a_trace_while_the_compositor_makes_objects(compositor):
    """While tracing, an event that makes a new object (wl_data_device.data_offer during a
    drag and drop: the compositor's own ids, from 0xff000000) was formatted as if its id
    were a pointer: the compositor died at the first drag over a window (found by the
    chaos run)."""
    from tests.input.test_drag_and_drop import centre, move, pair, start_drag

    trace = subprocess.Popen(
        [sys.executable, "-m", "compositor.control_client", "--socket"]
        + [str(compositor.control_path), "trace", "interface=wl_data_device"],
        env=compositor.client_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    wait_for(lambda: tracers(compositor) == 1, 10, what="a tracer")
    source, source_view, target, target_view = pair(compositor)
    point = start_drag(compositor, source, source_view)
    move(compositor, point, centre(target_view))
    wait_for_line(target, lambda line: line.startswith("dnd-enter"))
    compositor.ctl_ok("pointer-button", pressed=False)
    assert wait_for_line(target, lambda line: line.startswith("dropped"))
    # The trace shows the offer the compositor made, by its id.
    while "data_offer(new id wl_data_offer@" not in (line := trace.stdout.readline()):
        assert line, "the trace ended"
    assert int(line.split("wl_data_offer@")[1].split(")")[0]) >= 0xFF000000
    trace.terminate()
    trace.wait(10)
    assert compositor.alive()
