/* R3: network managers. Creation and update checks, the direct-overlap rule
 * (R3.3) with what its message must name, hierarchical precedence (R3.4) and
 * the strict_hierarchy option, and deletion with busy/force (R3.5). */
#include "helpers.h"

#define NM_ROOT NM(SUB_A1, "nm-root")

static unsigned int accesses_of(avnm_ctx *ctx, const char *manager)
{
	avnm_manager *m = NULL;
	unsigned int acc = 0xffffu;
	OK(ctx, avnm_manager_open(&m, ctx, manager));
	assert_int_equal(avnm_manager_get_accesses(&acc, m), AVNM_OK);
	avnm_manager_close(m);
	return acc;
}

static size_t scope_count_of(avnm_ctx *ctx, const char *manager)
{
	avnm_manager *m = NULL;
	avnm_scope *s = NULL;
	size_t n;
	OK(ctx, avnm_manager_open(&m, ctx, manager));
	assert_int_equal(avnm_manager_get_scope(&s, m), AVNM_OK);
	n = avnm_scope_count(s);
	avnm_scope_free(s);
	avnm_manager_close(m);
	return n;
}

/* ------------------------------------------------------------------------ */
/* Create (R3.1)                                                             */
/* ------------------------------------------------------------------------ */

static void test_create(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C | ACC_SA, ITEMS(SUB(SUB_A1))));
	CHECK(ctx, AVNM_E_EXISTS, h_manager(ctx, NULL, NM_A, ACC_R, NO_ITEMS));
	/* Ids compare case-insensitively (R1.3). */
	CHECK(ctx, AVNM_E_EXISTS,
	      h_manager(ctx, NULL,
	                "/SUBSCRIPTIONS/A0000000-0000-0000-0000-000000000001/resourcegroups/RG-AVNM/providers/microsoft.network/networkmanagers/NM-A",
	                ACC_R, NO_ITEMS));
	/* Empty access set and empty or absent local scope are allowed: a manager
	 * may manage only through connections (R3.1). */
	OK(ctx, h_manager(ctx, NULL, NM_A2, 0, NO_ITEMS));
	OK(ctx, avnm_manager_create(ctx, NULL, NM_SEC, ACC_SA, NULL));
	assert_int_equal(accesses_of(ctx, NM_A), ACC_C | ACC_SA);
	assert_int_equal(scope_count_of(ctx, NM_A), 1);
	assert_int_equal(accesses_of(ctx, NM_A2), 0);
	assert_int_equal(scope_count_of(ctx, NM_SEC), 0);
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 1);
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_SA, NULL), 1);
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_R, NULL), 0);
}

static void test_create_invalid(void **state)
{
	avnm_ctx *ctx = *state;
	/* Not a manager id, bad names (R1.5), unknown access bits. */
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, h_manager(ctx, NULL, RG(SUB_A1, "rg"), ACC_C, NO_ITEMS));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, h_manager(ctx, NULL, VNET_A1, ACC_C, NO_ITEMS));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, h_manager(ctx, NULL, NM(SUB_A1, "-nm"), ACC_C, NO_ITEMS));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, h_manager(ctx, NULL, NM(SUB_A1, "nm."), ACC_C, NO_ITEMS));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, h_manager(ctx, NULL, NM(SUB_A1, "n m"), ACC_C, NO_ITEMS));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, h_manager(ctx, NULL, NM_A, 1u << 4, NO_ITEMS));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, h_manager(ctx, NULL, NM_A, ACC_C | (1u << 31), NO_ITEMS));
	/* A foreign item in the local scope: other tenants come in through
	 * connections only (R3.1). */
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_B1))));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT,
	      h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1), SUB(SUB_C1))));
	/* Nothing of the refused calls was created. */
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_manager_delete(ctx, NULL, NM_A, 0));
}

static void test_create_not_found(void **state)
{
	avnm_ctx *ctx = *state;
	/* Its subscription is unknown. */
	CHECK(ctx, AVNM_E_NOT_FOUND, h_manager(ctx, NULL, NM(SUB_X, "nm"), ACC_C, NO_ITEMS));
	/* A scope item that does not exist. */
	CHECK(ctx, AVNM_E_NOT_FOUND, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_X))));
	CHECK(ctx, AVNM_E_NOT_FOUND, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(MG("mg-none"))));
	/* Management groups resolve in the home tenant: T_B's mg-prod is not T_A's. */
	CHECK(ctx, AVNM_E_NOT_FOUND, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(MG("mg-prod"))));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_manager_delete(ctx, NULL, NM_A, 0));
}

/* ------------------------------------------------------------------------ */
/* R3.3 direct overlap                                                       */
/* ------------------------------------------------------------------------ */

static void test_direct_overlap_create(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C | ACC_R, ITEMS(SUB(SUB_A1))));
	/* Shares Connectivity and Routing on SUB_A1. The message names the item,
	 * the other manager and the shared accesses. */
	CHECK(ctx, AVNM_E_CONFLICT,
	      h_manager(ctx, NULL, NM_A2, ACC_C | ACC_SA | ACC_R, ITEMS(SUB(SUB_A2), SUB(SUB_A1))));
	MSG_HAS(ctx, SUB_A1, "nm-a", "Connectivity", "Routing");
	/* Nothing of it was created. */
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_manager_delete(ctx, NULL, NM_A2, 0));
	/* Disjoint accesses on the same item: fine. */
	OK(ctx, h_manager(ctx, NULL, NM_SEC, ACC_SA | ACC_SU, ITEMS(SUB(SUB_A1))));
	/* Now a third manager clashes with both; both are named. */
	CHECK(ctx, AVNM_E_CONFLICT,
	      h_manager(ctx, NULL, NM_A2, ACC_C | ACC_SA, ITEMS(SUB(SUB_A1))));
	MSG_HAS(ctx, SUB_A1, "nm-a", "nm-sec", "Connectivity", "SecurityAdmin");
	/* Management-group items clash the same way. */
	OK(ctx, h_manager(ctx, NULL, NM_ROOT, ACC_C, ITEMS(MG("mg-a"))));
	CHECK(ctx, AVNM_E_CONFLICT, h_manager(ctx, NULL, NM_A2, ACC_C, ITEMS(MG("MG-A"))));
	MSG_HAS(ctx, "mg-a", "nm-root", "Connectivity");
}

static void test_direct_overlap_update(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	OK(ctx, h_manager(ctx, NULL, NM_SEC, ACC_SA, ITEMS(SUB(SUB_A1), SUB(SUB_A2))));
	/* R3.3 on update: gaining Connectivity would clash with nm-a. */
	CHECK(ctx, AVNM_E_CONFLICT,
	      h_manager_update(ctx, NULL, NM_SEC, AVNM_UPDATE_ACCESSES, ACC_SA | ACC_C, NO_ITEMS));
	MSG_HAS(ctx, SUB_A1, "nm-a", "Connectivity");
	assert_int_equal(accesses_of(ctx, NM_SEC), ACC_SA);
	/* nm-a widening its scope onto SUB_A2 does not clash (disjoint accesses)... */
	OK(ctx, h_manager_update(ctx, NULL, NM_A, AVNM_UPDATE_SCOPE, 0, ITEMS(SUB(SUB_A1), SUB(SUB_A2))));
	/* ...and the update of the scope alone kept the accesses. */
	assert_int_equal(accesses_of(ctx, NM_A), ACC_C);
	assert_int_equal(h_can(ctx, NM_A, SUB(SUB_A2), ACC_C, NULL), 1);
	/* Both at once: accesses and scope together clash. */
	CHECK(ctx, AVNM_E_CONFLICT,
	      h_manager_update(ctx, NULL, NM_SEC, AVNM_UPDATE_ACCESSES | AVNM_UPDATE_SCOPE, ACC_C,
	                       ITEMS(SUB(SUB_A2))));
	assert_int_equal(accesses_of(ctx, NM_SEC), ACC_SA);
	assert_int_equal(scope_count_of(ctx, NM_SEC), 2);
	/* Giving up the item frees it: then the other may take it. */
	OK(ctx, h_manager_update(ctx, NULL, NM_A, AVNM_UPDATE_SCOPE, 0, ITEMS(SUB(SUB_A1))));
	OK(ctx, h_manager_update(ctx, NULL, NM_SEC, AVNM_UPDATE_ACCESSES | AVNM_UPDATE_SCOPE,
	                         ACC_C | ACC_SA, ITEMS(SUB(SUB_A2))));
	assert_int_equal(h_can(ctx, NM_SEC, SUB(SUB_A2), ACC_C, NULL), 1);
	assert_int_equal(h_can(ctx, NM_SEC, SUB(SUB_A1), ACC_SA, NULL), 0);
}

static void test_update_errors(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT,
	      h_manager_update(ctx, NULL, NM_A, 1u << 2, ACC_C, NO_ITEMS));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT,
	      h_manager_update(ctx, NULL, NM_A, AVNM_UPDATE_ACCESSES, 1u << 5, NO_ITEMS));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT,
	      h_manager_update(ctx, NULL, NM_A, AVNM_UPDATE_SCOPE, 0, ITEMS(SUB(SUB_B1))));
	CHECK(ctx, AVNM_E_NOT_FOUND,
	      h_manager_update(ctx, NULL, NM_A, AVNM_UPDATE_SCOPE, 0, ITEMS(SUB(SUB_X))));
	CHECK(ctx, AVNM_E_NOT_FOUND,
	      h_manager_update(ctx, NULL, NM_A2, AVNM_UPDATE_ACCESSES, ACC_C, NO_ITEMS));
	/* Refused updates changed nothing. */
	assert_int_equal(accesses_of(ctx, NM_A), ACC_C);
	assert_int_equal(scope_count_of(ctx, NM_A), 1);
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 1);
	/* Accesses alone; the scope stays. */
	OK(ctx, h_manager_update(ctx, NULL, NM_A, AVNM_UPDATE_ACCESSES, ACC_R, NO_ITEMS));
	assert_int_equal(scope_count_of(ctx, NM_A), 1);
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 0);
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_R, NULL), 1);
}

static void test_direct_overlap_with_connection(void **state)
{
	avnm_ctx *ctx = *state;
	/* R3.3: a Connected connection's items are held directly too. */
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	h_connect(ctx, NM_A, "to-b1", T_B, ITEMS(SUB(SUB_B1)));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "to-b1"), AVNM_STATE_CONNECTED);
	CHECK(ctx, AVNM_E_CONFLICT, h_manager(ctx, NULL, NM_BHOME, ACC_C, ITEMS(SUB(SUB_B1))));
	MSG_HAS(ctx, SUB_B1, "nm-a", "Connectivity");
	OK(ctx, h_manager(ctx, NULL, NM_BHOME, ACC_SA, ITEMS(SUB(SUB_B1))));
	CHECK(ctx, AVNM_E_CONFLICT,
	      h_manager_update(ctx, NULL, NM_BHOME, AVNM_UPDATE_ACCESSES, ACC_SA | ACC_C, NO_ITEMS));
	/* Once the hub side is gone the item is free at once (R4.7). */
	OK(ctx, avnm_hub_connection_delete(ctx, NULL, T_B, "to-b1"));
	OK(ctx, h_manager_update(ctx, NULL, NM_BHOME, AVNM_UPDATE_ACCESSES, ACC_SA | ACC_C, NO_ITEMS));
}

static void test_implied_connection_holds_nothing(void **state)
{
	avnm_ctx *ctx = *state;
	/* Decision 2 / R4.5a: a connection Connected by implied consent adds
	 * nothing to what its manager holds directly. nm-a's local mg-a covers
	 * SUB_A1, so its connection to SUB_A1 is implied; another manager may then
	 * hold SUB_A1 directly with the same access (hierarchical overlap with
	 * mg-a, allowed by R3.4). */
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(MG("mg-a"))));
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "self", T_A, ITEMS(SUB(SUB_A1))));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "self"), AVNM_STATE_CONNECTED);
	OK(ctx, h_manager(ctx, NULL, NM_A2, ACC_C, ITEMS(SUB(SUB_A1))));
}

/* ------------------------------------------------------------------------ */
/* R3.4 hierarchical overlap and precedence                                  */
/* ------------------------------------------------------------------------ */

static void test_hierarchical_precedence(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, h_manager(ctx, NULL, NM_A2, ACC_C, ITEMS(SUB(SUB_A1))));
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C | ACC_SA, ITEMS(MG("mg-a"))));
	OK(ctx, h_manager(ctx, NULL, NM_ROOT, ACC_C, ITEMS(MG(T_A))));
	/* Highest (nearest the root) first, whatever the creation order. */
	assert_true(h_managers_are(ctx, VNET_A1, ACC_C, NULL, ITEMS(NM_ROOT, NM_A, NM_A2)));
	assert_true(h_managers_are(ctx, SUB(SUB_A2), ACC_C, NULL, ITEMS(NM_ROOT, NM_A)));
	assert_true(h_managers_are(ctx, VNET_A3, ACC_C, NULL, ITEMS(NM_ROOT)));
	assert_true(h_managers_are(ctx, VNET_A1, ACC_SA, NULL, ITEMS(NM_A)));
	assert_true(h_managers_are(ctx, VNET_A1, ACC_R, NULL, NO_ITEMS));
	assert_true(h_managers_are(ctx, VNET_B1, ACC_C, NULL, NO_ITEMS));
	/* Precedence is an order only: the lower manager still manages. */
	assert_int_equal(h_can(ctx, NM_A2, VNET_A1, ACC_C, NULL), 1);
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 1);
	assert_int_equal(h_can(ctx, NM_ROOT, VNET_A1, ACC_C, NULL), 1);
}

/* Empty answers and others, freed in any order: each list stands on its own (an empty
 * answer is a list like any other to the caller, though it allocates nothing). */
static void test_answer_lists(void **state)
{
	avnm_ctx *ctx = *state;
	avnm_list *none1 = NULL, *some = NULL, *none2 = NULL, *none3 = NULL;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(MG("mg-a"))));
	OK(ctx, avnm_managers_of(&none1, ctx, VNET_A1, ACC_SA, NULL));
	OK(ctx, avnm_managers_of(&some, ctx, VNET_A1, ACC_C, NULL));
	OK(ctx, avnm_managers_of(&none2, ctx, VNET_B1, ACC_C, NULL));
	OK(ctx, avnm_managers_of(&none3, ctx, VNET("00000000-0000-4000-8000-0000000000ee", "vn"),
	                         ACC_C, NULL));
	avnm_list *empty[] = { none1, none2, none3 };
	for (size_t i = 0; i < 3; i++) {
		assert_non_null(empty[i]);
		assert_int_equal(avnm_list_count(empty[i]), 0);
		assert_null(avnm_list_get(empty[i], 0));
		assert_null(avnm_list_tenant(empty[i], 0));
	}
	avnm_list_free(none2);
	assert_int_equal(avnm_list_count(some), 1);
	assert_string_equal(avnm_list_get(some, 0), NM_A);
	avnm_list_free(some);
	assert_int_equal(avnm_list_count(none1), 0);
	avnm_list_free(none1);
	avnm_list_free(none3);
	assert_true(h_managers_are(ctx, VNET_A1, ACC_C, NULL, ITEMS(NM_A)));
}

static void test_query_errors(void **state)
{
	avnm_ctx *ctx = *state;
	int allowed = -1;
	avnm_list *l = NULL;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	/* Exactly one access bit. */
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_can_manage(&allowed, NULL, ctx, NM_A, VNET_A1, 0, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT,
	      avnm_can_manage(&allowed, NULL, ctx, NM_A, VNET_A1, ACC_C | ACC_R, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT,
	      avnm_can_manage(&allowed, NULL, ctx, NM_A, VNET_A1, 1u << 4, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_managers_of(&l, ctx, VNET_A1, ACC_C | ACC_SA, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT,
	      avnm_can_manage(&allowed, NULL, ctx, NM_A, "/subscriptions//x", ACC_C, NULL));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_can_manage(&allowed, NULL, ctx, NM_A2, VNET_A1, ACC_C, NULL));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_manager_cross_tenant_scopes(&l, ctx, NM_A2));
}

static void test_strict_hierarchy(void **state)
{
	avnm_ctx *ctx = h_ctx_flags(AVNM_OPT_STRICT_HIERARCHY);
	(void)state;
	h_world(ctx);
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(MG("mg-a"))));
	/* Any ancestor/descendant overlap with a shared access is a conflict. */
	CHECK(ctx, AVNM_E_CONFLICT, h_manager(ctx, NULL, NM_A2, ACC_C | ACC_SA, ITEMS(SUB(SUB_A1))));
	MSG_HAS(ctx, "nm-a", "Connectivity");
	CHECK(ctx, AVNM_E_CONFLICT, h_manager(ctx, NULL, NM_ROOT, ACC_C, ITEMS(MG(T_A))));
	/* Disjoint accesses are still fine. */
	OK(ctx, h_manager(ctx, NULL, NM_SEC, ACC_SA, ITEMS(SUB(SUB_A1))));
	/* Outside the subtree: fine, until a move brings it under. */
	OK(ctx, h_manager(ctx, NULL, NM_A2, ACC_C, ITEMS(SUB(SUB_A3))));
	CHECK(ctx, AVNM_E_CONFLICT, avnm_subscription_move(ctx, SUB_A3, "mg-a"));
	assert_int_equal(h_can(ctx, NM_A, VNET_A3, ACC_C, NULL), 0);
	OK(ctx, avnm_mg_create(ctx, T_A, "mg-side", NULL));
	OK(ctx, avnm_subscription_move(ctx, SUB_A3, "mg-side"));
	CHECK(ctx, AVNM_E_CONFLICT, avnm_mg_move(ctx, T_A, "mg-side", "mg-a"));
	assert_int_equal(h_can(ctx, NM_A, VNET_A3, ACC_C, NULL), 0);
	avnm_ctx_free(ctx);

	/* The same moves without the option are hierarchical overlap (R3.4). */
	ctx = h_ctx();
	h_world(ctx);
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(MG("mg-a"))));
	OK(ctx, h_manager(ctx, NULL, NM_A2, ACC_C, ITEMS(SUB(SUB_A3))));
	OK(ctx, avnm_mg_create(ctx, T_A, "mg-side", NULL));
	OK(ctx, avnm_subscription_move(ctx, SUB_A3, "mg-side"));
	OK(ctx, avnm_mg_move(ctx, T_A, "mg-side", "mg-a"));
	assert_true(h_managers_are(ctx, VNET_A3, ACC_C, NULL, ITEMS(NM_A, NM_A2)));
	avnm_ctx_free(ctx);
}

/* ------------------------------------------------------------------------ */
/* R3.5 delete                                                               */
/* ------------------------------------------------------------------------ */

static void test_delete_busy(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	CHECK(ctx, AVNM_E_BUSY, avnm_manager_delete(ctx, NULL, NM_A, 0));
	OK(ctx, avnm_group_delete(ctx, NULL, NM_A, "g"));
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "c", T_B, ITEMS(SUB(SUB_B1))));
	CHECK(ctx, AVNM_E_BUSY, avnm_manager_delete(ctx, NULL, NM_A, 0));
	/* Still there, with its connection. */
	ASSERT_STATE(h_sc_state(ctx, NM_A, "c"), AVNM_STATE_PENDING);
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_manager_delete(ctx, NULL, NM_A, 1u << 3));
	OK(ctx, avnm_scope_connection_delete(ctx, NULL, NM_A, "c"));
	OK(ctx, avnm_manager_delete(ctx, NULL, NM_A, 0));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_manager_delete(ctx, NULL, NM_A, 0));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_manager_delete(ctx, NULL, NM_A, AVNM_DELETE_FORCE));
}

static void test_delete_hub_connections_do_not_count(void **state)
{
	avnm_ctx *ctx = *state;
	avnm_state st;
	/* Decision 3: hub connections naming the manager do not make it busy. */
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(MG("mg-a"))));
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "from-a", ITEMS(SUB(SUB_B1)), NM_A));
	/* In its own tenant, covered by mg-a: Connected by implied consent. */
	OK(ctx, h_hub_conn(ctx, NULL, T_A, "own", ITEMS(SUB(SUB_A1)), NM_A));
	ASSERT_STATE(h_hc_state(ctx, T_A, "own"), AVNM_STATE_CONNECTED);
	OK(ctx, avnm_manager_delete(ctx, NULL, NM_A, 0));
	/* The hub connections stay: one waits for a manager again (R4.11), the
	 * implied one lost its cover (R4.5a). */
	ASSERT_STATE(h_hc_state(ctx, T_B, "from-a"), AVNM_STATE_PENDING);
	assert_int_equal(h_hc_reason(ctx, T_B, "from-a"), AVNM_REASON_PENDING_NO_MANAGER);
	ASSERT_STATE(h_hc_state(ctx, T_A, "own"), AVNM_STATE_REVOKED);
	assert_int_equal(h_hc_reason(ctx, T_A, "own"), AVNM_REASON_REVOKED_IMPLIED_LAPSED);
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_scope_connection_state(&st, NULL, ctx, NM_A, "x"));
}

static void test_delete_forced(void **state)
{
	avnm_ctx *ctx = *state;
	avnm_state st = AVNM_STATE_NONE;
	avnm_list *l = NULL;
	/* nm-bhome holds SUB_B2 in T_B, so nm-a's connection there is a Conflict. */
	OK(ctx, h_manager(ctx, NULL, NM_BHOME, ACC_C, ITEMS(SUB(SUB_B2))));
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	h_connect(ctx, NM_A, "connected", T_B, ITEMS(SUB(SUB_B1)));
	h_connect(ctx, NM_A, "conflict", T_B, ITEMS(SUB(SUB_B2)));
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "pending", T_B, ITEMS(MG("mg-dev"))));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	OK(ctx, avnm_member_add(ctx, NULL, NM_A, "g", VNET_B1));
	ASSERT_STATE(h_hc_state(ctx, T_B, "connected"), AVNM_STATE_CONNECTED);
	ASSERT_STATE(h_hc_state(ctx, T_B, "conflict"), AVNM_STATE_CONFLICT);

	CHECK(ctx, AVNM_E_BUSY, avnm_manager_delete(ctx, NULL, NM_A, 0));
	OK(ctx, avnm_manager_delete(ctx, NULL, NM_A, AVNM_DELETE_FORCE));

	/* Its connections and groups went with it; counterparts reacted (R4.4). */
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_scope_connection_state(&st, NULL, ctx, NM_A, "connected"));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_scope_connection_state(&st, NULL, ctx, NM_A, "pending"));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_group_members(&l, ctx, NM_A, "g"));
	ASSERT_STATE(h_hc_state(ctx, T_B, "connected"), AVNM_STATE_REVOKED);
	ASSERT_STATE(h_hc_state(ctx, T_B, "conflict"), AVNM_STATE_PENDING);
	assert_true(h_managers_are(ctx, VNET_B1, ACC_C, NULL, NO_ITEMS));
	/* The scope it held is free at once (R4.7). */
	OK(ctx, h_manager(ctx, NULL, NM(SUB_B2, "nm-b2"), ACC_C, ITEMS(SUB(SUB_B1))));
	/* Recreated with the same id, it starts empty: no group, names reusable. */
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_group_members(&l, ctx, NM_A, "g"));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	assert_true(h_members_are(ctx, NM_A, "g", NO_ITEMS));
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "pending", T_B, ITEMS(MG("mg-dev"))));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "pending"), AVNM_STATE_PENDING);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, h_setup_world, h_teardown_ctx)
	const struct CMUnitTest tests[] = {
		T(test_create),
		T(test_create_invalid),
		T(test_create_not_found),
		T(test_direct_overlap_create),
		T(test_direct_overlap_update),
		T(test_update_errors),
		T(test_direct_overlap_with_connection),
		T(test_implied_connection_holds_nothing),
		T(test_hierarchical_precedence),
		T(test_answer_lists),
		T(test_query_errors),
		cmocka_unit_test(test_strict_hierarchy),
		T(test_delete_busy),
		T(test_delete_hub_connections_do_not_count),
		T(test_delete_forced),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
