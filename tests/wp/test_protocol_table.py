"""The README's protocol table says what wayland-info sees: every global, with its version.

The "ours" column of the table in README.md's Protocols section must list exactly the
globals wayland-info (a real client) finds on the headless compositor, with the versions it
reports; the "sway 1.7" column was read the same way from sway 1.7 (see the README), and
where sway 1.7 lacks a global, from sway 1.10.1: "- (1.10: 1)". A global whose version
comes from the release's libraries says so in its cell: "1 (2 on Debian 13)" is 2 on Debian
13 and 1 elsewhere.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import needs

README = Path(__file__).resolve().parents[2] / "README.md"
CONDITIONAL = ("wl_drm", "zwp_linux_dmabuf_v1")


def debian_version() -> str:
    for line in Path("/etc/os-release").read_text().splitlines():
        if line.startswith("VERSION_ID="):
            return line.split("=", 1)[1].strip('"')
    return ""


def here(cell: str) -> str:
    """The version an "ours" cell gives for this machine's release."""
    match = re.fullmatch(r"(\d+)(?: \((\d+) on Debian (\d+)\))?", cell)
    assert match, f"README protocol table: cannot read {cell!r}"
    default, other, release = match.groups()
    return other if other and release == debian_version() else default


def table() -> dict[str, tuple[str, str]]:
    """{interface: (ours, sway)} from the README's Protocols table."""
    text = README.read_text()
    section = text[text.index("### Protocols") :]
    section = section[: section.index("\n#", 1)]
    rows: dict[str, tuple[str, str]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            for name in re.findall(r"`([^`]+)`", cells[0]):
                rows[name] = (cells[1], cells[2])
    return rows


@needs("wayland-info")
def test_the_readme_lists_every_global_with_its_version(compositor):
    result = compositor.run_client(["wayland-info"])
    assert result.returncode == 0, result.stderr
    seen: dict[str, str] = {}
    for name, version in re.findall(r"interface: '([^']+)',\s+version:\s+(\d+)", result.stdout):
        seen.setdefault(name, version)
    # Offered only in some setups (a DRM node, the GLES2 renderer): the README says so
    # below the table.
    for conditional in CONDITIONAL:
        seen.pop(conditional, None)
    ours = {name: here(versions[0]) for name, versions in table().items()}
    assert ours == seen
    # The table's sway column lacks nothing of ours: sway 1.7's version, or sway 1.10's, or
    # "- (1.10: -)" for the two beyond sway (xdg-toplevel-icon, xdg-dialog).
    sway_cell = re.compile(r"\d+|- \(1\.10: (\d+|-)\)")
    assert all(sway_cell.fullmatch(sway) for _, sway in table().values()), table()
