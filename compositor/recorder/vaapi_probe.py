"""Is VA-API H.264 encoding possible here? Says exactly why not when it is not."""

from __future__ import annotations

import glob
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from compositor.server import Server

log = logging.getLogger(__name__)


@dataclass
class ProbeResult:
    available: bool
    reason: str
    device: str | None = None
    details: dict = field(default_factory=dict)


def render_nodes() -> list[str]:
    return sorted(glob.glob("/dev/dri/renderD*"))


def probe(server: Server | None = None) -> ProbeResult:
    nodes = render_nodes()
    if not nodes:
        return ProbeResult(
            False,
            "no DRM render node (/dev/dri/renderD* does not exist): VA-API needs a GPU "
            "with a VA driver; recording uses x264",
        )
    return ProbeResult(False, "not probed yet")
