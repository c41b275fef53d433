"""Globals beyond the basics work for real: subsurfaces, popups, viewporter,
presentation-time, clipboard (data device)."""

from __future__ import annotations

import subprocess

from tests.conftest import needs
from tests.helpers import region_is, rgb, solid_window, wait_for_line


def test_subsurface_is_composited_at_its_offset(compositor):
    _, view = solid_window(compositor, "2040a0", "test.sub", subsurface="e0e020")
    image = compositor.screenshot()
    x, y = view["x"], view["y"]
    assert region_is(image, (x + 20, y + 20, 60, 40), rgb("e0e020"))
    assert region_is(image, (x + 85, y + 65, 100, 80), rgb("2040a0"))


def test_popup_is_placed_where_the_positioner_says(compositor):
    proc, view = solid_window(compositor, "303030", "test.popup", popup="ff8000")
    assert wait_for_line(proc, lambda line: line == "popup-configure 30 30 60 40")
    from tests.harness import wait_for

    wait_for(
        lambda: region_is(
            compositor.screenshot(), (view["x"] + 30, view["y"] + 30, 60, 40), rgb("ff8000")
        ),
        5,
        what="the popup's pixels",
    )


def test_viewporter_scales_the_buffer_to_the_destination(compositor):
    _, view = solid_window(compositor, "10c080", "test.viewport", viewport="320x240")
    assert (view["width"], view["height"]) == (320, 240)
    image = compositor.screenshot()
    assert region_is(image, (view["x"], view["y"], 320, 240), rgb("10c080"))


def test_presentation_feedback_reports_the_output_refresh(compositor):
    proc, _ = solid_window(compositor, "405060", "test.presented", presentation=True)
    line = wait_for_line(proc, lambda text: text.startswith("presented"))
    # The headless output runs at 60 Hz (60000 mHz); wlroots sends 10^12 / mHz, truncated.
    assert int(line.split()[1]) == 1_000_000_000_000 // 60_000, line


@needs("wl-copy", "wl-paste")
def test_clipboard_round_trip_through_the_data_device(make_compositor):
    # With data-control hidden, wl-clipboard falls back to wl_data_device. wl-copy
    # forks a server that keeps the selection; its output must not hold our pipes open.
    compositor = make_compositor(args=["--disable-global", "zwlr_data_control_manager_v1"])
    copy = subprocess.run(
        ["wl-copy", "from one client to another"],
        env=compositor.client_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=30,
    )
    assert copy.returncode == 0
    paste = compositor.run_client(["wl-paste", "--no-newline"])
    assert paste.returncode == 0, paste.stderr
    assert paste.stdout == "from one client to another"
