"""Mesa's wl_drm protocol (version 2), implemented by the compositor itself.

Modules: :mod:`.manager` (global, requests, buffer table), :mod:`.auth` (advertised node,
authenticate), :mod:`.validation` + :mod:`.formats` (pure request checks), :mod:`.bridge`
(fd -> wl_buffer + wlr_buffer, in C), :mod:`.quotas` (per-client limits, flink ownership),
:mod:`.flink` (legacy GEM names), :mod:`.scan`/:mod:`.protocol` (generated bindings).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from compositor.ffi import lib, to_native
from compositor.wl_drm.auth import choose_device

if TYPE_CHECKING:
    from compositor.core import Core
    from compositor.wl_drm.manager import WlDrmManager

log = logging.getLogger(__name__)


def create_wl_drm(core: Core) -> WlDrmManager | None:
    """The wl_drm global, or None when there is no DRM node to advertise."""
    backend_fd = lib.wlr_backend_get_drm_fd(to_native(core.backend, "struct wlr_backend *"))
    setting = core.config.wl_drm_device
    device = choose_device(setting, backend_fd, core.renderer_choice.drm_fd)
    if device is None:
        kind = "" if setting == "auto" else f"{setting} "
        log.info(
            "wl_drm: not offered: no %sDRM node here that the compositor can open "
            "(--wl-drm-device PATH offers one anyway, e.g. for memfd-backed buffers in tests)",
            kind,
        )
        return None
    # The global, its bindings (generated from the XML) and the buffer bridge are imported
    # only when wl_drm is offered: a compositor with no DRM node does not hold them.
    from compositor.wl_drm.manager import WlDrmManager

    return WlDrmManager(core, device, backend_fd)
