/* Fuzzer: the record decoder behind avnm_ctx_open, fed directly through a
 * storage backend of our own (a memory store whose records come from the input),
 * without the journal's checksums in the way.
 *
 * Input: records back to back, each [u16 LE key length][key][u16 LE value
 * length][value]; a short tail is ignored; a later record with the same key
 * replaces an earlier one (a store holds one value per key).
 *
 * Checks: avnm_ctx_open either fails with `corrupt` (or `no-memory`), with a
 * message and no context, or loads a world that
 *  - passes the dump invariants (dumpcheck.h: R3.3, consent, implied consent,
 *    rejection), since a loaded world must be one the library could have built;
 *  - loads the same from the records handed over in the reverse order (load
 *    order is the backend's business);
 *  - after changes made through the context (one that touches every manager
 *    again, one that deletes one by force), reloads to exactly the live world.
 *
 * AVNM_FUZZ_TRUST_LOADER=1 leaves out the invariants of the loaded world (to look
 * past a known finding of that kind for others). */
#include <string.h>

#include "avnm.h"
#include "dumpcheck.h"
#include "fuzz.h"

struct rec {
	char *key;
	unsigned char *val;
	size_t klen, vlen;
};

struct store {
	avnm_storage st;
	struct rec *r;   /* committed */
	size_t n, cap;
	struct rec *tx;  /* staged puts (val != NULL) and deletes (val == NULL) */
	size_t ntx, captx;
	int in_tx, reverse;
};

static int grow(struct rec **a, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 16;
	while (nc < need)
		nc *= 2;
	struct rec *p = realloc(*a, nc * sizeof *p);
	if (!p)
		return -1;
	*a = p;
	*cap = nc;
	return 0;
}

static void rec_free(struct rec *r)
{
	free(r->key);
	free(r->val);
}

static int rec_set(struct store *s, const char *k, size_t kl, const void *v, size_t vl, int del)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->r[i].klen == kl && memcmp(s->r[i].key, k, kl) == 0) {
			rec_free(&s->r[i]);
			s->r[i] = s->r[--s->n];
			break;
		}
	}
	if (del)
		return 0;
	if (grow(&s->r, &s->cap, s->n + 1))
		return AVNM_E_NO_MEMORY;
	struct rec *r = &s->r[s->n];
	r->key = malloc(kl + 1);
	r->val = malloc(vl ? vl : 1);
	if (!r->key || !r->val) {
		rec_free(r);
		return AVNM_E_NO_MEMORY;
	}
	memcpy(r->key, k, kl);
	r->key[kl] = '\0';
	if (vl)
		memcpy(r->val, v, vl);
	r->klen = kl;
	r->vlen = vl;
	s->n++;
	return 0;
}

static int st_load(void *o, avnm_record_fn fn, void *cookie)
{
	struct store *s = o;
	for (size_t j = 0; j < s->n; j++) {
		size_t i = s->reverse ? s->n - 1 - j : j;
		int rc = fn(cookie, s->r[i].key, s->r[i].klen, s->r[i].val, s->r[i].vlen);
		if (rc)
			return rc;
	}
	return 0;
}

static int st_begin(void *o)
{
	struct store *s = o;
	FUZZ_CHECK(!s->in_tx, "begin inside a transaction");
	s->in_tx = 1;
	s->ntx = 0;
	return 0;
}

static int stage(struct store *s, const char *k, size_t kl, const void *v, size_t vl, int del)
{
	FUZZ_CHECK(s->in_tx, "a write outside a transaction");
	FUZZ_CHECK(kl >= 3 && kl <= 4096 && !memchr(k, '\0', kl), "the context wrote a bad key");
	if (grow(&s->tx, &s->captx, s->ntx + 1))
		return AVNM_E_NO_MEMORY;
	struct rec *r = &s->tx[s->ntx];
	r->key = malloc(kl + 1);
	r->val = del ? NULL : malloc(vl ? vl : 1);
	if (!r->key || (!del && !r->val)) {
		rec_free(r);
		return AVNM_E_NO_MEMORY;
	}
	memcpy(r->key, k, kl);
	r->key[kl] = '\0';
	if (!del && vl)
		memcpy(r->val, v, vl);
	r->klen = kl;
	r->vlen = vl;
	s->ntx++;
	return 0;
}

static int st_put(void *o, const char *k, size_t kl, const void *v, size_t vl)
{
	return stage(o, k, kl, v, vl, 0);
}

static int st_del(void *o, const char *k, size_t kl)
{
	return stage(o, k, kl, NULL, 0, 1);
}

static void drop_tx(struct store *s)
{
	for (size_t i = 0; i < s->ntx; i++)
		rec_free(&s->tx[i]);
	s->ntx = 0;
	s->in_tx = 0;
}

static int st_commit(void *o)
{
	struct store *s = o;
	FUZZ_CHECK(s->in_tx, "commit outside a transaction");
	for (size_t i = 0; i < s->ntx; i++)
		FUZZ_CHECK(rec_set(s, s->tx[i].key, s->tx[i].klen, s->tx[i].val, s->tx[i].vlen,
		                   s->tx[i].val == NULL) == 0,
		           "out of memory in the test store");
	drop_tx(s);
	return 0;
}

static int st_rollback(void *o)
{
	drop_tx(o);
	return 0;
}

static void store_init(struct store *s)
{
	avnm_storage init = AVNM_STORAGE_INIT;
	memset(s, 0, sizeof *s);
	s->st = init;
	s->st.opaque = s;
	s->st.load = st_load;
	s->st.begin = st_begin;
	s->st.put = st_put;
	s->st.del = st_del;
	s->st.commit = st_commit;
	s->st.rollback = st_rollback;
}

static void store_fini(struct store *s)
{
	drop_tx(s);
	for (size_t i = 0; i < s->n; i++)
		rec_free(&s->r[i]);
	free(s->r);
	free(s->tx);
}

static char *dump(avnm_ctx *ctx, size_t *len)
{
	char *d = NULL;
	FUZZ_CHECK(avnm_ctx_dump(&d, len, ctx) == AVNM_OK, "dump failed: %s", avnm_errmsg(ctx));
	return d;
}

static void same_world(avnm_ctx *live, struct store *s, const char *what)
{
	avnm_ctx *again = NULL;
	char err[512];
	size_t la, lb;
	int rc = avnm_ctx_open(&again, NULL, &s->st, err, sizeof err);
	FUZZ_CHECK(rc == AVNM_OK, "%s: the stored world does not load again: %d %s", what, rc, err);
	char *a = dump(live, &la), *b = dump(again, &lb);
	FUZZ_CHECK(la == lb && memcmp(a, b, la) == 0, "%s: reloaded world differs:\n%s\n----\n%s", what,
	           a, b);
	avnm_free(live, a);
	avnm_free(again, b);
	avnm_ctx_free(again);
}

/* The canonical id of the first manager in a dump ("M <id> ..."), or "". */
static void first_manager(const char *d, char *out, size_t size)
{
	out[0] = '\0';
	for (const char *line = d; *line; ) {
		if (strncmp(line, "M ", 2) == 0) {
			size_t n = strcspn(line + 2, " \n");
			if (n < size) {
				memcpy(out, line + 2, n);
				out[n] = '\0';
			}
			return;
		}
		const char *nl = strchr(line, '\n');
		if (!nl)
			return;
		line = nl + 1;
	}
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
	struct store s;
	store_init(&s);
	for (size_t p = 0; p + 2 <= size;) {
		size_t kl = (size_t)data[p] | (size_t)data[p + 1] << 8;
		p += 2;
		if (kl > size - p)
			break;
		const char *k = (const char *)data + p;
		p += kl;
		if (p + 2 > size)
			break;
		size_t vl = (size_t)data[p] | (size_t)data[p + 1] << 8;
		p += 2;
		if (vl > size - p)
			break;
		if (rec_set(&s, k, kl, data + p, vl, 0) != 0)
			break;
		p += vl;
	}

	avnm_ctx *ctx = NULL;
	char err[512];
	err[0] = '\0';
	int rc = avnm_ctx_open(&ctx, NULL, &s.st, err, sizeof err);
	if (rc != AVNM_OK) {
		FUZZ_CHECK(rc == AVNM_E_CORRUPT || rc == AVNM_E_NO_MEMORY, "open returned %d: %s", rc, err);
		FUZZ_CHECK(ctx == NULL && err[0] != '\0', "a failed open without message or with a context");
		store_fini(&s);
		return 0;
	}
	size_t len;
	char *d = dump(ctx, &len), why[512];
	FUZZ_CHECK(!check_loaded() || dump_check(d, len, why, sizeof why) == 0,
	           "loaded world breaks an invariant: %s\n%s", why, d);

	s.reverse = 1;
	same_world(ctx, &s, "reverse order");
	s.reverse = 0;

	char mgr[4200];
	first_manager(d, mgr, sizeof mgr);
	avnm_free(ctx, d);
	if (mgr[0]) {
		/* the same accesses again: re-evaluates the manager's connections */
		avnm_manager *h = NULL;
		unsigned acc = 0;
		FUZZ_CHECK(avnm_manager_open(&h, ctx, mgr) == AVNM_OK, "manager %s of the dump not found",
		           mgr);
		FUZZ_CHECK(avnm_manager_get_accesses(&acc, h) == AVNM_OK, "no accesses");
		avnm_manager_close(h);
		rc = avnm_manager_update(ctx, NULL, mgr, AVNM_UPDATE_ACCESSES, acc, NULL);
		FUZZ_CHECK(rc == AVNM_OK || rc == AVNM_E_CONFLICT, "update of %s: %d %s", mgr, rc,
		           avnm_errmsg(ctx));
		same_world(ctx, &s, "after update");
		rc = avnm_manager_delete(ctx, NULL, mgr, AVNM_DELETE_FORCE);
		FUZZ_CHECK(rc == AVNM_OK, "forced delete of %s: %d %s", mgr, rc, avnm_errmsg(ctx));
		same_world(ctx, &s, "after forced delete");
		d = dump(ctx, &len);
		FUZZ_CHECK(!check_loaded() || dump_check(d, len, why, sizeof why) == 0, "after delete: %s\n%s",
		           why, d);
		avnm_free(ctx, d);
	}
	avnm_ctx_free(ctx);
	store_fini(&s);
	return 0;
}
