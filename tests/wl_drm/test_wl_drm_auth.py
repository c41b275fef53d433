"""Which node wl_drm advertises and how authenticate decides, without a GPU.

The real AUTH_MAGIC path (DRM master on virtio-gpu, an unprivileged client) runs in the VM
(tests/vm/test_wl_drm_auth.py); here the same code runs up to the ioctl, which a non-DRM
device refuses, so a failure must never turn into `authenticated`.
"""

from __future__ import annotations

import glob
import os

import pytest

from compositor.wl_drm.auth import (
    Authenticator,
    AuthError,
    Device,
    choose_device,
    node_kind,
)

NO_DRI = not glob.glob("/dev/dri/*")


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/dev/dri/renderD128", "render"),
        ("/dev/dri/card0", "primary"),
        # Unknown names must authenticate: never assume a render node.
        ("/dev/dri/by-path/pci-0000:00:02.0-render", "primary"),
        ("/dev/null", "primary"),  # a char device, but not DRM (major 1)
    ],
)
def test_node_kind(path, kind):
    if os.path.exists(path) and path.startswith("/dev/dri/"):
        pytest.skip(reason=f"{path} exists here; its kind comes from its device number")
    assert node_kind(path) == kind


@pytest.mark.skipif(not NO_DRI, reason="this machine has /dev/dri nodes; the VM tests cover it")
def test_without_dri_no_node_is_advertised():
    # Nothing that exists and opens: no wl_drm at all (Mesa and Xwayland try no phantom node).
    for setting in ("auto", "render", "primary"):
        assert choose_device(setting, -1, -1) is None


def test_an_explicit_path_is_advertised_as_given():
    device = choose_device("/dev/dri/card7", -1, -1)
    assert (device.path, device.kind) == ("/dev/dri/card7", "primary")


def test_render_node_needs_no_authorization():
    Authenticator(Device("/dev/dri/renderD128", "render", False, "test"), -1).authenticate(1)


def test_primary_node_without_master_fd_is_refused():
    auth = Authenticator(Device("/dev/dri/card0", "primary", False, "test"), -1)
    with pytest.raises(AuthError, match="no DRM master fd"):
        auth.authenticate(1)


def test_master_fd_of_another_device_is_refused():
    fd = os.open("/dev/zero", os.O_RDONLY)
    try:
        auth = Authenticator(Device("/dev/null", "primary", True, "test"), fd)
        with pytest.raises(AuthError, match="is not the DRM master device"):
            auth.authenticate(1)
    finally:
        os.close(fd)


def test_a_refused_auth_magic_ioctl_is_authenticate_fail():
    # Same device for node and "master" fd, so the code reaches DRM_IOCTL_AUTH_MAGIC, which
    # /dev/null refuses (ENOTTY): exactly the path a stale magic takes on a real card.
    fd = os.open("/dev/null", os.O_RDWR)
    try:
        auth = Authenticator(Device("/dev/null", "primary", True, "test"), fd)
        with pytest.raises(AuthError, match="AUTH_MAGIC 7 on /dev/null failed"):
            auth.authenticate(7)
    finally:
        os.close(fd)
