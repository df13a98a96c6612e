/*
 * The world and the questions through libavnm's public API, as an application
 * would use it: ids as strings on every call, the trusted system caller (as =
 * NULL), no reasons asked for in the timed loops (the answer is what is timed).
 */
#include "bench.h"

#include <avnm.h>

#include <stdio.h>
#include <stdlib.h>

/* Memory goes through the context's allocator hooks, counted: that is the
 * libavnm side of "bytes per virtual network". */
static void *count_alloc(void *opaque, size_t n)
{
	return counter_alloc(opaque, n);
}
static void count_free(void *opaque, void *p)
{
	counter_free(opaque, p);
}

static int failed(avnm_ctx *ctx, const char *what, int rc)
{
	fprintf(stderr, "avnm-bench: libavnm: %s: %s: %s\n", what, avnm_error_name(rc),
	        ctx ? avnm_errmsg(ctx) : "");
	return -1;
}

#define TRY(what, call)                                                                      \
	do {                                                                                 \
		int rc_ = (call);                                                            \
		if (rc_ != AVNM_OK) return failed(ctx, what, rc_);                           \
	} while (0)

/* Scope values are inputs, built once like the ids (a caller would keep them). */
struct scopes {
	avnm_scope *mga;                  /* the tenant's mg-a, resolved in each tenant */
	avnm_scope *own[NALLMANAGERS];    /* a manager's own subscription */
};

static int make_scopes(struct scopes *s, const struct world *w)
{
	char item[64];
	if (avnm_scope_new(&s->mga, NULL) || avnm_scope_add(s->mga, MG_A)) return -1;
	for (unsigned i = 0; i < NALLMANAGERS; i++) {
		snprintf(item, sizeof item, "/subscriptions/%s", w->csub[i]);
		if (avnm_scope_new(&s->own[i], NULL) || avnm_scope_add(s->own[i], item)) return -1;
	}
	return 0;
}

static void free_scopes(struct scopes *s)
{
	avnm_scope_free(s->mga);
	for (unsigned i = 0; i < NALLMANAGERS; i++) avnm_scope_free(s->own[i]);
}

static int build(avnm_ctx *ctx, const struct world *w, const struct scopes *sc, size_t *ops)
{
	size_t n = 0;
	TRY("central tenant", avnm_tenant_create(ctx, w->central, "central"));
	n++;
	for (unsigned i = 0; i < NMANAGERS; i++) {
		TRY("central subscription", avnm_subscription_create(ctx, w->central, w->csub[i], NULL));
		TRY("manager", avnm_manager_create(ctx, NULL, w->mgr[i], w->accesses[i],
		                                   w->local_scope[i] ? sc->own[i] : NULL));
		n += 2;
	}
	for (unsigned t = 0; t < w->scale; t++) {
		const char *tid = w->tenant[t];
		TRY("tenant", avnm_tenant_create(ctx, tid, NULL));
		TRY("mg-a", avnm_mg_create(ctx, tid, "mg-a", NULL));
		TRY("mg-b", avnm_mg_create(ctx, tid, "mg-b", "mg-a"));
		TRY("mg-c", avnm_mg_create(ctx, tid, "mg-c", "mg-b"));
		n += 1 + MG_DEPTH;
		for (unsigned j = 0; j < SUBS_PER_TENANT; j++) {
			size_t si = (size_t)t * SUBS_PER_TENANT + j;
			TRY("subscription", avnm_subscription_create(ctx, tid, w->sub[si], "mg-c"));
			for (unsigned k = 0; k < VNETS_PER_SUB; k++)
				TRY("vnet", avnm_vnet_create(ctx, vnet_id(w, si * VNETS_PER_SUB + k), NULL, NULL, 0));
			n += 1 + VNETS_PER_SUB;
		}
	}
	*ops = n;
	return 0;
}

/* Both sides of one pair: the manager's scope connection, then the tenant's hub
 * connection, which completes the consent. */
static int connect_pair(avnm_ctx *ctx, const struct world *w, const struct scopes *sc,
                        unsigned mgr, unsigned t)
{
	TRY("scope connection", avnm_scope_connection_create(ctx, NULL, w->mgr[mgr], w->conn_name[t],
	                                                     w->tenant[t], sc->mga));
	TRY("hub connection", avnm_hub_connection_create(ctx, NULL, w->tenant[t], w->hub_name[mgr],
	                                                  sc->mga, w->mgr[mgr]));
	return 0;
}

static int state_is(avnm_ctx *ctx, const struct world *w, unsigned mgr, unsigned t, avnm_state want,
                    int *yes)
{
	avnm_state st;
	TRY("scope connection state", avnm_scope_connection_state(&st, NULL, ctx, w->mgr[mgr],
	                                                          w->conn_name[t]));
	*yes = st == want;
	if (!*yes) return 0;
	TRY("hub connection state", avnm_hub_connection_state(&st, NULL, ctx, w->tenant[t],
	                                                      w->hub_name[mgr]));
	*yes = st == want;
	return 0;
}

/* The arrays of one call of avnm_can_manage_many or avnm_managers_of_many (the
 * caller's, like the world's strings: not counted as libavnm's memory). */
struct batch {
	const char **mgr, **res;
	unsigned *access;
	int *allowed;
	avnm_list **lists;
};

static void batch_free(struct batch *b)
{
	free(b->mgr);
	free(b->res);
	free(b->access);
	free(b->allowed);
	free(b->lists);
}

static int batch_alloc(struct batch *b, size_t n)
{
	b->mgr = malloc(n * sizeof *b->mgr);
	b->res = malloc(n * sizeof *b->res);
	b->access = malloc(n * sizeof *b->access);
	b->allowed = malloc(n * sizeof *b->allowed);
	b->lists = malloc(n * sizeof *b->lists);
	return b->mgr && b->res && b->access && b->allowed && b->lists ? 0 : -1;
}

/* can_manage questions i..i+n-1 in one avnm_can_manage_many call, the arrays filled
 * from the questions as they come, the answers counted into *allowed and digested into
 * *d in order. */
static int ask_can(avnm_ctx *ctx, const struct world *w, const struct batch *bt, size_t i,
                   size_t n, size_t *allowed, uint64_t *d)
{
	for (size_t k = 0; k < n; k++) {
		const struct question *q = &w->q[i + k];
		bt->mgr[k] = w->mgr[q->mgr];
		bt->res[k] = q_res(w, i + k);
		bt->access[k] = q->access;
	}
	TRY("can_manage_many",
	    avnm_can_manage_many(bt->allowed, NULL, ctx, n, bt->mgr, bt->res, bt->access, NULL));
	for (size_t k = 0; k < n; k++) {
		*allowed += (size_t)bt->allowed[k];
		*d = digest_step(*d, (uint64_t)bt->allowed[k]);
	}
	return 0;
}

/* --mixed (bench_mixed): the can_manage questions again, bench_mixed a call, and after
 * each call a change that leaves every answer as it was (a new management group under
 * a tenant's root, the tenants in turn): what questions cost while the world changes
 * now and then. Timed as the phase is (the arrays filled, the answers digested),
 * without the changes. */
static int mixed(avnm_ctx *ctx, const struct world *w, const struct batch *bt, struct result *r)
{
	uint64_t d = 0;
	size_t allowed = 0, changes = 0;
	double asked = 0;
	for (size_t i = 0; i < w->nq; i += bench_mixed) {
		size_t n = w->nq - i < bench_mixed ? w->nq - i : bench_mixed;
		double t0 = now_seconds();
		if (ask_can(ctx, w, bt, i, n, &allowed, &d)) return -1;
		asked += now_seconds() - t0;
		char name[32];
		snprintf(name, sizeof name, "mixed-%zu", changes);
		TRY("mg_create", avnm_mg_create(ctx, w->tenant[changes % w->scale], name, NULL));
		changes++;
	}
	r->mixed_ops = w->nq;
	r->mixed_changes = changes;
	r->mixed_allowed = allowed;
	r->mixed_sum = d;
	r->mixed_seconds = asked;
	return 0;
}

/* An answer of managers_of, digested in order; *nonempty counts the non-empty. */
static uint64_t list_digest(const avnm_list *l, size_t *nonempty)
{
	size_t n = avnm_list_count(l);
	uint64_t d = 0;
	for (size_t k = 0; k < n; k++) d = digest_step(d, hash_fold(avnm_list_get(l, k)));
	*nonempty += n > 0;
	return d;
}

static int phases(avnm_ctx *ctx, const struct world *w, const struct scopes *sc,
                  const struct batch *bt, struct result *r)
{
	double t0;
	int yes;

	t0 = bench_step(STEP_BUILD);
	if (build(ctx, w, sc, &r->ops[PH_BUILD])) return -1;
	r->seconds[PH_BUILD] = now_seconds() - t0;
	bench_mark("build");

	t0 = bench_step(STEP_CONNECT);
	for (unsigned t = 0; t < w->scale; t++)
		if (connect_pair(ctx, w, sc, holder_of(t), t)) return -1;
	r->seconds[PH_CONNECT] = now_seconds() - t0;
	bench_mark("connect");
	r->ops[PH_CONNECT] = 2 * (size_t)w->scale;
	for (unsigned t = 0; t < w->scale; t++) {
		if (state_is(ctx, w, holder_of(t), t, AVNM_STATE_CONNECTED, &yes)) return -1;
		r->connected += (size_t)yes;
	}

	uint64_t d = 0;
	size_t allowed = 0;
	t0 = bench_step(STEP_CAN_MANAGE);
	if (bench_batch > 1) {
		for (size_t i = 0; i < w->nq; i += bench_batch) {
			size_t n = w->nq - i < bench_batch ? w->nq - i : bench_batch;
			if (ask_can(ctx, w, bt, i, n, &allowed, &d)) return -1;
		}
	} else {
		for (size_t i = 0; i < w->nq; i++) {
			const struct question *q = &w->q[i];
			int a;
			TRY("can_manage", avnm_can_manage(&a, NULL, ctx, w->mgr[q->mgr], q_res(w, i),
			                                  q->access, NULL));
			allowed += (size_t)a;
			d = digest_step(d, (uint64_t)a);
		}
	}
	r->seconds[PH_CAN_MANAGE] = now_seconds() - t0;
	bench_mark("can_manage");
	r->ops[PH_CAN_MANAGE] = w->nq;
	r->allowed = allowed;
	r->can_sum = d;

	d = 0;
	size_t nonempty = 0;
	t0 = bench_step(STEP_MANAGERS_OF);
	if (bench_batch > 1) {
		for (size_t i = 0; i < w->nmq; i += bench_batch) {
			size_t n = w->nmq - i < bench_batch ? w->nmq - i : bench_batch;
			for (size_t k = 0; k < n; k++) {
				const struct mquestion *q = &w->mq[i + k];
				bt->res[k] = mq_res(w, i + k);
				bt->access[k] = q->access;
			}
			TRY("managers_of_many",
			    avnm_managers_of_many(bt->lists, NULL, ctx, n, bt->res, bt->access, NULL));
			for (size_t k = 0; k < n; k++) {
				d = digest_step(d, list_digest(bt->lists[k], &nonempty));
				avnm_list_free(bt->lists[k]);
			}
		}
	} else {
		for (size_t i = 0; i < w->nmq; i++) {
			const struct mquestion *q = &w->mq[i];
			avnm_list *l;
			TRY("managers_of", avnm_managers_of(&l, ctx, mq_res(w, i), q->access, NULL));
			d = digest_step(d, list_digest(l, &nonempty));
			avnm_list_free(l);
		}
	}
	r->seconds[PH_MANAGERS_OF] = now_seconds() - t0;
	bench_mark("managers_of");
	r->ops[PH_MANAGERS_OF] = w->nmq;
	r->mof_nonempty = nonempty;
	r->mof_sum = d;

	if (bench_mixed && mixed(ctx, w, bt, r)) return -1;

	t0 = bench_step(STEP_CONFLICT);
	for (size_t k = 0; k < w->nconf; k++)
		if (connect_pair(ctx, w, sc, w->conf[k].mgr, w->conf[k].tenant)) return -1;
	r->seconds[PH_CONFLICT] = now_seconds() - t0;
	bench_mark("conflict");
	r->ops[PH_CONFLICT] = 2 * w->nconf;
	for (size_t k = 0; k < w->nconf; k++) {
		if (state_is(ctx, w, w->conf[k].mgr, w->conf[k].tenant, AVNM_STATE_CONFLICT, &yes)) return -1;
		r->conflicts += (size_t)yes;
	}

	t0 = bench_step(STEP_REVOKE);
	for (unsigned t = 0; t < w->scale; t++)
		if (revoked_tenant(t))
			TRY("hub connection delete",
			    avnm_hub_connection_delete(ctx, NULL, w->tenant[t], w->hub_name[holder_of(t)]));
	r->seconds[PH_REVOKE] = now_seconds() - t0;
	bench_mark("revoke");
	r->ops[PH_REVOKE] = w->nrevoke;
	for (unsigned t = 0; t < w->scale; t++) {
		if (!revoked_tenant(t)) continue;
		avnm_state st;
		TRY("scope connection state", avnm_scope_connection_state(&st, NULL, ctx,
		                                                          w->mgr[holder_of(t)],
		                                                          w->conn_name[t]));
		r->revoked += st == AVNM_STATE_REVOKED;
	}
	for (size_t i = 0; i < REVOKE_SAMPLE; i++)
		for (int kept = 0; kept <= 1; kept++) {
			struct question q;
			revoke_sample(w, i, kept, &q);
			int a;
			TRY("can_manage after revoke",
			    avnm_can_manage(&a, NULL, ctx, w->mgr[q.mgr], vnet_id(w, q.vnet), q.access, NULL));
			if (kept) r->revoke_allowed += (size_t)a;
			else r->revoke_denied += (size_t)!a;
		}

	/* Members set-up, timed apart: the manager of the big group (SecurityUser
	 * only, so it conflicts with nobody) connects to every other tenant of those
	 * the members come from; then the static members are added. */
	TRY("members subscription", avnm_subscription_create(ctx, w->central,
	                                                     w->csub[MEMBERS_MANAGER], NULL));
	TRY("members manager", avnm_manager_create(ctx, NULL, w->mgr[MEMBERS_MANAGER],
	                                           w->accesses[MEMBERS_MANAGER], NULL));
	for (unsigned t = 0; t < w->member_tenants; t++)
		if (members_tenant_connected(t) && connect_pair(ctx, w, sc, MEMBERS_MANAGER, t)) return -1;
	TRY("group", avnm_group_create(ctx, NULL, w->mgr[MEMBERS_MANAGER], "g-members",
	                               AVNM_MEMBER_VIRTUAL_NETWORK));
	t0 = bench_step(STEP_MEMBER_ADDS);
	for (size_t i = 0; i < w->nmembers; i++)
		TRY("member add", avnm_member_add(ctx, NULL, w->mgr[MEMBERS_MANAGER], "g-members",
		                                  vnet_id(w, i)));
	r->member_add_seconds = now_seconds() - t0;
	bench_mark("member adds");
	r->member_add_ops = w->nmembers;

	uint64_t sum = 0;
	size_t eff = 0;
	t0 = bench_step(STEP_MEMBERS);
	for (unsigned rep = 0; rep < MEMBERS_REPS; rep++) {
		avnm_list *l;
		TRY("group members", avnm_group_members(&l, ctx, w->mgr[MEMBERS_MANAGER], "g-members"));
		size_t n = avnm_list_count(l);
		for (size_t k = 0; k < n; k++) sum += member_hash(avnm_list_get(l, k));
		eff += n;
		avnm_list_free(l);
	}
	r->seconds[PH_MEMBERS] = now_seconds() - t0;
	bench_mark("members");
	r->ops[PH_MEMBERS] = MEMBERS_REPS * w->nmembers;
	r->effective = eff;
	r->members_sum = sum;
	return 0;
}

int run_avnm(const struct world *w, struct result *r)
{
	struct counter cnt = { 0, 0 };
	avnm_allocator al = { count_alloc, count_free, &cnt };
	avnm_options o = AVNM_OPTIONS_INIT;
	struct scopes sc;
	struct batch bt;
	avnm_ctx *ctx = NULL;

	memset(&sc, 0, sizeof sc);
	memset(&bt, 0, sizeof bt);
	o.allocator = &al;
	if (make_scopes(&sc, w) || batch_alloc(&bt, bench_batch > bench_mixed ? bench_batch : bench_mixed)) {
		fprintf(stderr, "avnm-bench: libavnm: cannot build scope values or question arrays\n");
		free_scopes(&sc);
		batch_free(&bt);
		return -1;
	}
	int rc = avnm_ctx_new(&ctx, &o);
	if (rc != AVNM_OK) {
		free_scopes(&sc);
		batch_free(&bt);
		return failed(NULL, "avnm_ctx_new", rc);
	}
	rc = phases(ctx, w, &sc, &bt, r);
	r->peak_bytes = cnt.peak;
	avnm_ctx_free(ctx);
	free_scopes(&sc);
	batch_free(&bt);
	if (rc) return -1;
	r->ran = 1;
	for (int p = 0; p < NPHASES; p++) r->has_phase[p] = 1;
	if (cnt.live != 0)
		fprintf(stderr, "avnm-bench: libavnm: %zu bytes still allocated after avnm_ctx_free\n",
		        cnt.live);
	return 0;
}
