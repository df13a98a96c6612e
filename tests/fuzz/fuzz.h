/* What the fuzzers share: the libFuzzer entry points, a check that stops the
 * run with a message (a finding), and a scratch file per process for the
 * entries that take a path. The same sources build as libFuzzer binaries
 * (run-fuzzers.sh, clang) and as plain programs that replay a corpus
 * (replay.c, meson, any compiler). */
#ifndef AVNM_FUZZ_H
#define AVNM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(__GNUC__)
#define FUZZ_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define FUZZ_PRINTF(f, a)
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken invariant: print where and why, then abort so that libFuzzer keeps
 * the input as a crash artifact and the replay test fails. */
#define FUZZ_CHECK(cond, ...)                                                       \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__,   \
			        __LINE__, #cond);                                    \
			fprintf(stderr, __VA_ARGS__);                                \
			fputc('\n', stderr);                                         \
			abort();                                                     \
		}                                                                    \
	} while (0)

/* A private file in $TMPDIR (or /tmp) named after tag, created once per process
 * and removed at exit: its path, or NULL on failure (the fuzzer then stops). */
const char *fuzz_scratch_path(const char *tag);
/* Replace the scratch file's contents with data. Returns 0 or -1. */
int fuzz_scratch_write(const char *path, const void *data, size_t size);

#endif
