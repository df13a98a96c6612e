/* R2: tenants, management groups, subscriptions, virtual networks; depth and
 * size limits, cycles, moves, coverage, and management-group ids that recur in
 * several tenants (R2.7). */
#include "helpers.h"

static avnm_ctx *ctx_with_limits(unsigned int depth, unsigned int mgs)
{
	avnm_options opts = AVNM_OPTIONS_INIT;
	avnm_ctx *ctx = NULL;
	opts.max_mg_depth = depth;
	opts.max_mgs_per_tenant = mgs;
	assert_int_equal(avnm_ctx_new(&ctx, &opts), AVNM_OK);
	return ctx;
}

/* A chain prefix1 .. prefixN of management groups, the first under `parent`. */
static void chain(avnm_ctx *ctx, const char *tenant, const char *prefix, const char *parent,
                  unsigned int n)
{
	char name[32], prev[32];
	unsigned int i;
	for (i = 1; i <= n; i++) {
		snprintf(name, sizeof name, "%s%u", prefix, i);
		OK(ctx, avnm_mg_create(ctx, tenant, name, i == 1 ? parent : prev));
		memcpy(prev, name, sizeof prev);
	}
}

/* ------------------------------------------------------------------------ */
/* Tenants and roots (R1.1, R2.1)                                            */
/* ------------------------------------------------------------------------ */

static void test_tenant_ids(void **state)
{
	static const char *const bad[] = {
		"not-a-guid",
		"",
		"{11111111-1111-1111-1111-111111111111}",
		"11111111111111111111111111111111",
		" 11111111-1111-1111-1111-111111111111",
		"11111111-1111-1111-1111-111111111111 ",
		"11111111-1111-1111-1111-11111111111",
		"11111111-1111-1111-1111-1111111111111",
		"1111111g-1111-1111-1111-111111111111",
		"11111111_1111-1111-1111-111111111111",
	};
	avnm_ctx *ctx = h_ctx();
	size_t i;
	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_tenant_create(ctx, bad[i], NULL));
	/* R1.1: any letter case; the same tenant in another case exists already. */
	OK(ctx, avnm_tenant_create(ctx, "ABCDEF00-1111-1111-1111-111111111111", "Upper"));
	CHECK(ctx, AVNM_E_EXISTS, avnm_tenant_create(ctx, "abcdef00-1111-1111-1111-111111111111", NULL));
	avnm_ctx_free(ctx);
}

static void test_root_group(void **state)
{
	avnm_ctx *ctx = h_ctx();
	(void)state;
	OK(ctx, avnm_tenant_create(ctx, T_A, NULL));
	/* R2.1: the root exists with the tenant and its id is the tenant id. */
	CHECK(ctx, AVNM_E_EXISTS, avnm_mg_create(ctx, T_A, T_A, NULL));
	OK(ctx, avnm_mg_create(ctx, T_A, "child", T_A));
	OK(ctx, avnm_mg_create(ctx, T_A, "child2", MG(T_A)));
	OK(ctx, avnm_subscription_create(ctx, T_A, SUB_A1, T_A));
	/* The root has no parent to change. */
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_mg_move(ctx, T_A, T_A, "child"));
	avnm_ctx_free(ctx);
}

static void test_mg_create_errors(void **state)
{
	char long_id[96];
	avnm_ctx *ctx = h_ctx();
	(void)state;
	OK(ctx, avnm_tenant_create(ctx, T_A, NULL));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_mg_create(ctx, T_B, "mg-x", NULL));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_mg_create(ctx, T_A, "mg-x", "no-such-parent"));
	OK(ctx, avnm_mg_create(ctx, T_A, "mg-x", NULL));
	/* Ids compare case-insensitively (R1.3). */
	CHECK(ctx, AVNM_E_EXISTS, avnm_mg_create(ctx, T_A, "MG-X", NULL));
	/* R1.5: 1-90 of letters, digits, -_.(), not ending in '.'. */
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_mg_create(ctx, T_A, "bad id", NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_mg_create(ctx, T_A, "ends.", NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_mg_create(ctx, T_A, "", NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_mg_create(ctx, T_A, "a/b", NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_mg_create(ctx, "nope", "mg-y", NULL));
	OK(ctx, avnm_mg_create(ctx, T_A, "Dept_(1).x", NULL));
	memset(long_id, 'm', 90);
	long_id[90] = '\0';
	OK(ctx, avnm_mg_create(ctx, T_A, long_id, NULL));
	memset(long_id, 'n', 91);
	long_id[91] = '\0';
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_mg_create(ctx, T_A, long_id, NULL));
	avnm_ctx_free(ctx);
}

/* ------------------------------------------------------------------------ */
/* Limits (R2.3, decision 11)                                                */
/* ------------------------------------------------------------------------ */

static void test_default_depth(void **state)
{
	avnm_ctx *ctx = h_ctx();
	(void)state;
	OK(ctx, avnm_tenant_create(ctx, T_A, NULL));
	/* Six levels below the root are fine; a group at depth 7 is not. */
	chain(ctx, T_A, "d", NULL, 6);
	CHECK(ctx, AVNM_E_LIMIT, avnm_mg_create(ctx, T_A, "d7", "d6"));
	/* A subscription at the deepest group is fine: depth counts groups. */
	OK(ctx, avnm_subscription_create(ctx, T_A, SUB_A1, "d6"));
	avnm_ctx_free(ctx);
}

static void test_custom_depth(void **state)
{
	avnm_ctx *ctx = ctx_with_limits(2, 0);
	(void)state;
	OK(ctx, avnm_tenant_create(ctx, T_A, NULL));
	chain(ctx, T_A, "d", NULL, 2);
	CHECK(ctx, AVNM_E_LIMIT, avnm_mg_create(ctx, T_A, "d3", "d2"));
	avnm_ctx_free(ctx);

	/* Raised above the default. */
	ctx = ctx_with_limits(8, 0);
	OK(ctx, avnm_tenant_create(ctx, T_A, NULL));
	chain(ctx, T_A, "d", NULL, 8);
	CHECK(ctx, AVNM_E_LIMIT, avnm_mg_create(ctx, T_A, "d9", "d8"));
	avnm_ctx_free(ctx);
}

static void test_groups_per_tenant(void **state)
{
	avnm_ctx *ctx = ctx_with_limits(0, 3);
	(void)state;
	OK(ctx, avnm_tenant_create(ctx, T_A, NULL));
	OK(ctx, avnm_tenant_create(ctx, T_B, NULL));
	/* The root does not count (decision 11). */
	OK(ctx, avnm_mg_create(ctx, T_A, "g1", NULL));
	OK(ctx, avnm_mg_create(ctx, T_A, "g2", NULL));
	OK(ctx, avnm_mg_create(ctx, T_A, "g3", "g2"));
	CHECK(ctx, AVNM_E_LIMIT, avnm_mg_create(ctx, T_A, "g4", NULL));
	/* The limit is per tenant. */
	OK(ctx, avnm_mg_create(ctx, T_B, "g1", NULL));
	OK(ctx, avnm_mg_create(ctx, T_B, "g2", NULL));
	OK(ctx, avnm_mg_create(ctx, T_B, "g3", NULL));
	/* The refused group was not created. */
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_subscription_create(ctx, T_A, SUB_A1, "g4"));
	avnm_ctx_free(ctx);
}

/* ------------------------------------------------------------------------ */
/* Moves (R2.4)                                                              */
/* ------------------------------------------------------------------------ */

static void test_move_depth(void **state)
{
	avnm_ctx *ctx = h_ctx();
	(void)state;
	OK(ctx, avnm_tenant_create(ctx, T_A, NULL));
	chain(ctx, T_A, "a", NULL, 3); /* a1 (1) > a2 (2) > a3 (3) */
	chain(ctx, T_A, "b", NULL, 4); /* b1 .. b4 (4) */
	/* a3 would land at depth 7. */
	CHECK(ctx, AVNM_E_LIMIT, avnm_mg_move(ctx, T_A, "a1", "b4"));
	/* Nothing moved: a2 under a1 under the root still leaves room at a3 + 3. */
	chain(ctx, T_A, "a3-", "a3", 3);
	CHECK(ctx, AVNM_E_LIMIT, avnm_mg_create(ctx, T_A, "too-deep", "a3-3"));
	avnm_ctx_free(ctx);

	ctx = h_ctx();
	OK(ctx, avnm_tenant_create(ctx, T_A, NULL));
	chain(ctx, T_A, "a", NULL, 3);
	chain(ctx, T_A, "b", NULL, 4);
	/* a3 lands exactly at depth 6. */
	OK(ctx, avnm_mg_move(ctx, T_A, "a1", "b3"));
	CHECK(ctx, AVNM_E_LIMIT, avnm_mg_create(ctx, T_A, "below-a3", "a3"));
	avnm_ctx_free(ctx);
}

static void test_move_cycle(void **state)
{
	avnm_ctx *ctx = h_ctx();
	(void)state;
	OK(ctx, avnm_tenant_create(ctx, T_A, NULL));
	chain(ctx, T_A, "a", NULL, 3);
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_mg_move(ctx, T_A, "a1", "a3"));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_mg_move(ctx, T_A, "a1", "a2"));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_mg_move(ctx, T_A, "a2", "A2"));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_mg_move(ctx, T_A, "a1", "nowhere"));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_mg_move(ctx, T_A, "ghost", "a1"));
	/* A legal move still works afterwards: nothing was half-done. */
	OK(ctx, avnm_mg_move(ctx, T_A, "a3", T_A));
	OK(ctx, avnm_mg_move(ctx, T_A, "a1", "a3"));
	avnm_ctx_free(ctx);
}

static void test_move_across_tenants_refused(void **state)
{
	avnm_ctx *ctx = *state;
	/* R2.2: parents are in the same tenant. A group of T_B is not a parent a
	 * T_A group can reach: resolved in T_A it does not exist. */
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_mg_move(ctx, T_A, "mg-a", "mg-prod"));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_mg_move(ctx, T_A, "mg-a", MG("mg-prod")));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_mg_move(ctx, T_A, "mg-a", T_B));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_mg_move(ctx, T_B, "mg-a", "mg-prod"));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_subscription_move(ctx, SUB_A1, "mg-prod"));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_subscription_move(ctx, SUB_A1, T_B));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_subscription_move(ctx, SUB_X, "mg-a"));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_subscription_move(ctx, "{" SUB_A1 "}", "mg-a"));
	/* Within the tenant it works. */
	OK(ctx, avnm_subscription_move(ctx, SUB_B1, "mg-dev"));
	OK(ctx, avnm_subscription_move(ctx, SUB(SUB_B1), MG("mg-prod")));
}

/* ------------------------------------------------------------------------ */
/* Subscriptions and networks (R2.2, R2.6)                                   */
/* ------------------------------------------------------------------------ */

static void test_subscriptions(void **state)
{
	avnm_ctx *ctx = *state;
	/* Subscription ids are globally unique (R2.7). */
	CHECK(ctx, AVNM_E_EXISTS, avnm_subscription_create(ctx, T_B, SUB_A1, NULL));
	CHECK(ctx, AVNM_E_EXISTS,
	      avnm_subscription_create(ctx, T_A, "A0000000-0000-0000-0000-000000000002", NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_subscription_create(ctx, T_A, "{" SUB_X "}", NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT,
	      avnm_subscription_create(ctx, T_A, "/subscriptions/" SUB_X "/", NULL));
	CHECK(ctx, AVNM_E_NOT_FOUND,
	      avnm_subscription_create(ctx, "44444444-4444-4444-4444-444444444444", SUB_X, NULL));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_subscription_create(ctx, T_A, SUB_X, "mg-prod"));
	OK(ctx, avnm_subscription_create(ctx, T_A, SUB(SUB_X), MG("mg-a")));
}

static void test_vnets(void **state)
{
	avnm_ctx *ctx = *state;
	const avnm_tag dup[] = {h_tag("env", "a"), h_tag("ENV", "b")};
	const avnm_tag two[] = {h_tag("env", "a"), h_tag("team", "b")};
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_vnet_create(ctx, VNET(SUB_X, "v1"), NULL, NULL, 0));
	CHECK(ctx, AVNM_E_EXISTS,
	      avnm_vnet_create(ctx, "/SUBSCRIPTIONS/A0000000-0000-0000-0000-000000000001/resourcegroups/RG-NET/providers/microsoft.network/virtualnetworks/VNET-A1",
	                       NULL, NULL, 0));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_vnet_create(ctx, VNET(SUB_A1, "v2"), NULL, dup, 2));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_vnet_create(ctx, RG(SUB_A1, "rg"), NULL, NULL, 0));
	/* R1.5: a virtual network name is 2-64 characters. */
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_vnet_create(ctx, VNET(SUB_A1, "v"), NULL, NULL, 0));
	/* The refused one with duplicate tags was not created. */
	OK(ctx, avnm_vnet_create(ctx, VNET(SUB_A1, "v2"), "northeurope", two, 2));
}

/* ------------------------------------------------------------------------ */
/* Coverage (R2.5, R2.6)                                                     */
/* ------------------------------------------------------------------------ */

static void test_coverage_follows_hierarchy(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, avnm_mg_create(ctx, T_A, "mg-a-child", "mg-a"));
	OK(ctx, avnm_subscription_move(ctx, SUB_A2, "mg-a-child"));
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(MG("mg-a"))));

	/* R2.5: the item covers itself and everything below it. */
	assert_int_equal(h_can(ctx, NM_A, MG("mg-a"), ACC_C, NULL), 1);
	assert_int_equal(h_can(ctx, NM_A, MG("mg-a-child"), ACC_C, NULL), 1);
	assert_int_equal(h_can(ctx, NM_A, SUB(SUB_A1), ACC_C, NULL), 1);
	assert_int_equal(h_can(ctx, NM_A, SUB(SUB_A2), ACC_C, NULL), 1);
	assert_int_equal(h_can(ctx, NM_A, RG(SUB_A1, "any-rg"), ACC_C, NULL), 1);
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 1);
	assert_int_equal(h_can(ctx, NM_A, SUBNET(SUB_A1, "vnet-a1", "default"), ACC_C, NULL), 1);
	/* R2.6: a network that is not registered is placed by its id. */
	assert_int_equal(h_can(ctx, NM_A, VNET(SUB_A2, "unregistered"), ACC_C, NULL), 1);
	/* Not above or beside it. */
	assert_int_equal(h_can(ctx, NM_A, MG(T_A), ACC_C, NULL), 0);
	assert_int_equal(h_can(ctx, NM_A, SUB(SUB_A3), ACC_C, NULL), 0);
	assert_int_equal(h_can(ctx, NM_A, VNET_A3, ACC_C, NULL), 0);
	assert_int_equal(h_can(ctx, NM_A, VNET_B1, ACC_C, NULL), 0);

	/* Moves change coverage at once. */
	OK(ctx, avnm_subscription_move(ctx, SUB_A1, T_A));
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 0);
	OK(ctx, avnm_mg_move(ctx, T_A, "mg-a-child", T_A));
	assert_int_equal(h_can(ctx, NM_A, SUB(SUB_A2), ACC_C, NULL), 0);
	OK(ctx, avnm_subscription_move(ctx, SUB_A3, "mg-a"));
	assert_int_equal(h_can(ctx, NM_A, VNET_A3, ACC_C, NULL), 1);
}

static void test_unknown_subscription_covered_by_nothing(void **state)
{
	avnm_ctx *ctx = *state;
	/* A manager at the tenant root still does not cover a subscription that is
	 * registered nowhere (R2.6). */
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(MG(T_A))));
	assert_int_equal(h_can(ctx, NM_A, SUB(SUB_A1), ACC_C, NULL), 1);
	assert_int_equal(h_can(ctx, NM_A, VNET(SUB_X, "v1"), ACC_C, NULL), 0);
	assert_int_equal(h_can_reason(ctx, NM_A, VNET(SUB_X, "v1"), ACC_C, NULL),
	                 AVNM_REASON_DENY_UNKNOWN_SUBSCRIPTION);
	assert_int_equal(h_can_reason(ctx, NM_A, VNET_A1, ACC_C, NULL),
	                 AVNM_REASON_ALLOW_LOCAL_SCOPE);
	assert_int_equal(h_can_reason(ctx, NM_A, VNET_A1, ACC_R, NULL),
	                 AVNM_REASON_DENY_NO_ACCESS);
	assert_int_equal(h_can_reason(ctx, NM_A, VNET_B1, ACC_C, NULL),
	                 AVNM_REASON_DENY_NOT_COVERED);
	assert_true(h_managers_are(ctx, VNET(SUB_X, "v1"), ACC_C, NULL, NO_ITEMS));
}

/* ------------------------------------------------------------------------ */
/* R2.7: the same management-group id in several tenants                    */
/* ------------------------------------------------------------------------ */

static void test_same_mg_id_in_two_tenants(void **state)
{
	avnm_ctx *ctx = *state;
	int allowed = -1;
	avnm_list *l = NULL;
	OK(ctx, avnm_mg_create(ctx, T_A, "Platform", NULL));
	OK(ctx, avnm_mg_create(ctx, T_B, "platform", NULL));
	/* Unique within a tenant only. */
	CHECK(ctx, AVNM_E_EXISTS, avnm_mg_create(ctx, T_A, "PLATFORM", NULL));
	OK(ctx, avnm_subscription_move(ctx, SUB_A3, "Platform"));
	OK(ctx, avnm_subscription_move(ctx, SUB_B3, "Platform"));

	/* A manager's local scope resolves in its home tenant: T_A's Platform. */
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(MG("Platform"))));
	assert_int_equal(h_can(ctx, NM_A, VNET_A3, ACC_C, NULL), 1);
	assert_int_equal(h_can(ctx, NM_A, VNET_B3, ACC_C, NULL), 0);

	/* A question naming no tenant is ambiguous and names both tenants. */
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT,
	      avnm_can_manage(&allowed, NULL, ctx, NM_A, MG("Platform"), ACC_C, NULL));
	MSG_HAS(ctx, T_A, T_B);
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_managers_of(&l, ctx, MG("platform"), ACC_C, NULL));
	MSG_HAS(ctx, T_A, T_B);

	/* With the tenant it is answered, per tenant. */
	assert_int_equal(h_can(ctx, NM_A, MG("Platform"), ACC_C, T_A), 1);
	assert_int_equal(h_can(ctx, NM_A, MG("Platform"), ACC_C, T_B), 0);
	assert_true(h_managers_are(ctx, MG("Platform"), ACC_C, T_A, ITEMS(NM_A)));
	assert_true(h_managers_are(ctx, MG("Platform"), ACC_C, T_B, NO_ITEMS));
	/* A group only one tenant has is not ambiguous. */
	assert_int_equal(h_can(ctx, NM_A, MG("mg-prod"), ACC_C, NULL), 0);
	CHECK(ctx, AVNM_E_NOT_FOUND,
	      avnm_can_manage(&allowed, NULL, ctx, NM_A, MG("mg-none"), ACC_C, NULL));

	/* Moving one tenant's Platform leaves the other's alone. */
	OK(ctx, avnm_mg_move(ctx, T_B, "Platform", "mg-prod"));
	assert_int_equal(h_can(ctx, NM_A, VNET_A3, ACC_C, NULL), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tenant_ids),
		cmocka_unit_test(test_root_group),
		cmocka_unit_test(test_mg_create_errors),
		cmocka_unit_test(test_default_depth),
		cmocka_unit_test(test_custom_depth),
		cmocka_unit_test(test_groups_per_tenant),
		cmocka_unit_test(test_move_depth),
		cmocka_unit_test(test_move_cycle),
		cmocka_unit_test_setup_teardown(test_move_across_tenants_refused, h_setup_world,
		                                h_teardown_ctx),
		cmocka_unit_test_setup_teardown(test_subscriptions, h_setup_world, h_teardown_ctx),
		cmocka_unit_test_setup_teardown(test_vnets, h_setup_world, h_teardown_ctx),
		cmocka_unit_test_setup_teardown(test_coverage_follows_hierarchy, h_setup_world,
		                                h_teardown_ctx),
		cmocka_unit_test_setup_teardown(test_unknown_subscription_covered_by_nothing,
		                                h_setup_world, h_teardown_ctx),
		cmocka_unit_test_setup_teardown(test_same_mg_id_in_two_tenants, h_setup_world,
		                                h_teardown_ctx),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
