"""The DRM/KMS backend: a libseat session, wlroots' DRM backend with libinput."""

from __future__ import annotations

import logging
import os

from pywayland.server import Display
from wlroots.backend import Backend

from compositor.config import Config

log = logging.getLogger(__name__)


def create_drm_backend(display: Display, config: Config) -> Backend:
    from compositor.backend import BackendError

    # wlroots' autocreate opens a libseat session, then the DRM and libinput backends.
    os.environ["WLR_BACKENDS"] = "drm,libinput"
    try:
        return Backend(display)
    except RuntimeError as exc:
        raise BackendError(
            "could not start the DRM backend: run from a text console (VT) with a seat "
            "(seatd or logind; as root: seatd-launch pydrm-compositor --backend drm) and "
            "check that /dev/dri/card* exists and no other compositor holds DRM master"
        ) from exc
