/* Contexts: options validation, allocation hooks, the per-context error
 * message (R7), and that a failed allocation changes nothing. */
#include "helpers.h"

/* ------------------------------------------------------------------------ */
/* A counting allocator                                                      */
/* ------------------------------------------------------------------------ */

/* Each block carries a header with a magic number, so that a block the
 * library got from malloc() but hands to our free hook (or the reverse) is
 * caught, not just counted. */
#define BLOCK_MAGIC 0x41564e4du

typedef union block_header {
	struct {
		unsigned int magic;
		size_t size;
	} h;
	max_align_t align;
} block_header;

struct counter {
	size_t allocs;   /* successful allocations */
	size_t frees;    /* frees of non-NULL pointers */
	size_t attempts; /* allocation requests, failed ones included */
	size_t fail_at;  /* fail the attempt with this number (1-based) once; 0: never */
	int failed;      /* the injected failure happened */
	int foreign;     /* a pointer not from our alloc reached our free */
};

static void *count_alloc(void *opaque, size_t size)
{
	struct counter *c = opaque;
	block_header *b;
	c->attempts++;
	if (c->fail_at != 0 && c->attempts == c->fail_at) {
		c->failed = 1;
		return NULL;
	}
	b = malloc(sizeof *b + size);
	if (!b)
		return NULL;
	b->h.magic = BLOCK_MAGIC;
	b->h.size = size;
	c->allocs++;
	return b + 1;
}

static void count_free(void *opaque, void *ptr)
{
	struct counter *c = opaque;
	block_header *b;
	if (!ptr)
		return;
	b = (block_header *)ptr - 1;
	if (b->h.magic != BLOCK_MAGIC) {
		c->foreign = 1;
		return;
	}
	b->h.magic = 0;
	c->frees++;
	free(b);
}

static int new_counted_ctx(avnm_ctx **ctx, struct counter *c, unsigned int flags)
{
	avnm_allocator a;
	avnm_options opts = AVNM_OPTIONS_INIT;
	a.alloc = count_alloc;
	a.free = count_free;
	a.opaque = c;
	opts.flags = flags;
	opts.allocator = &a;
	/* `a` dies with this frame: the library must have copied it. */
	return avnm_ctx_new(ctx, &opts);
}

/* ------------------------------------------------------------------------ */
/* Options                                                                   */
/* ------------------------------------------------------------------------ */

static void expect_bad_options(const avnm_options *opts)
{
	static int dummy;
	avnm_ctx *ctx = (avnm_ctx *)(void *)&dummy;
	assert_int_equal(avnm_ctx_new(&ctx, opts), AVNM_E_INVALID_ARGUMENT);
	/* "On error *out is NULL". */
	assert_null(ctx);
}

static void expect_good_options(const avnm_options *opts)
{
	avnm_ctx *ctx = NULL;
	assert_int_equal(avnm_ctx_new(&ctx, opts), AVNM_OK);
	assert_non_null(ctx);
	avnm_ctx_free(ctx);
}

static void test_options_defaults(void **state)
{
	avnm_options opts = AVNM_OPTIONS_INIT;
	(void)state;
	expect_good_options(NULL);
	expect_good_options(&opts);
	opts.flags = AVNM_OPT_STRICT_HIERARCHY | AVNM_OPT_CROSS_TENANT_DYNAMIC_MEMBERSHIP;
	expect_good_options(&opts);
	avnm_ctx_free(NULL);
}

static void test_options_bad_version(void **state)
{
	avnm_options opts = AVNM_OPTIONS_INIT;
	(void)state;
	opts.version = 0;
	expect_bad_options(&opts);
	/* A version from the future: the library cannot know its members. */
	opts.version = AVNM_OPTIONS_VERSION + 1;
	expect_bad_options(&opts);
	opts.version = 0xffffffffu;
	expect_bad_options(&opts);
}

static void test_options_unknown_flags(void **state)
{
	avnm_options opts = AVNM_OPTIONS_INIT;
	(void)state;
	opts.flags = 1u << 2;
	expect_bad_options(&opts);
	opts.flags = AVNM_OPT_STRICT_HIERARCHY | (1u << 31);
	expect_bad_options(&opts);
}

static void test_options_limits(void **state)
{
	avnm_options opts = AVNM_OPTIONS_INIT;
	(void)state;
	opts.max_mg_depth = 64;
	expect_good_options(&opts);
	opts.max_mg_depth = 1;
	expect_good_options(&opts);
	opts.max_mg_depth = 65;
	expect_bad_options(&opts);
	opts.max_mg_depth = 0;
	opts.max_mgs_per_tenant = 5;
	expect_good_options(&opts);
}

static void test_options_allocator_incomplete(void **state)
{
	/* Both hooks are required when the struct is given. */
	struct counter c;
	avnm_allocator a;
	avnm_options opts = AVNM_OPTIONS_INIT;
	(void)state;
	memset(&c, 0, sizeof c);
	a.alloc = count_alloc;
	a.free = NULL;
	a.opaque = &c;
	opts.allocator = &a;
	expect_bad_options(&opts);
	a.alloc = NULL;
	a.free = count_free;
	expect_bad_options(&opts);
	assert_int_equal(c.allocs, c.frees);
}

static void test_options_layout(void **state)
{
	/* Version 1 of the options struct is ABI: pin its layout. */
	size_t ptr_align = _Alignof(const avnm_allocator *);
	size_t after_ints = 4 * sizeof(unsigned int);
	size_t alloc_off = (after_ints + ptr_align - 1) / ptr_align * ptr_align;
	(void)state;
	assert_int_equal(AVNM_OPTIONS_VERSION, 1);
	assert_int_equal(offsetof(avnm_options, version), 0);
	assert_int_equal(offsetof(avnm_options, flags), sizeof(unsigned int));
	assert_int_equal(offsetof(avnm_options, max_mg_depth), 2 * sizeof(unsigned int));
	assert_int_equal(offsetof(avnm_options, max_mgs_per_tenant), 3 * sizeof(unsigned int));
	assert_int_equal(offsetof(avnm_options, allocator), alloc_off);
	assert_int_equal(sizeof(avnm_options), alloc_off + sizeof(const avnm_allocator *));
	assert_int_equal(offsetof(avnm_allocator, alloc), 0);
	assert_int_equal(sizeof(avnm_allocator), 3 * sizeof(void *));
}

/* ------------------------------------------------------------------------ */
/* Allocation hooks                                                          */
/* ------------------------------------------------------------------------ */

static void test_allocator_used_and_balanced(void **state)
{
	struct counter c;
	avnm_ctx *ctx = NULL;
	avnm_scope *s = NULL;
	avnm_list *l = NULL;
	avnm_reason *r = NULL;
	avnm_state st;
	size_t before_queries;
	(void)state;
	memset(&c, 0, sizeof c);
	assert_int_equal(new_counted_ctx(&ctx, &c, 0), AVNM_OK);
	assert_true(c.allocs > 0);

	h_world(ctx);
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	h_connect(ctx, NM_A, "c", T_B, ITEMS(SUB(SUB_B1)));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	OK(ctx, avnm_member_add(ctx, NULL, NM_A, "g", VNET_B1));

	/* Values handed out through a context come from its allocator too. */
	before_queries = c.allocs;
	OK(ctx, avnm_scope_new(&s, ctx));
	OK(ctx, avnm_scope_add(s, SUB(SUB_B2)));
	OK(ctx, avnm_group_members(&l, ctx, NM_A, "g"));
	OK(ctx, avnm_scope_connection_state(&st, &r, ctx, NM_A, "c"));
	assert_true(c.allocs > before_queries);
	avnm_scope_free(s);
	avnm_list_free(l);
	avnm_reason_free(r);

	/* A failing call must not leak either. */
	CHECK(ctx, AVNM_E_EXISTS, avnm_tenant_create(ctx, T_A, NULL));

	avnm_ctx_free(ctx);
	assert_int_equal(c.allocs, c.frees);
	assert_false(c.foreign);
}

static void test_allocator_ctx_new_fails(void **state)
{
	struct counter c;
	avnm_ctx *ctx = NULL;
	(void)state;
	memset(&c, 0, sizeof c);
	c.fail_at = 1;
	assert_int_equal(new_counted_ctx(&ctx, &c, 0), AVNM_E_NO_MEMORY);
	assert_null(ctx);
	assert_true(c.failed);
	assert_int_equal(c.allocs, c.frees);
}

/* Call, and once more if the one-shot failure hit it. Anything but OK after
 * that fails the test. */
#define RETRY(call)                                                          \
	do {                                                                 \
		int rc_ = (call);                                            \
		if (rc_ == AVNM_E_NO_MEMORY)                                 \
			rc_ = (call);                                        \
		if (rc_ != AVNM_OK)                                          \
			print_error("%s: %s (%s)\n", #call, h_ename(rc_),    \
			            ctx ? avnm_errmsg(ctx) : "");            \
		assert_int_equal(rc_, AVNM_OK);                              \
	} while (0)

/* One run of a fixed script with allocation number `fail_at` failing once.
 * Every call either succeeds or fails with no-memory having changed nothing:
 * retried, it then succeeds (R7), and the world ends the same. Returns 1 if
 * the failure was injected (there are more allocations to try). */
static int run_script_failing_at(size_t fail_at)
{
	struct counter c;
	avnm_ctx *ctx = NULL;
	avnm_scope *s = NULL;
	avnm_list *l = NULL;
	avnm_state st = AVNM_STATE_NONE;
	int allowed = -1;
	int injected;
	const avnm_tag prod[] = {h_tag("env", "prod")};

	memset(&c, 0, sizeof c);
	c.fail_at = fail_at;
	RETRY(new_counted_ctx(&ctx, &c, 0));
	RETRY(avnm_tenant_create(ctx, T_A, "A"));
	RETRY(avnm_tenant_create(ctx, T_B, "B"));
	RETRY(avnm_mg_create(ctx, T_B, "mg-prod", NULL));
	RETRY(avnm_subscription_create(ctx, T_A, SUB_A1, NULL));
	RETRY(avnm_subscription_create(ctx, T_B, SUB_B1, "mg-prod"));
	RETRY(avnm_vnet_create(ctx, VNET_B1, "westeurope", prod, 1));
	RETRY(avnm_principal_create(ctx, "alice", T_A));
	RETRY(avnm_guest_add(ctx, "alice", T_B));
	RETRY(avnm_role_assign(ctx, "alice", AVNM_ROLE_NETWORK_CONTRIBUTOR, MG("mg-prod"), T_B));
	RETRY(avnm_role_assign(ctx, "alice", AVNM_ROLE_OWNER, SUB(SUB_A1), NULL));

	RETRY(avnm_scope_new(&s, ctx));
	RETRY(avnm_scope_add(s, SUB(SUB_A1)));
	RETRY(avnm_manager_create(ctx, "alice", NM_A, ACC_C, s));
	avnm_scope_free(s);
	s = NULL;
	RETRY(avnm_scope_new(&s, ctx));
	RETRY(avnm_scope_add(s, MG("mg-prod")));
	RETRY(avnm_scope_connection_create(ctx, "alice", NM_A, "c", T_B, s));
	RETRY(avnm_hub_connection_create(ctx, "alice", T_B, "h", s, NM_A));
	avnm_scope_free(s);
	RETRY(avnm_group_create(ctx, "alice", NM_A, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	RETRY(avnm_member_add(ctx, "alice", NM_A, "g", VNET_B1));

	RETRY(avnm_scope_connection_state(&st, NULL, ctx, NM_A, "c"));
	ASSERT_STATE(st, AVNM_STATE_CONNECTED);
	RETRY(avnm_can_manage(&allowed, NULL, ctx, NM_A, VNET_B1, ACC_C, NULL));
	assert_int_equal(allowed, 1);
	RETRY(avnm_group_members(&l, ctx, NM_A, "g"));
	assert_true(h_list_is(l, ITEMS(VNET_B1), 0));
	avnm_list_free(l);

	/* Revocation under pressure: one call, all or nothing (R4.7). */
	RETRY(avnm_hub_connection_delete(ctx, "alice", T_B, "h"));
	RETRY(avnm_scope_connection_state(&st, NULL, ctx, NM_A, "c"));
	ASSERT_STATE(st, AVNM_STATE_REVOKED);
	RETRY(avnm_can_manage(&allowed, NULL, ctx, NM_A, VNET_B1, ACC_C, NULL));
	assert_int_equal(allowed, 0);
	RETRY(avnm_manager_delete(ctx, "alice", NM_A, AVNM_DELETE_FORCE));

	avnm_ctx_free(ctx);
	injected = c.failed;
	if (c.allocs != c.frees || c.foreign)
		print_error("fail_at %zu: %zu allocations, %zu frees%s\n", fail_at, c.allocs,
		            c.frees, c.foreign ? ", foreign free" : "");
	assert_int_equal(c.allocs, c.frees);
	assert_false(c.foreign);
	return injected;
}

static void test_allocation_failures_change_nothing(void **state)
{
	size_t n;
	(void)state;
	/* Fail each allocation in turn until a run completes without reaching the
	 * injected failure. The bound only stops a runaway loop. */
	for (n = 1; n < 20000; n++)
		if (!run_script_failing_at(n))
			break;
	assert_true(n > 1);
	assert_true(n < 20000);
}

/* ------------------------------------------------------------------------ */
/* Error messages                                                            */
/* ------------------------------------------------------------------------ */

static void test_errmsg_fresh(void **state)
{
	avnm_ctx *ctx = h_ctx();
	char buf[8];
	(void)state;
	assert_string_equal(avnm_errmsg(ctx), "");
	assert_int_equal(avnm_errcode(ctx), AVNM_OK);
	memset(buf, 'x', sizeof buf);
	assert_int_equal(avnm_errmsg_copy(ctx, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	avnm_ctx_free(ctx);
}

static void test_errmsg_after_failure(void **state)
{
	avnm_ctx *ctx = h_ctx();
	char small[8], big[512], untouched[4];
	size_t len;
	(void)state;
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_tenant_create(ctx, "not-a-guid", NULL));
	/* The message says what: it quotes the offending input (R7). */
	MSG_HAS(ctx, "not-a-guid");
	assert_int_equal(avnm_errcode(ctx), AVNM_E_INVALID_ARGUMENT);

	len = strlen(avnm_errmsg(ctx));
	assert_true(len > sizeof small);
	/* Truncated, NUL-terminated, full length returned. */
	memset(small, 'x', sizeof small);
	assert_int_equal(avnm_errmsg_copy(ctx, small, sizeof small), len);
	assert_int_equal(small[sizeof small - 1], '\0');
	assert_int_equal(strncmp(small, avnm_errmsg(ctx), sizeof small - 1), 0);
	/* Large enough: the whole message. */
	assert_int_equal(avnm_errmsg_copy(ctx, big, sizeof big), len);
	assert_string_equal(big, avnm_errmsg(ctx));
	/* Size 0 writes nothing. */
	memset(untouched, 'x', sizeof untouched);
	assert_int_equal(avnm_errmsg_copy(ctx, untouched, 0), len);
	assert_int_equal(untouched[0], 'x');

	/* A later failure replaces the message and the code. */
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_mg_create(ctx, T_A, "mg-x", NULL));
	assert_int_equal(avnm_errcode(ctx), AVNM_E_NOT_FOUND);
	MSG_HAS(ctx, T_A);
	avnm_ctx_free(ctx);
}

static void test_errmsg_from_pure_call(void **state)
{
	/* avnm_id_canonical reports into a context when one is given. */
	avnm_ctx *ctx = h_ctx();
	char buf[2050], tiny[8];
	(void)state;
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT,
	      avnm_id_canonical(buf, sizeof buf, ctx, "/subscriptions/" SUB_A1 "/"));
	OK(ctx, avnm_id_canonical(buf, sizeof buf, ctx, "subscriptions/A0000000-0000-0000-0000-000000000001"));
	assert_string_equal(buf, "/subscriptions/" SUB_A1);
	CHECK(ctx, AVNM_E_LIMIT, avnm_id_canonical(tiny, sizeof tiny, ctx, SUB(SUB_A1)));
	/* Without a context the code alone. */
	assert_int_equal(avnm_id_canonical(buf, sizeof buf, NULL, "//x"), AVNM_E_INVALID_ARGUMENT);
	avnm_ctx_free(ctx);
}

static void count_event(void *opaque, const avnm_event *ev)
{
	(void)ev;
	(*(int *)opaque)++;
}

static void test_event_callback_set_and_clear(void **state)
{
	avnm_ctx *ctx = h_ctx();
	int n = 0;
	(void)state;
	h_world(ctx);
	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	OK(ctx, avnm_ctx_set_event_callback(ctx, count_event, &n));
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "c", T_B, ITEMS(SUB(SUB_B1))));
	assert_true(n > 0);
	/* Cleared: no more calls. */
	OK(ctx, avnm_ctx_set_event_callback(ctx, NULL, NULL));
	n = 0;
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "h", ITEMS(SUB(SUB_B1)), NM_A));
	assert_int_equal(n, 0);
	ASSERT_STATE(h_sc_state(ctx, NM_A, "c"), AVNM_STATE_CONNECTED);
	avnm_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_defaults),
		cmocka_unit_test(test_options_bad_version),
		cmocka_unit_test(test_options_unknown_flags),
		cmocka_unit_test(test_options_limits),
		cmocka_unit_test(test_options_allocator_incomplete),
		cmocka_unit_test(test_options_layout),
		cmocka_unit_test(test_allocator_used_and_balanced),
		cmocka_unit_test(test_allocator_ctx_new_fails),
		cmocka_unit_test(test_allocation_failures_change_nothing),
		cmocka_unit_test(test_errmsg_fresh),
		cmocka_unit_test(test_errmsg_after_failure),
		cmocka_unit_test(test_errmsg_from_pure_call),
		cmocka_unit_test(test_event_callback_set_and_clear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
