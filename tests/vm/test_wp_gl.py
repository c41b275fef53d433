"""Issue 21's drawing protocols on wlroots' GLES2 renderer in the VM (Mesa's llvmpipe via
kms_swrast on virtio-gpu): the alpha modifier's blend and the toplevel icon in a title
bar. One boot for all (tests/vm/scenarios/wp_gl.py)."""

from __future__ import annotations

import pytest

from tests.vm.suite import Scenario, boot_scenario

pytestmark = [pytest.mark.vm, pytest.mark.slow]


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return boot_scenario("wp_gl")


def test_gles2_is_the_renderer(scenario):
    scenario.check("gles2")


def test_alpha_multiplier_blends_on_gles2(scenario):
    scenario.check("alpha")


def test_toplevel_icon_in_the_title_bar_on_gles2(scenario):
    scenario.check("icon")


def test_the_compositor_exits_cleanly(scenario):
    scenario.check("clean_exit")
