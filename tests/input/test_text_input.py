"""text-input v3 + input-method v2 with two real clients: a text field
(tests/clients/input_window.py --text-input) and an input method (tests/clients/ime.py),
and tablet v2 (a tablet plugged into the headless backend reaches a client's tablet seat).

The input method gets the field's surrounding text and content type when the field is
focused and enabled; what it commits (a string, a preedit, a deletion) reaches the field;
while it grabs the keyboard, typed keys go to it and not to the field; focus elsewhere
deactivates it.
"""

from __future__ import annotations

import itertools
import subprocess
import sys

from pywayland.protocol.text_input_unstable_v3 import ZwpTextInputV3

from tests.helpers import solid_window, sync, wait_for_line
from tests.input.test_pointer_constraints import command, input_window, protocols

EMAIL = ZwpTextInputV3.content_purpose.email.value
_tokens = itertools.count(1)


def start_ime(comp):
    return comp.spawn([sys.executable, "-m", "tests.clients.ime"], text=True, stdin=subprocess.PIPE)


def ime_sync(ime) -> None:
    token = next(_tokens)
    command(ime, f"sync {token}")
    wait_for_line(ime, lambda line: line == f"synced {token}")


def test_what_the_input_method_commits_reaches_the_focused_text_field(compositor):
    field, _ = input_window(compositor, "test.field", "--text-input")
    wait_for_line(field, lambda line: line == "keyboard-enter")
    lines, _ = sync(field)
    assert "ti-enter" not in lines  # no input method yet: nothing to enter for
    ime = start_ime(compositor)
    wait_for_line(field, lambda line: line == "ti-enter")
    # The field enabled its text input: the input method is activated with its state.
    wait_for_line(ime, lambda line: line == "activate")
    wait_for_line(ime, lambda line: line == "surrounding 5 5 hello world")
    wait_for_line(ime, lambda line: line == f"content-type 0 {EMAIL}")
    wait_for_line(ime, lambda line: line.startswith("done "))
    command(ime, "commit-string héllo ✓")
    wait_for_line(field, lambda line: line == "commit-string héllo ✓")
    wait_for_line(field, lambda line: line == "ti-done")
    command(ime, "preedit wor")
    wait_for_line(field, lambda line: line == "preedit wor 0 3")
    command(ime, "delete 2 1")
    wait_for_line(field, lambda line: line == "delete-surrounding 2 1")
    state = protocols(compositor)
    assert (state["text_inputs"], state["text_inputs_enabled"], state["input_method"]) == (
        1,
        1,
        True,
    )
    assert state["input_method_commits"] == 3
    # Another window takes the focus: the field leaves, the input method is deactivated.
    solid_window(compositor, "00ff00", "test.other")
    wait_for_line(field, lambda line: line == "ti-leave")
    wait_for_line(ime, lambda line: line == "deactivate")
    # The input method goes: a focused field would leave; this one enters no more.
    ime.terminate()
    ime.wait(10)


def test_an_input_method_that_grabs_the_keyboard_gets_the_keys(compositor):
    field, _ = input_window(compositor, "test.field", "--text-input")
    ime = start_ime(compositor)
    wait_for_line(ime, lambda line: line == "activate")
    command(ime, "grab")
    wait_for_line(ime, lambda line: line == "grab-keymap")
    ime_sync(ime)
    assert protocols(compositor)["input_method_keyboard_grab"]
    compositor.ctl_ok("type", text="a")
    wait_for_line(ime, lambda line: line == "grab-key 30 1")
    wait_for_line(ime, lambda line: line == "grab-key 30 0")
    lines, _ = sync(field)
    assert not [line for line in lines if line.startswith("key ")]
    # What the input method makes of the keys reaches the field as text.
    command(ime, "commit-string a")
    wait_for_line(field, lambda line: line == "commit-string a")
    command(ime, "ungrab")
    ime_sync(ime)
    compositor.ctl_ok("type", text="b")
    wait_for_line(field, lambda line: line == "key 48 1")


def test_a_second_input_method_is_unavailable(compositor):
    first = start_ime(compositor)
    ime_sync(first)
    second = start_ime(compositor)
    wait_for_line(second, lambda line: line == "unavailable")
    assert protocols(compositor)["input_method"]


def test_a_tablet_plugged_in_reaches_the_clients_tablet_seat(compositor):
    client = compositor.spawn(
        [sys.executable, "-m", "tests.clients.tablet_seat"], text=True, stdin=subprocess.PIPE
    )
    wait_for_line(client, lambda line: line == "tablet-seat")
    assert protocols(compositor)["tablets"] == 0
    compositor.ctl_ok("tablet-add")
    wait_for_line(client, lambda line: line == "tablet-added 1")
    # The headless tablet has no name and ids 0 0 (a USB tablet says its vendor, product).
    wait_for_line(client, lambda line: line == "tablet 1 id 0 0")
    wait_for_line(client, lambda line: line == "tablet 1 done")
    assert protocols(compositor)["tablets"] == 1
