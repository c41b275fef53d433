"""The buffer-sharing inspector: what each client shares, how it reaches the screen, what it
costs, and why it is not zero-copy (``pydrm-ctl clients``; see README "Inspector")."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from compositor.control import ControlServer
    from compositor.inspect.clients import ClientInspector


class Inspector:
    """The ``clients`` command. What answers it (:mod:`.clients`, :mod:`.diagnosis`) is
    imported and set up by the first call: a compositor that no one inspects does not hold it."""

    def __init__(self, make: Callable[[], ClientInspector]) -> None:
        self._make = make  # the composition root's: ClientInspector with its collaborators
        self.clients: ClientInspector | None = None

    def register_commands(self, control: ControlServer) -> None:
        control.register(
            "clients",
            "every client: pid, exe, globals bound, wl_drm state, each surface's buffer, "
            "how it reached the output and what it cost, and why it is not zero-copy [pid=]",
            self.snapshot,
        )

    def snapshot(self, request: dict[str, Any] | None = None) -> dict[str, Any]:
        if self.clients is None:
            self.clients = self._make()
        return self.clients.snapshot(request)
