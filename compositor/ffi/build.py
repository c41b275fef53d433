"""cffi build script for the project's native module, ``compositor.ffi._native``.

pywlroots 0.15.24 does not bind everything this compositor needs from libwlroots.so.10
(renderer/shm setup, the wlr_buffer bridge, DRM fds, read_pixels, headless input, ...).
Each concern has its C file, ``csrc/<concern>.c``, compiled as its own translation unit,
and its header, ``csrc/<concern>.h``: what Python calls and the types both sides read.
What the C files share with each other only is declared in ``csrc/internal.h``; all else
in a C file is static. ``cdef/*.h`` hold what only cffi needs: the libwlroots functions
pywlroots lacks, system structs read from Python, and the ``extern "Python+C"`` callbacks
(C calls them from other files than the one cffi defines them in).

The cdef is cdef/*.h and every csrc/*.h but internal.h, with their ``#include "x.h"`` of
csrc/ headers inlined and their other preprocessor lines (system includes, ``#pragma
once``) left out; so a csrc/ header holds declarations only (no macros but ``#define NAME
number``). The module's own file (cffi's generated code) includes the system headers that
cdef/*.h name, each csrc/ header and internal.h. Everything is compiled against the system
headers with ``-DWLR_USE_UNSTABLE``; an implicit declaration or a non-static function
without a prototype is an error.

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
ROOT = HERE.parents[1]
PKG_CONFIG_PACKAGES = [
    "wlroots", "wayland-server", "pixman-1", "libdrm", "xkbcommon", "libva", "libpipewire-0.3"
]
# Where the release has no wlroots 0.15 (Debian 13), scripts/wlroots-setup.sh unpacks Debian
# 12's into the checkout; its wlroots.pc carries an rpath, so the module finds the library
# at run time with nothing set. Used only when the system has no wlroots 0.15 of its own.
PRIVATE_WLROOTS_PC = ROOT / ".wlroots/prefix/usr/lib/x86_64-linux-gnu/pkgconfig"


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


CSRC = HERE / "csrc"
# What the C files share with each other and Python does not see (not part of the cdef).
INTERNAL_HEADER = "internal.h"
_OWN_INCLUDE = re.compile(r'^#include "([\w.-]+\.h)"$', re.MULTILINE)
_SYSTEM_INCLUDE = re.compile(r"^#include <[\w./-]+>$", re.MULTILINE)


def _for_cffi(path: Path, seen: set[Path]) -> str:
    """A header as cffi's cdef takes it: the csrc/ headers it includes inlined (each once),
    its system includes and ``#pragma once`` left out (cffi reads no preprocessor lines but
    ``#define``)."""
    if path in seen:
        return ""
    seen.add(path)
    text = _OWN_INCLUDE.sub(lambda m: _for_cffi(CSRC / m[1], seen), path.read_text())
    text = _SYSTEM_INCLUDE.sub("", text)
    return text.replace("#pragma once\n", "")


def _headers() -> tuple[list[Path], list[Path]]:
    """What only the cdef declares (cdef/*.h: libwlroots' functions that pywlroots lacks,
    system types read through cffi, the extern "Python+C" callbacks), and each concern's C
    header (csrc/*.h: what Python calls, and its types)."""
    own = sorted(p for p in CSRC.glob("*.h") if p.name != INTERNAL_HEADER)
    return sorted((HERE / "cdef").glob("*.h")), own


def _cdef() -> str:
    """cdef/*.h first (a csrc/ header one of them includes is inlined there, after the system
    types it uses), then every csrc/*.h not inlined yet."""
    seen: set[Path] = set()
    cdef_only, own = _headers()
    return "\n".join(_for_cffi(path, seen) for path in cdef_only + own)


def _main_source() -> str:
    """The module's own translation unit (cffi's generated code follows it): the system
    headers that declare what cdef/*.h binds, every concern's header and internal.h (the
    callbacks cffi defines here)."""
    cdef_only, own = _headers()
    system = {m[0]: None for path in cdef_only for m in _SYSTEM_INCLUDE.finditer(path.read_text())}
    own_includes = [f'#include "{path.name}"' for path in [*own, CSRC / INTERNAL_HEADER]]
    # cffi's generated code follows: its module init function has no prototype.
    pragma = '#pragma GCC diagnostic ignored "-Wmissing-prototypes"'
    return "\n".join([*system, *own_includes, pragma]) + "\n"


# Protocols wlroots 0.15 lacks: their C code, made by wayland-scanner (protocols.py) into an
# ignored build directory; the server headers are included from csrc/, the interface code
# is compiled with the module.
_protocols = runpy.run_path(str(HERE / "protocols.py"))
_PROTOCOL_DIR = _protocols["generate"]()


def _sources() -> list[str]:
    """Every csrc/*.c and protocol file as its own translation unit, relative to the
    repository root (cffi and setuptools compile from there)."""
    paths = sorted(CSRC.glob("*.c")) + _protocols["code_files"](_PROTOCOL_DIR)
    return [os.path.relpath(path, ROOT) for path in paths]


# Warnings: implicit declarations are errors (every file includes what it calls), and so
# is a non-static function without a prototype in a header (all else stays static).
WARNINGS = [
    "-Wall",
    "-Wextra",
    "-Wno-unused-parameter",  # listeners and wlroots interfaces take what they may ignore
    "-Werror=implicit-function-declaration",
    "-Werror=missing-prototypes",
]

ffibuilder = FFI()
ffibuilder.cdef(_cdef())
_use_private_wlroots()
_cflags = _pkg_config("--cflags")
ffibuilder.set_source(
    "compositor.ffi._native",
    _main_source(),
    sources=_sources(),
    # _GNU_SOURCE as Python.h sets it for the module's own file: every file sees the same libc.
    extra_compile_args=["-DWLR_USE_UNSTABLE", "-D_GNU_SOURCE=1", *WARNINGS, *_cflags],
    # -L and the rpath of a private wlroots (nothing for the system's)
    extra_link_args=_pkg_config("--libs-only-L", "--libs-only-other"),
    libraries="wlroots wayland-server pixman-1 drm xkbcommon va va-drm GLESv2 pipewire-0.3".split(),
    include_dirs=[str(CSRC), str(_PROTOCOL_DIR)],
)

if __name__ == "__main__":
    # Build in place: the module lands next to this file, where compositor.ffi imports it.
    # Same file name as the editable install's build, so there is only ever one module.
    ffibuilder.compile(tmpdir=str(HERE.parent.parent), target=str(HERE / "_native.abi3.so"))
