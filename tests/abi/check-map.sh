#!/bin/sh
# check-map.sh LIB MAP [HEADER]
# The symbols the shared library LIB exports must be exactly the names the
# linker version script MAP lists under `global:`, each bound to the version
# node it is listed in (docs/ABI.md). A name in MAP that the library does not
# define is a removed (or renamed) function; the sorted difference is printed
# and the check fails.
#
# Exported means every defined dynamic symbol (nm -D --defined-only) except the
# absolute symbols (type A) that stand for the version nodes themselves.
# MAP must list names one by one: a wildcard under `global:` is an error.
#
# The linker builds LIB from MAP, so a name dropped from MAP also disappears
# from LIB. With HEADER, MAP must therefore also list exactly the functions
# HEADER declares with AVNM_API: a function dropped from the map, or declared
# but never added to it, fails here too.
set -u
if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then
	echo "usage: $0 LIB MAP [HEADER]" >&2
	exit 2
fi
lib=$1
map=$2

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# --- MAP: "name node" for every name under global:, sorted.
awk '
function fail(msg) { printf "%s: %s\n", mapfile, msg > "/dev/stderr"; exit 2 }
{ text = text $0 "\n" }
END {
	# Drop /* ... */ and # ... comments.
	clean = ""
	n = length(text)
	i = 1
	while (i <= n) {
		two = substr(text, i, 2)
		c = substr(text, i, 1)
		if (two == "/*") {
			j = index(substr(text, i + 2), "*/")
			if (j == 0) fail("unterminated comment")
			i += j + 3
			clean = clean " "
		} else if (c == "#") {
			j = index(substr(text, i), "\n")
			if (j == 0) j = n - i + 2
			i += j - 1
		} else {
			clean = clean c
			i++
		}
	}
	gsub(/[{};:]/, " & ", clean)
	nt = split(clean, tok, /[ \t\n]+/)
	# States: "top" (expects a node name), "open" (name read, expects {),
	# "body" (inside a node), "tail" (after }, parent names up to ;).
	state = "top"
	node = ""
	section = ""
	pending = ""
	for (k = 1; k <= nt; k++) {
		t = tok[k]
		if (t == "") continue
		if (state == "top") {
			if (t == "{" ) fail("anonymous version node: name every node avnm_<release>")
			node = t
			state = "open"
		} else if (state == "open") {
			if (t != "{") fail("expected { after node " node)
			state = "body"
			section = ""
		} else if (state == "body") {
			if (t == "}") {
				if (pending != "") fail("missing ; after " pending)
				state = "tail"
			} else if (t == ":") {
				if (pending == "global" || pending == "local") section = pending
				else fail("unknown section " pending " in node " node)
				pending = ""
			} else if (t == ";") {
				if (pending == "") continue
				if (section == "global") {
					if (pending ~ /[*?\[]/) fail("wildcard " pending " in global: list every name")
					if (pending in seen) fail(pending " is listed twice (" seen[pending] ", " node ")")
					seen[pending] = node
					print pending, node
				} else if (section == "") {
					fail(pending " in node " node " outside global:/local:")
				}
				pending = ""
			} else if (t == "{" ) {
				fail("nested block (extern \"C\"?) is not supported")
			} else {
				if (pending != "") fail("missing ; after " pending)
				pending = t
			}
		} else if (state == "tail") {
			if (t == ";") state = "top"
		}
	}
	if (state != "top") fail("unterminated version node " node)
}' mapfile="$map" "$map" >"$tmp/map-raw" || { echo "FAIL: cannot parse $map" >&2; exit 1; }
LC_ALL=C sort "$tmp/map-raw" >"$tmp/map"

# --- LIB: "name version" for every exported symbol, sorted. nm prints
# NAME@@VERSION (default version) or NAME@VERSION (hidden older version).
syms=$(nm -D --defined-only "$lib") || { echo "FAIL: nm failed on $lib" >&2; exit 1; }
printf '%s\n' "$syms" | awk 'NF >= 2 && $(NF-1) != "A" {
	n = $NF; v = ""
	p = index(n, "@")
	if (p > 0) { v = substr(n, p); sub(/^@+/, "", v); n = substr(n, 1, p - 1) }
	print n, v
}' | LC_ALL=C sort >"$tmp/lib"

if [ ! -s "$tmp/map" ]; then
	echo "FAIL: $map lists no symbols" >&2
	exit 1
fi

cut -d' ' -f1 "$tmp/map" >"$tmp/map-names"
cut -d' ' -f1 "$tmp/lib" >"$tmp/lib-names"
status=0
if ! cmp -s "$tmp/map-names" "$tmp/lib-names"; then
	echo "FAIL: the exported symbols of $lib differ from the list in $map" >&2
	echo "(- listed in the map but not exported: removed or renamed;" >&2
	echo " + exported but not listed in the map)" >&2
	diff -u --label "$map" --label "$lib" "$tmp/map-names" "$tmp/lib-names" >&2
	status=1
elif awk '$2 == "" { exit 1 }' "$tmp/lib"; then
	# Same names: each must also carry the version of its node.
	if ! cmp -s "$tmp/map" "$tmp/lib"; then
		echo "FAIL: symbol versions of $lib differ from the nodes in $map (name node):" >&2
		diff -u --label "$map" --label "$lib" "$tmp/map" "$tmp/lib" >&2
		status=1
	fi
else
	echo "note: nm prints no symbol versions; only names were compared"
fi
if [ "$#" -eq 3 ]; then
	# "AVNM_API <type> avnm_name(" declarations, as check-symbols.sh reads them.
	tr '\n' ' ' <"$3" | grep -o 'AVNM_API[^;(]*(' | grep -o 'avnm_[A-Za-z0-9_]*[[:space:]]*($' |
		tr -d ' (' | LC_ALL=C sort -u >"$tmp/header-names"
	if [ ! -s "$tmp/header-names" ]; then
		echo "FAIL: no AVNM_API declarations found in $3" >&2
		status=1
	elif ! cmp -s "$tmp/header-names" "$tmp/map-names"; then
		echo "FAIL: the functions $3 declares differ from the list in $map" >&2
		echo "(- declared but not listed: add it to the node of the coming release;" >&2
		echo " + listed but not declared: a removed function is an ABI break)" >&2
		diff -u --label "$3" --label "$map" "$tmp/header-names" "$tmp/map-names" >&2
		status=1
	fi
fi
if [ "$status" -eq 0 ]; then
	echo "ok: $(wc -l <"$tmp/lib-names") symbols, exactly as listed in $map${3:+ and declared in $3}"
fi
exit $status
