"""Run a Python module's ``main(*args)`` as an unprivileged client (uid/gid 65534), in the guest.

    python -m tests.vm.guest.as_nobody MODULE ARG...

``setpriv --reuid=65534 python -m MODULE`` only works when nobody can reach the checkout:
the venv's interpreter, its site-packages and the project's code all live under it, and a
checkout in a home directory of mode 700 (root's /root, say) is closed to other users. So
the module is imported here while still root, and only then does the process drop to
nobody:nogroup with no supplementary groups: the credentials setpriv gives, and no
capabilities left (checked), so the kernel treats it as any unprivileged process. The client
must have imported what it needs at module level (anything it imports later would have to
be readable by nobody).
"""

from __future__ import annotations

import importlib
import os
import sys

NOBODY = 65534


def drop_to_nobody() -> None:
    os.setgroups([])
    os.setresgid(NOBODY, NOBODY, NOBODY)
    os.setresuid(NOBODY, NOBODY, NOBODY)
    os.chdir("/")
    with open("/proc/self/status") as status:
        caps = dict(line.split(":", 1) for line in status if line.startswith("Cap"))
    if os.getresuid() != (NOBODY,) * 3 or os.getgroups() or int(caps["CapEff"], 16):
        raise SystemExit(f"as_nobody: still privileged: {os.getresuid()} {caps}")


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m tests.vm.guest.as_nobody MODULE ARG...", file=sys.stderr)
        return 2
    module = importlib.import_module(argv[0])
    if os.getuid() == 0:
        drop_to_nobody()
    return module.main(*argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
