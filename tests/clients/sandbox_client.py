"""A sandbox engine of the tests' own, on wp_security_context_manager_v1 (pywayland's
bindings): it lists the globals of its own connection, binds a listening socket in
$XDG_RUNTIME_DIR, hands it to the compositor with a close fd and metadata, connects through
it and lists the globals that connection sees.

Prints one line per fact, flushed at once:

    global NAME | committed | sandboxed-global NAME | sandboxed-done | closed |
    connect-refused | connect-accepted | sandboxed-error MESSAGE | error MESSAGE

Options: ``--engine``, ``--app-id``, ``--instance-id`` (each left unset when empty);
``--socket NAME`` (the listener's name in $XDG_RUNTIME_DIR); ``--connections N``
(sandboxed connections to open and keep, each listing its globals; 1 by default);
``--bad-listen-fd`` (hand over a socket that is not listening: a protocol error);
``--set-twice`` (set the app id twice: a protocol error); ``--nested`` (the sandboxed
connection makes a security context of its own, when it sees the manager: a protocol
error). On stdin: ``close`` (close the
close fd: the compositor stops accepting; prints ``closed``), ``connect`` (try one more
connection on the listener's path: ``connect-accepted`` when the compositor takes it and
answers a roundtrip, ``connect-refused`` when nothing listens), ``quit``.

    python -m tests.clients.sandbox_client --engine org.flatpak --app-id org.example.App
"""

from __future__ import annotations

import argparse
import os
import socket
import sys

from pywayland.client import Display
from pywayland.protocol.security_context_v1 import WpSecurityContextManagerV1

from tests.clients.solid_window import exit_on_handler_errors


def say(*words: object) -> None:
    print(*words, flush=True)


def list_globals(display: Display, prefix: str) -> dict[str, int]:
    """The globals a connection is told of, printed as PREFIX NAME, name -> global name."""
    found: dict[str, int] = {}
    registry = display.get_registry()
    registry.dispatcher["global"] = lambda r, name, interface, version: found.setdefault(
        interface, name
    )
    if display.roundtrip() < 0:
        raise ConnectionError("the compositor ended the connection (its error is on stderr)")
    for interface in sorted(found):
        say(prefix, interface)
    display._registry = registry  # keep it alive with the connection
    return found


class Sandbox:
    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.display = Display()
        self.display.connect()
        found = list_globals(self.display, "global")
        if "wp_security_context_manager_v1" not in found:
            say("error no wp_security_context_manager_v1")
            sys.exit(3)
        self.manager = self.display.get_registry().bind(
            found["wp_security_context_manager_v1"], WpSecurityContextManagerV1, 1
        )
        self.path = os.path.join(os.environ["XDG_RUNTIME_DIR"], options.socket)
        self.sandboxed: list[Display] = []
        self.close_write: int | None = None

    def commit(self) -> None:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if os.path.exists(self.path):
            os.unlink(self.path)
        listener.bind(self.path)
        if not self.options.bad_listen_fd:
            listener.listen(16)
        close_read, self.close_write = os.pipe()
        context = self.manager.create_listener(listener.fileno(), close_read)
        # The compositor has its own copies now: only the close fd's other end stays ours,
        # so that the listener's socket is gone once the compositor closes its copy.
        listener.close()
        os.close(close_read)
        for value, request in (
            (self.options.engine, context.set_sandbox_engine),
            (self.options.app_id, context.set_app_id),
            (self.options.instance_id, context.set_instance_id),
        ):
            if value:
                request(value)
        if self.options.set_twice:
            context.set_app_id("twice")
        context.commit()
        context.destroy()
        if self.display.roundtrip() < 0:
            raise ConnectionError("a protocol error (libwayland printed it on stderr)")
        say("committed")

    def connect_sandboxed(self) -> None:
        display = Display(self.options.socket)
        display.connect()
        found = list_globals(display, "sandboxed-global")
        self.sandboxed.append(display)
        say("sandboxed-done")
        if self.options.nested and "wp_security_context_manager_v1" in found:
            manager = display._registry.bind(
                found["wp_security_context_manager_v1"], WpSecurityContextManagerV1, 1
            )
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(self.path + "-nested")
            listener.listen(1)
            close_read, close_write = os.pipe()
            manager.create_listener(listener.fileno(), close_read)
            if display.roundtrip() < 0:
                raise ConnectionError("nested: a protocol error (on stderr)")

    def command(self, words: list[str]) -> bool:
        if words == ["close"]:
            os.close(self.close_write)
            self.close_write = None
            say("closed")
        elif words == ["connect"]:
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(self.path)
            except (ConnectionRefusedError, FileNotFoundError):
                say("connect-refused")
            else:
                say("connect-accepted")
            finally:
                probe.close()
        elif words == ["quit"]:
            return False
        return True


def main() -> None:
    exit_on_handler_errors()
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="org.example.sandbox")
    parser.add_argument("--app-id", default="org.example.App")
    parser.add_argument("--instance-id", default="1")
    parser.add_argument("--socket", default="sandbox-0")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--bad-listen-fd", action="store_true")
    parser.add_argument("--set-twice", action="store_true")
    parser.add_argument("--nested", action="store_true")
    options = parser.parse_args()
    sandbox = Sandbox(options)
    try:
        sandbox.commit()
    except Exception as exc:  # a protocol error ends the roundtrip: say what it was
        say("error", str(exc).replace("\n", " "))
        sys.stdout.flush()
        os._exit(2)  # not sys.exit: see the end of main
    for _ in range(options.connections):
        try:
            sandbox.connect_sandboxed()
        except Exception as exc:  # refused by a limit: the compositor's wl_display.error
            say("sandboxed-error", str(exc).replace("\n", " "))
    for line in sys.stdin:
        if not sandbox.command(line.split()):
            break
    # pywayland frees proxies after their displays at interpreter exit (a crash): the
    # connections end with the process.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
