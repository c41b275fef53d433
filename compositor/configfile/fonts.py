"""A font by its fontconfig name ("DejaVu Sans Mono", "DejaVu Serif:bold", "monospace"): the
file it is, for the title bars (``title_bar(font=...)`` in the configuration file).

fontconfig's own tools do the work, in their own processes, when the file is loaded (not in
the compositor's memory, and not per title): ``fc-pattern`` says which families a name asks
for, ``fc-match`` which font file fontconfig picks. fontconfig always picks *something* (its
default sans for a name it has never heard of), so a name counts as found only when the
family picked is one it asked for (case does not matter), or when it asked for a generic
family (sans, serif, monospace...), which stands for whatever the system's configuration
makes of it. The style asked for (``:bold``, ``:italic``) is fontconfig's to find: the
nearest one the family has.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# fontconfig's generic families (its conf.d aliases): any family it gives for them is right.
GENERIC = frozenset(
    {"sans", "sans-serif", "serif", "mono", "monospace", "system-ui", "emoji", "math",
     "cursive", "fantasy"}
)  # fmt: skip
FONT_FILE_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc", ".pfb", ".pfa", ".woff", ".woff2")
FAMILIES = "%{[]family{%{family}\n}}"  # fontconfig's format: each family on a line
TIMEOUT_S = 10  # a cold font cache is rebuilt on the first call; never more than this


class FontError(ValueError):
    """No font file for this name; the message says what the user can do."""


@dataclass(frozen=True)
class Font:
    file: str
    index: int  # the face in a collection (.ttc)
    family: str  # the family fontconfig picked


def looks_like_a_path(font: str) -> bool:
    return "/" in font or font.startswith("~") or font.lower().endswith(FONT_FILE_SUFFIXES)


def resolve(name: str) -> Font:
    """The font file fontconfig picks for ``name``; :class:`FontError` when it has no
    family of that name."""
    if not name.strip():
        raise FontError("font takes a font's name ('DejaVu Sans Mono') or a font file's path")
    asked = [f.lower() for f in _run("fc-pattern", name)]
    picked = _run("fc-match", name, f"{FAMILIES}%{{file}}\n%{{index}}\n")
    if len(picked) < 2 or not picked[-2]:
        raise FontError(f"fontconfig found no font file at all for {name!r}: is a font installed?")
    families, file, index = picked[:-2], picked[-2], picked[-1]
    if not (asked and asked[0] in GENERIC) and not {f.lower() for f in families} & set(asked):
        raise FontError(
            f"no font named {name!r} (fontconfig would use {families[0] if families else file}"
            " instead); `fc-list : family` lists the installed families, or give a font "
            "file's path"
        )
    if not Path(file).is_file():
        raise FontError(f"fontconfig names {file} for {name!r}, and there is no such file")
    try:
        face = int(index)
    except ValueError:
        face = 0
    return Font(file, face, families[0] if families else name)


def _run(tool: str, name: str, format_: str = FAMILIES) -> list[str]:
    path = shutil.which(tool)
    if path is None:
        raise FontError(
            f"a font by name needs fontconfig's {tool} (Debian: apt install fontconfig); "
            "or give a font file's path"
        )
    try:
        done = subprocess.run(
            [path, "--format", format_, name],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise FontError(f"{tool} took over {TIMEOUT_S} s for {name!r}") from None
    if done.returncode != 0:
        raise FontError(f"{tool} {name!r} failed: {done.stderr.strip() or done.returncode}")
    return done.stdout.splitlines()
