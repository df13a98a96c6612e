/* Many questions in one call (avnm_can_manage_many, avnm_managers_of_many): the
 * answers and codes must be, question by question, those of avnm_can_manage and
 * avnm_managers_of asked one at a time (R3.2, R3.4, R4.3), whatever the mix: ids of
 * every kind and letter case, unknown subscriptions and managers, groups resolved in
 * a tenant, questions that fail among questions that do not; across changes, with the
 * question cache cold, warm and shared by subscriptions; and in batches long enough
 * that the questions ahead are walked while one is answered (lib/queries.c). */
#include "helpers.h"

#define NM_B NM(SUB_A1, "nm-b")
#define NM_GHOST NM(SUB_A1, "nm-ghost")
#define NSUBS 300

static const char *const managers_asked[] = { NM_A, NM_B, NM_SEC, NM_GHOST };
static const unsigned accesses_asked[] = { ACC_C, ACC_SA, ACC_SU, ACC_R };

/* The GUID of subscription i of the many-subscription world. */
static void sub_guid(char out[37], unsigned i)
{
	snprintf(out, 37, "f%07x-0000-4000-8000-%012x", i, i * 2654435761u);
}

/* The questions: an array of resource ids (owned), with tenants (NULL or an id). */
struct qs {
	size_t n;
	char **res;
	const char **tenants;
};

static void qs_add(struct qs *q, const char *res, const char *tenant)
{
	q->res = realloc(q->res, (q->n + 1) * sizeof *q->res);
	q->tenants = realloc(q->tenants, (q->n + 1) * sizeof *q->tenants);
	assert_non_null(q->res);
	assert_non_null(q->tenants);
	q->res[q->n] = res ? strdup(res) : NULL;
	q->tenants[q->n] = tenant;
	q->n++;
}

static void qs_free(struct qs *q)
{
	for (size_t i = 0; i < q->n; i++) free(q->res[i]);
	free(q->res);
	free(q->tenants);
	memset(q, 0, sizeof *q);
}

/* Ids of every kind the questions take, some twice in another letter case, some that
 * fail (a malformed id, NULL, an ambiguous or unknown group), and networks in the
 * NSUBS subscriptions of the many-subscription world in a scattered order. */
static void resources(struct qs *q)
{
	static const char *const plain[] = {
		VNET_A1, VNET_A3, VNET_B1, VNET_B2, VNET_B3, VNET_C1,
		SUBNET(SUB_B1, "vnet-b1", "s1"), SUB(SUB_B1), SUB(SUB_B3), RG(SUB_B2, "rg-x"),
		VNET(SUB_X, "vnet-x"), SUB(SUB_X),
		"/SUBSCRIPTIONS/B0000000-0000-0000-0000-000000000001/RESOURCEGROUPS/RG-NET/PROVIDERS/"
		"MICROSOFT.NETWORK/VIRTUALNETWORKS/VNET-B1",
		"/subscriptions/not-a-guid/resourceGroups/rg-net", "", MG("mg-prod"), MG("nowhere"),
	};
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) qs_add(q, plain[i], NULL);
	qs_add(q, NULL, NULL);
	qs_add(q, MG("mg-prod"), T_B);
	qs_add(q, MG("mg-a"), T_A);
	qs_add(q, MG("mg-a"), T_B); /* not in that tenant */
	qs_add(q, VNET_B1, T_B);
	qs_add(q, VNET_B1, "not-a-tenant");
	char g[37], id[200];
	for (unsigned k = 0; k < NSUBS; k++) {
		unsigned i = (k * 7919u) % NSUBS;
		sub_guid(g, i);
		snprintf(id, sizeof id, "/subscriptions/%s/resourceGroups/rg-q/providers/"
		                        "Microsoft.Network/virtualNetworks/vnet-%u", g, i);
		qs_add(q, id, NULL);
	}
}

/* The world: the standard one, nm-a holding mg-prod of T_B and SUB_C1 through
 * connections, nm-b holding T_A's mg-a locally, nm-sec (SecurityAdmin) holding mg-dev
 * of T_B; and NSUBS subscriptions in T_A, under mg-a (held by nm-b) for i % 3 != 0,
 * else under mg-q (held by nobody). */
static void many_world(avnm_ctx *ctx)
{
	h_world(ctx);
	OK(ctx, avnm_mg_create(ctx, T_A, "mg-q", NULL));
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C | ACC_R, NO_ITEMS));
	OK(ctx, h_manager(ctx, NULL, NM_B, ACC_C, ITEMS(MG("mg-a"))));
	OK(ctx, h_manager(ctx, NULL, NM_SEC, ACC_SA, NO_ITEMS));
	h_connect(ctx, NM_A, "to-b", T_B, ITEMS(MG("mg-prod")));
	h_connect(ctx, NM_A, "to-c", T_C, ITEMS(SUB(SUB_C1)));
	h_connect(ctx, NM_SEC, "sec-b", T_B, ITEMS(MG("mg-dev")));
	char g[37];
	for (unsigned i = 0; i < NSUBS; i++) {
		sub_guid(g, i);
		OK(ctx, avnm_subscription_create(ctx, T_A, g, i % 3 ? "mg-a" : "mg-q"));
	}
}

static int setup(void **state)
{
	avnm_ctx *ctx = h_ctx();
	many_world(ctx);
	*state = ctx;
	return 0;
}

/* Every (manager, resource, access) of the lists, in one call, against one call
 * each. Returns how many questions failed (the same in both). */
static size_t check_can(avnm_ctx *ctx, const struct qs *q)
{
	size_t nm = sizeof managers_asked / sizeof managers_asked[0];
	size_t na = sizeof accesses_asked / sizeof accesses_asked[0];
	size_t n = q->n * nm * na, failures = 0;
	const char **mgr = calloc(n, sizeof *mgr), **res = calloc(n, sizeof *res),
	           **ten = calloc(n, sizeof *ten);
	unsigned *acc = calloc(n, sizeof *acc);
	int *allowed = calloc(n, sizeof *allowed), *status = calloc(n, sizeof *status);
	assert_true(mgr && res && ten && acc && allowed && status);
	/* questions about one resource are spread over the batch */
	for (size_t i = 0; i < n; i++) {
		mgr[i] = managers_asked[i % nm];
		acc[i] = accesses_asked[(i / nm) % na];
		res[i] = q->res[(i / (nm * na) + i * 31) % q->n];
		ten[i] = q->tenants[(i / (nm * na) + i * 31) % q->n];
		allowed[i] = -1;
	}
	int first = AVNM_OK;
	size_t first_at = 0;
	int rc = avnm_can_manage_many(allowed, status, ctx, n, mgr, res, acc, ten);
	char msg[1024];
	avnm_errmsg_copy(ctx, msg, sizeof msg);
	for (size_t i = 0; i < n; i++) {
		int one = -1;
		int code = avnm_can_manage(&one, NULL, ctx, mgr[i], res[i], acc[i], ten[i]);
		if (status[i] != code || allowed[i] != one)
			print_error("question %zu: %s %s 0x%x in %s: many gave %s/%d, one %s/%d\n", i,
			            mgr[i], res[i] ? res[i] : "(null)", acc[i], ten[i] ? ten[i] : "-",
			            h_ename(status[i]), allowed[i], h_ename(code), one);
		assert_int_equal(status[i], code);
		assert_int_equal(allowed[i], one);
		if (code != AVNM_OK) {
			assert_int_equal(allowed[i], 0);
			if (first == AVNM_OK) {
				first = code;
				first_at = i;
			}
			failures++;
		}
	}
	assert_int_equal(rc, first);
	if (first != AVNM_OK) {
		char want[32];
		snprintf(want, sizeof want, "question %zu: ", first_at);
		assert_true(strncmp(msg, want, strlen(want)) == 0);
	}
	free(mgr);
	free(res);
	free(ten);
	free(acc);
	free(allowed);
	free(status);
	return failures;
}

/* The same for managers_of: every (resource, access), the lists equal in order. */
static size_t check_managers(avnm_ctx *ctx, const struct qs *q)
{
	size_t na = sizeof accesses_asked / sizeof accesses_asked[0];
	size_t n = q->n * na, failures = 0;
	const char **res = calloc(n, sizeof *res), **ten = calloc(n, sizeof *ten);
	unsigned *acc = calloc(n, sizeof *acc);
	int *status = calloc(n, sizeof *status);
	avnm_list **out = calloc(n, sizeof *out);
	assert_true(res && ten && acc && status && out);
	for (size_t i = 0; i < n; i++) {
		acc[i] = accesses_asked[i % na];
		res[i] = q->res[(i * 13) % q->n];
		ten[i] = q->tenants[(i * 13) % q->n];
	}
	int rc = avnm_managers_of_many(out, status, ctx, n, res, acc, ten);
	int first = AVNM_OK;
	for (size_t i = 0; i < n; i++) {
		avnm_list *one = NULL;
		int code = avnm_managers_of(&one, ctx, res[i], acc[i], ten[i]);
		assert_int_equal(status[i], code);
		if (code != AVNM_OK) {
			assert_null(out[i]);
			assert_null(one);
			if (first == AVNM_OK) first = code;
			failures++;
			continue;
		}
		assert_non_null(out[i]);
		assert_int_equal(avnm_list_count(out[i]), avnm_list_count(one));
		for (size_t k = 0; k < avnm_list_count(one); k++)
			assert_string_equal(avnm_list_get(out[i], k), avnm_list_get(one, k));
		avnm_list_free(one);
		avnm_list_free(out[i]);
	}
	assert_int_equal(rc, first);
	free(res);
	free(ten);
	free(acc);
	free(status);
	free(out);
	return failures;
}

/* The same answers as one at a time, before and after changes that turn answers:
 * a revocation (R4.4), a move between groups (R2.4), a change of scope (R3.2). */
static void test_same_answers(void **state)
{
	avnm_ctx *ctx = *state;
	struct qs q = { 0 };
	resources(&q);
	/* some fail, most do not: both kinds are in the batch */
	size_t f = check_can(ctx, &q);
	assert_true(f > 0 && f < q.n * 16 / 2);
	assert_true(check_managers(ctx, &q) > 0);
	/* and again, the question cache now warm */
	check_can(ctx, &q);

	OK(ctx, avnm_hub_connection_delete(ctx, NULL, T_B, "to-b"));
	check_can(ctx, &q);
	check_managers(ctx, &q);
	char g[37];
	for (unsigned i = 0; i < NSUBS; i += 5) {
		sub_guid(g, i);
		OK(ctx, avnm_subscription_move(ctx, g, i % 3 ? "mg-q" : "mg-a"));
	}
	check_can(ctx, &q);
	OK(ctx, h_manager_update(ctx, NULL, NM_B, AVNM_UPDATE_SCOPE, 0, ITEMS(MG("mg-q"))));
	check_can(ctx, &q);
	check_managers(ctx, &q);
	qs_free(&q);
}

/* A question that is answered by the batch: the exact answers, not only agreement. */
static void test_known_answers(void **state)
{
	avnm_ctx *ctx = *state;
	const char *mgr[] = { NM_A, NM_A, NM_B, NM_A, NM_SEC, NM_A };
	const char *res[] = { VNET_B1, VNET_B3, VNET_A1, VNET_C1, VNET_B3, VNET_A1 };
	const unsigned acc[] = { ACC_C, ACC_C, ACC_C, ACC_R, ACC_SA, ACC_C };
	const int want[] = { 1, 0, 1, 1, 1, 0 };
	int allowed[6];
	OK(ctx, avnm_can_manage_many(allowed, NULL, ctx, 6, mgr, res, acc, NULL));
	for (int i = 0; i < 6; i++) assert_int_equal(allowed[i], want[i]);

	avnm_list *out[3];
	const char *mres[] = { VNET_B1, VNET_B3, VNET_A3 };
	const unsigned macc[] = { ACC_C, ACC_SA, ACC_C };
	OK(ctx, avnm_managers_of_many(out, NULL, ctx, 3, mres, macc, NULL));
	assert_true(h_list_is(out[0], ITEMS(NM_A), 1));
	assert_true(h_list_is(out[1], ITEMS(NM_SEC), 1));
	assert_true(h_list_is(out[2], NO_ITEMS, 1));
	for (int i = 0; i < 3; i++) avnm_list_free(out[i]);
}

/* Failures: of the call (no context, an array missing) and of one question among
 * others, which are answered all the same. */
static void test_failures(void **state)
{
	avnm_ctx *ctx = *state;
	const char *mgr[] = { NM_A, NM_GHOST, NM_A, NM_A };
	const char *res[] = { VNET_B1, VNET_B1, "/bad", VNET_B1 };
	const unsigned acc[] = { ACC_C, ACC_C, ACC_C, ACC_C | ACC_R };
	int allowed[4] = { -1, -1, -1, -1 }, status[4];
	avnm_list *out[4];

	assert_int_equal(avnm_can_manage_many(allowed, status, NULL, 4, mgr, res, acc, NULL),
	                 AVNM_E_INVALID_ARGUMENT);
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_can_manage_many(NULL, status, ctx, 4, mgr, res, acc, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_can_manage_many(allowed, status, ctx, 4, NULL, res, acc, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_can_manage_many(allowed, status, ctx, 4, mgr, NULL, acc, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_can_manage_many(allowed, status, ctx, 4, mgr, res, NULL, NULL));
	assert_int_equal(avnm_managers_of_many(out, status, NULL, 4, res, acc, NULL),
	                 AVNM_E_INVALID_ARGUMENT);
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_managers_of_many(NULL, status, ctx, 4, res, acc, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_managers_of_many(out, status, ctx, 4, NULL, acc, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_managers_of_many(out, status, ctx, 4, res, NULL, NULL));
	/* a count no array can have */
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT,
	      avnm_can_manage_many(allowed, status, ctx, SIZE_MAX, mgr, res, acc, NULL));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_managers_of_many(out, status, ctx, SIZE_MAX, res, acc, NULL));
	/* no questions: nothing is needed, nothing is written */
	OK(ctx, avnm_can_manage_many(NULL, NULL, ctx, 0, NULL, NULL, NULL, NULL));
	OK(ctx, avnm_managers_of_many(NULL, NULL, ctx, 0, NULL, NULL, NULL));

	/* the first failure is the call's code and message; the rest are answered */
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_can_manage_many(allowed, status, ctx, 4, mgr, res, acc, NULL));
	assert_true(strncmp(avnm_errmsg(ctx), "question 1: ", 12) == 0);
	assert_non_null(strstr(avnm_errmsg(ctx), "nm-ghost"));
	assert_int_equal(status[0], AVNM_OK);
	assert_int_equal(allowed[0], 1);
	assert_int_equal(status[1], AVNM_E_NOT_FOUND);
	assert_int_equal(allowed[1], 0);
	assert_int_equal(status[2], AVNM_E_INVALID_ARGUMENT);
	assert_int_equal(allowed[2], 0);
	assert_int_equal(status[3], AVNM_E_INVALID_ARGUMENT); /* two access bits */
	assert_int_equal(allowed[3], 0);
	/* without status the answers and the code are the same */
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_can_manage_many(allowed, NULL, ctx, 4, mgr, res, acc, NULL));
	assert_int_equal(allowed[0], 1);

	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_managers_of_many(out, status, ctx, 4, res, acc, NULL));
	assert_true(strncmp(avnm_errmsg(ctx), "question 2: ", 12) == 0);
	assert_int_equal(status[0], AVNM_OK);
	assert_true(h_list_is(out[0], ITEMS(NM_A), 1));
	assert_int_equal(status[1], AVNM_OK);
	assert_null(out[2]);
	assert_int_equal(status[3], AVNM_E_INVALID_ARGUMENT);
	assert_null(out[3]);
	avnm_list_free(out[0]);
	avnm_list_free(out[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_answers, setup, h_teardown_ctx),
		cmocka_unit_test_setup_teardown(test_known_answers, setup, h_teardown_ctx),
		cmocka_unit_test_setup_teardown(test_failures, setup, h_teardown_ctx),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
