/* Handles: opened on existing objects, they follow the object's changes; once
 * the object is deleted every accessor fails with AVNM_E_STALE_HANDLE and
 * never crashes (FFI callers will use stale handles).
 *
 * What is asserted for re-creation: a handle belongs to the object it was
 * opened on, not to its id. When that object is deleted and another one is
 * created with the same id, the old handle stays stale (no ABA: a caller
 * holding the old handle must not silently see a different object, with other
 * accesses, scope or consent), and a new open reaches the new object. */
#include "helpers.h"

/* Every accessor of a manager handle is stale. */
static void expect_manager_stale(avnm_manager *m)
{
	const char *id = NULL;
	unsigned int acc = 0;
	avnm_scope *s = NULL;
	assert_int_equal(avnm_manager_get_id(&id, m), AVNM_E_STALE_HANDLE);
	assert_int_equal(avnm_manager_get_accesses(&acc, m), AVNM_E_STALE_HANDLE);
	assert_int_equal(avnm_manager_get_scope(&s, m), AVNM_E_STALE_HANDLE);
	assert_null(s);
}

static void expect_sc_stale(avnm_scope_connection *c)
{
	avnm_state st = AVNM_STATE_CONNECTED;
	avnm_reason *r = NULL;
	assert_int_equal(avnm_scope_connection_get_state(&st, &r, c), AVNM_E_STALE_HANDLE);
	assert_null(r);
	assert_int_equal(avnm_scope_connection_get_state(&st, NULL, c), AVNM_E_STALE_HANDLE);
}

static void expect_hc_stale(avnm_hub_connection *c)
{
	avnm_state st = AVNM_STATE_CONNECTED;
	avnm_reason *r = NULL;
	assert_int_equal(avnm_hub_connection_get_state(&st, &r, c), AVNM_E_STALE_HANDLE);
	assert_null(r);
	assert_int_equal(avnm_hub_connection_get_state(&st, NULL, c), AVNM_E_STALE_HANDLE);
}

static avnm_state sc_handle_state(avnm_scope_connection *c, avnm_reason_code *code)
{
	avnm_state st = AVNM_STATE_NONE;
	avnm_reason *r = NULL;
	assert_int_equal(avnm_scope_connection_get_state(&st, &r, c), AVNM_OK);
	assert_non_null(r);
	*code = avnm_reason_get_code(r);
	avnm_reason_free(r);
	return st;
}

static avnm_state hc_handle_state(avnm_hub_connection *c)
{
	avnm_state st = AVNM_STATE_NONE;
	assert_int_equal(avnm_hub_connection_get_state(&st, NULL, c), AVNM_OK);
	return st;
}

static void test_manager_handle(void **state)
{
	avnm_ctx *ctx = *state;
	avnm_manager *m = NULL, *m2 = NULL;
	const char *id = NULL;
	unsigned int acc = 0;
	avnm_scope *s = NULL, *copy = NULL;
	/* The display form is kept as first registered (R1.3). */
	const char *mixed = "/subscriptions/A0000000-0000-0000-0000-000000000001/resourceGroups/RG-Avnm/providers/Microsoft.Network/networkManagers/NM-Central";
	OK(ctx, h_manager(ctx, NULL, mixed, ACC_C | ACC_R, ITEMS(SUB(SUB_A1), MG("mg-a"))));
	/* Opened by another spelling of the same id. */
	OK(ctx, avnm_manager_open(&m, ctx, "subscriptions/a0000000-0000-0000-0000-000000000001/resourcegroups/rg-avnm/providers/microsoft.network/networkmanagers/nm-central"));
	assert_non_null(m);
	assert_int_equal(avnm_manager_get_id(&id, m), AVNM_OK);
	assert_string_equal(id, mixed);
	assert_int_equal(avnm_manager_get_accesses(&acc, m), AVNM_OK);
	assert_int_equal(acc, ACC_C | ACC_R);
	assert_int_equal(avnm_manager_get_scope(&s, m), AVNM_OK);
	assert_int_equal(avnm_scope_count(s), 2);
	/* The scope is a copy: changing it changes nothing in the manager. */
	OK(ctx, avnm_scope_add(s, SUB(SUB_A3)));
	assert_int_equal(avnm_manager_get_scope(&copy, m), AVNM_OK);
	assert_int_equal(avnm_scope_count(copy), 2);
	avnm_scope_free(copy);
	avnm_scope_free(s);
	assert_int_equal(h_can(ctx, mixed, VNET_A3, ACC_C, NULL), 0);

	/* The handle follows updates. */
	OK(ctx, h_manager_update(ctx, NULL, mixed, AVNM_UPDATE_ACCESSES | AVNM_UPDATE_SCOPE, ACC_SA,
	                         ITEMS(SUB(SUB_A3))));
	assert_int_equal(avnm_manager_get_accesses(&acc, m), AVNM_OK);
	assert_int_equal(acc, ACC_SA);
	assert_int_equal(avnm_manager_get_scope(&s, m), AVNM_OK);
	assert_int_equal(avnm_scope_count(s), 1);
	assert_true(h_ieq(avnm_scope_item(s, 0), SUB(SUB_A3)));
	avnm_scope_free(s);

	/* Two handles on one manager are independent: closing one leaves the other. */
	OK(ctx, avnm_manager_open(&m2, ctx, mixed));
	avnm_manager_close(m2);
	assert_int_equal(avnm_manager_get_accesses(&acc, m), AVNM_OK);

	OK(ctx, avnm_manager_delete(ctx, NULL, mixed, 0));
	expect_manager_stale(m);
	/* Re-created with the same id: the old handle stays stale, a new one
	 * reaches the new manager. */
	OK(ctx, h_manager(ctx, NULL, NM(SUB_A1, "nm-central"), ACC_R, NO_ITEMS));
	expect_manager_stale(m);
	OK(ctx, avnm_manager_open(&m2, ctx, mixed));
	assert_int_equal(avnm_manager_get_accesses(&acc, m2), AVNM_OK);
	assert_int_equal(acc, ACC_R);
	assert_int_equal(avnm_manager_get_id(&id, m2), AVNM_OK);
	assert_string_equal(id, NM(SUB_A1, "nm-central"));
	avnm_manager_close(m2);
	avnm_manager_close(m);
	avnm_manager_close(NULL);
}

static void test_open_errors(void **state)
{
	avnm_ctx *ctx = *state;
	avnm_manager *m = NULL;
	avnm_scope_connection *sc = NULL;
	avnm_hub_connection *hc = NULL;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, NO_ITEMS));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_manager_open(&m, ctx, NM_A2));
	assert_null(m);
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_manager_open(&m, ctx, VNET_A1));
	assert_null(m);
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_scope_connection_open(&sc, ctx, NM_A, "none"));
	assert_null(sc);
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_scope_connection_open(&sc, ctx, NM_A2, "none"));
	assert_null(sc);
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_hub_connection_open(&hc, ctx, T_B, "none"));
	assert_null(hc);
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_hub_connection_open(&hc, ctx, "not-a-tenant", "x"));
	assert_null(hc);
	avnm_scope_connection_close(NULL);
	avnm_hub_connection_close(NULL);
}

static void test_connection_handles(void **state)
{
	avnm_ctx *ctx = *state;
	avnm_scope_connection *sc = NULL, *sc_new = NULL;
	avnm_hub_connection *hc = NULL;
	avnm_reason_code code = AVNM_REASON_NONE;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, NO_ITEMS));
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "c", T_B, ITEMS(SUB(SUB_B1))));
	OK(ctx, avnm_scope_connection_open(&sc, ctx, NM_A, "c"));
	ASSERT_STATE(sc_handle_state(sc, &code), AVNM_STATE_PENDING);
	assert_int_equal(code, AVNM_REASON_PENDING_NO_COUNTERPART);

	/* The handle follows the state. */
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "h", ITEMS(SUB(SUB_B1)), NM_A));
	OK(ctx, avnm_hub_connection_open(&hc, ctx, T_B, "h"));
	ASSERT_STATE(sc_handle_state(sc, &code), AVNM_STATE_CONNECTED);
	assert_int_equal(code, AVNM_REASON_CONNECTED);
	ASSERT_STATE(hc_handle_state(hc), AVNM_STATE_CONNECTED);

	/* The hub side goes: its handle is stale, the other side's shows Revoked. */
	OK(ctx, avnm_hub_connection_delete(ctx, NULL, T_B, "h"));
	expect_hc_stale(hc);
	ASSERT_STATE(sc_handle_state(sc, &code), AVNM_STATE_REVOKED);
	assert_int_equal(code, AVNM_REASON_REVOKED);

	/* Same name again: still stale (see the top of this file). */
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "h", ITEMS(SUB(SUB_B1)), NM_A));
	expect_hc_stale(hc);
	avnm_hub_connection_close(hc);

	OK(ctx, avnm_scope_connection_delete(ctx, NULL, NM_A, "c"));
	expect_sc_stale(sc);
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "c", T_B, ITEMS(SUB(SUB_B1))));
	expect_sc_stale(sc);
	OK(ctx, avnm_scope_connection_open(&sc_new, ctx, NM_A, "C"));
	ASSERT_STATE(sc_handle_state(sc_new, &code), AVNM_STATE_CONNECTED);
	avnm_scope_connection_close(sc_new);
	avnm_scope_connection_close(sc);
}

static void test_forced_manager_delete_stales_its_connections(void **state)
{
	avnm_ctx *ctx = *state;
	avnm_manager *m = NULL;
	avnm_scope_connection *sc = NULL;
	avnm_hub_connection *hc = NULL;
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, NO_ITEMS));
	h_connect(ctx, NM_A, "c", T_B, ITEMS(SUB(SUB_B1)));
	OK(ctx, avnm_manager_open(&m, ctx, NM_A));
	OK(ctx, avnm_scope_connection_open(&sc, ctx, NM_A, "c"));
	OK(ctx, avnm_hub_connection_open(&hc, ctx, T_B, "c"));
	OK(ctx, avnm_manager_delete(ctx, NULL, NM_A, AVNM_DELETE_FORCE));
	expect_manager_stale(m);
	/* The scope connection went with its manager (R3.5)... */
	expect_sc_stale(sc);
	/* ...the hub connection is the target tenant's and stays, Revoked. */
	ASSERT_STATE(hc_handle_state(hc), AVNM_STATE_REVOKED);
	avnm_manager_close(m);
	avnm_scope_connection_close(sc);
	avnm_hub_connection_close(hc);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, h_setup_world, h_teardown_ctx)
	const struct CMUnitTest tests[] = {
		T(test_manager_handle),
		T(test_open_errors),
		T(test_connection_handles),
		T(test_forced_manager_delete_stales_its_connections),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
