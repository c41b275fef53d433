"""A private PipeWire session for the screen-sharing tests: ``pipewire`` and ``wireplumber``
(which needs a D-Bus session bus: a ``dbus-daemon`` of its own) with their sockets in one
runtime directory, as in a login session, and nothing of the machine's.

Put the daemon's socket where the compositor looks (``runtime_dir=comp.runtime_dir``: the
compositor's XDG_RUNTIME_DIR, as in a login) or give the compositor ``env()``'s
``PIPEWIRE_RUNTIME_DIR``. Consumers (``gst-launch-1.0 pipewiresrc``) run with ``env()``.

    with PipewireSession(tmp_path / "pw", runtime_dir=comp.runtime_dir) as pw:
        subprocess.run(["pw-cli", "ls", "Node"], env=pw.env())
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

from tests.waiting import wait_for

PROGRAMS = ("pipewire", "wireplumber", "dbus-daemon", "pw-cli")


def missing_programs() -> list[str]:
    return [p for p in PROGRAMS if shutil.which(p) is None]


class PipewireSession:
    def __init__(self, workdir: Path, runtime_dir: Path | None = None) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.runtime_dir = runtime_dir or workdir / "runtime"
        self.runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.bus_address = ""
        self.processes: dict[str, subprocess.Popen] = {}

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a program of this session (a consumer, pw-cli)."""
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(self.workdir),
            "XDG_RUNTIME_DIR": str(self.runtime_dir),
            "PIPEWIRE_RUNTIME_DIR": str(self.runtime_dir),
            "XDG_CONFIG_HOME": str(self.workdir / "config"),
            "XDG_STATE_HOME": str(self.workdir / "state"),
            "DBUS_SESSION_BUS_ADDRESS": self.bus_address,
            "GST_REGISTRY": str(self.workdir / "gst-registry.bin"),
            **extra,
        }
        return env

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 (closed with the child)
        proc = subprocess.Popen(
            argv, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.processes[name] = proc
        return proc

    def start(self, timeout: float = 30.0) -> PipewireSession:
        """Start the bus (once: a start after kill_daemon keeps the running one, so no bus
        is left behind), pipewire and wireplumber."""
        if "dbus-daemon" not in self.processes:
            self._start_bus()
        self._spawn("pipewire", ["pipewire"])
        self._wait_ready(timeout)
        return self

    def _start_bus(self) -> None:
        bus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1",
             f"--address=unix:path={self.workdir / 'bus'}"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        self.processes["dbus-daemon"] = bus
        assert bus.stdout is not None
        self.bus_address = bus.stdout.readline().decode().strip()
        bus.stdout.close()
        if not self.bus_address:
            self.stop()
            raise RuntimeError("dbus-daemon gave no address")

    def _wait_ready(self, timeout: float) -> None:
        socket = self.runtime_dir / "pipewire-0"
        wait_for(socket.exists, timeout, what="pipewire's socket")
        self._spawn("wireplumber", ["wireplumber"])

        def session_manager_ready() -> bool:
            self._check_alive()
            out = subprocess.run(
                ["pw-cli", "ls", "Client"], env=self.env(), capture_output=True, text=True
            ).stdout
            return "wireplumber" in out.lower()

        wait_for(session_manager_ready, timeout, what="wireplumber connected to pipewire")

    def _check_alive(self) -> None:
        for name, proc in self.processes.items():
            if proc.poll() is not None:
                log = (self.workdir / f"{name}.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log}")

    def kill_daemon(self) -> None:
        """Stop pipewire (and wireplumber with it): the compositor sees the daemon go."""
        for name in ("wireplumber", "pipewire"):
            self._terminate(name)

    def _terminate(self, name: str) -> None:
        proc = self.processes.pop(name, None)
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stop(self) -> None:
        for name in ("wireplumber", "pipewire", "dbus-daemon"):
            self._terminate(name)

    def __enter__(self) -> PipewireSession:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
