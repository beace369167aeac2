#!/bin/sh
# Checks the Debian build dependencies listed in scripts/deps.list.
#
#   scripts/deps.sh           install what is missing (root), or print the
#                             apt-get line and fail (not root); silent when
#                             nothing is missing
#   scripts/deps.sh --list    print the packages, one per line
#   scripts/deps.sh --apt     print the apt-get line for all of them
#
# Runs under `set -eu`, without a tty and without stdin (CI).
set -eu

here=$(dirname "$0")
list="$here/deps.list"

# The package names, optional ones included; comments and blanks dropped.
packages() {
	sed -e 's/#.*//' "$list" | awk 'NF { print $1 }'
}

required() {
	sed -e 's/#.*//' "$list" | awk 'NF && $2 != "optional" { print $1 }'
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

case "${1:-}" in
--list)
	packages
	exit 0
	;;
--apt)
	echo "apt-get install -y $(packages | tr '\n' ' ' | sed 's/ $//')"
	exit 0
	;;
'') ;;
*)
	echo "usage: $0 [--list|--apt]" >&2
	exit 2
	;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: no dpkg-query: not a Debian system; install the equivalents of:" >&2
	echo "deps:   $(packages | tr '\n' ' ')" >&2
	exit 0
fi

# shellcheck disable=SC2046 # one word per package is what we want
missing=$(missing_of $(packages))
# shellcheck disable=SC2046
missing_required=$(missing_of $(required))
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -eq 0 ]; then
	echo "deps: installing $missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q </dev/null || exit 1
	# shellcheck disable=SC2086 # the list is meant to split
	apt-get install -y -q $missing </dev/null || exit 1
	exit 0
fi

if [ -z "$missing_required" ]; then
	echo "deps: optional, not installed: $missing (sudo apt-get install -y $missing)" >&2
	exit 0
fi
echo "deps: missing Debian packages: $missing" >&2
echo "deps: install them with:" >&2
echo "  sudo apt-get install -y $missing" >&2
exit 1
