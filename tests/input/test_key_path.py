"""Typing costs no Python per key: keys that are not bound go from the keyboard to the
focused client in C (ffi/csrc/keyboard_keys.h).

The keyboard is a real client (wtype, zwp_virtual_keyboard_v1). Its device coming and going
runs Python (a keyboard joins the seat), the same for 4 keys as for 40: the entries into
Python must not grow with the keys. The client must see every key, pressed and released.
"""

from __future__ import annotations

from tests.conftest import needs
from tests.helpers import solid_window, sync


def typed(compositor, proc, text: str) -> tuple[int, int, dict[str, int]]:
    """Type ``text`` with wtype: the Python entries it cost, the key lines the window got,
    and the C key path's counters moved."""
    before = compositor.ctl_ok("stats", objects=0)["python_calls"]
    keys_before = compositor.ctl_ok("input-protocols")["key_path"]
    result = compositor.run_client(["wtype", text])
    assert result.returncode == 0, result.stderr
    lines, _ = sync(proc)
    after = compositor.ctl_ok("stats", objects=0)["python_calls"]
    keys_after = compositor.ctl_ok("input-protocols")["key_path"]
    seen = [line for line in lines[typed.seen.get(id(proc), 0) :] if line.startswith("key ")]
    typed.seen[id(proc)] = len(lines)
    moved = {name: keys_after[name] - keys_before[name] for name in keys_after}
    return after - before, len(seen), moved


typed.seen = {}


@needs("wtype")
def test_typing_runs_no_python_per_key(compositor):
    proc, _ = solid_window(compositor, "3366cc", "test.keys")
    sync(proc)
    typed.seen[id(proc)] = len(sync(proc)[0])
    short = "abcd"
    long = "abcdefghijklmnopqrstuvwxyzabcdefghijklmn"
    short_calls, short_lines, short_keys = typed(compositor, proc, short)
    long_calls, long_lines, long_keys = typed(compositor, proc, long)
    # Every key reached the client, pressed and released, through the C path.
    assert (short_lines, long_lines) == (2 * len(short), 2 * len(long))
    assert short_keys == {"keys_c": 2 * len(short), "keys_python": 0}
    assert long_keys == {"keys_c": 2 * len(long), "keys_python": 0}
    # And 36 more keys cost no more Python than the 4 did.
    assert long_calls == short_calls, (short_calls, long_calls)


def test_a_bound_key_still_runs_its_binding(compositor):
    """Alt+F10 is bound (maximize): the C path hands it to Python, and the client never
    sees it."""
    proc, _ = solid_window(compositor, "3366cc", "test.bound")
    sync(proc)
    before = compositor.ctl_ok("input-protocols")["key_path"]
    compositor.ctl_ok("key", key="Alt_L", pressed=True)
    compositor.ctl_ok("key", key="F10")
    compositor.ctl_ok("key", key="Alt_L", pressed=False)
    after = compositor.ctl_ok("input-protocols")["key_path"]
    view = next(v for v in compositor.views() if v["app_id"] == "test.bound")
    assert view["maximized"]
    # F10's press and release went to Python; Alt's press and release went through C.
    assert after["keys_python"] - before["keys_python"] == 2
    assert after["keys_c"] - before["keys_c"] == 2
    lines, _ = sync(proc)
    assert "key 68 1" not in lines and "key 68 0" not in lines  # F10 (evdev 68)
