#!/usr/bin/env bash
# wlroots 0.15.1 in a private prefix (.wlroots), for releases that no longer ship it (Debian 13
# has wlroots 0.18 only, and pywlroots stops at 0.17): Debian 12's own libwlroots10 and
# libwlroots-dev 0.15.1-6, downloaded from this machine's Debian archive (the mirror or proxy
# its apt is configured with, never an address written here), checked, and unpacked with
# `dpkg -x`, never installed. Nothing outside the checkout changes and no root is needed.
#
# The unpacked library is checked against the running system before anything is built on it:
# each of libwlroots10's dependencies installed at the version it asks for, every library it
# links resolved (ldd), its wlroots.pc's requirements present (pkg-config), and a small
# program built against it that runs without LD_LIBRARY_PATH.
#
# Who finds it, and how (no variable for the user to set):
#   - .wlroots/prefix/usr/lib/<triplet>/pkgconfig/wlroots.pc names this prefix and carries an rpath
#     (-Wl,-rpath) in its Libs, so whatever links -lwlroots through it finds the library at
#     run time: our cffi module (compositor/ffi/build.py adds this pkg-config directory
#     itself when the prefix exists);
#   - pywlroots does not use pkg-config: scripts/setup.sh builds it with CFLAGS/LDFLAGS taken
#     from the same wlroots.pc (`scripts/wlroots-setup.sh --build-flags` sets up, then
#     prints them as shell assignments);
#   - Xwayland: this build starts /usr/bin/Xwayland (-listenfd), the release's own.
#
# Idempotent (a stamp names the pin and the prefix); called by scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOP=$ROOT/.wlroots          # ignored by git: apt/ (a private apt state) and prefix/
PREFIX=$TOP/prefix
# The pin: Debian 12's wlroots, the build the project is tested on there. Its .debs' SHA-256
# are checked too (apt also checks them against the signed index).
SUITE=bookworm
VERSION=0.15.1-6
PACKAGES=(libwlroots10 libwlroots-dev)
declare -A SHA256=(
    [libwlroots10]=a11e37648d06e6b7013dae63b3a6a54187e05e59993a9ddebdf10f378aa257e8
    [libwlroots-dev]=685a8a2e93382be0ca4023b1a98f57d51e48a66b996570628062948815cb8359
)
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
TRIPLET=x86_64-linux-gnu
LIBDIR=$PREFIX/usr/lib/$TRIPLET
PCDIR=$LIBDIR/pkgconfig

say() { printf '[wlroots-setup] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# shellcheck source=scripts/release.sh
. scripts/release.sh

build_flags() {
    # What a build that does not use pkg-config (pywlroots) needs to find and rpath it.
    local cflags ldflags
    cflags=$(PKG_CONFIG_PATH=$PCDIR pkg-config --cflags wlroots)
    ldflags=$(PKG_CONFIG_PATH=$PCDIR pkg-config --libs-only-L --libs-only-other wlroots)
    printf 'WLROOTS_PKG_CONFIG_PATH=%q\nWLROOTS_CFLAGS=%q\nWLROOTS_LDFLAGS=%q\n' \
        "$PCDIR" "$cflags" "$ldflags"
}

stamp="$SUITE $VERSION $PREFIX"
if [ "$(cat "$PREFIX/.stamp" 2>/dev/null)" = "$stamp" ]; then
    [ "${1:-}" = --build-flags ] && build_flags
    exit 0
fi

[ "$(dpkg --print-architecture)" = amd64 ] \
    || die "only amd64 is pinned (this is $(dpkg --print-architecture)): add its .debs' SHA-256 here"
[ -r "$KEYRING" ] || die "$KEYRING is missing: apt-get install debian-archive-keyring"
release_detect
archive=$(debian_archive_uri)

APTDIR=$TOP/apt
private_apt_options "$APTDIR"
echo "deb [signed-by=$KEYRING] $archive $SUITE main" > "$APTDIR/sources.list"
say "reading the $SUITE package index from $archive (private apt state in $APTDIR)"
rm -f "$APTDIR"/lists/*_Packages*
if ! apt-get "${PRIVATE_APT[@]}" -q update >"$APTDIR/update.log" 2>&1 \
    || ! compgen -G "$APTDIR/lists/*_dists_${SUITE}_main_binary-amd64_Packages*" >/dev/null; then
    sed 's/^/    /' "$APTDIR/update.log" >&2
    die "could not read $SUITE's index from $archive (this machine's Debian archive; network," \
        "proxy?): see apt's lines above"
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
    have=$(apt-cache "${PRIVATE_APT[@]}" madison "$pkg" | awk -F' *[|] *' '{print $2}' | paste -sd' ')
    case " $have " in
        *" $VERSION "*) ;;
        *) missing+=("$pkg $VERSION (it has: ${have:-nothing})") ;;
    esac
done
[ ${#missing[@]} -eq 0 ] || die "$SUITE at $archive no longer has the pinned ${missing[*]}:" \
    "move VERSION and SHA256 in scripts/wlroots-setup.sh to what it has and rerun ./run_tests.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
say "downloading ${PACKAGES[*]} $VERSION"
(cd "$work" && apt-get "${PRIVATE_APT[@]}" -q download "${PACKAGES[@]/%/=$VERSION}" \
    >"$work/download.log" 2>&1) \
    || { sed 's/^/    /' "$work/download.log" >&2; die "downloading ${PACKAGES[*]} $VERSION failed (see above)"; }
for pkg in "${PACKAGES[@]}"; do
    debs=("$work/${pkg}_"*.deb)
    [ -f "${debs[0]}" ] || die "apt downloaded no .deb for $pkg"
    got="$(dpkg-deb -f "${debs[0]}" Package) $(dpkg-deb -f "${debs[0]}" Version)"
    [ "$got" = "$pkg $VERSION" ] || die "${debs[0]##*/} is $got, not the pinned $pkg $VERSION"
    sum=$(sha256sum "${debs[0]}" | cut -d' ' -f1)
    [ "$sum" = "${SHA256[$pkg]}" ] \
        || die "${debs[0]##*/} has SHA-256 $sum, not the pinned ${SHA256[$pkg]}"
done

# libwlroots10's dependencies, installed at the versions it asks for (the release's own
# packages: scripts/apt-packages*.txt bring them).
unmet=()
depends=$(dpkg-deb -f "$work"/libwlroots10_*.deb Depends)
IFS=',' read -ra clauses <<< "$depends"
for clause in "${clauses[@]}"; do
    ok=0
    IFS='|' read -ra alts <<< "$clause"
    for alt in "${alts[@]}"; do
        read -r name op want <<< "$(echo "$alt" | sed -E 's/[()]/ /g')"
        have=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$name" 2>/dev/null || true)
        [ "${have%% *}" = installed ] || continue
        if [ -z "${op:-}" ] || dpkg --compare-versions "${have#* }" "$op" "$want"; then ok=1; break; fi
    done
    [ $ok = 1 ] || unmet+=("$(echo "$clause" | xargs)")
done
[ ${#unmet[@]} -eq 0 ] || die "libwlroots10 $VERSION needs ${unmet[*]}, not installed here:" \
    "add the release's packages for them to $(release_packages_file)"

say "unpacking wlroots $VERSION into $PREFIX"
rm -rf "$PREFIX"
mkdir -p "$PREFIX"
for deb in "$work"/*.deb; do dpkg -x "$deb" "$PREFIX"; done
rm -rf "$PREFIX/usr/share/doc"
[ -f "$LIBDIR/libwlroots.so.10" ] && [ -f "$PCDIR/wlroots.pc" ] \
    || die "the .debs did not unpack libwlroots.so.10 and wlroots.pc where expected ($LIBDIR)"
# Point wlroots.pc at the prefix, and make whatever links it find the library at run time.
sed -i -e "s|^prefix=.*|prefix=$PREFIX/usr|" \
    -e 's|^Libs: -L${libdir} |Libs: -L${libdir} -Wl,-rpath,${libdir} |' "$PCDIR/wlroots.pc"
grep -q -- '-Wl,-rpath,${libdir}' "$PCDIR/wlroots.pc" || die "could not add an rpath to $PCDIR/wlroots.pc"

# Checks against the running system.
notfound=$(ldd "$LIBDIR/libwlroots.so.10" | awk '/not found/ {print $1}' | paste -sd' ')
[ -z "$notfound" ] || die "libwlroots.so.10 needs $notfound, missing here: add their packages to $(release_packages_file)"
pcerr=$(PKG_CONFIG_PATH=$PCDIR pkg-config --print-errors --exists wlroots 2>&1) \
    || die "wlroots.pc's requirements are missing ($(echo "$pcerr" | head -1)): add their -dev packages to $(release_packages_file)"
cat > "$work/check.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <wayland-server-core.h>
#include <wlr/backend/headless.h>
#include <wlr/util/log.h>
#include <wlr/version.h>
int main(void) {
    wlr_log_init(WLR_ERROR, NULL);
    struct wl_display *display = wl_display_create();
    struct wlr_backend *backend = wlr_headless_backend_create(display);
    if (!backend) return 2;
    wlr_backend_destroy(backend);
    wl_display_destroy(display);
    puts(WLR_VERSION_STR);
    return 0;
}
EOF
# shellcheck disable=SC2046
gcc -DWLR_USE_UNSTABLE -o "$work/check" "$work/check.c" \
    $(PKG_CONFIG_PATH=$PCDIR pkg-config --cflags --libs wlroots wayland-server) 2>"$work/cc.log" \
    || { sed 's/^/    /' "$work/cc.log" >&2; die "a program built on the unpacked wlroots does not compile (see above)"; }
ran=$(env -u LD_LIBRARY_PATH "$work/check" 2>&1) \
    || die "a program built on the unpacked wlroots fails to run: $ran"
[ "$ran" = "${VERSION%-*}" ] || die "the unpacked headers say wlroots $ran, not ${VERSION%-*}"
resolved=$(ldd "$work/check" | awk '$1 == "libwlroots.so.10" {print $3}')
[ "$resolved" = "$LIBDIR/libwlroots.so.10" ] \
    || die "a program linked through wlroots.pc loads $resolved, not $LIBDIR/libwlroots.so.10"

echo "$stamp" > "$PREFIX/.stamp"
say "ready: wlroots $VERSION in $PREFIX (runs a headless backend on this system)"
[ "${1:-}" = --build-flags ] && build_flags
exit 0
