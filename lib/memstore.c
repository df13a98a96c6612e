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

/* ---- backends made of a record map ------------------------------------------------- */

static struct recmap *map_of(void *o)
{
	return &((struct recstore *)o)->map;
}

static int rs_load(void *o, avnm_record_fn fn, void *cookie)
{
	return recmap_load(map_of(o), fn, cookie);
}

static int rs_begin(void *o)
{
	return recmap_begin(map_of(o));
}

static int rs_put(void *o, const char *k, size_t kl, const void *v, size_t vl)
{
	return recmap_stage(map_of(o), 0, k, kl, v, vl);
}

static int rs_del(void *o, const char *k, size_t kl)
{
	return recmap_stage(map_of(o), 1, k, kl, NULL, 0);
}

static int rs_rollback(void *o)
{
	recmap_discard(map_of(o));
	return 0;
}

static const char *rs_errmsg(void *o)
{
	return map_of(o)->msg;
}

int recstore_init(struct recstore *rs, int (*commit)(void *opaque))
{
	if (recmap_init(&rs->map)) return AVNM_E_NO_MEMORY;
	avnm_storage init = AVNM_STORAGE_INIT;
	rs->st = init;
	rs->st.opaque = rs;
	rs->st.load = rs_load;
	rs->st.begin = rs_begin;
	rs->st.put = rs_put;
	rs->st.del = rs_del;
	rs->st.commit = commit;
	rs->st.rollback = rs_rollback;
	rs->st.errmsg = rs_errmsg;
	return 0;
}

/* The memory backend: the map alone; committing only applies what was staged. */
static int ms_commit(void *o)
{
	recmap_apply(map_of(o));
	return 0;
}

int avnm_memstore_new(avnm_storage **out)
{
	if (!out) return AVNM_E_INVALID_ARGUMENT;
	*out = NULL;
	struct recstore *rs = calloc(1, sizeof *rs);
	if (!rs) return AVNM_E_NO_MEMORY;
	if (recstore_init(rs, ms_commit)) {
		free(rs);
		return AVNM_E_NO_MEMORY;
	}
	*out = &rs->st;
	return AVNM_OK;
}

void avnm_memstore_free(avnm_storage *store)
{
	if (!store) return;
	struct recstore *rs = store->opaque;
	recmap_fini(&rs->map);
	free(rs);
}
