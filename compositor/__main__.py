"""``python -m compositor`` / ``pydrm-compositor``: parse options, run, exit cleanly."""

from __future__ import annotations

import logging
import sys

from compositor.config import parse_args


def setup_logging(level_name: str) -> None:
    level = getattr(logging, level_name.upper())
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s.%(msecs)03d %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    from compositor import wlr_log

    # wlroots' own log goes through the "wlroots" logger, one level quieter than ours.
    wlr_log.init(max(level, logging.INFO) if level > logging.DEBUG else logging.DEBUG)


def main(argv: list[str] | None = None) -> int:
    config = parse_args(sys.argv[1:] if argv is None else argv)
    setup_logging(config.log_level)
    log = logging.getLogger("compositor")
    from compositor.backend_handle import BackendError
    from compositor.render.renderer import RendererError
    from compositor.server import Server, SocketError

    try:
        server = Server(config)  # undoes its partial setup before raising
    except (BackendError, RendererError, SocketError, OSError) as exc:
        log.error("%s", exc)
        return 1
    try:
        code = server.run()
    except RuntimeError as exc:
        log.error("%s", exc)
        code = 1
    finally:
        server.shutdown()
    log.info("bye")
    return code


if __name__ == "__main__":
    sys.exit(main())
