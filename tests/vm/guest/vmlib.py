"""Guest-side helpers for VM scenarios (run inside the QEMU guest, see tests/vm/harness.py).

* :func:`screendump` / :func:`send_keys`: ask the host (QMP) for a screendump of the real
  scanout or a real key press, through request files in ``/mnt/out/.req``.
* :func:`setup_devices`, :func:`start_seatd`: kernel modules, udev and a seat.
* :class:`Checks`: named checks, each recorded (ok, detail) in ``/mnt/out/results.json``
  as soon as it finishes, so the host tests can assert each one separately.

CLI: ``python -m tests.vm.guest.vmlib screendump NAME`` or ``send-key ctrl alt f2``.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests import waiting

OUT = Path(os.environ.get("PYDRM_VM_OUT", "/mnt/out"))
_ids = itertools.count(int(time.time() * 1000) % 1_000_000)


class HostError(RuntimeError):
    pass


def host_request(op: str, timeout: float = 60.0, **args: Any) -> dict[str, Any]:
    req_dir = OUT / ".req"
    req_dir.mkdir(exist_ok=True)
    rid = f"{os.getpid()}-{next(_ids):08d}"
    partial = req_dir / f"{rid}.partial"
    partial.write_text(json.dumps({"op": op, **args}))
    partial.rename(req_dir / f"{rid}.json")
    done = req_dir / f"{rid}.done"
    deadline = time.monotonic() + timeout
    while not done.exists():
        if time.monotonic() > deadline:
            raise HostError(f"the host did not answer {op} within {timeout}s")
        time.sleep(0.05)
    reply = json.loads(done.read_text())
    if not reply.get("ok"):
        raise HostError(f"{op} failed on the host: {reply.get('error')}")
    return reply


def screendump(name: str):
    """The real scanout as a PIL image (also kept as /mnt/out/NAME.png)."""
    from PIL import Image

    reply = host_request("screendump", name=name)
    with Image.open(OUT / reply["path"]) as img:
        return img.convert("RGB")


def send_keys(*keys: str, hold_ms: int = 100) -> None:
    """Press the keys together on the virtio keyboard (QEMU qcodes: ctrl, alt, f2, ...)."""
    host_request("send-key", keys=list(keys), hold_ms=hold_ms)


def input_events(*events: dict[str, Any]) -> None:
    """QMP input-send-event: e.g. ``{"type": "rel", "data": {"axis": "x", "value": 10}}``,
    ``{"type": "btn", "data": {"down": True, "button": "left"}}`` (real evdev events on the
    guest's virtio input devices)."""
    host_request("input-events", events=list(events))


def sh(command: str, check: bool = True, timeout: float = 60.0) -> str:
    proc = subprocess.run(
        command, shell=True, capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and proc.returncode != 0:
        raise RuntimeError(f"`{command}` failed ({proc.returncode}): {proc.stdout}{proc.stderr}")
    return proc.stdout + proc.stderr


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0, what: str = "it") -> Any:
    # Guest steps are slow under emulation: a longer default and a gentler poll.
    return waiting.wait_for(predicate, timeout, interval=0.1, what=what)


def setup_devices(modules: tuple[str, ...] = ("virtio-gpu",), udev: bool = True) -> None:
    for module in modules:
        sh(f"modprobe {module}")
    if udev:
        sh("/lib/systemd/systemd-udevd --daemon")
        sh("udevadm trigger --action=add --subsystem-match=drm --subsystem-match=input")
        sh("udevadm settle --timeout=20")
    wait_for(lambda: Path("/dev/dri/card0").exists(), what="/dev/dri/card0")


def start_seatd() -> subprocess.Popen:
    """seatd as the seat manager (socket /run/seatd.sock, group video)."""
    Path("/run/seatd.sock").unlink(missing_ok=True)
    log = open(OUT / "seatd.log", "wb")
    proc = subprocess.Popen(["seatd", "-g", "video"], stdout=log, stderr=subprocess.STDOUT)
    wait_for(lambda: Path("/run/seatd.sock").exists(), what="seatd's socket")
    return proc


def drm_clients(minor: int = 0) -> list[dict[str, str]]:
    """Rows of /sys/kernel/debug/dri/MINOR/clients (command, pid, dev, master, a, uid)."""
    text = Path(f"/sys/kernel/debug/dri/{minor}/clients").read_text().splitlines()
    if not text:
        return []
    # Linux 6.1 (Debian 12) calls the process column "pid", 6.12 (Debian 13) "tgid".
    header = ["pid" if word == "tgid" else word for word in text[0].split()]
    return [dict(zip(header, line.split(), strict=False)) for line in text[1:] if line.strip()]


def active_vt() -> int:
    return int(Path("/sys/class/tty/tty0/active").read_text().strip().removeprefix("tty"))


NOBODY = 65534
# Run a command as nobody:nogroup, with no supplementary groups (a real unprivileged client).
AS_NOBODY = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
# The same for a Python client of this checkout: ``[*PYTHON_AS_NOBODY, MODULE, ARG...]``
# imports MODULE as root, then drops to nobody and calls its main(ARG...). setpriv cannot run
# the venv's python when the checkout's parent directories are closed to nobody.
PYTHON_AS_NOBODY = [sys.executable, "-m", "tests.vm.guest.as_nobody"]
SEAT_ENV = {"LIBSEAT_BACKEND": "seatd", "PYTHONFAULTHANDLER": "1"}


def share_with_nobody(comp: Any, devices: tuple[str, ...] = ("/dev/dri/card0",)) -> dict:
    """Let uid 65534 reach the compositor's socket and the DRM nodes; its environment."""
    for device in devices:
        os.chmod(device, 0o666)
    comp.runtime_dir.chmod(0o711)
    (comp.runtime_dir / comp.socket).chmod(0o666)
    runtime = Path(f"/tmp/xdg-{NOBODY}")
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.chown(runtime, NOBODY, NOBODY)
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "PYTHONPATH")}
    return {
        **keep,
        "HOME": str(runtime),
        "XDG_RUNTIME_DIR": str(runtime),
        "WAYLAND_DISPLAY": str(comp.runtime_dir / comp.socket),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def is_master(pid: int, minor: int = 0) -> bool:
    return any(c.get("pid") == str(pid) and c.get("master") == "y" for c in drm_clients(minor))


class Checks:
    """Named checks; results land in /mnt/out/results.json as they finish."""

    def __init__(self) -> None:
        self.results: dict[str, dict[str, Any]] = {}
        self.path = OUT / "results.json"

    def _save(self) -> None:
        tmp = self.path.with_suffix(".partial")
        tmp.write_text(json.dumps(self.results, indent=1))
        tmp.rename(self.path)

    @contextmanager
    def check(self, name: str) -> Iterator[dict[str, Any]]:
        """``with checks.check("x") as info:`` -- fails when the block raises."""
        info: dict[str, Any] = {}
        start = time.monotonic()
        print(f"[check] {name} ...", flush=True)
        try:
            yield info
        except Exception as exc:
            self.results[name] = {
                "ok": False,
                "detail": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(),
                **info,
            }
            print(f"[check] {name} FAILED: {exc}", flush=True)
        else:
            self.results[name] = {"ok": True, **info}
            print(f"[check] {name} ok", flush=True)
        self.results[name]["seconds"] = round(time.monotonic() - start, 2)
        self._save()

    def skip(self, name: str, reason: str) -> None:
        self.results[name] = {"ok": None, "detail": reason}
        self._save()


def main(argv: list[str]) -> int:
    if argv[:1] == ["screendump"] and len(argv) == 2:
        screendump(argv[1])
        return 0
    if argv[:1] == ["send-key"] and len(argv) > 1:
        send_keys(*argv[1:])
        return 0
    print("usage: vmlib screendump NAME | send-key KEY...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
