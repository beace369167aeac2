#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The test runner of `make test`:  O=build tests/run.sh
#
# 1. every test program in $O/tests, on both backends (each program runs
#    its cases on the kernel and on the engine, and skips the kernel part
#    with a reason where io_uring is denied);
# 2. selected programs under `aioring jail` (EPERM, ENOSYS, SIGSYS trap):
#    only the engine can run there, and the programs must still pass;
# 3. tests/dropin_debian, built against Debian's liburing, run with
#    Debian's library and with ours (LD_LIBRARY_PATH=$O), jailed and not.
#
# One line per run: PASS name | FAIL name (why) | SKIP name: reason. The
# output of a failed run follows it. The last line is the tally; the exit
# code is non-zero if anything failed.

O=${O:-build}
TIMEOUT=${AIORING_TEST_TIMEOUT:-120}
JAIL_TESTS=${AIORING_JAIL_TESTS:-"setup enter ringfd overflow cq_full drain eventfd rw fixed fsync wq probe teardown fork nosyscall random files kbuf bufs2 sqpoll msg_ring setup_flags register_misc net net_checks net_multishot net_zc net_examples idle_sockets epoll futex waitid net_bundle badptr_reg badptr_rsrc badptr_enter badptr_setup examples"}

cd "$(dirname "$0")/.." || exit 1
passed=0
failed=0
skipped=0
out=$(mktemp "${TMPDIR:-/tmp}/aioring-run.XXXXXX") || exit 1
trap 'rm -f "$out"' EXIT

pass() { echo "PASS $1"; passed=$((passed + 1)); }
skip() { echo "SKIP $1: $2"; skipped=$((skipped + 1)); }
fail() {
	echo "FAIL $1 ($2)"
	sed 's/^/    /' "$out"
	failed=$((failed + 1))
}

# run NAME CMD...: runs CMD with the timeout, sorts the result.
run() {
	name=$1
	shift
	timeout -k 5 "$TIMEOUT" "$@" >"$out" 2>&1
	rc=$?
	case $rc in
	0) pass "$name" ;;
	77) skip "$name" "$(grep -m 1 -i '^skip' "$out" | sed 's/^skip[^:]*: //')" ;;
	124|137) fail "$name" "timed out after ${TIMEOUT}s" ;;
	*) fail "$name" "exit $rc" ;;
	esac
}

# run_expect NAME PATTERN CMD...: as run, and the output must match.
run_expect() {
	name=$1
	pattern=$2
	shift 2
	timeout -k 5 "$TIMEOUT" "$@" >"$out" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "$name" "exit $rc"
	elif ! grep -q -- "$pattern" "$out"; then
		fail "$name" "output lacks '$pattern'"
	else
		pass "$name"
	fi
}

if [ ! -d "$O/tests" ]; then
	echo "no $O/tests: build first (make O=$O)" >&2
	exit 1
fi

for t in "$O"/tests/*; do
	name=${t##*/}
	case $name in dropin_*) continue ;; esac
	[ -f "$t" ] && [ -x "$t" ] || continue
	run "$name" "$t"
done

# The differential fuzzer's bounded slice: the corpus, then ~25 s with a
# fixed seed and ~25 s with a random one (its seed is in the output).
f=$O/tests/fuzz/fuzz
if [ -x "$f" ]; then
	run "fuzz [corpus, seed 1]" "$f" --seconds 25 --seed 1 --corpus tests/fuzz/corpus
	# A crash or hang fails; a new mismatch is only shown (the fixed seed
	# above is strict): it is the next thing to fix or list.
	run "fuzz [random seed]" "$f" --seconds 25 --crashes-only
	grep -m 1 '^fuzz: seed' "$out"
	grep '^FAIL ' "$out" | sed 's/^FAIL /    new mismatch: /'
fi

jail_ok=1
if [ ! -x "$O/aioring" ]; then
	jail_ok=0
elif ! "$O/aioring" jail --errno=EPERM -- true >/dev/null 2>&1; then
	jail_ok=0
fi
for opt in --errno=EPERM --errno=ENOSYS --trap; do
	for name in $JAIL_TESTS; do
		if [ $jail_ok -eq 0 ]; then
			skip "$name [jail $opt]" "the aioring jail does not work here"
		elif [ -x "$O/tests/$name" ]; then
			run "$name [jail $opt]" "$O/aioring" jail "$opt" -- "$O/tests/$name"
		fi
	done
done

# The sanitizer runtime must be the first library of a process: it cannot
# come in with a library preloaded under an uninstrumented program.
sanitized=
if nm -D "$O/liburing.so.2" 2>/dev/null | grep -q -E '__(asan|tsan|ubsan)_'; then
	sanitized=1
fi
d=$O/tests/dropin_debian
if [ ! -x "$d" ]; then
	skip "dropin_debian" "not built ($d)"
else
	run_expect "dropin_debian [debian liburing]" "backend=debian-liburing" "$d"
	if [ -n "$sanitized" ]; then
		skip "dropin_debian [aioring]" "sanitizer build: its runtime cannot load under an uninstrumented program"
		skip "dropin_debian [aioring, jail]" "sanitizer build: its runtime cannot load under an uninstrumented program"
	else
		run_expect "dropin_debian [aioring]" "backend=kernel" \
			env LD_LIBRARY_PATH="$O" "$d"
		if [ $jail_ok -eq 1 ]; then
			run_expect "dropin_debian [aioring, jail]" "backend=user" \
				env LD_LIBRARY_PATH="$O" "$O/aioring" jail -- "$d"
		else
			skip "dropin_debian [aioring, jail]" "the aioring jail does not work here"
		fi
	fi
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
