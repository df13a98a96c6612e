/* File and journal helpers of the storage tests (util.h). */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "world.h"

char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (!p) abort();
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

char *tmpdir_new(const char *base)
{
	char *tmpl = path_join(base, "avnm-storage-XXXXXX");
	if (!mkdtemp(tmpl)) {
		free(tmpl);
		return NULL;
	}
	return tmpl;
}

void tmpdir_remove(char *dir)
{
	if (!dir) return;
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
			char *p = path_join(dir, e->d_name);
			unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(dir);
	free(dir);
}

static int usable_dir(const char *dir)
{
	struct stat sb;
	return dir && *dir && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) && access(dir, W_OK | X_OK) == 0;
}

const char *fast_tmp_base(void)
{
	if (usable_dir("/dev/shm")) return "/dev/shm";
	const char *t = getenv("TMPDIR");
	return usable_dir(t) ? t : "/tmp";
}

int file_read(const char *path, unsigned char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return -1;
	struct stat sb;
	if (fstat(fd, &sb) < 0) {
		close(fd);
		return -1;
	}
	size_t n = (size_t)sb.st_size, got = 0;
	unsigned char *p = malloc(n ? n : 1);
	if (!p) abort();
	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);
		if (r < 0 && errno == EINTR) continue;
		if (r <= 0) {
			free(p);
			close(fd);
			return -1;
		}
		got += (size_t)r;
	}
	close(fd);
	*data = p;
	*len = n;
	return 0;
}

int file_write(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) return -1;
	const unsigned char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR) continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return close(fd);
}

long long file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

int jctx_open(struct jctx *j, const char *path, unsigned int flags)
{
	j->journal = NULL;
	j->ctx = NULL;
	j->err[0] = '\0';
	int rc = avnm_journal_open(&j->journal, path, flags, j->err, sizeof j->err);
	if (rc != AVNM_OK) return rc;
	rc = avnm_ctx_open(&j->ctx, NULL, j->journal, j->err, sizeof j->err);
	if (rc != AVNM_OK) {
		avnm_journal_close(j->journal);
		j->journal = NULL;
	}
	return rc;
}

void jctx_close(struct jctx *j)
{
	avnm_ctx_free(j->ctx);
	avnm_journal_close(j->journal);
	j->ctx = NULL;
	j->journal = NULL;
}

char *journal_world(const char *path, unsigned int flags, int *rc, char *err, size_t errsize)
{
	struct jctx j;
	*rc = jctx_open(&j, path, flags);
	if (err && errsize) snprintf(err, errsize, "%s", j.err);
	if (*rc != AVNM_OK) return NULL;
	char *d = world_dump(j.ctx);
	jctx_close(&j);
	return d;
}
