/* Records: the world as (key, value) pairs for storage backends and the dump
 * (docs/storage-format.md). One description per record kind drives three uses:
 * the binary value, the readable dump, and the loader's field order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define FORMAT_VERSION 1
#define KEY_MAX 4096

/* ---- writing ----------------------------------------------------------------------- */

struct rw {
	struct buf *b;
	int text;
};

static void w_uint(struct rw *w, const char *name, uint64_t v)
{
	if (w->text) buf_printf(w->b, " %s=%llu", name, (unsigned long long)v);
	else buf_varint(w->b, v);
}

static void w_str(struct rw *w, const char *name, const char *s)
{
	if (!s) s = "";
	if (!w->text) {
		size_t n = strlen(s);
		buf_varint(w->b, n);
		buf_putn(w->b, s, n);
		return;
	}
	buf_printf(w->b, " %s=\"", name);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') buf_printf(w->b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f) buf_printf(w->b, "\\x%02x", *p);
		else buf_putn(w->b, (const char *)p, 1);
	}
	buf_puts(w->b, "\"");
}

static void w_begin(struct rw *w, enum rec_kind kind)
{
	if (w->text) return;
	char hdr[2] = { (char)FORMAT_VERSION, (char)kind };
	buf_putn(w->b, hdr, 2);
}

static void w_items(struct rw *w, struct node *const *items, size_t n)
{
	w_uint(w, "items", n);
	for (size_t i = 0; i < n; i++) w_str(w, "item", items[i]->key);
}

static void w_detail(struct rw *w, const struct detail *d)
{
	w_uint(w, "conflicts", d ? d->n : 0);
	for (size_t i = 0; d && i < d->n; i++) {
		w_str(w, "item", d->e[i].item);
		w_str(w, "manager", d->e[i].manager);
		w_uint(w, "shared", d->e[i].shared);
	}
}

static const char *mg_id_of(const struct node *n)
{
	return strrchr(n->display, '/') + 1;
}

static const char *mg_key_of(const struct node *n)
{
	return strrchr(n->key, '/') + 1;
}

/* The record of one object: key into k, fields through w. */
static void record(struct buf *k, struct rw *w, enum rec_kind kind, const void *obj)
{
	buf_printf(k, "%c ", (char)kind);
	w_begin(w, kind);
	switch (kind) {
	case REC_TENANT: {
		const struct tenant *t = obj;
		buf_puts(k, t->id);
		w_uint(w, "named", t->name != NULL);
		w_str(w, "name", t->name);
		break;
	}
	case REC_NODE: {
		const struct node *n = obj;
		buf_puts(k, n->hkey);
		w_uint(w, "kind", (uint64_t)n->kind);
		w_str(w, "tenant", n->tenant->id);
		w_str(w, "id", n->kind == NODE_MG ? mg_id_of(n) : n->key + strlen("/subscriptions/"));
		w_str(w, "parent", mg_key_of(n->parent));
		break;
	}
	case REC_VNET: {
		const struct vnet *v = obj;
		char disp[ID_MAX + 2];
		buf_puts(k, v->key);
		w_str(w, "id", vnet_display(v, disp));
		w_uint(w, "has_region", v->region != NULL);
		w_str(w, "region", v->region);
		w_uint(w, "tags", v->ntags);
		for (size_t i = 0; i < v->ntags; i++) {
			w_str(w, "key", v->tags[i].key);
			w_str(w, "value", v->tags[i].value);
		}
		break;
	}
	case REC_MANAGER: {
		const struct manager *m = obj;
		buf_puts(k, m->key);
		w_str(w, "id", m->display);
		w_uint(w, "accesses", m->accesses);
		w_items(w, m->scope, m->nscope);
		break;
	}
	case REC_SCONN: {
		const struct sconn *s = obj;
		buf_printf(k, "%s|%s", s->mgr->key, s->hkey);
		w_str(w, "name", s->name);
		w_str(w, "tenant", s->tenant->id);
		w_items(w, s->items, s->nitems);
		w_uint(w, "state", s->state);
		w_uint(w, "reason", s->reason);
		w_uint(w, "rejected", (uint64_t)s->rejected);
		w_uint(w, "holds", (uint64_t)s->holds);
		w_detail(w, s->detail);
		break;
	}
	case REC_HCONN: {
		const struct hconn *h = obj;
		buf_puts(k, h->hkey);
		w_str(w, "name", h->name);
		w_str(w, "manager", h->mgr_display);
		w_items(w, h->items, h->nitems);
		w_uint(w, "state", h->state);
		w_uint(w, "reason", h->reason);
		w_detail(w, h->detail);
		break;
	}
	case REC_GROUP: {
		const struct group *g = obj;
		buf_printf(k, "%s|%s", g->mgr->key, g->hkey);
		w_str(w, "name", g->name);
		w_uint(w, "type", (uint64_t)g->type);
		w_uint(w, "conditions", g->nconds);
		for (size_t i = 0; i < g->nconds; i++) {
			w_uint(w, "tags", g->conds[i]->ntags);
			for (size_t j = 0; j < g->conds[i]->ntags; j++) {
				w_str(w, "key", g->conds[i]->keys[j]);
				w_str(w, "value", g->conds[i]->values[j]);
			}
		}
		break;
	}
	case REC_MEMBER: {
		const struct member *mb = obj;
		buf_printf(k, "%s|%s|%s", mb->group->mgr->key, mb->group->hkey, mb->key);
		w_str(w, "id", mb->display);
		break;
	}
	case REC_PRINCIPAL: {
		const struct principal *p = obj;
		buf_puts(k, p->hkey);
		w_str(w, "name", p->name);
		w_str(w, "home", p->home->id);
		w_uint(w, "guests", p->nguests);
		for (size_t i = 0; i < p->nguests; i++) w_str(w, "tenant", p->guests[i]->id);
		break;
	}
	case REC_ROLE: {
		const struct assignment *a = obj;
		buf_printf(k, "%s|%d|%s", a->who->hkey, (int)a->role, a->hkey);
		w_str(w, "principal", a->who->hkey);
		w_uint(w, "role", (uint64_t)a->role);
		w_str(w, "scope", a->display);
		w_str(w, "tenant", a->tenant->id);
		break;
	}
	}
}

/* Is obj still in the world (rather than deleted by the change in progress)? */
static int live(avnm_ctx *ctx, enum rec_kind kind, const void *obj)
{
	const struct hnode *h = NULL;
	const struct hnode *self = NULL;
	switch (kind) {
	case REC_TENANT: self = &((const struct tenant *)obj)->h; h = htab_find(&ctx->tenants, self->key, self->klen); break;
	case REC_NODE: self = &((const struct node *)obj)->h; h = htab_find(&ctx->nodes, self->key, self->klen); break;
	case REC_VNET: self = &((const struct vnet *)obj)->h; h = htab_find(&ctx->vnets, self->key, self->klen); break;
	case REC_MANAGER: self = &((const struct manager *)obj)->h; h = htab_find(&ctx->managers, self->key, self->klen); break;
	case REC_SCONN: {
		const struct sconn *s = obj;
		if (!live(ctx, REC_MANAGER, s->mgr)) return 0;
		self = &s->h;
		h = htab_find(&s->mgr->sconns, self->key, self->klen);
		break;
	}
	case REC_HCONN: self = &((const struct hconn *)obj)->h; h = htab_find(&ctx->hubs, self->key, self->klen); break;
	case REC_GROUP: {
		const struct group *g = obj;
		if (!live(ctx, REC_MANAGER, g->mgr)) return 0;
		self = &g->h;
		h = htab_find(&g->mgr->groups, self->key, self->klen);
		break;
	}
	case REC_MEMBER: {
		const struct member *mb = obj;
		if (!live(ctx, REC_GROUP, mb->group)) return 0;
		self = &mb->h;
		h = htab_find(&mb->group->members, self->key, self->klen);
		break;
	}
	case REC_PRINCIPAL: self = &((const struct principal *)obj)->h; h = htab_find(&ctx->principals, self->key, self->klen); break;
	case REC_ROLE: {
		/* several assignments share a scope key: look for this one */
		self = &((const struct assignment *)obj)->h;
		for (h = htab_find(&ctx->roles, self->key, self->klen); h && h != self; h = htab_find_next(h)) {}
		break;
	}
	}
	return h == self;
}

static const char *backend_msg(avnm_ctx *ctx)
{
	const char *m = ctx->storage->errmsg ? ctx->storage->errmsg(ctx->storage->opaque) : NULL;
	return m ? m : "no message from the backend";
}

static int storage_fail(avnm_ctx *ctx, int rc, const char *what)
{
	if (rc >= 0 || !avnm_strerror(rc) || strcmp(avnm_error_name(rc), "unknown") == 0) rc = AVNM_E_STORAGE;
	return set_error(ctx, rc, "storage %s failed: %s", what, backend_msg(ctx));
}

int storage_flush(avnm_ctx *ctx)
{
	const avnm_storage *st = ctx->storage;
	int rc = st->begin(st->opaque);
	if (rc) return storage_fail(ctx, rc, "begin");
	struct buf k, v;
	buf_init(&k, &ctx->mem);
	buf_init(&v, &ctx->mem);
	for (size_t i = 0; rc == 0 && i < ctx->nmarks; i++) {
		const struct mark *mk = &ctx->marks[i];
		struct rw w = { &v, 0 };
		k.len = v.len = 0;
		record(&k, &w, mk->kind, mk->obj);
		if (k.failed || v.failed) {
			rc = set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
			break;
		}
		if (live(ctx, mk->kind, mk->obj)) {
			rc = st->put(st->opaque, k.p, k.len, v.p, v.len);
			if (rc) rc = storage_fail(ctx, rc, "put");
		} else {
			rc = st->del(st->opaque, k.p, k.len);
			if (rc) rc = storage_fail(ctx, rc, "delete");
		}
	}
	buf_fini(&k);
	buf_fini(&v);
	if (rc == 0) {
		rc = st->commit(st->opaque);
		if (rc) rc = storage_fail(ctx, rc, "commit");
		return rc;
	}
	if (st->rollback) st->rollback(st->opaque);
	return rc;
}

/* ---- the dump -------------------------------------------------------------------------- */

struct lines {
	avnm_ctx *ctx;
	char **v;
	size_t n, cap;
	int failed;
};

static void dump_one(struct lines *l, enum rec_kind kind, const void *obj)
{
	if (l->failed) return;
	struct buf b;
	buf_init(&b, &l->ctx->mem);
	struct rw w = { &b, 1 };
	record(&b, &w, kind, obj);
	if (b.failed || !b.p) {
		buf_fini(&b);
		l->failed = 1;
		return;
	}
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		char **p = mem_alloc(&l->ctx->mem, nc * sizeof *p);
		if (!p) {
			buf_fini(&b);
			l->failed = 1;
			return;
		}
		if (l->v) memcpy(p, l->v, l->n * sizeof *p);
		mem_free(&l->ctx->mem, l->v);
		l->v = p;
		l->cap = nc;
	}
	l->v[l->n++] = b.p;
}

static void dump_table(struct lines *l, const struct htab *t, enum rec_kind kind, size_t off)
{
	size_t pos = 0;
	struct hnode *e = NULL;
	while ((e = htab_iter(t, &pos, e)) != NULL) {
		const void *obj = (const char *)e - off;
		if (kind == REC_NODE && !((const struct node *)obj)->parent) continue;
		dump_one(l, kind, obj);
		if (kind == REC_MANAGER) {
			const struct manager *m = obj;
			dump_table(l, &m->sconns, REC_SCONN, offsetof(struct sconn, h));
			dump_table(l, &m->groups, REC_GROUP, offsetof(struct group, h));
		} else if (kind == REC_GROUP) {
			dump_table(l, &((const struct group *)obj)->members, REC_MEMBER, offsetof(struct member, h));
		}
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int dump(char **out, size_t *len, avnm_ctx *ctx)
{
	struct lines l = { ctx, NULL, 0, 0, 0 };
	dump_table(&l, &ctx->tenants, REC_TENANT, offsetof(struct tenant, h));
	dump_table(&l, &ctx->nodes, REC_NODE, offsetof(struct node, h));
	dump_table(&l, &ctx->vnets, REC_VNET, offsetof(struct vnet, h));
	dump_table(&l, &ctx->managers, REC_MANAGER, offsetof(struct manager, h));
	dump_table(&l, &ctx->hubs, REC_HCONN, offsetof(struct hconn, h));
	dump_table(&l, &ctx->principals, REC_PRINCIPAL, offsetof(struct principal, h));
	dump_table(&l, &ctx->roles, REC_ROLE, offsetof(struct assignment, h));
	struct buf b;
	buf_init(&b, &ctx->mem);
	if (!l.failed) {
		if (l.n > 1) qsort(l.v, l.n, sizeof *l.v, cmp_str);
		for (size_t i = 0; i < l.n; i++) {
			buf_puts(&b, l.v[i]);
			buf_puts(&b, "\n");
		}
		if (!b.p) buf_puts(&b, "");
	}
	for (size_t i = 0; i < l.n; i++) mem_free(&ctx->mem, l.v[i]);
	mem_free(&ctx->mem, l.v);
	if (l.failed || b.failed) {
		buf_fini(&b);
		return set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
	}
	*out = b.p;
	if (len) *len = b.len;
	return 0;
}

int avnm_ctx_dump(char **out, size_t *len, avnm_ctx *ctx)
{
	if (out) *out = NULL;
	if (len) *len = 0;
	if (!ctx || !out) return AVNM_E_INVALID_ARGUMENT;
	rd_begin(ctx);
	int rc = dump(out, len, ctx);
	rd_end(ctx);
	return rc;
}

void avnm_free(avnm_ctx *ctx, void *ptr)
{
	if (ctx) mem_free(&ctx->mem, ptr);
}

/* ---- loading --------------------------------------------------------------------------- */

struct rec {
	char *key;
	unsigned char *val;
	size_t klen, vlen;
};

struct loader {
	avnm_ctx *ctx;
	struct rec *r;
	size_t n, cap;
	int rc;
};

static int collect(void *cookie, const char *key, size_t klen, const void *val, size_t vlen)
{
	struct loader *L = cookie;
	avnm_ctx *ctx = L->ctx;
	if (!key || (!val && vlen)) return set_error(ctx, AVNM_E_CORRUPT, "a record without key or value");
	if (klen < 3 || klen > KEY_MAX || memchr(key, '\0', klen))
		return set_error(ctx, AVNM_E_CORRUPT, "record key \"%.*s\" is malformed",
		                 (int)(klen > 80 ? 80 : klen), key);
	if (L->n == L->cap) {
		size_t nc = L->cap ? L->cap * 2 : 256;
		struct rec *p = mem_alloc(&ctx->mem, nc * sizeof *p);
		if (!p) return set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
		if (L->r) memcpy(p, L->r, L->n * sizeof *p);
		mem_free(&ctx->mem, L->r);
		L->r = p;
		L->cap = nc;
	}
	struct rec *r = &L->r[L->n];
	r->key = mem_strndup(&ctx->mem, key, klen);
	r->val = mem_alloc(&ctx->mem, vlen ? vlen : 1);
	if (!r->key || !r->val) {
		mem_free(&ctx->mem, r->key);
		mem_free(&ctx->mem, r->val);
		return set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
	}
	if (vlen) memcpy(r->val, val, vlen);
	r->klen = klen;
	r->vlen = vlen;
	L->n++;
	return 0;
}

/* A bounds-checked reader over one value; strings are copied into a scratch list
 * freed after the record. Any fault latches `bad`. */
struct rd {
	avnm_ctx *ctx;
	const unsigned char *p, *end;
	int bad;
	char *scratch[160];  /* a vnet record: id, region and 50 tags */
	size_t nscratch;
};

/* Mark the record undecodable, unless it already failed for want of memory: that must
 * stay no-memory, not turn into corrupt. */
static void r_fail(struct rd *r)
{
	if (!r->bad) r->bad = 1;
}

static uint64_t r_uint(struct rd *r)
{
	uint64_t v = 0;
	if (get_varint(&r->p, r->end, &v)) r_fail(r);
	return v;
}

static const char *r_str(struct rd *r)
{
	uint64_t n = r_uint(r);
	if (r->bad || n > (uint64_t)(r->end - r->p) || n > KEY_MAX || r->nscratch == sizeof r->scratch / sizeof r->scratch[0]) {
		r_fail(r);
		return "";
	}
	if (memchr(r->p, '\0', (size_t)n)) {
		r_fail(r);
		return "";
	}
	char *s = mem_strndup(&r->ctx->mem, (const char *)r->p, (size_t)n);
	if (!s) {
		r->bad = 2;
		return "";
	}
	r->p += n;
	r->scratch[r->nscratch++] = s;
	return s;
}

/* Free the strings read since mark (list loops keep what came before them). */
static void rd_release(struct rd *r, size_t mark)
{
	while (r->nscratch > mark) mem_free(&r->ctx->mem, r->scratch[--r->nscratch]);
}

static void rd_done(struct rd *r)
{
	rd_release(r, 0);
}

static int corrupt(avnm_ctx *ctx, const struct rec *rec, const char *why)
{
	return set_error(ctx, AVNM_E_CORRUPT, "stored record \"%s\" is corrupt: %s", rec->key, why);
}

/* Scope items of tenant t from their canonical keys, sorted and unique. */
/* keep: the array is the object's (a manager's scope); else it is the record's scratch,
 * freed with its strings (a connection copies its items). */
static int r_items(struct rd *r, struct tenant *t, struct node ***out, size_t *n, int keep)
{
	avnm_ctx *ctx = r->ctx;
	uint64_t cnt = r_uint(r);
	*out = NULL;
	*n = 0;
	if (r->bad || cnt > 1000) return r_fail(r), 0;
	if (!cnt) return 0;
	if (!keep && r->nscratch == sizeof r->scratch / sizeof r->scratch[0]) return r_fail(r), 0;
	struct node **arr = keep ? tx_alloc(ctx, (size_t)cnt * sizeof *arr)
	                         : mem_alloc(&ctx->mem, (size_t)cnt * sizeof *arr);
	if (!arr) return r->bad = 2, 0;
	if (!keep) r->scratch[r->nscratch++] = (char *)arr;
	size_t mark = r->nscratch;
	for (size_t i = 0; i < cnt; i++) {
		const char *k = r_str(r);
		struct idparts p;
		if (r->bad || id_parse(&p, k, NULL, 0) || strcmp(p.key, k) != 0 ||
		    (p.kind != IDK_SUBSCRIPTION && p.kind != IDK_MANAGEMENT_GROUP))
			return r_fail(r), 0;
		arr[i] = node_of_item(ctx, t, k, p.kind == IDK_MANAGEMENT_GROUP);
		if (!arr[i] || arr[i]->tenant != t || (i && strcmp(arr[i - 1]->key, k) >= 0))
			return r_fail(r), 0;
		rd_release(r, mark);
	}
	*out = arr;
	*n = (size_t)cnt;
	return 0;
}

static struct detail *r_detail(struct rd *r)
{
	uint64_t n = r_uint(r);
	if (r->bad || n > 1000) {
		r_fail(r);
		return NULL;
	}
	if (!n) return NULL;
	/* Two passes over the entries: their sizes, then the one block they are copied to. */
	const unsigned char *start = r->p;
	size_t mark = r->nscratch, bytes = 0;
	struct detail *d = NULL;
	for (int pass = 0; pass < 2 && !r->bad; pass++) {
		r->p = start;
		if (pass == 1 && !(d = detail_alloc(&r->ctx->mem, (size_t)n, bytes))) r->bad = 2;
		for (size_t i = 0; i < n && !r->bad; i++) {
			const char *item = r_str(r), *mgr = r_str(r);
			uint64_t shared = r_uint(r);
			if (shared & ~(uint64_t)AVNM_ACCESS_ALL) r_fail(r);
			if (r->bad) break;
			if (pass == 0) bytes += strlen(item) + strlen(mgr) + 2;
			else detail_put(d, i, item, mgr, (unsigned)shared);
			rd_release(r, mark);
		}
	}
	rd_release(r, mark);
	if (r->bad) {
		detail_free(&r->ctx->mem, d);
		return NULL;
	}
	return d;
}

static int state_ok(uint64_t st, uint64_t reason)
{
	if (st < AVNM_STATE_PENDING || st > AVNM_STATE_REJECTED) return 0;
	switch (reason) {
	case AVNM_REASON_CONNECTED: case AVNM_REASON_CONNECTED_IMPLIED: return st == AVNM_STATE_CONNECTED;
	case AVNM_REASON_PENDING_NO_COUNTERPART: case AVNM_REASON_PENDING_NO_MANAGER:
	case AVNM_REASON_PENDING_REJECTED: return st == AVNM_STATE_PENDING;
	case AVNM_REASON_CONFLICT: return st == AVNM_STATE_CONFLICT;
	case AVNM_REASON_REVOKED: case AVNM_REASON_REVOKED_IMPLIED_LAPSED: return st == AVNM_STATE_REVOKED;
	case AVNM_REASON_REJECTED: return st == AVNM_STATE_REJECTED;
	default: return 0;
	}
}

/* Split "a|b" keys: the part before the last '|' (from), into buf. */
static const char *key_head(const char *k, char *buf, size_t size)
{
	const char *bar = strrchr(k, '|');
	size_t n = bar ? (size_t)(bar - k) : 0;
	if (!bar || n >= size) return NULL;
	memcpy(buf, k, n);
	buf[n] = '\0';
	return buf;
}

/* What was rebuilt must encode to exactly the stored key and value: this checks the
 * key against the object, canonical forms, and that no byte was left unread. */
static int round_trip(avnm_ctx *ctx, const struct rec *rec, enum rec_kind kind, const void *obj)
{
	struct buf k, v;
	buf_init(&k, &ctx->mem);
	buf_init(&v, &ctx->mem);
	struct rw w = { &v, 0 };
	record(&k, &w, kind, obj);
	int rc = 0;
	if (k.failed || v.failed) rc = set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
	else if (k.len != rec->klen || memcmp(k.p, rec->key, k.len) != 0)
		rc = corrupt(ctx, rec, "its key does not name the object its value describes");
	else if (v.len != rec->vlen || memcmp(v.p, rec->val, v.len) != 0)
		rc = corrupt(ctx, rec, "its value is not in canonical form (or has trailing bytes)");
	buf_fini(&k);
	buf_fini(&v);
	return rc;
}

static int load_one(avnm_ctx *ctx, const struct rec *rec, int *deferred)
{
	struct rd r = { ctx, rec->val, rec->val + rec->vlen, 0, { 0 }, 0 };
	enum rec_kind kind = (enum rec_kind)rec->key[0];
	const char *body = rec->key + 2;
	char head[KEY_MAX + 1];
	int rc = 0;
	if (rec->vlen < 2 || rec->val[0] != FORMAT_VERSION || rec->val[1] != (unsigned char)kind)
		return corrupt(ctx, rec, "unknown format version or kind");
	r.p += 2;
	const void *made = NULL;
	switch (kind) {
	case REC_TENANT: {
		uint64_t named = r_uint(&r);
		const char *name = r_str(&r);
		char g[GUID_LEN + 1];
		if (r.bad || guid_parse(g, body, NULL, 0) || strcmp(g, body) || named > 1 || strlen(name) > 256)
			break;
		if (tenant_find(ctx, g)) return rd_done(&r), corrupt(ctx, rec, "duplicate tenant");
		struct tenant *t;
		rc = tenant_link(ctx, &t, g, named ? name : NULL);
		made = t;
		break;
	}
	case REC_NODE: {
		uint64_t nk = r_uint(&r);
		const char *tid = r_str(&r), *id = r_str(&r), *parent = r_str(&r);
		struct tenant *t = r.bad ? NULL : tenant_find(ctx, tid);
		if (!t) break;
		struct node *p = node_find_mg(ctx, t, parent);
		if (!p) {
			*deferred = 1; /* its parent comes later: try again in the next round */
			rd_done(&r);
			return 0;
		}
		struct node *n = NULL;
		char g[GUID_LEN + 1];
		if (nk == NODE_MG) {
			char key[MG_NAME_MAX + 1], disp[MG_NAME_MAX + 1];
			if (mg_ref_parse(key, disp, id, NULL, 0) || strcmp(disp, id)) break;
			if (node_find_mg(ctx, t, key)) break;
			if (p->depth + 1 > 64) break;
			rc = mg_link(ctx, &n, t, key, disp, p);
		} else if (nk == NODE_SUB) {
			if (guid_parse(g, id, NULL, 0) || strcmp(g, id) || node_find_sub(ctx, g)) break;
			rc = sub_link(ctx, &n, t, g, p);
		} else {
			break;
		}
		made = n;
		break;
	}
	case REC_VNET: {
		const char *id = r_str(&r);
		uint64_t has_region = r_uint(&r);
		const char *region = r_str(&r);
		uint64_t nt = r_uint(&r);
		if (r.bad || nt > 50 || has_region > 1) break;
		avnm_tag tags[50];
		for (size_t i = 0; i < nt; i++) {
			tags[i].key = r_str(&r);
			tags[i].value = r_str(&r);
		}
		struct idparts p;
		if (r.bad || id_parse(&p, id, NULL, 0) || p.kind != IDK_VNET || strcmp(p.key, body)) break;
		struct node *sub = node_find_sub(ctx, p.sub);
		uint64_t hash = hash_bytes(p.key, p.len);
		if (!sub || htab_find_hashed(&ctx->vnets, p.key, p.len, hash) ||
		    tags_valid(ctx, tags, (size_t)nt))
			break;
		struct vnet *v;
		rc = vnet_link(ctx, &v, &p, hash, sub, has_region ? region : NULL, tags, (size_t)nt);
		made = v;
		break;
	}
	case REC_MANAGER: {
		const char *id = r_str(&r);
		uint64_t acc = r_uint(&r);
		struct idparts p;
		if (r.bad || id_parse(&p, id, NULL, 0) || p.kind != IDK_MANAGER || strcmp(p.key, body) ||
		    (acc & ~(uint64_t)AVNM_ACCESS_ALL) || manager_find(ctx, p.key))
			break;
		struct node *sub = node_find_sub(ctx, p.sub);
		if (!sub) break;
		struct node **items;
		size_t n;
		r_items(&r, sub->tenant, &items, &n, 1);
		if (r.bad) break;
		struct manager *m;
		rc = manager_link(ctx, &m, &p, sub, (unsigned)acc, items, n);
		made = m;
		break;
	}
	case REC_SCONN: {
		const char *name = r_str(&r), *tid = r_str(&r);
		struct manager *m = key_head(body, head, sizeof head) ? manager_find(ctx, head) : NULL;
		struct tenant *t = r.bad ? NULL : tenant_find(ctx, tid);
		if (!m || !t || !name_valid_resource(name, strlen(name)) || sconn_find(m, name)) break;
		struct node **items;
		size_t n;
		r_items(&r, t, &items, &n, 0);
		uint64_t st = r_uint(&r), reason = r_uint(&r), rejected = r_uint(&r), holds = r_uint(&r);
		if (r.bad || !n || !state_ok(st, reason) || rejected > 1 || holds > 1 ||
		    (holds && reason != AVNM_REASON_CONNECTED) || (rejected && st != AVNM_STATE_REJECTED))
			break;
		struct detail *d = r_detail(&r);
		if (r.bad) break;
		struct sconn *s = NULL;
		rc = sconn_link(ctx, &s, m, name, t, items, n);
		if (rc == AVNM_E_EXISTS) { /* a second record of one pair */
			r_fail(&r);
			rc = 0;
		}
		if (!rc && s) rc = sconn_restore(ctx, s, (avnm_state)st, (avnm_reason_code)reason,
		                                 (int)rejected, (int)holds, d);
		else detail_free(&ctx->mem, d);
		made = s;
		break;
	}
	case REC_HCONN: {
		const char *name = r_str(&r), *mid = r_str(&r);
		char g[GUID_LEN + 1];
		const char *slash = strchr(body, '/');
		struct idparts mp;
		if (r.bad || !slash || (size_t)(slash - body) != GUID_LEN) break;
		memcpy(g, body, GUID_LEN);
		g[GUID_LEN] = '\0';
		struct tenant *t = tenant_find(ctx, g);
		if (!t || !name_valid_resource(name, strlen(name)) || hub_find(ctx, t, name) ||
		    id_parse(&mp, mid, NULL, 0) || mp.kind != IDK_MANAGER)
			break;
		struct node **items;
		size_t n;
		r_items(&r, t, &items, &n, 0);
		uint64_t st = r_uint(&r), reason = r_uint(&r);
		if (r.bad || !n || !state_ok(st, reason) || st == AVNM_STATE_REJECTED) break;
		struct detail *d = r_detail(&r);
		if (r.bad) break;
		struct hconn *h = NULL;
		rc = hconn_link(ctx, &h, t, name, &mp, items, n);
		if (rc == AVNM_E_EXISTS) { /* a second record of one pair */
			r_fail(&r);
			rc = 0;
		}
		if (!rc && h) rc = hconn_restore(ctx, h, (avnm_state)st, (avnm_reason_code)reason, d);
		else detail_free(&ctx->mem, d);
		made = h;
		break;
	}
	case REC_GROUP: {
		const char *name = r_str(&r);
		uint64_t type = r_uint(&r), nc = r_uint(&r);
		struct manager *m = key_head(body, head, sizeof head) ? manager_find(ctx, head) : NULL;
		if (r.bad || !m || !name_valid_resource(name, strlen(name)) || group_find(m, name) ||
		    (type != AVNM_MEMBER_VIRTUAL_NETWORK && type != AVNM_MEMBER_SUBNET) || nc > 100 ||
		    (nc && type != AVNM_MEMBER_VIRTUAL_NETWORK))
			break;
		struct group *g;
		rc = group_link(ctx, &g, m, name, (avnm_member_type)type);
		size_t mark = r.nscratch;
		for (size_t i = 0; !rc && !r.bad && i < nc; i++) {
			uint64_t nt = r_uint(&r);
			avnm_tag tags[50];
			if (r.bad || !nt || nt > 50) {
				r_fail(&r);
				break;
			}
			for (size_t j = 0; j < nt; j++) {
				tags[j].key = r_str(&r);
				tags[j].value = r_str(&r);
			}
			if (r.bad || tags_valid(ctx, tags, (size_t)nt)) r_fail(&r);
			else rc = cond_link(ctx, g, tags, (size_t)nt);
			rd_release(&r, mark);
		}
		made = g;
		break;
	}
	case REC_MEMBER: {
		const char *id = r_str(&r);
		struct idparts p;
		if (r.bad || id_parse(&p, id, NULL, 0) || (p.kind != IDK_VNET && p.kind != IDK_SUBNET)) break;
		/* key: <manager>|<group>|<member>; the member id holds no '|' */
		size_t bl = strlen(body);
		if (bl <= p.len + 1 || strcmp(body + bl - p.len, p.key) || body[bl - p.len - 1] != '|') break;
		char mk[KEY_MAX + 1];
		memcpy(mk, body, bl - p.len - 1);
		mk[bl - p.len - 1] = '\0';
		const char *gname = strrchr(mk, '|');
		if (!gname) break;
		mk[gname - mk] = '\0';
		struct manager *m = manager_find(ctx, mk);
		struct group *g = m ? group_find(m, gname + 1) : NULL;
		size_t vlen = p.kind == IDK_SUBNET ? p.name.off + p.name.len : p.len;
		struct hnode *vh = htab_find(&ctx->vnets, p.key, vlen);
		avnm_member_type want = p.kind == IDK_SUBNET ? AVNM_MEMBER_SUBNET : AVNM_MEMBER_VIRTUAL_NETWORK;
		if (!g || !vh || g->type != want || htab_find(&g->members, p.key, p.len)) break;
		rc = member_link(ctx, g, &p, CONTAINER(vh, struct vnet, h));
		if (!rc) made = CONTAINER(htab_find(&g->members, p.key, p.len), struct member, h);
		break;
	}
	case REC_PRINCIPAL: {
		const char *name = r_str(&r), *home = r_str(&r);
		uint64_t ng = r_uint(&r);
		struct tenant *t = r.bad ? NULL : tenant_find(ctx, home);
		if (!t || !name_valid_principal(name, strlen(name)) || principal_find(ctx, name) ||
		    ng > MAX_GUESTS)
			break;
		struct principal *p;
		rc = principal_link(ctx, &p, name, t);
		size_t mark = r.nscratch;
		for (size_t i = 0; !rc && !r.bad && i < ng; i++) {
			struct tenant *gt = tenant_find(ctx, r_str(&r));
			if (!gt || gt == p->home) r_fail(&r);
			for (size_t j = 0; gt && j < p->nguests; j++)
				if (p->guests[j] == gt) r_fail(&r);
			if (!r.bad) rc = guest_link(ctx, p, gt);
			rd_release(&r, mark);
		}
		made = p;
		break;
	}
	case REC_ROLE: {
		const char *who = r_str(&r);
		uint64_t role = r_uint(&r);
		const char *scope = r_str(&r), *tid = r_str(&r);
		struct principal *p = r.bad ? NULL : principal_find(ctx, who);
		struct tenant *t = r.bad ? NULL : tenant_find(ctx, tid);
		struct idparts ip;
		struct node *node = NULL;
		if (!p || !t || !avnm_role_name((avnm_role)role) ||
		    resolve_resource(ctx, &ip, &node, scope, t->id) || !node || node->tenant != t)
			break;
		const char *key = ip.kind == IDK_MANAGEMENT_GROUP || ip.kind == IDK_SUBSCRIPTION
		                      ? (node->kind == NODE_MG ? node->hkey : node->key) : ip.key;
		for (struct hnode *h = htab_find(&ctx->roles, key, strlen(key)); h; h = htab_find_next(h)) {
			const struct assignment *a = CONTAINER(h, const struct assignment, h);
			if (a->who == p && a->role == (avnm_role)role) r_fail(&r);
		}
		if (r.bad) break;
		rc = role_link(ctx, p, (avnm_role)role, key, scope, t);
		/* the newest assignment stands first in its chain */
		if (!rc) made = CONTAINER(htab_find(&ctx->roles, key, strlen(key)), struct assignment, h);
		break;
	}
	default:
		rd_done(&r);
		return corrupt(ctx, rec, "unknown record kind");
	}
	int bad = r.bad;
	rd_done(&r);
	if (rc) return rc;
	if (bad == 2) return set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
	if (bad || !made) return corrupt(ctx, rec, "its fields do not decode or do not fit the world");
	return round_trip(ctx, rec, kind, made);
}

static int phase_of(char kind)
{
	static const char order[] = { REC_TENANT, REC_NODE, REC_VNET, REC_PRINCIPAL, REC_ROLE,
		                          REC_MANAGER, REC_SCONN, REC_HCONN, REC_GROUP, REC_MEMBER };
	for (int i = 0; i < (int)sizeof order; i++)
		if (order[i] == kind) return i;
	return -1;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	int px = phase_of(x->key[0]), py = phase_of(y->key[0]);
	if (px != py) return px < py ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int load_all(avnm_ctx *ctx, struct loader *L)
{
	for (size_t i = 0; i < L->n; i++)
		if (phase_of(L->r[i].key[0]) < 0 || L->r[i].key[1] != ' ')
			return corrupt(ctx, &L->r[i], "unknown record kind");
	if (L->n > 1) qsort(L->r, L->n, sizeof *L->r, cmp_rec);
	/* Hierarchy records wait for their parent: rounds until none is left. */
	size_t i = 0;
	while (i < L->n && L->r[i].key[0] == REC_TENANT) TRY(load_one(ctx, &L->r[i++], NULL));
	size_t first = i, last = i;
	while (last < L->n && L->r[last].key[0] == REC_NODE) last++;
	unsigned char *done = mem_alloc(&ctx->mem, last - first + 1);
	TRY_MEM(ctx, done);
	size_t left = last - first;
	int rc = 0;
	while (left && rc == 0) {
		size_t progress = 0;
		for (size_t j = first; j < last && rc == 0; j++) {
			if (done[j - first]) continue;
			int deferred = 0;
			rc = load_one(ctx, &L->r[j], &deferred);
			if (!rc && !deferred) {
				done[j - first] = 1;
				progress++;
				left--;
			}
		}
		if (!progress && left && rc == 0)
			for (size_t j = first; j < last; j++)
				if (!done[j - first]) {
					rc = corrupt(ctx, &L->r[j], "its parent management group does not exist");
					break;
				}
	}
	mem_free(&ctx->mem, done);
	TRY(rc);
	for (i = last; i < L->n; i++) {
		int deferred = 0;
		TRY(load_one(ctx, &L->r[i], &deferred));
	}
	return 0;
}

/* Records that decode one by one can still describe a world the rules never make: a
 * Connected connection without its counterpart (a manager managing a tenant without its
 * consent), or two managers sharing an access holding one item (R3.3). */
static int verify_world(avnm_ctx *ctx)
{
	size_t pos = 0;
	struct hnode *e = NULL;
	while ((e = htab_iter(&ctx->managers, &pos, e)) != NULL) {
		const struct manager *m = CONTAINER(e, const struct manager, h);
		size_t p2 = 0;
		struct hnode *x = NULL;
		while ((x = htab_iter(&m->sconns, &p2, x)) != NULL) {
			const struct sconn *s = CONTAINER(x, const struct sconn, h);
			unsigned bad;
			TRY(pair_consistent(ctx, &s->h_pair, &bad));
			if (bad & PAIR_BAD_SCOPE)
				return set_error(ctx, AVNM_E_CORRUPT, "stored record \"C %s|%s\" is corrupt: its "
				                 "state or reason does not follow from the stored world (R4.4)", m->key, s->hkey);
		}
	}
	pos = 0;
	while ((e = htab_iter(&ctx->hubs, &pos, e)) != NULL) {
		const struct hconn *h = CONTAINER(e, const struct hconn, h);
		unsigned bad;
		TRY(pair_consistent(ctx, &h->h_pair, &bad));
		if (bad & PAIR_BAD_HUB)
			return set_error(ctx, AVNM_E_CORRUPT, "stored record \"H %s\" is corrupt: its state "
			                 "or reason does not follow from the stored world (R4.4)", h->hkey);
	}
	pos = 0;
	while ((e = htab_iter(&ctx->nodes, &pos, e)) != NULL) {
		const struct node *n = CONTAINER(e, const struct node, h);
		for (const struct holding *a = n->holders; a; a = a->next)
			for (const struct holding *b = a->next; b; b = b->next)
				if (a->mgr != b->mgr && (a->mgr->accesses & b->mgr->accesses))
					return set_error(ctx, AVNM_E_CORRUPT,
					                 "stored records \"M %s\" and \"M %s\" are corrupt: both hold "
					                 "%s directly with a shared access (R3.3)", a->mgr->key,
					                 b->mgr->key, n->display);
	}
	return 0;
}

int storage_load(avnm_ctx *ctx, const avnm_storage *st)
{
	struct loader L = { ctx, NULL, 0, 0, 0 };
	int rc = st->load(st->opaque, collect, &L);
	if (rc) {
		if (ctx->errcode != rc || !ctx->errmsg[0]) {
			const char *m = st->errmsg ? st->errmsg(st->opaque) : NULL;
			if (rc >= 0 || strcmp(avnm_error_name(rc), "unknown") == 0) rc = AVNM_E_STORAGE;
			set_error(ctx, rc, "storage load failed: %s", m ? m : "no message from the backend");
		}
	} else {
		rc = load_all(ctx, &L);
		if (rc == 0) rc = verify_world(ctx);
	}
	for (size_t i = 0; i < L.n; i++) {
		mem_free(&ctx->mem, L.r[i].key);
		mem_free(&ctx->mem, L.r[i].val);
	}
	mem_free(&ctx->mem, L.r);
	return rc;
}
