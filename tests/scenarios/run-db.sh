#!/bin/sh
# run-db.sh AVNM OPTION FILE...
# Runs `AVNM run OPTION STORE FILE` for each FILE in turn on one fresh store in a
# temporary directory (OPTION: --db for the journal, --sqlite for the SQLite
# adapter's CLI), each as a process of its own: every file after the first sees
# only what the store kept of the ones before it. Exits with the first non-zero
# status; the directory is removed in any case.
set -u
if [ "$#" -lt 3 ]; then
	echo "usage: $0 AVNM --db|--sqlite FILE..." >&2
	exit 2
fi
avnm=$1
option=$2
shift 2
dir=$(mktemp -d) || exit 2
trap 'rm -rf "$dir"' EXIT
for f in "$@"; do
	"$avnm" run "$option" "$dir/world.store" "$f" || exit $?
done
exit 0
