"""``pydrm-ctl top``: the inspector, live, in a terminal (textual), or as JSON lines.

Every ``--interval`` seconds it asks the compositor for ``clients`` and shows one row per
client: pid, program, surfaces, what its buffers are, how they reach the output, commits
and bytes copied per second, its wl_shm buffers' bytes and its protocol objects against
their limits, zero-copy or not, and the first reason why not. Keys: ``s``
cycles the sort column (bytes copied per second first), ``/`` filters by program or pid,
``q`` quits. ``--json`` prints one snapshot per line instead (``--count N`` stops after N).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

# Opens a control connection: an object with call(cmd) -> dict, close(), and a context.
Connect = Callable[[], Any]

COLUMNS = (
    "PID", "PROGRAM", "SURF", "BUFFERS", "PATH", "COMMITS/S", "COPIED/S", "SHM", "OBJ",
    "0-COPY", "WHY",
)  # fmt: skip
SORTS = ("COPIED/S", "COMMITS/S", "PID", "PROGRAM", "SHM", "OBJ")
USED_OF_LIMIT = ("SHM", "OBJ")


def rows(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per client, with the values the table shows and sorts by."""
    out = []
    for client in snapshot["clients"]:
        shown = [s for s in client["surfaces"] if s["buffer"]["kind"] not in ("none", "released")]
        kinds = sorted({f"{s['buffer']['kind']} {s['buffer']['format']}".strip() for s in shown})
        paths = sorted({s["path"] for s in shown})
        program = (client["exe"] or "?").rsplit("/", 1)[-1]
        out.append(
            {
                "PID": client["pid"],
                "PROGRAM": program,
                "SURF": len(client["surfaces"]),
                "BUFFERS": ", ".join(kinds) or "-",
                "PATH": ", ".join(paths) or "-",
                "COMMITS/S": client["commits_per_s"] or 0.0,
                "COPIED/S": client["bytes_copied_per_s"] or 0,
                # wl_shm buffers' bytes against --max-client-shm-bytes (compositor/limits.py)
                "SHM": (client.get("wl_shm") or {}).get("bytes") or {"used": 0, "limit": 0},
                # its protocol objects against --max-client-objects (compositor/limits_objects.py)
                "OBJ": (client.get("limits") or {}).get("objects") or {"used": 0, "limit": 0},
                "0-COPY": "yes" if client["zero_copy"] else "no",
                "WHY": client["diagnosis"][0] if client["diagnosis"] else "",
            }
        )
    return out


def sort_rows(table: list[dict[str, Any]], key: str, text: str = "") -> list[dict[str, Any]]:
    if text:
        table = [r for r in table if text in r["PROGRAM"] or text == str(r["PID"])]
    return sorted(
        table,
        key=lambda r: r[key]["used"] if key in USED_OF_LIMIT else r[key],
        reverse=key in ("COPIED/S", "COMMITS/S", *USED_OF_LIMIT),
    )


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def cell(row: dict[str, Any], column: str) -> str:
    value = row[column]
    if column == "COPIED/S":
        return human_bytes(value)
    if column == "SHM":
        if not value["limit"]:
            return "-"
        return f"{human_bytes(value['used'])} of {human_bytes(value['limit'])}"
    if column == "OBJ":
        return f"{value['used']} of {value['limit']}" if value["limit"] else "-"
    return str(value)


def stream_json(connect: Connect, interval: float, count: int | None) -> int:
    with connect() as client:
        shown = 0
        while count is None or shown < count:
            reply = client.call("clients")
            if not reply.get("ok"):
                print(json.dumps(reply), file=sys.stderr)
                return 1
            reply.pop("ok")
            reply["time"] = round(time.time(), 3)
            print(json.dumps(reply), flush=True)
            shown += 1
            if count is None or shown < count:
                time.sleep(interval)
    return 0


def run_tui(connect: Connect, interval: float) -> int:
    from textual.app import App, ComposeResult  # noqa: PLC0415 - only the TUI needs textual
    from textual.widgets import DataTable, Footer, Header, Input

    class Top(App):
        TITLE = "pydrm-ctl top"
        BINDINGS = [("q", "quit", "quit"), ("s", "sort", "sort"), ("slash", "filter", "filter")]

        def __init__(self) -> None:
            super().__init__()
            self.client = connect()
            self.sort = SORTS[0]
            self.text = ""
            self.snapshot: dict[str, Any] = {"clients": []}

        def compose(self) -> ComposeResult:
            yield Header()
            yield DataTable(zebra_stripes=True)
            yield Input(placeholder="filter: program or pid, Enter to apply", id="filter")
            yield Footer()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns(*COLUMNS)
            self.query_one(Input).display = False
            self.refresh_table()
            self.set_interval(interval, self.refresh_table)

        def refresh_table(self) -> None:
            reply = self.client.call("clients")
            if reply.get("ok"):
                self.snapshot = reply
            table = self.query_one(DataTable)
            table.clear()
            for row in sort_rows(rows(self.snapshot), self.sort, self.text):
                table.add_row(*(cell(row, c) for c in COLUMNS))
            self.sub_title = (
                f"{len(self.snapshot['clients'])} clients, renderer "
                f"{self.snapshot.get('renderer', '?')}, sorted by {self.sort}"
                + (f", filter {self.text!r}" if self.text else "")
            )

        def action_sort(self) -> None:
            self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
            self.refresh_table()

        def action_filter(self) -> None:
            box = self.query_one(Input)
            box.display = True
            box.focus()

        def on_input_submitted(self, event: Input.Submitted) -> None:
            self.text = event.value.strip()
            event.input.display = False
            self.query_one(DataTable).focus()
            self.refresh_table()

    Top().run()
    return 0


def main(connect: Connect, argv: list[str]) -> int:
    """``connect``: opens a control connection (control_client.py's ``ControlClient``)."""
    parser = argparse.ArgumentParser(prog="pydrm-ctl top", description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="one JSON snapshot per line")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds (default 1)")
    parser.add_argument("--count", type=int, help="--json: stop after N snapshots")
    ns = parser.parse_args(argv)
    if ns.json:
        return stream_json(connect, ns.interval, ns.count)
    return run_tui(connect, ns.interval)
