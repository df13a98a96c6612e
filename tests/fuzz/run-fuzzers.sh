#!/usr/bin/env bash
# Build the libFuzzer binaries with clang (-fsanitize=fuzzer,address,undefined; the
# library and the CLI sources compiled in with the same sanitizers, no meson needed)
# and run each for SECONDS from its seed corpus in tests/fuzz/corpus.
#
#   tests/fuzz/run-fuzzers.sh BUILD_DIR [SECONDS] [FUZZER...]
#
# BUILD_DIR receives fuzz/ (binaries, logs, the inputs each run found, crash
# artifacts). SECONDS defaults to 60. FUZZER names (ids, script, records, journal,
# ops) restrict the run; default all. Environment: CC (default clang), JOBS (how
# many fuzzers run at once, default the number of CPUs), FUZZ_BUILD_ONLY=1 to stop
# after building.
#
# Each fuzzer's exec/s, total executions, new inputs and peak memory come from
# libFuzzer's final statistics. Exit status 1 if any fuzzer found anything (crash,
# leak, sanitizer report, broken invariant, timeout, out of memory): its log tail
# and the artifact to replay are printed. Replay an artifact with the libFuzzer
# binary (BUILD_DIR/fuzz/fuzz-NAME ARTIFACT) or the plain meson one.
set -euo pipefail

if [ $# -lt 1 ]; then
	echo "usage: $0 BUILD_DIR [SECONDS] [FUZZER...]" >&2
	exit 2
fi
build=$1
shift
seconds=60
fuzzers=()
for arg in "$@"; do
	if [[ $arg =~ ^[0-9]+$ ]]; then seconds=$arg; else fuzzers+=("$arg"); fi
done
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
all=(ids script records journal ops)
[ ${#fuzzers[@]} -gt 0 ] || fuzzers=("${all[@]}")
CC=${CC:-clang}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

out=$(mkdir -p "$build/fuzz" && cd "$build/fuzz" && pwd)
objs=$out/obj
mkdir -p "$objs/lib" "$objs/cli" "$out/artifacts" "$out/logs"

if ! printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' |
	"$CC" -x c -fsanitize=fuzzer -o "$objs/probe" - 2>/dev/null; then
	echo "run-fuzzers: $CC cannot link -fsanitize=fuzzer: install clang and its runtime" \
		"(Debian: clang libclang-rt-14-dev)" >&2
	exit 2
fi

warn=(-std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wshadow -Wconversion
	-Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wno-sign-conversion)
# shellcheck disable=SC2054 # the commas belong to the flag
san=(-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all)

build_start=$SECONDS
# The library as the shared object would export it: instrumented objects merged into
# one, with everything but avnm_* made local, so that the CLI's helpers (buf_puts, ...)
# do not clash with the library's internal ones of the same name. The id fuzzer links
# the objects themselves: it calls the internal parser.
lib_objs=()
for src in "$root"/lib/*.c; do
	o=$objs/lib/$(basename "$src" .c).o
	"$CC" "${warn[@]}" "${san[@]}" -fsanitize=fuzzer-no-link -DAVNM_BUILDING -fvisibility=hidden \
		-I"$root/include" -c "$src" -o "$o"
	lib_objs+=("$o")
done
ld -r -o "$objs/avnm-all.o" "${lib_objs[@]}"
objcopy --localize-hidden "$objs/avnm-all.o" "$objs/avnm.o"

cli_objs=()
for src in expect report run script util verbs; do
	o=$objs/cli/$src.o
	"$CC" "${warn[@]}" "${san[@]}" -fsanitize=fuzzer-no-link -I"$root/include" \
		-c "$root/examples/avnm/$src.c" -o "$o"
	cli_objs+=("$o")
done

for f in "${fuzzers[@]}"; do
	case $f in
	ids) link=("${lib_objs[@]}") inc=(-I"$root/lib") ;;
	script) link=("$objs/avnm.o" "${cli_objs[@]}") inc=(-I"$root/examples/avnm") ;;
	records | journal | ops) link=("$objs/avnm.o") inc=() ;;
	*) echo "run-fuzzers: unknown fuzzer $f (${all[*]})" >&2; exit 2 ;;
	esac
	"$CC" "${warn[@]}" "${san[@]}" -fsanitize=fuzzer -I"$root/include" "${inc[@]}" \
		"$here/fuzz-$f.c" "$here/scratch.c" "$here/dumpcheck.c" "${link[@]}" -lpthread \
		-o "$out/fuzz-$f"
done
echo "run-fuzzers: built ${fuzzers[*]} in $((SECONDS - build_start))s into $out"
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

max_len() {
	case $1 in
	ids) echo 4200 ;;      # past the 2048-byte id limit
	script) echo 8192 ;;
	records | journal) echo 16384 ;;
	ops) echo 1024 ;;      # up to a few hundred operations
	esac
}

run_one() {
	local f=$1
	local work=$out/work/$f
	local args=(-max_total_time="$seconds" -print_final_stats=1 -timeout=30 -rss_limit_mb=2048
		-max_len="$(max_len "$f")" -artifact_prefix="$out/artifacts/$f-")
	[ -f "$here/$f.dict" ] && args+=(-dict="$here/$f.dict")
	mkdir -p "$work"
	# new inputs go to work/; the seed corpus in the tree is only read
	"$out/fuzz-$f" "${args[@]}" "$work" "$here/corpus/$f" >"$out/logs/$f.log" 2>&1
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

declare -A status
run_start=$SECONDS
pids=()
names=()
for f in "${fuzzers[@]}"; do
	# at most JOBS at once
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n || true
	done
	run_one "$f" &
	pids+=($!)
	names+=("$f")
done
for i in "${!pids[@]}"; do
	if wait "${pids[$i]}"; then status[${names[$i]}]=0; else status[${names[$i]}]=$?; fi
done

stat() { sed -n "s/^stat::$2: *//p" "$out/logs/$1.log" | tail -n 1; }

failed=0
passed=0
printf '\n%-8s %12s %10s %6s %8s  %s\n' fuzzer executions exec/s new rss_mb result
for f in "${fuzzers[@]}"; do
	result=ok
	if [ "${status[$f]}" != 0 ]; then
		result="FOUND SOMETHING (exit ${status[$f]})"
		failed=$((failed + 1))
	else
		passed=$((passed + 1))
	fi
	printf '%-8s %12s %10s %6s %8s  %s\n' "$f" "$(stat "$f" number_of_executed_units)" \
		"$(stat "$f" average_exec_per_sec)" "$(stat "$f" new_units_added)" \
		"$(stat "$f" peak_rss_mb)" "$result"
done
for f in "${fuzzers[@]}"; do
	if [ "${status[$f]}" != 0 ]; then
		printf '\n==== %s: last lines of %s\n' "$f" "$out/logs/$f.log"
		tail -n 60 "$out/logs/$f.log"
		ls -1 "$out/artifacts/$f-"* 2>/dev/null | sed 's/^/artifact: /' || true
	fi
done
printf '\nfuzzers ran %ds each (%ds in all, %s at once)\n' "$seconds" $((SECONDS - run_start)) "$JOBS"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
