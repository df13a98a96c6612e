/* R6: principals, guest accounts, role assignments and their inheritance,
 * avnm_authorize with its reasons, and the permission each change needs
 * (R6.2 scope connections, R6.3 hub connections, R6.4 linked authorization
 * for members, R6.6 everything else on a manager). */
#include "helpers.h"

/* Principals of this file: alice and frank work for T_A (the provider), bob
 * for T_B, carol for T_C. None has a role until a test gives one. */
static int setup(void **state)
{
	avnm_ctx *ctx = h_ctx();
	h_world(ctx);
	OK(ctx, avnm_principal_create(ctx, "alice", T_A));
	OK(ctx, avnm_principal_create(ctx, "frank", T_A));
	OK(ctx, avnm_principal_create(ctx, "bob", T_B));
	OK(ctx, avnm_principal_create(ctx, "carol", T_C));
	*state = ctx;
	return 0;
}

static int authz(avnm_ctx *ctx, const char *principal, avnm_action action, const char *resource,
                 avnm_reason_code *code)
{
	int allowed = -1;
	avnm_reason *r = NULL;
	OK(ctx, avnm_authorize(&allowed, &r, ctx, principal, action, resource, NULL));
	assert_true(allowed == 0 || allowed == 1);
	assert_non_null(r);
	assert_true(avnm_reason_text(r)[0] != '\0');
	*code = avnm_reason_get_code(r);
	avnm_reason_free(r);
	return allowed;
}

#define NC AVNM_ROLE_NETWORK_CONTRIBUTOR

/* ------------------------------------------------------------------------ */
/* Directory: principals, guests, roles (R6.1)                              */
/* ------------------------------------------------------------------------ */

static void test_principals_and_guests(void **state)
{
	avnm_ctx *ctx = *state;
	CHECK(ctx, AVNM_E_EXISTS, avnm_principal_create(ctx, "ALICE", T_B));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_principal_create(ctx, "dave", "44444444-4444-4444-4444-444444444444"));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_principal_create(ctx, "da ve", T_A));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_principal_create(ctx, "", T_A));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_principal_create(ctx, "dave", "tenant-a"));
	OK(ctx, avnm_principal_create(ctx, "dave@contoso.example", T_A));

	/* A guest account in another tenant; not in the home tenant, not twice. */
	OK(ctx, avnm_guest_add(ctx, "alice", T_B));
	CHECK(ctx, AVNM_E_EXISTS, avnm_guest_add(ctx, "Alice", T_B));
	CHECK(ctx, AVNM_E_EXISTS, avnm_guest_add(ctx, "alice", T_A));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_guest_add(ctx, "ghost", T_B));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_guest_add(ctx, "alice", "44444444-4444-4444-4444-444444444444"));
}

static void test_role_assign(void **state)
{
	avnm_ctx *ctx = *state;
	/* Only to a member (home) or guest of the scope's tenant. */
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_role_assign(ctx, "alice", NC, SUB(SUB_B1), NULL));
	OK(ctx, avnm_guest_add(ctx, "alice", T_B));
	OK(ctx, avnm_role_assign(ctx, "alice", NC, SUB(SUB_B1), NULL));
	CHECK(ctx, AVNM_E_EXISTS, avnm_role_assign(ctx, "alice", NC, "/SUBSCRIPTIONS/" SUB_B1, NULL));
	/* Any scope: group (id or resource id), subscription, resource group, resource. */
	OK(ctx, avnm_role_assign(ctx, "alice", AVNM_ROLE_READER, MG("mg-a"), NULL));
	/* Decision 1: a bare group id is not a resource id. */
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_role_assign(ctx, "alice", NC, "mg-a", NULL));
	OK(ctx, avnm_role_assign(ctx, "alice", AVNM_ROLE_OWNER, RG(SUB_A3, "rg-any"), NULL));
	OK(ctx, avnm_role_assign(ctx, "alice", AVNM_ROLE_CONTRIBUTOR, VNET_A3, NULL));
	/* The scope must exist. */
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_role_assign(ctx, "alice", NC, SUB(SUB_X), NULL));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_role_assign(ctx, "alice", NC, MG("mg-none"), NULL));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_role_assign(ctx, "ghost", NC, SUB(SUB_A1), NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_role_assign(ctx, "alice", (avnm_role)0, SUB(SUB_A1), NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_role_assign(ctx, "alice", NC, "/subscriptions/" SUB_A1 "/", NULL));
}

static void test_role_assign_ambiguous_group(void **state)
{
	avnm_ctx *ctx = *state;
	avnm_reason_code code;
	/* R2.7: "Platform" in T_A and T_B. alice is a member of one, guest of the other. */
	OK(ctx, avnm_mg_create(ctx, T_A, "Platform", NULL));
	OK(ctx, avnm_mg_create(ctx, T_B, "Platform", NULL));
	OK(ctx, avnm_subscription_move(ctx, SUB_B3, "Platform"));
	OK(ctx, avnm_guest_add(ctx, "alice", T_B));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_role_assign(ctx, "alice", NC, MG("Platform"), NULL));
	MSG_HAS(ctx, T_A, T_B);
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_role_assign(ctx, "alice", NC, MG("platform"), NULL));
	OK(ctx, avnm_role_assign(ctx, "alice", NC, MG("Platform"), T_B));
	/* It went to T_B's group: SUB_B3 is below it. */
	assert_int_equal(authz(ctx, "alice", AVNM_ACTION_NETWORK_WRITE, VNET_B3, &code), 1);
	assert_int_equal(authz(ctx, "alice", AVNM_ACTION_NETWORK_WRITE, SUB(SUB_A3), &code), 0);
}

/* ------------------------------------------------------------------------ */
/* avnm_authorize                                                            */
/* ------------------------------------------------------------------------ */

static void test_authorize(void **state)
{
	avnm_ctx *ctx = *state;
	avnm_reason_code code = AVNM_REASON_NONE;
	avnm_reason *r = NULL;
	int allowed = -1;

	/* R6.5: the system is trusted. */
	assert_int_equal(authz(ctx, NULL, AVNM_ACTION_NETWORK_WRITE, VNET_B1, &code), 1);
	assert_int_equal(code, AVNM_REASON_ALLOW_SYSTEM);

	/* No role at all; no account in the tenant. */
	assert_int_equal(authz(ctx, "alice", AVNM_ACTION_READ, VNET_A1, &code), 0);
	assert_int_equal(code, AVNM_REASON_DENY_NO_ROLE);
	OK(ctx, avnm_authorize(&allowed, &r, ctx, "alice", AVNM_ACTION_READ, VNET_B1, NULL));
	assert_int_equal(allowed, 0);
	assert_int_equal(avnm_reason_get_code(r), AVNM_REASON_DENY_NO_ACCOUNT);
	assert_true(h_part_find(r, 0, AVNM_PART_TENANT, T_B) >= 0);
	avnm_reason_free(r);

	/* Reader reads, does not write. */
	OK(ctx, avnm_role_assign(ctx, "alice", AVNM_ROLE_READER, SUB(SUB_A1), NULL));
	assert_int_equal(authz(ctx, "alice", AVNM_ACTION_READ, VNET_A1, &code), 1);
	assert_int_equal(code, AVNM_REASON_ALLOW_ROLE);
	assert_int_equal(authz(ctx, "alice", AVNM_ACTION_NETWORK_WRITE, VNET_A1, &code), 0);
	assert_int_equal(code, AVNM_REASON_DENY_NO_ROLE);

	/* Network Contributor at a group: inherited downwards (R2.5), not sideways. */
	OK(ctx, avnm_role_assign(ctx, "alice", NC, MG("mg-a"), NULL));
	OK(ctx, avnm_authorize(&allowed, &r, ctx, "alice", AVNM_ACTION_NETWORK_WRITE, VNET_A1, NULL));
	assert_int_equal(allowed, 1);
	assert_int_equal(avnm_reason_get_code(r), AVNM_REASON_ALLOW_ROLE);
	assert_true(h_part_find(r, 0, AVNM_PART_ROLE, "Network Contributor") >= 0);
	avnm_reason_free(r);
	assert_int_equal(authz(ctx, "alice", AVNM_ACTION_NETWORK_WRITE, SUB(SUB_A2), &code), 1);
	assert_int_equal(authz(ctx, "alice", AVNM_ACTION_NETWORK_WRITE, MG("mg-a"), &code), 1);
	assert_int_equal(authz(ctx, "alice", AVNM_ACTION_NETWORK_WRITE, VNET_A3, &code), 0);
	assert_int_equal(authz(ctx, "alice", AVNM_ACTION_NETWORK_WRITE, MG(T_A), &code), 0);

	/* Owner and Contributor write too; a role at a resource covers it only. */
	OK(ctx, avnm_role_assign(ctx, "frank", AVNM_ROLE_OWNER, SUB(SUB_A3), NULL));
	assert_int_equal(authz(ctx, "frank", AVNM_ACTION_NETWORK_WRITE, VNET_A3, &code), 1);
	OK(ctx, avnm_role_assign(ctx, "carol", AVNM_ROLE_CONTRIBUTOR, VNET_C1, NULL));
	assert_int_equal(authz(ctx, "carol", AVNM_ACTION_NETWORK_WRITE, VNET_C1, &code), 1);
	assert_int_equal(authz(ctx, "carol", AVNM_ACTION_NETWORK_WRITE, SUB(SUB_C1), &code), 0);
	assert_int_equal(authz(ctx, "carol", AVNM_ACTION_READ, VNET(SUB_C1, "other"), &code), 0);

	/* Errors. */
	CHECK(ctx, AVNM_E_NOT_FOUND,
	      avnm_authorize(&allowed, NULL, ctx, "ghost", AVNM_ACTION_READ, VNET_A1, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT,
	      avnm_authorize(&allowed, NULL, ctx, "alice", (avnm_action)3, VNET_A1, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT,
	      avnm_authorize(&allowed, NULL, ctx, "alice", AVNM_ACTION_READ, "//x", NULL));
}

/* ------------------------------------------------------------------------ */
/* R6.2 scope connections                                                    */
/* ------------------------------------------------------------------------ */

static void test_scope_connection_permissions(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	OK(ctx, avnm_role_assign(ctx, "alice", NC, SUB(SUB_A1), NULL));
	/* Write on the manager, but no account in the target tenant. */
	CHECK(ctx, AVNM_E_FORBIDDEN, h_scope_conn(ctx, "alice", NM_A, "c", T_B, ITEMS(MG("mg-prod"))));
	/* A guest account without a role. */
	OK(ctx, avnm_guest_add(ctx, "alice", T_B));
	CHECK(ctx, AVNM_E_FORBIDDEN, h_scope_conn(ctx, "alice", NM_A, "c", T_B, ITEMS(MG("mg-prod"))));
	/* Write below the scope is not enough; it must be at or above every item. */
	OK(ctx, avnm_role_assign(ctx, "alice", NC, SUB(SUB_B1), NULL));
	CHECK(ctx, AVNM_E_FORBIDDEN, h_scope_conn(ctx, "alice", NM_A, "c", T_B, ITEMS(MG("mg-prod"))));
	CHECK(ctx, AVNM_E_FORBIDDEN,
	      h_scope_conn(ctx, "alice", NM_A, "c", T_B, ITEMS(SUB(SUB_B1), SUB(SUB_B2))));
	OK(ctx, h_scope_conn(ctx, "alice", NM_A, "only-b1", T_B, ITEMS(SUB(SUB_B1))));
	OK(ctx, avnm_role_assign(ctx, "alice", NC, MG("mg-prod"), T_B));
	OK(ctx, h_scope_conn(ctx, "alice", NM_A, "c", T_B, ITEMS(MG("mg-prod"))));

	/* Write in the target tenant but not on the manager. */
	OK(ctx, avnm_role_assign(ctx, "bob", NC, MG(T_B), NULL));
	CHECK(ctx, AVNM_E_FORBIDDEN, h_scope_conn(ctx, "bob", NM_A, "d", T_B, ITEMS(MG("mg-dev"))));
	/* Reader on the manager is not write on it. */
	OK(ctx, avnm_guest_add(ctx, "bob", T_A));
	OK(ctx, avnm_role_assign(ctx, "bob", AVNM_ROLE_READER, NM_A, NULL));
	CHECK(ctx, AVNM_E_FORBIDDEN, h_scope_conn(ctx, "bob", NM_A, "d", T_B, ITEMS(MG("mg-dev"))));
	OK(ctx, avnm_role_assign(ctx, "bob", NC, NM_A, NULL));
	OK(ctx, h_scope_conn(ctx, "bob", NM_A, "d", T_B, ITEMS(MG("mg-dev"))));

	/* Deleting needs the same. */
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_scope_connection_delete(ctx, "carol", NM_A, "c"));
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_scope_connection_delete(ctx, "frank", NM_A, "c"));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "c"), AVNM_STATE_PENDING);
	OK(ctx, avnm_scope_connection_delete(ctx, "alice", NM_A, "c"));
}

/* ------------------------------------------------------------------------ */
/* R6.3 hub connections                                                      */
/* ------------------------------------------------------------------------ */

static void test_hub_connection_permissions(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "c", T_B, ITEMS(MG("mg-prod"))));
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "dev", T_B, ITEMS(MG("mg-dev"))));

	OK(ctx, avnm_role_assign(ctx, "bob", AVNM_ROLE_READER, MG("mg-prod"), NULL));
	CHECK(ctx, AVNM_E_FORBIDDEN, h_hub_conn(ctx, "bob", T_B, "h", ITEMS(MG("mg-prod")), NM_A));
	OK(ctx, avnm_role_assign(ctx, "bob", NC, SUB(SUB_B1), NULL));
	CHECK(ctx, AVNM_E_FORBIDDEN, h_hub_conn(ctx, "bob", T_B, "h", ITEMS(MG("mg-prod")), NM_A));
	/* Nothing changed on the manager side. */
	ASSERT_STATE(h_sc_state(ctx, NM_A, "c"), AVNM_STATE_PENDING);
	/* No account in T_B at all. */
	CHECK(ctx, AVNM_E_FORBIDDEN, h_hub_conn(ctx, "carol", T_B, "h", ITEMS(MG("mg-prod")), NM_A));
	/* A guest with the role at the scope will do. */
	OK(ctx, avnm_guest_add(ctx, "carol", T_B));
	OK(ctx, avnm_role_assign(ctx, "carol", NC, MG("mg-prod"), NULL));
	OK(ctx, h_hub_conn(ctx, "carol", T_B, "h", ITEMS(MG("mg-prod")), NM_A));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "c"), AVNM_STATE_CONNECTED);

	/* Rejecting: write at or above the rejected connection's scope. */
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_scope_connection_reject(ctx, "carol", T_B, NM_A, "dev"));
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_scope_connection_reject(ctx, "alice", T_B, NM_A, "dev"));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "dev"), AVNM_STATE_PENDING);
	OK(ctx, avnm_role_assign(ctx, "bob", NC, MG(T_B), NULL));
	OK(ctx, avnm_scope_connection_reject(ctx, "bob", T_B, NM_A, "dev"));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "dev"), AVNM_STATE_REJECTED);

	/* Deleting: the same right. */
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_hub_connection_delete(ctx, "alice", T_B, "h"));
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_hub_connection_delete(ctx, "ghost", T_B, "h"));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "c"), AVNM_STATE_CONNECTED);
	OK(ctx, avnm_hub_connection_delete(ctx, "carol", T_B, "h"));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "c"), AVNM_STATE_REVOKED);
}

/* ------------------------------------------------------------------------ */
/* R6.4 linked authorization                                                 */
/* ------------------------------------------------------------------------ */

static void test_member_linked_authorization(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	OK(ctx, avnm_role_assign(ctx, "alice", NC, RG(SUB_A1, "rg-avnm"), NULL));

	/* Write on the manager, nothing in the network's tenant. */
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_member_add(ctx, "alice", NM_A, "g", VNET_B1));
	MSG_HAS(ctx, "linked authorization failed", T_B, SUB_B1);
	/* A guest account with Reader is still not write. */
	OK(ctx, avnm_guest_add(ctx, "alice", T_B));
	OK(ctx, avnm_role_assign(ctx, "alice", AVNM_ROLE_READER, SUB(SUB_B1), NULL));
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_member_add(ctx, "alice", NM_A, "g", VNET_B1));
	MSG_HAS(ctx, "linked authorization failed", T_B, SUB_B1);
	OK(ctx, avnm_role_assign(ctx, "alice", NC, VNET_B1, NULL));
	OK(ctx, avnm_member_add(ctx, "alice", NM_A, "g", VNET_B1));

	/* The network's own tenant may be the home tenant: still checked. */
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_member_add(ctx, "alice", NM_A, "g", VNET_A3));
	MSG_HAS(ctx, "linked authorization failed", T_A, SUB_A3);
	/* Write on the network but not on the manager: forbidden (R6.6). */
	OK(ctx, avnm_role_assign(ctx, "frank", NC, SUB(SUB_A3), NULL));
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_member_add(ctx, "frank", NM_A, "g", VNET_A3));
	/* Removing a member is a change to the manager only (R6.6). */
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_member_remove(ctx, "frank", NM_A, "g", VNET_B1));
	OK(ctx, avnm_member_remove(ctx, "alice", NM_A, "g", VNET_B1));
}

/* ------------------------------------------------------------------------ */
/* R6.6 everything else on a manager                                         */
/* ------------------------------------------------------------------------ */

static void test_manager_permissions(void **state)
{
	avnm_ctx *ctx = *state;
	const avnm_tag prod[] = {h_tag("env", "prod")};
	/* Create: write on its resource group or above. */
	OK(ctx, avnm_role_assign(ctx, "alice", NC, RG(SUB_A1, "rg-avnm"), NULL));
	CHECK(ctx, AVNM_E_FORBIDDEN,
	      h_manager(ctx, "alice", RG(SUB_A1, "rg-other") "/providers/Microsoft.Network/networkManagers/nm",
	                ACC_C, NO_ITEMS));
	CHECK(ctx, AVNM_E_FORBIDDEN, h_manager(ctx, "frank", NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	OK(ctx, h_manager(ctx, "alice", NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	OK(ctx, avnm_group_create(ctx, "alice", NM_A, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "c", T_B, ITEMS(SUB(SUB_B1))));

	/* frank can read the manager, not change it. */
	OK(ctx, avnm_role_assign(ctx, "frank", AVNM_ROLE_READER, SUB(SUB_A1), NULL));
	CHECK(ctx, AVNM_E_FORBIDDEN,
	      h_manager_update(ctx, "frank", NM_A, AVNM_UPDATE_ACCESSES, ACC_R, NO_ITEMS));
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_group_create(ctx, "frank", NM_A, "h", AVNM_MEMBER_SUBNET));
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_group_condition_add(ctx, "frank", NM_A, "g", prod, 1));
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_scope_connection_reevaluate(ctx, "frank", NM_A, "c"));
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_group_delete(ctx, "frank", NM_A, "g"));
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_manager_delete(ctx, "frank", NM_A, AVNM_DELETE_FORCE));
	/* Nothing changed. */
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 1);
	assert_true(h_members_are(ctx, NM_A, "g", NO_ITEMS));

	/* Write on the manager's own resource id is enough for all of them. */
	OK(ctx, avnm_role_assign(ctx, "frank", NC, NM_A, NULL));
	OK(ctx, avnm_group_condition_add(ctx, "frank", NM_A, "g", prod, 1));
	assert_true(h_members_are(ctx, NM_A, "g", ITEMS(VNET_A1)));
	OK(ctx, avnm_scope_connection_reevaluate(ctx, "frank", NM_A, "c"));
	OK(ctx, h_manager_update(ctx, "frank", NM_A, AVNM_UPDATE_ACCESSES, ACC_C | ACC_R, NO_ITEMS));
	OK(ctx, avnm_group_create(ctx, "frank", NM_A, "h", AVNM_MEMBER_SUBNET));
	OK(ctx, avnm_group_delete(ctx, "frank", NM_A, "h"));
	OK(ctx, avnm_manager_delete(ctx, "frank", NM_A, AVNM_DELETE_FORCE));
	/* A manager's local scope needs no right on the scope itself: it is the
	 * manager's home tenant and R6.6 asks write on the manager only. */
	OK(ctx, avnm_role_assign(ctx, "frank", NC, RG(SUB_A1, "rg-avnm"), NULL));
	OK(ctx, h_manager(ctx, "frank", NM_A, ACC_C, ITEMS(SUB(SUB_A3))));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, h_teardown_ctx)
	const struct CMUnitTest tests[] = {
		T(test_principals_and_guests),
		T(test_role_assign),
		T(test_role_assign_ambiguous_group),
		T(test_authorize),
		T(test_scope_connection_permissions),
		T(test_hub_connection_permissions),
		T(test_member_linked_authorization),
		T(test_manager_permissions),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
