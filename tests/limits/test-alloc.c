/* Allocation failure over a whole scenario-like run (R7: a failing call changes
 * nothing; avnm_options.allocator).
 *
 * A fixed list of about sixty calls builds and changes a world on a memory store:
 * directory, principals and roles, managers, both kinds of connection, Pending,
 * Connected, Conflict (and the conflict a manager creation meets), Revoked,
 * Rejected, re-evaluation, groups, static members of both types, a dynamic
 * condition, moves, handles, every query, dumps, a context reopened from the store
 * (avnm_ctx_open loading), deletions (busy and forced). A baseline run records each
 * call's result, the world after it, and how many allocations it asks for. Then for
 * every N from 1 to the baseline's total, the run is repeated with allocation
 * number N failing, once:
 *  - the call that meets the failure returns AVNM_E_NO_MEMORY with the world
 *    unchanged (its dump equals the baseline's before that call), and no event;
 *    called again it gives the baseline's result; or it succeeds with the
 *    baseline's result (an optional allocation, counted per call and listed);
 *  - every other call gives the baseline's result, and the run ends in the
 *    baseline's world, which a context reopened from the store also has;
 *  - after avnm_ctx_free every allocation was freed, and only blocks from the
 *    hooks reached the free hook.
 * Dumps are taken with the failure disarmed and uncounted, so they never shift N.
 * AVNM_ALLOC_FAIL_AT=N runs the baseline and only the run failing allocation N. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "avnm.h"

#define T_A "11111111-1111-4111-8111-111111111111"
#define T_B "22222222-2222-4222-8222-222222222222"
#define T_C "33333333-3333-4333-8333-333333333333"
#define SUB_A1 "a0000000-0000-4000-8000-000000000001"
#define SUB_B1 "b0000000-0000-4000-8000-000000000001"
#define SUB_B2 "b0000000-0000-4000-8000-000000000002"
#define SUB_C1 "c0000000-0000-4000-8000-000000000001"
#define SUB(g) "/subscriptions/" g
#define MG(id) "/providers/Microsoft.Management/managementGroups/" id
#define NM(g, n) SUB(g) "/resourceGroups/rg-avnm/providers/Microsoft.Network/networkManagers/" n
#define VNET(g, n) SUB(g) "/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/" n
#define NM_A NM(SUB_A1, "nm-a")
#define NM_A2 NM(SUB_A1, "nm-a2")
#define NM_B NM(SUB_B1, "nm-b")
#define VNET_A1 VNET(SUB_A1, "vnet-a1")
#define VNET_B1 VNET(SUB_B1, "vnet-b1")
#define VNET_B2 VNET(SUB_B2, "vnet-b2")
#define C AVNM_ACCESS_CONNECTIVITY

/* ---- the counting allocator ------------------------------------------------------- */

#define MAGIC 0x41564e4du

typedef union header {
	struct {
		unsigned magic;
		size_t size;
	} h;
	max_align_t align;
} header;

struct counter {
	size_t attempts;  /* counted allocation requests (armed or not, outside dumps) */
	size_t allocs, frees;
	size_t fail_at;   /* 1-based attempt to fail; 0 never */
	int failed;       /* the failure was injected */
	int quiet;        /* a dump in progress: neither counted nor failed */
	int foreign;
};

static void *hook_alloc(void *opaque, size_t size)
{
	struct counter *c = opaque;
	if (!c->quiet) {
		c->attempts++;
		if (c->fail_at && c->attempts == c->fail_at) {
			c->failed = 1;
			return NULL;
		}
	}
	header *b = malloc(sizeof *b + size);
	if (!b)
		return NULL;
	b->h.magic = MAGIC;
	b->h.size = size;
	c->allocs++;
	return b + 1;
}

static void hook_free(void *opaque, void *p)
{
	struct counter *c = opaque;
	if (!p)
		return;
	header *b = (header *)p - 1;
	if (b->h.magic != MAGIC) {
		c->foreign = 1;
		return;
	}
	b->h.magic = 0;
	c->frees++;
	free(b);
}

/* ---- one run ------------------------------------------------------------------------ */

struct run {
	struct counter c;
	avnm_allocator alloc;
	avnm_storage *store;
	avnm_ctx *ctx;
	size_t events;
};

static void on_event(void *opaque, const avnm_event *e)
{
	struct run *r = opaque;
	(void)e;
	r->events++;
}

static char *dump(struct run *r)
{
	char *d = NULL, *copy;
	size_t len = 0;
	if (!r->ctx)
		return strdup("(no context)");
	r->c.quiet = 1;
	int rc = avnm_ctx_dump(&d, &len, r->ctx);
	r->c.quiet = 0;
	assert_int_equal(rc, AVNM_OK);
	copy = malloc(len + 1);
	assert_non_null(copy);
	memcpy(copy, d, len);
	copy[len] = '\0';
	r->c.quiet = 1;
	avnm_free(r->ctx, d);
	r->c.quiet = 0;
	return copy;
}

static int open_ctx(struct run *r)
{
	avnm_options o = AVNM_OPTIONS_INIT;
	char err[256];
	o.allocator = &r->alloc;
	avnm_ctx *ctx = NULL;
	int rc = avnm_ctx_open(&ctx, &o, r->store, err, sizeof err);
	if (rc != AVNM_OK) {
		assert_null(ctx);
		if (rc != AVNM_E_NO_MEMORY)
			print_error("avnm_ctx_open: %s: %s\n", avnm_error_name(rc), err);
		return rc;
	}
	r->ctx = ctx;
	return avnm_ctx_set_event_callback(ctx, on_event, r);
}

static int with_scope(struct run *r, avnm_scope **out, const char *a, const char *b)
{
	int rc = avnm_scope_new(out, r->ctx);
	if (rc == AVNM_OK && a)
		rc = avnm_scope_add(*out, a);
	if (rc == AVNM_OK && b)
		rc = avnm_scope_add(*out, b);
	return rc;
}

static int sconn(struct run *r, const char *as, const char *mgr, const char *name, const char *t,
                 const char *item)
{
	avnm_scope *s = NULL;
	int rc = with_scope(r, &s, item, NULL);
	if (rc == AVNM_OK)
		rc = avnm_scope_connection_create(r->ctx, as, mgr, name, t, s);
	avnm_scope_free(s);
	return rc;
}

static int hub(struct run *r, const char *as, const char *t, const char *name, const char *item,
               const char *mgr)
{
	avnm_scope *s = NULL;
	int rc = with_scope(r, &s, item, NULL);
	if (rc == AVNM_OK)
		rc = avnm_hub_connection_create(r->ctx, as, t, name, s, mgr);
	avnm_scope_free(s);
	return rc;
}

static int manager(struct run *r, const char *as, const char *id, unsigned acc, const char *item)
{
	avnm_scope *s = NULL;
	int rc = with_scope(r, &s, item, NULL);
	if (rc == AVNM_OK)
		rc = avnm_manager_create(r->ctx, as, id, acc, s);
	avnm_scope_free(s);
	return rc;
}

static int update(struct run *r, const char *id, unsigned acc, const char *item)
{
	avnm_scope *s = NULL;
	int rc = with_scope(r, &s, item, NULL);
	if (rc == AVNM_OK)
		rc = avnm_manager_update(r->ctx, NULL, id, AVNM_UPDATE_ACCESSES | AVNM_UPDATE_SCOPE, acc, s);
	avnm_scope_free(s);
	return rc;
}

static int state(struct run *r, const char *mgr, const char *name, avnm_state want)
{
	avnm_state st = AVNM_STATE_NONE;
	avnm_reason *why = NULL;
	int rc = avnm_scope_connection_state(&st, &why, r->ctx, mgr, name);
	if (rc == AVNM_OK) {
		assert_non_null(why);
		assert_int_equal(st, want);
	}
	avnm_reason_free(why);
	return rc;
}

static int hub_state(struct run *r, const char *t, const char *name, avnm_state want)
{
	avnm_state st = AVNM_STATE_NONE;
	avnm_reason *why = NULL;
	int rc = avnm_hub_connection_state(&st, &why, r->ctx, t, name);
	if (rc == AVNM_OK)
		assert_int_equal(st, want);
	avnm_reason_free(why);
	return rc;
}

static int manage(struct run *r, const char *mgr, const char *res, int want)
{
	int allowed = -1;
	avnm_reason *why = NULL;
	int rc = avnm_can_manage(&allowed, &why, r->ctx, mgr, res, C, NULL);
	if (rc == AVNM_OK)
		assert_int_equal(allowed, want);
	avnm_reason_free(why);
	return rc;
}

static int count_list(avnm_list *l, int rc, size_t want)
{
	if (rc == AVNM_OK)
		assert_int_equal(avnm_list_count(l), want);
	avnm_list_free(l);
	return rc;
}

static int dump_step(struct run *r)
{
	char *d = NULL;
	size_t len;
	int rc = avnm_ctx_dump(&d, &len, r->ctx);
	avnm_free(r->ctx, d);
	return rc;
}

static int handles(struct run *r)
{
	avnm_manager *m = NULL;
	avnm_scope_connection *c = NULL;
	avnm_scope *s = NULL;
	unsigned acc;
	avnm_state st;
	int rc = avnm_manager_open(&m, r->ctx, NM_A);
	if (rc == AVNM_OK)
		rc = avnm_manager_get_scope(&s, m);
	if (rc == AVNM_OK)
		rc = avnm_manager_get_accesses(&acc, m);
	if (rc == AVNM_OK)
		rc = avnm_scope_connection_open(&c, r->ctx, NM_A, "c1");
	if (rc == AVNM_OK)
		rc = avnm_scope_connection_get_state(&st, NULL, c);
	avnm_scope_free(s);
	avnm_scope_connection_close(c);
	avnm_manager_close(m);
	return rc;
}

static int authorize(struct run *r)
{
	int allowed = -1;
	avnm_reason *why = NULL;
	int rc = avnm_authorize(&allowed, &why, r->ctx, "alice", AVNM_ACTION_NETWORK_WRITE, VNET_B2, NULL);
	if (rc == AVNM_OK)
		assert_int_equal(allowed, 1);
	avnm_reason_free(why);
	return rc;
}

static int reopen(struct run *r)
{
	/* the old context goes first: a failed open leaves none, the retry opens again */
	if (r->ctx) {
		avnm_ctx_free(r->ctx);
		r->ctx = NULL;
	}
	return open_ctx(r);
}

static const avnm_tag prod[] = {{"env", "prod"}};
static const avnm_tag prod_web[] = {{"env", "prod"}, {"tier", "web"}};

struct step {
	const char *name;
	int expect;
};

static const struct step steps[] = {
	{"open on the store", AVNM_OK},
	{"tenant A", AVNM_OK},
	{"tenant B", AVNM_OK},
	{"tenant C", AVNM_OK},
	{"mg B/mg-prod", AVNM_OK},
	{"mg B/mg-dev under mg-prod", AVNM_OK},
	{"mg C/mg-prod (same name, R2.7)", AVNM_OK},
	{"sub A1", AVNM_OK},
	{"sub B1 in mg-prod", AVNM_OK},
	{"sub B2 in mg-dev", AVNM_OK},
	{"sub C1", AVNM_OK},
	{"vnet B1 with a tag", AVNM_OK},
	{"vnet B2 with two tags", AVNM_OK},
	{"vnet A1", AVNM_OK},
	{"principal alice", AVNM_OK},
	{"guest alice in B", AVNM_OK},
	{"role alice NetworkContributor at B/mg-prod", AVNM_OK},
	{"role alice Owner at sub A1", AVNM_OK},
	{"manager nm-a as alice, local scope sub A1", AVNM_OK},
	{"manager nm-a2, no scope", AVNM_OK},
	{"scope connection nm-a/c1 to B/mg-prod as alice", AVNM_OK},
	{"state c1 Pending", AVNM_OK},
	{"hub connection B/h1 as alice: Connected", AVNM_OK},
	{"can_manage nm-a vnet B1: allow", AVNM_OK},
	{"managers_of vnet B1", AVNM_OK},
	{"crossTenantScopes nm-a", AVNM_OK},
	{"scope connection nm-a2/c2 to B/mg-prod", AVNM_OK},
	{"hub connection B/h2 for nm-a2: Conflict", AVNM_OK},
	{"state c2 Conflict", AVNM_OK},
	{"manager nm-b at B/mg-prod: conflict (R3.3)", AVNM_E_CONFLICT},
	{"group nm-a/g", AVNM_OK},
	{"member nm-a/g vnet B1 as alice", AVNM_OK},
	{"condition nm-a/g env=prod", AVNM_OK},
	{"members of nm-a/g", AVNM_OK},
	{"subnet group nm-a/gs", AVNM_OK},
	{"member nm-a/gs subnet of vnet B2", AVNM_OK},
	{"reopen from the store", AVNM_OK},
	{"dump", AVNM_OK},
	{"hub connection B/h1 deleted as alice: Revoked", AVNM_OK},
	{"state c1 Revoked", AVNM_OK},
	{"can_manage nm-a vnet B1: deny", AVNM_OK},
	{"reevaluate nm-a2/c2", AVNM_OK},
	{"state c2 Connected", AVNM_OK},
	{"hub connection B/h1 again", AVNM_OK},
	{"state c1 Conflict", AVNM_OK},
	{"scope connection nm-a/c3 to C/mg-prod", AVNM_OK},
	{"reject nm-a/c3", AVNM_OK},
	{"state c3 Rejected", AVNM_OK},
	{"mg-move B/mg-dev to the root", AVNM_OK},
	{"sub-move B2 to mg-prod", AVNM_OK},
	{"manager-update nm-a", AVNM_OK},
	{"manager-update nm-a2 with a foreign item", AVNM_E_INVALID_ARGUMENT},
	{"handles", AVNM_OK},
	{"authorize alice on vnet B2", AVNM_OK},
	{"member nm-a/g vnet B1 removed", AVNM_OK},
	{"group nm-a/gs deleted", AVNM_OK},
	{"scope connection nm-a2/c2 deleted", AVNM_OK},
	{"hub connection B/h2 state Revoked", AVNM_OK},
	{"hub connection B/h2 deleted", AVNM_OK},
	{"manager nm-a2 deleted", AVNM_OK},
	{"manager nm-a deleted: busy", AVNM_E_BUSY},
	{"manager nm-a deleted by force", AVNM_OK},
	{"hub connection B/h1 state Pending", AVNM_OK},
	{"reopen again", AVNM_OK},
	{"final dump", AVNM_OK},
};
#define NSTEPS (sizeof steps / sizeof steps[0])

static int do_step(struct run *r, size_t i)
{
	avnm_ctx *ctx = r->ctx;
	avnm_list *l = NULL;
	switch (i) {
	case 0: return open_ctx(r);
	case 1: return avnm_tenant_create(ctx, T_A, "Provider");
	case 2: return avnm_tenant_create(ctx, T_B, "Customer B");
	case 3: return avnm_tenant_create(ctx, T_C, NULL);
	case 4: return avnm_mg_create(ctx, T_B, "mg-prod", NULL);
	case 5: return avnm_mg_create(ctx, T_B, "mg-dev", "mg-prod");
	case 6: return avnm_mg_create(ctx, T_C, "mg-prod", NULL);
	case 7: return avnm_subscription_create(ctx, T_A, SUB_A1, NULL);
	case 8: return avnm_subscription_create(ctx, T_B, SUB_B1, "mg-prod");
	case 9: return avnm_subscription_create(ctx, T_B, SUB_B2, "mg-dev");
	case 10: return avnm_subscription_create(ctx, T_C, SUB_C1, NULL);
	case 11: return avnm_vnet_create(ctx, VNET_B1, "westeurope", prod, 1);
	case 12: return avnm_vnet_create(ctx, VNET_B2, NULL, prod_web, 2);
	case 13: return avnm_vnet_create(ctx, VNET_A1, "northeurope", NULL, 0);
	case 14: return avnm_principal_create(ctx, "alice", T_A);
	case 15: return avnm_guest_add(ctx, "alice", T_B);
	case 16: return avnm_role_assign(ctx, "alice", AVNM_ROLE_NETWORK_CONTRIBUTOR, MG("mg-prod"), T_B);
	case 17: return avnm_role_assign(ctx, "alice", AVNM_ROLE_OWNER, SUB(SUB_A1), NULL);
	case 18: return manager(r, "alice", NM_A, C, SUB(SUB_A1));
	case 19: return manager(r, NULL, NM_A2, C | AVNM_ACCESS_SECURITY_ADMIN, NULL);
	case 20: return sconn(r, "alice", NM_A, "c1", T_B, MG("mg-prod"));
	case 21: return state(r, NM_A, "c1", AVNM_STATE_PENDING);
	case 22: return hub(r, "alice", T_B, "h1", MG("mg-prod"), NM_A);
	case 23: return manage(r, NM_A, VNET_B1, 1);
	case 24: return count_list(l, avnm_managers_of(&l, ctx, VNET_B1, C, NULL), 1);
	case 25: return count_list(l, avnm_manager_cross_tenant_scopes(&l, ctx, NM_A), 1);
	case 26: return sconn(r, NULL, NM_A2, "c2", T_B, MG("mg-prod"));
	case 27: return hub(r, NULL, T_B, "h2", MG("mg-prod"), NM_A2);
	case 28: return state(r, NM_A2, "c2", AVNM_STATE_CONFLICT);
	case 29: return manager(r, NULL, NM_B, C, MG("mg-prod"));
	case 30: return avnm_group_create(ctx, NULL, NM_A, "g", AVNM_MEMBER_VIRTUAL_NETWORK);
	case 31: return avnm_member_add(ctx, "alice", NM_A, "g", VNET_B1);
	case 32: return avnm_group_condition_add(ctx, NULL, NM_A, "g", prod, 1);
	/* vnet B2 matches the condition, but dynamic membership stays at home (R5.3) */
	case 33: return count_list(l, avnm_group_members(&l, ctx, NM_A, "g"), 1);
	case 34: return avnm_group_create(ctx, NULL, NM_A, "gs", AVNM_MEMBER_SUBNET);
	case 35: return avnm_member_add(ctx, NULL, NM_A, "gs", VNET_B2 "/subnets/default");
	case 36: return reopen(r);
	case 37: return dump_step(r);
	case 38: return avnm_hub_connection_delete(ctx, "alice", T_B, "h1");
	case 39: return state(r, NM_A, "c1", AVNM_STATE_REVOKED);
	case 40: return manage(r, NM_A, VNET_B1, 0);
	case 41: return avnm_scope_connection_reevaluate(ctx, NULL, NM_A2, "c2");
	case 42: return state(r, NM_A2, "c2", AVNM_STATE_CONNECTED);
	case 43: return hub(r, NULL, T_B, "h1", MG("mg-prod"), NM_A);
	case 44: return state(r, NM_A, "c1", AVNM_STATE_CONFLICT);
	case 45: return sconn(r, NULL, NM_A, "c3", T_C, MG("mg-prod"));
	case 46: return avnm_scope_connection_reject(ctx, NULL, T_C, NM_A, "c3");
	case 47: return state(r, NM_A, "c3", AVNM_STATE_REJECTED);
	case 48: return avnm_mg_move(ctx, T_B, "mg-dev", T_B); /* the root by its id */
	case 49: return avnm_subscription_move(ctx, SUB_B2, "mg-prod");
	case 50: return update(r, NM_A, C | AVNM_ACCESS_ROUTING, SUB(SUB_A1));
	case 51: return update(r, NM_A2, C, SUB(SUB_B1));
	case 52: return handles(r);
	case 53: return authorize(r);
	case 54: return avnm_member_remove(ctx, NULL, NM_A, "g", VNET_B1);
	case 55: return avnm_group_delete(ctx, NULL, NM_A, "gs");
	case 56: return avnm_scope_connection_delete(ctx, NULL, NM_A2, "c2");
	case 57: return hub_state(r, T_B, "h2", AVNM_STATE_REVOKED);
	case 58: return avnm_hub_connection_delete(ctx, NULL, T_B, "h2");
	case 59: return avnm_manager_delete(ctx, NULL, NM_A2, 0);
	case 60: return avnm_manager_delete(ctx, NULL, NM_A, 0);
	case 61: return avnm_manager_delete(ctx, NULL, NM_A, AVNM_DELETE_FORCE);
	/* h1 was in Conflict: its survivor is Pending (R4.4) */
	case 62: return hub_state(r, T_B, "h1", AVNM_STATE_PENDING);
	case 63: return reopen(r);
	default: return dump_step(r);
	}
}

/* What the baseline run saw. */
struct baseline {
	char *before[NSTEPS + 1]; /* world before step i; [NSTEPS] the end */
	size_t first[NSTEPS + 1]; /* attempt number of step i's first allocation */
	size_t total;
};

static size_t optional_hits[NSTEPS];

static void run_begin(struct run *r, size_t fail_at)
{
	memset(r, 0, sizeof *r);
	r->c.fail_at = fail_at;
	r->alloc.alloc = hook_alloc;
	r->alloc.free = hook_free;
	r->alloc.opaque = &r->c;
	assert_int_equal(avnm_memstore_new(&r->store), AVNM_OK);
}

static void run_end(struct run *r, const char *final_world, size_t fail_at)
{
	avnm_ctx *again = NULL;
	avnm_options o = AVNM_OPTIONS_INIT;
	char err[256];
	/* what was stored is the world */
	r->c.quiet = 1;
	o.allocator = &r->alloc;
	assert_int_equal(avnm_ctx_open(&again, &o, r->store, err, sizeof err), AVNM_OK);
	avnm_ctx *live = r->ctx;
	r->ctx = again;
	char *stored = dump(r);
	r->ctx = live;
	r->c.quiet = 1;
	avnm_ctx_free(again);
	r->c.quiet = 0;
	if (final_world && strcmp(stored, final_world) != 0)
		print_error("fail_at %zu: the store holds another world:\n%s\n---- expected\n%s\n", fail_at, stored,
		            final_world);
	if (final_world)
		assert_string_equal(stored, final_world);
	free(stored);
	avnm_ctx_free(r->ctx);
	avnm_memstore_free(r->store);
	if (r->c.allocs != r->c.frees || r->c.foreign)
		print_error("fail_at %zu: %zu allocations, %zu frees%s\n", fail_at, r->c.allocs, r->c.frees,
		            r->c.foreign ? ", and a foreign block freed" : "");
	assert_int_equal(r->c.allocs, r->c.frees);
	assert_false(r->c.foreign);
}

static void baseline_run(struct baseline *b)
{
	struct run r;
	run_begin(&r, 0);
	for (size_t i = 0; i < NSTEPS; i++) {
		b->before[i] = dump(&r);
		b->first[i] = r.c.attempts + 1;
		int rc = do_step(&r, i);
		if (rc != steps[i].expect)
			print_error("step %zu (%s): %s, expected %s\n", i, steps[i].name, avnm_error_name(rc),
			            avnm_error_name(steps[i].expect));
		assert_int_equal(rc, steps[i].expect);
	}
	b->before[NSTEPS] = dump(&r);
	b->first[NSTEPS] = r.c.attempts + 1;
	b->total = r.c.attempts;
	run_end(&r, b->before[NSTEPS], 0);
}

/* The run with allocation n failing. */
static void failing_run(const struct baseline *b, size_t n)
{
	struct run r;
	int seen = 0;
	run_begin(&r, n);
	for (size_t i = 0; i < NSTEPS; i++) {
		int hit = !r.c.failed && n < b->first[i + 1]; /* the failure falls in this step */
		size_t events = r.events;
		if (hit) {
			/* until here the run is the baseline's */
			char *now = dump(&r);
			assert_string_equal(now, b->before[i]);
			free(now);
		}
		int rc = do_step(&r, i);
		if (hit && r.c.failed && !seen) {
			seen = 1;
			if (rc == AVNM_E_NO_MEMORY) {
				/* an open that failed leaves no context: the retry below shows the store
				 * kept the world */
				char *now = r.ctx ? dump(&r) : strdup(b->before[i]);
				if (strcmp(now, b->before[i]) != 0)
					print_error("fail_at %zu, step %zu (%s): no-memory, but the world changed:\n%s\n---- "
					            "before\n%s\n", n, i, steps[i].name, now, b->before[i]);
				assert_string_equal(now, b->before[i]);
				free(now);
				if (r.events != events)
					print_error("fail_at %zu, step %zu (%s): events from a failed call\n", n, i, steps[i].name);
				assert_int_equal(r.events, events);
				rc = do_step(&r, i); /* the failure was one-shot */
				now = dump(&r);
				if (strcmp(now, b->before[i + 1]) != 0)
					print_error("fail_at %zu, step %zu (%s): called again, it makes another world:\n%s\n", n,
					            i, steps[i].name, now);
				assert_string_equal(now, b->before[i + 1]);
				free(now);
			} else {
				optional_hits[i]++;
			}
		}
		if (rc != steps[i].expect)
			print_error("fail_at %zu, step %zu (%s): %s (%s), expected %s\n", n, i, steps[i].name,
			            avnm_error_name(rc), r.ctx ? avnm_errmsg(r.ctx) : "", avnm_error_name(steps[i].expect));
		assert_int_equal(rc, steps[i].expect);
	}
	assert_true(r.c.failed);
	char *end = dump(&r);
	if (strcmp(end, b->before[NSTEPS]) != 0)
		print_error("fail_at %zu: the run ends in another world:\n%s\n", n, end);
	assert_string_equal(end, b->before[NSTEPS]);
	free(end);
	run_end(&r, b->before[NSTEPS], n);
}

static void test_every_allocation_fails_once(void **state)
{
	struct baseline b;
	(void)state;
	memset(&b, 0, sizeof b);
	baseline_run(&b);
	assert_true(b.total > 100);
	/* AVNM_ALLOC_FAIL_AT=N runs only the run failing allocation N, to debug it */
	const char *only = getenv("AVNM_ALLOC_FAIL_AT");
	size_t first = only ? (size_t)strtoul(only, NULL, 10) : 1, last = only ? first : b.total;
	for (size_t n = first; n <= last; n++)
		failing_run(&b, n);

	size_t optional = 0;
	for (size_t i = 0; i < NSTEPS; i++)
		optional += optional_hits[i];
	print_message("%zu calls, allocations 1..%zu each failed once: %zu times no-memory, %zu optional\n",
	              NSTEPS, b.total, b.total - optional, optional);
	for (size_t i = 0; i < NSTEPS; i++)
		if (optional_hits[i])
			print_message("  optional allocations in step %zu (%s): %zu of %zu\n", i, steps[i].name,
			              optional_hits[i], b.first[i + 1] - b.first[i]);
	for (size_t i = 0; i <= NSTEPS; i++)
		free(b.before[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_allocation_fails_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
