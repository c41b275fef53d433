"""wlroots' log through the ``wlroots`` logger, at the compositor's level.

:func:`init` replaces pywlroots' ``log_init``, which sends every line wlroots logs (debug
ones too, even when the level drops them) through Python: here wlroots' importance is
checked in C first (ffi/csrc/wlr_log.h), so that a quiet compositor runs no Python for them.
"""

from __future__ import annotations

import logging
from typing import Any

from compositor.ffi import ffi, lib

logger = logging.getLogger("wlroots")
# wlroots' importance -> Python's level
_LEVELS = {1: logging.ERROR, 2: logging.INFO, 3: logging.DEBUG}


@ffi.def_extern()
def comp_py_log(importance: int, line: Any) -> None:
    logger.log(_LEVELS.get(importance, logging.DEBUG), ffi.string(line).decode(errors="replace"))


def init(level: int) -> None:
    """Log wlroots' lines of ``level`` (a logging level) and above."""
    logger.setLevel(level)
    if level <= logging.DEBUG:
        verbosity = 3
    elif level <= logging.INFO:
        verbosity = 2
    elif level <= logging.ERROR:
        verbosity = 1
    else:
        verbosity = 0
    lib.comp_log_init(verbosity)
