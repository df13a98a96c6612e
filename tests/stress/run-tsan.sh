#!/usr/bin/env bash
# Build tests/stress/test-threads.c with ThreadSanitizer (the library's sources
# compiled in, instrumented too) and run it: any data race, lock-order inversion
# or other TSan report fails the run.
#   tests/stress/run-tsan.sh BUILD_DIR [OPS_PER_WRITER]
# Environment: CC (default clang; gcc works too), AVNM_STRESS_OPS.
set -euo pipefail
if [ $# -lt 1 ]; then
	echo "usage: $0 BUILD_DIR [OPS_PER_WRITER]" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$(mkdir -p "$1/tsan" && cd "$1/tsan" && pwd)
CC=${CC:-clang}
cflags=(-std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer
	-fsanitize=thread)
"$CC" "${cflags[@]}" -I"$root/include" -I"$root/tests/fuzz" \
	"$here/test-threads.c" "$root/tests/fuzz/dumpcheck.c" "$root"/lib/*.c \
	-lcmocka -lpthread -o "$out/test-threads"
echo "run-tsan: built $out/test-threads with $CC -fsanitize=thread"
# halt at the first report, with an exit status of its own
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
export AVNM_STRESS_OPS=${2:-${AVNM_STRESS_OPS:-1000}}
start=$SECONDS
set +e
"$out/test-threads"
rc=$?
set -e
echo "run-tsan: exit $rc after $((SECONDS - start))s ($AVNM_STRESS_OPS operations per writer)"
[ $rc = 66 ] && echo "run-tsan: ThreadSanitizer reported a problem (above)" >&2
exit $rc
