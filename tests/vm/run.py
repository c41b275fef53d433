"""``python -m tests.vm.run [--out DIR] [--timeout S] -- COMMAND...``: run a command in the VM.

Boots the QEMU guest (see tests/vm/harness.py), runs COMMAND with ``sh`` in the repository
inside it (the host root, read-only, with a writable overlay), prints the console and exits
with the command's exit code. Files the command writes to ``/mnt/out`` land in ``--out``,
e.g. ``python -m tests.vm.run -- 'modprobe virtio-gpu && modetest -c > /mnt/out/c.txt'``.
In the guest, ``python -m tests.vm.guest.vmlib screendump NAME`` saves a screendump.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from pathlib import Path

from tests.vm.harness import VM
from tests.vm.initramfs import ROOT, VMUnavailable


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.vm.run", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "vm-run")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--memory", default="2G")
    parser.add_argument("-v", "--verbose", action="store_true", help="log the console live")
    parser.add_argument("command", nargs="+", help="the command (after --)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s")
    command = args.command[0] if len(args.command) == 1 else shlex.join(args.command)
    try:
        vm = VM(args.out, memory=args.memory)
    except VMUnavailable as exc:
        print(f"cannot run the VM: {exc}", file=sys.stderr)
        return 125
    result = vm.run(command, timeout=args.timeout)
    if not args.verbose:
        sys.stdout.write(result.log)
    boot = f"{result.boot_s:.1f}" if result.boot_s is not None else "?"
    print(
        f"[vm] exit code {result.exit_code}, boot {boot} s, wall {result.wall_s:.1f} s, "
        f"results in {result.out_dir}",
        file=sys.stderr,
    )
    if result.exit_code is None:
        return 124 if result.timed_out else 125
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
