/* The flat holder cache behind can_manage and managers_of (lib/managers.c,
 * flat_of): questions must answer from the world as it is now, whatever was
 * cached before. Each test asks, changes the world in a way that changes the
 * answer, and asks again: after a change of holdings (R3.3, R4.3), after a move
 * (R2.4, R2.5), after a change that failed and was undone (R7, with the cache
 * filled in the middle of that change by the event machinery), and on chains
 * with more holders than the cache keeps (R3.4: highest first, each once). */
#include "helpers.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_holding_changes, h_setup_world, h_teardown_ctx),
		cmocka_unit_test_setup_teardown(test_moves, h_setup_world, h_teardown_ctx),
		cmocka_unit_test(test_undone_change),
		cmocka_unit_test_setup_teardown(test_many_holders, h_setup_world, h_teardown_ctx),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
