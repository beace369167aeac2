#!/bin/sh
# Checks the Debian packages listed in scripts/deps.list, by class.
#
#   scripts/deps.sh [CLASS...]       install what the classes need (root),
#                                    or print the apt-get line (not root);
#                                    default: build test bench. Missing
#                                    bench packages are only noted: the
#                                    bench then leaves those peers out.
#   scripts/deps.sh --list [CLASS...]   the packages, one per line
#   scripts/deps.sh --apt [CLASS...]    the apt-get line for them
#   scripts/deps.sh --readme FILE       rewrites the apt lines of FILE
#                                       between its deps markers
#
# Runs under `set -eu`, without a tty and without stdin (CI).
set -eu

here=$(dirname "$0")
list="$here/deps.list"
all_classes="build test bench package fuzz liburing"

# The packages of the classes "$@", in the list's order, each once.
packages() {
	sed -e 's/#.*//' "$list" | awk -v want=" $* " '
		NF { for (i = 2; i <= NF; i++) if (index(want, " " $i " ")) { print $1; break } }'
}

apt_line() {
	echo "apt-get install -y $(packages "$@" | tr '\n' ' ' | sed 's/ $//')"
}

installed() {
	dpkg-query -W -f='${db:Status-Status}\n' "$1" 2>/dev/null |
		grep -qx installed
}

# The missing ones among "$@", on one line separated by spaces.
missing_of() {
	out=
	for p in "$@"; do
		installed "$p" || out="$out${out:+ }$p"
	done
	printf '%s' "$out"
}

check_classes() {
	for c in "$@"; do
		case " $all_classes " in
		*" $c "*) ;;
		*) echo "deps: unknown class '$c' (classes: $all_classes)" >&2; exit 2 ;;
		esac
	done
}

# Each "<!-- deps: CLASS... -->" line of FILE is followed by a fenced block
# whose apt-get line this rewrites from the list.
readme() {
	tmp="$1.tmp.$$"
	awk -v script="$0" '
		/^<!-- deps: .* -->$/ { classes = $0; sub(/^<!-- deps: /, "", classes);
			sub(/ -->$/, "", classes); print; next }
		classes != "" && /^apt-get install/ {
			cmd = script " --apt " classes; cmd | getline line; close(cmd)
			print line; classes = ""; next }
		{ print }' "$1" >"$tmp" && mv "$tmp" "$1"
}

case "${1:-}" in
--list)
	shift
	check_classes "$@"
	packages "${@:-$all_classes}"
	exit 0
	;;
--apt)
	shift
	check_classes "$@"
	# shellcheck disable=SC2086 # the default list is meant to split
	apt_line ${@:-$all_classes}
	exit 0
	;;
--readme)
	readme "$2"
	exit 0
	;;
-*)
	echo "usage: $0 [CLASS...] | --list [CLASS...] | --apt [CLASS...] | --readme FILE" >&2
	exit 2
	;;
esac

classes=${*:-build test bench}
# shellcheck disable=SC2086
check_classes $classes
if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: no dpkg-query: not a Debian system; install the equivalents of:" >&2
	# shellcheck disable=SC2086
	echo "deps:   $(packages $classes | tr '\n' ' ')" >&2
	exit 0
fi

# shellcheck disable=SC2046,SC2086 # one word per package is what we want
missing=$(missing_of $(packages $classes))
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -eq 0 ]; then
	echo "deps: installing $missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q </dev/null || exit 1
	# shellcheck disable=SC2086 # the list is meant to split
	apt-get install -y -q $missing </dev/null || exit 1
	exit 0
fi

# Not root: only the bench peers may be missing (the bench leaves them out).
hard=$(for c in $classes; do [ "$c" = bench ] || echo "$c"; done | tr '\n' ' ')
# shellcheck disable=SC2046,SC2086
missing_hard=$(missing_of $(packages $hard))
if [ -z "$missing_hard" ]; then
	echo "deps: not installed: $missing (bench peers, left out; sudo apt-get install -y $missing)" >&2
	exit 0
fi
echo "deps: missing Debian packages: $missing" >&2
echo "deps: install them with:" >&2
echo "  sudo apt-get install -y $missing" >&2
exit 1
