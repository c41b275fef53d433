"""The per-client limits on objects, dma-bufs and fds (``compositor/limits_objects.py``):
names, options, defaults. Kept apart so that parsing the command line needs no native module.

Defaults are set well above what real applications hold (bench/measure_objects.py measures
foot, GTK 3/4, mpv, Xwayland, Firefox ESR and Chromium; README's "Client limits" has the
figures): a client that reaches one is either hostile or broken.
"""

from __future__ import annotations

from typing import Any

GIB = 1 << 30

# (field of comp_objects_limits, option, default, largest accepted, what it counts)
OBJECT_LIMITS: tuple[tuple[str, str, int, int, str], ...] = (
    ("max_objects", "--max-client-objects", 50_000, 1 << 24,
     "protocol objects of every kind one client may hold"),
    ("max_surfaces", "--max-client-surfaces", 4096, 1 << 24, "wl_surface objects"),
    ("max_subsurfaces", "--max-client-subsurfaces", 4096, 1 << 24, "wl_subsurface objects"),
    ("max_regions", "--max-client-regions", 4096, 1 << 24, "wl_region objects"),
    ("max_callbacks", "--max-client-callbacks", 4096, 1 << 24,
     "wl_callback objects (frame callbacks not yet done)"),
    ("max_data_sources", "--max-client-data-sources", 256, 1 << 24,
     "clipboard and drag-and-drop sources (wl_data_source, primary selection)"),
    ("max_dmabuf_buffers", "--max-client-dmabuf-buffers", 512, 1 << 24,
     "linux-dmabuf wl_buffers"),
    # 4 GiB: Firefox's 9 maximized 4K windows held 1.25 GiB of wl_shm here; on a GPU the same
    # buffers are dma-bufs (not measured: no GPU on the measuring machine).
    ("max_dmabuf_bytes", "--max-client-dmabuf-bytes", 4 * GIB, 1 << 44,
     "bytes of linux-dmabuf buffers (each plane fd's size)"),
    ("max_fds", "--max-client-fds", 512, 1 << 20,
     "fds the compositor holds for one client: dma-buf planes and fds parked in its "
     "socket's queue"),
)  # fmt: skip
DEFAULTS: dict[str, int] = {name: default for name, _o, default, _m, _h in OBJECT_LIMITS}


def add_arguments(group: Any, positive: Any) -> None:
    """The options, in an argparse group; ``positive(option, maximum)`` checks a value."""
    for name, option, default, maximum, what in OBJECT_LIMITS:
        unit = "BYTES" if name.endswith("bytes") else "N"
        shown = f"{default >> 30} GiB" if unit == "BYTES" else str(default)
        group.add_argument(
            option,
            dest=f"limit_{name}",
            type=positive(option, maximum),
            default=default,
            metavar=unit,
            help=f"{what}: the most one client may hold (default {shown})",
        )


def from_namespace(ns: Any) -> dict[str, int]:
    return {name: getattr(ns, f"limit_{name}") for name in DEFAULTS}
