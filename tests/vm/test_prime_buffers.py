"""Real dma-bufs (vgem and virtio-gpu dumb buffers exported as PRIME fds) through
wl_drm.create_prime_buffer, checked on the real scanout. One boot for all."""

from __future__ import annotations

import pytest

from tests.vm.suite import Scenario, boot_scenario

pytestmark = [pytest.mark.vm, pytest.mark.slow]


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return boot_scenario("prime_buffers")


def test_vgem_dmabuf_single_plane(scenario):
    scenario.check("vgem_xrgb")


def test_virtio_gpu_dumb_dmabuf_argb(scenario):
    scenario.check("virtio_argb")


def test_new_dmabuf_replaces_the_picture(scenario):
    scenario.check("update")


def test_multi_planar_nv12_converted_for_pixman(scenario):
    scenario.check("planar_pixman")


def test_a_fullscreen_dma_buf_is_scanned_out_directly(scenario):
    scenario.check("direct_scanout")


@pytest.mark.xfail(
    reason="known: GLES2 on kms_swrast (Mesa 25 llvmpipe, the only GL in the VM) advertises NV12 "
    "but eglCreateImageKHR fails (EGL_BAD_ALLOC) on an NV12 dma-buf, from vgem or virtio-gpu "
    "(pixman shows it through the compositor's own conversion: planar_pixman). Needs a GPU "
    "with real EGL YUV import. See "
    "artifacts/vm/prime_buffers/compositor-gl.log",
    strict=True,  # a pass is news (the limitation is gone): it fails until the mark goes
)
def test_multi_planar_nv12_on_gles2(scenario):
    scenario.check("planar_gl")
