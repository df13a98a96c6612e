/* Record maps and the in-memory backend. A recmap holds the committed records and
 * stages one transaction; applying the staged operations only relinks records that
 * staging already allocated, so commit cannot fail half-way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int recmap_init(struct recmap *m)
{
	memset(m, 0, sizeof *m);
	return htab_init(&m->t, &mem_default, 256) ? AVNM_E_NO_MEMORY : 0;
}

static void rec_free(struct mrec *r)
{
	if (!r) return;
	free(r->key);
	free(r->val);
	free(r);
}

void recmap_discard(struct recmap *m)
{
	for (size_t i = 0; i < m->nops; i++) rec_free(m->ops[i].rec);
	m->nops = 0;
	m->in_tx = 0;
}

void recmap_fini(struct recmap *m)
{
	recmap_discard(m);
	for (size_t i = 0; i < m->t.nb; i++) {
		struct hnode *e = m->t.b[i];
		while (e) {
			struct hnode *next = e->next;
			rec_free(CONTAINER(e, struct mrec, h));
			e = next;
		}
	}
	htab_fini(&m->t);
	free(m->ops);
	m->ops = NULL;
	m->capops = 0;
}

int recmap_begin(struct recmap *m)
{
	if (m->in_tx) {
		snprintf(m->msg, sizeof m->msg, "a transaction is open already");
		return AVNM_E_STORAGE;
	}
	m->in_tx = 1;
	m->nops = 0;
	return 0;
}

int recmap_stage(struct recmap *m, int del, const char *key, size_t klen, const void *val,
                 size_t vlen)
{
	if (!m->in_tx) {
		snprintf(m->msg, sizeof m->msg, "no transaction is open");
		return AVNM_E_STORAGE;
	}
	if (m->nops == m->capops) {
		size_t nc = m->capops ? m->capops * 2 : 64;
		struct staged *p = realloc(m->ops, nc * sizeof *p);
		if (!p) goto oom;
		m->ops = p;
		m->capops = nc;
	}
	struct mrec *r = calloc(1, sizeof *r);
	if (!r) goto oom;
	r->key = malloc(klen + 1);
	r->val = malloc(vlen ? vlen : 1);
	if (!r->key || !r->val) {
		rec_free(r);
		goto oom;
	}
	memcpy(r->key, key, klen);
	r->key[klen] = '\0';
	r->klen = klen;
	if (!del && vlen) memcpy(r->val, val, vlen);
	r->vlen = del ? 0 : vlen;
	m->ops[m->nops].del = del;
	m->ops[m->nops].rec = r;
	m->nops++;
	return 0;
oom:
	snprintf(m->msg, sizeof m->msg, "out of memory");
	return AVNM_E_NO_MEMORY;
}

static void unlink_key(struct recmap *m, const char *key, size_t klen)
{
	struct hnode *e = htab_find(&m->t, key, klen);
	if (!e) return;
	struct mrec *old = CONTAINER(e, struct mrec, h);
	htab_remove(&m->t, e);
	m->live_bytes -= old->klen + old->vlen;
	rec_free(old);
}

void recmap_apply(struct recmap *m)
{
	for (size_t i = 0; i < m->nops; i++) {
		struct mrec *r = m->ops[i].rec;
		unlink_key(m, r->key, r->klen);
		if (m->ops[i].del) {
			rec_free(r);
		} else {
			htab_insert(&m->t, &r->h, r->key, r->klen);
			m->live_bytes += r->klen + r->vlen;
		}
		m->ops[i].rec = NULL;
	}
	m->nops = 0;
	m->in_tx = 0;
}

int recmap_load(struct recmap *m, avnm_record_fn fn, void *cookie)
{
	size_t pos = 0;
	struct hnode *e = NULL;
	while ((e = htab_iter(&m->t, &pos, e)) != NULL) {
		const struct mrec *r = CONTAINER(e, const struct mrec, h);
		int rc = fn(cookie, r->key, r->klen, r->val, r->vlen);
		if (rc) return rc;
	}
	return 0;
}

/* ---- the memory backend ------------------------------------------------------------- */

struct memstore {
	avnm_storage st;   /* first: the public pointer is the struct's address */
	struct recmap map;
};

static int ms_load(void *o, avnm_record_fn fn, void *cookie)
{
	return recmap_load(&((struct memstore *)o)->map, fn, cookie);
}

static int ms_begin(void *o)
{
	return recmap_begin(&((struct memstore *)o)->map);
}

static int ms_put(void *o, const char *k, size_t kl, const void *v, size_t vl)
{
	return recmap_stage(&((struct memstore *)o)->map, 0, k, kl, v, vl);
}

static int ms_del(void *o, const char *k, size_t kl)
{
	return recmap_stage(&((struct memstore *)o)->map, 1, k, kl, NULL, 0);
}

static int ms_commit(void *o)
{
	recmap_apply(&((struct memstore *)o)->map);
	return 0;
}

static int ms_rollback(void *o)
{
	recmap_discard(&((struct memstore *)o)->map);
	return 0;
}

static const char *ms_errmsg(void *o)
{
	return ((struct memstore *)o)->map.msg;
}

int avnm_memstore_new(avnm_storage **out)
{
	if (!out) return AVNM_E_INVALID_ARGUMENT;
	*out = NULL;
	struct memstore *ms = calloc(1, sizeof *ms);
	if (!ms) return AVNM_E_NO_MEMORY;
	if (recmap_init(&ms->map)) {
		free(ms);
		return AVNM_E_NO_MEMORY;
	}
	avnm_storage init = AVNM_STORAGE_INIT;
	ms->st = init;
	ms->st.opaque = ms;
	ms->st.load = ms_load;
	ms->st.begin = ms_begin;
	ms->st.put = ms_put;
	ms->st.del = ms_del;
	ms->st.commit = ms_commit;
	ms->st.rollback = ms_rollback;
	ms->st.errmsg = ms_errmsg;
	*out = &ms->st;
	return AVNM_OK;
}

void avnm_memstore_free(avnm_storage *store)
{
	if (!store) return;
	struct memstore *ms = store->opaque;
	recmap_fini(&ms->map);
	free(ms);
}
