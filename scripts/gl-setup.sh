#!/usr/bin/env bash
# Unpack Mesa 25 from Debian's bookworm-backports into a private prefix (.gl/mesa), for the
# GLES2 renderer in the VM (tests/vm): wlroots' GLES2 renderer on Mesa 22.3's kms_swrast
# crashes at its second swapchain buffer; Mesa 25's kms_swrast (llvmpipe on DRM dumb
# buffers) works. The host's own Mesa is NOT touched: the packages are extracted with
# `dpkg -x`, never installed, and only processes started with `.gl/mesa/env.sh` sourced
# (the VM guest, the GL benchmark) use them.
#
# Idempotent; called by scripts/setup.sh. Needs root (or sudo) only the first time, to add
# the bookworm-backports suite to apt's sources and refresh the package lists.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PREFIX=${PYDRM_MESA_PREFIX:-$ROOT/.gl/mesa}
MESA_VERSION=25.0.7-2~bpo12+1
DRM_VERSION=2.4.123-1~bpo12+1
# Mesa's runtime pieces and the newer libdrm it needs (>= 2.4.121).
PACKAGES=(
    "libgl1-mesa-dri=$MESA_VERSION" "libegl-mesa0=$MESA_VERSION" "libgbm1=$MESA_VERSION"
    "mesa-libgallium=$MESA_VERSION" "libdrm2=$DRM_VERSION" "libdrm-amdgpu1=$DRM_VERSION"
    "libdrm-intel1=$DRM_VERSION"
)
SOURCES=/etc/apt/sources.list.d/bookworm-backports.sources

say() { printf '[gl-setup] %s\n' "$*" >&2; }

stamp="$MESA_VERSION $DRM_VERSION"
if [ "$(cat "$PREFIX/.stamp" 2>/dev/null)" = "$stamp" ]; then
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo)
fi
if ! apt-cache show "libgl1-mesa-dri/bookworm-backports" >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ] && [ ${#sudo[@]} -eq 0 ]; then
        say "bookworm-backports is not in apt's lists; as root, add it:"
        say "  see $SOURCES in scripts/gl-setup.sh, then apt-get update, then rerun"
        exit 1
    fi
    if [ ! -e "$SOURCES" ]; then
        say "adding the bookworm-backports suite ($SOURCES)"
        "${sudo[@]}" tee "$SOURCES" >/dev/null <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    fi
    "${sudo[@]}" apt-get update -q
fi

say "unpacking Mesa $MESA_VERSION into $PREFIX"
work=$(mktemp -d)
chmod 777 "$work"  # apt downloads as _apt when it can
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && apt-get download -q "${PACKAGES[@]}"); then
    # Backports keep only their newest build: take the suite's current one, and say so.
    say "Mesa $MESA_VERSION is gone from bookworm-backports; taking its current version"
    say "(tested with $MESA_VERSION: rerun tests/vm/test_gl.py)"
    (cd "$work" && apt-get download -q "${PACKAGES[@]/%=*//bookworm-backports}")
fi
rm -rf "$PREFIX"
mkdir -p "$PREFIX"
for deb in "$work"/*.deb; do
    dpkg -x "$deb" "$PREFIX"
done
LIB=$PREFIX/usr/lib/x86_64-linux-gnu
# glvnd finds vendors through JSON files; point one at the private libEGL_mesa by path.
mkdir -p "$PREFIX/egl_vendor.d"
cat > "$PREFIX/egl_vendor.d/50_mesa.json" <<EOF
{"file_format_version": "1.0.0", "ICD": {"library_path": "$LIB/libEGL_mesa.so.0"}}
EOF
cat > "$PREFIX/env.sh" <<EOF
# Source this to run a process on the private Mesa $MESA_VERSION (never for the host tests).
export LD_LIBRARY_PATH=$LIB\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
export LIBGL_DRIVERS_PATH=$LIB/dri
export GBM_BACKENDS_PATH=$LIB/gbm
export __EGL_VENDOR_LIBRARY_FILENAMES=$PREFIX/egl_vendor.d/50_mesa.json
EOF
echo "$stamp" > "$PREFIX/.stamp"
say "ready: source $PREFIX/env.sh"
