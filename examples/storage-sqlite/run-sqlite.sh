#!/bin/sh
# run-sqlite.sh AVNM_SQLITE FILE...
# Runs `AVNM_SQLITE run --sqlite DB FILE` for each FILE in turn, each as a
# process of its own on one fresh database in a temporary directory, so that
# every FILE after the first starts from the world reopened from SQLite. Stops
# at the first run that fails and exits with its status (0 when all passed).
# The temporary directory is removed in any case.
set -u
if [ "$#" -lt 2 ]; then
	echo "usage: $0 AVNM_SQLITE FILE..." >&2
	exit 2
fi
cli=$1
shift

dir=$(mktemp -d) || exit 2
trap 'rm -rf "$dir"' EXIT

for file in "$@"; do
	"$cli" run --sqlite "$dir/world.sqlite" "$file"
	status=$?
	if [ "$status" -ne 0 ]; then
		exit "$status"
	fi
done
exit 0
