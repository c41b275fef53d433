"""wl_drm on a real primary node (virtio-gpu in QEMU): real DRM authentication, Mesa's EGL
client as an unprivileged peer, frames on the real scanout. One boot for all."""

from __future__ import annotations

import pytest

from tests.vm.suite import Scenario, boot_scenario

pytestmark = [pytest.mark.vm, pytest.mark.slow]


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return boot_scenario("wl_drm_auth")


def test_wl_drm_advertises_the_primary_node(scenario):
    scenario.check("global")


def test_unprivileged_magic_is_really_authorized(scenario):
    scenario.check("magic_authorized")


def test_wrong_magic_gets_authenticate_fail(scenario):
    scenario.check("wrong_magic")


def test_mesa_simple_egl_authenticates_and_shows_prime_frames(scenario):
    scenario.check("simple_egl")
