#!/bin/sh
# SPDX-License-Identifier: MIT
#
# `make test-liburing`: liburing's own test suite, a peer's tests of the
# API we implement, run on the kernel with liburing's own library and on
# aioring's engine inside `aioring jail`.
#
#   O=build scripts/liburing-suite.sh [TEST...]
#
# 1. fetch: Debian's liburing source package, through a private apt
#    configuration (a deb-src list, lists and cache under $O), so the
#    machine's own apt configuration is never touched;
# 2. build: liburing's library as Debian ships it, then its tests against
#    its own headers, linked dynamically (soname liburing.so.2);
# 3. run: each test on the kernel with liburing's library, then with
#    aioring's drop-in liburing.so.2 inside the jail, once per MODE;
# 4. report: a table, and a failure for every test that passes on the
#    kernel but not on the engine, unless tests/liburing-allow.txt names it
#    with the reason no user-space engine can change.
#
# Environment: LIBURING_DEB (the source version, default 2.9-1: trixie's;
# bookworm's 2.3 predates most of the API), LIBURING_SUITE (the Debian
# suite to fetch from), MODES (default "EPERM ENOSYS TRAP"), JOBS (tests
# run at once, default 2), TEST_TIMEOUT (seconds per run, default 60).
set -eu

cd "$(dirname "$0")/.."
O=${O:-build}
VERSION=${LIBURING_DEB:-2.9-1}
SUITE=${LIBURING_SUITE:-trixie}
MODES=${MODES:-EPERM ENOSYS TRAP}
JOBS=${JOBS:-2}
TEST_TIMEOUT=${TEST_TIMEOUT:-60}
ALLOW=tests/liburing-allow.txt
top=$(pwd)
work=$top/$O/liburing-suite
src=$work/liburing-${VERSION%-*}

res=$work/results

say() { printf 'test-liburing: %s\n' "$*"; }
die() { printf 'test-liburing: %s\n' "$*" >&2; exit 1; }

# One run: exit code 0 pass, 77 skip, 124/137 timed out, 128+n killed by
# signal n (timeout(1) passes it on), else failed.
run_one() {
	t=$1 mode=$2
	case $mode in
	kernel) set -- env LD_LIBRARY_PATH="$work/kernel" ;;
	TRAP) set -- env LD_LIBRARY_PATH="$top/$O" "$top/$O/aioring" jail --trap -- ;;
	*) set -- env LD_LIBRARY_PATH="$top/$O" "$top/$O/aioring" jail --errno="$mode" -- ;;
	esac
	rc=0
	(cd "$src/test" && timeout -k 5 "$TEST_TIMEOUT" "$@" "./$t.t") \
		>"$res/$t.$mode.log" 2>&1 </dev/null || rc=$?
	case $rc in
	0) r=pass ;;
	77) r=skip ;;
	124|137) r=hang ;;
	1[3-9][0-9]|2[0-5][0-9]) r=signal ;;
	*) r=fail ;;
	esac
	echo "$r" >"$res/$t.$mode"
}

# The parallel runs below come back in here.
if [ "${1:-}" = --run-one ]; then
	run_one "$2" "$3"
	exit 0
fi

# --- dependencies: apt-get source needs dpkg-dev ----------------------------
scripts/deps.sh liburing
[ -x "$O/aioring" ] && [ -e "$O/liburing.so.2" ] ||
	die "build aioring first (make O=$O)"

# --- 1. fetch ----------------------------------------------------------------
fetch() {
	apt="$work/apt"
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
	echo "deb-src http://deb.debian.org/debian $SUITE main" >"$apt/sources.list"
	set -- -o Dir::Etc::sourcelist="$apt/sources.list" \
		-o Dir::Etc::sourceparts=- -o Dir::State::Lists="$apt/lists" \
		-o Dir::Cache="$apt/cache" -o APT::Get::List-Cleanup=0 \
		-o APT::Sandbox::User=root
	say "fetching liburing $VERSION (Debian $SUITE source)"
	apt-get "$@" -q update >/dev/null
	(cd "$work" && apt-get "$@" -q source --download-only "liburing=$VERSION" >/dev/null)
	(cd "$work" && dpkg-source -q -x "liburing_$VERSION.dsc" "$src" >/dev/null)
}

# --- 2. build ----------------------------------------------------------------
build() {
	say "building liburing $VERSION and its tests"
	(cd "$src" && ./configure >/dev/null && make -s -C src -j"$JOBS" >/dev/null)
	# Only the shared library in the link path: the tests then carry
	# DT_NEEDED liburing.so.2, which LD_LIBRARY_PATH picks at run time.
	mkdir -p "$work/link" "$work/static" "$work/kernel"
	ln -sf "$src/src/liburing.so.${VERSION%-*}" "$work/link/liburing.so"
	ln -sf "$src/src/liburing.so.${VERSION%-*}" "$work/kernel/liburing.so.2"
	ln -sf "$src/src/liburing.a" "$work/static/liburing.a"
	make -k -s -C "$src/test" -j"$JOBS" LDFLAGS="-L$work/link" \
		>"$work/build.log" 2>&1 || true
	# A few tests call liburing internals that its shared library does
	# not export: they can only be linked with liburing.a, and run only
	# on the library they were built with (tests/liburing-allow.txt).
	: >"$work/static.list"
	for c in "$src"/test/*.c; do
		t=$(basename "$c" .c)
		case $t in xfail_*) continue ;; esac	# must not build
		grep -qw "$t\.c" "$src/test/Makefile" || continue
		[ -e "$src/test/$t.t" ] && continue
		make -s -C "$src/test" LDFLAGS="-L$work/static" "$t.t" \
			>>"$work/build.log" 2>&1 && echo "$t" >>"$work/static.list"
	done
	touch "$src/.built"
}

mkdir -p "$work"
[ -d "$src" ] || fetch
[ -f "$src/.built" ] || build

# --- 3. run ------------------------------------------------------------------
tests=$*
if [ -z "$tests" ]; then
	tests=$(cd "$src/test" && ls ./*.t | sed 's|^\./||; s|\.t$||' |
		grep -v '^xfail_')	# tests that must fail to build
fi
# RESUME=1 keeps the results there are and runs only what is missing.
[ "${RESUME:-0}" = 1 ] || rm -rf "$res"
mkdir -p "$res"

say "running $(echo "$tests" | wc -w) tests: kernel, then the engine in jail mode(s) $MODES"
for mode in kernel $MODES; do
	for t in $tests; do
		[ -e "$res/$t.$mode" ] || echo "$t $mode"
	done
done | xargs -P "$JOBS" -n 2 "$top/scripts/liburing-suite.sh" --run-one \
	2>/dev/null	# a shell's word on a child killed by SIGSYS: see the table

# --- 4. report -----------------------------------------------------------------
allowed() {
	[ -f "$ALLOW" ] && grep -q "^$1[[:space:]]" "$ALLOW"
}

printf '%-28s %-6s' test kernel
for mode in $MODES; do printf ' %-6s' "$mode"; done
printf '\n'
bad=0
for t in $tests; do
	k=$(cat "$res/$t.kernel")
	line=$(printf '%-28s %-6s' "$t" "$k")
	worse=
	for mode in $MODES; do
		r=$(cat "$res/$t.$mode")
		line="$line $(printf ' %-6s' "$r")"
		if [ "$k" = pass ] && [ "$r" != pass ]; then
			worse=1
		fi
	done
	if grep -qx "$t" "$work/static.list"; then
		line="$line  [liburing.a]"
	fi
	if [ -n "$worse" ]; then
		if allowed "$t"; then
			line="$line  (allowed: $(grep "^$t[[:space:]]" "$ALLOW" | cut -f2- | sed 's/^[[:space:]]*//'))"
		else
			line="$line  REGRESSION"
			bad=$((bad + 1))
		fi
	fi
	echo "$line"
done
for mode in kernel $MODES; do
	p=$(cat "$res"/*."$mode" | grep -c '^pass$' || true)
	s=$(cat "$res"/*."$mode" | grep -c '^skip$' || true)
	f=$(cat "$res"/*."$mode" | grep -c -v '^pass$\|^skip$' || true)
	say "$mode: $p passed, $s skipped, $f failed or hung"
done
say "logs in $res"
if [ "$bad" -gt 0 ]; then
	say "$bad test(s) pass on the kernel but not on the engine, and are not in $ALLOW"
	exit 1
fi
