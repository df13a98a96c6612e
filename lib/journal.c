/* The journal file backend (docs/storage-format.md): a header, then one frame per
 * commit, [u32 length][u32 CRC-32C of the length][u32 CRC-32C of the payload][payload],
 * appended and fsynced. The length has its own checksum: a damaged length must read as
 * damage, not as a frame running past the end, which is what a torn last write looks
 * like. At open the frames are replayed into a record map; a torn or damaged last
 * frame is cut off, damage before the last frame is `corrupt`. When the file has grown
 * to several times its live data it is rewritten as a single snapshot frame and renamed
 * over. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define MAGIC "AVNMJRN1"
#define HEADER_LEN 16
#define FORMAT 1u
#define FRAME_HDR 12
#define FRAME_MAX (256u << 20)
#define COMPACT_MIN (1u << 20)

struct journal {
	struct recstore base; /* first: the backend's callbacks but commit are the map's */
	int fd, lockfd;
	unsigned flags;
	uint64_t size;       /* bytes of complete frames */
	char *path, *tmppath, *lockpath;
};

static int jfail(struct journal *j, int code, const char *fmt, ...) PRINTF_LIKE(3, 4);
static int jfail(struct journal *j, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(j->base.map.msg, sizeof j->base.map.msg, fmt, ap);
	va_end(ap);
	return code;
}

static void le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int write_all(int fd, const void *p, size_t n, off_t at)
{
	const char *s = p;
	while (n) {
		ssize_t w = pwrite(fd, s, n, at);
		if (w < 0 && errno == EINTR) continue;
		if (w <= 0) return -1;
		s += w;
		n -= (size_t)w;
		at += w;
	}
	return 0;
}

static int sync_dir(const char *path)
{
	char *dir = strdup(path);
	if (!dir) return -1;
	char *slash = strrchr(dir, '/');
	if (slash == dir) slash[1] = '\0';
	else if (slash) *slash = '\0';
	else strcpy(dir, ".");
	int fd = open(dir, O_RDONLY | O_CLOEXEC);
	free(dir);
	if (fd < 0) return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/* ---- frames ---------------------------------------------------------------------- */

static void frame_begin(struct buf *b, char type)
{
	char hdr[FRAME_HDR] = { 0 };
	buf_putn(b, hdr, FRAME_HDR);
	buf_putn(b, &type, 1);
}

static void frame_op(struct buf *b, int del, const char *k, size_t kl, const void *v, size_t vl)
{
	buf_putn(b, del ? "D" : "P", 1);
	buf_varint(b, kl);
	buf_putn(b, k, kl);
	if (!del) {
		buf_varint(b, vl);
		buf_putn(b, v, vl);
	}
}

/* Seal the frame that starts at offset `at` of b. */
static void frame_end(struct buf *b, size_t at)
{
	if (b->failed) return;
	unsigned char *h = (unsigned char *)b->p + at;
	uint32_t len = (uint32_t)(b->len - at - FRAME_HDR);
	le32(h, len);
	le32(h + 4, crc32c(0, h, 4));
	le32(h + 8, crc32c(0, h + FRAME_HDR, len));
}

/* Replay one frame's payload into the map as one transaction. */
static int replay(struct journal *j, const unsigned char *p, size_t n, uint64_t at)
{
	const unsigned char *end = p + n;
	if (n < 1 || (p[0] != 'C' && p[0] != 'S'))
		return jfail(j, AVNM_E_CORRUPT, "%s: frame at offset %llu has an unknown type", j->path,
		             (unsigned long long)at);
	p++;
	int rc = recmap_begin(&j->base.map);
	while (rc == 0 && p < end) {
		unsigned char op = *p++;
		uint64_t kl = 0, vl = 0;
		const unsigned char *k, *v = NULL;
		if ((op != 'P' && op != 'D') || get_varint(&p, end, &kl) || kl > (uint64_t)(end - p)) {
			rc = AVNM_E_CORRUPT;
			break;
		}
		k = p;
		p += kl;
		if (op == 'P') {
			if (get_varint(&p, end, &vl) || vl > (uint64_t)(end - p)) {
				rc = AVNM_E_CORRUPT;
				break;
			}
			v = p;
			p += vl;
		}
		rc = recmap_stage(&j->base.map, op == 'D', (const char *)k, (size_t)kl, v, (size_t)vl);
	}
	if (rc) {
		recmap_discard(&j->base.map);
		if (rc == AVNM_E_CORRUPT)
			jfail(j, rc, "%s: frame at offset %llu has a valid checksum but undecodable operations",
			      j->path, (unsigned long long)at);
		return rc;
	}
	recmap_apply(&j->base.map);
	return 0;
}

static int read_file(struct journal *j, unsigned char **data, size_t *len)
{
	struct stat sb;
	if (fstat(j->fd, &sb) < 0) return jfail(j, AVNM_E_STORAGE, "%s: %s", j->path, strerror(errno));
	*len = (size_t)sb.st_size;
	*data = malloc(*len ? *len : 1);
	if (!*data) return jfail(j, AVNM_E_NO_MEMORY, "out of memory reading %s", j->path);
	size_t got = 0;
	while (got < *len) {
		ssize_t r = pread(j->fd, *data + got, *len - got, (off_t)got);
		if (r < 0 && errno == EINTR) continue;
		if (r <= 0) {
			free(*data);
			return jfail(j, AVNM_E_STORAGE, "%s: read: %s", j->path, r < 0 ? strerror(errno) : "short");
		}
		got += (size_t)r;
	}
	return 0;
}

static int write_header(struct journal *j, int fd)
{
	unsigned char h[HEADER_LEN];
	memcpy(h, MAGIC, 8);
	le32(h + 8, FORMAT);
	le32(h + 12, 0);
	if (write_all(fd, h, sizeof h, 0)) return jfail(j, AVNM_E_STORAGE, "%s: write: %s", j->path, strerror(errno));
	return 0;
}

static int all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++) return 0;
	return 1;
}

/* Cut the file at `at`: what follows is a commit that never completed. */
static int cut(struct journal *j, uint64_t at)
{
	if (ftruncate(j->fd, (off_t)at) < 0 || fsync(j->fd) < 0)
		return jfail(j, AVNM_E_STORAGE, "%s: cutting the torn tail: %s", j->path, strerror(errno));
	return 0;
}

static int replay_file(struct journal *j)
{
	unsigned char *d = NULL;
	size_t n = 0;
	TRY(read_file(j, &d, &n));
	int rc = 0;
	if (n < HEADER_LEN) {
		/* A file shorter than the header was never committed to: only a prefix of a
		 * header (a creation that was interrupted) is accepted as empty. */
		unsigned char h[HEADER_LEN];
		memcpy(h, MAGIC, 8);
		le32(h + 8, FORMAT);
		le32(h + 12, 0);
		if (memcmp(d, h, n) != 0) rc = jfail(j, AVNM_E_CORRUPT, "%s is not a libavnm journal", j->path);
		else if ((rc = write_header(j, j->fd)) == 0 && !(j->flags & AVNM_JOURNAL_NO_SYNC) && fsync(j->fd))
			rc = jfail(j, AVNM_E_STORAGE, "%s: fsync: %s", j->path, strerror(errno));
		j->size = HEADER_LEN;
		free(d);
		return rc;
	}
	if (memcmp(d, MAGIC, 8) != 0 || rd32(d + 8) != FORMAT) {
		free(d);
		return jfail(j, AVNM_E_CORRUPT, "%s is not a libavnm journal of format %u", j->path, FORMAT);
	}
	uint64_t pos = HEADER_LEN;
	int snapshot_ok = 1;
	while (rc == 0 && pos < n) {
		uint64_t rest = n - pos;
		/* Torn inside the frame header, or a tail of zeros: file systems that record the
		 * new size before the data leave one after a crash. Neither holds a commit. */
		if (rest < FRAME_HDR || all_zero(d + pos, (size_t)rest)) {
			rc = cut(j, pos);
			break;
		}
		uint32_t len = rd32(d + pos), crc = rd32(d + pos + 8);
		int len_ok = rd32(d + pos + 4) == crc32c(0, d + pos, 4) && len <= FRAME_MAX;
		if (!len_ok) {
			rc = jfail(j, AVNM_E_CORRUPT, "%s: frame at offset %llu has a damaged length",
			           j->path, (unsigned long long)pos);
			break;
		}
		if (len > rest - FRAME_HDR) {
			rc = cut(j, pos); /* torn: the last write did not complete */
			break;
		}
		if (crc32c(0, d + pos + FRAME_HDR, len) != crc) {
			if (pos + FRAME_HDR + len == n) rc = cut(j, pos);
			else
				rc = jfail(j, AVNM_E_CORRUPT,
				           "%s: frame at offset %llu fails its checksum and is not the last one",
				           j->path, (unsigned long long)pos);
			break;
		}
		if (!snapshot_ok && len && d[pos + FRAME_HDR] == 'S') {
			rc = jfail(j, AVNM_E_CORRUPT, "%s: snapshot frame at offset %llu is not the first",
			           j->path, (unsigned long long)pos);
			break;
		}
		snapshot_ok = 0;
		rc = replay(j, d + pos + FRAME_HDR, len, pos);
		pos += FRAME_HDR + (uint64_t)len;
	}
	free(d);
	if (rc == 0) {
		struct stat sb;
		if (fstat(j->fd, &sb) < 0) return jfail(j, AVNM_E_STORAGE, "%s: %s", j->path, strerror(errno));
		j->size = (uint64_t)sb.st_size;
	}
	return rc;
}

/* ---- compaction ------------------------------------------------------------------- */

static int compact(struct journal *j)
{
	struct buf b;
	buf_init(&b, &mem_default);
	buf_putn(&b, MAGIC, 8);
	char ver[8];
	le32((unsigned char *)ver, FORMAT);
	le32((unsigned char *)ver + 4, 0);
	buf_putn(&b, ver, 8);
	size_t start = b.len;
	frame_begin(&b, 'S');
	size_t pos = 0;
	struct hnode *e = NULL;
	while ((e = htab_iter(&j->base.map.t, &pos, e)) != NULL) {
		const struct mrec *r = CONTAINER(e, const struct mrec, h);
		frame_op(&b, 0, r->key, r->klen, r->val, r->vlen);
	}
	frame_end(&b, start);
	int fd = b.failed ? -1 : open(j->tmppath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int ok = fd >= 0 && write_all(fd, b.p, b.len, 0) == 0 && fsync(fd) == 0 &&
	         rename(j->tmppath, j->path) == 0;
	if (ok) sync_dir(j->path);
	size_t newsize = b.len;
	buf_fini(&b);
	if (!ok) {
		/* Compaction is an optimisation: the old journal stays valid. */
		if (fd >= 0) close(fd);
		unlink(j->tmppath);
		return 0;
	}
	close(j->fd);
	j->fd = fd;
	j->size = newsize;
	return 0;
}

/* ---- the callbacks ----------------------------------------------------------------- */

static int j_commit(void *o)
{
	struct journal *j = o;
	struct buf b;
	buf_init(&b, &mem_default);
	frame_begin(&b, 'C');
	for (size_t i = 0; i < j->base.map.nops; i++) {
		const struct mrec *r = j->base.map.ops[i].rec;
		frame_op(&b, j->base.map.ops[i].del, r->key, r->klen, r->val, r->vlen);
	}
	frame_end(&b, 0);
	int rc = 0;
	if (b.failed || b.len - FRAME_HDR > FRAME_MAX) {
		rc = jfail(j, b.failed ? AVNM_E_NO_MEMORY : AVNM_E_LIMIT, "%s: commit of %zu bytes %s",
		           j->path, b.len, b.failed ? "does not fit in memory" : "exceeds the frame limit");
	} else if (write_all(j->fd, b.p, b.len, (off_t)j->size) ||
	           (!(j->flags & AVNM_JOURNAL_NO_SYNC) && fsync(j->fd))) {
		rc = jfail(j, AVNM_E_STORAGE, "%s: writing a commit: %s", j->path, strerror(errno));
		/* leave no partial frame behind; a reopen would cut it anyway */
		if (ftruncate(j->fd, (off_t)j->size) == 0 && !(j->flags & AVNM_JOURNAL_NO_SYNC)) fsync(j->fd);
	}
	if (rc) {
		buf_fini(&b);
		recmap_discard(&j->base.map);
		return rc;
	}
	j->size += b.len;
	buf_fini(&b);
	recmap_apply(&j->base.map);
	if (j->size > COMPACT_MIN && j->size > 4 * (j->base.map.live_bytes + 4096)) compact(j);
	return 0;
}

static void j_free(struct journal *j)
{
	if (j->fd >= 0) close(j->fd);
	if (j->lockfd >= 0) close(j->lockfd); /* releases the flock */
	recmap_fini(&j->base.map);
	free(j->path);
	free(j->tmppath);
	free(j->lockpath);
	free(j);
}

static char *with_suffix(const char *path, const char *suffix)
{
	size_t n = strlen(path), m = strlen(suffix);
	char *s = malloc(n + m + 1);
	if (s) {
		memcpy(s, path, n);
		memcpy(s + n, suffix, m + 1);
	}
	return s;
}

static int j_open(struct journal *j, const char *path)
{
	j->path = strdup(path);
	j->tmppath = with_suffix(path, ".compact");
	j->lockpath = with_suffix(path, ".lock");
	if (!j->path || !j->tmppath || !j->lockpath) return jfail(j, AVNM_E_NO_MEMORY, "out of memory");
	/* The lock lives on its own file: compaction renames the journal itself. */
	j->lockfd = open(j->lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (j->lockfd < 0) return jfail(j, AVNM_E_STORAGE, "%s: %s", j->lockpath, strerror(errno));
	if (flock(j->lockfd, LOCK_EX | LOCK_NB) < 0)
		return jfail(j, errno == EWOULDBLOCK ? AVNM_E_BUSY : AVNM_E_STORAGE,
		             "%s: %s", path, errno == EWOULDBLOCK ? "locked by another process"
		                                                  : strerror(errno));
	j->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (j->fd < 0) return jfail(j, AVNM_E_STORAGE, "%s: %s", path, strerror(errno));
	return replay_file(j);
}

int avnm_journal_open(avnm_storage **out, const char *path, unsigned int flags, char *errbuf,
                      size_t errsize)
{
	if (errbuf && errsize) errbuf[0] = '\0';
	if (!out) return AVNM_E_INVALID_ARGUMENT;
	*out = NULL;
	if (!path || !*path || (flags & ~AVNM_JOURNAL_NO_SYNC)) {
		if (errbuf && errsize) snprintf(errbuf, errsize, "journal: no path, or unknown flags");
		return AVNM_E_INVALID_ARGUMENT;
	}
	struct journal *j = calloc(1, sizeof *j);
	if (!j) return AVNM_E_NO_MEMORY;
	if (recstore_init(&j->base, j_commit)) {
		free(j);
		return AVNM_E_NO_MEMORY;
	}
	j->fd = j->lockfd = -1;
	j->flags = flags;
	int rc = j_open(j, path);
	if (rc) {
		if (errbuf && errsize) snprintf(errbuf, errsize, "%s", j->base.map.msg);
		j_free(j);
		return rc;
	}
	*out = &j->base.st;
	return AVNM_OK;
}

void avnm_journal_close(avnm_storage *s)
{
	if (s) j_free(s->opaque);
}
