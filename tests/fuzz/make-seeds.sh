#!/usr/bin/env bash
# Regenerate the journal and records seed corpora from the scenario files: each
# scenario runs with `avnm run --db` into a fresh journal, and make-seeds turns the
# journal into one seed for each fuzzer. The seeds in the tree came from this.
#   tests/fuzz/make-seeds.sh BUILD_DIR   (a meson build dir with tests enabled)
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
journals=()
for f in "$root"/tests/scenarios/*.avnm "$root"/examples/demo.avnm; do
	name=$(basename "$f" .avnm)
	# a scenario that expects failures still leaves its world
	"$build/examples/avnm" run --db "$tmp/$name" "$f" >/dev/null 2>&1 || true
	journals+=("$tmp/$name")
done
# a world built by one run and continued by another: several commits on one file
"$build/examples/avnm" run --db "$tmp/continued" "$root/tests/scenarios/journal/a-build.avnm" \
	"$root/tests/scenarios/journal/b-continue.avnm" >/dev/null 2>&1 || true
journals+=("$tmp/continued")
mkdir -p "$here/corpus/journal" "$here/corpus/records"
"$build/tests/fuzz/make-seeds" "$here/corpus" "${journals[@]}"
# an empty journal (the header only) and an empty store
: >"$tmp/empty"
"$build/tests/fuzz/make-seeds" "$here/corpus" "$tmp/empty"
ls "$here/corpus/journal" | wc -l
