/* Questions (R3.2, R3.4, R4.3): who manages what now. Read-only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int one_access(avnm_ctx *ctx, unsigned a)
{
	if (!avnm_access_name(a))
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "exactly one known scope access is required (got 0x%x)", a);
	return 0;
}

/* A scope connection of m to n's tenant that would cover n if it were Connected. */
static const struct sconn *covering_unconnected(const struct manager *m, const struct node *n)
{
	const struct tenant *t = n->tenant;
	for (const struct dl *x = t->sconns.next; x != &t->sconns; x = x->next) {
		const struct sconn *s = CONTAINER(x, const struct sconn, in_tenant);
		if (s->mgr != m || s->holds) continue;
		for (size_t i = 0; i < s->nitems; i++)
			if (node_covers(s->items[i], n)) return s;
	}
	return NULL;
}

/* A question about a network, walked ahead of its answer (avnm_can_manage_many,
 * below): what its steps found, which the answer takes over (place) instead of
 * computing it again. */
struct ahead {
	const char *res;
	size_t len;             /* strnlen(res, ID_MAX + 1) */
	uint64_t g[2];          /* the GUID's bits at res + VNET_SUB_AT */
	struct qslot *q;        /* where its slot's run starts; NULL: not a network id of
	                         * the fast path */
	const struct node *n;   /* its node, when its slot's copy is stale; else NULL */
};

/* What place computes from the id res alone: its length *len and, when it is long enough
 * to be a network id, its GUID's bits g and where its slot's run starts, *q, which is
 * asked for with the slot after it. Returns 1 then, else 0 (g and *q left as they were). */
static int id_slot(const avnm_ctx *ctx, const char *res, size_t *len, uint64_t g[2],
                   struct qslot **q)
{
	*len = strnlen(res, ID_MAX + 1);
	if (*len <= VNET_SUB_AT + GUID_LEN) return 0;
	guid_bits(res + VNET_SUB_AT, g);
	*q = qslot_of(ctx, g);
	PREFETCH(*q);
	PREFETCH(*q + 1); /* (past the end: a prefetch never faults) */
	return 1;
}

/* The node placing res (R2.6), and when it is found (not NULL) its flat holder list
 * (flat_of) in *fl. When no reason needs the id as the caller named it (fast), a
 * well-formed network id is placed by the subscription in it, registered or not, after
 * a check of its form only (vnet_id_sub), through the table of subscriptions by GUID:
 * neither the parser nor the tables of networks and nodes are touched, and when the
 * subscription's slot has a good copy of its flat list, neither is the node. Else a
 * registered network by its id without parsing it (*v set), else through the parser
 * (rp filled, *v NULL). *node NULL: an unknown subscription. pre (NULL for a question
 * asked alone): res walked ahead. */
static int place(avnm_ctx *ctx, struct node **node, struct flatlist *fl, const struct vnet **v,
                 struct idparts *rp, const char *res, const char *tenant, int fast,
                 const struct ahead *pre)
{
	*v = NULL;
	if (!tenant && fast && res) {
		/* the subscription's slot is fetched while the id's form is checked
		 * (vnet_id_sub accepts no shorter id) */
		size_t n;
		uint64_t g[2];
		struct qslot *q = NULL;
		if (pre) {
			n = pre->len;
			g[0] = pre->g[0];
			g[1] = pre->g[1];
			q = pre->q;
		} else {
			(void)id_slot(ctx, res, &n, g, &q);
		}
		if (n > VNET_SUB_AT + GUID_LEN) {
			if (vnet_id_sub(res, n)) {
				q = qslot_find(ctx, q, g);
				*node = q ? atomic_load_explicit(&q->node, memory_order_relaxed) : NULL;
				if (!q) {
					fl->k = 0;
				} else if (!qslot_read(ctx, q, fl)) {
					fl->k = flat_of(ctx, *node, fl->m);
					qslot_fill(ctx, q, fl);
				} else if (fl->k == QSLOT_NODE) {
					fl->k = flat_of(ctx, *node, fl->m);
				}
				return 0;
			}
		}
	}
	if (tenant) {
		TRY(resolve_resource(ctx, rp, node, res, tenant));
	} else {
		struct hnode *h = htab_find_id(&ctx->vnets, res);
		if (h) {
			*v = CONTAINER(h, const struct vnet, h);
			*node = (*v)->sub;
		} else {
			TRY(resolve_resource(ctx, rp, node, res, tenant));
		}
	}
	if (*node) fl->k = flat_of(ctx, *node, fl->m);
	return 0;
}

/* The resource as the caller named it, for a reason: built only when one is asked for. */
static const char *placed_display(const struct vnet *v, struct idparts *rp)
{
	return v ? vnet_display(v, rp->display) : rp->display;
}

static int decide(int *allowed, avnm_reason **reason, avnm_ctx *ctx, const char *mgr_id,
                  const char *res, unsigned access, const char *tenant, const struct ahead *pre)
{
	struct idparts mp, rp;
	struct node *node;
	struct flatlist fl;
	const struct vnet *v;
	TRY(one_access(ctx, access));
	struct hnode *mh = htab_find_id(&ctx->managers, mgr_id);
	if (!mh) TRY(manager_arg(ctx, &mp, mgr_id));
	TRY(place(ctx, &node, &fl, &v, &rp, res, tenant, reason == NULL, pre));
	if (!mh && !(mh = htab_find(&ctx->managers, mp.key, mp.len)))
		return set_error(ctx, AVNM_E_NOT_FOUND, "network manager %s does not exist", mp.display);
	struct manager *m = CONTAINER(mh, struct manager, h);
	*allowed = (m->accesses & access) && node && covered_by_flat(node, &fl, m);
	if (!reason) return 0;

	/* the reason: which item of the chain is held, and how */
	const char *rdisplay = placed_display(v, &rp);
	const char *an = avnm_access_name(access);
	const struct holding *h = NULL;
	const struct node *at = NULL;
	if (*allowed)
		for (at = node; at && !(h = held_by(at, m)); at = at->parent) {}
	avnm_reason *r;
	char acc[128];
	if (h && !h->via) {
		r = reason_new(&ctx->mem, AVNM_REASON_ALLOW_LOCAL_SCOPE);
		reason_part(r, AVNM_PART_MANAGER, m->display);
		reason_part(r, AVNM_PART_ITEM, at->display);
		reason_text(r, "allowed: %s is covered by %s in the local scope of network manager %s, "
		               "which has %s access", rdisplay, at->display, m->display, an);
	} else if (h) {
		r = reason_new(&ctx->mem, AVNM_REASON_ALLOW_CONNECTION);
		reason_part(r, AVNM_PART_MANAGER, m->display);
		reason_part(r, AVNM_PART_CONNECTION, h->via->name);
		reason_part(r, AVNM_PART_ITEM, at->display);
		reason_part(r, AVNM_PART_TENANT, at->tenant->id);
		reason_text(r, "allowed: %s is covered by %s of tenant %s through Connected scope "
		               "connection %s of network manager %s, which has %s access", rdisplay,
		            at->display, at->tenant->id, h->via->name, m->display, an);
	} else if (!(m->accesses & access)) {
		r = reason_new(&ctx->mem, AVNM_REASON_DENY_NO_ACCESS);
		reason_part(r, AVNM_PART_MANAGER, m->display);
		reason_part(r, AVNM_PART_ACCESS, an);
		reason_text(r, "denied: network manager %s does not have %s access (it has: %s)",
		            m->display, an, m->accesses ? access_list(acc, sizeof acc, m->accesses) : "none");
	} else if (!node) {
		r = reason_new(&ctx->mem, AVNM_REASON_DENY_UNKNOWN_SUBSCRIPTION);
		reason_part(r, AVNM_PART_SUBSCRIPTION, rp.sub);
		reason_text(r, "denied: subscription %s of %s is not registered, so nothing covers it (R2.6)",
		            rp.sub, rdisplay);
	} else {
		const struct sconn *s = covering_unconnected(m, node);
		if (s) {
			r = reason_new(&ctx->mem, AVNM_REASON_DENY_NOT_CONNECTED);
			reason_part(r, AVNM_PART_MANAGER, m->display);
			reason_part(r, AVNM_PART_CONNECTION, s->name);
			reason_part(r, AVNM_PART_TENANT, s->tenant->id);
			reason_text(r, "denied: scope connection %s of network manager %s would cover %s, but "
			               "it is %s, not Connected", s->name, m->display, rdisplay,
			            avnm_state_name((avnm_state)s->state));
		} else {
			r = reason_new(&ctx->mem, AVNM_REASON_DENY_NOT_COVERED);
			reason_part(r, AVNM_PART_MANAGER, m->display);
			reason_part(r, AVNM_PART_RESOURCE, rdisplay);
			reason_text(r, "denied: no item of the effective scope of network manager %s covers %s",
			            m->display, rdisplay);
		}
	}
	*reason = reason_done(r);
	return *reason ? 0 : set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
}

int avnm_can_manage(int *allowed, avnm_reason **reason, avnm_ctx *ctx, const char *manager_id,
                    const char *resource_id, unsigned int access, const char *tenant)
{
	if (reason) *reason = NULL;
	if (!ctx || !allowed) return AVNM_E_INVALID_ARGUMENT;
	/* the network's id is read after the manager is found: start fetching it now */
	if (resource_id) PREFETCH(resource_id);
	*allowed = 0;
	rd_begin(ctx);
	int rc = decide(allowed, reason, ctx, manager_id, resource_id, access, tenant, NULL);
	rd_end(ctx);
	if (rc) *allowed = 0;
	return rc;
}

/* The managers holding node or a node above it, highest first, each once (R3.4: a
 * manager is listed at its highest item): from its flat list fl, or by walking the
 * chain when that overflowed. Returns how many; fills at most cap. */
static size_t chain_managers(const struct node *node, const struct flatlist *fl,
                             const struct manager **out, size_t cap)
{
	if (fl->k != FLAT_OVER) {
		for (unsigned i = 0; i < fl->k && i < cap; i++) out[i] = fl->m[i];
		return fl->k;
	}
	const struct node *chain[80];
	size_t n = 0, k = 0;
	for (const struct node *x = node; x && n < sizeof chain / sizeof chain[0]; x = x->parent)
		chain[n++] = x;
	for (size_t i = n; i-- > 0;)
		for (const struct holding *h = chain[i]->holders; h; h = h->next) {
			size_t j = 0;
			while (j < k && j < cap && out[j] != h->mgr) j++;
			if (j < k && j < cap) continue;
			if (k < cap) out[k] = h->mgr;
			k++;
		}
	return k;
}

static int managers_of(avnm_list **out, avnm_ctx *ctx, const char *res, unsigned access,
                       const char *tenant, const struct ahead *pre)
{
	struct idparts rp;
	struct node *node;
	struct flatlist fl;
	const struct vnet *v;
	TRY(one_access(ctx, access));
	TRY(place(ctx, &node, &fl, &v, &rp, res, tenant, 1, pre));
	const struct manager *few[64], **all = few;
	size_t n = node ? chain_managers(node, &fl, few, sizeof few / sizeof few[0]) : 0;
	if (n > sizeof few / sizeof few[0]) {
		all = mem_alloc(&ctx->mem, n * sizeof *all);
		TRY_MEM(ctx, all);
		chain_managers(node, &fl, all, n);
	}
	/* those with the access, in order; an empty answer allocates nothing */
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (all[i]->accesses & access) all[k++] = all[i];
	avnm_list *l = k ? list_new(&ctx->mem) : list_empty();
	int rc = l ? 0 : AVNM_E_NO_MEMORY;
	for (size_t i = 0; i < k && rc == 0; i++) rc = list_add(l, all[i]->display, NULL);
	if (all != few) mem_free(&ctx->mem, all);
	if (rc) {
		avnm_list_free(l);
		return set_error(ctx, rc, "out of memory");
	}
	*out = l;
	return 0;
}

int avnm_managers_of(avnm_list **out, avnm_ctx *ctx, const char *resource_id, unsigned int access,
                     const char *tenant)
{
	if (out) *out = NULL;
	if (!ctx || !out) return AVNM_E_INVALID_ARGUMENT;
	/* the network's id is read first thing: fetch it while the lock is taken */
	if (resource_id) PREFETCH(resource_id);
	rd_begin(ctx);
	int rc = managers_of(out, ctx, resource_id, access, tenant, NULL);
	rd_end(ctx);
	return rc;
}

static int cmp_node_ptr(const void *a, const void *b)
{
	const struct node *x = *(const struct node *const *)a, *y = *(const struct node *const *)b;
	return x < y ? -1 : x > y;
}

static int cross_tenant(avnm_list **out, avnm_ctx *ctx, const char *mgr_id)
{
	struct idparts mp;
	TRY(manager_arg(ctx, &mp, mgr_id));
	struct manager *m = manager_find(ctx, mp.key);
	if (!m) return set_error(ctx, AVNM_E_NOT_FOUND, "network manager %s does not exist", mp.display);
	size_t total = 0, pos = 0;
	struct hnode *e = NULL;
	while ((e = htab_iter(&m->sconns, &pos, e)) != NULL) {
		struct sconn *s = CONTAINER(e, struct sconn, h);
		if (s->holds) total += s->nitems;
	}
	struct node **all = mem_alloc(&ctx->mem, (total ? total : 1) * sizeof *all);
	avnm_list *l = list_new(&ctx->mem);
	if (!all || !l) {
		mem_free(&ctx->mem, all);
		avnm_list_free(l);
		return set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
	}
	size_t k = 0;
	pos = 0;
	e = NULL;
	while ((e = htab_iter(&m->sconns, &pos, e)) != NULL) {
		struct sconn *s = CONTAINER(e, struct sconn, h);
		for (size_t i = 0; s->holds && i < s->nitems; i++) all[k++] = s->items[i];
	}
	if (k > 1) qsort(all, k, sizeof *all, cmp_node_ptr);
	int rc = 0;
	for (size_t i = 0; i < k && rc == 0; i++)
		if (i == 0 || all[i] != all[i - 1]) rc = list_add(l, all[i]->display, all[i]->tenant->id);
	mem_free(&ctx->mem, all);
	if (rc) {
		avnm_list_free(l);
		return set_error(ctx, rc, "out of memory");
	}
	*out = l;
	return 0;
}

int avnm_manager_cross_tenant_scopes(avnm_list **out, avnm_ctx *ctx, const char *manager_id)
{
	if (out) *out = NULL;
	if (!ctx || !out) return AVNM_E_INVALID_ARGUMENT;
	rd_begin(ctx);
	int rc = cross_tenant(out, ctx, manager_id);
	rd_end(ctx);
	return rc;
}

/* ---- many questions at once (avnm_can_manage_many, avnm_managers_of_many) ----------
 *
 * At scale a question about a network reads a few cache lines that nothing has read
 * lately, each found from the one before: the id, its subscription's slot, and when the
 * slot's copy is stale, the subscription's node, its tenant and its parent. One
 * question at a time, each waits for its memory in turn. Asked together, the questions
 * after i are walked ahead while i is answered: step k of question
 * i + (AHEAD_STEPS - k) * AHEAD_LAG reads what its step k - 1 asked for AHEAD_LAG
 * questions earlier, and asks for what step k + 1 will read, so the waits of a dozen
 * questions overlap. Besides what place computes from the id alone (its length, its
 * GUID's bits, its slot's address), which the answer takes over, the steps only ask
 * (a prefetch never faults, and reading a slot or a node that changes meanwhile, which
 * the read lock rules out anyway, could only ask for a useless line): every answer comes
 * from the same code as one question's.
 */
#define AHEAD_LAG 4
#define AHEAD_STEPS 4
#define AHEAD_RING 32 /* a power of two above AHEAD_STEPS * AHEAD_LAG */

static void ahead_step(const avnm_ctx *ctx, struct ahead *a, unsigned step)
{
	switch (step) {
	case 0: /* the id (a network's is two or three lines) */
		PREFETCH(a->res);
		PREFETCH((const void *)((uintptr_t)a->res + 64));
		PREFETCH((const void *)((uintptr_t)a->res + 127));
		return;
	case 1: /* where its subscription's slot is (as place would find it) */
		(void)id_slot(ctx, a->res, &a->len, a->g, &a->q); /* (a->q stays NULL if not) */
		return;
	case 2: { /* a slot with a good copy is all a question reads; else the node's last
	           * fields */
		const struct qslot *q = a->q ? qslot_near(ctx, a->q, a->g) : NULL;
		if (!q || qslot_peek(ctx, q)) return;
		a->n = atomic_load_explicit(&q->node, memory_order_relaxed);
		PREFETCH(&a->n->tenant);
		PREFETCH(&a->n->flatgen);
		return;
	}
	default: /* its tenant and parent (whose flat list a first question reads) */
		if (!a->n) return;
		PREFETCH(a->n->tenant);
		if (a->n->parent) PREFETCH(&a->n->parent->flatgen);
		return;
	}
}

/* Answer question i (one of avnm_..._many's), walked ahead as pre (NULL: not walked):
 * its code. */
typedef int (*answer_fn)(avnm_ctx *ctx, size_t i, const struct ahead *pre, void *arg);

/* The n questions about res[0..n-1] (tenants[i] too when tenants is not NULL), answered
 * by answer under one read lock, walked ahead as above (those with a tenant are not:
 * place resolves them otherwise). status (may be NULL) gets each one's code. Returns 0,
 * or the first failure's code, with its message prefixed by its index (a later failure
 * does not overwrite it). */
static int many(avnm_ctx *ctx, size_t n, const char *const *res, const char *const *tenants,
                int *status, answer_fn answer, void *arg)
{
	/* (no array of pointers is that long; the loop below counts past n) */
	if (n > SIZE_MAX / sizeof(void *))
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "%zu questions: more than any array holds", n);
	struct ahead ring[AHEAD_RING];
	int first = 0;
	size_t at = 0;
	char msg[sizeof ctx->errmsg];
	rd_begin(ctx);
	for (size_t i = 0; i < n + AHEAD_STEPS * AHEAD_LAG; i++) {
		/* question i enters the walk; those ahead of it move on a step (question j
		 * stays in its ring entry until it is answered, AHEAD_STEPS * AHEAD_LAG
		 * questions later) */
		for (unsigned k = 0; k < AHEAD_STEPS; k++) {
			size_t j = i - (size_t)k * AHEAD_LAG;
			if (j > i || j >= n) continue; /* (j wrapped below 0) */
			struct ahead *a = &ring[j % AHEAD_RING];
			if (k == 0) {
				a->res = (tenants && tenants[j]) ? NULL : res[j];
				a->q = NULL;
				a->n = NULL;
			}
			if (a->res) ahead_step(ctx, a, k);
		}
		if (i < AHEAD_STEPS * AHEAD_LAG) continue;
		size_t q = i - AHEAD_STEPS * AHEAD_LAG;
		const struct ahead *a = &ring[q % AHEAD_RING];
		int rc = answer(ctx, q, a->res ? a : NULL, arg);
		if (status) status[q] = rc;
		if (rc && !first) {
			first = rc;
			at = q;
			avnm_errmsg_copy(ctx, msg, sizeof msg);
		}
	}
	rd_end(ctx);
	if (first) set_error(ctx, first, "question %zu: %s", at, msg);
	return first;
}

struct can_args {
	int *allowed;
	const char *const *mgr, *const *res, *const *tenants;
	const unsigned *access;
};

static int can_one(avnm_ctx *ctx, size_t i, const struct ahead *pre, void *arg)
{
	struct can_args *c = arg;
	c->allowed[i] = 0;
	int rc = decide(&c->allowed[i], NULL, ctx, c->mgr[i], c->res[i], c->access[i],
	                c->tenants ? c->tenants[i] : NULL, pre);
	if (rc) c->allowed[i] = 0;
	return rc;
}

int avnm_can_manage_many(int *allowed, int *status, avnm_ctx *ctx, size_t n,
                         const char *const *manager_ids, const char *const *resource_ids,
                         const unsigned int *accesses, const char *const *tenants)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	if (n && (!allowed || !manager_ids || !resource_ids || !accesses))
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "allowed, manager_ids, resource_ids and accesses are required");
	struct can_args c = { allowed, manager_ids, resource_ids, tenants, accesses };
	return many(ctx, n, resource_ids, tenants, status, can_one, &c);
}

struct mof_args {
	avnm_list **out;
	const char *const *res, *const *tenants;
	const unsigned *access;
};

static int mof_one(avnm_ctx *ctx, size_t i, const struct ahead *pre, void *arg)
{
	struct mof_args *c = arg;
	c->out[i] = NULL;
	return managers_of(&c->out[i], ctx, c->res[i], c->access[i],
	                   c->tenants ? c->tenants[i] : NULL, pre);
}

int avnm_managers_of_many(avnm_list **out, int *status, avnm_ctx *ctx, size_t n,
                          const char *const *resource_ids, const unsigned int *accesses,
                          const char *const *tenants)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	if (n && (!out || !resource_ids || !accesses))
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "out, resource_ids and accesses are required");
	struct mof_args c = { out, resource_ids, tenants, accesses };
	return many(ctx, n, resource_ids, tenants, status, mof_one, &c);
}
