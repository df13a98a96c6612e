#!/bin/sh
# run-db.sh AVNM FILE...
# Runs `AVNM run --db J FILE` for each FILE in turn on one fresh journal J, each
# as a process of its own: every file after the first sees only what the journal
# kept of the ones before it. Exits with the first non-zero status.
set -u
if [ "$#" -lt 2 ]; then
	echo "usage: $0 AVNM FILE..." >&2
	exit 2
fi
avnm=$1
shift
dir=$(mktemp -d) || exit 2
trap 'rm -rf "$dir"' EXIT
for f in "$@"; do
	"$avnm" run --db "$dir/world.journal" "$f" || exit $?
done
exit 0
