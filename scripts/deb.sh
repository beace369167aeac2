#!/bin/sh
# Builds the Debian packages of this tree and checks them.
#
#   scripts/deb.sh           build into build/deb/, then lintian (errors fail;
#                            DEB_LINT_ALL=1 adds its slow man page check)
#   scripts/deb.sh --check   the same, then install them with dpkg (root),
#                            build and run a program against the installed
#                            files, and remove them again
#
# The tree is copied (without build directories) into build/deb/src, so
# that dpkg-buildpackage writes nothing into the source tree and its
# parent. Needs `scripts/deps.sh package`.
set -eu

cd "$(dirname "$0")/.."
out=$PWD/build/deb
version=$(sed -n 's/^VERSION *:= *//p' Makefile)
src=$out/src/aioring-$version
check=0
[ "${1:-}" = --check ] && check=1

for tool in dpkg-buildpackage lintian dh; do
	command -v $tool >/dev/null || {
		echo "deb: no $tool: install with scripts/deps.sh package" >&2
		exit 1
	}
done

rm -rf "$out"
mkdir -p "$src"
tar --exclude='./build' --exclude='./build-*' --exclude='./.git' -cf - . |
	tar -xf - -C "$src"
# Parallel, and no debug-symbol packages: CI builds these to check them.
(cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc) noautodbgsym ${DEB_BUILD_OPTIONS:-}" \
	dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 || {
	tail -40 "$out/build.log"
	echo "deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
	exit 1
}
mv "$out"/src/*.deb "$out"/src/*.changes "$out"/src/*.buildinfo "$out"/
rm -rf "$out/src"
ls "$out"/*.deb
changes=$(ls "$out"/*.changes)
# Lintian's man page check runs man on each of the ~250 pages and takes
# minutes; the install test lints every page with groff -ww in seconds.
# DEB_LINT_ALL=1 runs it too.
skip_checks=documentation/manual
[ "${DEB_LINT_ALL:-0}" = 1 ] && skip_checks=
lintian --fail-on error --tag-display-limit 0 ${skip_checks:+-X $skip_checks} "$changes" || {
	echo "deb: lintian found errors" >&2
	exit 1
}
echo "deb: lintian: no errors"
[ $check -eq 1 ] || exit 0

# --- install, use, remove ----------------------------------------------------
pkgs="libaioring0 liburing-aioring libaioring-dev aioring-tools aioring-bench"
cleanup() {
	# shellcheck disable=SC2086
	dpkg --purge $pkgs >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
tmp=$(mktemp -d)
trap cleanup EXIT
dpkg -i "$out"/*.deb >"$tmp/dpkg.log" 2>&1 || {
	cat "$tmp/dpkg.log"
	echo "deb: dpkg -i failed (a missing dependency? apt-get -f install)" >&2
	exit 1
}
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
cat >"$tmp/hello.c" <<'HELLO'
#include <aioring.h>
#include <liburing.h>
#include <stdio.h>
int main(void)
{
	struct io_uring ring;

	/* io_uring_check_version: LIBURING_2.4, absent from Debian 12's liburing */
	if (io_uring_check_version(2, 4) || io_uring_queue_init(4, &ring, 0))
		return 1;
	printf("hello: backend=%s (%s)\n", aioring_backend_name(aioring_backend(&ring)),
	       aioring_backend_reason(&ring));
	io_uring_queue_exit(&ring);
	return 0;
}
HELLO
# shellcheck disable=SC2046 # pkg-config's words are meant to split
cc -o "$tmp/hello" "$tmp/hello.c" $(pkg-config --cflags --libs aioring)
# shellcheck disable=SC2046
PKG_CONFIG_PATH=/usr/lib/$multiarch/aioring/pkgconfig \
	cc -o "$tmp/hello_uring" "$tmp/hello.c" $(PKG_CONFIG_PATH=/usr/lib/$multiarch/aioring/pkgconfig pkg-config --cflags --libs liburing)
for h in hello hello_uring; do
	env -u LD_LIBRARY_PATH "$tmp/$h" || { echo "deb: $h failed" >&2; exit 1; }
	aioring jail -- "$tmp/$h" | grep -q "backend=user" ||
		{ echo "deb: $h does not fall back in the jail" >&2; exit 1; }
done
if ldd "$(command -v aioring)" | grep -E 'libuv|libaio'; then
	echo "deb: the installed aioring links a bench peer" >&2
	exit 1
fi
for page in aioring aioring_backend io_uring_prep_recv; do
	man -w "$page" >/dev/null || { echo "deb: no man page $page" >&2; exit 1; }
done
aioring bench --quick --only nop-b1 --rounds 1 --slice 5 >/dev/null ||
	{ echo "deb: aioring bench failed" >&2; exit 1; }
echo "deb: installed, a program ran on the installed files, removed"
