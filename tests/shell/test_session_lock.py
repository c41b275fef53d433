"""ext-session-lock-v1: lock screens, with swaylock 1.7 and a lock client of the tests' own
(tests/clients/session_locker.py).

While the session is locked, every output shows only the lock (the lock surfaces, or a
solid colour), whatever captures it (grim through screencopy, the screenshot command, the
recorder); no click or key reaches another client and no binding but the way out runs; a
locker that dies (swaylock killed with SIGKILL) leaves the session locked, and only a new
locker unlocks it. A window of a colour no lock uses (green) stands behind the lock.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import needs
from tests.helpers import pixels, solid_window, sync, wait_for_line
from tests.waiting import wait_for

GREEN = "00ff00"
LOCK_BLUE = (0x33, 0x66, 0x99)
ALT, F4 = 56, 62


def start_locker(comp, *options: str):
    """The tests' lock client; returns it once ``locked`` (or ``finished``) came."""
    argv = [sys.executable, "-m", "tests.clients.session_locker", *options]
    return comp.spawn(argv, text=True, stdin=subprocess.PIPE)


def command(proc, line: str) -> None:
    proc.stdin.write(line + "\n")
    proc.stdin.flush()


def locker_sync(proc) -> list[str]:
    """Every line the lock client printed up to a sync point (see solid_window's sync)."""
    token = f"t{os.urandom(4).hex()}"
    command(proc, f"sync {token}")
    wait_for_line(proc, lambda line: line == f"synced {token}")
    return proc._line_reader.seen[:-1]


def state(comp) -> dict:
    return comp.ctl_ok("session-lock")


def shows_green(image) -> bool:
    """Any pixel of the window behind (pure green; the cursor's edges blend, hence > 200)."""
    return any(g > 200 and r < 100 and b < 100 for r, g, b in pixels(image))


def mostly(image, color: tuple[int, int, int]) -> bool:
    """All but the cursor's few pixels are ``color``."""
    count = sum(1 for pixel in pixels(image) if pixel == color)
    return count >= image.width * image.height - 1024


def no_input_reaches(window, since: str = "keyboard-leave") -> None:
    lines, _ = sync(window)
    after = lines[lines.index(since) :] if since in lines else lines
    assert not [line for line in after if line.split()[0] in ("enter", "button", "key")], after


def click_and_type(comp, view: dict) -> None:
    comp.ctl_ok("pointer-move", x=view["x"] + 20, y=view["y"] + 20)
    comp.ctl_ok("pointer-button")
    comp.ctl_ok("type", text="ab")
    comp.ctl_ok("key", key="Alt_L", pressed=True)
    comp.ctl_ok("key", key="F4")
    comp.ctl_ok("key", key="Alt_L", pressed=False)


def swaylock_daemon(comp) -> int:
    """The pid of swaylock's daemon (``-f`` forks after locking: the client's credentials
    name the process that connected, which has exited). Its password checker, forked at
    start, is a swaylock too; the daemon is the one that leads its own session (setsid)."""

    def find() -> int | None:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if (entry / "comm").read_text().strip() != "swaylock":
                    continue
                environ = (entry / "environ").read_bytes().split(b"\0")
                session = (entry / "stat").read_text().rsplit(")", 1)[1].split()[3]
            except OSError:
                continue
            if f"WAYLAND_DISPLAY={comp.socket}".encode() in environ and session == entry.name:
                return int(entry.name)
        return None

    return wait_for(find, 10, what="swaylock's daemon")


def test_a_lock_shows_only_itself_and_takes_every_input(compositor):
    window, view = solid_window(compositor, GREEN, "test.behind", size="400x300")
    wait_for_line(window, lambda line: line == "keyboard-enter")
    locker = start_locker(compositor, "--color", "336699")
    wait_for_line(locker, lambda line: line == "locked")
    wait_for(lambda: state(compositor)["lock_surfaces"] == 1, 10, what="the lock surface")
    wait_for_line(window, lambda line: line == "keyboard-leave")
    image = compositor.screenshot()
    assert not shows_green(image) and mostly(image, LOCK_BLUE)
    click_and_type(compositor, view)
    no_input_reaches(window)
    lines = locker_sync(locker)
    assert "keyboard-enter" in lines and "button 272 1" in lines
    keys = [line for line in lines if line.startswith("key ")]
    # Typed keys and Alt+F4 (no binding runs while locked) reach the lock surface only.
    assert keys == ["key 30 1", "key 30 0", "key 48 1", "key 48 0", f"key {ALT} 1",
                    f"key {F4} 1", f"key {F4} 0", f"key {ALT} 0"]  # fmt: skip
    assert compositor.ctl_ok("input-protocols")["session_locked"] is True
    # Unlocked: the window shows and takes input again.
    command(locker, "unlock")
    wait_for_line(locker, lambda line: line == "unlocked")
    assert state(compositor)["locked"] is False
    wait_for_line(window, lambda line: line == "keyboard-enter")
    assert shows_green(compositor.screenshot())
    compositor.ctl_ok("pointer-move", x=view["x"] + 30, y=view["y"] + 30)
    compositor.ctl_ok("pointer-button")
    wait_for_line(window, lambda line: line == "button 272 1")


def test_before_the_lock_surface_comes_outputs_show_a_solid_colour(compositor):
    solid_window(compositor, GREEN, "test.behind", size="400x300")
    locker = start_locker(compositor, "--no-surfaces")
    wait_for_line(locker, lambda line: line == "locked")
    image = compositor.screenshot()
    assert not shows_green(image) and mostly(image, (0, 0, 0))


@needs("swaylock", "grim")
def test_swaylock_killed_leaves_the_session_locked(compositor, tmp_path):
    window, view = solid_window(compositor, GREEN, "test.behind", size="400x300")
    wait_for_line(window, lambda line: line == "keyboard-enter")
    swaylock = compositor.spawn(["swaylock", "-f", "-c", "336699"], text=True)
    assert swaylock.wait(20) == 0  # -f: it returns once the session is locked
    wait_for(lambda: state(compositor)["lock_surfaces"] == 1, 10, what="swaylock's surface")
    assert mostly(compositor.screenshot(), LOCK_BLUE)
    os.kill(swaylock_daemon(compositor), signal.SIGKILL)
    wait_for(lambda: state(compositor)["abandoned"], 10, what="the lock to be abandoned")
    assert state(compositor)["locked"] is True
    # Nothing reaches the window: not a click on it, not a key, not Alt+F4.
    click_and_type(compositor, view)
    no_input_reaches(window)
    assert any(v["app_id"] == "test.behind" for v in compositor.views())
    image = compositor.screenshot()
    assert not shows_green(image) and mostly(image, (76, 0, 0))  # the abandoned colour
    path = tmp_path / "shot.png"
    compositor.ctl_ok("screenshot", path=str(path))
    from PIL import Image

    assert not shows_green(Image.open(path).convert("RGB"))
    # Only a new locker unlocks it.
    locker = start_locker(compositor)
    wait_for_line(locker, lambda line: line == "locked")
    command(locker, "unlock")
    wait_for_line(locker, lambda line: line == "unlocked")
    wait_for_line(window, lambda line: line == "keyboard-enter")
    assert shows_green(compositor.screenshot())


def test_a_second_locker_is_refused_while_the_first_lives(compositor):
    first = start_locker(compositor, "--color", "336699")
    wait_for_line(first, lambda line: line == "locked")
    second = start_locker(compositor, "--color", "ff00ff")
    wait_for_line(second, lambda line: line == "finished")
    assert "locked" not in locker_sync(second)
    assert state(compositor)["locks_refused"] == 1
    assert mostly(compositor.screenshot(), LOCK_BLUE)


def test_protocol_errors_disconnect_the_locker_and_the_session_stays_locked(compositor):
    window, view = solid_window(compositor, GREEN, "test.behind", size="400x300")
    wait_for_line(window, lambda line: line == "keyboard-enter")
    # A buffer that is not the configured size.
    locker = start_locker(compositor, "--wrong-size")
    # libwayland's log of the error, on the client's stderr.
    wait_for_line(locker, lambda line: "lock surface is 641x480, the configure acked" in line)
    wait_for_line(locker, lambda line: line == "disconnected")
    wait_for(lambda: state(compositor)["abandoned"], 10, what="the lock to be abandoned")
    # destroy (not unlock_and_destroy) once locked.
    locker = start_locker(compositor)
    wait_for_line(locker, lambda line: line == "locked")
    command(locker, "destroy")
    wait_for_line(locker, lambda line: "only unlock_and_destroy may destroy" in line)
    wait_for_line(locker, lambda line: line == "disconnected")
    assert state(compositor)["locked"] is True
    click_and_type(compositor, view)
    no_input_reaches(window)
    assert not shows_green(compositor.screenshot())


def test_outputs_that_come_or_change_while_locked_stay_locked(compositor):
    solid_window(compositor, GREEN, "test.behind", size="400x300")
    locker = start_locker(compositor, "--color", "336699")
    wait_for_line(locker, lambda line: line == "locked")
    wait_for(lambda: state(compositor)["lock_surfaces"] == 1, 10, what="the lock surface")
    compositor.ctl_ok("output-add", width=320, height=240)
    wait_for_line(locker, lambda line: line == "drawn HEADLESS-2 320 240")
    wait_for(lambda: state(compositor)["lock_surfaces"] == 2, 10, what="both lock surfaces")
    assert state(compositor)["outputs_blanked"] == ["HEADLESS-1", "HEADLESS-2"]
    image = compositor.screenshot()
    assert image.size == (960, 480)
    assert not shows_green(image)
    assert mostly(image.crop((0, 0, 640, 480)), LOCK_BLUE)
    assert mostly(image.crop((640, 0, 960, 240)), LOCK_BLUE)
    # The first output goes: the second moves to the left, still locked, and the window
    # (moved onto it) stays hidden.
    compositor.ctl_ok("output-remove", name="HEADLESS-1")
    wait_for_line(locker, lambda line: line.startswith("output-gone"))
    wait_for(lambda: state(compositor)["outputs_blanked"] == ["HEADLESS-2"], 10, what="one")
    image = compositor.screenshot()
    assert image.size == (320, 240) and not shows_green(image)
    assert mostly(image, LOCK_BLUE)


@needs("swayidle", "swaylock")
def test_swayidle_runs_swaylock_when_idle(compositor):
    window, view = solid_window(compositor, GREEN, "test.behind", size="400x300")
    swayidle = compositor.spawn(["swayidle", "-w", "timeout", "1", "swaylock -f -c 336699"])
    wait_for(lambda: state(compositor)["lock_surfaces"] == 1, 20, what="swayidle to lock")
    assert mostly(compositor.screenshot(), LOCK_BLUE)
    os.kill(swaylock_daemon(compositor), signal.SIGKILL)
    wait_for(lambda: state(compositor)["abandoned"], 10, what="the lock to be abandoned")
    click_and_type(compositor, view)
    no_input_reaches(window)
    swayidle.kill()  # or it locks again a second after the unlock
    locker = start_locker(compositor)
    wait_for_line(locker, lambda line: line == "locked")
    command(locker, "unlock")
    wait_for_line(locker, lambda line: line == "unlocked")
    assert state(compositor)["locked"] is False


def test_a_recording_shows_the_lock_not_what_is_behind(compositor, tmp_path):
    import av

    solid_window(compositor, GREEN, "test.behind", size="400x300")
    path = tmp_path / "locked.mp4"
    compositor.ctl_ok("record-start", path=str(path), encoder="x264")
    frames = lambda: compositor.ctl_ok("record-status")["current"]["frames_encoded"]  # noqa: E731
    wait_for(lambda: frames() >= 1, 10, what="a frame before the lock")
    locker = start_locker(compositor, "--color", "336699")
    wait_for_line(locker, lambda line: line == "locked")
    before = frames()
    command(locker, "lock")  # refused (finished): changes nothing on screen
    compositor.ctl_ok("output-add", width=320, height=240)  # damage: new frames
    wait_for(lambda: frames() > before, 10, what="frames while locked")
    compositor.ctl_ok("record-stop")
    with av.open(str(path)) as container:
        images = [frame.to_image() for frame in container.decode(video=0)]
    assert shows_green(images[0])  # recorded before the lock
    assert not shows_green(images[-1])
    last = images[-1]
    near = [p for p in pixels(last) if all(abs(p[i] - LOCK_BLUE[i]) < 12 for i in range(3))]
    assert len(near) > last.width * last.height * 0.9
