"""The DRM backend on real KMS (virtio-gpu in QEMU) under seatd: errors, modeset, windows
on the real scanout, VT switching through the session, clean exit. One boot for all."""

from __future__ import annotations

import pytest

from tests.vm.suite import Scenario, boot_scenario

pytestmark = [pytest.mark.vm, pytest.mark.slow]


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return boot_scenario("display", heads=2)  # Virtual-2 for the hotplug check


def test_no_drm_device_is_explained(scenario):
    scenario.check("no_device")


def test_no_seat_is_explained(scenario):
    scenario.check("no_seat")


def test_busy_device_is_explained(scenario):
    scenario.check("busy")


def test_no_connected_output_is_explained_then_hotplugged(scenario):
    scenario.check("no_output")


def test_modeset_virtio_gpu_preferred_mode(scenario):
    entry = scenario.check("modeset")
    assert entry["outputs"][0]["name"] == "Virtual-1"


def test_shm_windows_on_the_scanout(scenario):
    scenario.check("shm_window")


def test_vt_switch_away_drops_master(scenario):
    scenario.check("vt_away")


def test_vt_switch_back_restores_the_picture(scenario):
    scenario.check("vt_back")


def test_connector_hotplug_adds_and_removes_an_output(scenario):
    scenario.check("hotplug")


def test_sigterm_leaves_no_master_and_a_usable_console(scenario):
    scenario.check("sigterm")


def test_mode_option_picks_a_listed_mode(scenario):
    scenario.check("mode_option")


def test_seatd_launch_and_ctrl_alt_backspace_quits(scenario):
    scenario.check("seatd_launch_quit_key")
