"""``pydrm-portal``: the backend (no arguments, what D-Bus activation runs), ``install``
(the files that make xdg-desktop-portal pick it) and ``session-services`` (a session bus,
PipeWire, WirePlumber where the session has none)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("install", "session-services", "env"):
        from compositor.portal import session  # noqa: PLC0415

        return session.main(args)
    if args and args[0] in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    from compositor.portal import backend  # noqa: PLC0415

    return backend.main(args)


if __name__ == "__main__":
    sys.exit(main())
