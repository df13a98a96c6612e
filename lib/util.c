/* Containers and memory: the few data structures the registry is built from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void *default_alloc(void *opaque, size_t size)
{
	(void)opaque;
	return malloc(size);
}

static void default_free(void *opaque, void *ptr)
{
	(void)opaque;
	free(ptr);
}

const struct mem mem_default = { default_alloc, default_free, NULL };

void *mem_alloc(const struct mem *m, size_t n)
{
	void *p = m->alloc(m->opaque, n ? n : 1);
	if (p) memset(p, 0, n ? n : 1);
	return p;
}

void mem_free(const struct mem *m, void *p)
{
	if (p) m->free(m->opaque, p);
}

char *mem_strndup(const struct mem *m, const char *s, size_t n)
{
	char *d = m->alloc(m->opaque, n + 1);
	if (!d) return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *blk_put(char **at, const char *s, size_t n)
{
	char *d = *at;
	memcpy(d, s, n);
	d[n] = '\0';
	*at = d + n + 1;
	return d;
}

char *mem_strdup(const struct mem *m, const char *s)
{
	return s ? mem_strndup(m, s, strlen(s)) : NULL;
}

/* A multiply-xorshift hash over 8-byte words: keys are ids of 40-200 bytes, and
 * this is a few cycles per word with good avalanche for such text. Every byte is
 * hashed with its 0x20 bit set, so that strings equal up to ASCII letter case hash
 * alike: a lookup by an id as the caller wrote it needs no lower-cased copy (keys
 * differing only in that bit elsewhere, rare in ids, share a hash and the
 * comparison tells them apart). */
#define CASE_FOLD 0x2020202020202020ull
static uint64_t hash_mix(uint64_t h, uint64_t v, uint64_t k)
{
	h = (h ^ (v | CASE_FOLD)) * k;
	return h ^ h >> 32;
}

uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	const uint64_t k1 = 0xff51afd7ed558ccdull, k2 = 0xc4ceb9fe1a85ec53ull;
	/* two lanes, sixteen bytes a round: the multiplies of one round overlap */
	uint64_t a = 0x9E3779B97F4A7C15ull ^ (uint64_t)n, b = 0x6a09e667f3bcc909ull;
	size_t len = n;
	uint64_t x, y;
	for (; n >= 16; s += 16, n -= 16) {
		memcpy(&x, s, 8);
		memcpy(&y, s + 8, 8);
		a = hash_mix(a, x, k1);
		b = hash_mix(b, y, k2);
	}
	if (n >= 8) {
		memcpy(&x, s, 8);
		a = hash_mix(a, x, k1);
		s += 8;
		n -= 8;
	}
	if (n) {
		/* the last 1-7 bytes: one read ending at the end when the key is long enough */
		if (len >= 8) {
			memcpy(&y, s + n - 8, 8);
			y >>= 8 * (8 - n);
		} else {
			y = 0;
			for (size_t i = 0; i < n; i++) y |= (uint64_t)s[i] << (8 * i);
		}
		b = hash_mix(b, y, k2);
	}
	uint64_t h = a ^ (b << 31 | b >> 33);
	h *= k2;
	h ^= h >> 29;
	h *= k1;
	return h ^ h >> 32;
}

int htab_init(struct htab *t, const struct mem *m, size_t nbuckets)
{
	size_t nb = 8;
	while (nb < nbuckets) nb <<= 1;
	t->mem = m;
	t->n = 0;
	t->b = mem_alloc(m, nb * sizeof *t->b);
	t->nb = t->b ? nb : 0;
	return t->b ? 0 : -1;
}

void htab_fini(struct htab *t)
{
	if (t->mem) mem_free(t->mem, t->b);
	t->b = NULL;
	t->nb = t->n = 0;
}

#define HTAB_GROW_AHEAD 8 /* buckets */

static void htab_grow(struct htab *t)
{
	size_t nb = t->nb * 2;
	struct hnode **b = mem_alloc(t->mem, nb * sizeof *b);
	if (!b) return; /* longer chains, still correct */
	for (size_t i = 0; i < t->nb; i++) {
		/* the entries are scattered in memory and each is read to move it: ask for
		 * those a few buckets ahead, so that their misses overlap */
		if (i + HTAB_GROW_AHEAD < t->nb) PREFETCH(t->b[i + HTAB_GROW_AHEAD]);
		struct hnode *e = t->b[i];
		while (e) {
			struct hnode *next = e->next;
			size_t j = (size_t)e->hash & (nb - 1);
			e->next = b[j];
			b[j] = e;
			e = next;
		}
	}
	mem_free(t->mem, t->b);
	t->b = b;
	t->nb = nb;
}

void htab_insert(struct htab *t, struct hnode *node, const char *key, size_t klen)
{
	htab_insert_hashed(t, node, key, klen, hash_bytes(key, klen));
}

void htab_insert_hashed(struct htab *t, struct hnode *node, const char *key, size_t klen,
                        uint64_t hash)
{
	if (t->n >= t->nb) htab_grow(t);
	node->key = key;
	node->klen = klen;
	node->hash = hash;
	size_t i = (size_t)node->hash & (t->nb - 1);
	node->next = t->b[i];
	t->b[i] = node;
	t->n++;
}

void htab_remove(struct htab *t, struct hnode *node)
{
	struct hnode **pp = &t->b[(size_t)node->hash & (t->nb - 1)];
	while (*pp && *pp != node) pp = &(*pp)->next;
	if (*pp) {
		*pp = node->next;
		node->next = NULL;
		t->n--;
	}
}

/* The node of chain e with key; fold: key is in any letter case (the stored keys are
 * lower case, see htab_find_lower). */
static struct hnode *chain_match(struct hnode *e, uint64_t h, const char *key, size_t klen,
                                 int fold)
{
	for (; e; e = e->next)
		if (e->hash == h && e->klen == klen &&
		    (fold ? eq_lower(e->key, key, klen) : memcmp(e->key, key, klen) == 0))
			return e;
	return NULL;
}

struct hnode *htab_find_hashed(const struct htab *t, const char *key, size_t klen, uint64_t hash)
{
	return t->nb ? chain_match(t->b[(size_t)hash & (t->nb - 1)], hash, key, klen, 0) : NULL;
}

struct hnode *htab_find(const struct htab *t, const char *key, size_t klen)
{
	return htab_find_hashed(t, key, klen, hash_bytes(key, klen));
}

struct hnode *htab_find_lower(const struct htab *t, const char *key, size_t klen)
{
	if (!t->nb) return NULL;
	uint64_t h = hash_bytes(key, klen); /* case-folded: the key as given will do */
	return chain_match(t->b[(size_t)h & (t->nb - 1)], h, key, klen, 1);
}

const struct hnode *htab_head(const struct htab *t, uint64_t hash)
{
	return t->nb ? t->b[(size_t)hash & (t->nb - 1)] : NULL;
}

struct hnode *htab_find_id(const struct htab *t, const char *id)
{
	if (!id) return NULL;
	size_t len = strnlen(id, ID_MAX + 1);
	if (len > ID_MAX) return NULL;
	if (id[0] == '/') return htab_find_lower(t, id, len);
	char buf[ID_MAX + 2];
	buf[0] = '/';
	memcpy(buf + 1, id, len);
	return htab_find_lower(t, buf, len + 1);
}

struct hnode *htab_find_next(const struct hnode *from)
{
	return chain_match(from->next, from->hash, from->key, from->klen, 0);
}

struct hnode *htab_iter(const struct htab *t, size_t *pos, struct hnode *cur)
{
	if (cur && cur->next) return cur->next;
	if (cur) (*pos)++;
	while (*pos < t->nb) {
		if (t->b[*pos]) return t->b[*pos];
		(*pos)++;
	}
	return NULL;
}

void dl_init(struct dl *head)
{
	head->prev = head->next = head;
}

void dl_insert_after(struct dl *pos, struct dl *node)
{
	node->prev = pos;
	node->next = pos->next;
	pos->next->prev = node;
	pos->next = node;
}

void dl_unlink(struct dl *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node->prev = node->next = node;
}

void buf_init(struct buf *b, const struct mem *m)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->mem = m;
	b->failed = 0;
}

static int buf_reserve(struct buf *b, size_t extra)
{
	if (b->failed) return -1;
	if (b->len + extra + 1 <= b->cap) return 0;
	size_t cap = b->cap ? b->cap * 2 : 64;
	while (cap < b->len + extra + 1) cap *= 2;
	char *p = b->mem->alloc(b->mem->opaque, cap);
	if (!p) {
		b->failed = 1;
		return -1;
	}
	if (b->p) memcpy(p, b->p, b->len + 1);
	mem_free(b->mem, b->p);
	b->p = p;
	b->cap = cap;
	return 0;
}

void buf_putn(struct buf *b, const char *s, size_t n)
{
	if (buf_reserve(b, n)) return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_putn(b, s, strlen(s));
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	if ((size_t)n < sizeof small) {
		buf_putn(b, small, (size_t)n);
		return;
	}
	if (buf_reserve(b, (size_t)n)) return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buf_fini(struct buf *b)
{
	mem_free(b->mem, b->p);
	buf_init(b, b->mem);
}

/* LEB128: 7 bits a byte, low first, high bit set on all but the last. */
void buf_varint(struct buf *b, uint64_t v)
{
	char tmp[10];
	size_t n = 0;
	do {
		unsigned char byte = (unsigned char)(v & 0x7f);
		v >>= 7;
		tmp[n++] = (char)(v ? byte | 0x80 : byte);
	} while (v);
	buf_putn(b, tmp, n);
}

int get_varint(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64 && *p < end; shift += 7) {
		unsigned char byte = *(*p)++;
		if (shift == 63 && byte > 1) return -1;
		v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80)) {
			/* one encoding per value: no trailing zero groups */
			if (shift && byte == 0) return -1;
			*out = v;
			return 0;
		}
	}
	return -1;
}

size_t tenant_key(char *dst, size_t size, const char *pre, size_t plen, const char *tenant,
                  const char *rest)
{
	size_t rl = strlen(rest), n = plen + GUID_LEN + 1 + rl;
	if (n >= size) {
		if (size) dst[0] = '\0';
		return 0;
	}
	memcpy(dst, pre, plen);
	memcpy(dst + plen, tenant, GUID_LEN);
	dst[plen + GUID_LEN] = '/';
	memcpy(dst + plen + GUID_LEN + 1, rest, rl + 1);
	return n;
}

size_t str_join(char *dst, size_t size, ...)
{
	va_list ap;
	size_t n = 0;
	int fits = 1;
	va_start(ap, size);
	for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *)) {
		size_t k = strlen(s);
		if (n + k >= size) {
			fits = 0;
			break;
		}
		memcpy(dst + n, s, k);
		n += k;
	}
	va_end(ap);
	dst[fits ? n : 0] = '\0';
	return fits ? n : 0;
}
