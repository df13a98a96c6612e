/* Shared helpers for the cmocka unit tests: fixed ids, a standard world, and
 * short forms for the calls every test makes. Everything is static inline so
 * that each test binary stays a single translation unit and unused helpers
 * cost nothing (and draw no -Wunused-function). Helpers that only query assert
 * that the query itself succeeded; the rule under test is asserted by the
 * caller, so that a failure points at the test line. */
#ifndef AVNM_TEST_HELPERS_H
#define AVNM_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "avnm.h"

/* ------------------------------------------------------------------------ */
/* Fixed ids                                                                 */
/* ------------------------------------------------------------------------ */

/* Tenant A manages (the provider), B and C are customers. */
#define T_A "11111111-1111-1111-1111-111111111111"
#define T_B "22222222-2222-2222-2222-222222222222"
#define T_C "33333333-3333-3333-3333-333333333333"

#define SUB_A1 "a0000000-0000-0000-0000-000000000001"
#define SUB_A2 "a0000000-0000-0000-0000-000000000002"
#define SUB_A3 "a0000000-0000-0000-0000-000000000003"
#define SUB_B1 "b0000000-0000-0000-0000-000000000001"
#define SUB_B2 "b0000000-0000-0000-0000-000000000002"
#define SUB_B3 "b0000000-0000-0000-0000-000000000003"
#define SUB_C1 "c0000000-0000-0000-0000-000000000001"
/* Registered nowhere. */
#define SUB_X "e0000000-0000-0000-0000-00000000000e"

#define SUB(guid) "/subscriptions/" guid
#define MG(id) "/providers/Microsoft.Management/managementGroups/" id
#define RG(guid, rg) SUB(guid) "/resourceGroups/" rg
#define NM(guid, name) RG(guid, "rg-avnm") "/providers/Microsoft.Network/networkManagers/" name
#define VNET(guid, name) RG(guid, "rg-net") "/providers/Microsoft.Network/virtualNetworks/" name
#define SUBNET(guid, vnet, name) VNET(guid, vnet) "/subnets/" name

/* Managers of the standard world's tests (none exists until a test creates it). */
#define NM_A NM(SUB_A1, "nm-a")
#define NM_A2 NM(SUB_A1, "nm-a2")
#define NM_SEC NM(SUB_A1, "nm-sec")
#define NM_BHOME NM(SUB_B2, "nm-bhome")

/* Virtual networks of the standard world. */
#define VNET_A1 VNET(SUB_A1, "vnet-a1")
#define VNET_A3 VNET(SUB_A3, "vnet-a3")
#define VNET_B1 VNET(SUB_B1, "vnet-b1")
#define VNET_B2 VNET(SUB_B2, "vnet-b2")
#define VNET_B3 VNET(SUB_B3, "vnet-b3")
#define VNET_C1 VNET(SUB_C1, "vnet-c1")

#define ACC_C AVNM_ACCESS_CONNECTIVITY
#define ACC_SA AVNM_ACCESS_SECURITY_ADMIN
#define ACC_SU AVNM_ACCESS_SECURITY_USER
#define ACC_R AVNM_ACCESS_ROUTING

/* A NULL-terminated list of strings as an expression: ITEMS(SUB(SUB_A1), MG("x")). */
#define ITEMS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NO_ITEMS ((const char *const[]){NULL})

/* ------------------------------------------------------------------------ */
/* Names for messages                                                        */
/* ------------------------------------------------------------------------ */

static inline const char *h_ename(int code)
{
	const char *n = avnm_error_name(code);
	return n ? n : "(null)";
}

static inline const char *h_sname(avnm_state s)
{
	const char *n = avnm_state_name(s);
	return n ? n : "(unknown state)";
}

/* ASCII case-insensitive equality: resource ids compare so (R1.3). */
static inline int h_ieq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	for (; *a && *b; a++, b++) {
		int ca = (unsigned char)*a, cb = (unsigned char)*b;
		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb)
			return 0;
	}
	return *a == *b;
}

/* ASCII case-insensitive substring test. */
static inline int h_icontains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (!hay)
		return 0;
	for (; *hay; hay++) {
		size_t i;
		for (i = 0; i < n && hay[i]; i++) {
			int a = (unsigned char)hay[i], b = (unsigned char)needle[i];
			if (a >= 'A' && a <= 'Z')
				a += 'a' - 'A';
			if (b >= 'A' && b <= 'Z')
				b += 'a' - 'A';
			if (a != b)
				break;
		}
		if (i == n)
			return 1;
	}
	return n == 0;
}

/* ------------------------------------------------------------------------ */
/* Call checks                                                               */
/* ------------------------------------------------------------------------ */

/* Assert that a call returned `expected`; on a failure also that the context
 * recorded the same code and a non-empty message (R7: "a human message saying
 * what and why is readable afterwards"). */
#define CHECK(ctx, expected, call) h_check((ctx), (expected), (call), #call, __FILE__, __LINE__)
#define OK(ctx, call) CHECK((ctx), AVNM_OK, (call))

static inline void h_check(avnm_ctx *ctx, int expected, int rc, const char *text,
                           const char *file, int line)
{
	if (rc != expected) {
		print_error("%s:%d: %s\n    expected %s, got %s: %s\n", file, line, text,
		            h_ename(expected), h_ename(rc), ctx ? avnm_errmsg(ctx) : "");
		_fail(file, line);
	}
	if (expected != AVNM_OK && ctx) {
		if (avnm_errcode(ctx) != expected) {
			print_error("%s:%d: %s\n    avnm_errcode() is %s, expected %s\n", file,
			            line, text, h_ename(avnm_errcode(ctx)), h_ename(expected));
			_fail(file, line);
		}
		if (avnm_errmsg(ctx)[0] == '\0') {
			print_error("%s:%d: %s\n    failed with an empty message\n", file, line,
			            text);
			_fail(file, line);
		}
	}
}

/* Assert that the last message contains each of the NULL-terminated needles,
 * case-insensitively (ids are case-insensitive, R1.3). */
#define MSG_HAS(ctx, ...) h_msg_has((ctx), ITEMS(__VA_ARGS__), __FILE__, __LINE__)
static inline void h_msg_has(avnm_ctx *ctx, const char *const *needles, const char *file,
                             int line)
{
	const char *msg = avnm_errmsg(ctx);
	for (; *needles; needles++) {
		if (!h_icontains(msg, *needles)) {
			print_error("%s:%d: message \"%s\" does not name \"%s\"\n", file, line, msg,
			            *needles);
			_fail(file, line);
		}
	}
}

#define ASSERT_STATE(actual, expected) \
	assert_string_equal(h_sname(actual), h_sname(expected))

/* ------------------------------------------------------------------------ */
/* Contexts and worlds                                                       */
/* ------------------------------------------------------------------------ */

static inline avnm_ctx *h_ctx_flags(unsigned int flags)
{
	avnm_options opts = AVNM_OPTIONS_INIT;
	avnm_ctx *ctx = NULL;
	opts.flags = flags;
	assert_int_equal(avnm_ctx_new(&ctx, &opts), AVNM_OK);
	assert_non_null(ctx);
	return ctx;
}

static inline avnm_ctx *h_ctx(void)
{
	return h_ctx_flags(0);
}

static inline avnm_tag h_tag(const char *key, const char *value)
{
	avnm_tag t;
	t.key = key;
	t.value = value;
	return t;
}

/* The standard world:
 *   T_A root ── mg-a ── SUB_A1 (vnet-a1 env=prod), SUB_A2
 *          └── SUB_A3 (vnet-a3 env=prod)
 *   T_B root ── mg-prod ── SUB_B1 (vnet-b1 env=prod), SUB_B2 (vnet-b2)
 *          └── mg-dev ── SUB_B3 (vnet-b3 env=prod)
 *   T_C root ── SUB_C1 (vnet-c1)
 */
static inline void h_world(avnm_ctx *ctx)
{
	const avnm_tag prod[] = {h_tag("env", "prod")};
	OK(ctx, avnm_tenant_create(ctx, T_A, "Contoso"));
	OK(ctx, avnm_tenant_create(ctx, T_B, "Fabrikam"));
	OK(ctx, avnm_tenant_create(ctx, T_C, NULL));
	OK(ctx, avnm_mg_create(ctx, T_A, "mg-a", NULL));
	OK(ctx, avnm_mg_create(ctx, T_B, "mg-prod", NULL));
	OK(ctx, avnm_mg_create(ctx, T_B, "mg-dev", NULL));
	OK(ctx, avnm_subscription_create(ctx, T_A, SUB_A1, "mg-a"));
	OK(ctx, avnm_subscription_create(ctx, T_A, SUB_A2, "mg-a"));
	OK(ctx, avnm_subscription_create(ctx, T_A, SUB_A3, NULL));
	OK(ctx, avnm_subscription_create(ctx, T_B, SUB_B1, "mg-prod"));
	OK(ctx, avnm_subscription_create(ctx, T_B, SUB_B2, "mg-prod"));
	OK(ctx, avnm_subscription_create(ctx, T_B, SUB_B3, "mg-dev"));
	OK(ctx, avnm_subscription_create(ctx, T_C, SUB_C1, NULL));
	OK(ctx, avnm_vnet_create(ctx, VNET_A1, "westeurope", prod, 1));
	OK(ctx, avnm_vnet_create(ctx, VNET_A3, "westeurope", prod, 1));
	OK(ctx, avnm_vnet_create(ctx, VNET_B1, "westeurope", prod, 1));
	OK(ctx, avnm_vnet_create(ctx, VNET_B2, NULL, NULL, 0));
	OK(ctx, avnm_vnet_create(ctx, VNET_B3, NULL, prod, 1));
	OK(ctx, avnm_vnet_create(ctx, VNET_C1, NULL, NULL, 0));
}

/* cmocka fixtures: *state is a context with the standard world. */
static inline int h_setup_world(void **state)
{
	avnm_ctx *ctx = h_ctx();
	h_world(ctx);
	*state = ctx;
	return 0;
}

static inline int h_teardown_ctx(void **state)
{
	avnm_ctx_free(*state);
	*state = NULL;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Scopes and the calls that take them                                       */
/* ------------------------------------------------------------------------ */

/* A scope of the NULL-terminated items; every item must be accepted. */
static inline avnm_scope *h_scope(avnm_ctx *ctx, const char *const *items)
{
	avnm_scope *s = NULL;
	assert_int_equal(avnm_scope_new(&s, ctx), AVNM_OK);
	assert_non_null(s);
	for (; *items; items++) {
		int rc = avnm_scope_add(s, *items);
		if (rc != AVNM_OK)
			print_error("avnm_scope_add(\"%s\"): %s\n", *items, h_ename(rc));
		assert_int_equal(rc, AVNM_OK);
	}
	return s;
}

/* The calls below build the scope from items, make the call and return its code. */
static inline int h_manager(avnm_ctx *ctx, const char *as, const char *id,
                            unsigned int accesses, const char *const *items)
{
	avnm_scope *s = h_scope(ctx, items);
	int rc = avnm_manager_create(ctx, as, id, accesses, s);
	avnm_scope_free(s);
	return rc;
}

static inline int h_manager_update(avnm_ctx *ctx, const char *as, const char *id,
                                   unsigned int what, unsigned int accesses,
                                   const char *const *items)
{
	avnm_scope *s = h_scope(ctx, items);
	int rc = avnm_manager_update(ctx, as, id, what, accesses, s);
	avnm_scope_free(s);
	return rc;
}

static inline int h_scope_conn(avnm_ctx *ctx, const char *as, const char *manager,
                               const char *name, const char *tenant,
                               const char *const *items)
{
	avnm_scope *s = h_scope(ctx, items);
	int rc = avnm_scope_connection_create(ctx, as, manager, name, tenant, s);
	avnm_scope_free(s);
	return rc;
}

static inline int h_hub_conn(avnm_ctx *ctx, const char *as, const char *tenant,
                             const char *name, const char *const *items, const char *manager)
{
	avnm_scope *s = h_scope(ctx, items);
	int rc = avnm_hub_connection_create(ctx, as, tenant, name, s, manager);
	avnm_scope_free(s);
	return rc;
}

/* Both sides of a connection, as the system; asserts that both calls succeed. */
static inline void h_connect(avnm_ctx *ctx, const char *manager, const char *name,
                             const char *tenant, const char *const *items)
{
	OK(ctx, h_scope_conn(ctx, NULL, manager, name, tenant, items));
	OK(ctx, h_hub_conn(ctx, NULL, tenant, name, items, manager));
}

/* ------------------------------------------------------------------------ */
/* Queries                                                                   */
/* ------------------------------------------------------------------------ */

static inline avnm_state h_sc_state(avnm_ctx *ctx, const char *manager, const char *name)
{
	avnm_state st = AVNM_STATE_NONE;
	OK(ctx, avnm_scope_connection_state(&st, NULL, ctx, manager, name));
	return st;
}

static inline avnm_state h_hc_state(avnm_ctx *ctx, const char *tenant, const char *name)
{
	avnm_state st = AVNM_STATE_NONE;
	OK(ctx, avnm_hub_connection_state(&st, NULL, ctx, tenant, name));
	return st;
}

static inline avnm_reason_code h_sc_reason(avnm_ctx *ctx, const char *manager,
                                           const char *name)
{
	avnm_state st = AVNM_STATE_NONE;
	avnm_reason *r = NULL;
	avnm_reason_code code;
	OK(ctx, avnm_scope_connection_state(&st, &r, ctx, manager, name));
	assert_non_null(r);
	code = avnm_reason_get_code(r);
	avnm_reason_free(r);
	return code;
}

static inline avnm_reason_code h_hc_reason(avnm_ctx *ctx, const char *tenant, const char *name)
{
	avnm_state st = AVNM_STATE_NONE;
	avnm_reason *r = NULL;
	avnm_reason_code code;
	OK(ctx, avnm_hub_connection_state(&st, &r, ctx, tenant, name));
	assert_non_null(r);
	code = avnm_reason_get_code(r);
	avnm_reason_free(r);
	return code;
}

/* May manager manage resource for access (tenant may be NULL)? 1 or 0. */
static inline int h_can(avnm_ctx *ctx, const char *manager, const char *resource,
                        unsigned int access, const char *tenant)
{
	int allowed = -1;
	OK(ctx, avnm_can_manage(&allowed, NULL, ctx, manager, resource, access, tenant));
	assert_true(allowed == 0 || allowed == 1);
	return allowed;
}

static inline avnm_reason_code h_can_reason(avnm_ctx *ctx, const char *manager,
                                            const char *resource, unsigned int access,
                                            const char *tenant)
{
	int allowed = -1;
	avnm_reason *r = NULL;
	avnm_reason_code code;
	OK(ctx, avnm_can_manage(&allowed, &r, ctx, manager, resource, access, tenant));
	assert_non_null(r);
	code = avnm_reason_get_code(r);
	avnm_reason_free(r);
	return code;
}

static inline void h_print_list(const char *what, const avnm_list *list)
{
	size_t i, n = avnm_list_count(list);
	print_error("%s has %zu entries:\n", what, n);
	for (i = 0; i < n; i++)
		print_error("    %s\n", avnm_list_get(list, i));
}

/* 1 iff list holds exactly the expected ids (case-insensitively, R1.3), in this
 * order if `ordered`, else in any order; each expected id once. Prints both on
 * a mismatch. */
static inline int h_list_is(const avnm_list *list, const char *const *expected, int ordered)
{
	size_t n = 0, i, j;
	int same = 1;
	unsigned char used[64] = {0};
	while (expected[n])
		n++;
	assert_true(n <= sizeof used);
	if (avnm_list_count(list) != n)
		same = 0;
	for (i = 0; same && i < n; i++) {
		if (ordered) {
			same = h_ieq(avnm_list_get(list, i), expected[i]);
			continue;
		}
		for (j = 0; j < n; j++) {
			if (!used[j] && h_ieq(avnm_list_get(list, i), expected[j])) {
				used[j] = 1;
				break;
			}
		}
		same = j < n;
	}
	if (!same) {
		h_print_list("list", list);
		print_error("expected %zu%s:\n", n, ordered ? " in this order" : "");
		for (i = 0; i < n; i++)
			print_error("    %s\n", expected[i]);
	}
	return same;
}

/* The managers of resource for access are exactly `expected`, in order (R3.4). */
static inline int h_managers_are(avnm_ctx *ctx, const char *resource, unsigned int access,
                                 const char *tenant, const char *const *expected)
{
	avnm_list *l = NULL;
	int same;
	OK(ctx, avnm_managers_of(&l, ctx, resource, access, tenant));
	same = h_list_is(l, expected, 1);
	avnm_list_free(l);
	return same;
}

static inline int h_members_are(avnm_ctx *ctx, const char *manager, const char *group,
                                const char *const *expected)
{
	avnm_list *l = NULL;
	int same;
	OK(ctx, avnm_group_members(&l, ctx, manager, group));
	same = h_list_is(l, expected, 0);
	avnm_list_free(l);
	return same;
}

static inline int h_cross_are(avnm_ctx *ctx, const char *manager, const char *const *expected)
{
	avnm_list *l = NULL;
	int same;
	OK(ctx, avnm_manager_cross_tenant_scopes(&l, ctx, manager));
	same = h_list_is(l, expected, 0);
	avnm_list_free(l);
	return same;
}

/* Index of the first part of `kind` with value equal (case-insensitively) to
 * `value`, at or after `from`; -1 if none. */
static inline long h_part_find(const avnm_reason *r, size_t from, avnm_part_kind kind,
                               const char *value)
{
	size_t i, n = avnm_reason_part_count(r);
	for (i = from; i < n; i++) {
		avnm_part_kind k = 0;
		const char *v = NULL;
		assert_int_equal(avnm_reason_part(r, i, &k, &v), AVNM_OK);
		assert_non_null(v);
		if (k == kind && h_ieq(v, value))
			return (long)i;
	}
	return -1;
}

#endif /* AVNM_TEST_HELPERS_H */
