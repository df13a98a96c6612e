/* R4 through the API: two-way consent, exact scope match, every state and
 * transition (Pending, Connected, Conflict incl. stickiness, Revoked and
 * reconnection, Rejected), implied consent and its lapse, uniqueness,
 * existence checks, hub connections before their manager, and immediate
 * revocation (R4.7). Reasons are checked by code and by their named parts. */
#include "helpers.h"

/* The scope connection's reason, with its state; the caller frees it. */
static avnm_reason *sc_reason(avnm_ctx *ctx, const char *manager, const char *name)
{
	avnm_state st;
	avnm_reason *r = NULL;
	OK(ctx, avnm_scope_connection_state(&st, &r, ctx, manager, name));
	assert_non_null(r);
	return r;
}

/* R3.3/R4.4: a conflict reason names, per conflicting item, ITEM then MANAGER
 * then exactly the shared ACCESS parts. */
static void expect_conflict_parts(const avnm_reason *r, const char *item, const char *manager,
                                  unsigned int shared)
{
	long i = h_part_find(r, 0, AVNM_PART_ITEM, item);
	size_t j, n = avnm_reason_part_count(r);
	unsigned int seen = 0;
	avnm_part_kind kind = 0;
	const char *value = NULL;
	if (i < 0)
		print_error("reason \"%s\" has no ITEM part %s\n", avnm_reason_text(r), item);
	assert_true(i >= 0);
	assert_true((size_t)i + 1 < n);
	assert_int_equal(avnm_reason_part(r, (size_t)i + 1, &kind, &value), AVNM_OK);
	assert_int_equal(kind, AVNM_PART_MANAGER);
	assert_true(h_ieq(value, manager));
	for (j = (size_t)i + 2; j < n; j++) {
		unsigned int bit = 0;
		assert_int_equal(avnm_reason_part(r, j, &kind, &value), AVNM_OK);
		if (kind != AVNM_PART_ACCESS)
			break;
		assert_int_equal(avnm_access_parse(&bit, value), AVNM_OK);
		seen |= bit;
	}
	assert_int_equal(seen, shared);
	/* The sentence names the manager too. */
	assert_true(h_icontains(avnm_reason_text(r), "nm-"));
}

/* ------------------------------------------------------------------------ */
/* Two-way consent (R4.2-R4.4, R4.7)                                         */
/* ------------------------------------------------------------------------ */

static void test_two_way_consent(void **state)
{
	avnm_ctx *ctx = *state;
	avnm_list *l = NULL;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C | ACC_SA, ITEMS(SUB(SUB_A1))));

	/* The manager side alone: Pending, nothing of T_B is managed. */
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "to-b", T_B, ITEMS(MG("mg-prod"))));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "to-b"), AVNM_STATE_PENDING);
	assert_int_equal(h_sc_reason(ctx, NM_A, "to-b"), AVNM_REASON_PENDING_NO_COUNTERPART);
	assert_int_equal(h_can(ctx, NM_A, VNET_B1, ACC_C, NULL), 0);
	assert_int_equal(h_can_reason(ctx, NM_A, VNET_B1, ACC_C, NULL), AVNM_REASON_DENY_NOT_CONNECTED);
	assert_true(h_cross_are(ctx, NM_A, NO_ITEMS));

	/* The hub side with the same scope: Connected, both sides. */
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "from-a", ITEMS(MG("mg-prod")), NM_A));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "to-b"), AVNM_STATE_CONNECTED);
	ASSERT_STATE(h_hc_state(ctx, T_B, "from-a"), AVNM_STATE_CONNECTED);
	assert_int_equal(h_sc_reason(ctx, NM_A, "to-b"), AVNM_REASON_CONNECTED);
	assert_int_equal(h_hc_reason(ctx, T_B, "from-a"), AVNM_REASON_CONNECTED);
	assert_int_equal(h_can(ctx, NM_A, VNET_B1, ACC_C, NULL), 1);
	assert_int_equal(h_can(ctx, NM_A, VNET_B2, ACC_SA, NULL), 1);
	assert_int_equal(h_can(ctx, NM_A, MG("mg-prod"), ACC_C, T_B), 1);
	assert_int_equal(h_can_reason(ctx, NM_A, VNET_B1, ACC_C, NULL), AVNM_REASON_ALLOW_CONNECTION);
	assert_int_equal(h_can(ctx, NM_A, VNET_B1, ACC_R, NULL), 0);
	/* Only mg-prod: not the root above it, not mg-dev beside it. */
	assert_int_equal(h_can(ctx, NM_A, VNET_B3, ACC_C, NULL), 0);
	assert_int_equal(h_can(ctx, NM_A, MG(T_B), ACC_C, NULL), 0);
	assert_true(h_managers_are(ctx, VNET_B1, ACC_C, NULL, ITEMS(NM_A)));
	OK(ctx, avnm_manager_cross_tenant_scopes(&l, ctx, NM_A));
	assert_true(h_list_is(l, ITEMS(MG("mg-prod")), 0));
	assert_non_null(avnm_list_tenant(l, 0));
	assert_true(h_ieq(avnm_list_tenant(l, 0), T_B));
	assert_null(avnm_list_get(l, 1));
	avnm_list_free(l);

	/* T_B withdraws: Revoked at once (R4.4, R4.7). */
	OK(ctx, avnm_hub_connection_delete(ctx, NULL, T_B, "from-a"));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "to-b"), AVNM_STATE_REVOKED);
	assert_int_equal(h_sc_reason(ctx, NM_A, "to-b"), AVNM_REASON_REVOKED);
	assert_int_equal(h_can(ctx, NM_A, VNET_B1, ACC_C, NULL), 0);
	assert_true(h_cross_are(ctx, NM_A, NO_ITEMS));
	assert_true(h_managers_are(ctx, VNET_B1, ACC_C, NULL, NO_ITEMS));

	/* A new hub connection: the Revoked side is evaluated anew. */
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "again", ITEMS(MG("mg-prod")), NM_A));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "to-b"), AVNM_STATE_CONNECTED);
	ASSERT_STATE(h_hc_state(ctx, T_B, "again"), AVNM_STATE_CONNECTED);

	/* The manager side withdraws: the hub side is Revoked. */
	OK(ctx, avnm_scope_connection_delete(ctx, NULL, NM_A, "to-b"));
	ASSERT_STATE(h_hc_state(ctx, T_B, "again"), AVNM_STATE_REVOKED);
	assert_int_equal(h_hc_reason(ctx, T_B, "again"), AVNM_REASON_REVOKED);
	assert_int_equal(h_can(ctx, NM_A, VNET_B1, ACC_C, NULL), 0);
	/* And back. */
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "to-b-2", T_B, ITEMS(MG("mg-prod"))));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "to-b-2"), AVNM_STATE_CONNECTED);
	ASSERT_STATE(h_hc_state(ctx, T_B, "again"), AVNM_STATE_CONNECTED);
	assert_int_equal(h_can(ctx, NM_A, VNET_B1, ACC_C, NULL), 1);
}

static void test_scopes_must_be_equal(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	OK(ctx, h_manager(ctx, NULL, NM_A2, ACC_SA, NO_ITEMS));
	/* R4.2: a group on one side, a subscription below it on the other. */
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "mg", T_B, ITEMS(MG("mg-prod"))));
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "sub", ITEMS(SUB(SUB_B1)), NM_A));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "mg"), AVNM_STATE_PENDING);
	ASSERT_STATE(h_hc_state(ctx, T_B, "sub"), AVNM_STATE_PENDING);
	assert_int_equal(h_can(ctx, NM_A, VNET_B1, ACC_C, NULL), 0);
	/* A subset is not equal either. */
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "two", T_B, ITEMS(SUB(SUB_B1), SUB(SUB_B3))));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "two"), AVNM_STATE_PENDING);
	ASSERT_STATE(h_hc_state(ctx, T_B, "sub"), AVNM_STATE_PENDING);
	/* Same scope, another manager named: no match. */
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "other-nm", ITEMS(MG("mg-prod")), NM_A2));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "mg"), AVNM_STATE_PENDING);
	ASSERT_STATE(h_hc_state(ctx, T_B, "other-nm"), AVNM_STATE_PENDING);
	/* R1.6: other order, other case, duplicates: equal. */
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "both",
	                   ITEMS("subscriptions/B0000000-0000-0000-0000-000000000003", SUB(SUB_B1),
	                         "/SUBSCRIPTIONS/" SUB_B1),
	                   "/SUBSCRIPTIONS/A0000000-0000-0000-0000-000000000001/resourceGroups/RG-AVNM/providers/Microsoft.Network/networkManagers/NM-A"));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "two"), AVNM_STATE_CONNECTED);
	ASSERT_STATE(h_hc_state(ctx, T_B, "both"), AVNM_STATE_CONNECTED);
	ASSERT_STATE(h_hc_state(ctx, T_B, "sub"), AVNM_STATE_PENDING);
	assert_int_equal(h_can(ctx, NM_A, VNET_B1, ACC_C, NULL), 1);
	assert_int_equal(h_can(ctx, NM_A, VNET_B2, ACC_C, NULL), 0);
	assert_true(h_cross_are(ctx, NM_A, ITEMS(SUB(SUB_B1), SUB(SUB_B3))));
}

/* ------------------------------------------------------------------------ */
/* Conflict (R4.4, R4.6)                                                     */
/* ------------------------------------------------------------------------ */

/* nm-a (Connectivity) Connected on SUB_B1 as "a"; nm-a2 (Connectivity,
 * Routing) with both sides "b" on the same item: Conflict. */
static void conflict_setup(avnm_ctx *ctx)
{
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C | ACC_SA, ITEMS(SUB(SUB_A1))));
	OK(ctx, h_manager(ctx, NULL, NM_A2, ACC_C | ACC_R, NO_ITEMS));
	h_connect(ctx, NM_A, "a", T_B, ITEMS(SUB(SUB_B1)));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "a"), AVNM_STATE_CONNECTED);
	h_connect(ctx, NM_A2, "b", T_B, ITEMS(SUB(SUB_B1)));
	ASSERT_STATE(h_sc_state(ctx, NM_A2, "b"), AVNM_STATE_CONFLICT);
	ASSERT_STATE(h_hc_state(ctx, T_B, "b"), AVNM_STATE_CONFLICT);
}

static void test_conflict_reason(void **state)
{
	avnm_ctx *ctx = *state;
	avnm_reason *r;
	conflict_setup(ctx);
	r = sc_reason(ctx, NM_A2, "b");
	assert_int_equal(avnm_reason_get_code(r), AVNM_REASON_CONFLICT);
	/* Shared with nm-a: Connectivity only (Routing is nm-a2's, SecurityAdmin nm-a's). */
	expect_conflict_parts(r, SUB(SUB_B1), NM_A, ACC_C);
	avnm_reason_free(r);
	assert_int_equal(h_hc_reason(ctx, T_B, "b"), AVNM_REASON_CONFLICT);
	/* Nothing of the conflicting connection counts. */
	assert_int_equal(h_can(ctx, NM_A2, VNET_B1, ACC_C, NULL), 0);
	assert_int_equal(h_can(ctx, NM_A2, VNET_B1, ACC_R, NULL), 0);
	assert_true(h_cross_are(ctx, NM_A2, NO_ITEMS));
	assert_true(h_managers_are(ctx, VNET_B1, ACC_C, NULL, ITEMS(NM_A)));
	assert_true(h_managers_are(ctx, VNET_B1, ACC_R, NULL, NO_ITEMS));
}

static void test_conflict_is_sticky_until_reevaluated(void **state)
{
	avnm_ctx *ctx = *state;
	conflict_setup(ctx);
	/* nm-a lets go; the conflict does not clear by itself (R4.6). */
	OK(ctx, avnm_hub_connection_delete(ctx, NULL, T_B, "a"));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "a"), AVNM_STATE_REVOKED);
	ASSERT_STATE(h_sc_state(ctx, NM_A2, "b"), AVNM_STATE_CONFLICT);
	ASSERT_STATE(h_hc_state(ctx, T_B, "b"), AVNM_STATE_CONFLICT);
	/* Decision 5: a manager update does not clear it either. */
	OK(ctx, h_manager_update(ctx, NULL, NM_A2, AVNM_UPDATE_ACCESSES, ACC_C, NO_ITEMS));
	ASSERT_STATE(h_sc_state(ctx, NM_A2, "b"), AVNM_STATE_CONFLICT);
	assert_int_equal(h_can(ctx, NM_A2, VNET_B1, ACC_C, NULL), 0);
	/* The explicit re-evaluation does, since the conflict is gone. */
	OK(ctx, avnm_scope_connection_reevaluate(ctx, NULL, NM_A2, "b"));
	ASSERT_STATE(h_sc_state(ctx, NM_A2, "b"), AVNM_STATE_CONNECTED);
	ASSERT_STATE(h_hc_state(ctx, T_B, "b"), AVNM_STATE_CONNECTED);
	assert_int_equal(h_can(ctx, NM_A2, VNET_B1, ACC_C, NULL), 1);
	assert_true(h_managers_are(ctx, VNET_B1, ACC_C, NULL, ITEMS(NM_A2)));
}

static void test_reevaluate_keeps_real_conflict(void **state)
{
	avnm_ctx *ctx = *state;
	conflict_setup(ctx);
	OK(ctx, avnm_scope_connection_reevaluate(ctx, NULL, NM_A2, "b"));
	ASSERT_STATE(h_sc_state(ctx, NM_A2, "b"), AVNM_STATE_CONFLICT);
	ASSERT_STATE(h_sc_state(ctx, NM_A, "a"), AVNM_STATE_CONNECTED);
	/* Re-evaluating the holder changes nothing either. */
	OK(ctx, avnm_scope_connection_reevaluate(ctx, NULL, NM_A, "a"));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "a"), AVNM_STATE_CONNECTED);
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_scope_connection_reevaluate(ctx, NULL, NM_A2, "nope"));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_scope_connection_reevaluate(ctx, NULL, NM_SEC, "b"));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_scope_connection_reevaluate(ctx, NULL, NM_A2, "b b"));
}

static void test_conflict_cleared_by_recreating_a_side(void **state)
{
	avnm_ctx *ctx = *state;
	conflict_setup(ctx);
	/* Deleted while Conflict: the survivor is Pending (R4.4). */
	OK(ctx, avnm_hub_connection_delete(ctx, NULL, T_B, "b"));
	ASSERT_STATE(h_sc_state(ctx, NM_A2, "b"), AVNM_STATE_PENDING);
	assert_int_equal(h_sc_reason(ctx, NM_A2, "b"), AVNM_REASON_PENDING_NO_COUNTERPART);
	/* Recreated while nm-a still holds: Conflict again. */
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "b", ITEMS(SUB(SUB_B1)), NM_A2));
	ASSERT_STATE(h_sc_state(ctx, NM_A2, "b"), AVNM_STATE_CONFLICT);

	/* nm-a lets go; recreating the manager side clears the sticky Conflict. */
	OK(ctx, avnm_scope_connection_delete(ctx, NULL, NM_A, "a"));
	ASSERT_STATE(h_hc_state(ctx, T_B, "a"), AVNM_STATE_REVOKED);
	ASSERT_STATE(h_sc_state(ctx, NM_A2, "b"), AVNM_STATE_CONFLICT);
	OK(ctx, avnm_scope_connection_delete(ctx, NULL, NM_A2, "b"));
	ASSERT_STATE(h_hc_state(ctx, T_B, "b"), AVNM_STATE_PENDING);
	OK(ctx, h_scope_conn(ctx, NULL, NM_A2, "b", T_B, ITEMS(SUB(SUB_B1))));
	ASSERT_STATE(h_sc_state(ctx, NM_A2, "b"), AVNM_STATE_CONNECTED);
	ASSERT_STATE(h_hc_state(ctx, T_B, "b"), AVNM_STATE_CONNECTED);
	/* nm-a's Revoked hub side would now conflict: evaluated anew when its
	 * counterpart comes back (R4.4). */
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "a", T_B, ITEMS(SUB(SUB_B1))));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "a"), AVNM_STATE_CONFLICT);
	ASSERT_STATE(h_hc_state(ctx, T_B, "a"), AVNM_STATE_CONFLICT);
	assert_true(h_managers_are(ctx, VNET_B1, ACC_C, NULL, ITEMS(NM_A2)));
}

static void test_conflict_with_local_holder(void **state)
{
	avnm_ctx *ctx = *state;
	avnm_reason *r;
	/* T_B's own manager holds SUB_B2 in its local scope. A connection on two
	 * items conflicts on that one only. */
	OK(ctx, h_manager(ctx, NULL, NM_BHOME, ACC_C | ACC_SU, ITEMS(SUB(SUB_B2))));
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C | ACC_SU | ACC_R, NO_ITEMS));
	h_connect(ctx, NM_A, "ab", T_B, ITEMS(SUB(SUB_B1), SUB(SUB_B2)));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "ab"), AVNM_STATE_CONFLICT);
	r = sc_reason(ctx, NM_A, "ab");
	expect_conflict_parts(r, SUB(SUB_B2), NM_BHOME, ACC_C | ACC_SU);
	assert_true(h_part_find(r, 0, AVNM_PART_ITEM, SUB(SUB_B1)) < 0);
	avnm_reason_free(r);
	/* All or nothing: not even the free item is managed. */
	assert_int_equal(h_can(ctx, NM_A, VNET_B1, ACC_C, NULL), 0);
	/* Disjoint accesses connect beside a holder (R3.3). */
	OK(ctx, h_manager(ctx, NULL, NM_SEC, ACC_SA, NO_ITEMS));
	h_connect(ctx, NM_SEC, "sec", T_B, ITEMS(SUB(SUB_B2)));
	ASSERT_STATE(h_sc_state(ctx, NM_SEC, "sec"), AVNM_STATE_CONNECTED);
	assert_true(h_managers_are(ctx, VNET_B2, ACC_C, NULL, ITEMS(NM_BHOME)));
	assert_true(h_managers_are(ctx, VNET_B2, ACC_SA, NULL, ITEMS(NM_SEC)));
}

/* ------------------------------------------------------------------------ */
/* Revocation (R4.7)                                                         */
/* ------------------------------------------------------------------------ */

static void test_revocation_is_immediate_and_frees_scope(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, NO_ITEMS));
	OK(ctx, h_manager(ctx, NULL, NM_A2, ACC_C, NO_ITEMS));
	h_connect(ctx, NM_A, "a", T_B, ITEMS(SUB(SUB_B1)));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	OK(ctx, avnm_member_add(ctx, NULL, NM_A, "g", VNET_B1));
	assert_true(h_members_are(ctx, NM_A, "g", ITEMS(VNET_B1)));

	OK(ctx, avnm_hub_connection_delete(ctx, NULL, T_B, "a"));
	/* In the same operation: nothing managed, nothing listed as managed. */
	assert_int_equal(h_can(ctx, NM_A, VNET_B1, ACC_C, NULL), 0);
	assert_int_equal(h_can(ctx, NM_A, SUB(SUB_B1), ACC_C, NULL), 0);
	assert_true(h_managers_are(ctx, VNET_B1, ACC_C, NULL, NO_ITEMS));
	assert_true(h_cross_are(ctx, NM_A, NO_ITEMS));
	assert_true(h_members_are(ctx, NM_A, "g", NO_ITEMS));

	/* The scope is at once free for another manager: a fresh pair connects,
	 * no stale ownership ("already being directly managed"). */
	h_connect(ctx, NM_A2, "b", T_B, ITEMS(SUB(SUB_B1)));
	ASSERT_STATE(h_sc_state(ctx, NM_A2, "b"), AVNM_STATE_CONNECTED);
	assert_true(h_managers_are(ctx, VNET_B1, ACC_C, NULL, ITEMS(NM_A2)));

	/* nm-a's Revoked side, reconnected now, is evaluated anew: Conflict. */
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "a", ITEMS(SUB(SUB_B1)), NM_A));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "a"), AVNM_STATE_CONFLICT);
	assert_true(h_members_are(ctx, NM_A, "g", NO_ITEMS));
}

/* ------------------------------------------------------------------------ */
/* Rejected (R4.8, decisions 6 and 7)                                        */
/* ------------------------------------------------------------------------ */

static void test_rejected(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, NO_ITEMS));
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "c", T_B, ITEMS(SUB(SUB_B1))));
	/* Another tenant cannot see it: not-found, and nothing changes. */
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_scope_connection_reject(ctx, NULL, T_C, NM_A, "c"));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_scope_connection_reject(ctx, NULL, T_B, NM_A, "nope"));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_scope_connection_reject(ctx, NULL, T_B, NM_A2, "c"));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "c"), AVNM_STATE_PENDING);

	OK(ctx, avnm_scope_connection_reject(ctx, NULL, T_B, NM_A, "c"));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "c"), AVNM_STATE_REJECTED);
	assert_int_equal(h_sc_reason(ctx, NM_A, "c"), AVNM_REASON_REJECTED);
	/* Only Pending can be rejected. */
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_scope_connection_reject(ctx, NULL, T_B, NM_A, "c"));

	/* It matches nothing: a matching hub connection stays Pending. */
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "h", ITEMS(SUB(SUB_B1)), NM_A));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "c"), AVNM_STATE_REJECTED);
	ASSERT_STATE(h_hc_state(ctx, T_B, "h"), AVNM_STATE_PENDING);
	assert_int_equal(h_hc_reason(ctx, T_B, "h"), AVNM_REASON_PENDING_REJECTED);
	assert_int_equal(h_can(ctx, NM_A, VNET_B1, ACC_C, NULL), 0);
	assert_true(h_cross_are(ctx, NM_A, NO_ITEMS));
	/* Re-evaluation keeps it Rejected (decision 6). */
	OK(ctx, avnm_scope_connection_reevaluate(ctx, NULL, NM_A, "c"));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "c"), AVNM_STATE_REJECTED);
	ASSERT_STATE(h_hc_state(ctx, T_B, "h"), AVNM_STATE_PENDING);

	/* Only deleting and re-creating it leaves Rejected. */
	OK(ctx, avnm_scope_connection_delete(ctx, NULL, NM_A, "c"));
	ASSERT_STATE(h_hc_state(ctx, T_B, "h"), AVNM_STATE_PENDING);
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "c", T_B, ITEMS(SUB(SUB_B1))));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "c"), AVNM_STATE_CONNECTED);
	ASSERT_STATE(h_hc_state(ctx, T_B, "h"), AVNM_STATE_CONNECTED);
	/* A Connected tenant withdraws by deleting its side, not by rejecting. */
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_scope_connection_reject(ctx, NULL, T_B, NM_A, "c"));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "c"), AVNM_STATE_CONNECTED);
}

/* ------------------------------------------------------------------------ */
/* Implied consent (R4.5, R4.5a, decision 2)                                 */
/* ------------------------------------------------------------------------ */

static void test_implied_consent(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(MG("mg-a"))));
	/* Either side, in the manager's own tenant, covered by its local scope. */
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "own", T_A, ITEMS(SUB(SUB_A1))));
	OK(ctx, h_hub_conn(ctx, NULL, T_A, "own-hub", ITEMS(SUB(SUB_A2)), NM_A));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "own"), AVNM_STATE_CONNECTED);
	ASSERT_STATE(h_hc_state(ctx, T_A, "own-hub"), AVNM_STATE_CONNECTED);
	assert_int_equal(h_sc_reason(ctx, NM_A, "own"), AVNM_REASON_CONNECTED_IMPLIED);
	assert_int_equal(h_hc_reason(ctx, T_A, "own-hub"), AVNM_REASON_CONNECTED_IMPLIED);
	/* It grants nothing new and adds nothing to the cross-tenant scopes. */
	assert_true(h_cross_are(ctx, NM_A, NO_ITEMS));
	assert_int_equal(h_can_reason(ctx, NM_A, VNET_A1, ACC_C, NULL), AVNM_REASON_ALLOW_LOCAL_SCOPE);

	/* Only partly covered, or another tenant: no implied consent. */
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "partly", T_A, ITEMS(SUB(SUB_A1), SUB(SUB_A3))));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "partly"), AVNM_STATE_PENDING);
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "foreign", T_B, ITEMS(MG("mg-prod"))));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "foreign"), AVNM_STATE_PENDING);

	/* R4.5a: the update takes the cover away; without a counterpart: Revoked. */
	OK(ctx, h_manager_update(ctx, NULL, NM_A, AVNM_UPDATE_SCOPE, 0, ITEMS(SUB(SUB_A3))));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "own"), AVNM_STATE_REVOKED);
	ASSERT_STATE(h_hc_state(ctx, T_A, "own-hub"), AVNM_STATE_REVOKED);
	assert_int_equal(h_sc_reason(ctx, NM_A, "own"), AVNM_REASON_REVOKED_IMPLIED_LAPSED);
	assert_int_equal(h_hc_reason(ctx, T_A, "own-hub"), AVNM_REASON_REVOKED_IMPLIED_LAPSED);
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 0);
	/* Still only partly covered (SUB_A3 now, not SUB_A1): still Pending. */
	ASSERT_STATE(h_sc_state(ctx, NM_A, "partly"), AVNM_STATE_PENDING);
}

static void test_implied_consent_lapses_on_move(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(MG("mg-a"))));
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "own", T_A, ITEMS(SUB(SUB_A2))));
	/* With a matching counterpart too: consent, not only cover. */
	h_connect(ctx, NM_A, "both", T_A, ITEMS(SUB(SUB_A1)));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "own"), AVNM_STATE_CONNECTED);
	ASSERT_STATE(h_sc_state(ctx, NM_A, "both"), AVNM_STATE_CONNECTED);
	/* A move takes the cover away (R4.5a). */
	OK(ctx, avnm_subscription_move(ctx, SUB_A2, T_A));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "own"), AVNM_STATE_REVOKED);
	assert_int_equal(h_sc_reason(ctx, NM_A, "own"), AVNM_REASON_REVOKED_IMPLIED_LAPSED);
	OK(ctx, avnm_subscription_move(ctx, SUB_A1, T_A));
	/* The pair that consented both ways stays Connected and now grants it. */
	ASSERT_STATE(h_sc_state(ctx, NM_A, "both"), AVNM_STATE_CONNECTED);
	ASSERT_STATE(h_hc_state(ctx, T_A, "both"), AVNM_STATE_CONNECTED);
	assert_int_equal(h_can(ctx, NM_A, VNET_A1, ACC_C, NULL), 1);
	assert_int_equal(h_can(ctx, NM_A, SUB(SUB_A2), ACC_C, NULL), 0);
}

/* ------------------------------------------------------------------------ */
/* R4.9, R4.10, R4.11                                                        */
/* ------------------------------------------------------------------------ */

static void test_exists(void **state)
{
	avnm_ctx *ctx = *state;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, NO_ITEMS));
	OK(ctx, h_manager(ctx, NULL, NM_A2, ACC_SA, NO_ITEMS));
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "c", T_B, ITEMS(SUB(SUB_B1), SUB(SUB_B2))));
	/* One per (manager, tenant, scope), equal scopes compared by R1.6. */
	CHECK(ctx, AVNM_E_EXISTS,
	      h_scope_conn(ctx, NULL, NM_A, "c2", T_B, ITEMS("/SUBSCRIPTIONS/" SUB_B2, SUB(SUB_B1))));
	/* Names are unique per manager. */
	CHECK(ctx, AVNM_E_EXISTS, h_scope_conn(ctx, NULL, NM_A, "c", T_B, ITEMS(SUB(SUB_B3))));
	CHECK(ctx, AVNM_E_EXISTS, h_scope_conn(ctx, NULL, NM_A, "C", T_C, ITEMS(SUB(SUB_C1))));
	OK(ctx, h_scope_conn(ctx, NULL, NM_A2, "c", T_B, ITEMS(SUB(SUB_B1), SUB(SUB_B2))));
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "c3", T_B, ITEMS(SUB(SUB_B1))));

	OK(ctx, h_hub_conn(ctx, NULL, T_B, "h", ITEMS(SUB(SUB_B3)), NM_A));
	/* One per (tenant, scope, manager). */
	CHECK(ctx, AVNM_E_EXISTS, h_hub_conn(ctx, NULL, T_B, "h2", ITEMS(SUB(SUB_B3)), NM_A));
	/* Names are unique per tenant. */
	CHECK(ctx, AVNM_E_EXISTS, h_hub_conn(ctx, NULL, T_B, "H", ITEMS(SUB(SUB_B1)), NM_A2));
	OK(ctx, h_hub_conn(ctx, NULL, T_C, "h", ITEMS(SUB(SUB_C1)), NM_A));
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "h3", ITEMS(SUB(SUB_B3)), NM_A2));

	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_scope_connection_delete(ctx, NULL, NM_A, "nope"));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_hub_connection_delete(ctx, NULL, T_B, "nope"));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_hub_connection_delete(ctx, NULL, T_A, "h"));
	OK(ctx, avnm_hub_connection_delete(ctx, NULL, T_B, "h"));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_hub_connection_delete(ctx, NULL, T_B, "h"));
	/* The refused creations left nothing behind. */
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "h2", ITEMS(SUB(SUB_B3)), NM_A));
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "c2", T_B, ITEMS(SUB(SUB_B3))));
	ASSERT_STATE(h_hc_state(ctx, T_B, "h2"), AVNM_STATE_CONNECTED);
}

static void test_items_must_exist_in_tenant(void **state)
{
	avnm_ctx *ctx = *state;
	avnm_scope *empty = NULL;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, NO_ITEMS));
	/* R4.10: items must exist in the named tenant... */
	CHECK(ctx, AVNM_E_NOT_FOUND, h_scope_conn(ctx, NULL, NM_A, "c", T_B, ITEMS(SUB(SUB_X))));
	CHECK(ctx, AVNM_E_NOT_FOUND, h_scope_conn(ctx, NULL, NM_A, "c", T_B, ITEMS(MG("mg-none"))));
	/* mg-a is T_A's: resolved in T_B it does not exist (R2.7). */
	CHECK(ctx, AVNM_E_NOT_FOUND, h_scope_conn(ctx, NULL, NM_A, "c", T_B, ITEMS(MG("mg-a"))));
	CHECK(ctx, AVNM_E_NOT_FOUND, h_hub_conn(ctx, NULL, T_B, "h", ITEMS(SUB(SUB_X)), NM_A));
	CHECK(ctx, AVNM_E_NOT_FOUND, h_hub_conn(ctx, NULL, T_B, "h", ITEMS(MG("mg-a")), NM_A));
	/* ...and all belong to it. */
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, h_scope_conn(ctx, NULL, NM_A, "c", T_B, ITEMS(SUB(SUB_A1))));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT,
	      h_scope_conn(ctx, NULL, NM_A, "c", T_B, ITEMS(SUB(SUB_B1), SUB(SUB_C1))));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, h_hub_conn(ctx, NULL, T_B, "h", ITEMS(SUB(SUB_C1)), NM_A));
	/* An empty scope connects nothing. */
	OK(ctx, avnm_scope_new(&empty, ctx));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_scope_connection_create(ctx, NULL, NM_A, "c", T_B, empty));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_scope_connection_create(ctx, NULL, NM_A, "c", T_B, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_hub_connection_create(ctx, NULL, T_B, "h", empty, NM_A));
	avnm_scope_free(empty);
	/* Other missing or malformed pieces. */
	CHECK(ctx, AVNM_E_NOT_FOUND,
	      h_scope_conn(ctx, NULL, NM_A, "c", "44444444-4444-4444-4444-444444444444", ITEMS(SUB(SUB_B1))));
	CHECK(ctx, AVNM_E_NOT_FOUND, h_scope_conn(ctx, NULL, NM_A2, "c", T_B, ITEMS(SUB(SUB_B1))));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, h_scope_conn(ctx, NULL, NM_A, "c/d", T_B, ITEMS(SUB(SUB_B1))));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, h_scope_conn(ctx, NULL, NM_A, "c", "tenant-b", ITEMS(SUB(SUB_B1))));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, h_hub_conn(ctx, NULL, T_B, "h", ITEMS(SUB(SUB_B1)), VNET_B1));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, h_hub_conn(ctx, NULL, T_B, "", ITEMS(SUB(SUB_B1)), NM_A));
	/* None of them was created. */
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_scope_connection_delete(ctx, NULL, NM_A, "c"));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_hub_connection_delete(ctx, NULL, T_B, "h"));
}

static void test_hub_before_manager(void **state)
{
	avnm_ctx *ctx = *state;
	/* R4.11: the target tenant cannot see the managing tenant's resources. */
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "early", ITEMS(SUB(SUB_B1)), NM_A));
	ASSERT_STATE(h_hc_state(ctx, T_B, "early"), AVNM_STATE_PENDING);
	assert_int_equal(h_hc_reason(ctx, T_B, "early"), AVNM_REASON_PENDING_NO_MANAGER);
	/* Decision 4: one in the manager's own tenant, under its future scope. */
	OK(ctx, h_hub_conn(ctx, NULL, T_A, "own", ITEMS(SUB(SUB_A1)), NM_A));
	ASSERT_STATE(h_hc_state(ctx, T_A, "own"), AVNM_STATE_PENDING);

	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(MG("mg-a"))));
	ASSERT_STATE(h_hc_state(ctx, T_B, "early"), AVNM_STATE_PENDING);
	assert_int_equal(h_hc_reason(ctx, T_B, "early"), AVNM_REASON_PENDING_NO_COUNTERPART);
	/* Evaluated when the manager appears: implied consent connects it. */
	ASSERT_STATE(h_hc_state(ctx, T_A, "own"), AVNM_STATE_CONNECTED);
	assert_int_equal(h_hc_reason(ctx, T_A, "own"), AVNM_REASON_CONNECTED_IMPLIED);

	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "late", T_B, ITEMS(SUB(SUB_B1))));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "late"), AVNM_STATE_CONNECTED);
	ASSERT_STATE(h_hc_state(ctx, T_B, "early"), AVNM_STATE_CONNECTED);
	assert_int_equal(h_can(ctx, NM_A, VNET_B1, ACC_C, NULL), 1);
}

static void test_mg_connections_resolve_in_their_tenant(void **state)
{
	avnm_ctx *ctx = *state;
	avnm_list *l = NULL;
	size_t i;
	int seen_b = 0, seen_c = 0;
	/* R2.7: "Platform" names two groups, one in T_B and one in T_C. */
	OK(ctx, avnm_mg_create(ctx, T_B, "Platform", NULL));
	OK(ctx, avnm_mg_create(ctx, T_C, "Platform", NULL));
	OK(ctx, avnm_subscription_move(ctx, SUB_B3, "Platform"));
	OK(ctx, avnm_subscription_move(ctx, SUB_C1, "Platform"));
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, NO_ITEMS));

	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "pb", T_B, ITEMS(MG("Platform"))));
	/* T_C's Platform is another group: no match. */
	OK(ctx, h_hub_conn(ctx, NULL, T_C, "pc", ITEMS(MG("Platform")), NM_A));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "pb"), AVNM_STATE_PENDING);
	ASSERT_STATE(h_hc_state(ctx, T_C, "pc"), AVNM_STATE_PENDING);
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "pb", ITEMS(MG("platform")), NM_A));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "pb"), AVNM_STATE_CONNECTED);
	assert_int_equal(h_can(ctx, NM_A, VNET_B3, ACC_C, NULL), 1);
	assert_int_equal(h_can(ctx, NM_A, VNET_C1, ACC_C, NULL), 0);
	assert_int_equal(h_can(ctx, NM_A, MG("Platform"), ACC_C, T_B), 1);
	assert_int_equal(h_can(ctx, NM_A, MG("Platform"), ACC_C, T_C), 0);

	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "pc", T_C, ITEMS(MG("Platform"))));
	ASSERT_STATE(h_hc_state(ctx, T_C, "pc"), AVNM_STATE_CONNECTED);
	assert_int_equal(h_can(ctx, NM_A, VNET_C1, ACC_C, NULL), 1);
	/* The cross-tenant scopes carry their tenants. */
	OK(ctx, avnm_manager_cross_tenant_scopes(&l, ctx, NM_A));
	assert_int_equal(avnm_list_count(l), 2);
	for (i = 0; i < 2; i++) {
		assert_true(h_ieq(avnm_list_get(l, i), MG("Platform")));
		seen_b += h_ieq(avnm_list_tenant(l, i), T_B);
		seen_c += h_ieq(avnm_list_tenant(l, i), T_C);
	}
	assert_int_equal(seen_b, 1);
	assert_int_equal(seen_c, 1);
	avnm_list_free(l);
}

static void test_connection_names(void **state)
{
	avnm_ctx *ctx = *state;
	avnm_state st;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, NO_ITEMS));
	OK(ctx, h_manager(ctx, NULL, NM_SEC, ACC_SA, NO_ITEMS));
	/* Scope connection names are per manager, hub connection names per tenant. */
	h_connect(ctx, NM_A, "x", T_B, ITEMS(SUB(SUB_B1)));
	OK(ctx, h_scope_conn(ctx, NULL, NM_SEC, "x", T_C, ITEMS(SUB(SUB_C1))));
	OK(ctx, h_hub_conn(ctx, NULL, T_C, "x", ITEMS(SUB(SUB_C1)), NM_SEC));
	ASSERT_STATE(h_sc_state(ctx, NM_A, "x"), AVNM_STATE_CONNECTED);
	ASSERT_STATE(h_sc_state(ctx, NM_SEC, "x"), AVNM_STATE_CONNECTED);
	/* Names compare case-insensitively, as ARM names do. */
	ASSERT_STATE(h_sc_state(ctx, NM_A, "X"), AVNM_STATE_CONNECTED);
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_scope_connection_state(&st, NULL, ctx, NM_A, "y"));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_hub_connection_state(&st, NULL, ctx, T_A, "x"));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_hub_connection_state(&st, NULL, ctx, "bad", "x"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, h_setup_world, h_teardown_ctx)
	const struct CMUnitTest tests[] = {
		T(test_two_way_consent),
		T(test_scopes_must_be_equal),
		T(test_conflict_reason),
		T(test_conflict_is_sticky_until_reevaluated),
		T(test_reevaluate_keeps_real_conflict),
		T(test_conflict_cleared_by_recreating_a_side),
		T(test_conflict_with_local_holder),
		T(test_revocation_is_immediate_and_frees_scope),
		T(test_rejected),
		T(test_implied_consent),
		T(test_implied_consent_lapses_on_move),
		T(test_exists),
		T(test_items_must_exist_in_tenant),
		T(test_hub_before_manager),
		T(test_mg_connections_resolve_in_their_tenant),
		T(test_connection_names),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
