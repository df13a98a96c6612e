/* Cross-tenant connections (R4): the two kinds, how they pair, and the state the
 * pure evaluator gives them on every event. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* A connection's pairing key (struct pairid) with its hash and the hash of its
 * manager's id (hash_bytes of mgr_key, for ctx->hubs_by_mgr). */
struct pairkey {
	struct pairid id;
	uint64_t hash, mgr_hash;
};

/* Equal keys (R4.2): the same tenant, the same nodes in the same order (a scope's items
 * are sorted, so equal scopes give equal arrays) and the same manager id. */
static int pair_same(const struct pairid *a, const struct pairid *b)
{
	return a->tenant == b->tenant && a->n == b->n && a->mlen == b->mlen &&
	       memcmp(a->items, b->items, a->n * sizeof *a->items) == 0 &&
	       memcmp(a->mgr_key, b->mgr_key, a->mlen) == 0;
}

/* The connection of a pairs table (ctx->pairs_s or pairs_h, whose table nodes' keys
 * point at their connections' pairid) with key q of that hash, or NULL. */
static struct hnode *pair_find(const struct htab *pairs, const struct pairid *q, uint64_t hash)
{
	for (const struct hnode *e = htab_head(pairs, hash); e; e = e->next)
		if (e->hash == hash && pair_same((const struct pairid *)(const void *)e->key, q))
			return (struct hnode *)(uintptr_t)e;
	return NULL;
}

/* The hash of a pairing key, from hashes the tables keep already: the tenant's, each
 * item's table node's (its key names the item within the tenant) and the manager id's.
 * Equal keys hash alike, which is all a table asks; nothing is hashed byte by byte. */
static uint64_t pair_hash(const struct pairid *id, uint64_t mgr_hash)
{
	uint64_t h = id->tenant->h.hash;
	for (size_t i = 0; i <= id->n; i++) {
		h = (h ^ (i < id->n ? id->items[i]->h.hash : mgr_hash)) * 0x9E3779B97F4A7C15ull;
		h ^= h >> 29;
	}
	return h;
}

/* R4.2: same manager, same tenant, equal scopes. */
static void make_pairkey(struct pairkey *pk, const char *mgr_key, uint64_t mgr_hash,
                         const struct tenant *t, struct node *const *items, size_t n)
{
	pk->id.tenant = t;
	pk->id.items = items;
	pk->id.n = n;
	pk->id.mgr_key = mgr_key;
	pk->id.mlen = strlen(mgr_key);
	pk->mgr_hash = mgr_hash;
	pk->hash = pair_hash(&pk->id, mgr_hash);
}

static void undo_detail(avnm_ctx *ctx, void *d, void *unused)
{
	(void)unused;
	detail_free(&ctx->mem, d);
}

static void undo_release(avnm_ctx *ctx, void *d, void *unused)
{
	(void)ctx, (void)unused;
	detail_ref(d);
}

/* Replace a connection's conflict detail (d: a reference the slot takes over); the old
 * one loses the slot's reference now if another holder keeps it alive, else it is freed
 * at commit. */
static int set_detail(avnm_ctx *ctx, struct detail **slot, struct detail *d)
{
	if (d && tx_log(ctx, undo_detail, d, NULL)) {
		detail_free(&ctx->mem, d);
		return AVNM_E_NO_MEMORY;
	}
	struct detail *old = *slot;
	if (old && old->refs > 1) {
		TRY(tx_log(ctx, undo_release, old, NULL));
		detail_free(&ctx->mem, old);
	} else if (old) {
		TRY(tx_free_later(ctx, old)); /* one block, strings and all */
	}
	return tx_set_ptr(ctx, slot, d);
}

static int state_event(avnm_ctx *ctx, struct sconn *s, struct hconn *h, avnm_state old,
                       avnm_state st)
{
	if (old == st) return 0;
	avnm_event ev = { 0 };
	ev.old_state = old;
	ev.new_state = st;
	if (s) {
		ev.kind = AVNM_EVENT_SCOPE_CONNECTION_STATE;
		ev.manager = s->mgr->display;
		ev.connection = s->name;
		ev.tenant = s->tenant->id;
	} else {
		ev.kind = AVNM_EVENT_HUB_CONNECTION_STATE;
		ev.manager = h->mgr_display;
		ev.connection = h->name;
		ev.tenant = h->tenant->id;
	}
	return tx_event(ctx, &ev);
}

/* Apply an evaluation to one side. A sticky Conflict keeps its old detail. The side
 * that takes the fresh detail last takes it over (*fresh becomes NULL); the others
 * share it. */
static int apply_state(avnm_ctx *ctx, unsigned *state, unsigned *reason,
                       struct detail **slot, avnm_state st, avnm_reason_code code,
                       struct detail **fresh, int last, int conflict_now)
{
	if (code != AVNM_REASON_CONFLICT || conflict_now) {
		struct detail *d = NULL;
		if (code == AVNM_REASON_CONFLICT && *fresh) {
			if (last) {
				d = *fresh;
				*fresh = NULL;
			} else {
				d = detail_ref(*fresh);
			}
		}
		TRY(set_detail(ctx, slot, d));
	}
	TRY(tx_set_uint(ctx, state, (unsigned)st));
	return tx_set_uint(ctx, reason, (unsigned)code);
}

static int set_holds(avnm_ctx *ctx, struct sconn *s, int holds)
{
	if (s->holds == holds) return 0;
	for (size_t i = 0; i < s->nitems; i++)
		TRY(holds ? hold_add(ctx, s->items[i], s->mgr, s) : hold_remove(ctx, s->items[i], s->mgr, s));
	return tx_set_int(ctx, &s->holds, holds);
}

/* One side (s or h) takes the state the facts give it, with its event. */
static int settle(avnm_ctx *ctx, struct sconn *s, struct hconn *h, avnm_consent_facts *f,
                  struct detail **detail, int last, avnm_state *out)
{
	unsigned *state = s ? &s->state : &h->state, *reason = s ? &s->reason : &h->reason;
	TRY(s ? tx_mark(ctx, REC_SCONN, s, &s->mark) : tx_mark(ctx, REC_HCONN, h, &h->mark));
	avnm_state old = (avnm_state)*state;
	f->previous = old;
	f->previous_implied = *reason == AVNM_REASON_CONNECTED_IMPLIED;
	avnm_reason_code code;
	*out = avnm_consent_evaluate(f, &code);
	TRY(apply_state(ctx, state, reason, s ? &s->detail : &h->detail, *out, code, detail, last,
	                f->conflict));
	return state_event(ctx, s, h, old, *out);
}

/* Evaluate the pair behind key after an event (R4.4). fresh: the event clears a
 * sticky Conflict (a side (re)created, or re-evaluation asked). */
/* The facts of the pair behind a key, gathered once for both sides. */
struct pair {
	struct sconn *s;
	struct hconn *h;
	struct manager *m;
	int implied, conflict, live_s;
	struct detail *detail; /* of the conflict, if any: the caller frees what no side took */
};

static int gather_pair(avnm_ctx *ctx, const struct hnode *pair, struct pair *p)
{
	memset(p, 0, sizeof *p);
	/* both sides share the key, hashed when the connection was made */
	const struct pairid *q = (const struct pairid *)(const void *)pair->key;
	struct hnode *e = pair_find(&ctx->pairs_s, q, pair->hash);
	p->s = e ? CONTAINER(e, struct sconn, h_pair) : NULL;
	e = pair_find(&ctx->pairs_h, q, pair->hash);
	p->h = e ? CONTAINER(e, struct hconn, h_pair) : NULL;
	if (!p->s && !p->h) return 0;
	p->m = p->s ? p->s->mgr : manager_find(ctx, p->h->mgr_key);
	struct tenant *t = p->s ? p->s->tenant : p->h->tenant;
	struct node *const *items = p->s ? p->s->items : p->h->items;
	size_t n = p->s ? p->s->nitems : p->h->nitems;
	p->implied = local_covers(p->m, t, items, n);
	p->live_s = p->s && !p->s->rejected;
	if (p->live_s && p->h && p->m && !p->implied) {
		int rc = find_conflicts_as(ctx, p->m->key, p->m->accesses, items, n, 0, &p->detail);
		if (rc && rc != AVNM_E_CONFLICT) return rc;
		p->conflict = rc == AVNM_E_CONFLICT;
	}
	return 0;
}

/* The facts of one side (hub: the hub connection), all but its previous state. */
static avnm_consent_facts side_facts(const struct pair *p, int hub, int fresh)
{
	avnm_consent_facts f = { 0 };
	f.implied = p->implied;
	f.conflict = p->conflict;
	f.fresh = fresh;
	if (!hub) {
		f.rejected = p->s->rejected;
		f.manager_exists = 1;
		f.counterpart = p->h != NULL;
	} else {
		f.manager_exists = p->m != NULL;
		f.counterpart = p->live_s;
		f.counterpart_rejected = p->s && p->s->rejected;
	}
	return f;
}

static int holds_now(const struct sconn *s)
{
	return s->state == AVNM_STATE_CONNECTED && s->reason == AVNM_REASON_CONNECTED;
}

int eval_pair(avnm_ctx *ctx, const struct hnode *pair, int fresh)
{
	struct pair p;
	TRY(gather_pair(ctx, pair, &p));
	int rc = 0;
	avnm_state st;
	if (p.s) {
		avnm_consent_facts f = side_facts(&p, 0, fresh);
		rc = settle(ctx, p.s, NULL, &f, &p.detail, p.h == NULL, &st);
	}
	if (!rc && p.h) {
		avnm_consent_facts f = side_facts(&p, 1, fresh);
		rc = settle(ctx, NULL, p.h, &f, &p.detail, 1, &st);
	}
	/* Both sides have their state before the scope moves: events tell the pair's change,
	 * then what it did to the effective scope. */
	if (!rc && p.s) rc = set_holds(ctx, p.s, holds_now(p.s));
	detail_free(&ctx->mem, p.detail);
	return rc;
}

int pair_consistent(avnm_ctx *ctx, const struct hnode *pair, unsigned *bad)
{
	struct pair p;
	TRY(gather_pair(ctx, pair, &p));
	*bad = 0;
	for (int hub = 0; hub < 2; hub++) {
		unsigned *state = hub ? (p.h ? &p.h->state : NULL) : (p.s ? &p.s->state : NULL);
		unsigned *reason = hub ? (p.h ? &p.h->reason : NULL) : (p.s ? &p.s->reason : NULL);
		if (!state) continue;
		avnm_consent_facts f = side_facts(&p, hub, 0);
		f.previous = (avnm_state)*state;
		f.previous_implied = *reason == AVNM_REASON_CONNECTED_IMPLIED;
		avnm_reason_code code;
		/* the state, and the reason, which the facts give too, but for Revoked: whether
		 * it lapsed from an implied consent is history (R4.5a) */
		if (avnm_consent_evaluate(&f, &code) != (avnm_state)*state ||
		    (*state != AVNM_STATE_REVOKED && (unsigned)code != *reason))
			*bad |= hub ? PAIR_BAD_HUB : PAIR_BAD_SCOPE;
	}
	if (p.s && p.s->holds != holds_now(p.s)) *bad |= PAIR_BAD_SCOPE;
	detail_free(&ctx->mem, p.detail);
	return 0;
}

int reevaluate_manager_conns(avnm_ctx *ctx, const char *mgr_key)
{
	struct manager *m = manager_find(ctx, mgr_key);
	if (m) {
		size_t pos = 0;
		struct hnode *e = NULL;
		while ((e = htab_iter(&m->sconns, &pos, e)) != NULL)
			TRY(eval_pair(ctx, &CONTAINER(e, struct sconn, h)->h_pair, 0));
	}
	struct hnode *e = htab_find(&ctx->hubs_by_mgr, mgr_key, strlen(mgr_key));
	if (e) {
		struct hubset *set = CONTAINER(e, struct hubset, h);
		for (struct dl *x = set->hubs.next; x != &set->hubs; x = x->next)
			TRY(eval_pair(ctx, &CONTAINER(x, struct hconn, in_mgr)->h_pair, 0));
	}
	return 0;
}

/* After a move in t: only connections of managers at home in t can be implied. */
int reevaluate_tenant_conns(avnm_ctx *ctx, struct tenant *t)
{
	for (struct dl *x = t->sconns.next; x != &t->sconns; x = x->next) {
		struct sconn *s = CONTAINER(x, struct sconn, in_tenant);
		if (s->mgr->home == t) TRY(eval_pair(ctx, &s->h_pair, 0));
	}
	for (struct dl *x = t->hubs.next; x != &t->hubs; x = x->next) {
		struct hconn *h = CONTAINER(x, struct hconn, in_tenant);
		struct manager *m = manager_find(ctx, h->mgr_key);
		if (m && m->home == t) TRY(eval_pair(ctx, &h->h_pair, 0));
	}
	return 0;
}

/* ---- scope connections (manager side) ---------------------------------------------- */

struct sconn *sconn_find(struct manager *m, const char *name)
{
	struct hnode *h = htab_find_lower(&m->sconns, name, strlen(name));
	return h ? CONTAINER(h, struct sconn, h) : NULL;
}

static int need_scope(avnm_ctx *ctx, const avnm_scope *scope)
{
	if (!scope || !scope->n)
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "a connection's scope must not be empty (R1.6)");
	return 0;
}

/* Scope items a connection is being made of: on the stack while they are few. */
#define ITEMS_STACK 16

/* Room for a scope's n nodes while a connection is made (it copies them): few, the
 * caller's ITEMS_STACK entries, when they fit, else the heap. items_done gives it back. */
static struct node **items_room(avnm_ctx *ctx, struct node **few, size_t n)
{
	return n <= ITEMS_STACK ? few : mem_alloc(&ctx->mem, n * sizeof *few);
}

static void items_done(avnm_ctx *ctx, struct node **items, struct node **few)
{
	if (items != few) mem_free(&ctx->mem, items);
}

/* The checks that need the scope's nodes, and the link: items is the caller's array of
 * scope->n entries, which the connection copies. */
static int sconn_make(avnm_ctx *ctx, struct sconn **s, struct manager *m, const char *name,
                      struct tenant *t, const avnm_scope *scope, struct node **items)
{
	TRY(scope_nodes_into(ctx, items, scope, t, "scope connection"));
	struct sconn *old = sconn_find(m, name);
	if (old)
		return set_error(ctx, AVNM_E_EXISTS, "network manager %s has a scope connection %s already",
		                 m->display, old->name);
	return sconn_link(ctx, s, m, name, t, items, scope->n);
}

static int sconn_create(avnm_ctx *ctx, const char *as, const char *mgr_id, const char *name,
                        const char *tenant, const avnm_scope *scope)
{
	struct idparts p;
	struct tenant *t;
	struct manager *m;
	TRY(manager_ref(ctx, &p, &m, mgr_id, as));
	TRY(arg_name(ctx, "scope connection", name));
	TRY(arg_tenant(ctx, &t, tenant, 0));
	TRY(need_scope(ctx, scope));
	TRY(authz_manager_write(ctx, as, &p, 0, "R6.2"));
	TRY(authz_items_write(ctx, as, t, tenant, scope));
	if (!m) m = manager_find(ctx, p.key);
	if (!m) return set_error(ctx, AVNM_E_NOT_FOUND, "network manager %s does not exist", p.display);
	TRY(tenant_required(ctx, t, tenant));
	struct node *few[ITEMS_STACK], **items = items_room(ctx, few, scope->n);
	TRY_MEM(ctx, items);
	struct sconn *s = NULL;
	int rc = sconn_make(ctx, &s, m, name, t, scope, items);
	items_done(ctx, items, few);
	return rc ? rc : eval_pair(ctx, &s->h_pair, 1);
}

static int sconn_place(avnm_ctx *ctx, struct sconn **out, struct manager *m, const char *name,
                       struct tenant *t, struct node *const *items, size_t n,
                       const struct pairkey *pk);

int sconn_link(avnm_ctx *ctx, struct sconn **out, struct manager *m, const char *name,
               struct tenant *t, struct node *const *items, size_t n)
{
	struct pairkey pk;
	make_pairkey(&pk, m->key, m->h.hash, t, items, n);
	struct hnode *twin = pair_find(&ctx->pairs_s, &pk.id, pk.hash);
	return twin ? set_error(ctx, AVNM_E_EXISTS,
	                        "scope connection %s of network manager %s has the same tenant and "
	                        "scope already (R4.9)", CONTAINER(twin, struct sconn, h_pair)->name,
	                        m->display)
	            : sconn_place(ctx, out, m, name, t, items, n, &pk);
}

/* sconn_link without the check: one block for the connection, its items, name and keys. */
static int sconn_place(avnm_ctx *ctx, struct sconn **out, struct manager *m, const char *name,
                       struct tenant *t, struct node *const *items, size_t n,
                       const struct pairkey *pk)
{
	size_t nl = strlen(name);
	/* one block: the connection, its items, its name and key */
	struct sconn *s = tx_alloc(ctx, sizeof *s + n * sizeof *items + 2 * (nl + 1));
	TRY_MEM(ctx, s);
	s->serial = next_serial(ctx);
	s->mgr = m;
	s->tenant = t;
	s->items = (struct node **)(void *)(s + 1);
	memcpy(s->items, items, n * sizeof *items);
	s->nitems = n;
	char *at = (char *)(s->items + n);
	s->name = blk_put(&at, name, nl);
	s->hkey = blk_put(&at, name, nl);
	s->pid = pk->id;
	s->pid.items = s->items;
	ascii_lower(s->hkey, s->hkey, nl);
	TRY(tx_hinsert(ctx, &m->sconns, &s->h, s->hkey, nl));
	TRY(tx_hinsert_hashed(ctx, &ctx->pairs_s, &s->h_pair, (const char *)(const void *)&s->pid,
	                      sizeof s->pid, pk->hash));
	TRY(tx_dl_append(ctx, &t->sconns, &s->in_tenant));
	TRY(tx_mark(ctx, REC_SCONN, s, &s->mark));
	*out = s;
	return 0;
}

int sconn_restore(avnm_ctx *ctx, struct sconn *s, avnm_state st, avnm_reason_code code,
                  int rejected, int holds, struct detail *detail)
{
	TRY(set_detail(ctx, &s->detail, detail));
	TRY(tx_set_uint(ctx, &s->state, (unsigned)st));
	TRY(tx_set_uint(ctx, &s->reason, (unsigned)code));
	TRY(tx_set_int(ctx, &s->rejected, rejected));
	return set_holds(ctx, s, holds);
}

int avnm_scope_connection_create(avnm_ctx *ctx, const char *as, const char *manager_id,
                                 const char *name, const char *tenant, const avnm_scope *scope)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, sconn_create(ctx, as, manager_id, name, tenant, scope));
}

int sconn_delete_internal(avnm_ctx *ctx, struct sconn *s)
{
	TRY(tx_mark(ctx, REC_SCONN, s, &s->mark));
	TRY(set_holds(ctx, s, 0));
	TRY(state_event(ctx, s, NULL, (avnm_state)s->state, AVNM_STATE_NONE));
	TRY(tx_hremove(ctx, &s->mgr->sconns, &s->h));
	TRY(tx_hremove(ctx, &ctx->pairs_s, &s->h_pair));
	TRY(tx_dl_unlink(ctx, &s->in_tenant));
	TRY(set_detail(ctx, &s->detail, NULL));
	TRY(tx_free_later(ctx, s)); /* items, name and keys are in its block */
	/* The counterpart reacts (R4.4, R4.7). */
	return eval_pair(ctx, &s->h_pair, 0);
}

/* Find scope connection `name` of the manager named by p (after authorization). */
static int sconn_lookup(avnm_ctx *ctx, struct sconn **out, const struct idparts *p, const char *name)
{
	struct manager *m = manager_find(ctx, p->key);
	if (!m) return set_error(ctx, AVNM_E_NOT_FOUND, "network manager %s does not exist", p->display);
	*out = sconn_find(m, name);
	if (!*out)
		return set_error(ctx, AVNM_E_NOT_FOUND, "network manager %s has no scope connection %s",
		                 m->display, name);
	return 0;
}

/* A connection's own scope as a value, for the R6 checks on an existing one. */
static int items_scope(avnm_ctx *ctx, avnm_scope **out, struct node *const *items, size_t n)
{
	TRY(avnm_scope_new(out, ctx));
	for (size_t i = 0; i < n; i++) {
		int rc = avnm_scope_add(*out, items[i]->display);
		if (rc) {
			avnm_scope_free(*out);
			*out = NULL;
			return rc;
		}
	}
	return 0;
}

static int authz_existing(avnm_ctx *ctx, const char *as, struct tenant *t,
                          struct node *const *items, size_t n)
{
	if (!as) return 0;
	avnm_scope *sc;
	TRY(items_scope(ctx, &sc, items, n));
	int rc = authz_items_write(ctx, as, t, t->id, sc);
	avnm_scope_free(sc);
	return rc;
}

static int sconn_delete(avnm_ctx *ctx, const char *as, const char *mgr_id, const char *name)
{
	struct idparts p;
	struct sconn *s;
	TRY(manager_arg(ctx, &p, mgr_id));
	TRY(arg_name(ctx, "scope connection", name));
	TRY(authz_manager_write(ctx, as, &p, 0, "R6.2"));
	TRY(sconn_lookup(ctx, &s, &p, name));
	TRY(authz_existing(ctx, as, s->tenant, s->items, s->nitems));
	return sconn_delete_internal(ctx, s);
}

int avnm_scope_connection_delete(avnm_ctx *ctx, const char *as, const char *manager_id,
                                 const char *name)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, sconn_delete(ctx, as, manager_id, name));
}

static int sconn_reject(avnm_ctx *ctx, const char *as, const char *tenant, const char *mgr_id,
                        const char *name)
{
	struct idparts p;
	struct tenant *t;
	TRY(arg_tenant(ctx, &t, tenant, 0));
	TRY(manager_arg(ctx, &p, mgr_id));
	TRY(arg_name(ctx, "scope connection", name));
	TRY(authz_items_write(ctx, as, t, tenant, NULL));
	TRY(tenant_required(ctx, t, tenant));
	struct manager *m = manager_find(ctx, p.key);
	struct sconn *s = m ? sconn_find(m, name) : NULL;
	/* The target tenant sees only connections to itself, and learns that one does not
	 * exist only with rights over the whole tenant (R4.11, R7). */
	if (!s || s->tenant != t) {
		TRY(authz_root_write(ctx, as, t));
		return set_error(ctx, AVNM_E_NOT_FOUND,
		                 "there is no scope connection %s of network manager %s to tenant %s", name,
		                 p.display, t->id);
	}
	TRY(authz_existing(ctx, as, t, s->items, s->nitems));
	if (s->state != AVNM_STATE_PENDING)
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT,
		                 "scope connection %s is %s, not Pending: only a Pending connection can be "
		                 "rejected; a connected tenant withdraws by deleting its hub connection (R4.8)",
		                 s->name, avnm_state_name((avnm_state)s->state));
	TRY(tx_set_int(ctx, &s->rejected, 1));
	return eval_pair(ctx, &s->h_pair, 0); /* marks s */
}

int avnm_scope_connection_reject(avnm_ctx *ctx, const char *as, const char *tenant,
                                 const char *manager_id, const char *name)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, sconn_reject(ctx, as, tenant, manager_id, name));
}

static int sconn_reevaluate(avnm_ctx *ctx, const char *as, const char *mgr_id, const char *name)
{
	struct idparts p;
	struct sconn *s;
	TRY(manager_arg(ctx, &p, mgr_id));
	TRY(arg_name(ctx, "scope connection", name));
	TRY(authz_manager_write(ctx, as, &p, 0, "R6.6"));
	TRY(sconn_lookup(ctx, &s, &p, name));
	return eval_pair(ctx, &s->h_pair, 1);
}

int avnm_scope_connection_reevaluate(avnm_ctx *ctx, const char *as, const char *manager_id,
                                     const char *name)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, sconn_reevaluate(ctx, as, manager_id, name));
}

static int give_state(avnm_ctx *ctx, avnm_state *state, avnm_reason **reason, avnm_state st,
                      avnm_reason_code code, const struct detail *d, const char *mgr,
                      const char *conn)
{
	if (state) *state = st;
	if (!reason) return 0;
	*reason = state_reason(ctx, st, code, d, mgr, conn);
	return *reason ? 0 : set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
}

int sconn_state_locked(avnm_ctx *ctx, avnm_state *state, avnm_reason **reason, const char *mgr_id,
                       const char *name)
{
	struct idparts p;
	struct sconn *s;
	TRY(manager_arg(ctx, &p, mgr_id));
	TRY(arg_name(ctx, "scope connection", name));
	TRY(sconn_lookup(ctx, &s, &p, name));
	return give_state(ctx, state, reason, (avnm_state)s->state, (avnm_reason_code)s->reason, s->detail, s->mgr->display, s->name);
}

int avnm_scope_connection_state(avnm_state *state, avnm_reason **reason, avnm_ctx *ctx,
                                const char *manager_id, const char *name)
{
	if (reason) *reason = NULL;
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	rd_begin(ctx);
	int rc = sconn_state_locked(ctx, state, reason, manager_id, name);
	rd_end(ctx);
	return rc;
}

/* ---- hub connections (target side) ------------------------------------------------- */

/* A hub connection's key in ctx->hubs: names are unique per tenant (R4.11) and compare
 * case-insensitively. 0 (and k empty) if it does not fit, which no valid name does. */
static size_t hub_key(char k[HUB_KEY_MAX], const struct tenant *t, const char *name)
{
	size_t len = tenant_key(k, HUB_KEY_MAX, "", 0, t->id, name);
	ascii_lower(k, k, len);
	return len;
}

struct hconn *hub_find(avnm_ctx *ctx, const struct tenant *t, const char *name)
{
	char k[HUB_KEY_MAX];
	size_t len = hub_key(k, t, name);
	struct hnode *h = len ? htab_find(&ctx->hubs, k, len) : NULL;
	return h ? CONTAINER(h, struct hconn, h) : NULL;
}

/* The checks that need the scope's nodes, and the link (as sconn_make). */
static int hub_make(avnm_ctx *ctx, struct hconn **h, struct tenant *t, const char *name,
                    const struct idparts *mgr, const avnm_scope *scope, struct node **items)
{
	TRY(scope_nodes_into(ctx, items, scope, t, "hub connection"));
	struct hconn *old = hub_find(ctx, t, name);
	if (old)
		return set_error(ctx, AVNM_E_EXISTS, "tenant %s has a hub connection %s already", t->id,
		                 old->name);
	return hconn_link(ctx, h, t, name, mgr, items, scope->n);
}

static int hub_create(avnm_ctx *ctx, const char *as, const char *tenant, const char *name,
                      const avnm_scope *scope, const char *mgr_id)
{
	struct idparts p;
	struct tenant *t;
	TRY(arg_tenant(ctx, &t, tenant, 0));
	TRY(arg_name(ctx, "hub connection", name));
	TRY(need_scope(ctx, scope));
	struct manager *named; /* the hub connection keeps only its id */
	TRY(manager_ref(ctx, &p, &named, mgr_id, as));
	TRY(authz_items_write(ctx, as, t, tenant, scope));
	TRY(tenant_required(ctx, t, tenant));
	struct node *few[ITEMS_STACK], **items = items_room(ctx, few, scope->n);
	TRY_MEM(ctx, items);
	struct hconn *h = NULL;
	int rc = hub_make(ctx, &h, t, name, &p, scope, items);
	items_done(ctx, items, few);
	return rc ? rc : eval_pair(ctx, &h->h_pair, 1);
}

static int hconn_place(avnm_ctx *ctx, struct hconn **out, struct tenant *t, const char *name,
                       const struct idparts *mgr, struct node *const *items, size_t n,
                       const struct pairkey *pk);

int hconn_link(avnm_ctx *ctx, struct hconn **out, struct tenant *t, const char *name,
               const struct idparts *mgr, struct node *const *items, size_t n)
{
	struct pairkey pk;
	make_pairkey(&pk, mgr->key, hash_bytes(mgr->key, strlen(mgr->key)), t, items, n);
	struct hnode *twin = pair_find(&ctx->pairs_h, &pk.id, pk.hash);
	return twin ? set_error(ctx, AVNM_E_EXISTS,
	                        "hub connection %s of tenant %s has the same scope and manager "
	                        "already (R4.9)", CONTAINER(twin, struct hconn, h_pair)->name, t->id)
	            : hconn_place(ctx, out, t, name, mgr, items, n, &pk);
}

/* hconn_link without the check: one block for the connection, its items and strings. */
static int hconn_place(avnm_ctx *ctx, struct hconn **out, struct tenant *t, const char *name,
                       const struct idparts *mgr, struct node *const *items, size_t n,
                       const struct pairkey *pk)
{
	char k[HUB_KEY_MAX];
	size_t kl = hub_key(k, t, name), nl = strlen(name), ml = strlen(mgr->key);
	/* one block: the connection, its items, its name, key and the manager's id */
	struct hconn *h = tx_alloc(ctx, sizeof *h + n * sizeof *items + nl + 1 + kl + 1 +
	                                    2 * (ml + 1));
	TRY_MEM(ctx, h);
	h->serial = next_serial(ctx);
	h->tenant = t;
	h->items = (struct node **)(void *)(h + 1);
	memcpy(h->items, items, n * sizeof *items);
	h->nitems = n;
	char *at = (char *)(h->items + n);
	h->name = blk_put(&at, name, nl);
	h->hkey = blk_put(&at, k, kl);
	h->mgr_key = blk_put(&at, mgr->key, ml);
	h->mgr_display = blk_put(&at, mgr->display, ml);
	h->pid = pk->id;
	h->pid.items = h->items;
	h->pid.mgr_key = h->mgr_key;
	TRY(tx_hinsert(ctx, &ctx->hubs, &h->h, h->hkey, kl));
	TRY(tx_hinsert_hashed(ctx, &ctx->pairs_h, &h->h_pair, (const char *)(const void *)&h->pid,
	                      sizeof h->pid, pk->hash));
	struct hnode *e = htab_find_hashed(&ctx->hubs_by_mgr, h->mgr_key, ml, pk->mgr_hash);
	struct hubset *set = e ? CONTAINER(e, struct hubset, h) : NULL;
	if (!set) {
		TRY_MEM(ctx, set = tx_alloc(ctx, sizeof *set + ml + 1));
		at = (char *)(set + 1);
		set->key = blk_put(&at, h->mgr_key, ml);
		dl_init(&set->hubs);
		TRY(tx_hinsert_hashed(ctx, &ctx->hubs_by_mgr, &set->h, set->key, ml, pk->mgr_hash));
	}
	h->set = set;
	dl_init(&h->in_mgr);
	TRY(tx_dl_append(ctx, &set->hubs, &h->in_mgr));
	TRY(tx_dl_append(ctx, &t->hubs, &h->in_tenant));
	TRY(tx_mark(ctx, REC_HCONN, h, &h->mark));
	*out = h;
	return 0;
}

int hconn_restore(avnm_ctx *ctx, struct hconn *h, avnm_state st, avnm_reason_code code,
                  struct detail *detail)
{
	TRY(set_detail(ctx, &h->detail, detail));
	TRY(tx_set_uint(ctx, &h->state, (unsigned)st));
	return tx_set_uint(ctx, &h->reason, (unsigned)code);
}

int avnm_hub_connection_create(avnm_ctx *ctx, const char *as, const char *tenant, const char *name,
                               const avnm_scope *scope, const char *manager_id)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, hub_create(ctx, as, tenant, name, scope, manager_id));
}

static int hub_lookup(avnm_ctx *ctx, struct hconn **out, struct tenant *t, const char *name)
{
	*out = hub_find(ctx, t, name);
	if (!*out)
		return set_error(ctx, AVNM_E_NOT_FOUND, "tenant %s has no hub connection %s", t->id, name);
	return 0;
}

static int hub_delete(avnm_ctx *ctx, const char *as, const char *tenant, const char *name)
{
	struct tenant *t;
	struct hconn *h;
	TRY(arg_tenant(ctx, &t, tenant, 0));
	TRY(arg_name(ctx, "hub connection", name));
	TRY(authz_items_write(ctx, as, t, tenant, NULL));
	TRY(tenant_required(ctx, t, tenant));
	if (!(h = hub_find(ctx, t, name))) {
		TRY(authz_root_write(ctx, as, t)); /* R7, as in reject */
		return hub_lookup(ctx, &h, t, name);  /* not-found, with its message */
	}
	TRY(authz_existing(ctx, as, t, h->items, h->nitems));
	TRY(tx_mark(ctx, REC_HCONN, h, &h->mark));
	TRY(state_event(ctx, NULL, h, (avnm_state)h->state, AVNM_STATE_NONE));
	TRY(tx_hremove(ctx, &ctx->hubs, &h->h));
	TRY(tx_hremove(ctx, &ctx->pairs_h, &h->h_pair));
	TRY(tx_dl_unlink(ctx, &h->in_mgr));
	if (DL_EMPTY(&h->set->hubs)) {
		TRY(tx_hremove(ctx, &ctx->hubs_by_mgr, &h->set->h));
		TRY(tx_free_later(ctx, h->set)); /* its key is in its block */
	}
	TRY(tx_dl_unlink(ctx, &h->in_tenant));
	TRY(set_detail(ctx, &h->detail, NULL));
	TRY(tx_free_later(ctx, h)); /* items and strings are in its block */
	return eval_pair(ctx, &h->h_pair, 0);
}

int avnm_hub_connection_delete(avnm_ctx *ctx, const char *as, const char *tenant, const char *name)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, hub_delete(ctx, as, tenant, name));
}

int hub_state_locked(avnm_ctx *ctx, avnm_state *state, avnm_reason **reason, const char *tenant,
                     const char *name)
{
	struct tenant *t;
	struct hconn *h;
	TRY(arg_tenant(ctx, &t, tenant, 1));
	TRY(arg_name(ctx, "hub connection", name));
	TRY(hub_lookup(ctx, &h, t, name));
	return give_state(ctx, state, reason, (avnm_state)h->state, (avnm_reason_code)h->reason, h->detail, h->mgr_display, h->name);
}

int avnm_hub_connection_state(avnm_state *state, avnm_reason **reason, avnm_ctx *ctx,
                              const char *tenant, const char *name)
{
	if (reason) *reason = NULL;
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	rd_begin(ctx);
	int rc = hub_state_locked(ctx, state, reason, tenant, name);
	rd_end(ctx);
	return rc;
}
