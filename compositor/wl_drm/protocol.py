"""The generated wl_drm bindings, regenerated when the XML changed, with pywayland's
server-side fixes (:mod:`compositor.wayland_fixes`) applied."""

from __future__ import annotations

import logging

from compositor import wayland_fixes
from compositor.wl_drm import scan

log = logging.getLogger(__name__)

if scan.is_stale():
    # A source checkout whose XML is newer than its bindings (or was never installed).
    log.info("wl_drm: generating bindings from %s", scan.XML)
    try:
        scan.generate()
    except OSError as exc:  # e.g. a read-only install: use what is there, if anything
        log.warning("wl_drm: cannot regenerate bindings (%s); reinstall the project", exc)

from compositor.protocols_gen.drm import WlDrm  # noqa: E402

wayland_fixes.deliver_new_ids(WlDrm)

ERROR = WlDrm.error
CAPABILITY_PRIME = int(WlDrm.capability.prime)
VERSION = WlDrm.version

# wl_display.error codes (wayland.xml), posted on the client's wl_display object.
DISPLAY_INVALID_METHOD = 1
DISPLAY_NO_MEMORY = 2

__all__ = ["CAPABILITY_PRIME", "ERROR", "VERSION", "WlDrm"]
