#!/bin/sh
# check-exit.sh AVNM EXPECTED_STATUS FILE PATTERN
# Runs `AVNM run FILE` and passes iff it exits with EXPECTED_STATUS and its
# output (stdout or stderr) contains PATTERN. Used for scenario files that must
# fail (exit 1) or be rejected by the parser (exit 2): a failure must say where.
set -u
if [ "$#" -ne 4 ]; then
	echo "usage: $0 AVNM EXPECTED_STATUS FILE PATTERN" >&2
	exit 2
fi
avnm=$1
expected=$2
file=$3
pattern=$4

out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT

"$avnm" run "$file" >"$out" 2>&1
status=$?

ok=1
if [ "$status" -ne "$expected" ]; then
	echo "FAIL: '$avnm run $file' exited with $status, expected $expected" >&2
	ok=0
fi
if ! grep -F -q -- "$pattern" "$out"; then
	echo "FAIL: output does not contain '$pattern'" >&2
	ok=0
fi
if [ "$ok" -ne 1 ]; then
	echo "--- output ---" >&2
	cat "$out" >&2
	exit 1
fi
exit 0
