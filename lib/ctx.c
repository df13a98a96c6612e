/* The context: options, locking, error messages, and the change log that makes
 * every call all-or-nothing (R7). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

unsigned int avnm_version_number(void)
{
	return AVNM_VERSION_NUMBER;
}

const char *avnm_version_string(void)
{
	return AVNM_VERSION_STRING;
}

int avnm_ctx_new(avnm_ctx **out, const avnm_options *opts)
{
	avnm_options dflt = AVNM_OPTIONS_INIT;
	if (!out) return AVNM_E_INVALID_ARGUMENT;
	*out = NULL;
	if (!opts) opts = &dflt;
	if (opts->version < 1 || opts->version > AVNM_OPTIONS_VERSION) return AVNM_E_INVALID_ARGUMENT;
	if (opts->flags & ~(AVNM_OPT_STRICT_HIERARCHY | AVNM_OPT_CROSS_TENANT_DYNAMIC_MEMBERSHIP))
		return AVNM_E_INVALID_ARGUMENT;
	if (opts->max_mg_depth > MAX_DEPTH_CAP) return AVNM_E_INVALID_ARGUMENT;
	if (opts->allocator && (!opts->allocator->alloc || !opts->allocator->free))
		return AVNM_E_INVALID_ARGUMENT;

	struct mem m = mem_default;
	if (opts->allocator) {
		m.alloc = opts->allocator->alloc;
		m.free = opts->allocator->free;
		m.opaque = opts->allocator->opaque;
	}
	avnm_ctx *ctx = mem_alloc(&m, sizeof *ctx);
	if (!ctx) return AVNM_E_NO_MEMORY;
	ctx->mem = m;
	ctx->flags = opts->flags;
	ctx->max_depth = opts->max_mg_depth ? opts->max_mg_depth : 6;
	ctx->max_mgs = opts->max_mgs_per_tenant ? opts->max_mgs_per_tenant : 10000;
	ctx->next_serial = 1;
	ctx->holdclock = 1;
	struct htab *tabs[] = { &ctx->tenants, &ctx->nodes, &ctx->mg_names, &ctx->vnets, &ctx->tags,
	                        &ctx->managers, &ctx->pairs_s, &ctx->pairs_h, &ctx->hubs,
	                        &ctx->hubs_by_mgr, &ctx->principals, &ctx->roles };
	int ok = 1;
	for (size_t i = 0; i < sizeof tabs / sizeof tabs[0]; i++)
		if (htab_init(tabs[i], &ctx->mem, 64)) ok = 0;
	if (!ok || pthread_rwlock_init(&ctx->lock, NULL) != 0) {
		for (size_t i = 0; i < sizeof tabs / sizeof tabs[0]; i++) htab_fini(tabs[i]);
		mem_free(&m, ctx);
		return AVNM_E_NO_MEMORY;
	}
	if (qcache_init(ctx) || pthread_mutex_init(&ctx->errlock, NULL) != 0) {
		qcache_free(ctx);
		pthread_rwlock_destroy(&ctx->lock);
		for (size_t i = 0; i < sizeof tabs / sizeof tabs[0]; i++) htab_fini(tabs[i]);
		mem_free(&m, ctx);
		return AVNM_E_NO_MEMORY;
	}
	*out = ctx;
	return AVNM_OK;
}

int avnm_ctx_open(avnm_ctx **out, const avnm_options *opts, const avnm_storage *st, char *errbuf,
                  size_t errsize)
{
	if (errbuf && errsize) errbuf[0] = '\0';
	if (!out) return AVNM_E_INVALID_ARGUMENT;
	*out = NULL;
	if (!st || st->version < 1 || st->version > AVNM_STORAGE_VERSION || !st->load || !st->begin ||
	    !st->put || !st->del || !st->commit) {
		if (errbuf && errsize)
			snprintf(errbuf, errsize, "storage backend: unknown version or a required callback is NULL");
		return AVNM_E_INVALID_ARGUMENT;
	}
	avnm_ctx *ctx;
	int rc = avnm_ctx_new(&ctx, opts);
	if (rc) {
		if (errbuf && errsize) snprintf(errbuf, errsize, "options: %s", avnm_strerror(rc));
		return rc;
	}
	tx_begin(ctx);
	rc = tx_end(ctx, storage_load(ctx, st));
	if (rc) {
		if (errbuf && errsize) snprintf(errbuf, errsize, "%s", ctx->errmsg);
		avnm_ctx_free(ctx);
		return rc;
	}
	ctx->storage = st;
	*out = ctx;
	return AVNM_OK;
}

static void free_nodes_of(avnm_ctx *ctx, struct node **arr)
{
	mem_free(&ctx->mem, arr);
}

static void free_detail(avnm_ctx *ctx, struct detail *d)
{
	detail_free(&ctx->mem, d);
}

static void free_group(avnm_ctx *ctx, struct group *g)
{
	const struct mem *m = &ctx->mem;
	for (size_t i = 0; i < g->members.nb; i++) {
		struct hnode *x = g->members.b[i];
		while (x) {
			struct hnode *nx = x->next;
			struct member *mb = CONTAINER(x, struct member, h);
			mem_free(m, mb->key);
			mem_free(m, mb->display);
			mem_free(m, mb);
			x = nx;
		}
	}
	for (size_t i = 0; i < g->eff.nb; i++) {
		struct hnode *x = g->eff.b[i];
		while (x) {
			struct hnode *nx = x->next;
			struct eff *ef = CONTAINER(x, struct eff, h);
			mem_free(m, ef->key);
			mem_free(m, ef->display);
			mem_free(m, ef);
			x = nx;
		}
	}
	htab_fini(&g->members);
	htab_fini(&g->eff);
	for (size_t i = 0; i < g->nconds; i++) {
		struct cond *c = g->conds[i];
		for (size_t j = 0; j < c->ntags; j++) {
			mem_free(m, c->keys[j]);
			mem_free(m, c->values[j]);
		}
		mem_free(m, c->keys);
		mem_free(m, c->values);
		mem_free(m, c);
	}
	mem_free(m, g->conds);
	mem_free(m, g->name);
	mem_free(m, g->hkey);
	mem_free(m, g);
}

/* Visit every node of a table, letting fn free it (fn must not touch the table). */
static void drain(avnm_ctx *ctx, struct htab *t, void (*fn)(avnm_ctx *, struct hnode *))
{
	for (size_t i = 0; i < t->nb; i++) {
		struct hnode *x = t->b[i];
		while (x) {
			struct hnode *nx = x->next;
			fn(ctx, x);
			x = nx;
		}
	}
	htab_fini(t);
}

static void drain_group(avnm_ctx *ctx, struct hnode *h)
{
	free_group(ctx, CONTAINER(h, struct group, h));
}

static void drain_sconn(avnm_ctx *ctx, struct hnode *h)
{
	struct sconn *s = CONTAINER(h, struct sconn, h);
	const struct mem *m = &ctx->mem;
	/* items, name and keys are in its block */
	free_detail(ctx, s->detail);
	mem_free(m, s);
}

static void drain_manager(avnm_ctx *ctx, struct hnode *h)
{
	struct manager *mg = CONTAINER(h, struct manager, h);
	drain(ctx, &mg->sconns, drain_sconn);
	drain(ctx, &mg->groups, drain_group);
	mem_free(&ctx->mem, mg->key);
	mem_free(&ctx->mem, mg->display);
	free_nodes_of(ctx, mg->scope);
	mem_free(&ctx->mem, mg);
}

static void drain_hubset(avnm_ctx *ctx, struct hnode *h)
{
	struct hubset *set = CONTAINER(h, struct hubset, h);
	mem_free(&ctx->mem, set);
}

static void drain_hub(avnm_ctx *ctx, struct hnode *h)
{
	struct hconn *c = CONTAINER(h, struct hconn, h);
	const struct mem *m = &ctx->mem;
	/* items and strings are in its block */
	free_detail(ctx, c->detail);
	mem_free(m, c);
}

static void drain_node(avnm_ctx *ctx, struct hnode *h)
{
	struct node *n = CONTAINER(h, struct node, h);
	struct holding *x = n->holders;
	while (x) {
		struct holding *nx = x->next;
		mem_free(&ctx->mem, x);
		x = nx;
	}
	mem_free(&ctx->mem, n); /* hkey, key and display are in its block */
}

static void drain_tenant(avnm_ctx *ctx, struct hnode *h)
{
	struct tenant *t = CONTAINER(h, struct tenant, h);
	mem_free(&ctx->mem, t->subs);
	mem_free(&ctx->mem, t->name);
	mem_free(&ctx->mem, t);
}

static void drain_vnet(avnm_ctx *ctx, struct hnode *h)
{
	struct vnet *v = CONTAINER(h, struct vnet, h);
	for (size_t i = 0; i < v->ntags; i++) {
		mem_free(&ctx->mem, v->tags[i].hkey);
		mem_free(&ctx->mem, v->tags[i].key);
		mem_free(&ctx->mem, v->tags[i].value);
	}
	mem_free(&ctx->mem, v->tags);
	mem_free(&ctx->mem, v->region);
	mem_free(&ctx->mem, v);
}

static void drain_principal(avnm_ctx *ctx, struct hnode *h)
{
	struct principal *p = CONTAINER(h, struct principal, h);
	mem_free(&ctx->mem, p->name);
	mem_free(&ctx->mem, p->hkey);
	mem_free(&ctx->mem, p->guests);
	mem_free(&ctx->mem, p);
}

static void drain_role(avnm_ctx *ctx, struct hnode *h)
{
	struct assignment *a = CONTAINER(h, struct assignment, h);
	mem_free(&ctx->mem, a->hkey);
	mem_free(&ctx->mem, a->display);
	mem_free(&ctx->mem, a);
}

void avnm_ctx_free(avnm_ctx *ctx)
{
	if (!ctx) return;
	/* Tables that only index objects owned elsewhere are just emptied. */
	htab_fini(&ctx->pairs_s);
	htab_fini(&ctx->pairs_h);
	drain(ctx, &ctx->hubs_by_mgr, drain_hubset);
	htab_fini(&ctx->mg_names);
	htab_fini(&ctx->tags);
	drain(ctx, &ctx->managers, drain_manager);
	drain(ctx, &ctx->hubs, drain_hub);
	drain(ctx, &ctx->roles, drain_role);
	drain(ctx, &ctx->principals, drain_principal);
	drain(ctx, &ctx->vnets, drain_vnet);
	drain(ctx, &ctx->nodes, drain_node);
	drain(ctx, &ctx->tenants, drain_tenant);
	mem_free(&ctx->mem, ctx->undo);
	mem_free(&ctx->mem, ctx->later);
	mem_free(&ctx->mem, ctx->events);
	mem_free(&ctx->mem, ctx->touched);
	mem_free(&ctx->mem, ctx->marks);
	qcache_free(ctx);
	pthread_rwlock_destroy(&ctx->lock);
	pthread_mutex_destroy(&ctx->errlock);
	struct mem m = ctx->mem;
	mem_free(&m, ctx);
}

/* ---- errors ---------------------------------------------------------------- */

int set_error_v(avnm_ctx *ctx, int code, const char *fmt, va_list ap)
{
	if (!ctx) return code;
	pthread_mutex_lock(&ctx->errlock);
	ctx->errcode = code;
	vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
	pthread_mutex_unlock(&ctx->errlock);
	return code;
}

int set_error(avnm_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_error_v(ctx, code, fmt, ap);
	va_end(ap);
	return code;
}

const char *avnm_errmsg(const avnm_ctx *ctx)
{
	return ctx ? ctx->errmsg : "no context";
}

size_t avnm_errmsg_copy(const avnm_ctx *ctx, char *buf, size_t size)
{
	if (!ctx) return 0;
	avnm_ctx *c = (avnm_ctx *)ctx; /* the mutex is not part of the observable state */
	pthread_mutex_lock(&c->errlock);
	size_t n = strlen(c->errmsg);
	if (buf && size) {
		size_t k = n < size - 1 ? n : size - 1;
		memcpy(buf, c->errmsg, k);
		buf[k] = '\0';
	}
	pthread_mutex_unlock(&c->errlock);
	return n;
}

int avnm_errcode(const avnm_ctx *ctx)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	avnm_ctx *c = (avnm_ctx *)ctx; /* the mutex is not part of the observable state */
	pthread_mutex_lock(&c->errlock);
	int code = c->errcode;
	pthread_mutex_unlock(&c->errlock);
	return code;
}

/* ---- locking and the change log ------------------------------------------------ */

void rd_begin(avnm_ctx *ctx)
{
	pthread_rwlock_rdlock(&ctx->lock);
}

void rd_end(avnm_ctx *ctx)
{
	pthread_rwlock_unlock(&ctx->lock);
}

void tx_begin(avnm_ctx *ctx)
{
	pthread_rwlock_wrlock(&ctx->lock);
	ctx->nundo = ctx->nlater = ctx->nevents = ctx->ntouched = ctx->nmarks = 0;
	ctx->nqfill = 0;
}

int arr_grow(avnm_ctx *ctx, void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap) return 0;
	size_t nc = *cap ? *cap * 2 : 32;
	while (nc < need) nc *= 2;
	void *p = mem_alloc(&ctx->mem, nc * elem);
	if (!p) return set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
	if (*arr) memcpy(p, *arr, *cap * elem);
	mem_free(&ctx->mem, *arr);
	*arr = p;
	*cap = nc;
	return 0;
}

int tx_log(avnm_ctx *ctx, void (*fn)(avnm_ctx *, void *, void *), void *a, void *b)
{
	TRY(arr_grow(ctx, (void **)&ctx->undo, &ctx->capundo, ctx->nundo + 1, sizeof *ctx->undo));
	ctx->undo[ctx->nundo].fn = fn;
	ctx->undo[ctx->nundo].a = a;
	ctx->undo[ctx->nundo].b = b;
	ctx->nundo++;
	return 0;
}

static void undo_free(avnm_ctx *ctx, void *a, void *b)
{
	(void)b;
	mem_free(&ctx->mem, a);
}

void *tx_alloc(avnm_ctx *ctx, size_t n)
{
	void *p = mem_alloc(&ctx->mem, n);
	if (!p) {
		set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
		return NULL;
	}
	if (tx_log(ctx, undo_free, p, NULL)) {
		mem_free(&ctx->mem, p);
		return NULL;
	}
	return p;
}

char *tx_strdup(avnm_ctx *ctx, const char *s)
{
	size_t n = strlen(s);
	char *d = tx_alloc(ctx, n + 1);
	if (d) memcpy(d, s, n + 1);
	return d;
}

int tx_free_later(avnm_ctx *ctx, void *p)
{
	if (!p) return 0;
	TRY(arr_grow(ctx, (void **)&ctx->later, &ctx->caplater, ctx->nlater + 1, sizeof *ctx->later));
	ctx->later[ctx->nlater++] = p;
	return 0;
}

static void undo_ptr(avnm_ctx *ctx, void *slot, void *old)
{
	(void)ctx;
	*(void **)slot = old;
}

int tx_set_ptr(avnm_ctx *ctx, void *slot, void *value)
{
	TRY(tx_log(ctx, undo_ptr, slot, *(void **)slot));
	*(void **)slot = value;
	return 0;
}

/* Scalars travel in the undo entry itself: every slot type here fits a pointer. */
static void undo_uint(avnm_ctx *ctx, void *slot, void *old)
{
	(void)ctx;
	*(unsigned *)slot = (unsigned)(uintptr_t)old;
}

static void undo_int(avnm_ctx *ctx, void *slot, void *old)
{
	(void)ctx;
	*(int *)slot = (int)(intptr_t)old;
}

static void undo_size(avnm_ctx *ctx, void *slot, void *old)
{
	(void)ctx;
	*(size_t *)slot = (size_t)(uintptr_t)old;
}

int tx_set_uint(avnm_ctx *ctx, unsigned *slot, unsigned value)
{
	if (*slot == value) return 0;
	TRY(tx_log(ctx, undo_uint, slot, (void *)(uintptr_t)*slot));
	*slot = value;
	return 0;
}

int tx_set_int(avnm_ctx *ctx, int *slot, int value)
{
	if (*slot == value) return 0;
	TRY(tx_log(ctx, undo_int, slot, (void *)(intptr_t)*slot));
	*slot = value;
	return 0;
}

int tx_set_size(avnm_ctx *ctx, size_t *slot, size_t value)
{
	if (*slot == value) return 0;
	TRY(tx_log(ctx, undo_size, slot, (void *)(uintptr_t)*slot));
	*slot = value;
	return 0;
}

static void undo_hinsert(avnm_ctx *ctx, void *t, void *n)
{
	(void)ctx;
	htab_remove(t, n);
}

static void undo_hremove(avnm_ctx *ctx, void *t, void *n)
{
	(void)ctx;
	struct hnode *h = n;
	htab_insert_hashed(t, h, h->key, h->klen, h->hash);
}

int tx_hinsert_hashed(avnm_ctx *ctx, struct htab *t, struct hnode *n, const char *key,
                      size_t klen, uint64_t hash)
{
	TRY(tx_log(ctx, undo_hinsert, t, n));
	htab_insert_hashed(t, n, key, klen, hash);
	return 0;
}

int tx_hinsert(avnm_ctx *ctx, struct htab *t, struct hnode *n, const char *key, size_t klen)
{
	return tx_hinsert_hashed(ctx, t, n, key, klen, hash_bytes(key, klen));
}

int tx_hremove(avnm_ctx *ctx, struct htab *t, struct hnode *n)
{
	TRY(tx_log(ctx, undo_hremove, t, n));
	htab_remove(t, n);
	return 0;
}

static void undo_dl_append(avnm_ctx *ctx, void *head, void *node)
{
	(void)ctx, (void)head;
	dl_unlink(node);
}

/* Undo of an unlink: the node goes back after its old predecessor, which the
 * reverse order of the log has already restored. */
static void undo_dl_unlink(avnm_ctx *ctx, void *prev, void *node)
{
	(void)ctx;
	dl_insert_after(prev, node);
}

int tx_dl_append(avnm_ctx *ctx, struct dl *head, struct dl *node)
{
	TRY(tx_log(ctx, undo_dl_append, head, node));
	dl_insert_after(head->prev, node);
	return 0;
}

int tx_dl_unlink(avnm_ctx *ctx, struct dl *node)
{
	TRY(tx_log(ctx, undo_dl_unlink, node->prev, node));
	dl_unlink(node);
	return 0;
}

static void undo_htab_init(avnm_ctx *ctx, void *t, void *b)
{
	(void)ctx, (void)b;
	htab_fini(t);
}

int tx_htab_init(avnm_ctx *ctx, struct htab *t, size_t nbuckets)
{
	if (htab_init(t, &ctx->mem, nbuckets)) return set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
	if (tx_log(ctx, undo_htab_init, t, NULL)) {
		htab_fini(t);
		return AVNM_E_NO_MEMORY;
	}
	return 0;
}

int tx_htab_fini_later(avnm_ctx *ctx, struct htab *t)
{
	return tx_free_later(ctx, t->b);
}

int tx_touch(avnm_ctx *ctx, struct manager *m)
{
	if (!ctx->event_fn || m->touched) return 0;
	TRY(arr_grow(ctx, (void **)&ctx->touched, &ctx->captouched, ctx->ntouched + 1,
	         sizeof *ctx->touched));
	ctx->touched[ctx->ntouched++] = m;
	m->touched = 1;
	return 0;
}

int tx_mark(avnm_ctx *ctx, enum rec_kind kind, void *obj, unsigned char *flag)
{
	if (!ctx->storage || *flag) return 0;
	TRY(arr_grow(ctx, (void **)&ctx->marks, &ctx->capmarks, ctx->nmarks + 1, sizeof *ctx->marks));
	ctx->marks[ctx->nmarks].kind = kind;
	ctx->marks[ctx->nmarks].obj = obj;
	ctx->marks[ctx->nmarks].flag = flag;
	ctx->nmarks++;
	*flag = 1;
	return 0;
}

/* Before anything is freed: marked objects may be about to go. */
static void unmark(avnm_ctx *ctx)
{
	for (size_t i = 0; i < ctx->nmarks; i++) *ctx->marks[i].flag = 0;
	ctx->nmarks = 0;
}

uint64_t next_serial(avnm_ctx *ctx)
{
	return ctx->next_serial++;
}

static void event_free(avnm_ctx *ctx, struct pending_event *pe)
{
	for (size_t i = 0; i < 6; i++) mem_free(&ctx->mem, pe->strs[i]);
}

int tx_event(avnm_ctx *ctx, const avnm_event *ev)
{
	if (!ctx->event_fn) return 0;
	TRY(arr_grow(ctx, (void **)&ctx->events, &ctx->capevents, ctx->nevents + 1, sizeof *ctx->events));
	struct pending_event *pe = &ctx->events[ctx->nevents];
	memset(pe, 0, sizeof *pe);
	pe->ev = *ev;
	const char *src[6] = { ev->manager, ev->connection, ev->tenant, ev->item, ev->group,
	                       ev->resource };
	const char **dst[6] = { &pe->ev.manager, &pe->ev.connection, &pe->ev.tenant, &pe->ev.item,
	                        &pe->ev.group, &pe->ev.resource };
	for (size_t i = 0; i < 6; i++) {
		if (!src[i]) continue;
		pe->strs[i] = mem_strdup(&ctx->mem, src[i]);
		if (!pe->strs[i]) {
			event_free(ctx, pe);
			return set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
		}
		*dst[i] = pe->strs[i];
	}
	ctx->nevents++;
	return 0;
}

static void rollback(avnm_ctx *ctx);
static void commit_frees(avnm_ctx *ctx);

static void untouch(avnm_ctx *ctx)
{
	for (size_t i = 0; i < ctx->ntouched; i++) ctx->touched[i]->touched = 0;
	ctx->ntouched = 0;
}

int tx_end(avnm_ctx *ctx, int rc)
{
	if (rc == 0 && ctx->event_fn) rc = events_refresh(ctx);
	/* Storage is the last step that can fail: after it, the change stands. */
	if (rc == 0 && ctx->nmarks) rc = storage_flush(ctx);
	unmark(ctx);
	untouch(ctx);
	if (rc != 0) {
		rollback(ctx);
		qcache_after_change(ctx, 1);
		pthread_rwlock_unlock(&ctx->lock);
		return rc;
	}
	commit_frees(ctx);
	qcache_after_change(ctx, 0);
	/* Hand the events over before unlocking, so that the callback may call in. */
	struct pending_event *evs = ctx->events;
	size_t nev = ctx->nevents;
	avnm_event_fn fn = ctx->event_fn;
	void *opaque = ctx->event_opaque;
	if (nev) {
		ctx->events = NULL;
		ctx->capevents = 0;
	}
	ctx->nevents = 0;
	pthread_rwlock_unlock(&ctx->lock);
	for (size_t i = 0; i < nev; i++) {
		if (fn) fn(opaque, &evs[i].ev);
		event_free(ctx, &evs[i]);
	}
	if (nev) mem_free(&ctx->mem, evs);
	return 0;
}

static void rollback(avnm_ctx *ctx)
{
	for (size_t i = ctx->nundo; i-- > 0;) ctx->undo[i].fn(ctx, ctx->undo[i].a, ctx->undo[i].b);
	for (size_t i = 0; i < ctx->nevents; i++) event_free(ctx, &ctx->events[i]);
	ctx->nundo = ctx->nlater = ctx->nevents = 0;
}

static void commit_frees(avnm_ctx *ctx)
{
	for (size_t i = 0; i < ctx->nlater; i++) mem_free(&ctx->mem, ctx->later[i]);
	ctx->nundo = ctx->nlater = 0;
}

int avnm_ctx_set_event_callback(avnm_ctx *ctx, avnm_event_fn fn, void *opaque)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	avnm_event_fn old_fn = ctx->event_fn;
	void *old_opaque = ctx->event_opaque;
	ctx->event_fn = fn;
	ctx->event_opaque = opaque;
	/* Bring the record of effective members up to now, telling nothing, so that the
	 * first events are true changes. */
	int rc = 0;
	if (fn) {
		size_t pos = 0;
		struct hnode *e = NULL;
		while (rc == 0 && (e = htab_iter(&ctx->managers, &pos, e)) != NULL)
			rc = tx_touch(ctx, CONTAINER(e, struct manager, h));
		if (rc == 0) rc = events_refresh(ctx);
	}
	untouch(ctx);
	for (size_t i = 0; i < ctx->nevents; i++) event_free(ctx, &ctx->events[i]);
	ctx->nevents = 0;
	if (rc) {
		rollback(ctx);
		ctx->event_fn = old_fn;
		ctx->event_opaque = old_opaque;
	} else {
		commit_frees(ctx);
	}
	qcache_after_change(ctx, rc != 0);
	pthread_rwlock_unlock(&ctx->lock);
	return rc;
}
