"""``--mode WxH[@Hz]`` on a real output: pick the output's own mode when it lists one.

A listed mode is what the monitor announced (EDID) and is known to work; a custom mode
(wlroots generates CVT timings) is only the fallback, with a warning naming the modes
the output does offer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from wlroots.wlr_types import Output
from wlroots.wlr_types.output import OutputMode

from compositor.config import Mode

log = logging.getLogger(__name__)

REFRESH_TOLERANCE_MHZ = 1000  # "@60" matches 59.94 Hz and 60.00 Hz


def choose(wanted: Mode, offered: Iterable[tuple[int, int, int]]) -> tuple[int, int, int] | None:
    """The best offered (width, height, refresh_mhz) for ``wanted``, or None.

    Same size required; with a refresh rate asked for, the closest within 1 Hz, else the
    highest refresh rate of that size.
    """
    same_size = [m for m in offered if (m[0], m[1]) == (wanted.width, wanted.height)]
    if wanted.refresh_mhz:
        near = [m for m in same_size if abs(m[2] - wanted.refresh_mhz) <= REFRESH_TOLERANCE_MHZ]
        return min(near, key=lambda m: abs(m[2] - wanted.refresh_mhz), default=None)
    return max(same_size, key=lambda m: m[2], default=None)


def describe(offered: Iterable[tuple[int, int, int]]) -> str:
    return ", ".join(f"{w}x{h}@{r / 1000:.2f}" for w, h, r in offered) or "none"


def apply_mode(output: Output, wanted: Mode) -> None:
    """Set ``wanted`` on ``output`` (before its first commit)."""
    modes: list[OutputMode] = list(output.modes)
    offered = [(m.width, m.height, m.refresh_mhz) for m in modes]
    best = choose(wanted, offered)
    if best is not None:
        mode = modes[offered.index(best)]
        log.info("output %s: --mode %s", output.name, describe([best]))
        output.set_mode(mode)
        return
    if offered:
        log.warning(
            "output %s does not list %dx%d%s; trying a custom mode. It offers: %s",
            output.name,
            wanted.width,
            wanted.height,
            f"@{wanted.refresh_mhz / 1000:g}" if wanted.refresh_mhz else "",
            describe(offered),
        )
    output.set_custom_mode(wanted.width, wanted.height, wanted.refresh_mhz)
