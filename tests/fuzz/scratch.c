/* The scratch file of fuzz.h. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "fuzz.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NPATHS 4

static char paths[NPATHS][512];
static size_t npaths;

/* path with suffix into out (of sizeof paths[0] + 16 bytes) */
static const char *with_suffix(char *out, const char *path, const char *suffix)
{
	size_t n = strlen(path), m = strlen(suffix);
	memcpy(out, path, n);
	memcpy(out + n, suffix, m + 1);
	return out;
}

static void remove_scratch(void)
{
	for (size_t i = 0; i < npaths; i++) {
		char other[sizeof paths[0] + 16];
		unlink(paths[i]);
		/* the journal backend keeps its lock (and compaction) beside the file */
		unlink(with_suffix(other, paths[i], ".lock"));
		unlink(with_suffix(other, paths[i], ".compact"));
	}
}

const char *fuzz_scratch_path(const char *tag)
{
	const char *dir = getenv("TMPDIR");
	if (npaths == NPATHS)
		return NULL;
	if (!dir || !*dir)
		dir = "/tmp";
	char *p = paths[npaths];
	int n = snprintf(p, sizeof paths[0], "%s/avnm-fuzz-%s-XXXXXX", dir, tag);
	if (n < 0 || (size_t)n >= sizeof paths[0])
		return NULL;
	int fd = mkstemp(p);
	if (fd < 0)
		return NULL;
	close(fd);
	if (npaths++ == 0)
		atexit(remove_scratch);
	return p;
}

int fuzz_scratch_write(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	const char *p = data;
	while (size) {
		ssize_t w = write(fd, p, size);
		if (w <= 0) {
			close(fd);
			return -1;
		}
		p += w;
		size -= (size_t)w;
	}
	return close(fd);
}
