"""`pydrm-ctl inputs` on the headless backend: its devices are not libinput's (no libinput
settings to read back), and a keyboard shows the repeat rate and delay it really has, as a
client is told them. Real libinput devices: tests/vm/test_inputs.py."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import solid_window, wait_for_line


def test_headless_devices_are_listed_without_libinput_settings(make_compositor):
    comp = make_compositor(args=["--no-config"])
    devices = comp.ctl_ok("inputs")["devices"]
    assert sorted((d["type"], d["libinput"]) for d in devices) == [
        ("keyboard", False),
        ("pointer", False),
    ]
    assert all("settings" not in d for d in devices)


def test_keyboard_repeat_from_the_config_file_is_read_back(make_compositor, tmp_path: Path):
    config = tmp_path / "config.py"
    config.write_text('input("type:keyboard", repeat_rate=33, repeat_delay=444)\n')
    comp = make_compositor(args=["--config", str(config)])
    proc, _ = solid_window(comp, "3366cc", "test.repeat")
    wait_for_line(proc, lambda line: line == "repeat-info 33 444")  # what a client is told
    (keyboard,) = [d for d in comp.ctl_ok("inputs")["devices"] if d["type"] == "keyboard"]
    assert (keyboard["repeat_rate"], keyboard["repeat_delay"]) == (33, 444)
