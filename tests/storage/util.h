/* Small file and journal helpers shared by the journal tests. No cmocka here:
 * the crash test's child process uses them too, and a child must not report
 * through the parent's test framework. Functions return 0 on success, -1 (with
 * errno) on a system error, or an avnm_error where they say so. */
#ifndef AVNM_TEST_STORAGE_UTIL_H
#define AVNM_TEST_STORAGE_UTIL_H

#include <stddef.h>

#include "avnm.h"

/* A new private directory under base (mkdtemp), malloc'ed; NULL on error. */
char *tmpdir_new(const char *base);
/* Remove the files in dir (not recursively), then dir itself; frees dir. */
void tmpdir_remove(char *dir);
/* A directory where fsync costs nothing, for tests that open journals tens of
 * thousands of times: /dev/shm when usable, else $TMPDIR, else /tmp. */
const char *fast_tmp_base(void);

/* dir + "/" + name, malloc'ed (aborts on out of memory: tests only). */
char *path_join(const char *dir, const char *name);

/* The whole file into *data (malloc'ed, free it) and *len. */
int file_read(const char *path, unsigned char **data, size_t *len);
/* Replace the file's content with len bytes of data. */
int file_write(const char *path, const void *data, size_t len);
/* Its size, or -1. */
long long file_size(const char *path);

/* A journal and a context on it. */
struct jctx {
	avnm_storage *journal;
	avnm_ctx *ctx;
	char err[1024]; /* the message of a failed open */
};

/* Open the journal at path with flags and a context on it: AVNM_OK, or the
 * error of whichever open failed (the journal's or the context's) with its
 * message in j->err; then both pointers are NULL. */
int jctx_open(struct jctx *j, const char *path, unsigned int flags);
/* Free the context, then close the journal (the order the API requires). */
void jctx_close(struct jctx *j);

/* world_dump of a fresh journal+context on path, closed again; NULL (and the
 * code in *rc) if the open fails. For "what would a reader see now". */
char *journal_world(const char *path, unsigned int flags, int *rc, char *err, size_t errsize);

#endif /* AVNM_TEST_STORAGE_UTIL_H */
