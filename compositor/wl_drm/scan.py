"""Generate wl_drm's Python bindings from ``protocols/wayland-drm.xml`` with pywayland's scanner.

The output, ``compositor/protocols_gen/drm/``, is a build product (ignored by git): setup.py
runs this file at install time, and :mod:`compositor.wl_drm.protocol` runs :func:`generate`
again when the XML is newer than the bindings (a source checkout after ``git pull``). The same
module serves the compositor (``WlDrmGlobal``/``WlDrmResource``) and the test client
(``WlDrmProxy``).

Runs standalone (``python compositor/wl_drm/scan.py``) so setup.py need not import the package.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
XML = ROOT / "protocols" / "wayland-drm.xml"
OUT = ROOT / "compositor" / "protocols_gen"
CORE_XML = Path("/usr/share/wayland/wayland.xml")


def is_stale(xml: Path = XML, out: Path = OUT) -> bool:
    marker = out / "drm" / "wl_drm.py"
    return not marker.exists() or marker.stat().st_mtime < xml.stat().st_mtime


def generate(xml: Path = XML, out: Path = OUT) -> Path:
    """Write ``out/drm/*.py``; wl_buffer resolves to pywayland's own core protocol class."""
    # Imported here: the compositor imports this module for is_stale() at every start, and
    # regenerates only after the XML changed.
    import shutil
    import tempfile

    from pywayland.scanner.protocol import Protocol

    core_xml = CORE_XML if CORE_XML.exists() else None
    protocol = Protocol.parse_file(str(xml))
    imports = {iface.name: protocol.name for iface in protocol.interface}
    if core_xml is not None:
        core = Protocol.parse_file(str(core_xml))
        imports.update({iface.name: "wayland" for iface in core.interface})
    else:  # only wl_buffer is referenced
        imports["wl_buffer"] = "wayland"
    out.mkdir(parents=True, exist_ok=True)
    init = out / "__init__.py"
    if not init.exists():
        init.write_text('"""Generated protocol bindings (build output, not in git)."""\n')
    # Generate into a scratch dir and swap it in, so a concurrent import never sees half a
    # package.
    with tempfile.TemporaryDirectory(dir=out) as scratch:
        protocol.output(scratch, imports)
        generated = Path(scratch) / protocol.name.replace("-", "_")
        for path in generated.glob("*.py"):
            text = path.read_text()
            # The scanner imports other protocols relative to its own package; ours lives
            # elsewhere, so point core interfaces at pywayland's generated module.
            text = text.replace("from ..wayland import", "from pywayland.protocol.wayland import")
            path.write_text(text)
        target = out / generated.name
        if target.exists():
            shutil.rmtree(target)  # with its __pycache__ (setup byte-compiles it)
        os.replace(generated, target)
    return out / protocol.name.replace("-", "_")


if __name__ == "__main__":
    print(f"wl_drm bindings: {generate()}", file=sys.stderr)
