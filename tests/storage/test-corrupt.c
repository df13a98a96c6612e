/* A damaged journal opens to the last good commit or fails with `corrupt`,
 * never anything else, and never crashes (CI runs this under ASan+UBSan).
 *
 * A journal of K commits is built from the full scenario, remembering where
 * each commit ends and the world after it (dumps[0..K], dumps[0] empty). Then
 * copies of it are damaged and opened, and held to docs/storage-format.md
 * ("Opening: torn tails and damage"; a frame is [u32 length][u32 CRC-32C of
 * the length][u32 CRC-32C of the payload][payload]):
 *  - cut at every length 0..size: the world must be exactly the last commit
 *    that fits (a prefix of the header is an empty journal);
 *  - every byte flipped (XOR 0x01, and a seeded random mask): in the magic or
 *    format, `corrupt`; in the reserved header word, nothing (not checked); in
 *    a length or its checksum, `corrupt` in any frame (a damaged length must
 *    not pass for a torn tail); in the payload checksum or payload, the last
 *    frame's commit is lost and nothing else, an earlier frame's is `corrupt`.
 *    CRC-32C catches every error within 32 bits, so these hold exactly;
 *  - zero bytes appended, as a crash after the file grew but before its data
 *    reached the disk may leave it: a recovery of dumps[K] or `corrupt`.
 * Every successful open must also be a stable recovery: a new commit on it
 * survives a reopen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "avnm.h"
#include "util.h"
#include "world.h"

#define HEADER_LEN 16
#define FRAME_HDR 12     /* length, its CRC, the payload's CRC */
#define LENGTH_PART 8    /* the length and its CRC */
#define MAX_COMMITS 256
#define NEW_TENANT "dddddddd-dddd-dddd-dddd-dddddddddddd"

struct journal_image {
	char *dir;
	char *work;              /* where damaged copies are opened */
	unsigned char *data;     /* the intact journal */
	size_t size;
	size_t k;                /* commits */
	size_t ends[MAX_COMMITS + 1];  /* ends[j]: file offset where commit j ends; ends[0]: header */
	char *dumps[MAX_COMMITS + 1];  /* world after commit j */
};

static struct journal_image img;

/* Outcome counters for the trace. */
struct tally {
	size_t cases, recovered, corrupt;
};

/* ------------------------------------------------------------------------ */
/* Building the journal                                                      */
/* ------------------------------------------------------------------------ */

static int build(void **state)
{
	(void)state;
	/* tens of thousands of opens, each of which may fsync when it cuts a tail:
	 * on a tmpfs that costs nothing */
	img.dir = tmpdir_new(fast_tmp_base());
	if (!img.dir) return -1;
	char *master = path_join(img.dir, "master.journal");
	img.work = path_join(img.dir, "work.journal");
	struct jctx j;
	/* fsync plays no part in what is on the file once it is closed */
	if (jctx_open(&j, master, AVNM_JOURNAL_NO_SYNC) != AVNM_OK) return -1;
	img.ends[0] = (size_t)file_size(master);
	img.dumps[0] = world_dump(j.ctx);
	for (size_t i = 0; i < world_nsteps(); i++) {
		if (world_step(j.ctx, i) != world_expected(i)) return -1;
		size_t now = (size_t)file_size(master);
		/* a successful change appends exactly one frame; anything else appends none */
		if (now == img.ends[img.k]) continue;
		if (img.k == MAX_COMMITS) return -1;
		img.k++;
		img.ends[img.k] = now;
		img.dumps[img.k] = world_dump(j.ctx);
	}
	jctx_close(&j);
	int rc = file_read(master, &img.data, &img.size);
	free(master);
	if (rc != 0 || img.ends[0] != HEADER_LEN || img.size != img.ends[img.k] || img.k < 10) return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t j = 0; j <= img.k; j++) free(img.dumps[j]);
	free(img.data);
	free(img.work);
	tmpdir_remove(img.dir);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Opening a damaged copy                                                    */
/* ------------------------------------------------------------------------ */

/* What a case accepts: the world dumps[want] (want < 0: no world is right),
 * and/or `corrupt`. */
struct expect {
	long want;
	int corrupt_ok;
};

/* The recovered journal is usable: a new commit lands after what was kept,
 * and a reopen sees the recovered world plus that commit. */
static void check_append(struct jctx *j, const char *what)
{
	int rc = avnm_tenant_create(j->ctx, NEW_TENANT, "after recovery");
	if (rc != AVNM_OK) fail_msg("%s: commit after recovery: %s: %s", what, avnm_error_name(rc), avnm_errmsg(j->ctx));
	char *live = world_dump(j->ctx);
	jctx_close(j);
	char err[1024];
	char *again = journal_world(img.work, 0, &rc, err, sizeof err);
	if (rc != AVNM_OK) fail_msg("%s: reopen after recovery: %s: %s", what, avnm_error_name(rc), err);
	int same = world_same(what, live, again);
	free(live);
	free(again);
	if (!same) fail_msg("%s: the commit after recovery did not survive a reopen", what);
}

/* Write the damaged image, open it, and hold the outcome to `e`. */
static void open_damaged(const unsigned char *data, size_t len, struct expect e, const char *what,
                         struct tally *t)
{
	assert_int_equal(file_write(img.work, data, len), 0);
	struct jctx j;
	int rc = jctx_open(&j, img.work, 0);
	t->cases++;
	if (rc == AVNM_E_CORRUPT && e.corrupt_ok) {
		assert_true(j.err[0] != '\0');
		/* "committed data is damaged, and nothing is cut": the file is as it was */
		unsigned char *after;
		size_t n;
		assert_int_equal(file_read(img.work, &after, &n), 0);
		int untouched = n == len && memcmp(after, data, len) == 0;
		free(after);
		if (!untouched) fail_msg("%s: refused as corrupt, but the file was changed", what);
		t->corrupt++;
		return;
	}
	if (rc != AVNM_OK)
		fail_msg("%s: expected %s, got %s: %s", what,
		         e.want < 0 ? "corrupt" : e.corrupt_ok ? "a recovery or corrupt" : "a recovery",
		         avnm_error_name(rc), j.err);
	if (e.want < 0) {
		jctx_close(&j);
		fail_msg("%s: opened, but only corrupt is right", what);
	}
	char *got = world_dump(j.ctx);
	char label[256];
	snprintf(label, sizeof label, "%s (expected the world after commit %ld of %zu)", what, e.want, img.k);
	int same = world_same(label, img.dumps[e.want], got);
	free(got);
	if (!same) {
		jctx_close(&j);
		fail_msg("%s: recovered the wrong world", what);
	}
	/* a torn tail is cut where its frame begins */
	long long size = file_size(img.work);
	if (size != (long long)img.ends[e.want]) {
		jctx_close(&j);
		fail_msg("%s: recovered, but the file is %lld bytes, not the %zu where commit %ld ends", what,
		         size, img.ends[e.want], e.want);
	}
	t->recovered++;
	check_append(&j, what);
}

/* The commit (frame) holding byte off, 1..K; 0 for the header. */
static size_t frame_of(size_t off)
{
	size_t f = 0;
	while (f < img.k && img.ends[f] <= off) f++;
	return img.ends[f] <= off ? img.k + 1 : f;
}

/* ------------------------------------------------------------------------ */
/* Truncation                                                                */
/* ------------------------------------------------------------------------ */

static void test_truncate_everywhere(void **state)
{
	(void)state;
	struct tally t = { 0, 0, 0 };
	for (size_t len = 0; len <= img.size; len++) {
		struct expect e = { 0, 0 };
		char what[96];
		snprintf(what, sizeof what, "journal of %zu bytes cut to %zu", img.size, len);
		/* below HEADER_LEN: a header cut short, a creation that never finished,
		 * is an empty journal (dumps[0]) */
		while ((size_t)e.want < img.k && img.ends[e.want + 1] <= len) e.want++;
		open_damaged(img.data, len, e, what, &t);
	}
	print_message("truncation: %zu lengths (0..%zu, %zu commits): %zu recovered, %zu corrupt\n",
	              t.cases, img.size, img.k, t.recovered, t.corrupt);
	assert_int_equal(t.cases, img.size + 1);
}

/* ------------------------------------------------------------------------ */
/* Byte flips                                                                */
/* ------------------------------------------------------------------------ */

/* What flipping byte off gives (see the comment at the top). */
static struct expect flip_expect(size_t off)
{
	struct expect e = { -1, 1 };
	if (off < 12) return e;             /* magic and format: not a journal */
	if (off < HEADER_LEN) {             /* the reserved word is not checked */
		e.want = (long)img.k;
		e.corrupt_ok = 0;
		return e;
	}
	size_t f = frame_of(off);
	if (off - img.ends[f - 1] < LENGTH_PART) return e;
	if (f == img.k) {                   /* the last commit is lost, nothing else */
		e.want = (long)img.k - 1;
		e.corrupt_ok = 0;
	}
	return e;
}

/* xorshift32: a reproducible stream of masks from a printed seed. */
static uint32_t next_rand(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static uint32_t seed_from_env(void)
{
	const char *s = getenv("AVNM_CORRUPT_SEED");
	uint32_t seed = s && *s ? (uint32_t)strtoul(s, NULL, 0) : (uint32_t)time(NULL);
	return seed ? seed : 1;
}

static void flip_run(unsigned char *copy, uint32_t *rng, int random_mask, struct tally *t)
{
	for (size_t off = 0; off < img.size; off++) {
		unsigned char mask = 0x01;
		while (random_mask && (mask = (unsigned char)next_rand(rng)) == 0) {}
		struct expect e = flip_expect(off);
		char what[128];
		snprintf(what, sizeof what, "byte %zu of %zu (commit %zu) XOR 0x%02x", off, img.size,
		         off < HEADER_LEN ? (size_t)0 : frame_of(off), mask);
		copy[off] ^= mask;
		open_damaged(copy, img.size, e, what, t);
		copy[off] ^= mask;
	}
}

static void test_flip_everywhere(void **state)
{
	(void)state;
	uint32_t seed = seed_from_env(), rng = seed;
	unsigned char *copy = malloc(img.size);
	assert_non_null(copy);
	memcpy(copy, img.data, img.size);
	struct tally t = { 0, 0, 0 };
	flip_run(copy, &rng, 0, &t);
	flip_run(copy, &rng, 1, &t);
	print_message("flips: %zu (every byte of %zu with 0x01 and a random mask, "
	              "AVNM_CORRUPT_SEED=%u): %zu recovered, %zu corrupt\n",
	              t.cases, img.size, seed, t.recovered, t.corrupt);
	assert_int_equal(t.cases, 2 * img.size);
	free(copy);
}

/* ------------------------------------------------------------------------ */
/* Zero-filled tail                                                          */
/* ------------------------------------------------------------------------ */

/* After a crash the file may have grown while the data of its last write never
 * reached the disk (a file system that updates the size first): the tail reads
 * as zeros. Shorter than a frame header, that is a torn tail; from 12 bytes on
 * it reads as a frame with a damaged length, which the format calls `corrupt`
 * (the trace counts those: such a journal needs repair by hand). */
static void test_zero_tail(void **state)
{
	(void)state;
	static const size_t tails[] = { 1, 4, 8, 11, 12, 13, 16, 100, 4096 };
	struct tally t = { 0, 0, 0 };
	for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
		size_t len = img.size + tails[i];
		unsigned char *copy = calloc(1, len);
		assert_non_null(copy);
		memcpy(copy, img.data, img.size);
		char what[96];
		snprintf(what, sizeof what, "journal of %zu bytes with %zu zero bytes appended", img.size, tails[i]);
		struct expect e = { (long)img.k, tails[i] >= FRAME_HDR };
		open_damaged(copy, len, e, what, &t);
		free(copy);
	}
	print_message("zero tails: %zu cases, %zu recovered, %zu corrupt\n", t.cases, t.recovered, t.corrupt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncate_everywhere),
		cmocka_unit_test(test_flip_everywhere),
		cmocka_unit_test(test_zero_tail),
	};
	return cmocka_run_group_tests(tests, build, teardown);
}
