"""linux-dmabuf buffers counted and limited per client on real dma-bufs: in the QEMU guest
(tests/vm/scenarios/limits.py; the host has no dma-buf to make and pixman offers no
linux-dmabuf); and a client_limits(scanout=False) rule on the DRM backend. One boot."""

from __future__ import annotations

import pytest

from tests.vm.suite import Scenario, boot_scenario

pytestmark = [pytest.mark.vm, pytest.mark.slow]


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return boot_scenario("limits")


def test_dmabuf_buffers_bytes_and_fds_counted(scenario):
    scenario.check("dmabuf_counted")


def test_dmabuf_bytes_stop_at_the_limit(scenario):
    scenario.check("dmabuf_limit")


def test_shm_fallback_hook_fires_when_a_dmabuf_surface_shows_shared_memory(scenario):
    scenario.check("shm_fallback_hook")


def test_scanout_refused_by_rule_on_the_drm_backend(scenario):
    entry = scenario.check("scanout_by_rule")
    assert "by rule" in entry["scanout_refusal"]
