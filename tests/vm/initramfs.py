"""Build (and cache) the VM's small initramfs from the installed kernel and busybox-static.

The initramfs holds only busybox, the virtio/9p/overlay modules and ``/init`` (see
``guest/init.sh``): it mounts the host root read-only over 9p with a tmpfs overlay on top,
then ``switch_root``s into it and runs ``guest/stage2.sh`` from the host tree. It is cached
under ``.cache/vm/<kernel version>/`` (ignored by git) and rebuilt when its inputs change.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "vm"
GUEST = Path(__file__).resolve().parent / "guest"
BUSYBOX = Path("/bin/busybox")
# What /init needs to mount the host root: these modules and every module they need
# (modules.dep), in load order, less what the kernel has built in. Debian 12's 6.1 builds all
# of them as modules (9p also needs netfs and fscache); Debian 13's 6.12 builds virtio in,
# and its netfs took fscache over.
ROOT_MODULES = ("virtio_pci", "9pnet_virtio", "9p", "overlay")


class VMUnavailable(Exception):
    """QEMU, a kernel or busybox-static is missing; the message says what to install."""


def kernels() -> list[str]:
    """Installed kernel versions that have both an image and modules, newest last."""
    found = []
    for image in sorted(Path("/boot").glob("vmlinuz-*")):
        version = image.name.removeprefix("vmlinuz-")
        if (Path("/lib/modules") / version / "modules.dep").exists():
            found.append(version)
    return found


def kernel_image(version: str) -> Path:
    return Path("/boot") / f"vmlinuz-{version}"


def _stem(path: str) -> str:
    return Path(path).name.split(".ko")[0].replace("-", "_")


def _modules_to_load(version: str) -> list[Path]:
    """ROOT_MODULES and their dependencies, each after what it needs, built-ins left out."""
    base = Path("/lib/modules") / version
    deps: dict[str, tuple[str, list[str]]] = {}
    for line in (base / "modules.dep").read_text().splitlines():
        path, _, needs = line.partition(":")
        deps[_stem(path)] = (path, needs.split())
    builtin_file = base / "modules.builtin"
    builtin = (
        {_stem(line) for line in builtin_file.read_text().split()}
        if builtin_file.exists()
        else set()
    )
    order: list[Path] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in builtin or name in seen:
            return
        seen.add(name)
        if name not in deps:
            raise VMUnavailable(
                f"kernel {version} has no module {name}; install linux-image-amd64 (Debian's "
                "kernel builds the virtio, 9p and overlay modules)"
            )
        path, needs = deps[name]
        for need in needs:
            visit(_stem(need))
        order.append(base / path)

    for name in ROOT_MODULES:
        visit(name)
    return order


def _module_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name.endswith(".ko.xz"):
        import lzma

        return lzma.decompress(data)
    if path.name.endswith(".ko.zst"):
        raise VMUnavailable(f"{path}: zstd-compressed modules are not supported")
    return data


def build(version: str) -> Path:
    """Return the cached initramfs for ``version``, building it when missing or stale."""
    if not BUSYBOX.exists():
        raise VMUnavailable("busybox-static is not installed (apt-get install busybox-static)")
    if shutil.which("cpio") is None:
        raise VMUnavailable("cpio is not installed (apt-get install cpio)")
    modules = _modules_to_load(version)
    init = (GUEST / "init.sh").read_bytes()
    digest = hashlib.sha256(init + BUSYBOX.read_bytes()[:4096])
    for path in modules:
        digest.update(str(path).encode() + str(path.stat().st_mtime_ns).encode())
    key = digest.hexdigest()[:12]
    target = CACHE / version / f"initramfs-{key}.cpio.gz"
    if target.exists():
        return target
    log.info("building the VM initramfs for kernel %s", version)
    with tempfile.TemporaryDirectory(prefix="pydrm-initramfs-") as tmp:
        tree = Path(tmp)
        for sub in ("bin", "dev", "proc", "sys", "lower", "rw", "newroot", "mods"):
            (tree / sub).mkdir()
        shutil.copy2(BUSYBOX, tree / "bin" / "busybox")
        (tree / "init").write_bytes(init)
        (tree / "init").chmod(0o755)
        for index, path in enumerate(modules):
            (tree / "mods" / f"{index:02d}-{_stem(path.name)}.ko").write_bytes(_module_bytes(path))
        names = sorted(str(p.relative_to(tree)) for p in tree.rglob("*"))
        archive = subprocess.run(
            ["cpio", "-o", "-H", "newc", "--quiet", "-R", "0:0"],
            cwd=tree,
            input="\n".join(names).encode(),
            capture_output=True,
            check=True,
        ).stdout
    target.parent.mkdir(parents=True, exist_ok=True)
    for old in target.parent.glob("initramfs-*.cpio.gz"):
        old.unlink()
    partial = target.with_suffix(".partial")
    partial.write_bytes(gzip.compress(archive, compresslevel=6))
    partial.rename(target)
    return target
