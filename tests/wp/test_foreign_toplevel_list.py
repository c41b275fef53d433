"""ext-foreign-toplevel-list-v1 (ffi/csrc/foreign_toplevel_list.c, driven by
shell/foreign_toplevel.py) with a client of the tests' own (tests/clients/toplevel_list.py):
the windows mapped before and after it binds, xdg and X11, with identifier, title and app_id
kept current, closed when they unmap, and identifiers never reused."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys

from tests.conftest import needs
from tests.helpers import _reader, solid_window, wait_for_line

_tokens = itertools.count(1)


def start_list(comp) -> subprocess.Popen:
    return comp.spawn(
        [sys.executable, "-m", "tests.clients.toplevel_list"], text=True, stdin=subprocess.PIPE
    )


def command(proc, line: str) -> None:
    proc.stdin.write(line + "\n")
    proc.stdin.flush()


def synced(proc) -> list[str]:
    """Every line the list client printed up to a roundtrip from now."""
    token = next(_tokens)
    command(proc, f"sync {token}")
    wait_for_line(proc, lambda line: line == f"synced {token}", 20)
    return list(_reader(proc).seen)


def handle_lines(lines: list[str], number: int) -> list[str]:
    events = ("toplevel", "identifier", "title", "app_id", "done", "closed")
    return [line for line in lines if line.split()[:2] in ([e, str(number)] for e in events)]


def test_windows_are_listed_with_identifier_title_and_app_id(compositor):
    first, _ = solid_window(compositor, "3366cc", "test.first", title="first")
    lister = start_list(compositor)
    lines = synced(lister)
    one = handle_lines(lines, 1)
    assert one[0] == "toplevel 1"
    assert re.fullmatch(r"identifier 1 [0-9a-f]{32}", one[1]), one
    assert one[2:] == ["title 1 first", "app_id 1 test.first", "done 1"]
    # A window mapped after the bind comes as it maps.
    second, _ = solid_window(compositor, "00ff00", "test.second", title="second")
    lines = synced(lister)
    two = handle_lines(lines, 2)
    assert two[0] == "toplevel 2" and two[2:] == ["title 2 second", "app_id 2 test.second",
                                                   "done 2"]  # fmt: skip
    assert two[1] != one[1]  # its own identifier
    # A new title: told with done; the other window hears nothing.
    command(second, "title renamed")
    wait_for_line(lister, lambda line: line == "title 2 renamed", 20)
    wait_for_line(lister, lambda line: line == "done 2", 20)
    # Unmapped: closed, and the identifier is never used again.
    second.terminate()
    wait_for_line(lister, lambda line: line == "closed 2", 20)
    third, _ = solid_window(compositor, "ff0000", "test.second", title="second")
    lines = synced(lister)
    three = handle_lines(lines, 3)
    assert three[0] == "toplevel 3"
    assert three[1] not in (one[1], two[1])
    assert not any(line.startswith("closed 1") for line in lines)


def test_a_list_that_stops_gets_no_new_windows(compositor):
    lister = start_list(compositor)
    synced(lister)
    command(lister, "stop")
    wait_for_line(lister, lambda line: line == "finished", 20)
    solid_window(compositor, "3366cc", "test.after")
    lines = synced(lister)
    assert not any(line.startswith("toplevel") for line in lines), lines


@needs("xeyes", "Xwayland")
def test_x11_windows_are_listed_too(compositor):
    lister = start_list(compositor)
    display = compositor.ctl_ok("ping")["display"]
    compositor.spawn(["xeyes", "-geometry", "150x100"], env={"DISPLAY": display})
    wait_for_line(lister, lambda line: line == "app_id 1 XEyes", 30)
    wait_for_line(lister, lambda line: line == "done 1", 20)
    assert "title 1 xeyes" in _reader(lister).seen
