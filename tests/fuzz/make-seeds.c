/* Seeds for the journal and records fuzzers from real journals: for each journal
 * file given (as `avnm run --db` leaves them), writes
 *   OUTDIR/journal/NAME  the flags byte 0x01 (mend checksums) and the file, and
 *   OUTDIR/records/NAME  its records in the records fuzzer's input format.
 * Used by make-seeds.sh; the seeds it made are in the tree, so this runs only
 * when they are regenerated.
 *   make-seeds OUTDIR JOURNAL... */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avnm.h"

static int put16(FILE *f, size_t n)
{
	if (n > 0xffff)
		return -1;
	return fputc((int)(n & 0xff), f) == EOF || fputc((int)(n >> 8), f) == EOF ? -1 : 0;
}

static int record(void *cookie, const char *key, size_t klen, const void *val, size_t vlen)
{
	FILE *f = cookie;
	if (put16(f, klen) || fwrite(key, 1, klen, f) != klen || put16(f, vlen) ||
	    fwrite(val, 1, vlen, f) != vlen)
		return AVNM_E_STORAGE;
	return 0;
}

static FILE *out_file(const char *dir, const char *kind, const char *path)
{
	const char *base = strrchr(path, '/');
	char name[4096];
	base = base ? base + 1 : path;
	snprintf(name, sizeof name, "%s/%s/%s", dir, kind, base);
	FILE *f = fopen(name, "wb");
	if (!f)
		perror(name);
	return f;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s OUTDIR JOURNAL...\n", argv[0]);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		FILE *in = fopen(argv[i], "rb"), *j = out_file(argv[1], "journal", argv[i]);
		if (!in || !j)
			return 1;
		fputc(1, j);
		char buf[65536];
		size_t n;
		while ((n = fread(buf, 1, sizeof buf, in)) > 0)
			fwrite(buf, 1, n, j);
		fclose(in);
		if (fclose(j) != 0)
			return 1;

		avnm_storage *st = NULL;
		char err[512];
		if (avnm_journal_open(&st, argv[i], AVNM_JOURNAL_NO_SYNC, err, sizeof err) != AVNM_OK) {
			fprintf(stderr, "%s: %s\n", argv[i], err);
			return 1;
		}
		FILE *r = out_file(argv[1], "records", argv[i]);
		if (!r || st->load(st->opaque, record, r) != 0 || fclose(r) != 0)
			return 1;
		avnm_journal_close(st);
	}
	return 0;
}
