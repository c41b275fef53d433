"""Boot a QEMU guest with real DRM/KMS (virtio-gpu) and run one command inside it.

The guest runs the host's own root file system (read-only over 9p, tmpfs overlay), so the
project's venv and code run inside it unchanged. ``/mnt/out`` in the guest is a results
directory on the host. While the command runs, the guest can ask the host for things only
the host can do (see ``tests/vm/guest/vmlib.py``) by writing ``/mnt/out/.req/N.json``:

* ``{"op": "screendump", "name": "x"}``: QMP screendump of the real scanout -> ``x.png``,
* ``{"op": "send-key", "keys": ["ctrl", "alt", "f2"]}``: QMP send-key (a real key press on
  the virtio keyboard).
* ``{"op": "input-events", "events": [...]}``: QMP input-send-event (relative motion on the
  virtio mouse, absolute on the virtio tablet, buttons and wheel).

The host answers with ``N.done`` (``{"ok": true}`` or an error). KVM does not work on these
machines, so the guest runs under TCG (``-accel tcg -cpu max``).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.vm import initramfs
from tests.vm.initramfs import VMUnavailable

log = logging.getLogger(__name__)

ROOT = initramfs.ROOT
STAGE2 = initramfs.GUEST / "stage2.sh"
QEMU = "qemu-system-x86_64"


def unavailable_reason() -> str | None:
    """Why the VM cannot run here (to skip with), or None when it can."""
    if shutil.which(QEMU) is None:
        return f"{QEMU} is not installed (apt-get install qemu-system-x86)"
    if not initramfs.kernels():
        return "no kernel image with modules in /boot (apt-get install linux-image-amd64)"
    if not initramfs.BUSYBOX.exists():
        return "busybox-static is not installed (apt-get install busybox-static)"
    return None


@dataclass
class VMResult:
    exit_code: int | None  # None: the command never finished (timeout or guest crash)
    log: str  # the serial console: kernel messages and the command's output
    out_dir: Path
    wall_s: float
    boot_s: float | None  # host seconds from QEMU start to the guest's stage 2
    timed_out: bool = False
    qemu_status: int | None = None  # QEMU's own exit status (negative: killed by a signal)
    screenshots: dict[str, Path] = field(default_factory=dict)

    def results(self) -> dict:
        """The scenario's ``results.json`` (see vmlib.Checks), or {} when it wrote none."""
        path = self.out_dir / "results.json"
        return json.loads(path.read_text()) if path.exists() else {}


def qemu_abort_line(log_text: str) -> str | None:
    """QEMU's own assertion line in the console output, if it has one."""
    for line in log_text.splitlines():
        if "qemu-system" in line and "Assertion" in line:
            return line.strip()
    return None


def qemu_aborted(result: VMResult) -> bool:
    """QEMU died of its own assertion (SIGABRT) and the guest's command never finished."""
    return (
        result.exit_code is None
        and not result.timed_out
        and result.qemu_status == -signal.SIGABRT
        and qemu_abort_line(result.log) is not None
    )


class QMP:
    """A minimal QMP client: connect, negotiate, one command at a time."""

    def __init__(self, path: Path, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(str(path))
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.sock.settimeout(timeout)
        self.file = self.sock.makefile("rwb")
        self._read()  # greeting
        self.call("qmp_capabilities")

    def _read(self) -> dict:
        while True:
            line = self.file.readline()
            if not line:
                raise ConnectionError("QEMU closed the QMP socket")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def call(self, command: str, **arguments: object) -> object:
        msg: dict = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        self.file.write(json.dumps(msg).encode() + b"\n")
        self.file.flush()
        reply = self._read()
        if "error" in reply:
            raise RuntimeError(f"QMP {command}: {reply['error']}")
        return reply.get("return")

    def close(self) -> None:
        self.file.close()
        self.sock.close()


class VM:
    """One guest boot per :meth:`run`; devices: virtio-gpu, virtio keyboard and mouse."""

    def __init__(
        self,
        out_dir: Path,
        memory: str = "2G",
        cpus: int = 2,
        kernel: str | None = None,
        extra_devices: tuple[str, ...] = (),
        heads: int = 1,
    ) -> None:
        reason = unavailable_reason()
        if reason:
            raise VMUnavailable(reason)
        self.out_dir = Path(out_dir).resolve()
        self.memory = memory
        self.cpus = cpus
        self.kernel = kernel or initramfs.kernels()[-1]
        self.extra_devices = extra_devices
        self.heads = heads  # virtio-gpu connectors: Virtual-1 connected, others for hotplug

    def _command_line(self, initrd: Path, qmp_path: Path) -> list[str]:
        append = f"console=ttyS0 loglevel=4 panic=-1 rdinit=/init quiet pydrm.stage2={STAGE2}"
        argv = [
            QEMU,
            *("-M", "q35", "-accel", "tcg", "-cpu", "max"),
            *("-smp", str(self.cpus), "-m", self.memory),
            *("-nodefaults", "-display", "none", "-serial", "stdio", "-no-reboot"),
            *("-kernel", str(initramfs.kernel_image(self.kernel)), "-initrd", str(initrd)),
            *("-append", append),
            "-virtfs",
            "local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap",
            "-virtfs",
            f"local,path={self.out_dir},mount_tag=out,security_model=none",
            *("-device", f"virtio-gpu-pci,max_outputs={self.heads}"),
            *("-device", "virtio-keyboard-pci", "-device", "virtio-mouse-pci"),
            *("-qmp", f"unix:{qmp_path},server=on,wait=off"),
        ]
        for device in self.extra_devices:
            argv += ["-device", device]
        return argv

    def run(self, command: str, cwd: Path = ROOT, timeout: float = 600.0) -> VMResult:
        """Boot, run ``command`` (sh syntax) in ``cwd`` inside the guest, power off.

        QEMU's TCG itself sometimes aborts on a loaded host (seen: ``system/physmem.c:
        iotlb_to_section: Assertion `section_index < d->map.sections_nb' failed`, QEMU 9/10 of
        Debian 13), before the guest has run anything: that boot is made once more, said in
        the log. A guest that fails, hangs or crashes is never retried."""
        result = self._run_once(command, cwd, timeout)
        if qemu_aborted(result):
            log.warning(
                "QEMU itself aborted (%s); booting once more",
                qemu_abort_line(result.log),
            )
            (self.out_dir / "console-qemu-abort.log").write_text(result.log)
            result = self._run_once(command, cwd, timeout)
        return result

    def _run_once(self, command: str, cwd: Path, timeout: float) -> VMResult:
        initrd = initramfs.build(self.kernel)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for stale in ("exit_code", "stage2_uptime", "results.json"):
            (self.out_dir / stale).unlink(missing_ok=True)
        shutil.rmtree(self.out_dir / ".req", ignore_errors=True)
        (self.out_dir / ".req").mkdir()
        # The guest runs the same venv: its bin directory first on PATH.
        bindir = Path(sys.executable).parent
        preamble = f'export PATH="{bindir}:$PATH"\n'
        (self.out_dir / "cmd.sh").write_text(preamble + command + "\n")
        (self.out_dir / "cwd").write_text(str(cwd))
        tmp = Path(tempfile.mkdtemp(prefix="pydrm-vm-"))
        qmp_path = tmp / "qmp.sock"
        argv = self._command_line(initrd, qmp_path)
        log.info("booting: %s", " ".join(argv))
        start = time.monotonic()
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        lines: list[str] = []
        reader = threading.Thread(target=self._read_console, args=(proc, lines), daemon=True)
        reader.start()
        result = VMResult(None, "", self.out_dir, 0.0, None)
        qmp: QMP | None = None
        try:
            qmp = QMP(qmp_path)
            deadline = start + timeout
            while proc.poll() is None:
                if result.boot_s is None and (self.out_dir / "stage2_uptime").exists():
                    result.boot_s = time.monotonic() - start
                self._serve_requests(qmp, result)
                if time.monotonic() > deadline:
                    result.timed_out = True
                    log.error("the VM ran past %.0f s; killing it", timeout)
                    proc.kill()
                    break
                time.sleep(0.1)
        finally:
            if qmp is not None:
                qmp.close()
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            reader.join(timeout=5)
            shutil.rmtree(tmp, ignore_errors=True)
        result.qemu_status = proc.returncode
        result.wall_s = time.monotonic() - start
        result.log = "".join(lines)
        (self.out_dir / "console.log").write_text(result.log)
        code_file = self.out_dir / "exit_code"
        if code_file.exists() and code_file.read_text().strip():
            result.exit_code = int(code_file.read_text().strip())
        return result

    @staticmethod
    def _read_console(proc: subprocess.Popen, lines: list[str]) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode(errors="replace").replace("\r", "")
            lines.append(line)
            log.debug("vm| %s", line.rstrip())

    def _serve_requests(self, qmp: QMP, result: VMResult) -> None:
        req_dir = self.out_dir / ".req"
        for req in sorted(req_dir.glob("*.json")):
            done = req.with_suffix(".done")
            if done.exists():
                continue
            try:
                request = json.loads(req.read_text())
                reply = self._handle(qmp, request, result)
            except Exception as exc:  # the guest gets the error; the run goes on
                reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            partial = done.with_suffix(".partial")
            partial.write_text(json.dumps(reply))
            os.rename(partial, done)

    def _handle(self, qmp: QMP, request: dict, result: VMResult) -> dict:
        op = request.get("op")
        if op == "screendump":
            name = str(request["name"])
            if "/" in name or name.startswith("."):
                raise ValueError(f"bad screendump name {name!r}")
            path = self.out_dir / f"{name}.png"
            qmp.call("screendump", filename=str(path), format="png")
            result.screenshots[name] = path
            return {"ok": True, "path": path.name}
        if op == "send-key":
            keys = [{"type": "qcode", "data": str(k)} for k in request["keys"]]
            qmp.call("send-key", keys=keys, **{"hold-time": int(request.get("hold_ms", 100))})
            return {"ok": True}
        if op == "input-events":
            # QMP input-send-event: rel/abs/btn events, as QEMU's own display would send them
            # to the virtio mouse (rel), tablet (abs) and the first device with buttons.
            qmp.call("input-send-event", events=list(request["events"]))
            return {"ok": True}
        raise ValueError(f"unknown request {op!r}")
