"""The environment that makes wlroots' GLES2 renderer work in the QEMU guest.

Found by experiment (see README "Renderers"): Mesa 25 from bookworm-backports, unpacked by
scripts/gl-setup.sh into .gl/mesa (the host's Mesa 22.3 stays in use everywhere else);
EGL's device platform falls back to kms_swrast on virtio-gpu's *primary* node (dumb
buffers are refused on render nodes); llvmpipe limited to SSE4.1 because QEMU 7.2's TCG
faults on AVX2 gathers with masked-off lanes (vpgatherdd, SIGSEGV in llvmpipe's JIT code).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
MESA_ENV = ROOT / ".gl" / "mesa" / "env.sh"


class GLSetupMissing(RuntimeError):
    pass


def gl_env() -> dict[str, str]:
    """Variables for the compositor and its GL clients (never for the host's tests)."""
    if not MESA_ENV.exists():
        raise GLSetupMissing(f"{MESA_ENV} is missing: run scripts/gl-setup.sh (or setup.sh)")
    env: dict[str, str] = {}
    for line in MESA_ENV.read_text().splitlines():
        match = re.match(r"export (\w+)=(.*)", line)
        if match:
            name, value = match.groups()
            # ${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} -> the current value appended, if any.
            value = re.sub(r"\$\{(\w+):\+:\$\w+\}", lambda m: _append(m.group(1)), value)
            env[name] = value
    env["WLR_RENDERER_ALLOW_SOFTWARE"] = "1"  # kms_swrast is llvmpipe: software, on purpose
    env["GALLIUM_OVERRIDE_CPU_CAPS"] = "sse4.1"  # TCG's AVX2 gathers fault, see above
    return env


def _append(name: str) -> str:
    value = os.environ.get(name)
    return f":{value}" if value else ""


def gl_scenario_env(checks: Any, first_check: str) -> dict[str, str] | None:
    """A GL scenario's start: virtio-gpu loaded and gl_env(); None when the GL setup is
    missing, after ``first_check`` (a vmlib.Checks name) has failed saying so."""
    from tests.vm.guest.vmlib import setup_devices  # noqa: PLC0415 (vmlib is the guest's)

    setup_devices(("virtio-gpu",), udev=False)
    try:
        return gl_env()
    except GLSetupMissing as exc:
        with checks.check(first_check):
            raise exc
        return None
