"""Finding and running a configuration file, and saying where it went wrong.

Which file: :func:`compositor.configfile.runtime.find`. :func:`load` runs it in a fresh
namespace holding :mod:`compositor.configfile.api`'s names, under a time limit, and returns
what it declared; any mistake (a syntax error, an exception, a wrong argument to the API)
becomes a :class:`ConfigFileError` naming the file and the line.
"""

from __future__ import annotations

import os
import signal
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compositor.configfile import api

if TYPE_CHECKING:
    from collections.abc import Iterator


# Seconds a configuration file (or a hook) may run before it is stopped: an endless loop
# in it must not freeze the session.
TIME_LIMIT = 5.0


class ConfigFileError(Exception):
    """The file could not be used; ``str()`` is ``FILE:LINE: what`` (line 0: unknown)."""

    def __init__(self, path: Path, line: int, message: str, details: str = "") -> None:
        self.path = path
        self.line = line
        self.message = message
        self.details = details  # the traceback, for the log
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


class _TimeLimit(Exception):
    pass


@contextmanager
def time_limit(seconds: float = TIME_LIMIT) -> Iterator[None]:
    """Stop what runs inside after ``seconds`` (SIGALRM in this thread, the main one) with
    a TimeoutError. Nested uses keep the outer limit."""
    if signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise TimeoutError(f"still running after {seconds:g} s: stopped")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def user_traceback(exc: BaseException, path: Path | str | None = None) -> tuple[int, str]:
    """The line of ``path`` where ``exc`` came from (the innermost frame in that file; 0
    if none), and the traceback text from the user's code on (no "Traceback" header:
    the log's crash detectors keep meaning the compositor's own)."""
    frames = traceback.extract_tb(exc.__traceback__)
    line = 0
    if path is not None:
        for frame in frames:
            if frame.filename == str(path):
                line = frame.lineno or 0
    if isinstance(exc, SyntaxError) and path is not None and exc.filename == str(path):
        line = exc.lineno or 0
    # From the first frame outside this package: the user's code and what it called.
    start = 0
    for i, frame in enumerate(frames):
        if "compositor/configfile/" not in frame.filename.replace(os.sep, "/"):
            start = i
            break
    else:
        start = len(frames)
    text = "".join(traceback.format_list(frames[start:]))
    text += "".join(traceback.format_exception_only(type(exc), exc))
    return line, text


def load(path: Path, command_names: frozenset[str]) -> api.Declarations:
    """Run the file; what it declared, or :class:`ConfigFileError`."""
    try:
        source = path.read_text()
    except OSError as exc:
        raise ConfigFileError(path, 0, f"cannot read it: {exc.strerror or exc}") from None
    try:
        code = compile(source, str(path), "exec")
    except SyntaxError as exc:
        raise ConfigFileError(
            path, exc.lineno or 0, f"syntax error: {exc.msg}", _syntax_details(exc)
        ) from None
    except ValueError as exc:  # null bytes
        raise ConfigFileError(path, 0, f"cannot compile it: {exc}") from None
    declarations = api.Declarations(path)
    namespace: dict[str, Any] = {
        "__name__": "pydrm_config",
        "__file__": str(path),
        "__builtins__": __builtins__,
    }
    namespace.update({name: getattr(api, name) for name in api.__all__})
    previous = api._current, api._command_names
    api._current, api._command_names = declarations, command_names
    try:
        with time_limit():
            exec(code, namespace)  # noqa: S102 (running the user's configuration is the point)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # SystemExit (exit() in the file) included
        line, details = user_traceback(exc, path)
        what = str(exc) if isinstance(exc, api.ConfigError) else f"{type(exc).__name__}: {exc}"
        if isinstance(exc, SystemExit):
            what = "it called exit(): a configuration file declares, it does not exit"
        raise ConfigFileError(path, line, what, details) from None
    finally:
        api._current, api._command_names = previous
    return declarations


def _syntax_details(exc: SyntaxError) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc))
