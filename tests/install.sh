#!/bin/sh
# SPDX-License-Identifier: MIT
#
# `make install` as a user meets it (run by tests/install.c):
#   install.sh SRCDIR BUILDDIR
#
# Installs into a fresh prefix, then checks that
#  - nothing in the linker's or pkg-config's default paths is named
#    liburing: the drop-in and its liburing.pc live in $libdir/aioring;
#  - a program that uses liburing 2.4+ functions, built through aioring's
#    liburing.pc, runs on aioring, shared (through the .pc's rpath) and
#    static (-static with pkg-config --static), on the kernel and jailed;
#  - the static libraries export no internal name;
#  - liburing-ffi.so.2 exports every inline helper of liburing.h;
#  - the three headers liburing programs include compile on their own;
#  - every man page renders without a warning (groff -ww), and man finds
#    io_uring_prep_recv, aioring and aioring_backend;
#  - make uninstall removes every file again.
# Exit 0 pass, 1 fail, 77 skip.
set -u
src=$1
O=$2
CC=${CC:-cc}

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skip: $*"; exit 77; }

# A sanitizer build's libraries need the sanitizer runtime first in the
# process, which a program built the ordinary way does not load.
if nm -D "$O/liburing.so.2" 2>/dev/null | grep -q -E '__(asan|tsan|ubsan)_'; then
	skip "sanitizer build: programs linked the ordinary way cannot load it"
fi
command -v pkg-config >/dev/null || skip "no pkg-config (scripts/deps.sh installs it)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/aioring-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
p=$tmp/prefix
make -s -C "$src" O="$O" PREFIX="$p" install >"$tmp/make.log" 2>&1 ||
	{ cat "$tmp/make.log"; fail "make install"; }

# --- nothing shadows the system's liburing ----------------------------------
[ -e "$p/lib/aioring/liburing.so.2" ] || fail "no drop-in in lib/aioring"
for f in "$p"/lib/liburing* "$p"/lib/pkgconfig/liburing*; do
	[ -e "$f" ] && fail "$f would shadow the system's liburing"
done
[ -e "$p/include/liburing.h" ] && fail "liburing.h in the default include path"
[ -e "$p/lib/libaioring.so.0" ] || fail "no libaioring.so.0"
[ "$(readlink "$p/lib/libaioring.so.0")" = libaioring.so.0.1.0 ] ||
	fail "libaioring.so.0 is not a link to the versioned real name"

# --- a 2.4+ program through aioring's liburing.pc --------------------------
cat >"$tmp/hello.c" <<'EOF'
#include <liburing.h>
#include <aioring.h>
#include <stdio.h>
#include <stdlib.h>
int main(void)
{
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	struct io_uring_cqe *cqe;
	int err;

	/* io_uring_check_version, io_uring_setup_buf_ring: LIBURING_2.4 */
	if (io_uring_check_version(2, 4) || io_uring_queue_init(8, &ring, 0))
		return 1;
	br = io_uring_setup_buf_ring(&ring, 8, 1, 0, &err);
	if (!br)
		return 2;
	io_uring_prep_nop(io_uring_get_sqe(&ring));
	if (io_uring_submit_and_wait(&ring, 1) != 1 || io_uring_wait_cqe(&ring, &cqe))
		return 3;
	io_uring_cqe_seen(&ring, cqe);
	printf("hello: backend=%s\n", aioring_backend_name(aioring_backend(&ring)));
	io_uring_free_buf_ring(&ring, br, 8, 1);
	io_uring_queue_exit(&ring);
	return 0;
}
EOF
export PKG_CONFIG_PATH="$p/lib/aioring/pkgconfig"
# shellcheck disable=SC2046 # pkg-config's words are meant to split
$CC -o "$tmp/hello_shared" "$tmp/hello.c" $(pkg-config --cflags --libs liburing) ||
	fail "build through pkg-config liburing"
# shellcheck disable=SC2046
$CC -static -o "$tmp/hello_static" "$tmp/hello.c" \
	$(pkg-config --cflags --static --libs liburing) 2>"$tmp/static.log" ||
	{ cat "$tmp/static.log"; fail "static build through pkg-config --static liburing"; }
env -u LD_LIBRARY_PATH ldd "$tmp/hello_shared" | grep -q "liburing.so.2 => $p/lib/aioring/" ||
	fail "hello_shared does not load the drop-in: $(ldd "$tmp/hello_shared" | grep uring)"
for h in hello_shared hello_static; do
	out=$(env -u LD_LIBRARY_PATH -u AIORING_BACKEND "$tmp/$h") || fail "$h exits $?"
	case $out in "hello: backend=kernel"|"hello: backend=user") ;;
	*) fail "$h: $out" ;; esac
	if "$O/aioring" jail -- true 2>/dev/null; then
		out=$(env -u LD_LIBRARY_PATH "$O/aioring" jail -- "$tmp/$h") || fail "jailed $h exits $?"
		[ "$out" = "hello: backend=user" ] || fail "jailed $h: $out"
	fi
done
nm "$tmp/hello_static" | grep -E ' [TDBR] (eng_|route_|ucopy|fdmap_|ksys_)' &&
	fail "hello_static carries the library's internal names as globals"

# --- static libraries: only the API is global --------------------------------
for a in "$p/lib/libaioring.a" "$p/lib/aioring/liburing.a" "$p/lib/aioring/liburing-ffi.a"; do
	bad=$(nm -g --defined-only "$a" | awk 'NF == 3 && $3 !~ /^_*(io_uring_|aioring_)/ { print $3 }')
	[ -z "$bad" ] || fail "$a exports internal names: $(echo "$bad" | head -5 | tr '\n' ' ')"
done

# --- liburing-ffi: every inline helper is a symbol ----------------------------
awk '/^IOURINGINLINE/ { d = $0; while (d !~ /\(/) { getline l; d = d " " l }
	sub(/\(.*/, "", d); n = split(d, w, /[ *]+/); print w[n] }' \
	"$p/include/aioring/liburing.h" | sort -u >"$tmp/inline"
nm -D --defined-only "$p/lib/aioring/liburing-ffi.so.2" | awk '{ print $3 }' |
	sed 's/@.*//' | sort -u >"$tmp/ffi"
missing=$(comm -23 "$tmp/inline" "$tmp/ffi")
[ -z "$missing" ] || fail "liburing-ffi.so.2 lacks: $missing"
[ "$(wc -l <"$tmp/inline")" -gt 140 ] || fail "too few inline helpers found"
cat >"$tmp/ffi.c" <<'EOF'
#include <stddef.h>
struct io_uring { char opaque[216]; };
struct io_uring_sqe;
int io_uring_queue_init(unsigned, struct io_uring *, unsigned);
struct io_uring_sqe *io_uring_get_sqe(struct io_uring *);
void io_uring_prep_nop(struct io_uring_sqe *);
int io_uring_submit_and_wait(struct io_uring *, unsigned);
unsigned io_uring_cq_ready(const struct io_uring *);
int main(void)
{
	struct io_uring ring;

	if (io_uring_queue_init(4, &ring, 0))
		return 1;
	io_uring_prep_nop(io_uring_get_sqe(&ring));
	return io_uring_submit_and_wait(&ring, 1) == 1 && io_uring_cq_ready(&ring) == 1 ? 0 : 2;
}
EOF
# shellcheck disable=SC2046
$CC -o "$tmp/ffi" "$tmp/ffi.c" $(pkg-config --libs liburing-ffi) || fail "build against liburing-ffi"
env -u LD_LIBRARY_PATH "$tmp/ffi" || fail "the helpers of liburing-ffi.so.2 do not work ($?)"

# --- the headers liburing programs include --------------------------------------
for h in liburing.h aioring.h liburing/io_uring/query.h liburing/io_uring/bpf_filter.h \
	 liburing/sanitize.h; do
	printf '#include <%s>\n' "$h" | $CC -std=gnu11 -Wall -Wextra -Werror -fsyntax-only \
		-I"$p/include/aioring" -x c - || fail "$h does not compile on its own"
done

# --- man pages ------------------------------------------------------------------
# One groff run over all pages (a page each is slow): a warning names its file.
w=$(groff -ww -z -man "$p"/share/man/man*/* 2>&1)
[ -z "$w" ] || fail "man pages: $w"
n=$(ls "$p"/share/man/man*/* | wc -l)
[ "$n" -gt 200 ] || fail "only $n man pages installed"
export MANPATH="$p/share/man"
for page in io_uring_prep_recv aioring aioring_backend io_uring_submit; do
	man -w "$page" 2>/dev/null | grep -q "^$p/" || fail "man does not find $page"
done
# Every symbol the drop-in exports has its page.
for s in $(nm -D --defined-only "$p/lib/aioring/liburing.so.2" | awk '$3 ~ /@/ { sub(/@.*/, "", $3); print $3 }'); do
	ls "$p/share/man/man3/$s".3* >/dev/null 2>&1 || fail "no man page for $s"
done

# --- the README's apt lines are deps.list's ---------------------------------
cp "$src/README.md" "$tmp/README.md"
sh "$src/scripts/deps.sh" --readme "$tmp/README.md"
cmp -s "$src/README.md" "$tmp/README.md" ||
	fail "the README's apt lines differ from scripts/deps.list (scripts/deps.sh --readme README.md)"

# --- uninstall ------------------------------------------------------------------
make -s -C "$src" O="$O" PREFIX="$p" uninstall >"$tmp/make.log" 2>&1 ||
	{ cat "$tmp/make.log"; fail "make uninstall"; }
left=$(find "$p" ! -type d)
[ -z "$left" ] || fail "make uninstall left: $(echo "$left" | head -5)"
echo "install: $n man pages; shared, static and ffi programs ran on aioring"
