"""Client bindings for protocols pywayland does not ship, generated at test time.

``tests/protocols/`` holds the XML, as wlroots 0.15 ships it (wlr-foreign-toplevel-
management v3, wlr-input-inhibitor v1, input-method v2, wlr-layer-shell v4); :func:`load`
runs pywayland's scanner on all of them into a cache directory keyed by the XML files'
hash (once per machine, swapped in whole, so concurrent test processes never see half a
package) and imports the one asked for.

    toplevel = load("wlr-foreign-toplevel-management-unstable-v1")
    manager_class = toplevel.ZwlrForeignToplevelManagerV1
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
import sys
import tempfile
from pathlib import Path
from types import ModuleType

PROTOCOLS = Path(__file__).resolve().parent.parent / "protocols"
SHIPPED = {  # pywayland.protocol.<name>: its XML
    "wayland": Path("/usr/share/wayland/wayland.xml"),
    "xdg_shell": Path("/usr/share/wayland-protocols/stable/xdg-shell/xdg-shell.xml"),
}
PACKAGE = "pydrm_test_protocols"


def _cache_root(digest: str) -> Path:
    return Path(tempfile.gettempdir()) / f"pydrm-test-protocols-{os.getuid()}-{digest}"


def _generate(xmls: list[Path], root: Path) -> None:
    from pywayland.scanner.protocol import Protocol

    protocols = [Protocol.parse_file(str(xml)) for xml in xmls]
    imports = {}
    for protocol in protocols:
        imports.update({iface.name: protocol.name for iface in protocol.interface})
    # Interfaces of protocols pywayland ships (wl_*, xdg_popup) come from its own modules.
    for shipped, xml in SHIPPED.items():
        imports.update({iface.name: shipped for iface in Protocol.parse_file(str(xml)).interface})
    root.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=root.parent, prefix=".generating-"))
    package = scratch / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("")
    for protocol in protocols:
        protocol.output(str(package), imports)
    for path in package.glob("*/*.py"):
        text = path.read_text()
        for shipped in SHIPPED:
            text = text.replace(
                f"from ..{shipped} import", f"from pywayland.protocol.{shipped} import"
            )
        path.write_text(text)
    try:
        os.replace(scratch, root)
    except OSError:  # another process was first: theirs is the same
        for path in sorted(scratch.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        scratch.rmdir()


def load(name: str) -> ModuleType:
    """The generated bindings of ``tests/protocols/NAME.xml`` (a module of its classes)."""
    if not (PROTOCOLS / f"{name}.xml").exists():
        raise FileNotFoundError(f"no protocol {name} in {PROTOCOLS}")
    xmls = sorted(PROTOCOLS.glob("*.xml"))
    digest = hashlib.sha256(b"".join(xml.read_bytes() for xml in xmls)).hexdigest()[:16]
    root = _cache_root(digest)
    if not (root / PACKAGE).is_dir():
        _generate(xmls, root)
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    # The package is named after the protocol's name attribute, not the file.
    match = re.search(r'<protocol name="([\w-]+)"', (PROTOCOLS / f"{name}.xml").read_text())
    module_name = match[1].replace("-", "_")
    return importlib.import_module(f"{PACKAGE}.{module_name}")
