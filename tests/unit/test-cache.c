/* The flat holder cache behind can_manage and managers_of (lib/managers.c,
 * flat_of): questions must answer from the world as it is now, whatever was
 * cached before. Each test asks, changes the world in a way that changes the
 * answer, and asks again: after a change of holdings (R3.3, R4.3), after a move
 * (R2.4, R2.5), after a change that failed and was undone (R7, with the cache
 * filled in the middle of that change by the event machinery), and on chains
 * with more holders than the cache keeps (R3.4: highest first, each once); and the
 * question cache in front of it (lib/qcache.c), last. */
#include "helpers.h"

#include "internal.h" /* guid_bits, the table of subscriptions */

#define NM_1 NM(SUB_A1, "nm-1")
#define NM_2 NM(SUB_A1, "nm-2")
#define NM_3 NM(SUB_A1, "nm-3")
#define NM_4 NM(SUB_A1, "nm-4")
#define NM_5 NM(SUB_A1, "nm-5")
#define NM_6 NM(SUB_A1, "nm-6")

/* The managers_of answer for r and access, as "a,b,c" of the manager names (the last
 * segment of each id), in order. */
static void managers(avnm_ctx *ctx, const char *r, unsigned int access, char *out, size_t size)
{
	avnm_list *l = NULL;
	OK(ctx, avnm_managers_of(&l, ctx, r, access, NULL));
	out[0] = '\0';
	for (size_t i = 0; i < avnm_list_count(l); i++) {
		const char *id = avnm_list_get(l, i), *name = strrchr(id, '/') + 1;
		if (i) strncat(out, ",", size - strlen(out) - 1);
		strncat(out, name, size - strlen(out) - 1);
	}
	avnm_list_free(l);
}

static void test_holding_changes(void **state)
{
	avnm_ctx *ctx = *state;
	char got[256];
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, NO_ITEMS));
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 0); /* cached: nobody */
	managers(ctx, VNET_A1, ACC_C, got, sizeof got);
	assert_string_equal(got, "");

	OK(ctx, h_manager_update(ctx, NULL, NM_A, AVNM_UPDATE_SCOPE, 0, ITEMS(MG("mg-a"))));
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 1);
	managers(ctx, VNET_A1, ACC_C, got, sizeof got);
	assert_string_equal(got, "nm-a");
	/* a change in another tenant leaves this one's answers alone */
	OK(ctx, h_manager(ctx, NULL, NM_BHOME, ACC_C, ITEMS(SUB(SUB_B2))));
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 1);
	assert_int_equal(h_can(ctx, NM_BHOME, VNET_B2, ACC_C, NULL), 1);

	OK(ctx, h_manager_update(ctx, NULL, NM_A, AVNM_UPDATE_SCOPE, 0, NO_ITEMS));
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 0);
	managers(ctx, VNET_A1, ACC_C, got, sizeof got);
	assert_string_equal(got, "");

	/* R4.3: held through a Connected pair, and no longer once the hub side goes */
	h_connect(ctx, NM_A, "to-b", T_B, ITEMS(MG("mg-prod")));
	assert_int_equal(h_can(ctx, NM_A, VNET_B1, ACC_C, NULL), 1);
	managers(ctx, VNET_B1, ACC_C, got, sizeof got);
	assert_string_equal(got, "nm-a");
	OK(ctx, avnm_hub_connection_delete(ctx, NULL, T_B, "to-b"));
	assert_int_equal(h_can(ctx, NM_A, VNET_B1, ACC_C, NULL), 0);
	managers(ctx, VNET_B1, ACC_C, got, sizeof got);
	assert_string_equal(got, "");
}

static void test_moves(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, avnm_mg_create(ctx, T_A, "mg-x", NULL));
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(MG("mg-a"))));
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 1);
	assert_int_equal(h_can(ctx, NM_A, VNET_A3, ACC_C, NULL), 0);

	/* R2.4: a subscription moved out of the held group, and another moved in */
	OK(ctx, avnm_subscription_move(ctx, SUB_A1, "mg-x"));
	OK(ctx, avnm_subscription_move(ctx, SUB_A3, "mg-a"));
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 0);
	assert_int_equal(h_can(ctx, NM_A, VNET_A3, ACC_C, NULL), 1);

	/* a group moved below the held one brings its subscriptions along (R2.5) */
	OK(ctx, avnm_mg_move(ctx, T_A, "mg-x", "mg-a"));
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 1);
	OK(ctx, avnm_mg_move(ctx, T_A, "mg-x", T_A));
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 0);
}

/* ---- a change undone after the cache was filled in its middle ------------------ */

struct flaky {
	avnm_storage s;
	const avnm_storage *inner;
	int fail_commit;
};

static int fl_load(void *o, avnm_record_fn fn, void *cookie)
{
	const struct flaky *f = o;
	return f->inner->load(f->inner->opaque, fn, cookie);
}
static int fl_begin(void *o)
{
	const struct flaky *f = o;
	return f->inner->begin(f->inner->opaque);
}
static int fl_put(void *o, const char *k, size_t kl, const void *v, size_t vl)
{
	const struct flaky *f = o;
	return f->inner->put(f->inner->opaque, k, kl, v, vl);
}
static int fl_del(void *o, const char *k, size_t kl)
{
	const struct flaky *f = o;
	return f->inner->del(f->inner->opaque, k, kl);
}
static int fl_commit(void *o)
{
	const struct flaky *f = o;
	if (f->fail_commit) {
		f->inner->rollback(f->inner->opaque);
		return AVNM_E_STORAGE;
	}
	return f->inner->commit(f->inner->opaque);
}
static int fl_rollback(void *o)
{
	const struct flaky *f = o;
	return f->inner->rollback(f->inner->opaque);
}

static void count_events(void *opaque, const avnm_event *ev)
{
	(void)ev;
	(*(int *)opaque)++;
}

static void test_undone_change(void **state)
{
	(void)state;
	avnm_storage *mem = NULL;
	struct flaky f;
	avnm_ctx *ctx = NULL;
	int events = 0;
	const avnm_storage init = AVNM_STORAGE_INIT;
	assert_int_equal(avnm_memstore_new(&mem), AVNM_OK);
	f.s = init;
	f.s.opaque = &f;
	f.s.load = fl_load;
	f.s.begin = fl_begin;
	f.s.put = fl_put;
	f.s.del = fl_del;
	f.s.commit = fl_commit;
	f.s.rollback = fl_rollback;
	f.inner = mem;
	f.fail_commit = 0;
	assert_int_equal(avnm_ctx_open(&ctx, NULL, &f.s, NULL, 0), AVNM_OK);
	h_world(ctx);
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, NO_ITEMS));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	OK(ctx, avnm_member_add(ctx, NULL, NM_A, "g", VNET_A1));
	/* with a callback, a change works out which members became effective before it
	 * commits: the caches of the changed tenant are filled in the middle of it */
	OK(ctx, avnm_ctx_set_event_callback(ctx, count_events, &events));
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 0);

	f.fail_commit = 1;
	CHECK(ctx, AVNM_E_STORAGE,
	      h_manager_update(ctx, NULL, NM_A, AVNM_UPDATE_SCOPE, 0, ITEMS(MG("mg-a"))));
	assert_int_equal(events, 0);
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 0);
	char got[256];
	managers(ctx, VNET_A1, ACC_C, got, sizeof got);
	assert_string_equal(got, "");

	f.fail_commit = 0;
	OK(ctx, h_manager_update(ctx, NULL, NM_A, AVNM_UPDATE_SCOPE, 0, ITEMS(MG("mg-a"))));
	assert_true(events > 0);
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 1);

	/* and the other way: a failed release keeps the holding */
	f.fail_commit = 1;
	CHECK(ctx, AVNM_E_STORAGE, h_manager_update(ctx, NULL, NM_A, AVNM_UPDATE_SCOPE, 0, NO_ITEMS));
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 1);
	managers(ctx, VNET_A1, ACC_C, got, sizeof got);
	assert_string_equal(got, "nm-a");

	avnm_ctx_free(ctx);
	avnm_memstore_free(mem);
}

/* ---- more holders on one chain than the cache keeps -------------------------- */

static void test_many_holders(void **state)
{
	avnm_ctx *ctx = *state;
	static const char *const ids[] = { NM_1, NM_2, NM_3, NM_4, NM_5, NM_6 };
	char name[8], parent[8], got[256];
	/* T_A: l1 > l2 > ... > l5 > SUB_A1; nm-i holds level i (nm-6: the subscription) */
	for (unsigned int i = 1; i <= 5; i++) {
		snprintf(name, sizeof name, "l%u", i);
		OK(ctx, avnm_mg_create(ctx, T_A, name, i == 1 ? NULL : parent));
		memcpy(parent, name, sizeof parent);
	}
	OK(ctx, avnm_subscription_move(ctx, SUB_A1, "l5"));
	for (unsigned int i = 0; i < 6; i++) OK(ctx, h_manager(ctx, NULL, ids[i], ACC_C, NO_ITEMS));
	/* added bottom first, so that the order asked for is not the order of creation */
	for (unsigned int i = 6; i-- > 0;) {
		char item[96];
		if (i < 5) snprintf(item, sizeof item, MG("l%u"), i + 1);
		else snprintf(item, sizeof item, SUB(SUB_A1));
		OK(ctx, h_manager_update(ctx, NULL, ids[i], AVNM_UPDATE_SCOPE, 0, ITEMS(item)));
	}
	/* R3.4: higher first */
	managers(ctx, VNET_A1, ACC_C, got, sizeof got);
	assert_string_equal(got, "nm-1,nm-2,nm-3,nm-4,nm-5,nm-6");
	for (unsigned int i = 0; i < 6; i++)
		assert_int_equal(h_can(ctx, ids[i], VNET_A1, ACC_C, NULL), 1);
	managers(ctx, MG("l3"), ACC_C, got, sizeof got);
	assert_string_equal(got, "nm-1,nm-2,nm-3");
	assert_int_equal(h_can(ctx, NM_4, MG("l3"), ACC_C, NULL), 0);
	/* a manager that holds two items of the chain is listed once, at the higher */
	OK(ctx, h_manager_update(ctx, NULL, NM_2, AVNM_UPDATE_SCOPE, 0, NO_ITEMS));
	OK(ctx, h_manager_update(ctx, NULL, NM_6, AVNM_UPDATE_SCOPE, 0,
	                         ITEMS(MG("l2"), SUB(SUB_A1))));
	managers(ctx, VNET_A1, ACC_C, got, sizeof got);
	assert_string_equal(got, "nm-1,nm-6,nm-3,nm-4,nm-5");

	/* down to what the cache keeps, and below */
	OK(ctx, h_manager_update(ctx, NULL, NM_4, AVNM_UPDATE_SCOPE, 0, NO_ITEMS));
	managers(ctx, VNET_A1, ACC_C, got, sizeof got);
	assert_string_equal(got, "nm-1,nm-6,nm-3,nm-5");
	assert_int_equal(h_can(ctx, NM_2, VNET_A1, ACC_C, NULL), 0);
	OK(ctx, h_manager_update(ctx, NULL, NM_1, AVNM_UPDATE_SCOPE, 0, NO_ITEMS));
	managers(ctx, VNET_A1, ACC_C, got, sizeof got);
	assert_string_equal(got, "nm-6,nm-3,nm-5");
	assert_int_equal(h_can(ctx, NM_1, VNET_A1, ACC_C, NULL), 0);
	assert_int_equal(h_can(ctx, NM_5, VNET_A1, ACC_C, NULL), 1);
	/* accesses are asked for at question time: the cache keeps managers, not accesses */
	managers(ctx, VNET_A1, ACC_SA, got, sizeof got);
	assert_string_equal(got, "");
	OK(ctx, h_manager_update(ctx, NULL, NM_5, AVNM_UPDATE_ACCESSES, ACC_SA, NO_ITEMS));
	managers(ctx, VNET_A1, ACC_SA, got, sizeof got);
	assert_string_equal(got, "nm-5");
}

/* ---- the question cache (lib/qcache.c, struct qslot) --------------------------
 * A question about a network takes its subscription's node and flat list from a
 * slot found by the GUID, direct-mapped: many subscriptions share slots, and every
 * change makes every slot stale. Here 1,500 subscriptions in two groups (more than
 * the cache has slots for at first, so it grows as they come, and two of them share
 * a slot now and then), asked about in both letter cases, across moves between the
 * groups, a subscription that is registered only after a question about it found none,
 * and a change that fails. The answers must be those of the world as it is. */

#define QC_SUBS 1500

static void qc_guid(char out[37], unsigned i, int upper)
{
	snprintf(out, 37, upper ? "D%07X-0000-4000-8000-%012X" : "d%07x-0000-4000-8000-%012x", i,
	         i * 2654435761u);
}

static void qc_vnet(char *out, size_t size, unsigned i, int upper)
{
	char g[37];
	qc_guid(g, i, upper);
	snprintf(out, size, "/subscriptions/%s/resourceGroups/rg-q/providers/Microsoft.Network/"
	                    "virtualNetworks/vnet-q", g);
}

/* Sub i is in q1 (held by nm-a) when in_q1[i]; ask about a network in each, in both
 * letter cases, in an order that hops between slots. */
static void qc_check(avnm_ctx *ctx, const unsigned char *in_q1)
{
	char id[160], got[64];
	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned k = 0; k < QC_SUBS; k++) {
			unsigned i = (k * 7919u) % QC_SUBS;
			qc_vnet(id, sizeof id, i, (int)((i + pass) % 2));
			assert_int_equal(h_can(ctx, NM_A, id, ACC_C, NULL), in_q1[i]);
			managers(ctx, id, ACC_C, got, sizeof got);
			assert_string_equal(got, in_q1[i] ? "nm-a" : "");
		}
}

/* A slot is matched by guid_bits: equal for one GUID in any letter case, different
 * for GUIDs that differ in any digit. */
static void test_guid_bits(void **state)
{
	(void)state;
	static const char hex[] = "0123456789abcdef";
	static const unsigned char at[32] = { 0,  1,  2,  3,  4,  5,  6,  7,  9,  10, 11,
	                                      12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25,
	                                      26, 27, 28, 29, 30, 31, 32, 33, 34, 35 };
	uint64_t x = 0x9e3779b97f4a7c15u;
	for (int n = 0; n < 200; n++) {
		char g[37], u[37];
		for (int i = 0; i < 36; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			g[i] = (i == 8 || i == 13 || i == 18 || i == 23) ? '-' : hex[x % 16];
			u[i] = (char)(g[i] >= 'a' ? g[i] - 32 : g[i]);
		}
		g[36] = u[36] = '\0';
		uint64_t a[2], b[2];
		guid_bits(g, a);
		guid_bits(u, b);
		assert_true(a[0] == b[0] && a[1] == b[1]);
		for (int d = 0; d < 32; d++)
			for (int v = 0; v < 16; v++) {
				char m[37];
				memcpy(m, g, sizeof m);
				if (hex[v] == m[at[d]]) continue;
				m[at[d]] = hex[v];
				guid_bits(m, b);
				assert_false(a[0] == b[0] && a[1] == b[1]);
			}
	}
}

static void test_question_cache(void **state)
{
	avnm_ctx *ctx = *state;
	static unsigned char in_q1[QC_SUBS];
	char g[37], id[160];
	OK(ctx, avnm_mg_create(ctx, T_A, "q1", NULL));
	OK(ctx, avnm_mg_create(ctx, T_A, "q2", NULL));
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(MG("q1"))));
	/* subscription 0 is asked about before it exists: unknown, then registered */
	qc_vnet(id, sizeof id, 0, 0);
	assert_int_equal(h_can(ctx, NM_A, id, ACC_C, NULL), 0);
	for (unsigned i = 0; i < QC_SUBS; i++) {
		in_q1[i] = i % 3 != 0;
		qc_guid(g, i, 0);
		OK(ctx, avnm_subscription_create(ctx, T_A, g, in_q1[i] ? "q1" : "q2"));
		if (i % 100 == 0) {
			/* questions between the creations fill slots the next growth drops */
			qc_vnet(id, sizeof id, i, 1);
			assert_int_equal(h_can(ctx, NM_A, id, ACC_C, NULL), in_q1[i]);
		}
	}
	qc_check(ctx, in_q1);

	/* moves change the answers of the moved subscriptions only */
	for (unsigned i = 0; i < QC_SUBS; i += 7) {
		in_q1[i] = !in_q1[i];
		qc_guid(g, i, i % 2);
		OK(ctx, avnm_subscription_move(ctx, g, in_q1[i] ? "q1" : "q2"));
	}
	qc_check(ctx, in_q1);

	/* a change that fails (the subscription exists) leaves the answers as they were */
	qc_guid(g, 5, 0);
	CHECK(ctx, AVNM_E_EXISTS, avnm_subscription_create(ctx, T_A, g, "q1"));
	qc_check(ctx, in_q1);

	/* the manager's scope moves to the other group: every answer turns */
	OK(ctx, h_manager_update(ctx, NULL, NM_A, AVNM_UPDATE_SCOPE, 0, ITEMS(MG("q2"))));
	for (unsigned i = 0; i < QC_SUBS; i++) in_q1[i] = !in_q1[i];
	qc_check(ctx, in_q1);
}

/* A question about a subscription nobody registered yet is answered "unknown" (its
 * run in the table of subscriptions ends at an empty slot); registered, it is found,
 * whatever else changed or did not (here nothing else: no holding, no growth of the
 * table). */
static void test_new_subscription(void **state)
{
	avnm_ctx *ctx = *state;
	char g[37], id[160], got[64];
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(MG("mg-a"))));
	for (unsigned i = 0; i < 3; i++) {
		qc_guid(g, 4000 + i, 0);
		qc_vnet(id, sizeof id, 4000 + i, (int)(i % 2));
		for (int twice = 0; twice < 2; twice++) {
			assert_int_equal(h_can(ctx, NM_A, id, ACC_C, NULL), 0);
			managers(ctx, id, ACC_C, got, sizeof got);
			assert_string_equal(got, "");
		}
		/* under the held group, under the root (not held), in another tenant */
		const char *tenant = i == 2 ? T_B : T_A, *parent = i == 0 ? "mg-a" : NULL;
		OK(ctx, avnm_subscription_create(ctx, tenant, g, parent));
		assert_int_equal(h_can(ctx, NM_A, id, ACC_C, NULL), i == 0);
		managers(ctx, id, ACC_C, got, sizeof got);
		assert_string_equal(got, i == 0 ? "nm-a" : "");
	}
	/* the root of tenant A held too: the second one is covered now, the third not */
	OK(ctx, h_manager_update(ctx, NULL, NM_A, AVNM_UPDATE_SCOPE, 0, ITEMS(MG(T_A))));
	for (unsigned i = 0; i < 3; i++) {
		qc_vnet(id, sizeof id, 4000 + i, 1);
		assert_int_equal(h_can(ctx, NM_A, id, ACC_C, NULL), i < 2);
	}
}

/* Every used slot of the table of subscriptions is found from where its run starts,
 * and there are as many as subscriptions. */
static void table_whole(avnm_ctx *ctx, size_t subs)
{
	size_t used = 0;
	for (size_t i = 0; i <= ctx->qmask; i++) {
		struct qslot *q = &ctx->qc[i];
		if (!atomic_load(&q->node)) continue;
		used++;
		uint64_t g[2] = { atomic_load(&q->g[0]), atomic_load(&q->g[1]) };
		assert_ptr_equal(qslot_find(ctx, qslot_of(ctx, g), g), q);
		assert_int_equal(atomic_load(&q->node)->qix, i);
	}
	assert_int_equal(used, subs);
	assert_int_equal(ctx->nsubs, subs);
}

/* A change that registers many subscriptions and is undone (as a failing load is):
 * they leave the table in the reverse order, after it grew under them, so the slots
 * after a leaving one move back; the subscriptions made before stay found. */
static void test_undone_subscriptions(void **state)
{
	avnm_ctx *ctx = *state;
	static unsigned char made[QC_SUBS];
	char g[37], id[160];
	struct tenant *t;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(MG(T_A))));
	size_t before = ctx->nsubs;
	for (unsigned i = 0; i < QC_SUBS; i += 5) {
		qc_guid(g, i, 0);
		OK(ctx, avnm_subscription_create(ctx, T_A, g, NULL));
		made[i] = 1;
	}
	size_t kept = ctx->nsubs, mask = ctx->qmask;
	table_whole(ctx, kept);
	tx_begin(ctx);
	assert_int_equal(arg_tenant(ctx, &t, T_A, 1), 0);
	for (unsigned i = 0; i < QC_SUBS; i++) {
		if (made[i]) continue;
		struct node *n;
		qc_guid(g, i, 1);
		assert_int_equal(sub_link(ctx, &n, t, g, t->root), 0);
	}
	assert_true(ctx->qmask > mask); /* it grew */
	table_whole(ctx, before + QC_SUBS);
	assert_int_equal(tx_end(ctx, AVNM_E_STORAGE), AVNM_E_STORAGE);
	table_whole(ctx, kept);
	for (unsigned i = 0; i < QC_SUBS; i++) {
		qc_vnet(id, sizeof id, i, (int)(i % 2));
		assert_int_equal(h_can(ctx, NM_A, id, ACC_C, NULL), made[i]);
	}

	/* Slots taken out in another order than they came (which the undo alone never
	 * does), every other one, for the runs' sake: the others stay found. (The table
	 * only: the context is not used for questions after this.) */
	unsigned moved = 0;
	for (unsigned i = 0; i < QC_SUBS; i += 10) {
		uint64_t b[2];
		qc_guid(g, i, 0);
		guid_bits(g, b);
		struct qslot *home = qslot_of(ctx, b), *q = qslot_find(ctx, home, b);
		assert_non_null(q);
		moved += q != home;
		qslot_remove(ctx, b);
		assert_null(qslot_find(ctx, qslot_of(ctx, b), b));
		kept--;
		table_whole(ctx, kept);
	}
	assert_true(moved > 0); /* some were not where their runs start: the runs mattered */

	/* A run that wraps past the table's end: three subscriptions whose runs start at
	 * the last slot and two at the first (GUIDs found by trying), then the first of
	 * them taken out: the others move back across the end. */
	size_t last = ctx->qmask;
	unsigned at_last[3], at_first[2], nl = 0, nf = 0;
	for (unsigned i = QC_SUBS; (nl < 3 || nf < 2) && i < QC_SUBS + 4000000u; i++) {
		uint64_t b[2];
		qc_guid(g, i, 0);
		guid_bits(g, b);
		size_t home = (size_t)(qslot_of(ctx, b) - ctx->qc);
		if (home == last && nl < 3) at_last[nl++] = i;
		else if (home == 0 && nf < 2) at_first[nf++] = i;
	}
	assert_true(nl == 3 && nf == 2);
	unsigned order[5] = { at_last[0], at_first[0], at_last[1], at_last[2], at_first[1] };
	for (unsigned k = 0; k < 5; k++) {
		qc_guid(g, order[k], 0);
		OK(ctx, avnm_subscription_create(ctx, T_A, g, NULL));
	}
	assert_int_equal(ctx->qmask, last); /* (no growth meanwhile) */
	kept += 5;
	table_whole(ctx, kept);
	for (unsigned k = 0; k < 5; k++) {
		uint64_t b[2];
		qc_guid(g, order[k], 0);
		guid_bits(g, b);
		qslot_remove(ctx, b);
		table_whole(ctx, --kept);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_holding_changes, h_setup_world, h_teardown_ctx),
		cmocka_unit_test_setup_teardown(test_moves, h_setup_world, h_teardown_ctx),
		cmocka_unit_test(test_undone_change),
		cmocka_unit_test_setup_teardown(test_many_holders, h_setup_world, h_teardown_ctx),
		cmocka_unit_test(test_guid_bits),
		cmocka_unit_test_setup_teardown(test_question_cache, h_setup_world, h_teardown_ctx),
		cmocka_unit_test_setup_teardown(test_new_subscription, h_setup_world, h_teardown_ctx),
		cmocka_unit_test_setup_teardown(test_undone_subscriptions, h_setup_world, h_teardown_ctx),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
