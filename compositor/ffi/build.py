"""cffi build script for the project's native module, ``compositor.ffi._native``.

pywlroots 0.15.24 does not bind everything this compositor needs from libwlroots.so.10
(renderer/shm setup, the wlr_buffer bridge, DRM fds, read_pixels, headless input, ...).
Each concern keeps its declarations in ``cdef/<concern>.h`` and any C glue in
``csrc/<concern>.c``; types of the project's own that both sides need live once in
``csrc/<concern>_types.h``, which the cdef names with ``#include`` (inlined here) and the C
file includes. This script concatenates them (sorted by file name) into one module,
compiled against the system headers with ``-DWLR_USE_UNSTABLE``.

Run it directly (``python compositor/ffi/build.py``) to build in place during development;
``pip install`` runs it through setup.py's ``cffi_modules``.
"""

from __future__ import annotations

import os
import re
import runpy
import shlex
import subprocess
from pathlib import Path

from cffi import FFI

HERE = Path(__file__).resolve().parent
PKG_CONFIG_PACKAGES = [
    "wlroots", "wayland-server", "pixman-1", "libdrm", "xkbcommon", "libva", "libpipewire-0.3"
]
# Where the release has no wlroots 0.15 (Debian 13), scripts/wlroots-setup.sh unpacks Debian
# 12's into the checkout; its wlroots.pc carries an rpath, so the module finds the library
# at run time with nothing set. Used only when the system has no wlroots 0.15 of its own.
PRIVATE_WLROOTS_PC = HERE.parents[1] / ".wlroots/prefix/usr/lib/x86_64-linux-gnu/pkgconfig"


def _use_private_wlroots() -> None:
    has_015 = ["pkg-config", "--exists", "wlroots >= 0.15.0", "wlroots < 0.16"]
    try:
        system = subprocess.run(has_015, check=False).returncode == 0
    except OSError:
        return  # no pkg-config: _pkg_config says what to do
    if not system and PRIVATE_WLROOTS_PC.is_dir():
        old = os.environ.get("PKG_CONFIG_PATH")
        os.environ["PKG_CONFIG_PATH"] = f"{PRIVATE_WLROOTS_PC}{os.pathsep + old if old else ''}"


def _pkg_config(*flags: str) -> list[str]:
    try:
        out = subprocess.run(
            ["pkg-config", *flags, *PKG_CONFIG_PACKAGES], check=True, capture_output=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SystemExit(
            "pkg-config could not find the wlroots 0.15 development files (or wayland-server, "
            "pixman-1, libdrm, xkbcommon, libva, libpipewire-0.3); run scripts/setup.sh, which "
            f"installs them for this Debian release ({exc}: {getattr(exc, 'stderr', '')})"
        ) from exc
    return shlex.split(out)


_INCLUDE = re.compile(r'^#include "([\w.]+_types\.h)"$', re.MULTILINE)


def _inline_shared_types(text: str) -> str:
    """cffi's cdef has no #include: inline csrc/*_types.h, which the C side includes too."""
    return _INCLUDE.sub(lambda m: (HERE / "csrc" / m[1]).read_text(), text)


def _concat(pattern: str) -> str:
    parts = []
    for path in sorted((HERE / pattern.split("/")[0]).glob(pattern.split("/")[1])):
        parts.append(f"/* ---- {path.name} ---- */\n{path.read_text()}")
    return "\n".join(parts)


# Protocols wlroots 0.15 lacks: their C code, made by wayland-scanner (protocols.py) into an
# ignored build directory that csrc/99_*.c include from.
_PROTOCOL_DIR = runpy.run_path(str(HERE / "protocols.py"))["generate"]()

ffibuilder = FFI()
ffibuilder.cdef(_inline_shared_types(_concat("cdef/*.h")))
_use_private_wlroots()
_cflags = _pkg_config("--cflags")
ffibuilder.set_source(
    "compositor.ffi._native",
    "#define WLR_USE_UNSTABLE 1\n" + _concat("csrc/*.c"),
    extra_compile_args=["-DWLR_USE_UNSTABLE", "-Wall", "-Wno-unused-function", *_cflags],
    # -L and the rpath of a private wlroots (nothing for the system's)
    extra_link_args=_pkg_config("--libs-only-L", "--libs-only-other"),
    libraries="wlroots wayland-server pixman-1 drm xkbcommon va va-drm GLESv2 pipewire-0.3".split(),
    include_dirs=[str(HERE / "csrc"), str(_PROTOCOL_DIR)],
)

if __name__ == "__main__":
    # Build in place: the module lands next to this file, where compositor.ffi imports it.
    # Same file name as the editable install's build, so there is only ever one module.
    ffibuilder.compile(tmpdir=str(HERE.parent.parent), target=str(HERE / "_native.abi3.so"))
