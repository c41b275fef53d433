#!/usr/bin/env bash
# Unpack Mesa 25 from Debian's bookworm-backports into a private prefix (.gl/mesa), for the
# GLES2 renderer in the VM (tests/vm): wlroots' GLES2 renderer on Mesa 22.3's kms_swrast
# crashes at its second swapchain buffer; Mesa 25's kms_swrast (llvmpipe on DRM dumb
# buffers) works. The host's own Mesa is NOT touched: the packages are extracted with
# `dpkg -x`, never installed, and only processes started with `.gl/mesa/env.sh` sourced
# (the VM guest, the GL benchmark) use them.
#
# The machine's apt configuration is not touched either: the bookworm-backports index lives
# in a private apt state under .gl/apt (signed by Debian's archive key, checked by apt), so
# this needs neither root nor sudo. Exactly the pinned versions below are downloaded, and the
# unpacked .debs are checked against them: a rerun, or a new machine, gets the same Mesa.
# When bookworm-backports no longer has a pinned build (it keeps only its newest), this
# fails and says what to do; it never silently takes another version.
#
# Idempotent; called by scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PREFIX=${PYDRM_MESA_PREFIX:-$ROOT/.gl/mesa}
APTDIR=$ROOT/.gl/apt
# The pins. Tested with tests/vm/test_gl.py; change both together and rerun it.
MESA_VERSION=25.0.7-2~bpo12+1
DRM_VERSION=2.4.123-1~bpo12+1
# Mesa's runtime pieces and the newer libdrm it needs (>= 2.4.121). Their other
# dependencies (libllvm15, libxcb*, ...) come from bookworm through the host's own Mesa.
MESA_PACKAGES=(libgl1-mesa-dri libegl-mesa0 libgbm1 mesa-libgallium)
DRM_PACKAGES=(libdrm2 libdrm-amdgpu1 libdrm-intel1)
SUITE="http://deb.debian.org/debian bookworm-backports main"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

say() { printf '[gl-setup] %s\n' "$*" >&2; }
die() { say "$@"; exit 1; }

stamp="$MESA_VERSION $DRM_VERSION"
if [ "$(cat "$PREFIX/.stamp" 2>/dev/null)" = "$stamp" ]; then
    exit 0
fi

pin_of() {
    case " ${DRM_PACKAGES[*]} " in *" $1 "*) echo "$DRM_VERSION" ;; *) echo "$MESA_VERSION" ;; esac
}

# A private apt: only bookworm-backports, its own lists, cache and (empty) dpkg status.
[ -r "$KEYRING" ] || die "$KEYRING is missing: apt-get install debian-archive-keyring"
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/sources.list.d" \
    "$APTDIR/preferences.d"
echo "deb [signed-by=$KEYRING] $SUITE" > "$APTDIR/sources.list"
: > "$APTDIR/status"
APT_OPTS=(
    -o "Dir::Etc::SourceList=$APTDIR/sources.list"
    -o "Dir::Etc::SourceParts=$APTDIR/sources.list.d"
    -o "Dir::Etc::Preferences=$APTDIR/preferences"
    -o "Dir::Etc::PreferencesParts=$APTDIR/preferences.d"
    -o "Dir::State::Lists=$APTDIR/lists"
    -o "Dir::State::status=$APTDIR/status"
    -o "Dir::Cache=$APTDIR/cache"
    -o "APT::Architecture=amd64" -o "APT::Architectures::=amd64"
    # apt drops to _apt to download; it cannot enter a checkout in a mode-700 home.
    -o "APT::Sandbox::User=$(id -un)"
)
[ "$(dpkg --print-architecture)" = amd64 ] || die "only amd64 is pinned (this is $(dpkg --print-architecture))"

say "reading bookworm-backports' package index (private apt state in $APTDIR)"
rm -f "$APTDIR"/lists/*_Packages*
if ! apt-get "${APT_OPTS[@]}" -q update >"$APTDIR/update.log" 2>&1 \
    || ! compgen -G "$APTDIR/lists/*bookworm-backports_main_binary-amd64_Packages*" >/dev/null; then
    cat "$APTDIR/update.log" >&2
    die "could not read bookworm-backports' index from deb.debian.org (network? proxy?)"
fi

# Every pinned version must be in the index: no fallback to whatever backports has now.
missing=()
for pkg in "${MESA_PACKAGES[@]}" "${DRM_PACKAGES[@]}"; do
    want=$(pin_of "$pkg")
    have=$(apt-cache "${APT_OPTS[@]}" madison "$pkg" | awk -F' *[|] *' '{print $2}' | paste -sd' ')
    case " $have " in
        *" $want "*) ;;
        *) missing+=("$pkg $want (bookworm-backports has: ${have:-nothing})") ;;
    esac
done
if [ ${#missing[@]} -gt 0 ]; then
    say "the pinned Mesa/libdrm builds are no longer in bookworm-backports:"
    for line in "${missing[@]}"; do say "  $line"; done
    say "bookworm-backports keeps only its newest builds. To move the pins: set MESA_VERSION and"
    say "DRM_VERSION in scripts/gl-setup.sh to the versions it has now, rerun this script, and"
    say "check them with: .venv/bin/python -m pytest -v tests/vm/test_gl.py"
    say "Until then the GLES2 VM tests (tests/vm/test_gl.py) fail: .gl/mesa is missing."
    exit 1
fi

say "downloading Mesa $MESA_VERSION and libdrm $DRM_VERSION"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
specs=()
for pkg in "${MESA_PACKAGES[@]}" "${DRM_PACKAGES[@]}"; do specs+=("$pkg=$(pin_of "$pkg")"); done
(cd "$work" && apt-get "${APT_OPTS[@]}" -q download "${specs[@]}" >"$work/download.log" 2>&1) \
    || { cat "$work/download.log" >&2; die "downloading ${specs[*]} failed"; }

# apt checked each file's hash against the signed index; check that they are the pins, too.
for pkg in "${MESA_PACKAGES[@]}" "${DRM_PACKAGES[@]}"; do
    want=$(pin_of "$pkg")
    debs=("$work/${pkg}_"*.deb)
    [ -f "${debs[0]}" ] || die "apt downloaded no .deb for $pkg"
    got="$(dpkg-deb -f "${debs[0]}" Package) $(dpkg-deb -f "${debs[0]}" Version)"
    [ "$got" = "$pkg $want" ] || die "${debs[0]##*/} is $got, not the pinned $pkg $want"
done

say "unpacking Mesa $MESA_VERSION into $PREFIX"
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
