"""wp_tearing_control_manager_v1 (ffi/csrc/tearing_control.c) with
tests/clients/wp_window.py: the presentation hint a surface commits is what ``views`` shows
(stored, not honoured: wlroots 0.15 has no asynchronous page flip)."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import solid_window


def test_the_hint_is_stored_and_shown(compositor):
    argv = [sys.executable, "-m", "tests.clients.wp_window", "--app-id", "test.game",
            "--tearing", "async"]  # fmt: skip
    compositor.spawn(argv, text=True, stdin=subprocess.PIPE)
    compositor.wait_for_view("test.game")
    argv = [sys.executable, "-m", "tests.clients.wp_window", "--app-id", "test.video",
            "--tearing", "vsync"]  # fmt: skip
    compositor.spawn(argv, text=True, stdin=subprocess.PIPE)
    compositor.wait_for_view("test.video")
    solid_window(compositor, "3366cc", "test.plain")
    hints = {v["app_id"]: v["presentation_hint"] for v in compositor.views()}
    assert hints == {"test.game": "async", "test.video": "vsync", "test.plain": "vsync"}
