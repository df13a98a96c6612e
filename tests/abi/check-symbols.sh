#!/bin/sh
# check-symbols.sh LIB [HEADER]
# Fails if the shared library LIB exports a defined symbol that does not start
# with avnm_ (internal helpers must stay hidden: -fvisibility=hidden plus the
# version script). With HEADER, also fails if a function the header declares
# with AVNM_API is not exported. Version nodes (type A) are not symbols of ours.
set -u
if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then
	echo "usage: $0 LIB [HEADER]" >&2
	exit 2
fi
lib=$1

syms=$(nm -D --defined-only "$lib") || { echo "nm failed on $lib" >&2; exit 1; }

# Lines are "VALUE TYPE NAME"; NAME may carry @VERSION or @@VERSION.
exported=$(printf '%s\n' "$syms" | awk 'NF >= 2 && $(NF-1) != "A" { n = $NF; sub(/@.*/, "", n); print n }' | sort -u)

status=0
if [ -z "$exported" ]; then
	echo "FAIL: $lib exports no symbols at all" >&2
	status=1
fi
bad=$(printf '%s\n' "$exported" | grep -v '^avnm_' | grep -v '^$')
if [ -n "$bad" ]; then
	echo "FAIL: symbols outside the avnm_ namespace are exported:" >&2
	printf '  %s\n' $bad >&2
	status=1
fi

if [ "$#" -eq 2 ]; then
	# Every "AVNM_API ... avnm_name(" in the header must be exported.
	declared=$(tr '\n' ' ' <"$2" | grep -o 'AVNM_API[^;(]*(' | grep -o 'avnm_[A-Za-z0-9_]*[[:space:]]*($' | tr -d ' (' | sort -u)
	if [ -z "$declared" ]; then
		echo "FAIL: no AVNM_API declarations found in $2" >&2
		status=1
	fi
	for f in $declared; do
		if ! printf '%s\n' "$exported" | grep -q -x "$f"; then
			echo "FAIL: $f is declared in the header but not exported" >&2
			status=1
		fi
	done
fi
exit $status
