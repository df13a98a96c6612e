/* Change events: the exact sequence a connection, a revocation and a few other
 * changes emit; a failed call emits nothing; a callback may call back into
 * the library (events come after the lock is released). */
#include "helpers.h"

#define MAX_EVENTS 64

/* A copy of one event: the strings live only during the callback. */
struct rec {
	avnm_event_kind kind;
	char manager[256], connection[80], tenant[40], item[256], group[80], resource[512];
	avnm_state old_state, new_state;
};

struct recorder {
	avnm_ctx *ctx; /* for calls back into the library */
	size_t n;
	struct rec ev[MAX_EVENTS];
	int reentered; /* a query from inside the callback succeeded */
};

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static void record(void *opaque, const avnm_event *e)
{
	struct recorder *r = opaque;
	struct rec *x;
	avnm_state st;
	assert_true(r->n < MAX_EVENTS);
	x = &r->ev[r->n++];
	x->kind = e->kind;
	copy(x->manager, sizeof x->manager, e->manager);
	copy(x->connection, sizeof x->connection, e->connection);
	copy(x->tenant, sizeof x->tenant, e->tenant);
	copy(x->item, sizeof x->item, e->item);
	copy(x->group, sizeof x->group, e->group);
	copy(x->resource, sizeof x->resource, e->resource);
	x->old_state = e->old_state;
	x->new_state = e->new_state;
	/* Calling back must not deadlock: the lock is released before delivery. */
	if (e->kind == AVNM_EVENT_SCOPE_CONNECTION_STATE && e->new_state != AVNM_STATE_NONE &&
	    avnm_scope_connection_state(&st, NULL, r->ctx, e->manager, e->connection) == AVNM_OK &&
	    st == e->new_state)
		r->reentered++;
}

/* The expectation of one event; NULL strings are not compared. */
struct want {
	avnm_event_kind kind;
	const char *manager, *connection, *tenant, *item, *group, *resource;
	avnm_state old_state, new_state;
};

static const char *kind_name(avnm_event_kind k)
{
	switch (k) {
	case AVNM_EVENT_SCOPE_CONNECTION_STATE: return "scope-connection-state";
	case AVNM_EVENT_HUB_CONNECTION_STATE: return "hub-connection-state";
	case AVNM_EVENT_SCOPE_ENTERED: return "scope-entered";
	case AVNM_EVENT_SCOPE_LEFT: return "scope-left";
	case AVNM_EVENT_MEMBER_EFFECTIVE: return "member-effective";
	case AVNM_EVENT_MEMBER_INEFFECTIVE: return "member-ineffective";
	}
	return "?";
}

static void print_recorded(const struct recorder *r)
{
	size_t i;
	print_error("recorded %zu events:\n", r->n);
	for (i = 0; i < r->n; i++) {
		const struct rec *x = &r->ev[i];
		print_error("  %s m=%s c=%s t=%s item=%s g=%s res=%s %s->%s\n", kind_name(x->kind),
		            x->manager, x->connection, x->tenant, x->item, x->group, x->resource,
		            h_sname(x->old_state), h_sname(x->new_state));
	}
}

static int matches(const struct rec *x, const struct want *w)
{
	return x->kind == w->kind && (!w->manager || h_ieq(x->manager, w->manager)) &&
	       (!w->connection || h_ieq(x->connection, w->connection)) &&
	       (!w->tenant || h_ieq(x->tenant, w->tenant)) && (!w->item || h_ieq(x->item, w->item)) &&
	       (!w->group || h_ieq(x->group, w->group)) &&
	       (!w->resource || h_ieq(x->resource, w->resource)) && x->old_state == w->old_state &&
	       x->new_state == w->new_state;
}

/* Exactly these events, in this order (ordered) or in any order. Clears the
 * recorder for the next step. A failure is reported at the caller's line. */
#define EXPECT_EVENTS(r, w, ordered) \
	expect_events((r), (w), sizeof(w) / sizeof((w)[0]), (ordered), __FILE__, __LINE__)
static void expect_events(struct recorder *r, const struct want *w, size_t n, int ordered,
                          const char *file, int line)
{
	int ok = r->n == n;
	size_t i, j;
	unsigned char used[MAX_EVENTS] = {0};
	for (i = 0; ok && i < n; i++) {
		if (ordered) {
			ok = matches(&r->ev[i], &w[i]);
			continue;
		}
		for (j = 0; j < r->n; j++)
			if (!used[j] && matches(&r->ev[j], &w[i]))
				break;
		ok = j < r->n;
		if (ok)
			used[j] = 1;
	}
	if (!ok) {
		print_recorded(r);
		print_error("expected %zu events%s:\n", n, ordered ? " in this order" : "");
		for (i = 0; i < n; i++)
			print_error("  %s m=%s c=%s t=%s item=%s %s->%s\n", kind_name(w[i].kind),
			            w[i].manager ? w[i].manager : "*", w[i].connection ? w[i].connection : "*",
			            w[i].tenant ? w[i].tenant : "*", w[i].item ? w[i].item : "*",
			            h_sname(w[i].old_state), h_sname(w[i].new_state));
	}
	if (!ok)
		_fail(file, line);
	r->n = 0;
}

static struct want sc_state(const char *conn, avnm_state from, avnm_state to)
{
	struct want w = {AVNM_EVENT_SCOPE_CONNECTION_STATE, NM_A, NULL, T_B, NULL, NULL, NULL, 0, 0};
	w.connection = conn;
	w.old_state = from;
	w.new_state = to;
	return w;
}

static struct want hc_state(const char *conn, avnm_state from, avnm_state to)
{
	struct want w = {AVNM_EVENT_HUB_CONNECTION_STATE, NM_A, NULL, T_B, NULL, NULL, NULL, 0, 0};
	w.connection = conn;
	w.old_state = from;
	w.new_state = to;
	return w;
}

static struct want scope_ev(avnm_event_kind kind, const char *item)
{
	struct want w = {kind, NM_A, NULL, T_B, NULL, NULL, NULL, AVNM_STATE_NONE, AVNM_STATE_NONE};
	w.item = item;
	return w;
}

static struct want member_ev(avnm_event_kind kind, const char *group, const char *resource)
{
	struct want w = {kind, NM_A, NULL, NULL, NULL, NULL, NULL, AVNM_STATE_NONE, AVNM_STATE_NONE};
	w.group = group;
	w.resource = resource;
	return w;
}

/* World, nm-a with a group holding VNET_B1 (not yet effective), recorder on. */
static int setup(void **state)
{
	struct recorder *r = calloc(1, sizeof *r);
	assert_non_null(r);
	r->ctx = h_ctx();
	h_world(r->ctx);
	OK(r->ctx, h_manager(r->ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_A1))));
	OK(r->ctx, avnm_group_create(r->ctx, NULL, NM_A, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	OK(r->ctx, avnm_member_add(r->ctx, NULL, NM_A, "g", VNET_B1));
	OK(r->ctx, avnm_ctx_set_event_callback(r->ctx, record, r));
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct recorder *r = *state;
	avnm_ctx_free(r->ctx);
	free(r);
	return 0;
}

/* Both sides of nm-a's pair "c"/"h" on SUB_B1, events cleared afterwards. */
static void connect_pair(struct recorder *r)
{
	OK(r->ctx, h_scope_conn(r->ctx, NULL, NM_A, "c", T_B, ITEMS(SUB(SUB_B1))));
	OK(r->ctx, h_hub_conn(r->ctx, NULL, T_B, "h", ITEMS(SUB(SUB_B1)), NM_A));
	ASSERT_STATE(h_sc_state(r->ctx, NM_A, "c"), AVNM_STATE_CONNECTED);
	r->n = 0;
}

static void test_connect(void **state)
{
	struct recorder *r = *state;
	avnm_ctx *ctx = r->ctx;

	/* The manager side: a new resource, Pending. Nothing enters the scope. */
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "c", T_B, ITEMS(SUB(SUB_B1))));
	{
		const struct want w[] = {sc_state("c", AVNM_STATE_NONE, AVNM_STATE_PENDING)};
		EXPECT_EVENTS(r, w, 1);
	}
	/* The hub side: both connections change state, then the item enters the
	 * effective scope, then the member it covers becomes effective. */
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "h", ITEMS(SUB(SUB_B1)), NM_A));
	{
		const struct want w[] = {
			sc_state("c", AVNM_STATE_PENDING, AVNM_STATE_CONNECTED),
			hc_state("h", AVNM_STATE_NONE, AVNM_STATE_CONNECTED),
			scope_ev(AVNM_EVENT_SCOPE_ENTERED, SUB(SUB_B1)),
			member_ev(AVNM_EVENT_MEMBER_EFFECTIVE, "g", VNET_B1),
		};
		EXPECT_EVENTS(r, w, 1);
	}
	/* The callback could query the library while being called. */
	assert_true(r->reentered > 0);

	/* Revoked, then reconnected by a new hub side: the same sequence. */
	OK(ctx, avnm_hub_connection_delete(ctx, NULL, T_B, "h"));
	r->n = 0;
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "h2", ITEMS(SUB(SUB_B1)), NM_A));
	{
		const struct want w[] = {
			sc_state("c", AVNM_STATE_REVOKED, AVNM_STATE_CONNECTED),
			hc_state("h2", AVNM_STATE_NONE, AVNM_STATE_CONNECTED),
			scope_ev(AVNM_EVENT_SCOPE_ENTERED, SUB(SUB_B1)),
			member_ev(AVNM_EVENT_MEMBER_EFFECTIVE, "g", VNET_B1),
		};
		EXPECT_EVENTS(r, w, 1);
	}
}

static void test_revoke_by_hub_side(void **state)
{
	struct recorder *r = *state;
	connect_pair(r);
	/* First the deletion itself, then the reaction (Revoked), then the item
	 * leaves the scope and the member stops counting. */
	OK(r->ctx, avnm_hub_connection_delete(r->ctx, NULL, T_B, "h"));
	{
		const struct want w[] = {
			hc_state("h", AVNM_STATE_CONNECTED, AVNM_STATE_NONE),
			sc_state("c", AVNM_STATE_CONNECTED, AVNM_STATE_REVOKED),
			scope_ev(AVNM_EVENT_SCOPE_LEFT, SUB(SUB_B1)),
			member_ev(AVNM_EVENT_MEMBER_INEFFECTIVE, "g", VNET_B1),
		};
		EXPECT_EVENTS(r, w, 1);
	}
}

static void test_revoke_by_manager_side(void **state)
{
	struct recorder *r = *state;
	connect_pair(r);
	/* The same changes; their order is not pinned here. */
	OK(r->ctx, avnm_scope_connection_delete(r->ctx, NULL, NM_A, "c"));
	{
		const struct want w[] = {
			sc_state("c", AVNM_STATE_CONNECTED, AVNM_STATE_NONE),
			hc_state("h", AVNM_STATE_CONNECTED, AVNM_STATE_REVOKED),
			scope_ev(AVNM_EVENT_SCOPE_LEFT, SUB(SUB_B1)),
			member_ev(AVNM_EVENT_MEMBER_INEFFECTIVE, "g", VNET_B1),
		};
		EXPECT_EVENTS(r, w, 0);
	}
}

static void test_failed_calls_emit_nothing(void **state)
{
	struct recorder *r = *state;
	avnm_ctx *ctx = r->ctx;
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "c", T_B, ITEMS(SUB(SUB_B1))));
	r->n = 0;
	/* Each of these would have changed states had it succeeded. */
	CHECK(ctx, AVNM_E_EXISTS, h_scope_conn(ctx, NULL, NM_A, "c", T_B, ITEMS(SUB(SUB_B2))));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT,
	      h_hub_conn(ctx, NULL, T_B, "h", ITEMS(SUB(SUB_B1), SUB(SUB_C1)), NM_A));
	CHECK(ctx, AVNM_E_FORBIDDEN, h_hub_conn(ctx, "ghost", T_B, "h", ITEMS(SUB(SUB_B1)), NM_A));
	CHECK(ctx, AVNM_E_BUSY, avnm_manager_delete(ctx, NULL, NM_A, 0));
	CHECK(ctx, AVNM_E_CONFLICT, h_manager(ctx, NULL, NM_A2, ACC_C, ITEMS(SUB(SUB_A1))));
	assert_int_equal(r->n, 0);
	/* Queries emit nothing either. */
	ASSERT_STATE(h_sc_state(ctx, NM_A, "c"), AVNM_STATE_PENDING);
	assert_int_equal(h_can(ctx, NM_A, VNET_B1, ACC_C, NULL), 0);
	assert_int_equal(r->n, 0);
}

static void test_local_scope_and_rejection(void **state)
{
	struct recorder *r = *state;
	avnm_ctx *ctx = r->ctx;
	/* A member of the home tenant becomes effective with the local scope. */
	OK(ctx, avnm_member_add(ctx, NULL, NM_A, "g", VNET_A3));
	assert_int_equal(r->n, 0);
	OK(ctx, h_manager_update(ctx, NULL, NM_A, AVNM_UPDATE_SCOPE, 0, ITEMS(SUB(SUB_A1), SUB(SUB_A3))));
	{
		struct want w[] = {
			scope_ev(AVNM_EVENT_SCOPE_ENTERED, SUB(SUB_A3)),
			member_ev(AVNM_EVENT_MEMBER_EFFECTIVE, "g", VNET_A3),
		};
		w[0].tenant = T_A;
		EXPECT_EVENTS(r, w, 1);
	}
	/* A rejection is one state change, nothing else. */
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "c", T_B, ITEMS(SUB(SUB_B1))));
	r->n = 0;
	OK(ctx, avnm_scope_connection_reject(ctx, NULL, T_B, NM_A, "c"));
	{
		const struct want w[] = {sc_state("c", AVNM_STATE_PENDING, AVNM_STATE_REJECTED)};
		EXPECT_EVENTS(r, w, 1);
	}
	/* Cleared: nothing recorded any more. */
	OK(ctx, avnm_ctx_set_event_callback(ctx, NULL, NULL));
	OK(ctx, avnm_scope_connection_delete(ctx, NULL, NM_A, "c"));
	assert_int_equal(r->n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_connect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoke_by_hub_side, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoke_by_manager_side, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_calls_emit_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_scope_and_rejection, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
