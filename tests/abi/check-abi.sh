#!/bin/sh
# check-abi.sh ABIDIFF BASELINE LIB HEADERS_DIR [SUPPRESSIONS]
# Compares the ABI of the shared library LIB (read from its DWARF debug info)
# with BASELINE, the ABI dump of the last release (tests/abi/libavnm.so.0.abi,
# written by update-baseline.sh), using abidiff from libabigail. Only types
# defined in HEADERS_DIR (the public header) count; the library's private
# types may change freely. SUPPRESSIONS is a libabigail suppression file of
# changes that are compatible by design (tests/abi/libavnm.abignore: members
# appended to a versioned struct).
#
# Verdict (docs/ABI.md):
#  - no change: pass;
#  - functions added, nothing else changed: pass, and the added functions are
#    printed (they belong in a new node of lib/avnm.map);
#  - a function removed, a function's signature changed, a public type changed
#    (struct layout, enum value, typedef) or the SONAME changed: fail, with
#    abidiff's report.
#
# abidiff's exit status is a bit field (abidiff(1), RETURN VALUES):
#   1 ABIDIFF_ERROR, 2 ABIDIFF_USAGE_ERROR, 4 ABIDIFF_ABI_CHANGE,
#   8 ABIDIFF_ABI_INCOMPATIBLE_CHANGE (a removed symbol; implies 4).
# 4 alone covers both harmless additions and real breaks (a changed
# parameter list is only 4), so on 4 abidiff runs again with --no-added-syms:
# if nothing is left, the change was additions only.
#
# Exits 77 (meson: skipped) when LIB has no debug info (a build without
# -g: use buildtype=debugoptimized or debug) or is built for another
# architecture than BASELINE.
set -u
if [ "$#" -lt 4 ] || [ "$#" -gt 5 ]; then
	echo "usage: $0 ABIDIFF BASELINE LIB HEADERS_DIR [SUPPRESSIONS]" >&2
	exit 2
fi
abidiff=$1
baseline=$2
lib=$3
headers=$4
suppr=${5:-}

for f in "$baseline" "$lib"; do
	if [ ! -r "$f" ]; then
		echo "FAIL: cannot read $f" >&2
		exit 1
	fi
done
if [ ! -d "$headers" ]; then
	echo "FAIL: $headers is not a directory" >&2
	exit 1
fi

# --- can the comparison mean anything?
if ! readelf -S "$lib" 2>/dev/null | grep -q '\.debug_info'; then
	echo "SKIP: $lib has no debug info; abidiff needs it to see types"
	echo "(configure with -Ddebug=true, e.g. the default buildtype=debugoptimized)"
	exit 77
fi
base_arch=$(sed -n "s/^<abi-corpus [^>]*architecture='\([^']*\)'.*/\1/p" "$baseline" | head -n 1)
machine=$(readelf -h "$lib" 2>/dev/null | sed -n 's/^ *Machine: *//p')
case $machine in
*X86-64*) lib_arch=elf-amd-x86_64 ;;
*AArch64*) lib_arch=elf-arm-aarch64 ;;
*) lib_arch="$machine" ;;
esac
if [ -n "$base_arch" ] && [ "$base_arch" != "$lib_arch" ]; then
	echo "SKIP: the baseline describes $base_arch, $lib is $lib_arch"
	exit 77
fi

# A baseline without source locations (abidw --no-show-locs) makes abidiff
# drop every change to a public type as if it were private: refuse it.
if ! grep -q "filepath='[^']*avnm\.h'" "$baseline"; then
	echo "FAIL: $baseline records no type defined in avnm.h (written without source" >&2
	echo "locations?); abidiff would not see type changes. Regenerate it with" >&2
	echo "tests/abi/update-baseline.sh." >&2
	exit 1
fi

# --- compare
set -- --drop-private-types --headers-dir2 "$headers"
if [ -n "$suppr" ]; then
	set -- "$@" --suppressions "$suppr"
fi

echo "\$ abidiff $* $baseline $lib"
report=$("$abidiff" "$@" "$baseline" "$lib" 2>&1)
rc=$?
printf '%s\n' "$report"

if [ "$rc" -eq 0 ]; then
	echo "ok: the ABI of $lib is that of the baseline"
	exit 0
fi
if [ $((rc & 3)) -ne 0 ]; then
	echo "FAIL: abidiff could not compare (exit status $rc)" >&2
	exit 1
fi
if [ $((rc & 8)) -ne 0 ]; then
	echo "FAIL: incompatible ABI change (abidiff exit status $rc): a function of the" >&2
	echo "baseline is no longer exported. Removing a function is an ABI break (docs/ABI.md)." >&2
	exit 1
fi

# rc is 4: additions only, or a change abidiff cannot rate by itself.
"$abidiff" --no-added-syms "$@" "$baseline" "$lib" >/dev/null 2>&1
rc2=$?
if [ "$rc2" -eq 0 ]; then
	echo "ok: only additions (compatible). Each added function must be listed in a new"
	echo "version node of lib/avnm.map; the baseline is regenerated at the release."
	exit 0
fi
echo "FAIL: ABI change (abidiff exit status $rc): a function's signature or a public" >&2
echo "type it uses has changed. Within libavnm.so.0 only additions are allowed;" >&2
echo "see docs/ABI.md before changing the baseline." >&2
exit 1
