"""Formats and modifiers refused by rule on linux-dmabuf, with real programs (wayland-info,
weston-simple-dmabuf-egl; weston-simple-egl on wl_drm) in the QEMU guest
(tests/vm/scenarios/format_rules.py; the host's pixman offers no linux-dmabuf). One boot."""

from __future__ import annotations

import pytest

from tests.vm.suite import Scenario, boot_scenario

pytestmark = [pytest.mark.vm, pytest.mark.slow]


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return boot_scenario("format_rules")


def test_wayland_info_sees_the_table_less_the_refused_pairs(scenario):
    scenario.check("wayland_info")


def test_a_client_refused_everything_sees_no_linux_dmabuf(scenario):
    scenario.check("nothing_left")


def test_a_v3_client_gets_no_refused_format(scenario):
    scenario.check("v3_events")


def test_a_buffer_of_a_refused_format_gets_params_failed(scenario):
    scenario.check("refused_buffer")


def test_simple_dmabuf_egl_finds_its_format_refused_in_the_v4_table(scenario):
    scenario.check("dmabuf_egl")


def test_the_options_filter_the_compositors_own_global(scenario):
    scenario.check("option")


def test_simple_egl_falls_back_from_a_refused_format_and_shows_its_frame(scenario):
    """On wl_drm (Mesa's EGL here can render into dma-bufs only on card0, which
    linux-dmabuf's main device never is): see the scenario's egl_fallback."""
    entry = scenario.check("egl_fallback")
    assert entry["free"]["formats"] == ["AR24"] and "AR24" not in entry["rule"]["formats"]


def test_a_rules_global_is_never_announced_to_other_clients(scenario):
    scenario.check("late_global")


def test_nothing_is_held_after_the_clients_leave(scenario):
    scenario.check("teardown")
