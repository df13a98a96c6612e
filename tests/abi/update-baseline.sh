#!/bin/sh
# update-baseline.sh BUILD_DIR
# Regenerates tests/abi/libavnm.so.0.abi, the ABI dump that check-abi.sh
# compares every build with, from the library in BUILD_DIR. Run it only when a
# release is made (the baseline is the ABI of the last release) or for a
# deliberate, documented ABI break together with the SONAME bump (docs/ABI.md).
#
# BUILD_DIR must be a build of this tree with debug info on x86_64, e.g.
#   meson setup build-release --buildtype=debugoptimized && ninja -C build-release
#   tests/abi/update-baseline.sh build-release
# Needs abidw and abidiff (Debian: abigail-tools). Review the result with
# `git diff tests/abi/` before committing it.
set -eu
if [ "$#" -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
build=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
out=$src/tests/abi/libavnm.so.0.abi

# libavnm.so.0 is the SONAME link; the dump describes the file it points to.
lib=$build/lib/libavnm.so.0
if [ ! -e "$lib" ]; then
	echo "$0: $lib not found: build first (ninja -C $build)" >&2
	exit 1
fi
lib=$(readlink -f "$lib")
if ! readelf -S "$lib" | grep -q '\.debug_info'; then
	echo "$0: $lib has no debug info: configure with --buildtype=debugoptimized" >&2
	exit 1
fi
for tool in abidw abidiff; do
	command -v "$tool" >/dev/null || { echo "$0: $tool not found (apt-get install abigail-tools)" >&2; exit 1; }
done

# --headers-dir and --drop-private-types keep only the types of the public
# header (the library's own structs are opaque to callers and may change);
# --exported-interfaces-only keeps only what the exported functions reach;
# no corpus path, no compilation directory and file names without directories,
# so that the dump does not depend on where the tree was built; hashed type ids
# keep the diff between two baselines small. The locations themselves must stay
# (no --no-show-locs): abidiff tells public types by the file they are defined
# in, and without locations it silently filters out every change to them.
abidw --no-corpus-path --no-comp-dir-path --short-locs \
	--headers-dir "$src/include" --drop-private-types --exported-interfaces-only \
	--type-id-style hash \
	--out-file "$out.tmp" "$lib"

# The new baseline must describe the library it came from exactly.
if ! abidiff --drop-private-types --headers-dir2 "$src/include" "$out.tmp" "$lib"; then
	rm -f "$out.tmp"
	echo "$0: the new dump does not compare equal to $lib; baseline left unchanged" >&2
	exit 1
fi
mv "$out.tmp" "$out"
echo "wrote $out from $lib"
echo "symbols: $(grep -c '<elf-symbol ' "$out")"
