"""The configuration file's input() settings on real libinput devices: QEMU's virtio
keyboard, mouse and tablet under the DRM backend (seatd). The settings are read back from
libinput through the compositor's `inputs` command, checked against `libinput list-devices`
for what each device supports, and seen in real events (flat acceleration, left-handed
buttons, natural scrolling) before and after a live reload. One boot for all."""

from __future__ import annotations

import pytest

from tests.vm.suite import Scenario, boot_scenario

pytestmark = [pytest.mark.vm, pytest.mark.slow]


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return boot_scenario("inputs", timeout=600, extra_devices=("virtio-tablet-pci",))


def test_virtio_devices_are_libinput_devices(scenario):
    scenario.check("devices")


def test_unsupported_settings_match_libinput_list_devices(scenario):
    scenario.check("support")


def test_config_settings_read_back_from_libinput(scenario):
    entry = scenario.check("applied")
    assert entry["config_status"]["pointer:QEMU Virtio Mouse"]["tap"] == (
        "not supported by the device"
    )


def test_flat_acceleration_scales_real_motion(scenario):
    assert scenario.check("flat_motion")["relative"] == [15, 9, 10, 6]


def test_left_handed_swaps_real_buttons(scenario):
    scenario.check("left_handed")


def test_natural_scroll_turns_real_wheel(scenario):
    assert scenario.check("natural_scroll")["axis"] == 15


def test_reload_reapplies_changed_settings(scenario):
    scenario.check("reload")


def test_settings_left_out_of_a_reloaded_file_go_back_to_the_defaults(scenario):
    scenario.check("reload_defaults")
