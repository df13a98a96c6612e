/* The pure functions: the rules as functions of facts, with no context
 * (avnm_consent_evaluate, avnm_revocation_transition, avnm_conflicts_find,
 * avnm_scope_equal) and the name tables. These are what the engine applies, so
 * every row of R4.4-R4.8 is pinned here, independent of any world. */
#include "helpers.h"

/* ------------------------------------------------------------------------ */
/* avnm_consent_evaluate: R4.4-R4.8                                          */
/* ------------------------------------------------------------------------ */

/* Facts for a resource whose manager exists; the rest as given. */
static avnm_consent_facts facts(avnm_state previous, int counterpart, int conflict, int fresh)
{
	avnm_consent_facts f;
	memset(&f, 0, sizeof f);
	f.previous = previous;
	f.manager_exists = 1;
	f.counterpart = counterpart;
	f.conflict = conflict;
	f.fresh = fresh;
	return f;
}

/* Evaluate, check the state and (unless want_reason is NONE) the reason, and
 * that passing no reason pointer gives the same state. */
static void expect_consent(const avnm_consent_facts *f, avnm_state want,
                           avnm_reason_code want_reason)
{
	avnm_reason_code reason = AVNM_REASON_NONE;
	avnm_state st = avnm_consent_evaluate(f, &reason);
	ASSERT_STATE(st, want);
	if (want_reason != AVNM_REASON_NONE)
		assert_int_equal(reason, want_reason);
	ASSERT_STATE(avnm_consent_evaluate(f, NULL), want);
}

static void test_consent_new_without_counterpart_is_pending(void **state)
{
	/* R4.4: one side exists, no matching counterpart, never connected. */
	avnm_consent_facts f = facts(AVNM_STATE_NONE, 0, 0, 1);
	(void)state;
	expect_consent(&f, AVNM_STATE_PENDING, AVNM_REASON_PENDING_NO_COUNTERPART);
	/* Staying Pending on a later evaluation. */
	f = facts(AVNM_STATE_PENDING, 0, 0, 0);
	expect_consent(&f, AVNM_STATE_PENDING, AVNM_REASON_PENDING_NO_COUNTERPART);
	/* A conflict that would arise does not matter without a counterpart. */
	f = facts(AVNM_STATE_NONE, 0, 1, 1);
	expect_consent(&f, AVNM_STATE_PENDING, AVNM_REASON_PENDING_NO_COUNTERPART);
}

static void test_consent_match_connects(void **state)
{
	/* R4.4: both exist and match, no R3.3 conflict. */
	avnm_consent_facts f = facts(AVNM_STATE_NONE, 1, 0, 1);
	(void)state;
	expect_consent(&f, AVNM_STATE_CONNECTED, AVNM_REASON_CONNECTED);
	/* A Pending side whose counterpart arrives: the counterpart is the fresh one,
	 * but a Pending resource connects whether or not it is flagged fresh. */
	f = facts(AVNM_STATE_PENDING, 1, 0, 0);
	expect_consent(&f, AVNM_STATE_CONNECTED, AVNM_REASON_CONNECTED);
	f = facts(AVNM_STATE_CONNECTED, 1, 0, 0);
	expect_consent(&f, AVNM_STATE_CONNECTED, AVNM_REASON_CONNECTED);
}

static void test_consent_match_with_conflict(void **state)
{
	/* R4.4: both match but R3.3 would break. */
	avnm_consent_facts f = facts(AVNM_STATE_NONE, 1, 1, 1);
	(void)state;
	expect_consent(&f, AVNM_STATE_CONFLICT, AVNM_REASON_CONFLICT);
	f = facts(AVNM_STATE_PENDING, 1, 1, 0);
	expect_consent(&f, AVNM_STATE_CONFLICT, AVNM_REASON_CONFLICT);
}

static void test_consent_conflict_is_sticky(void **state)
{
	/* R4.6: the other manager let go (conflict 0), but nothing was recreated
	 * nor re-evaluated: still Conflict. */
	avnm_consent_facts f = facts(AVNM_STATE_CONFLICT, 1, 0, 0);
	(void)state;
	expect_consent(&f, AVNM_STATE_CONFLICT, AVNM_REASON_CONFLICT);
	/* Fresh (recreated or explicit re-evaluation) and the conflict is gone. */
	f = facts(AVNM_STATE_CONFLICT, 1, 0, 1);
	expect_consent(&f, AVNM_STATE_CONNECTED, AVNM_REASON_CONNECTED);
	/* Fresh but the conflict is still there. */
	f = facts(AVNM_STATE_CONFLICT, 1, 1, 1);
	expect_consent(&f, AVNM_STATE_CONFLICT, AVNM_REASON_CONFLICT);
}

static void test_consent_lost_counterpart(void **state)
{
	/* R4.4: the pair was Connected and one side was deleted: Revoked. */
	avnm_consent_facts f = facts(AVNM_STATE_CONNECTED, 0, 0, 0);
	(void)state;
	expect_consent(&f, AVNM_STATE_REVOKED, AVNM_REASON_REVOKED);
	/* Deleted while Pending or Conflict: the survivor is Pending. */
	f = facts(AVNM_STATE_CONFLICT, 0, 0, 0);
	expect_consent(&f, AVNM_STATE_PENDING, AVNM_REASON_PENDING_NO_COUNTERPART);
	f = facts(AVNM_STATE_CONFLICT, 0, 1, 0);
	expect_consent(&f, AVNM_STATE_PENDING, AVNM_REASON_PENDING_NO_COUNTERPART);
	/* Revoked without a counterpart stays Revoked (decision 6), also when
	 * re-evaluated. */
	f = facts(AVNM_STATE_REVOKED, 0, 0, 0);
	expect_consent(&f, AVNM_STATE_REVOKED, AVNM_REASON_REVOKED);
	f = facts(AVNM_STATE_REVOKED, 0, 0, 1);
	expect_consent(&f, AVNM_STATE_REVOKED, AVNM_REASON_REVOKED);
}

static void test_consent_revoked_reconnects(void **state)
{
	/* R4.4: a Revoked side whose counterpart is created again is evaluated anew. */
	avnm_consent_facts f = facts(AVNM_STATE_REVOKED, 1, 0, 1);
	(void)state;
	expect_consent(&f, AVNM_STATE_CONNECTED, AVNM_REASON_CONNECTED);
	f = facts(AVNM_STATE_REVOKED, 1, 1, 1);
	expect_consent(&f, AVNM_STATE_CONFLICT, AVNM_REASON_CONFLICT);
}

static void test_consent_rejected(void **state)
{
	/* R4.8: Rejected stays Rejected whatever else is true; only deletion and
	 * re-creation (a new resource, rejected == 0) leaves it. */
	static const int counterparts[] = {0, 1};
	static const avnm_state previous[] = {AVNM_STATE_PENDING, AVNM_STATE_REJECTED};
	size_t i, j;
	(void)state;
	for (i = 0; i < 2; i++) {
		for (j = 0; j < 2; j++) {
			avnm_consent_facts f = facts(previous[j], counterparts[i], 0, 1);
			f.rejected = 1;
			expect_consent(&f, AVNM_STATE_REJECTED, AVNM_REASON_REJECTED);
			f.fresh = 0;
			expect_consent(&f, AVNM_STATE_REJECTED, AVNM_REASON_REJECTED);
		}
	}
}

static void test_consent_no_manager(void **state)
{
	/* R4.11: a hub connection naming a manager that does not exist. */
	avnm_consent_facts f = facts(AVNM_STATE_NONE, 0, 0, 1);
	(void)state;
	f.manager_exists = 0;
	expect_consent(&f, AVNM_STATE_PENDING, AVNM_REASON_PENDING_NO_MANAGER);
	f.previous = AVNM_STATE_PENDING;
	f.fresh = 0;
	expect_consent(&f, AVNM_STATE_PENDING, AVNM_REASON_PENDING_NO_MANAGER);
}

static void test_consent_counterpart_rejected(void **state)
{
	/* R4.8: a hub connection whose only match is a rejected scope connection. */
	avnm_consent_facts f = facts(AVNM_STATE_NONE, 0, 0, 1);
	(void)state;
	f.counterpart_rejected = 1;
	expect_consent(&f, AVNM_STATE_PENDING, AVNM_REASON_PENDING_REJECTED);
	f = facts(AVNM_STATE_PENDING, 0, 0, 0);
	f.counterpart_rejected = 1;
	expect_consent(&f, AVNM_STATE_PENDING, AVNM_REASON_PENDING_REJECTED);
}

static void test_consent_implied(void **state)
{
	/* R4.5: the manager's local scope covers it in its home tenant: Connected
	 * without a counterpart. */
	avnm_consent_facts f = facts(AVNM_STATE_NONE, 0, 0, 1);
	(void)state;
	f.implied = 1;
	expect_consent(&f, AVNM_STATE_CONNECTED, AVNM_REASON_CONNECTED_IMPLIED);
	f.previous = AVNM_STATE_PENDING;
	f.fresh = 0;
	expect_consent(&f, AVNM_STATE_CONNECTED, AVNM_REASON_CONNECTED_IMPLIED);
	/* R4.5a: the cover lapsed and there is no counterpart: Revoked. */
	f = facts(AVNM_STATE_CONNECTED, 0, 0, 0);
	f.previous_implied = 1;
	expect_consent(&f, AVNM_STATE_REVOKED, AVNM_REASON_REVOKED_IMPLIED_LAPSED);
	/* Still covered: stays Connected by implied consent. */
	f.implied = 1;
	expect_consent(&f, AVNM_STATE_CONNECTED, AVNM_REASON_CONNECTED_IMPLIED);
	/* The cover lapsed but a matching counterpart exists: Connected by consent. */
	f = facts(AVNM_STATE_CONNECTED, 1, 0, 0);
	expect_consent(&f, AVNM_STATE_CONNECTED, AVNM_REASON_CONNECTED);
}

/* ------------------------------------------------------------------------ */
/* avnm_revocation_transition: R4.4                                          */
/* ------------------------------------------------------------------------ */

static void test_revocation_transition(void **state)
{
	(void)state;
	ASSERT_STATE(avnm_revocation_transition(AVNM_STATE_CONNECTED), AVNM_STATE_REVOKED);
	ASSERT_STATE(avnm_revocation_transition(AVNM_STATE_PENDING), AVNM_STATE_PENDING);
	ASSERT_STATE(avnm_revocation_transition(AVNM_STATE_CONFLICT), AVNM_STATE_PENDING);
	ASSERT_STATE(avnm_revocation_transition(AVNM_STATE_REVOKED), AVNM_STATE_REVOKED);
	ASSERT_STATE(avnm_revocation_transition(AVNM_STATE_REJECTED), AVNM_STATE_REJECTED);
}

/* ------------------------------------------------------------------------ */
/* avnm_conflicts_find: R3.3                                                 */
/* ------------------------------------------------------------------------ */

#define K_S1 "/subscriptions/" SUB_B1
#define K_S2 "/subscriptions/" SUB_B2
#define K_S3 "/subscriptions/" SUB_B3
#define K_MG "/providers/microsoft.management/managementgroups/mg-prod"
#define M_SELF "/subscriptions/" SUB_A1 "/resourcegroups/rg/providers/microsoft.network/networkmanagers/self"
#define M_X "/subscriptions/" SUB_A1 "/resourcegroups/rg/providers/microsoft.network/networkmanagers/x"
#define M_Y "/subscriptions/" SUB_A1 "/resourcegroups/rg/providers/microsoft.network/networkmanagers/y"

static avnm_holding holding(const char *item, const char *manager, unsigned int accesses)
{
	avnm_holding h;
	h.item = item;
	h.manager = manager;
	h.accesses = accesses;
	return h;
}

/* Index of the conflict (item, manager) in out[0..n), or -1. */
static long find_conflict(const avnm_conflict *out, size_t n, const char *item,
                          const char *manager)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (strcmp(out[i].item, item) == 0 && strcmp(out[i].manager, manager) == 0)
			return (long)i;
	return -1;
}

static void test_conflicts_none(void **state)
{
	const avnm_holding held[] = {holding(K_S1, M_X, ACC_C)};
	const char *items[] = {K_S2};
	const char *same[] = {K_S1};
	avnm_conflict out[4];
	(void)state;
	/* Nothing held at all. */
	assert_int_equal(avnm_conflicts_find(NULL, 0, M_SELF, ACC_C, same, 1, out, 4), 0);
	/* Another item. */
	assert_int_equal(avnm_conflicts_find(held, 1, M_SELF, ACC_C, items, 1, out, 4), 0);
	/* Same item, disjoint accesses (R3.3: only intersecting access sets clash). */
	assert_int_equal(avnm_conflicts_find(held, 1, M_SELF, ACC_SA | ACC_R, same, 1, out, 4), 0);
	/* A manager without accesses clashes with nobody. */
	assert_int_equal(avnm_conflicts_find(held, 1, M_SELF, 0, same, 1, out, 4), 0);
}

static void test_conflicts_self_excluded(void **state)
{
	/* A manager's own holdings never conflict with it (an update re-checks the
	 * items it already holds). */
	const avnm_holding held[] = {holding(K_S1, M_SELF, AVNM_ACCESS_ALL)};
	const char *items[] = {K_S1};
	avnm_conflict out[2];
	(void)state;
	assert_int_equal(avnm_conflicts_find(held, 1, M_SELF, AVNM_ACCESS_ALL, items, 1, out, 2), 0);
}

static void test_conflicts_one(void **state)
{
	const avnm_holding held[] = {
		holding(K_S1, M_SELF, ACC_C),
		holding(K_S1, M_X, ACC_C | ACC_SA | ACC_R),
	};
	const char *items[] = {K_S2, K_S1};
	avnm_conflict out[4];
	(void)state;
	memset(out, 0, sizeof out);
	assert_int_equal(avnm_conflicts_find(held, 2, M_SELF, ACC_C | ACC_R | ACC_SU, items, 2, out, 4), 1);
	assert_string_equal(out[0].item, K_S1);
	assert_string_equal(out[0].manager, M_X);
	/* Only the shared accesses: SecurityAdmin is x's alone, SecurityUser self's. */
	assert_int_equal(out[0].shared, ACC_C | ACC_R);
}

static void test_conflicts_several(void **state)
{
	/* Two items, each held by another manager with a shared access, plus one
	 * holding that does not clash (disjoint) and one outside the items. */
	const avnm_holding held[] = {
		holding(K_S1, M_X, ACC_C),
		holding(K_S1, M_Y, ACC_SA),
		holding(K_MG, M_Y, ACC_C | ACC_SU),
		holding(K_S2, M_X, ACC_R),
		holding(K_S3, M_X, ACC_C),
	};
	const char *items[] = {K_S1, K_MG, K_S2};
	avnm_conflict out[8];
	long i;
	(void)state;
	assert_int_equal(avnm_conflicts_find(held, 5, M_SELF, ACC_C | ACC_SA, items, 3, out, 8), 3);
	i = find_conflict(out, 3, K_S1, M_X);
	assert_true(i >= 0);
	assert_int_equal(out[i].shared, ACC_C);
	i = find_conflict(out, 3, K_S1, M_Y);
	assert_true(i >= 0);
	assert_int_equal(out[i].shared, ACC_SA);
	i = find_conflict(out, 3, K_MG, M_Y);
	assert_true(i >= 0);
	assert_int_equal(out[i].shared, ACC_C);
	assert_true(find_conflict(out, 3, K_S2, M_X) < 0);
	assert_true(find_conflict(out, 3, K_S3, M_X) < 0);
}

static void test_conflicts_cap(void **state)
{
	const avnm_holding held[] = {
		holding(K_S1, M_X, ACC_C),
		holding(K_S2, M_X, ACC_C),
		holding(K_S3, M_Y, ACC_C),
	};
	const char *items[] = {K_S1, K_S2, K_S3};
	avnm_conflict out[3];
	(void)state;
	/* Counting only: out may be NULL with cap 0. */
	assert_int_equal(avnm_conflicts_find(held, 3, M_SELF, ACC_C, items, 3, NULL, 0), 3);
	/* cap 1: the total is still returned, one entry written, the next untouched. */
	memset(out, 0, sizeof out);
	out[1].item = "sentinel";
	out[1].manager = "sentinel";
	out[1].shared = 0xdeadu;
	assert_int_equal(avnm_conflicts_find(held, 3, M_SELF, ACC_C, items, 3, out, 1), 3);
	assert_non_null(out[0].item);
	assert_non_null(out[0].manager);
	assert_int_equal(out[0].shared, ACC_C);
	assert_string_equal(out[1].item, "sentinel");
	assert_string_equal(out[1].manager, "sentinel");
	assert_int_equal(out[1].shared, 0xdeadu);
}

/* ------------------------------------------------------------------------ */
/* avnm_scope_equal and scope values: R1.2, R1.6                            */
/* ------------------------------------------------------------------------ */

static void test_scope_equal_order_duplicates_case(void **state)
{
	avnm_scope *a = h_scope(NULL, ITEMS(SUB(SUB_B1), SUB(SUB_B2)));
	/* Other order, a duplicate in another case, no leading '/'. */
	avnm_scope *b = h_scope(NULL, ITEMS("subscriptions/" SUB_B2,
	                                    "/SUBSCRIPTIONS/B0000000-0000-0000-0000-000000000001",
	                                    SUB(SUB_B1)));
	(void)state;
	assert_int_equal(avnm_scope_count(b), 2);
	assert_int_equal(avnm_scope_equal(a, b), 1);
	assert_int_equal(avnm_scope_equal(b, a), 1);
	assert_int_equal(avnm_scope_equal(a, a), 1);
	avnm_scope_free(a);
	avnm_scope_free(b);
}

static void test_scope_equal_management_groups(void **state)
{
	avnm_scope *a = h_scope(NULL, ITEMS(MG("mg-prod")));
	avnm_scope *b = h_scope(NULL, ITEMS("providers/microsoft.management/managementgroups/MG-PROD"));
	avnm_scope *c = h_scope(NULL, ITEMS(MG("mg-prod2")));
	(void)state;
	assert_int_equal(avnm_scope_equal(a, b), 1);
	assert_int_equal(avnm_scope_equal(a, c), 0);
	avnm_scope_free(a);
	avnm_scope_free(b);
	avnm_scope_free(c);
}

static void test_scope_not_equal(void **state)
{
	avnm_scope *one = h_scope(NULL, ITEMS(SUB(SUB_B1)));
	avnm_scope *two = h_scope(NULL, ITEMS(SUB(SUB_B1), SUB(SUB_B2)));
	avnm_scope *mg = h_scope(NULL, ITEMS(MG("mg-prod")));
	avnm_scope *other = h_scope(NULL, ITEMS(SUB(SUB_B2)));
	(void)state;
	/* R4.2: a subset, a group above, another subscription: not equal. */
	assert_int_equal(avnm_scope_equal(one, two), 0);
	assert_int_equal(avnm_scope_equal(two, one), 0);
	assert_int_equal(avnm_scope_equal(one, mg), 0);
	assert_int_equal(avnm_scope_equal(one, other), 0);
	avnm_scope_free(one);
	avnm_scope_free(two);
	avnm_scope_free(mg);
	avnm_scope_free(other);
}

static void test_scope_items_canonical_sorted(void **state)
{
	avnm_scope *s = h_scope(NULL, ITEMS("subscriptions/B0000000-0000-0000-0000-000000000002",
	                                    MG("Mg-Prod"), SUB(SUB_B1)));
	size_t i;
	(void)state;
	assert_int_equal(avnm_scope_count(s), 3);
	/* Canonical: leading '/', lower case (R1.2, R1.3); sorted by that key. */
	for (i = 0; i < 3; i++) {
		const char *it = avnm_scope_item(s, i);
		const char *p;
		assert_non_null(it);
		assert_int_equal(it[0], '/');
		for (p = it; *p; p++)
			assert_false(*p >= 'A' && *p <= 'Z');
		if (i > 0)
			assert_true(strcmp(avnm_scope_item(s, i - 1), it) < 0);
	}
	assert_null(avnm_scope_item(s, 3));
	avnm_scope_free(s);
}

static void test_scope_add_rejects(void **state)
{
	/* R1.6: resource groups and networks are never scope items; decision 1: a
	 * bare management-group id is not a scope item either; R1.4 garbage. */
	static const char *const bad[] = {
		RG(SUB_B1, "rg-net"),
		VNET_B1,
		"mg-prod",
		SUB_B1,
		"",
		"/subscriptions/" SUB_B1 "/",
		"//subscriptions/" SUB_B1,
		"/subscriptions/{" SUB_B1 "}",
		"/subscriptions/ " SUB_B1,
		"/subscriptions/b0000000-0000-0000-0000-00000000000g",
		"/providers/Microsoft.Management/managementGroups/",
		"/providers/Microsoft.Management/managementGroups/mg%2fprod",
		"/providers/Microsoft.Management/managementGroups/mg-prod.",
		"/providers/Microsoft.Management/managementGroups/../mg-prod",
		"/providers/Microsoft.Nope/managementGroups/mg-prod",
	};
	avnm_scope *s = NULL;
	size_t i;
	(void)state;
	assert_int_equal(avnm_scope_new(&s, NULL), AVNM_OK);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = avnm_scope_add(s, bad[i]);
		if (rc != AVNM_E_INVALID_ARGUMENT)
			print_error("avnm_scope_add(\"%s\") = %s\n", bad[i], h_ename(rc));
		assert_int_equal(rc, AVNM_E_INVALID_ARGUMENT);
	}
	/* A rejected add changes nothing. */
	assert_int_equal(avnm_scope_count(s), 0);
	avnm_scope_free(s);
}

static void test_scope_limit(void **state)
{
	/* At most 1000 items; the 1001st is a limit and is not added. */
	avnm_scope *s = NULL;
	char item[64];
	unsigned int i;
	(void)state;
	assert_int_equal(avnm_scope_new(&s, NULL), AVNM_OK);
	for (i = 0; i < 1000; i++) {
		snprintf(item, sizeof item, "/subscriptions/d0000000-0000-0000-0000-%012u", i);
		assert_int_equal(avnm_scope_add(s, item), AVNM_OK);
	}
	/* Re-adding a present item at the limit is still accepted (no change). */
	assert_int_equal(avnm_scope_add(s, "/subscriptions/d0000000-0000-0000-0000-000000000007"),
	                 AVNM_OK);
	assert_int_equal(avnm_scope_add(s, SUB(SUB_B1)), AVNM_E_LIMIT);
	assert_int_equal(avnm_scope_count(s), 1000);
	avnm_scope_free(s);
	avnm_scope_free(NULL);
}

/* ------------------------------------------------------------------------ */
/* Name tables                                                               */
/* ------------------------------------------------------------------------ */

static void test_error_names(void **state)
{
	static const struct {
		int code;
		const char *name;
	} table[] = {
		{AVNM_E_INVALID_ARGUMENT, "invalid-argument"},
		{AVNM_E_NOT_FOUND, "not-found"},
		{AVNM_E_EXISTS, "exists"},
		{AVNM_E_CONFLICT, "conflict"},
		{AVNM_E_FORBIDDEN, "forbidden"},
		{AVNM_E_BUSY, "busy"},
		{AVNM_E_LIMIT, "limit"},
		{AVNM_E_STORAGE, "storage"},
		{AVNM_E_CORRUPT, "corrupt"},
		{AVNM_E_NO_MEMORY, "no-memory"},
		{AVNM_E_STALE_HANDLE, "stale-handle"},
		{AVNM_E_UNSUPPORTED, "unsupported"},
	};
	size_t i;
	char upper[32];
	(void)state;
	/* The values are ABI: fixed forever. */
	assert_int_equal(AVNM_E_INVALID_ARGUMENT, -1);
	assert_int_equal(AVNM_E_UNSUPPORTED, -12);
	for (i = 0; i < sizeof table / sizeof table[0]; i++) {
		size_t j;
		assert_string_equal(avnm_error_name(table[i].code), table[i].name);
		assert_int_equal(avnm_error_from_name(table[i].name), table[i].code);
		for (j = 0; table[i].name[j]; j++) {
			char c = table[i].name[j];
			upper[j] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
		}
		upper[j] = '\0';
		assert_int_equal(avnm_error_from_name(upper), table[i].code);
		assert_non_null(avnm_strerror(table[i].code));
		assert_true(avnm_strerror(table[i].code)[0] != '\0');
	}
	assert_string_equal(avnm_strerror(AVNM_E_NOT_FOUND), "not found");
	assert_int_equal(avnm_error_from_name("ok"), AVNM_OK);
	assert_int_equal(avnm_error_from_name("OK"), AVNM_OK);
	/* Unknown names give 1, which is never a valid code. */
	assert_int_equal(avnm_error_from_name("no-such-error"), 1);
	assert_int_equal(avnm_error_from_name(""), 1);
	assert_int_equal(avnm_error_from_name("not_found"), 1);
	assert_string_equal(avnm_error_name(-13), "unknown");
	assert_string_equal(avnm_error_name(1), "unknown");
	assert_string_equal(avnm_error_name(-1000), "unknown");
	assert_non_null(avnm_strerror(-1000));
}

static void test_access_names(void **state)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} table[] = {
		{AVNM_ACCESS_CONNECTIVITY, "Connectivity"},
		{AVNM_ACCESS_SECURITY_ADMIN, "SecurityAdmin"},
		{AVNM_ACCESS_SECURITY_USER, "SecurityUser"},
		{AVNM_ACCESS_ROUTING, "Routing"},
	};
	unsigned int out;
	size_t i;
	(void)state;
	for (i = 0; i < 4; i++) {
		out = 0;
		assert_int_equal(avnm_access_parse(&out, table[i].name), AVNM_OK);
		assert_int_equal(out, table[i].bit);
		assert_string_equal(avnm_access_name(table[i].bit), table[i].name);
	}
	out = 0;
	assert_int_equal(avnm_access_parse(&out, "securityadmin"), AVNM_OK);
	assert_int_equal(out, AVNM_ACCESS_SECURITY_ADMIN);
	assert_int_equal(avnm_access_parse(&out, "CONNECTIVITY"), AVNM_OK);
	assert_int_equal(out, AVNM_ACCESS_CONNECTIVITY);
	assert_int_equal(avnm_access_parse(&out, "Teleport"), AVNM_E_INVALID_ARGUMENT);
	assert_int_equal(avnm_access_parse(&out, ""), AVNM_E_INVALID_ARGUMENT);
	assert_int_equal(avnm_access_parse(&out, "Connectivity,Routing"), AVNM_E_INVALID_ARGUMENT);
	assert_int_equal(avnm_access_parse(&out, " Routing"), AVNM_E_INVALID_ARGUMENT);
	/* Not exactly one known bit. */
	assert_null(avnm_access_name(0));
	assert_null(avnm_access_name(ACC_C | ACC_R));
	assert_null(avnm_access_name(1u << 4));
	assert_null(avnm_access_name(AVNM_ACCESS_ALL));
}

static void test_state_names(void **state)
{
	static const struct {
		avnm_state st;
		const char *name;
	} table[] = {
		{AVNM_STATE_PENDING, "Pending"},   {AVNM_STATE_CONNECTED, "Connected"},
		{AVNM_STATE_CONFLICT, "Conflict"}, {AVNM_STATE_REVOKED, "Revoked"},
		{AVNM_STATE_REJECTED, "Rejected"},
	};
	avnm_state out;
	size_t i;
	(void)state;
	for (i = 0; i < sizeof table / sizeof table[0]; i++) {
		out = AVNM_STATE_NONE;
		assert_string_equal(avnm_state_name(table[i].st), table[i].name);
		assert_int_equal(avnm_state_parse(&out, table[i].name), AVNM_OK);
		assert_int_equal(out, table[i].st);
	}
	assert_string_equal(avnm_state_name(AVNM_STATE_NONE), "None");
	assert_null(avnm_state_name((avnm_state)6));
	assert_int_equal(avnm_state_parse(&out, "connected"), AVNM_OK);
	assert_int_equal(out, AVNM_STATE_CONNECTED);
	assert_int_equal(avnm_state_parse(&out, "REVOKED"), AVNM_OK);
	assert_int_equal(out, AVNM_STATE_REVOKED);
	assert_int_equal(avnm_state_parse(&out, "Connecting"), AVNM_E_INVALID_ARGUMENT);
	assert_int_equal(avnm_state_parse(&out, ""), AVNM_E_INVALID_ARGUMENT);
}

static void test_role_names(void **state)
{
	avnm_role r;
	(void)state;
	assert_int_equal(avnm_role_parse(&r, "Owner"), AVNM_OK);
	assert_int_equal(r, AVNM_ROLE_OWNER);
	assert_int_equal(avnm_role_parse(&r, "contributor"), AVNM_OK);
	assert_int_equal(r, AVNM_ROLE_CONTRIBUTOR);
	assert_int_equal(avnm_role_parse(&r, "NetworkContributor"), AVNM_OK);
	assert_int_equal(r, AVNM_ROLE_NETWORK_CONTRIBUTOR);
	r = AVNM_ROLE_OWNER;
	assert_int_equal(avnm_role_parse(&r, "Network Contributor"), AVNM_OK);
	assert_int_equal(r, AVNM_ROLE_NETWORK_CONTRIBUTOR);
	assert_int_equal(avnm_role_parse(&r, "NETWORKCONTRIBUTOR"), AVNM_OK);
	assert_int_equal(r, AVNM_ROLE_NETWORK_CONTRIBUTOR);
	assert_int_equal(avnm_role_parse(&r, "READER"), AVNM_OK);
	assert_int_equal(r, AVNM_ROLE_READER);
	assert_int_equal(avnm_role_parse(&r, "Admin"), AVNM_E_INVALID_ARGUMENT);
	assert_int_equal(avnm_role_parse(&r, "Network  Contributor"), AVNM_E_INVALID_ARGUMENT);
	assert_int_equal(avnm_role_parse(&r, ""), AVNM_E_INVALID_ARGUMENT);
	assert_string_equal(avnm_role_name(AVNM_ROLE_OWNER), "Owner");
	assert_string_equal(avnm_role_name(AVNM_ROLE_CONTRIBUTOR), "Contributor");
	assert_string_equal(avnm_role_name(AVNM_ROLE_NETWORK_CONTRIBUTOR), "Network Contributor");
	assert_string_equal(avnm_role_name(AVNM_ROLE_READER), "Reader");
	assert_null(avnm_role_name((avnm_role)0));
	assert_null(avnm_role_name((avnm_role)5));
}

static void test_member_type_names(void **state)
{
	avnm_member_type t;
	(void)state;
	assert_int_equal(avnm_member_type_parse(&t, "VirtualNetwork"), AVNM_OK);
	assert_int_equal(t, AVNM_MEMBER_VIRTUAL_NETWORK);
	assert_int_equal(avnm_member_type_parse(&t, "subnet"), AVNM_OK);
	assert_int_equal(t, AVNM_MEMBER_SUBNET);
	assert_int_equal(avnm_member_type_parse(&t, "virtualnetwork"), AVNM_OK);
	assert_int_equal(t, AVNM_MEMBER_VIRTUAL_NETWORK);
	assert_int_equal(avnm_member_type_parse(&t, "Vnet"), AVNM_E_INVALID_ARGUMENT);
}

static void test_version(void **state)
{
	(void)state;
	assert_int_equal(avnm_version_number(), AVNM_VERSION_NUMBER);
	assert_string_equal(avnm_version_string(), AVNM_VERSION_STRING);
	assert_int_equal(AVNM_VERSION_NUMBER, 0x000100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_consent_new_without_counterpart_is_pending),
		cmocka_unit_test(test_consent_match_connects),
		cmocka_unit_test(test_consent_match_with_conflict),
		cmocka_unit_test(test_consent_conflict_is_sticky),
		cmocka_unit_test(test_consent_lost_counterpart),
		cmocka_unit_test(test_consent_revoked_reconnects),
		cmocka_unit_test(test_consent_rejected),
		cmocka_unit_test(test_consent_no_manager),
		cmocka_unit_test(test_consent_counterpart_rejected),
		cmocka_unit_test(test_consent_implied),
		cmocka_unit_test(test_revocation_transition),
		cmocka_unit_test(test_conflicts_none),
		cmocka_unit_test(test_conflicts_self_excluded),
		cmocka_unit_test(test_conflicts_one),
		cmocka_unit_test(test_conflicts_several),
		cmocka_unit_test(test_conflicts_cap),
		cmocka_unit_test(test_scope_equal_order_duplicates_case),
		cmocka_unit_test(test_scope_equal_management_groups),
		cmocka_unit_test(test_scope_not_equal),
		cmocka_unit_test(test_scope_items_canonical_sorted),
		cmocka_unit_test(test_scope_add_rejects),
		cmocka_unit_test(test_scope_limit),
		cmocka_unit_test(test_error_names),
		cmocka_unit_test(test_access_names),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_role_names),
		cmocka_unit_test(test_member_type_names),
		cmocka_unit_test(test_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
