"""Answers given ahead to the portal's dialogs, kept by the compositor.

``pydrm-ctl screencast-answer output=HEADLESS-1`` (or ``view=ID``, ``region=X,Y,W,H``,
``cancel=true``; ``access=grant|deny`` for the permission dialog; ``pick=X,Y`` for
PickColor) queues an answer; the
portal backend takes the oldest one of its kind (``screencast-answer-take``) instead of
showing its chooser. This is for automation and tests: a person answers the dialog.
Answers are checked when given (the output or window must exist then) and kept until taken
or cleared (``screencast-answer clear=true``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from compositor.control import CommandError

if TYPE_CHECKING:
    from compositor.control import ControlServer

# Enough for any script; more is a loop gone wrong, said as an error.
MAX_PENDING = 32
KINDS = ("sources", "access", "pick")


def _region(value: Any) -> dict[str, int]:
    parts = value.split(",") if isinstance(value, str) else value
    try:
        x, y, width, height = (int(p) for p in parts)
    except (TypeError, ValueError) as exc:
        raise CommandError("region=X,Y,WIDTH,HEIGHT (integers, layout coordinates)") from exc
    if width <= 0 or height <= 0:
        raise CommandError("a region's width and height must be positive")
    return {"x": x, "y": y, "width": width, "height": height}


class ChooserAnswers:
    """The queue of answers, per dialog kind (``sources``: the screen-cast chooser,
    ``access``: the yes/no permission dialog)."""

    def __init__(
        self, output_names: Callable[[], Iterable[str]], view_ids: Callable[[], Iterable[Any]]
    ) -> None:
        self.output_names = output_names
        self.view_ids = view_ids
        self.pending: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        if request.get("clear"):
            for queue in self.pending.values():
                queue.clear()
            return {"pending": self.describe()}
        given = [
            k for k in ("output", "view", "region", "cancel", "access", "pick") if k in request
        ]
        if len(given) != 1:
            raise CommandError(
                "screencast-answer takes one of output=NAME, view=ID, region=X,Y,W,H, "
                "cancel=true, access=grant|deny, pick=X,Y (or clear=true)"
            )
        key = given[0]
        value = request[key]
        kind = key if key in ("access", "pick") else "sources"
        if key == "output":
            names = list(self.output_names())
            if value not in names:
                raise CommandError(f"no output {value!r}; outputs: {names}")
            entry: dict[str, Any] = {"output": value}
        elif key == "view":
            ids = list(self.view_ids())
            if value not in ids:
                raise CommandError(f"no window with id {value!r}; windows: {ids} (pydrm-ctl views)")
            entry = {"view": value}
        elif key == "region":
            entry = {"region": _region(value)}
        elif key == "cancel":
            if value is not True:
                raise CommandError("cancel=true")
            entry = {"cancel": True}
        elif key == "pick":
            point = _region([*str(value).split(","), 1, 1])
            entry = {"pick": [point["x"], point["y"]]}
        else:
            if value not in ("grant", "deny"):
                raise CommandError("access=grant or access=deny")
            entry = {"access": value}
        queue = self.pending[kind]
        if len(queue) >= MAX_PENDING:
            raise CommandError(
                f"{MAX_PENDING} answers already wait for a dialog; clear them with clear=true"
            )
        queue.append(entry)
        return {"queued": entry, "pending": self.describe()}

    def take(self, request: dict[str, Any]) -> dict[str, Any]:
        kind = request.get("for", "sources")
        if kind not in KINDS:
            raise CommandError(f"for= one of {list(KINDS)}")
        queue = self.pending[kind]
        return {"answer": queue.pop(0) if queue else None}

    def describe(self) -> dict[str, list[dict[str, Any]]]:
        return {kind: list(queue) for kind, queue in self.pending.items()}

    def register_commands(self, control: ControlServer) -> None:
        control.register(
            "screencast-answer",
            "answer the portal's next chooser ahead: output=NAME | view=ID | "
            "region=X,Y,W,H | cancel=true | access=grant|deny | pick=X,Y (PickColor's point) | "
            "clear=true",
            self.answer,
        )
        control.register(
            "screencast-answer-take",
            "(the portal backend) take the oldest answer given ahead [for=sources|access|pick]",
            self.take,
        )
