"""Run unprivileged in the guest: prove that wl_drm.authenticate really authorized a magic.

    python -m tests.vm.guest.as_nobody tests.vm.guest.auth_client SOCKET_PATH DEVICE  # as root
    python -m tests.vm.guest.auth_client SOCKET_PATH DEVICE  # as any unprivileged user

1. open DEVICE (a primary node), GET_MAGIC, create a dumb buffer;
2. GEM_FLINK must fail with EACCES (an unprivileged, unauthenticated client);
3. wl_drm.authenticate(magic) through the compositor, wait for ``authenticated``;
4. GEM_FLINK must now succeed.
Prints one JSON line with what happened, then waits for stdin to close (so the caller can
read the debugfs clients table while this fd is open).
"""

from __future__ import annotations

import errno
import json
import os
import sys

from tests.clients.wl_drm_client import WlDrmClient
from tests.vm.guest import drmio


def main(socket_path: str, device: str) -> int:
    report: dict = {"uid": os.getuid(), "pid": os.getpid()}
    fd = os.open(device, os.O_RDWR | os.O_CLOEXEC)
    magic = drmio.get_magic(fd)
    report["magic"] = magic
    dumb = drmio.create_dumb(fd, 64, 64)
    try:
        dumb.flink()
        report["flink_before"] = "ok"
    except OSError as exc:
        report["flink_before"] = errno.errorcode.get(exc.errno, str(exc.errno))
    client = WlDrmClient(socket_path)
    report["device"] = client.events.device
    client.authenticate(magic)
    client.roundtrip()
    report["authenticated"] = client.events.authenticated
    try:
        report["flink_after"] = f"name {dumb.flink()}"
    except OSError as exc:
        report["flink_after"] = errno.errorcode.get(exc.errno, str(exc.errno))
    print(json.dumps(report), flush=True)
    sys.stdin.read()
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
