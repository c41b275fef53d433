"""What an input method commits is freed once it is replaced: wlroots 0.15's
zwp_input_method_v2.commit overwrites the current commit string and preedit text without
freeing the previous ones (a leak per string an IME commits, for the session); the
compositor's relay (ffi/csrc/text_input.c) frees them at the next commit.

Run as usual, the test is a run of commits reaching the field under MALLOC_PERTURB_ (a
string freed too early would reach it as garbage). Under valgrind (scripts/memcheck.sh
with PYDRM_MEMCHECK_LEAKS=1) it also reads its compositor's memcheck log: nothing a
client's request allocated is definitely lost at exit (without the fix: every string but
the last, from strdup in wlroots' input method code)."""

from __future__ import annotations

from tests.harness import memcheck_lost_in_requests
from tests.helpers import wait_for_line
from tests.input.test_pointer_constraints import command, input_window
from tests.input.test_text_input import start_ime

WORDS = ["alpha", "béta", "gamma ✓", "delta", "epsilon"]


def test_the_strings_an_input_method_commits_leave_nothing_behind(make_compositor):
    comp = make_compositor()
    field, _ = input_window(comp, "test.field", "--text-input")
    wait_for_line(field, lambda line: line == "keyboard-enter")
    ime = start_ime(comp)
    wait_for_line(ime, lambda line: line == "activate")
    wait_for_line(ime, lambda line: line.startswith("done "))
    for word in WORDS:
        command(ime, f"preedit {word}")
        wait_for_line(field, lambda line, word=word: line.startswith(f"preedit {word} "))
        command(ime, f"commit-string {word}")
        wait_for_line(field, lambda line, word=word: line == f"commit-string {word}")
    ime.terminate()
    ime.wait(10)
    pid = comp.pid
    comp.stop()
    lost = memcheck_lost_in_requests(pid)
    assert not lost, "\n\n".join(lost)
