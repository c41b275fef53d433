#!/usr/bin/env bash
# The Mesa that wlroots' GLES2 renderer runs on in the VM (tests/vm), as .gl/mesa/env.sh, which
# only the VM guest's compositors and GL clients and the GL benchmark source (never the host
# tests). What it is depends on the release (scripts/release.sh, MESA_VM):
#
#   backports (Debian 12): Mesa 25 from bookworm-backports, unpacked into .gl/mesa. wlroots'
#     GLES2 renderer on Mesa 22.3's kms_swrast crashes at its second swapchain buffer; Mesa
#     25's kms_swrast (llvmpipe on DRM dumb buffers) works. The host's own Mesa is NOT
#     touched: the packages are extracted with `dpkg -x`, never installed. The machine's apt
#     configuration is not touched either: the bookworm-backports index lives in a private
#     apt state under .gl/apt (signed by Debian's archive key, checked by apt), read from the
#     Debian archive this machine's apt is configured with (its mirror or proxy), so this
#     needs neither root nor sudo. Exactly the pinned versions below are downloaded, and the
#     unpacked .debs are checked against them: a rerun, or a new machine, gets the same Mesa.
#     When bookworm-backports no longer has a pinned build (it keeps only its newest), this
#     fails and says what to do; it never silently takes another version.
#   system (Debian 13): the release's own Mesa (25.0) is that Mesa already: env.sh overrides
#     nothing, and this only checks that the installed Mesa is at least MESA_MIN.
#
# Idempotent; called by scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PREFIX=${PYDRM_MESA_PREFIX:-$ROOT/.gl/mesa}
APTDIR=$ROOT/.gl/apt
# The pins (backports). Tested with tests/vm/test_gl.py; change both together and rerun it.
MESA_VERSION=25.0.7-2~bpo12+1
DRM_VERSION=2.4.123-1~bpo12+1
# Mesa's runtime pieces and the newer libdrm it needs (>= 2.4.121). Their other
# dependencies (libllvm15, libxcb*, ...) come from bookworm through the host's own Mesa.
MESA_PACKAGES=(libgl1-mesa-dri libegl-mesa0 libgbm1 mesa-libgallium)
DRM_PACKAGES=(libdrm2 libdrm-amdgpu1 libdrm-intel1)
SUITE=bookworm-backports
# The oldest Mesa whose kms_swrast serves the VM's GL tests (a release's own: MESA_VM=system).
MESA_MIN=25.0
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

say() { printf '[gl-setup] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# shellcheck source=scripts/release.sh
. scripts/release.sh
release_detect

if [ "$MESA_VM" = system ]; then
    have=$(dpkg-query -W -f='${Version}' libgl1-mesa-dri 2>/dev/null || true)
    [ -n "$have" ] || die "libgl1-mesa-dri is not installed: run scripts/setup.sh"
    dpkg --compare-versions "$have" ge "$MESA_MIN" \
        || die "$RELEASE_NAME's Mesa is $have, older than the $MESA_MIN the VM's GL tests need:" \
            "give it MESA_VM=backports in scripts/release.sh"
    stamp="system $have"
    [ "$(cat "$PREFIX/.stamp" 2>/dev/null)" = "$stamp" ] && exit 0
    rm -rf "$PREFIX"
    mkdir -p "$PREFIX"
    cat > "$PREFIX/env.sh" <<EOF
# $RELEASE_NAME: the VM's GL runs on the release's own Mesa $have (scripts/gl-setup.sh);
# nothing to override.
EOF
    echo "$stamp" > "$PREFIX/.stamp"
    say "ready: the VM's GL uses $RELEASE_NAME's own Mesa $have"
    exit 0
fi
[ "$MESA_VM" = backports ] || die "scripts/release.sh gives $RELEASE_NAME an unknown MESA_VM '$MESA_VM'"

stamp="$MESA_VERSION $DRM_VERSION"
if [ "$(cat "$PREFIX/.stamp" 2>/dev/null)" = "$stamp" ]; then
    exit 0
fi

pin_of() {
    case " ${DRM_PACKAGES[*]} " in *" $1 "*) echo "$DRM_VERSION" ;; *) echo "$MESA_VERSION" ;; esac
}

# A private apt: only bookworm-backports, its own lists, cache and (empty) dpkg status.
[ -r "$KEYRING" ] || die "$KEYRING is missing: apt-get install debian-archive-keyring"
[ "$(dpkg --print-architecture)" = amd64 ] || die "only amd64 is pinned (this is $(dpkg --print-architecture))"
archive=$(debian_archive_uri)
private_apt_options "$APTDIR"
APT_OPTS=("${PRIVATE_APT[@]}")
echo "deb [signed-by=$KEYRING] $archive $SUITE main" > "$APTDIR/sources.list"

say "reading the $SUITE package index from $archive (private apt state in $APTDIR)"
rm -f "$APTDIR"/lists/*_Packages*
if ! apt-get "${APT_OPTS[@]}" -q update >"$APTDIR/update.log" 2>&1 \
    || ! compgen -G "$APTDIR/lists/*_dists_${SUITE}_main_binary-amd64_Packages*" >/dev/null; then
    sed 's/^/    /' "$APTDIR/update.log" >&2
    die "could not read $SUITE's index from $archive (this machine's Debian archive; network?" \
        "proxy?): see apt's lines above"
fi

# Every pinned version must be in the index: no fallback to whatever backports has now.
missing=()
for pkg in "${MESA_PACKAGES[@]}" "${DRM_PACKAGES[@]}"; do
    want=$(pin_of "$pkg")
    have=$(apt-cache "${APT_OPTS[@]}" madison "$pkg" | awk -F' *[|] *' '{print $2}' | paste -sd' ')
    case " $have " in
        *" $want "*) ;;
        *) missing+=("$pkg $want (it has: ${have:-nothing});") ;;
    esac
done
[ ${#missing[@]} -eq 0 ] || die "$SUITE no longer has the pinned ${missing[*]}: move" \
    "MESA_VERSION/DRM_VERSION in scripts/gl-setup.sh to what it has, rerun it and check with" \
    ".venv/bin/python -m pytest -v tests/vm/test_gl.py (until then those tests fail)"

say "downloading Mesa $MESA_VERSION and libdrm $DRM_VERSION"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
specs=()
for pkg in "${MESA_PACKAGES[@]}" "${DRM_PACKAGES[@]}"; do specs+=("$pkg=$(pin_of "$pkg")"); done
(cd "$work" && apt-get "${APT_OPTS[@]}" -q download "${specs[@]}" >"$work/download.log" 2>&1) \
    || { sed 's/^/    /' "$work/download.log" >&2; die "downloading ${specs[*]} failed (see above)"; }

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
