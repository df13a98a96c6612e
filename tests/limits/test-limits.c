/* Inputs at and just past every limit, and far past them: each is accepted at the
 * limit and refused past it with `limit` or `invalid-argument` (R1.4, R1.5, R2.3,
 * R7), and a world built at the limits stores and loads again. Never a crash, and
 * never a refusal that costs more than the input's size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "avnm.h"

#define T_A "11111111-1111-4111-8111-111111111111"
#define T_B "22222222-2222-4222-8222-222222222222"
#define SUB_A1 "a0000000-0000-4000-8000-000000000001"
#define SUB_B1 "b0000000-0000-4000-8000-000000000001"
#define SUB(g) "/subscriptions/" g
#define MG(id) "/providers/Microsoft.Management/managementGroups/" id
#define RG_A SUB(SUB_A1) "/resourceGroups/rg"
#define NM_A RG_A "/providers/Microsoft.Network/networkManagers/nm-a"
#define VNET_B(n) SUB(SUB_B1) "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/" n
#define C AVNM_ACCESS_CONNECTIVITY

#define CHECK(ctx, want, call)                                                         \
	do {                                                                           \
		int rc_ = (call);                                                      \
		if (rc_ != (want))                                                     \
			print_error("%s: %s (%s), expected %s\n", #call,               \
			            avnm_error_name(rc_), (ctx) ? avnm_errmsg(ctx) : "", \
			            avnm_error_name(want));                            \
		assert_int_equal(rc_, (want));                                         \
	} while (0)

/* n bytes of c, NUL-terminated, to free. */
static char *rep(char c, size_t n)
{
	char *s = malloc(n + 1);
	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static char *cat(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = c ? strlen(c) : 0;
	char *s = malloc(la + lb + lc + 1);
	assert_non_null(s);
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c ? c : "", lc + 1);
	return s;
}

static avnm_ctx *world(const avnm_options *o)
{
	avnm_ctx *ctx = NULL;
	assert_int_equal(avnm_ctx_new(&ctx, o), AVNM_OK);
	CHECK(ctx, AVNM_OK, avnm_tenant_create(ctx, T_A, NULL));
	CHECK(ctx, AVNM_OK, avnm_tenant_create(ctx, T_B, NULL));
	CHECK(ctx, AVNM_OK, avnm_subscription_create(ctx, T_A, SUB_A1, NULL));
	CHECK(ctx, AVNM_OK, avnm_subscription_create(ctx, T_B, SUB_B1, NULL));
	return ctx;
}

static void same_after_reopen(avnm_ctx *live, avnm_storage *store)
{
	avnm_ctx *again = NULL;
	char err[512], *a = NULL, *b = NULL;
	size_t la, lb;
	int rc = avnm_ctx_open(&again, NULL, store, err, sizeof err);
	if (rc != AVNM_OK)
		print_error("the world built at the limits does not load: %s: %s\n", avnm_error_name(rc), err);
	assert_int_equal(rc, AVNM_OK);
	assert_int_equal(avnm_ctx_dump(&a, &la, live), AVNM_OK);
	assert_int_equal(avnm_ctx_dump(&b, &lb, again), AVNM_OK);
	assert_true(la == lb && memcmp(a, b, la) == 0);
	avnm_free(live, a);
	avnm_free(again, b);
	avnm_ctx_free(again);
}

/* ---- R1.4: id length ------------------------------------------------------------- */

static void test_id_length(void **state)
{
	(void)state;
	char buf[2050];
	avnm_ctx *ctx = world(NULL);
	/* The longest id libavnm knows is far below 2048 bytes (its names are short), so
	 * the length limit shows in the message: a 2048-byte id is refused for its shape,
	 * a 2049-byte one for its length. */
	char *tail = rep('a', 2048 - strlen("/subscriptions/"));
	char *at = cat("/subscriptions/", tail, NULL);
	assert_int_equal(strlen(at), 2048);
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_id_canonical(buf, sizeof buf, ctx, at));
	assert_null(strstr(avnm_errmsg(ctx), "2048"));
	char *past = cat(at, "a", NULL);
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_id_canonical(buf, sizeof buf, ctx, past));
	assert_non_null(strstr(avnm_errmsg(ctx), "2048"));
	/* without the leading '/', the same bytes */
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_id_canonical(buf, sizeof buf, ctx, past + 1));
	/* a valid id, and the buffer the header promises is always enough */
	CHECK(ctx, AVNM_OK, avnm_id_canonical(buf, sizeof buf, ctx, NM_A));
	free(tail);
	free(at);
	free(past);

	/* 1 MB ids into every entry that takes one: refused, the message quotes a little */
	char *mb_tail = rep('b', 1u << 20);
	char *mb = cat("/subscriptions/" SUB_A1 "/resourceGroups/", mb_tail, NULL);
	char *mb_mg = cat(MG(""), mb_tail, NULL);
	avnm_scope *s = NULL;
	avnm_list *l = NULL;
	int allowed = -1;
	avnm_state st;
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_id_canonical(buf, sizeof buf, ctx, mb));
	assert_true(strlen(avnm_errmsg(ctx)) < 1024);
	CHECK(ctx, AVNM_OK, avnm_scope_new(&s, ctx));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_scope_add(s, mb));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_scope_add(s, mb_mg));
	assert_int_equal(avnm_scope_count(s), 0);
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_manager_create(ctx, NULL, mb, C, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_vnet_create(ctx, mb, NULL, NULL, 0));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_can_manage(&allowed, NULL, ctx, NM_A, mb, C, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_managers_of(&l, ctx, mb_mg, C, T_A));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_mg_create(ctx, T_A, mb_tail, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_mg_create(ctx, T_A, mb_mg, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_tenant_create(ctx, mb_tail, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_subscription_create(ctx, T_A, mb, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_principal_create(ctx, mb_tail, T_A));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_scope_connection_state(&st, NULL, ctx, NM_A, mb_tail));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_hub_connection_state(&st, NULL, ctx, T_A, mb_tail));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_group_create(ctx, NULL, mb, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	assert_true(strlen(avnm_errmsg(ctx)) < 1024);
	avnm_scope_free(s);
	free(mb_tail);
	free(mb);
	free(mb_mg);
	avnm_ctx_free(ctx);
}

/* ---- R1.5: names ------------------------------------------------------------------- */

static void test_name_lengths(void **state)
{
	(void)state;
	avnm_ctx *ctx = world(NULL);
	char *n90 = rep('m', 90), *n91 = rep('m', 91);
	CHECK(ctx, AVNM_OK, avnm_mg_create(ctx, T_A, n90, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_mg_create(ctx, T_A, n91, NULL));
	char *full90 = cat(MG(""), n90, NULL), *full91 = cat(MG(""), n91, NULL);
	CHECK(ctx, AVNM_OK, avnm_mg_create(ctx, T_B, full90, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_mg_create(ctx, T_B, full91, NULL));

	char *v64 = rep('v', 64), *v65 = rep('v', 65);
	char *vnet64 = cat(VNET_B(""), v64, NULL), *vnet65 = cat(VNET_B(""), v65, NULL);
	CHECK(ctx, AVNM_OK, avnm_vnet_create(ctx, vnet64, NULL, NULL, 0));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_vnet_create(ctx, vnet65, NULL, NULL, 0));

	char *m64 = rep('n', 64), *m65 = rep('n', 65);
	char *nm64 = cat(RG_A "/providers/Microsoft.Network/networkManagers/", m64, NULL);
	char *nm65 = cat(RG_A "/providers/Microsoft.Network/networkManagers/", m65, NULL);
	CHECK(ctx, AVNM_OK, avnm_manager_create(ctx, NULL, nm64, C, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_manager_create(ctx, NULL, nm65, C, NULL));
	/* connection and group names follow the same rule */
	avnm_scope *s = NULL;
	CHECK(ctx, AVNM_OK, avnm_scope_new(&s, ctx));
	CHECK(ctx, AVNM_OK, avnm_scope_add(s, SUB(SUB_B1)));
	CHECK(ctx, AVNM_OK, avnm_scope_connection_create(ctx, NULL, nm64, m64, T_B, s));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_scope_connection_create(ctx, NULL, nm64, m65, T_B, s));
	CHECK(ctx, AVNM_OK, avnm_hub_connection_create(ctx, NULL, T_B, m64, s, nm64));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_hub_connection_create(ctx, NULL, T_B, m65, s, nm64));
	CHECK(ctx, AVNM_OK, avnm_group_create(ctx, NULL, nm64, m64, AVNM_MEMBER_VIRTUAL_NETWORK));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_group_create(ctx, NULL, nm64, m65, AVNM_MEMBER_VIRTUAL_NETWORK));
	avnm_scope_free(s);

	char *p128 = rep('p', 128), *p129 = rep('p', 129);
	CHECK(ctx, AVNM_OK, avnm_principal_create(ctx, p128, T_A));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_principal_create(ctx, p129, T_A));

	char *t256 = rep('t', 256), *t257 = rep('t', 257);
	CHECK(ctx, AVNM_OK, avnm_tenant_create(ctx, "33333333-3333-4333-8333-333333333333", t256));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_tenant_create(ctx, "44444444-4444-4444-8444-444444444444", t257));

	free(n90); free(n91); free(full90); free(full91); free(v64); free(v65); free(vnet64); free(vnet65);
	free(m64); free(m65); free(nm64); free(nm65); free(p128); free(p129); free(t256); free(t257);
	avnm_ctx_free(ctx);
}

/* A virtual network's id as registered (letter case kept, R1.3) comes back exactly,
 * whatever its length: ids of every length modulo 8, with upper-case letters up to
 * the last byte (the display form is kept as a bit per byte over the key). */
static void test_vnet_display_every_length(void **state)
{
	(void)state;
	avnm_ctx *ctx = world(NULL);
	char id[256], want[300], name[40];
	for (int n = 2; n <= 26; n++) {
		for (int k = 0; k < n; k++)
			name[k] = k % 2 ? 'V' : 'n';
		name[n - 1] = 'X';
		name[n] = '\0';
		snprintf(id, sizeof id, VNET_B("%s"), name);
		CHECK(ctx, AVNM_OK, avnm_vnet_create(ctx, id, NULL, NULL, 0));
	}
	char *d = NULL;
	size_t len;
	assert_int_equal(avnm_ctx_dump(&d, &len, ctx), AVNM_OK);
	for (int n = 2; n <= 26; n++) {
		for (int k = 0; k < n; k++)
			name[k] = k % 2 ? 'V' : 'n';
		name[n - 1] = 'X';
		name[n] = '\0';
		int idlen = snprintf(id, sizeof id, VNET_B("%s"), name);
		snprintf(want, sizeof want, " id=\"%s\" ", id);
		if (!strstr(d, want))
			print_error("the dump lacks the id of %d bytes%s\n", idlen, want);
		assert_non_null(strstr(d, want));
	}
	avnm_free(ctx, d);
	avnm_ctx_free(ctx);
}

/* ---- R2.3: hierarchy depth and size -------------------------------------------------- */

static void chain(avnm_ctx *ctx, const char *tenant, unsigned levels, int last_rc)
{
	char name[16], parent[16];
	for (unsigned i = 1; i <= levels; i++) {
		snprintf(name, sizeof name, "d%u", i);
		snprintf(parent, sizeof parent, "d%u", i - 1);
		CHECK(ctx, i == levels ? last_rc : AVNM_OK, avnm_mg_create(ctx, tenant, name, i == 1 ? NULL : parent));
	}
}

static void test_depth(void **state)
{
	(void)state;
	avnm_ctx *ctx = world(NULL);
	chain(ctx, T_A, 6, AVNM_OK);     /* 6 levels below the root: the default */
	CHECK(ctx, AVNM_E_LIMIT, avnm_mg_create(ctx, T_A, "d7", "d6"));
	/* a move that would make it 7 deep */
	chain(ctx, T_B, 2, AVNM_OK);
	CHECK(ctx, AVNM_OK, avnm_mg_create(ctx, T_A, "x", "d5"));      /* depth 6 */
	CHECK(ctx, AVNM_OK, avnm_mg_create(ctx, T_A, "y", NULL));      /* depth 1 */
	CHECK(ctx, AVNM_OK, avnm_mg_create(ctx, T_A, "y2", "y"));      /* depth 2 */
	CHECK(ctx, AVNM_E_LIMIT, avnm_mg_move(ctx, T_A, "y", "d5"));   /* y2 would be at 8 */
	CHECK(ctx, AVNM_OK, avnm_mg_move(ctx, T_A, "y", "d4"));        /* y2 at 6 */
	avnm_ctx_free(ctx);

	avnm_options o = AVNM_OPTIONS_INIT;
	o.max_mg_depth = 2;
	ctx = world(&o);
	chain(ctx, T_A, 3, AVNM_E_LIMIT);
	avnm_ctx_free(ctx);

	o.max_mg_depth = 64; /* the cap */
	ctx = world(&o);
	chain(ctx, T_A, 65, AVNM_E_LIMIT);
	avnm_ctx_free(ctx);
	o.max_mg_depth = 65;
	ctx = NULL;
	assert_int_equal(avnm_ctx_new(&ctx, &o), AVNM_E_INVALID_ARGUMENT);
	assert_null(ctx);
	o.max_mg_depth = 0xffffffffu;
	assert_int_equal(avnm_ctx_new(&ctx, &o), AVNM_E_INVALID_ARGUMENT);
}

static void test_deepest_world_stores(void **state)
{
	(void)state;
	avnm_options o = AVNM_OPTIONS_INIT;
	avnm_storage *store = NULL;
	avnm_ctx *ctx = NULL;
	char err[256];
	o.max_mg_depth = 64;
	assert_int_equal(avnm_memstore_new(&store), AVNM_OK);
	assert_int_equal(avnm_ctx_open(&ctx, &o, store, err, sizeof err), AVNM_OK);
	CHECK(ctx, AVNM_OK, avnm_tenant_create(ctx, T_A, NULL));
	chain(ctx, T_A, 64, AVNM_OK);
	CHECK(ctx, AVNM_OK, avnm_subscription_create(ctx, T_A, SUB_A1, "d64"));
	CHECK(ctx, AVNM_OK, avnm_vnet_create(ctx, SUB(SUB_A1) "/resourceGroups/rg/providers/Microsoft.Network/"
	                                     "virtualNetworks/deep", NULL, NULL, 0));
	avnm_list *l = NULL;
	CHECK(ctx, AVNM_OK, avnm_managers_of(&l, ctx, SUB(SUB_A1) "/resourceGroups/rg/providers/Microsoft.Network/"
	                                     "virtualNetworks/deep", C, NULL));
	avnm_list_free(l);
	same_after_reopen(ctx, store);
	avnm_ctx_free(ctx);
	avnm_memstore_free(store);
}

static void test_groups_per_tenant(void **state)
{
	(void)state;
	avnm_options o = AVNM_OPTIONS_INIT;
	o.max_mgs_per_tenant = 5;
	avnm_ctx *ctx = world(&o);
	char name[16];
	for (int i = 1; i <= 5; i++) {
		snprintf(name, sizeof name, "g%d", i);
		CHECK(ctx, AVNM_OK, avnm_mg_create(ctx, T_A, name, NULL));
	}
	CHECK(ctx, AVNM_E_LIMIT, avnm_mg_create(ctx, T_A, "g6", NULL));
	/* per tenant: another tenant has room */
	CHECK(ctx, AVNM_OK, avnm_mg_create(ctx, T_B, "g6", NULL));
	avnm_ctx_free(ctx);
}

/* ---- scopes, tags, conditions ------------------------------------------------------ */

static void test_scope_size(void **state)
{
	(void)state;
	avnm_storage *store = NULL;
	avnm_ctx *ctx = NULL;
	avnm_scope *s = NULL;
	char err[256], sub[80];
	assert_int_equal(avnm_memstore_new(&store), AVNM_OK);
	assert_int_equal(avnm_ctx_open(&ctx, NULL, store, err, sizeof err), AVNM_OK);
	CHECK(ctx, AVNM_OK, avnm_tenant_create(ctx, T_A, NULL));
	CHECK(ctx, AVNM_OK, avnm_tenant_create(ctx, T_B, NULL));
	CHECK(ctx, AVNM_OK, avnm_subscription_create(ctx, T_A, SUB_A1, NULL));
	CHECK(ctx, AVNM_OK, avnm_scope_new(&s, ctx));
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(sub, sizeof sub, "/subscriptions/%08x-0000-4000-8000-00000000000b", 0xb1000000u + i);
		CHECK(ctx, AVNM_OK, avnm_subscription_create(ctx, T_B, sub, NULL));
		CHECK(ctx, AVNM_OK, avnm_scope_add(s, sub));
	}
	assert_int_equal(avnm_scope_count(s), 1000);
	/* the same item again is no new item */
	CHECK(ctx, AVNM_OK, avnm_scope_add(s, sub));
	CHECK(ctx, AVNM_E_LIMIT, avnm_scope_add(s, SUB(SUB_A1)));
	assert_int_equal(avnm_scope_count(s), 1000);
	/* a pair of 1000 items connects, is stored and loads again */
	CHECK(ctx, AVNM_OK, avnm_manager_create(ctx, NULL, NM_A, C, NULL));
	CHECK(ctx, AVNM_OK, avnm_scope_connection_create(ctx, NULL, NM_A, "all", T_B, s));
	CHECK(ctx, AVNM_OK, avnm_hub_connection_create(ctx, NULL, T_B, "all", s, NM_A));
	avnm_state st;
	CHECK(ctx, AVNM_OK, avnm_scope_connection_state(&st, NULL, ctx, NM_A, "all"));
	assert_int_equal(st, AVNM_STATE_CONNECTED);
	avnm_list *l = NULL;
	CHECK(ctx, AVNM_OK, avnm_manager_cross_tenant_scopes(&l, ctx, NM_A));
	assert_int_equal(avnm_list_count(l), 1000);
	avnm_list_free(l);
	same_after_reopen(ctx, store);
	avnm_scope_free(s);
	avnm_ctx_free(ctx);
	avnm_memstore_free(store);
}

static void test_tags_and_conditions(void **state)
{
	(void)state;
	avnm_storage *store = NULL;
	avnm_ctx *ctx = NULL;
	char err[256];
	avnm_tag tags[52];
	char keys[52][16];
	assert_int_equal(avnm_memstore_new(&store), AVNM_OK);
	assert_int_equal(avnm_ctx_open(&ctx, NULL, store, err, sizeof err), AVNM_OK);
	CHECK(ctx, AVNM_OK, avnm_tenant_create(ctx, T_A, NULL));
	CHECK(ctx, AVNM_OK, avnm_subscription_create(ctx, T_A, SUB_A1, NULL));
	for (int i = 0; i < 52; i++) {
		snprintf(keys[i], sizeof keys[i], "k%d", i);
		tags[i] = (avnm_tag){keys[i], "v"};
	}
#define VNET_A(n) SUB(SUB_A1) "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/" n
	CHECK(ctx, AVNM_OK, avnm_vnet_create(ctx, VNET_A("v50"), NULL, tags, 50));
	CHECK(ctx, AVNM_E_LIMIT, avnm_vnet_create(ctx, VNET_A("v51"), NULL, tags, 51));

	/* a tag key of 512 bytes and a value of 256 are the longest */
	char *k512 = rep('k', 512), *k513 = rep('k', 513), *v256 = rep('v', 256), *v257 = rep('v', 257);
	avnm_tag big[1] = {{k512, v256}};
	CHECK(ctx, AVNM_OK, avnm_vnet_create(ctx, VNET_A("big"), NULL, big, 1));
	big[0].key = k513;
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_vnet_create(ctx, VNET_A("big2"), NULL, big, 1));
	big[0].key = k512;
	big[0].value = v257;
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_vnet_create(ctx, VNET_A("big3"), NULL, big, 1));

	CHECK(ctx, AVNM_OK, avnm_manager_create(ctx, NULL, NM_A, C, NULL));
	CHECK(ctx, AVNM_OK, avnm_group_create(ctx, NULL, NM_A, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	CHECK(ctx, AVNM_OK, avnm_group_condition_add(ctx, NULL, NM_A, "g", tags, 50));
	CHECK(ctx, AVNM_E_LIMIT, avnm_group_condition_add(ctx, NULL, NM_A, "g", tags, 51));
	for (int i = 1; i < 100; i++)
		CHECK(ctx, AVNM_OK, avnm_group_condition_add(ctx, NULL, NM_A, "g", &tags[i % 50], 1));
	CHECK(ctx, AVNM_E_LIMIT, avnm_group_condition_add(ctx, NULL, NM_A, "g", tags, 1)); /* the 101st */
	same_after_reopen(ctx, store);
	free(k512); free(k513); free(v256); free(v257);
	avnm_ctx_free(ctx);
	avnm_memstore_free(store);
}

/* A principal's guest accounts: every one the library accepts must store and load
 * again (the loader refuses principals with more than 10,000). */
static void test_guest_accounts(void **state)
{
	(void)state;
	avnm_storage *store = NULL;
	avnm_ctx *ctx = NULL;
	char err[256], t[64];
	assert_int_equal(avnm_memstore_new(&store), AVNM_OK);
	assert_int_equal(avnm_ctx_open(&ctx, NULL, store, err, sizeof err), AVNM_OK);
	CHECK(ctx, AVNM_OK, avnm_tenant_create(ctx, T_A, NULL));
	CHECK(ctx, AVNM_OK, avnm_principal_create(ctx, "traveller", T_A));
	int rc = AVNM_OK;
	unsigned i;
	for (i = 1; i <= 10001 && rc == AVNM_OK; i++) {
		snprintf(t, sizeof t, "%08x-0000-4000-8000-00000000000c", 0xc0000000u + i);
		CHECK(ctx, AVNM_OK, avnm_tenant_create(ctx, t, NULL));
		rc = avnm_guest_add(ctx, "traveller", t);
	}
	/* either the 10,001st is refused as over a limit, or the world holding it loads */
	if (rc != AVNM_OK)
		CHECK(ctx, AVNM_E_LIMIT, rc);
	same_after_reopen(ctx, store);
	avnm_ctx_free(ctx);
	avnm_memstore_free(store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_length),
		cmocka_unit_test(test_name_lengths),
		cmocka_unit_test(test_vnet_display_every_length),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_deepest_world_stores),
		cmocka_unit_test(test_groups_per_tenant),
		cmocka_unit_test(test_scope_size),
		cmocka_unit_test(test_tags_and_conditions),
		cmocka_unit_test(test_guest_accounts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
