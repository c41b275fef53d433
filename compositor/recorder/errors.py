"""The recorder's errors, apart from the encoders so that nothing imports PyAV until a
recording starts (it costs the idle compositor ~15 MiB of RSS)."""

from __future__ import annotations

import errno
from pathlib import Path


class EncoderError(Exception):
    """The encoder cannot start; the message says why and what to do."""


class RecordingWriteError(Exception):
    """Writing the recording failed (disk full, file gone, ...); the message says what now."""


def describe_write_error(path: Path, exc: BaseException) -> str:
    err = getattr(exc, "errno", None)
    if err == errno.ENOSPC or "No space left" in str(exc):
        what = "the disk is full"
    elif err in (errno.EACCES, errno.EPERM, errno.EROFS) or "ermission" in str(exc):
        what = "permission denied"
    else:
        what = str(exc)
    return f"cannot write {path}: {what}"
