/* R5: network groups. Static members may be recorded outside the effective
 * scope and count only while covered; dynamic membership reaches home-tenant
 * networks only unless the cross_tenant_dynamic_membership option is set;
 * revocation never deletes member records. */
#include "helpers.h"

#define SUBNET_B1 SUBNET(SUB_B1, "vnet-b1", "default")
#define SUBNET_A1 SUBNET(SUB_A1, "vnet-a1", "default")

static void test_group_create(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	CHECK(ctx, AVNM_E_EXISTS, avnm_group_create(ctx, NULL, NM_A, "G", AVNM_MEMBER_SUBNET));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_group_create(ctx, NULL, NM_A2, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_group_create(ctx, NULL, NM_A, "bad name", AVNM_MEMBER_VIRTUAL_NETWORK));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_group_create(ctx, NULL, NM_A, "h", (avnm_member_type)7));
	/* Group names are per manager. */
	OK(ctx, h_manager(ctx, NULL, NM_SEC, ACC_SA, ITEMS(SUB(SUB_A1))));
	OK(ctx, avnm_group_create(ctx, NULL, NM_SEC, "g", AVNM_MEMBER_SUBNET));
	assert_true(h_members_are(ctx, NM_A, "g", NO_ITEMS));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_group_delete(ctx, NULL, NM_A, "nope"));
	OK(ctx, avnm_group_delete(ctx, NULL, NM_A, "G"));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_group_delete(ctx, NULL, NM_A, "g"));
}

static void test_static_members(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	OK(ctx, avnm_member_add(ctx, NULL, NM_A, "g", VNET_A1));
	/* R5.2: also outside the effective scope, to represent intent. */
	OK(ctx, avnm_member_add(ctx, NULL, NM_A, "g", VNET_A3));
	OK(ctx, avnm_member_add(ctx, NULL, NM_A, "g", VNET_B1));
	CHECK(ctx, AVNM_E_EXISTS,
	      avnm_member_add(ctx, NULL, NM_A, "g",
	                      "/subscriptions/A0000000-0000-0000-0000-000000000001/resourcegroups/RG-NET/providers/Microsoft.Network/virtualNetworks/VNET-A1"));
	/* Only the covered one is effective. */
	assert_true(h_members_are(ctx, NM_A, "g", ITEMS(VNET_A1)));
	/* Widening the local scope makes another effective at once. */
	OK(ctx, h_manager_update(ctx, NULL, NM_A, AVNM_UPDATE_SCOPE, 0, ITEMS(SUB(SUB_A1), SUB(SUB_A3))));
	assert_true(h_members_are(ctx, NM_A, "g", ITEMS(VNET_A1, VNET_A3)));
	/* A manager without the record's cover loses it as a member, not the record. */
	OK(ctx, h_manager_update(ctx, NULL, NM_A, AVNM_UPDATE_SCOPE, 0, ITEMS(SUB(SUB_A3))));
	assert_true(h_members_are(ctx, NM_A, "g", ITEMS(VNET_A3)));
	OK(ctx, h_manager_update(ctx, NULL, NM_A, AVNM_UPDATE_SCOPE, 0, ITEMS(MG(T_A))));
	assert_true(h_members_are(ctx, NM_A, "g", ITEMS(VNET_A1, VNET_A3)));

	OK(ctx, avnm_member_remove(ctx, NULL, NM_A, "g", VNET_A3));
	assert_true(h_members_are(ctx, NM_A, "g", ITEMS(VNET_A1)));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_member_remove(ctx, NULL, NM_A, "g", VNET_A3));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_member_remove(ctx, NULL, NM_A, "nope", VNET_A1));
}

static void test_member_types(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "nets", AVNM_MEMBER_VIRTUAL_NETWORK));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "subnets", AVNM_MEMBER_SUBNET));
	/* Wrong type for the group (R5.1). */
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_member_add(ctx, NULL, NM_A, "nets", SUBNET_A1));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_member_add(ctx, NULL, NM_A, "subnets", VNET_A1));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_member_add(ctx, NULL, NM_A, "nets", SUB(SUB_A1)));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_member_add(ctx, NULL, NM_A, "nets", RG(SUB_A1, "rg-net")));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_member_add(ctx, NULL, NM_A, "nets", "/subscriptions/" SUB_A1 "//x"));
	/* Decision 10: networks that are not registered are not found; subnets
	 * are of registered networks. */
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_member_add(ctx, NULL, NM_A, "nets", VNET(SUB_A1, "ghost")));
	CHECK(ctx, AVNM_E_NOT_FOUND,
	      avnm_member_add(ctx, NULL, NM_A, "subnets", SUBNET(SUB_A1, "ghost", "default")));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_member_add(ctx, NULL, NM_A, "nets", VNET(SUB_X, "v1")));
	OK(ctx, avnm_member_add(ctx, NULL, NM_A, "subnets", SUBNET_A1));
	OK(ctx, avnm_member_add(ctx, NULL, NM_A, "subnets", SUBNET_B1));
	assert_true(h_members_are(ctx, NM_A, "subnets", ITEMS(SUBNET_A1)));
	/* Dynamic conditions select networks: not for subnet groups. */
	{
		const avnm_tag t[] = {h_tag("env", "prod")};
		CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_group_condition_add(ctx, NULL, NM_A, "subnets", t, 1));
	}
}

static void test_dynamic_home_tenant_only(void **state)
{
	avnm_ctx *ctx = *state;
	const avnm_tag prod[] = {h_tag("ENV", "prod")};
	const avnm_tag prod_team[] = {h_tag("env", "prod"), h_tag("team", "net")};
	const avnm_tag team_x[] = {h_tag("team", "x")};
	const avnm_tag both[] = {h_tag("env", "prod"), h_tag("team", "net")};
	const avnm_tag wrong_case[] = {h_tag("env", "PROD")};
	OK(ctx, avnm_vnet_create(ctx, VNET(SUB_A1, "vnet-both"), NULL, both, 2));
	OK(ctx, avnm_vnet_create(ctx, VNET(SUB_A1, "vnet-x"), NULL, team_x, 1));
	OK(ctx, avnm_vnet_create(ctx, VNET(SUB_A1, "vnet-upper"), NULL, wrong_case, 1));
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	h_connect(ctx, NM_A, "b1", T_B, ITEMS(SUB(SUB_B1)));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "tagged", AVNM_MEMBER_VIRTUAL_NETWORK));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "both", AVNM_MEMBER_VIRTUAL_NETWORK));

	/* Keys case-insensitive, values exact; only covered home-tenant networks:
	 * not VNET_A3 (outside the local scope), not VNET_B1 (cross-tenant, R5.3). */
	OK(ctx, avnm_group_condition_add(ctx, NULL, NM_A, "tagged", prod, 1));
	assert_true(h_members_are(ctx, NM_A, "tagged", ITEMS(VNET_A1, VNET(SUB_A1, "vnet-both"))));
	/* Several conditions add up (union); the tags of one condition all apply. */
	OK(ctx, avnm_group_condition_add(ctx, NULL, NM_A, "tagged", team_x, 1));
	assert_true(h_members_are(ctx, NM_A, "tagged",
	                          ITEMS(VNET_A1, VNET(SUB_A1, "vnet-both"), VNET(SUB_A1, "vnet-x"))));
	OK(ctx, avnm_group_condition_add(ctx, NULL, NM_A, "both", prod_team, 2));
	assert_true(h_members_are(ctx, NM_A, "both", ITEMS(VNET(SUB_A1, "vnet-both"))));
	/* A static member that also matches is listed once. */
	OK(ctx, avnm_member_add(ctx, NULL, NM_A, "both", VNET(SUB_A1, "vnet-both")));
	OK(ctx, avnm_member_add(ctx, NULL, NM_A, "both", VNET_B1));
	assert_true(h_members_are(ctx, NM_A, "both", ITEMS(VNET(SUB_A1, "vnet-both"), VNET_B1)));
	/* A network registered later is picked up. */
	OK(ctx, avnm_vnet_create(ctx, VNET(SUB_A1, "vnet-late"), NULL, prod, 1));
	assert_true(h_members_are(ctx, NM_A, "tagged",
	                          ITEMS(VNET_A1, VNET(SUB_A1, "vnet-both"), VNET(SUB_A1, "vnet-x"),
	                                VNET(SUB_A1, "vnet-late"))));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_group_condition_add(ctx, NULL, NM_A, "nope", prod, 1));
}

static void test_dynamic_cross_tenant_option(void **state)
{
	/* R5.3: the option lifts the home-tenant restriction, for networks the
	 * manager covers through a Connected connection. */
	avnm_ctx *ctx = h_ctx_flags(AVNM_OPT_CROSS_TENANT_DYNAMIC_MEMBERSHIP);
	const avnm_tag prod[] = {h_tag("env", "prod")};
	(void)state;
	h_world(ctx);
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "tagged", AVNM_MEMBER_VIRTUAL_NETWORK));
	OK(ctx, avnm_group_condition_add(ctx, NULL, NM_A, "tagged", prod, 1));
	/* Not yet connected: not covered, not a member. */
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "b", T_B, ITEMS(MG("mg-prod"))));
	assert_true(h_members_are(ctx, NM_A, "tagged", ITEMS(VNET_A1)));
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "b", ITEMS(MG("mg-prod")), NM_A));
	/* VNET_B2 has no tag; VNET_B3 is tagged but in mg-dev, not connected. */
	assert_true(h_members_are(ctx, NM_A, "tagged", ITEMS(VNET_A1, VNET_B1)));
	OK(ctx, avnm_hub_connection_delete(ctx, NULL, T_B, "b"));
	assert_true(h_members_are(ctx, NM_A, "tagged", ITEMS(VNET_A1)));
	avnm_ctx_free(ctx);
}

static void test_revocation_keeps_records(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "s", AVNM_MEMBER_SUBNET));
	OK(ctx, avnm_member_add(ctx, NULL, NM_A, "g", VNET_B1));
	OK(ctx, avnm_member_add(ctx, NULL, NM_A, "g", VNET_A1));
	OK(ctx, avnm_member_add(ctx, NULL, NM_A, "s", SUBNET_B1));
	assert_true(h_members_are(ctx, NM_A, "g", ITEMS(VNET_A1)));

	h_connect(ctx, NM_A, "c", T_B, ITEMS(SUB(SUB_B1)));
	assert_true(h_members_are(ctx, NM_A, "g", ITEMS(VNET_A1, VNET_B1)));
	assert_true(h_members_are(ctx, NM_A, "s", ITEMS(SUBNET_B1)));

	/* R5.4: revoked, the records stay, ineffective. */
	OK(ctx, avnm_hub_connection_delete(ctx, NULL, T_B, "c"));
	assert_true(h_members_are(ctx, NM_A, "g", ITEMS(VNET_A1)));
	assert_true(h_members_are(ctx, NM_A, "s", NO_ITEMS));
	CHECK(ctx, AVNM_E_EXISTS, avnm_member_add(ctx, NULL, NM_A, "g", VNET_B1));
	/* Effective again once a covering connection is Connected: here another
	 * pair at the management group above, not the same one. */
	h_connect(ctx, NM_A, "mg", T_B, ITEMS(MG("mg-prod")));
	assert_true(h_members_are(ctx, NM_A, "g", ITEMS(VNET_A1, VNET_B1)));
	assert_true(h_members_are(ctx, NM_A, "s", ITEMS(SUBNET_B1)));
	/* Revoked from the manager side, the same. */
	OK(ctx, avnm_scope_connection_delete(ctx, NULL, NM_A, "mg"));
	assert_true(h_members_are(ctx, NM_A, "g", ITEMS(VNET_A1)));
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "mg2", T_B, ITEMS(MG("mg-prod"))));
	assert_true(h_members_are(ctx, NM_A, "g", ITEMS(VNET_A1, VNET_B1)));
	/* Deleting the group deletes its records (unlike revocation). */
	OK(ctx, avnm_group_delete(ctx, NULL, NM_A, "g"));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	assert_true(h_members_are(ctx, NM_A, "g", NO_ITEMS));
	OK(ctx, avnm_member_add(ctx, NULL, NM_A, "g", VNET_B1));
}

static void test_members_follow_conflict(void **state)
{
	avnm_ctx *ctx = *state;
	/* A connection in Conflict covers nothing: its members are ineffective. */
	OK(ctx, h_manager(ctx, NULL, NM_BHOME, ACC_C, ITEMS(SUB(SUB_B1))));
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, NO_ITEMS));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	OK(ctx, avnm_member_add(ctx, NULL, NM_A, "g", VNET_B1));
	h_connect(ctx, NM_A, "c", T_B, ITEMS(SUB(SUB_B1)));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "c"), AVNM_STATE_CONFLICT);
	assert_true(h_members_are(ctx, NM_A, "g", NO_ITEMS));
	/* The home manager's groups see its own network. */
	OK(ctx, avnm_group_create(ctx, NULL, NM_BHOME, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	OK(ctx, avnm_member_add(ctx, NULL, NM_BHOME, "g", VNET_B1));
	assert_true(h_members_are(ctx, NM_BHOME, "g", ITEMS(VNET_B1)));
	{
		avnm_list *l = NULL;
		CHECK(ctx, AVNM_E_NOT_FOUND, avnm_group_members(&l, ctx, NM_BHOME, "nope"));
		CHECK(ctx, AVNM_E_NOT_FOUND, avnm_group_members(&l, ctx, NM_A2, "g"));
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, h_setup_world, h_teardown_ctx)
	const struct CMUnitTest tests[] = {
		T(test_group_create),
		T(test_static_members),
		T(test_member_types),
		T(test_dynamic_home_tenant_only),
		cmocka_unit_test(test_dynamic_cross_tenant_option),
		T(test_revocation_keeps_records),
		T(test_members_follow_conflict),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
