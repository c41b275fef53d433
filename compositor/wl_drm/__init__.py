"""Mesa's wl_drm protocol (version 2), implemented by the compositor itself.

Modules: :mod:`.manager` (global, requests, buffer table), :mod:`.auth` (advertised node,
authenticate), :mod:`.validation` + :mod:`.formats` (pure request checks), :mod:`.bridge`
(fd -> wl_buffer + wlr_buffer, in C), :mod:`.quotas` (per-client limits, flink ownership),
:mod:`.flink` (legacy GEM names), :mod:`.scan`/:mod:`.protocol` (generated bindings).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from compositor.server import Server
    from compositor.wl_drm.manager import WlDrmManager


def create_wl_drm(server: Server) -> WlDrmManager:
    from compositor.wl_drm.manager import WlDrmManager

    return WlDrmManager(server)
