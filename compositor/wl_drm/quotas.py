"""Per-client limits on wl_drm buffers, and who may use which flink name.

A client's usage counts its live wl_drm buffers and their bytes; the bytes are the size of
the buffer behind each fd (what the compositor keeps alive), so a buffer created twice from
one fd counts twice. Exceeding a limit is a protocol error for that client only.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class QuotaError(Exception):
    """A per-client limit would be exceeded."""


class OwnershipError(Exception):
    """A flink name belongs to another client."""


@dataclass
class ClientUsage:
    pid: int
    buffers: int = 0
    bytes: int = 0
    flink_names: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Quotas:
    max_buffers: int
    max_bytes: int

    def check(self, usage: ClientUsage, size: int) -> None:
        if usage.buffers + 1 > self.max_buffers:
            raise QuotaError(
                f"quota: the client holds {usage.buffers} buffers, the limit is "
                f"{self.max_buffers} (--max-client-buffers)"
            )
        if usage.bytes + size > self.max_bytes:
            raise QuotaError(
                f"quota: {usage.bytes} + {size} bytes exceeds the {self.max_bytes} byte limit "
                "(--max-client-bytes)"
            )


class FlinkNames:
    """Which client a GEM flink name belongs to (only with ``--allow-flink``).

    The kernel cannot tell who created a flink name, and any authenticated client can open
    any name it guesses. The compositor therefore binds a name to the first client that
    presents it and refuses it to every other client while that client lives; this stops
    one Wayland client from importing another's buffers through the compositor, not a
    client from guessing names of programs that never talk to it. That is why flink is
    off by default.
    """

    def __init__(self) -> None:
        self._owner: dict[int, ClientUsage] = {}

    def claim(self, name: int, client: ClientUsage) -> None:
        owner = self._owner.get(name)
        if owner is not None and owner is not client:
            raise OwnershipError(f"flink name {name} belongs to another client (pid {owner.pid})")
        self._owner[name] = client
        client.flink_names.add(name)

    def release(self, client: ClientUsage) -> None:
        for name in client.flink_names:
            if self._owner.get(name) is client:
                del self._owner[name]
        client.flink_names.clear()

    def __len__(self) -> int:
        return len(self._owner)
