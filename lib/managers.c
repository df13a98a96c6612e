/* Network managers (R3): local scope, accesses, and who holds what directly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct manager *manager_find(avnm_ctx *ctx, const char *key)
{
	struct hnode *h = htab_find(&ctx->managers, key, strlen(key));
	return h ? CONTAINER(h, struct manager, h) : NULL;
}

const struct holding *held_by(const struct node *n, const struct manager *m)
{
	for (const struct holding *h = n->holders; h; h = h->next)
		if (h->mgr == m) return h;
	return NULL;
}

/* ---- the flat holder cache of a node (struct node, flat) ---------------------- */

unsigned flat_add(struct manager *out[FLAT_CAP], unsigned k, const struct holding *h)
{
	for (; h && k != FLAT_OVER; h = h->next) {
		unsigned j = 0;
		while (j < k && out[j] != h->mgr) j++;
		if (j < k) continue;
		k = k == FLAT_CAP ? FLAT_OVER : k;
		if (k != FLAT_OVER) out[k++] = h->mgr;
	}
	return k;
}

unsigned flat_of(const avnm_ctx *ctx, const struct node *n, struct manager *out[FLAT_CAP])
{
	/* the cache is mutable state of a node that is otherwise only read here */
	struct node *c = (struct node *)(uintptr_t)n;
	uint64_t seen = atomic_load_explicit(&c->flatgen, memory_order_acquire);
	unsigned k;
	/* (a cache never filled, seen == 0, is stale without reading the tenant) */
	if (seen == ctx->holdclock || (seen != 0 && seen >= tenant_changed(ctx, n->tenant))) {
		k = atomic_load_explicit(&c->nflat, memory_order_relaxed);
		for (unsigned i = 0; k != FLAT_OVER && i < k; i++)
			out[i] = atomic_load_explicit(&c->flat[i], memory_order_relaxed);
	} else {
		/* the parent's managers (from its cache, filled first if need be: the siblings
		 * of n then find it ready), then n's own, each once */
		k = flat_add(out, n->parent ? flat_of(ctx, n->parent, out) : 0, n->holders);
		for (unsigned i = 0; k != FLAT_OVER && i < k; i++)
			atomic_store_explicit(&c->flat[i], out[i], memory_order_relaxed);
		atomic_store_explicit(&c->nflat, (unsigned char)k, memory_order_relaxed);
	}
	/* found valid now: the next question takes the first test */
	if (seen != ctx->holdclock) atomic_store_explicit(&c->flatgen, ctx->holdclock, memory_order_release);
	return k;
}

static void undo_holdings(avnm_ctx *ctx, void *t, void *unused)
{
	(void)unused;
	ctx->tchanged[((struct tenant *)t)->tix] = ++ctx->holdclock;
}

int holdings_changed(avnm_ctx *ctx, struct tenant *t)
{
	TRY(tx_log(ctx, undo_holdings, t, NULL));
	ctx->tchanged[t->tix] = ++ctx->holdclock;
	qcache_tenant_changed(ctx, t);
	return 0;
}

int covered_by_flat(const struct node *n, const struct flatlist *fl, const struct manager *m)
{
	if (fl->k != FLAT_OVER) {
		for (unsigned i = 0; i < fl->k; i++)
			if (fl->m[i] == m) return 1;
		return 0;
	}
	for (; n; n = n->parent)
		if (held_by(n, m)) return 1;
	return 0;
}

int covered_by(const avnm_ctx *ctx, const struct node *n, const struct manager *m)
{
	struct flatlist fl;
	fl.k = flat_of(ctx, n, fl.m);
	return covered_by_flat(n, &fl, m);
}

static int scope_event(avnm_ctx *ctx, avnm_event_kind kind, struct node *n, struct manager *m)
{
	avnm_event ev = { 0 };
	ev.kind = kind;
	ev.manager = m->display;
	ev.item = n->display;
	ev.tenant = n->tenant->id;
	TRY(tx_touch(ctx, m));
	return tx_event(ctx, &ev);
}

int hold_add(avnm_ctx *ctx, struct node *n, struct manager *m, struct sconn *via)
{
	int first = held_by(n, m) == NULL;
	struct holding *h = tx_alloc(ctx, sizeof *h);
	TRY_MEM(ctx, h);
	h->mgr = m;
	h->via = via;
	h->next = n->holders;
	TRY(holdings_changed(ctx, n->tenant));
	TRY(tx_set_ptr(ctx, &n->holders, h));
	return first ? scope_event(ctx, AVNM_EVENT_SCOPE_ENTERED, n, m) : 0;
}

int hold_remove(avnm_ctx *ctx, struct node *n, struct manager *m, struct sconn *via)
{
	struct holding **pp = &n->holders;
	while (*pp && !((*pp)->mgr == m && (*pp)->via == via)) pp = &(*pp)->next;
	if (!*pp) return 0;
	struct holding *h = *pp;
	TRY(tx_free_later(ctx, h));
	TRY(holdings_changed(ctx, n->tenant));
	TRY(tx_set_ptr(ctx, pp, h->next));
	return held_by(n, m) ? 0 : scope_event(ctx, AVNM_EVENT_SCOPE_LEFT, n, m);
}

int local_covers(const struct manager *m, struct tenant *t, struct node *const *items, size_t n)
{
	if (!m || t != m->home || !n) return 0;
	for (size_t i = 0; i < n; i++) {
		int covered = 0;
		for (const struct node *a = items[i]; a && !covered; a = a->parent)
			for (const struct holding *h = a->holders; h; h = h->next)
				if (h->mgr == m && !h->via) {
					covered = 1;
					break;
				}
		if (!covered) return 0;
	}
	return 1;
}

/* ---- R3.3 conflicts ------------------------------------------------------------- */

/* The holdings of some nodes; on the stack while they are few (they nearly always
 * are: a connection's few items, each held by a few managers). */
#define GATHER_INLINE 16
struct gref {
	struct node *node;
	const struct manager *mgr;
};
struct gather {
	avnm_ctx *ctx;
	avnm_holding *held;
	const char **keys;
	struct gref *refs;       /* held[i]: which node, which manager */
	size_t nheld, capheld, nkeys, capkeys;
	int failed;
	avnm_holding held_inl[GATHER_INLINE];
	const char *keys_inl[GATHER_INLINE];
	struct gref refs_inl[GATHER_INLINE];
};

static void gather_init(struct gather *g, avnm_ctx *ctx)
{
	g->ctx = ctx;
	g->held = g->held_inl;
	g->keys = g->keys_inl;
	g->refs = g->refs_inl;
	g->nheld = g->nkeys = 0;
	g->capheld = g->capkeys = GATHER_INLINE;
	g->failed = 0;
}

static void *grow_to(avnm_ctx *ctx, void *arr, size_t n, size_t *cap, size_t elem, void *inl)
{
	if (n < *cap) return arr;
	size_t nc = *cap * 2;
	void *p = mem_alloc(&ctx->mem, nc * elem);
	if (!p) return NULL;
	memcpy(p, arr, n * elem);
	if (arr != inl) mem_free(&ctx->mem, arr);
	*cap = nc;
	return p;
}

static void gather_node(struct gather *g, struct node *x)
{
	void *p;
	if (g->failed) return;
	p = grow_to(g->ctx, g->keys, g->nkeys, &g->capkeys, sizeof *g->keys, g->keys_inl);
	if (!p) {
		g->failed = 1;
		return;
	}
	g->keys = p;
	g->keys[g->nkeys++] = x->key;
	for (struct holding *h = x->holders; h; h = h->next) {
		int dup = 0;
		for (struct holding *e = x->holders; e != h; e = e->next)
			if (e->mgr == h->mgr) dup = 1;
		if (dup) continue;
		size_t cap = g->capheld;
		p = grow_to(g->ctx, g->held, g->nheld, &cap, sizeof *g->held, g->held_inl);
		void *q = p ? grow_to(g->ctx, g->refs, g->nheld, &g->capheld, sizeof *g->refs, g->refs_inl) : NULL;
		if (!p || !q) {
			if (p) g->held = p;
			g->failed = 1;
			return;
		}
		g->held = p;
		g->refs = q;
		g->held[g->nheld].item = x->key;
		g->held[g->nheld].manager = h->mgr->key;
		g->held[g->nheld].accesses = h->mgr->accesses;
		g->refs[g->nheld].node = x;
		g->refs[g->nheld].mgr = h->mgr;
		g->nheld++;
	}
}

static void gather_below(struct gather *g, struct node *x)
{
	for (struct dl *c = x->children.next; c != &x->children; c = c->next) {
		struct node *ch = CONTAINER(c, struct node, sibling);
		gather_node(g, ch);
		gather_below(g, ch);
	}
}

static void gather_free(struct gather *g)
{
	if (g->held != g->held_inl) mem_free(&g->ctx->mem, g->held);
	if (g->keys != g->keys_inl) mem_free(&g->ctx->mem, g->keys);
	if (g->refs != g->refs_inl) mem_free(&g->ctx->mem, g->refs);
}

static int conflicts_from(avnm_ctx *ctx, struct gather *g, const char *self, unsigned accesses,
                          int set_msg, struct detail **detail)
{
	if (g->failed) return set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
	size_t n = avnm_conflicts_find(g->held, g->nheld, self, accesses, g->keys, g->nkeys, NULL, 0);
	if (!n) return 0;
	avnm_conflict few[8];
	avnm_conflict *c = n <= 8 ? few : mem_alloc(&ctx->mem, n * sizeof *c);
	if (!c) return set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
	avnm_conflicts_find(g->held, g->nheld, self, accesses, g->keys, g->nkeys, c, n);
	/* Name things as registered: the display forms behind the keys. */
	const char *items[8], *mgrs[8], **item = items, **mgr = mgrs;
	if (n > 8) {
		item = mem_alloc(&ctx->mem, 2 * n * sizeof *item);
		mgr = item ? item + n : NULL;
	}
	struct detail *d = NULL;
	if (item) {
		size_t bytes = 0;
		for (size_t i = 0; i < n; i++) {
			const struct gref *r = NULL;
			for (size_t j = 0; j < g->nheld && !r; j++)
				if (g->held[j].item == c[i].item && g->held[j].manager == c[i].manager)
					r = &g->refs[j];
			const struct node *x = r ? r->node : NULL;
			const struct manager *o = r ? r->mgr : manager_find(ctx, c[i].manager);
			item[i] = x ? x->display : c[i].item;
			mgr[i] = o ? o->display : c[i].manager;
			bytes += strlen(item[i]) + strlen(mgr[i]) + 2;
		}
		d = detail_alloc(&ctx->mem, n, bytes);
		for (size_t i = 0; d && i < n; i++) detail_put(d, i, item[i], mgr[i], c[i].shared);
	}
	if (item != items) mem_free(&ctx->mem, item);
	if (c != few) mem_free(&ctx->mem, c);
	if (!d) return set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
	int rc = AVNM_E_CONFLICT;
	if (set_msg) {
		char *t = detail_text(&ctx->mem, d);
		rc = set_error(ctx, AVNM_E_CONFLICT,
		               "cannot have two network managers with overlapping scope accesses applied to "
		               "the same scope (R3.3): %s", t ? t : "");
		mem_free(&ctx->mem, t);
	}
	if (detail) *detail = d;
	else detail_free(&ctx->mem, d);
	return rc;
}

int find_conflicts_as(avnm_ctx *ctx, const char *self, unsigned accesses,
                      struct node *const *items, size_t n, int set_msg, struct detail **detail)
{
	struct gather g;
	gather_init(&g, ctx);
	if (detail) *detail = NULL;
	if (!accesses) return 0;
	for (size_t i = 0; i < n; i++) {
		gather_node(&g, items[i]);
		if (ctx->flags & AVNM_OPT_STRICT_HIERARCHY) {
			/* R3.4 strict: ancestors and descendants overlap too. */
			for (struct node *a = items[i]->parent; a; a = a->parent) gather_node(&g, a);
			gather_below(&g, items[i]);
		}
	}
	int rc = conflicts_from(ctx, &g, self, accesses, set_msg, detail);
	gather_free(&g);
	return rc;
}

/* R2.4 under strict_hierarchy: after moving n under p, would a holding in n's
 * subtree and one on p's chain belong to two managers sharing an access? */
int strict_move_check(avnm_ctx *ctx, struct node *n, struct node *p)
{
	if (!(ctx->flags & AVNM_OPT_STRICT_HIERARCHY)) return 0;
	struct gather below;
	gather_init(&below, ctx);
	gather_node(&below, n);
	gather_below(&below, n);
	int rc = below.failed ? set_error(ctx, AVNM_E_NO_MEMORY, "out of memory") : 0;
	for (size_t i = 0; rc == 0 && i < below.nheld; i++) {
		struct gather above;
		gather_init(&above, ctx);
		for (struct node *a = p; a; a = a->parent) gather_node(&above, a);
		rc = conflicts_from(ctx, &above, below.held[i].manager, below.held[i].accesses, 0,
		                    NULL);
		gather_free(&above);
		if (rc == AVNM_E_CONFLICT) {
			rc = set_error(ctx, AVNM_E_CONFLICT,
			               "moving %s under %s would place %s, held by network manager %s, below a "
			               "scope held by another network manager with a shared access "
			               "(strict_hierarchy, R2.4)", n->display, p->display,
			               below.refs[i].node->display, below.refs[i].mgr->display);
		}
	}
	gather_free(&below);
	return rc;
}

/* ---- create, update, delete --------------------------------------------------------- */

int manager_ref(avnm_ctx *ctx, struct idparts *p, struct manager **found, const char *id,
                const char *as)
{
	/* Only authorization needs the id's segments: a registered manager's key, display
	 * and subscription are all a change without a principal uses. */
	struct hnode *h = as ? NULL : htab_find_id(&ctx->managers, id);
	*found = h ? CONTAINER(h, struct manager, h) : NULL;
	if (!h) return manager_arg(ctx, p, id);
	const struct manager *m = *found;
	p->kind = IDK_MANAGER;
	p->len = strlen(m->key);
	memcpy(p->key, m->key, p->len + 1);
	memcpy(p->display, m->display, p->len + 1);
	memcpy(p->sub, m->sub->key + strlen("/subscriptions/"), GUID_LEN + 1);
	return 0;
}

int manager_arg(avnm_ctx *ctx, struct idparts *p, const char *id)
{
	char msg[256];
	if (!id) return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "network manager id is missing");
	if (id_parse(p, id, msg, sizeof msg)) return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "%s", msg);
	if (p->kind != IDK_MANAGER)
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "%s is not a network manager id", p->display);
	return 0;
}

static int check_accesses(avnm_ctx *ctx, unsigned a)
{
	if (a & ~AVNM_ACCESS_ALL)
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "unknown scope access bits 0x%x", a);
	return 0;
}

static int manager_not_found(avnm_ctx *ctx, const struct idparts *p)
{
	return set_error(ctx, AVNM_E_NOT_FOUND, "network manager %s does not exist", p->display);
}

static int manager_create(avnm_ctx *ctx, const char *as, const char *id, unsigned acc,
                          const avnm_scope *scope)
{
	struct idparts p;
	TRY(manager_arg(ctx, &p, id));
	TRY(check_accesses(ctx, acc));
	TRY(authz_manager_write(ctx, as, &p, 1, "R6.6"));
	struct node *sub = node_find_sub(ctx, p.sub);
	if (!sub)
		return set_error(ctx, AVNM_E_NOT_FOUND, "subscription %s of network manager %s does not exist",
		                 p.sub, p.display);
	struct node **items;
	size_t n;
	TRY(scope_nodes(ctx, &items, &n, scope, sub->tenant, "local scope"));
	if (manager_find(ctx, p.key))
		return set_error(ctx, AVNM_E_EXISTS, "network manager %s exists already", p.display);
	TRY(find_conflicts_as(ctx, p.key, acc, items, n, 1, NULL));

	struct manager *m;
	TRY(manager_link(ctx, &m, &p, sub, acc, items, n));
	/* R4.11: hub connections may have named this manager before it existed. */
	return reevaluate_manager_conns(ctx, m->key);
}

int manager_link(avnm_ctx *ctx, struct manager **out, const struct idparts *p, struct node *sub,
                 unsigned acc, struct node **items, size_t n)
{
	struct manager *m = tx_alloc(ctx, sizeof *m);
	TRY_MEM(ctx, m);
	m->serial = next_serial(ctx);
	m->sub = sub;
	m->home = sub->tenant;
	m->accesses = acc;
	m->scope = items;
	m->nscope = n;
	TRY_MEM(ctx, m->key = tx_strdup(ctx, p->key));
	TRY_MEM(ctx, m->display = tx_strdup(ctx, p->display));
	TRY(tx_htab_init(ctx, &m->sconns, 8));
	TRY(tx_htab_init(ctx, &m->groups, 8));
	TRY(tx_hinsert(ctx, &ctx->managers, &m->h, m->key, strlen(m->key)));
	for (size_t i = 0; i < n; i++) TRY(hold_add(ctx, items[i], m, NULL));
	TRY(tx_mark(ctx, REC_MANAGER, m, &m->mark));
	*out = m;
	return 0;
}

int avnm_manager_create(avnm_ctx *ctx, const char *as, const char *manager_id,
                        unsigned int accesses, const avnm_scope *scope)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, manager_create(ctx, as, manager_id, accesses, scope));
}

/* Every item m holds through a Connected connection: these stay held with the new
 * accesses, so they are checked too (R3.3 on update). */
static int connection_items_conflict(avnm_ctx *ctx, struct manager *m, unsigned acc)
{
	size_t pos = 0;
	struct hnode *e = NULL;
	while ((e = htab_iter(&m->sconns, &pos, e)) != NULL) {
		struct sconn *s = CONTAINER(e, struct sconn, h);
		if (s->holds) TRY(find_conflicts_as(ctx, m->key, acc, s->items, s->nitems, 1, NULL));
	}
	return 0;
}

static int manager_update(avnm_ctx *ctx, const char *as, const char *id, unsigned what,
                          unsigned acc, const avnm_scope *scope)
{
	struct idparts p;
	TRY(manager_arg(ctx, &p, id));
	if (what & ~(AVNM_UPDATE_ACCESSES | AVNM_UPDATE_SCOPE))
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "unknown update flags 0x%x", what);
	TRY(check_accesses(ctx, acc));
	TRY(authz_manager_write(ctx, as, &p, 0, "R6.6"));
	struct manager *m = manager_find(ctx, p.key);
	if (!m) return manager_not_found(ctx, &p);
	unsigned nacc = (what & AVNM_UPDATE_ACCESSES) ? acc : m->accesses;
	struct node **items = m->scope;
	size_t n = m->nscope;
	if (what & AVNM_UPDATE_SCOPE) TRY(scope_nodes(ctx, &items, &n, scope, m->home, "local scope"));
	TRY(find_conflicts_as(ctx, m->key, nacc, items, n, 1, NULL));
	TRY(connection_items_conflict(ctx, m, nacc));

	TRY(tx_mark(ctx, REC_MANAGER, m, &m->mark));
	TRY(tx_set_uint(ctx, &m->accesses, nacc));
	if (what & AVNM_UPDATE_SCOPE) {
		/* Both arrays are sorted by key: a merge tells what left and what came. */
		struct node **old = m->scope;
		size_t nold = m->nscope, i = 0, j = 0;
		while (i < nold || j < n) {
			int c = i == nold ? 1 : j == n ? -1 : strcmp(old[i]->key, items[j]->key);
			if (c < 0) TRY(hold_remove(ctx, old[i++], m, NULL));
			else if (c > 0) TRY(hold_add(ctx, items[j++], m, NULL));
			else i++, j++;
		}
		TRY(tx_free_later(ctx, old));
		TRY(tx_set_ptr(ctx, &m->scope, items));
		TRY(tx_set_size(ctx, &m->nscope, n));
	}
	TRY(tx_touch(ctx, m));
	return reevaluate_manager_conns(ctx, m->key);
}

int avnm_manager_update(avnm_ctx *ctx, const char *as, const char *manager_id, unsigned int what,
                        unsigned int accesses, const avnm_scope *scope)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, manager_update(ctx, as, manager_id, what, accesses, scope));
}

static int manager_delete(avnm_ctx *ctx, const char *as, const char *id, unsigned flags)
{
	struct idparts p;
	TRY(manager_arg(ctx, &p, id));
	if (flags & ~AVNM_DELETE_FORCE)
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "unknown delete flags 0x%x", flags);
	TRY(authz_manager_write(ctx, as, &p, 0, "R6.6"));
	struct manager *m = manager_find(ctx, p.key);
	if (!m) return manager_not_found(ctx, &p);
	if (!(flags & AVNM_DELETE_FORCE) && (m->sconns.n || m->groups.n))
		return set_error(ctx, AVNM_E_BUSY,
		                 "network manager %s still has %zu scope connection(s) and %zu network "
		                 "group(s); delete them first or force (R3.5)", m->display, m->sconns.n,
		                 m->groups.n);
	TRY(tx_touch(ctx, m));
	/* Take the owned objects out one at a time: each removal unlinks from the table. */
	while (m->groups.n) {
		size_t pos = 0;
		struct hnode *e = htab_iter(&m->groups, &pos, NULL);
		TRY(group_delete_internal(ctx, CONTAINER(e, struct group, h)));
	}
	while (m->sconns.n) {
		size_t pos = 0;
		struct hnode *e = htab_iter(&m->sconns, &pos, NULL);
		TRY(sconn_delete_internal(ctx, CONTAINER(e, struct sconn, h)));
	}
	for (size_t i = 0; i < m->nscope; i++) TRY(hold_remove(ctx, m->scope[i], m, NULL));
	TRY(tx_mark(ctx, REC_MANAGER, m, &m->mark));
	TRY(tx_hremove(ctx, &ctx->managers, &m->h));
	TRY(tx_htab_fini_later(ctx, &m->sconns));
	TRY(tx_htab_fini_later(ctx, &m->groups));
	TRY(tx_free_later(ctx, m->scope));
	TRY(tx_free_later(ctx, m->key));
	TRY(tx_free_later(ctx, m->display));
	TRY(tx_free_later(ctx, m));
	/* R4.5a: hub connections Connected by implied consent lapse. */
	return reevaluate_manager_conns(ctx, p.key);
}

int avnm_manager_delete(avnm_ctx *ctx, const char *as, const char *manager_id, unsigned int flags)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, manager_delete(ctx, as, manager_id, flags));
}
