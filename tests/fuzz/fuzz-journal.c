/* Fuzzer: the journal file loader (avnm_journal_open) and the context load on
 * top of it (avnm_ctx_open).
 *
 * Input: one flags byte, then the journal file's bytes. With flag bit 0 the
 * fuzzer first mends the checksums of every frame whose length fits the file,
 * so that mutations reach the frame decoder and the records behind the CRC-32C
 * instead of dying at the checksum.
 *
 * Checks: open either fails (corrupt, storage, no-memory) with a message, or
 * gives a world that passes the dump invariants; a change then committed to
 * the journal and the file reopened gives exactly the live world (the torn-tail
 * cut and the append agree on where the file ends).
 *
 * AVNM_FUZZ_TRUST_LOADER=1 leaves out the invariants of the loaded world (to look
 * past a known finding of that kind for others). */
#include <string.h>

#include "avnm.h"
#include "dumpcheck.h"
#include "fuzz.h"

#define HEADER_LEN 16
#define FRAME_HDR 12

static const char *path;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	path = fuzz_scratch_path("journal");
	if (!path)
		abort();
	return 0;
}

/* CRC-32C (Castagnoli), bitwise: the journal's frame checksum. */
static uint32_t crc32c(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1u)));
	}
	return c ^ 0xffffffffu;
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void mend(unsigned char *f, size_t n)
{
	for (size_t pos = HEADER_LEN; pos + FRAME_HDR <= n;) {
		uint32_t len = get32(f + pos);
		if (len > n - pos - FRAME_HDR)
			break;
		put32(f + pos + 4, crc32c(f + pos, 4));
		put32(f + pos + 8, crc32c(f + pos + FRAME_HDR, len));
		pos += FRAME_HDR + len;
	}
}

static char *dump(avnm_ctx *ctx, size_t *len)
{
	char *d = NULL;
	FUZZ_CHECK(avnm_ctx_dump(&d, len, ctx) == AVNM_OK, "dump failed: %s", avnm_errmsg(ctx));
	return d;
}

/* AVNM_FUZZ_TRUST_LOADER=1 skips the invariants of the loaded world, to look past a
 * known finding of that kind for others. */
static int check_loaded(void)
{
	static int v = -1;
	if (v < 0)
		v = getenv("AVNM_FUZZ_TRUST_LOADER") == NULL;
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned flags = data[0];
	size_t n = size - 1;
	unsigned char *file = malloc(n ? n : 1);
	if (!file)
		return 0;
	memcpy(file, data + 1, n);
	if (flags & 1)
		mend(file, n);
	if (fuzz_scratch_write(path, file, n) != 0)
		abort();
	free(file);

	avnm_storage *j = NULL;
	avnm_ctx *ctx = NULL;
	char err[512];
	err[0] = '\0';
	int rc = avnm_journal_open(&j, path, AVNM_JOURNAL_NO_SYNC, err, sizeof err);
	if (rc != AVNM_OK) {
		FUZZ_CHECK(rc == AVNM_E_CORRUPT || rc == AVNM_E_STORAGE || rc == AVNM_E_NO_MEMORY,
		           "journal open returned %d: %s", rc, err);
		FUZZ_CHECK(j == NULL && err[0], "failed journal open without message");
		return 0;
	}
	rc = avnm_ctx_open(&ctx, NULL, j, err, sizeof err);
	if (rc != AVNM_OK) {
		FUZZ_CHECK(rc == AVNM_E_CORRUPT || rc == AVNM_E_NO_MEMORY, "context open returned %d: %s", rc,
		           err);
		FUZZ_CHECK(ctx == NULL && err[0], "failed open without message");
		avnm_journal_close(j);
		return 0;
	}
	size_t len;
	char *d = dump(ctx, &len), why[512];
	FUZZ_CHECK(!check_loaded() || dump_check(d, len, why, sizeof why) == 0,
	           "loaded world breaks an invariant: %s\n%s", why, d);
	avnm_free(ctx, d);

	/* One commit appended after whatever the open kept. */
	rc = avnm_tenant_create(ctx, "fffffffe-0000-4000-8000-00000000f022", "appended");
	FUZZ_CHECK(rc == AVNM_OK || rc == AVNM_E_EXISTS, "append: %d %s", rc, avnm_errmsg(ctx));
	d = dump(ctx, &len);
	char *before = malloc(len + 1);
	if (!before)
		abort();
	memcpy(before, d, len);
	avnm_free(ctx, d);
	avnm_ctx_free(ctx);
	avnm_journal_close(j);

	j = NULL;
	ctx = NULL;
	rc = avnm_journal_open(&j, path, AVNM_JOURNAL_NO_SYNC, err, sizeof err);
	FUZZ_CHECK(rc == AVNM_OK, "the journal does not reopen after a commit: %d %s", rc, err);
	rc = avnm_ctx_open(&ctx, NULL, j, err, sizeof err);
	FUZZ_CHECK(rc == AVNM_OK, "the world does not load after a commit: %d %s", rc, err);
	size_t len2;
	char *d2 = dump(ctx, &len2);
	FUZZ_CHECK(len == len2 && memcmp(before, d2, len) == 0,
	           "reopened journal differs:\n%.*s\n----\n%s", (int)len, before, d2);
	free(before);
	avnm_free(ctx, d2);
	avnm_ctx_free(ctx);
	avnm_journal_close(j);
	return 0;
}
