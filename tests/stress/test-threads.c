/* Concurrency: writers and readers on one context (avnm.h: "a context may be used
 * from several threads at once").
 *
 * Each writer owns a world of its own inside the shared context: a home tenant with
 * three managers, a target tenant with management groups, subscriptions and virtual
 * networks, and a principal. It applies a deterministic stream of operations
 * (connections made, matched, conflicting, rejected, revoked and re-evaluated;
 * managers updated, deleted and made again; groups, members, conditions; groups and
 * subscriptions moved), so that the world each writer ends with is independent of
 * how the threads interleave. Meanwhile readers hammer queries and check what must
 * hold at every instant:
 *  - a connection's state is one of the five (or it does not exist);
 *  - a snapshot (avnm_ctx_dump under the read lock) passes the dump invariants
 *    (tests/fuzz/dumpcheck.h): R3.3, matched pairs share their state, Connected
 *    only with its counterpart or by implied consent: a dump taken half-way
 *    through a change would break them;
 *  - avnm_can_manage (one question, or two in one call of avnm_can_manage_many)
 *    allows a writer's manager into its target tenant only after
 *    the writer started making a hub connection (consent);
 *  - avnm_managers_of and crossTenantScopes name only the writer's own managers
 *    and target tenant;
 *  - handles read a valid state or turn stale, never anything else.
 * Events: each arrives on the thread of the writer whose change caused it, and
 * concerns that writer's world only.
 * At the end the world is compared with a serial replay of the same streams on a
 * fresh context: dumps, each call's result and each writer's events must be
 * identical; and the world reloaded from the memory store it ran on is the same.
 *
 * AVNM_STRESS_OPS (default 2000) sets the operations per writer; run-tsan.sh runs
 * this under ThreadSanitizer. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "avnm.h"
#include "dumpcheck.h"

#define WRITERS 4
#define READERS 4
#define NMGRS 3
#define NCONN 4
#define MAX_EVENTS 20000

/* ---- each writer's names ---------------------------------------------------- */

struct names {
	char home[40], target[40], hsub[40], tsub[2][40];
	char mgr[NMGRS][200], vnet[2][220], principal[32];
	char mg_item[3][120], sub_item[2][80];
};

static struct names nm[WRITERS];

static void make_names(void)
{
	for (int w = 0; w < WRITERS; w++) {
		struct names *n = &nm[w];
		snprintf(n->home, sizeof n->home, "a000000%d-0000-4000-8000-000000000001", w);
		snprintf(n->target, sizeof n->target, "b000000%d-0000-4000-8000-000000000002", w);
		snprintf(n->hsub, sizeof n->hsub, "c000000%d-0000-4000-8000-000000000001", w);
		for (int k = 0; k < 2; k++)
			snprintf(n->tsub[k], sizeof n->tsub[k], "d000000%d-0000-4000-8000-00000000000%d", w, k + 1);
		for (int m = 0; m < NMGRS; m++)
			snprintf(n->mgr[m], sizeof n->mgr[m],
			         "/subscriptions/%s/resourceGroups/rg-avnm/providers/Microsoft.Network/networkManagers/nm-%d",
			         n->hsub, m);
		for (int k = 0; k < 2; k++)
			snprintf(n->vnet[k], sizeof n->vnet[k],
			         "/subscriptions/%s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-%d",
			         n->tsub[k], k);
		snprintf(n->principal, sizeof n->principal, "writer%d", w);
		/* the same group names in every writer's tenant (R2.7) */
		static const char *const mgs[3] = {"mg-a", "mg-b", "mg-c"};
		for (int k = 0; k < 3; k++)
			snprintf(n->mg_item[k], sizeof n->mg_item[k], "/providers/Microsoft.Management/managementGroups/%s",
			         mgs[k]);
		for (int k = 0; k < 2; k++)
			snprintf(n->sub_item[k], sizeof n->sub_item[k], "/subscriptions/%s", n->tsub[k]);
	}
}

/* ---- what a run records -------------------------------------------------------- */

struct ev {
	avnm_event_kind kind;
	avnm_state old_state, new_state;
	char text[240];
};

struct record {
	int rc[4096];
	size_t nrc;
	struct ev *ev;
	size_t nev;
	int foreign_event; /* an event about another writer's world, or on a wrong thread */
};

struct shared {
	avnm_ctx *ctx;
	int ops;
	struct record rec[WRITERS];
	atomic_int hub_started[WRITERS]; /* the writer began making hub connections */
	atomic_int writers_left;
	atomic_long reads;
	pthread_mutex_t fail_lock;
	atomic_int failures;
	char first_failure[1024];
};

static _Thread_local int my_writer = -1; /* -1: a reader, or the main thread */

/* A broken check in a thread: counted, the first one kept for the main thread to
 * report (cmocka's asserts belong to the main thread). */
#if defined(__GNUC__)
static void report(struct shared *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#endif
static void report(struct shared *s, const char *fmt, ...)
{
	va_list ap;
	pthread_mutex_lock(&s->fail_lock);
	if (atomic_fetch_add(&s->failures, 1) == 0) {
		va_start(ap, fmt);
		vsnprintf(s->first_failure, sizeof s->first_failure, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&s->fail_lock);
}

static int owner_of(const char *text)
{
	/* every id of writer w carries its digit after the first letter of a GUID */
	for (int w = 0; w < WRITERS; w++)
		if (text && (strstr(text, nm[w].home) || strstr(text, nm[w].target) || strstr(text, nm[w].hsub) ||
		             strstr(text, nm[w].tsub[0]) || strstr(text, nm[w].tsub[1])))
			return w;
	return -1;
}

static void on_event(void *opaque, const avnm_event *e)
{
	struct shared *s = opaque;
	int w = my_writer;
	if (w < 0) {
		report(s, "an event on a thread that made no change (kind %d)", (int)e->kind);
		return;
	}
	struct record *r = &s->rec[w];
	int owner = owner_of(e->manager);
	if (owner < 0)
		owner = owner_of(e->tenant);
	if (owner != w)
		r->foreign_event = 1;
	if (r->nev == MAX_EVENTS)
		return;
	struct ev *x = &r->ev[r->nev++];
	x->kind = e->kind;
	x->old_state = e->old_state;
	x->new_state = e->new_state;
	snprintf(x->text, sizeof x->text, "%s|%s|%s|%s|%s|%s", e->manager ? e->manager : "",
	         e->connection ? e->connection : "", e->tenant ? e->tenant : "", e->item ? e->item : "",
	         e->group ? e->group : "", e->resource ? e->resource : "");
}

/* ---- a writer's stream ------------------------------------------------------------ */

static uint32_t next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static avnm_scope *scope_pick(avnm_ctx *ctx, const struct names *n, unsigned which)
{
	avnm_scope *s = NULL;
	if (avnm_scope_new(&s, ctx) != AVNM_OK)
		return NULL;
	switch (which % 5) {
	case 0: avnm_scope_add(s, n->mg_item[0]); break;
	case 1: avnm_scope_add(s, n->mg_item[1]); break;
	case 2: avnm_scope_add(s, n->sub_item[0]); break;
	case 3: avnm_scope_add(s, n->sub_item[1]); break;
	default:
		avnm_scope_add(s, n->mg_item[2]);
		avnm_scope_add(s, n->sub_item[0]);
		break;
	}
	return s;
}

static void note(struct shared *s, int w, int rc)
{
	struct record *r = &s->rec[w];
	if (r->nrc < sizeof r->rc / sizeof r->rc[0])
		r->rc[r->nrc++] = rc;
}

static void setup_world(struct shared *s, int w)
{
	const struct names *n = &nm[w];
	avnm_ctx *ctx = s->ctx;
	avnm_tag tags[2] = {{"env", "prod"}, {"tier", w % 2 ? "web" : "db"}};
	note(s, w, avnm_tenant_create(ctx, n->home, "home"));
	note(s, w, avnm_tenant_create(ctx, n->target, "target"));
	note(s, w, avnm_subscription_create(ctx, n->home, n->hsub, NULL));
	note(s, w, avnm_mg_create(ctx, n->target, "mg-a", NULL));
	note(s, w, avnm_mg_create(ctx, n->target, "mg-b", NULL));
	note(s, w, avnm_mg_create(ctx, n->target, "mg-c", "mg-a"));
	note(s, w, avnm_subscription_create(ctx, n->target, n->tsub[0], "mg-a"));
	note(s, w, avnm_subscription_create(ctx, n->target, n->tsub[1], "mg-c"));
	for (int k = 0; k < 2; k++)
		note(s, w, avnm_vnet_create(ctx, n->vnet[k], "westeurope", tags, (size_t)(1 + k)));
	note(s, w, avnm_principal_create(ctx, n->principal, n->home));
	note(s, w, avnm_guest_add(ctx, n->principal, n->target));
	note(s, w, avnm_role_assign(ctx, n->principal, AVNM_ROLE_NETWORK_CONTRIBUTOR, n->mg_item[0], n->target));
	note(s, w, avnm_role_assign(ctx, n->principal, AVNM_ROLE_OWNER, n->sub_item[0], n->home));
	static const unsigned acc[NMGRS] = {AVNM_ACCESS_CONNECTIVITY | AVNM_ACCESS_SECURITY_ADMIN,
		                                AVNM_ACCESS_CONNECTIVITY, AVNM_ACCESS_ROUTING};
	for (int m = 0; m < NMGRS; m++)
		note(s, w, avnm_manager_create(ctx, NULL, n->mgr[m], acc[m], NULL));
}

static void run_stream(struct shared *s, int w)
{
	const struct names *n = &nm[w];
	avnm_ctx *ctx = s->ctx;
	uint32_t x = 2463534242u + (uint32_t)w * 7919u;
	static const char *const conn[NCONN] = {"c0", "c1", "c2", "c3"};
	static const char *const hub[NCONN] = {"h0", "h1", "h2", "h3"};
	static const char *const parents[3] = {"mg-a", "mg-b", NULL};
	setup_world(s, w);
	/* connection k is mostly made for manager pair_mgr[k] at scope pair_scope[k] on
	 * both sides, so that pairs match; c0 and c1 want the same group for two managers
	 * sharing Connectivity: a conflict */
	static const int pair_mgr[NCONN] = {0, 1, 2, 0}, pair_scope[NCONN] = {0, 0, 2, 1};
	for (int i = 0; i < s->ops; i++) {
		uint32_t r = next(&x);
		int c = (int)(r >> 12) % NCONN, usual = (r >> 28) % 8 != 0;
		int m = usual ? pair_mgr[c] : (int)(r >> 8) % NMGRS;
		unsigned scope = usual ? (unsigned)pair_scope[c] : r >> 16;
		const char *as = (r >> 20) % 4 == 0 ? n->principal : NULL;
		avnm_scope *sc = NULL;
		int rc;
		switch (r % 12) {
		case 0:
		case 1:
			sc = scope_pick(ctx, n, scope);
			rc = avnm_scope_connection_create(ctx, as, n->mgr[m], conn[c], n->target, sc);
			break;
		case 2:
		case 3:
			atomic_store(&s->hub_started[w], 1);
			sc = scope_pick(ctx, n, scope);
			rc = avnm_hub_connection_create(ctx, as, n->target, hub[c], sc, n->mgr[m]);
			break;
		case 4:
			rc = avnm_scope_connection_delete(ctx, as, n->mgr[m], conn[c]);
			break;
		case 5:
			rc = avnm_hub_connection_delete(ctx, as, n->target, hub[c]);
			break;
		case 6:
			rc = (r >> 24) % 2 ? avnm_scope_connection_reject(ctx, NULL, n->target, n->mgr[m], conn[c])
			                   : avnm_scope_connection_reevaluate(ctx, NULL, n->mgr[m], conn[c]);
			break;
		case 7: {
			/* a local scope in the home tenant, or none */
			avnm_scope *home = NULL;
			avnm_scope_new(&home, ctx);
			if ((r >> 24) % 2)
				avnm_scope_add(home, n->hsub);
			rc = avnm_manager_update(ctx, NULL, n->mgr[m], AVNM_UPDATE_SCOPE | AVNM_UPDATE_ACCESSES,
			                         AVNM_ACCESS_CONNECTIVITY | 1u << ((r >> 16) % 4), home);
			avnm_scope_free(home);
			break;
		}
		case 8:
			rc = (r >> 24) % 2 ? avnm_mg_move(ctx, n->target, "mg-c", parents[(r >> 16) % 3] ? parents[(r >> 16) % 3] : n->target)
			                   : avnm_subscription_move(ctx, n->tsub[(r >> 17) % 2], parents[(r >> 18) % 3]);
			break;
		case 9:
			switch ((r >> 16) % 5) {
			case 0: rc = avnm_group_create(ctx, as, n->mgr[m], "g", AVNM_MEMBER_VIRTUAL_NETWORK); break;
			case 1: rc = avnm_member_add(ctx, as, n->mgr[m], "g", n->vnet[(r >> 20) % 2]); break;
			case 2: rc = avnm_member_remove(ctx, as, n->mgr[m], "g", n->vnet[(r >> 20) % 2]); break;
			case 3: {
				avnm_tag t = {"env", "prod"};
				rc = avnm_group_condition_add(ctx, as, n->mgr[m], "g", &t, 1);
				break;
			}
			default: rc = avnm_group_delete(ctx, as, n->mgr[m], "g"); break;
			}
			break;
		case 10:
			/* seldom by force: it takes the manager's connections along */
			rc = avnm_manager_delete(ctx, NULL, n->mgr[m], (r >> 16) % 8 == 0 ? AVNM_DELETE_FORCE : 0u);
			break;
		default:
			rc = avnm_manager_create(ctx, NULL, n->mgr[m], AVNM_ACCESS_CONNECTIVITY | 1u << ((r >> 16) % 4), NULL);
			break;
		}
		avnm_scope_free(sc);
		note(s, w, rc);
	}
}

struct thread_arg {
	struct shared *s;
	int id;
	uint32_t seed;
};

static void *writer_main(void *p)
{
	struct thread_arg *a = p;
	my_writer = a->id;
	run_stream(a->s, a->id);
	atomic_fetch_sub(&a->s->writers_left, 1);
	return NULL;
}

/* ---- readers ------------------------------------------------------------------------- */

static void read_once(struct shared *s, uint32_t *x)
{
	avnm_ctx *ctx = s->ctx;
	uint32_t r = next(x);
	int w = (int)(r % WRITERS), m = (int)(r >> 4) % NMGRS;
	const struct names *n = &nm[w];
	char msg[256];
	switch ((r >> 8) % 6) {
	case 0: {
		static const char *const conn[NCONN] = {"c0", "c1", "c2", "c3"};
		avnm_state st = AVNM_STATE_NONE;
		int rc = avnm_scope_connection_state(&st, NULL, ctx, n->mgr[m], conn[(r >> 12) % NCONN]);
		if (rc == AVNM_OK ? st < AVNM_STATE_PENDING || st > AVNM_STATE_REJECTED : rc != AVNM_E_NOT_FOUND)
			report(s, "scope connection state %d, rc %d", (int)st, rc);
		avnm_hub_connection *h = NULL;
		rc = avnm_hub_connection_open(&h, ctx, n->target, "H1");
		if (rc == AVNM_OK) {
			for (int i = 0; i < 3; i++) {
				int hrc = avnm_hub_connection_get_state(&st, NULL, h);
				if (hrc == AVNM_E_STALE_HANDLE)
					break;
				if (hrc != AVNM_OK || st < AVNM_STATE_PENDING || st >= AVNM_STATE_REJECTED)
					report(s, "hub handle: rc %d state %d", hrc, (int)st);
			}
			avnm_hub_connection_close(h);
		} else if (rc != AVNM_E_NOT_FOUND) {
			report(s, "hub open: %d", rc);
		}
		break;
	}
	case 1: {
		/* one question, or both networks in one call of avnm_can_manage_many */
		int allowed[2] = { 0, 0 }, rc;
		if ((r >> 20) & 1) {
			const char *mgr[2] = { n->mgr[m], n->mgr[m] }, *res[2] = { n->vnet[0], n->vnet[1] };
			const unsigned acc[2] = { AVNM_ACCESS_CONNECTIVITY, AVNM_ACCESS_CONNECTIVITY };
			rc = avnm_can_manage_many(allowed, NULL, ctx, 2, mgr, res, acc, NULL);
		} else {
			rc = avnm_can_manage(&allowed[0], NULL, ctx, n->mgr[m], n->vnet[(r >> 12) % 2],
			                     AVNM_ACCESS_CONNECTIVITY, NULL);
		}
		if (rc == AVNM_OK && (allowed[0] || allowed[1]) && !atomic_load(&s->hub_started[w]))
			report(s, "writer %d's manager manages its target tenant before any hub connection", w);
		if (rc != AVNM_OK && rc != AVNM_E_NOT_FOUND)
			report(s, "can_manage: %d", rc);
		break;
	}
	case 2: {
		char *d = NULL;
		size_t len = 0;
		char why[512];
		if (avnm_ctx_dump(&d, &len, ctx) != AVNM_OK) {
			report(s, "dump failed");
			break;
		}
		if (dump_check(d, len, why, sizeof why) != 0)
			report(s, "a snapshot breaks an invariant: %s", why);
		avnm_free(ctx, d);
		break;
	}
	case 3: {
		avnm_list *l = NULL;
		int rc = avnm_managers_of(&l, ctx, n->sub_item[(r >> 12) % 2], AVNM_ACCESS_CONNECTIVITY, NULL);
		if (rc != AVNM_OK)
			report(s, "managers_of: %d", rc);
		for (size_t i = 0; i < avnm_list_count(l); i++)
			if (owner_of(avnm_list_get(l, i)) != w)
				report(s, "managers_of in writer %d's tenant lists %s", w, avnm_list_get(l, i));
		avnm_list_free(l);
		break;
	}
	case 4: {
		avnm_list *l = NULL;
		int rc = avnm_manager_cross_tenant_scopes(&l, ctx, n->mgr[m]);
		if (rc != AVNM_OK && rc != AVNM_E_NOT_FOUND)
			report(s, "cross_tenant_scopes: %d", rc);
		for (size_t i = 0; i < avnm_list_count(l); i++)
			if (!avnm_list_tenant(l, i) || strcmp(avnm_list_tenant(l, i), n->target) != 0)
				report(s, "writer %d's manager holds %s of tenant %s", w, avnm_list_get(l, i),
				     avnm_list_tenant(l, i) ? avnm_list_tenant(l, i) : "(none)");
		avnm_list_free(l);
		break;
	}
	default: {
		int allowed = 0;
		avnm_reason *why = NULL;
		if (avnm_authorize(&allowed, &why, ctx, n->principal, AVNM_ACTION_NETWORK_WRITE, n->vnet[0], NULL) ==
		    AVNM_OK && !avnm_reason_text(why))
			report(s, "authorize without a reason");
		avnm_reason_free(why);
		avnm_errmsg_copy(ctx, msg, sizeof msg);
		(void)avnm_errcode(ctx);
		break;
	}
	}
	atomic_fetch_add(&s->reads, 1);
}

static void *reader_main(void *p)
{
	struct thread_arg *a = p;
	uint32_t x = a->seed;
	/* at least a few reads even if the writers are done first */
	for (int i = 0; i < 50 || atomic_load(&a->s->writers_left) > 0; i++)
		read_once(a->s, &x);
	return NULL;
}

/* ---- the test ----------------------------------------------------------------------- */

static int env_ops(void)
{
	const char *e = getenv("AVNM_STRESS_OPS");
	int n = e ? atoi(e) : 2000;
	return n > 0 && n <= 4000 ? n : 2000;
}

static struct shared *shared_new(avnm_ctx *ctx, int ops)
{
	struct shared *s = calloc(1, sizeof *s);
	assert_non_null(s);
	s->ctx = ctx;
	s->ops = ops;
	pthread_mutex_init(&s->fail_lock, NULL);
	for (int w = 0; w < WRITERS; w++) {
		s->rec[w].ev = calloc(MAX_EVENTS, sizeof *s->rec[w].ev);
		assert_non_null(s->rec[w].ev);
	}
	assert_int_equal(avnm_ctx_set_event_callback(ctx, on_event, s), AVNM_OK);
	return s;
}

static void shared_free(struct shared *s)
{
	for (int w = 0; w < WRITERS; w++)
		free(s->rec[w].ev);
	pthread_mutex_destroy(&s->fail_lock);
	free(s);
}

static char *dump_copy(avnm_ctx *ctx, size_t *len)
{
	char *d = NULL, *copy;
	assert_int_equal(avnm_ctx_dump(&d, len, ctx), AVNM_OK);
	copy = malloc(*len + 1);
	assert_non_null(copy);
	memcpy(copy, d, *len);
	copy[*len] = '\0';
	avnm_free(ctx, d);
	return copy;
}

static void test_threads_match_serial_replay(void **state)
{
	(void)state;
	int ops = env_ops();
	avnm_storage *store = NULL;
	avnm_ctx *ctx = NULL, *serial = NULL, *reloaded = NULL;
	char err[256];
	make_names();

	assert_int_equal(avnm_memstore_new(&store), AVNM_OK);
	assert_int_equal(avnm_ctx_open(&ctx, NULL, store, err, sizeof err), AVNM_OK);
	struct shared *s = shared_new(ctx, ops);
	atomic_store(&s->writers_left, WRITERS);

	pthread_t th[WRITERS + READERS];
	struct thread_arg args[WRITERS + READERS];
	for (int i = 0; i < WRITERS + READERS; i++) {
		args[i] = (struct thread_arg){s, i < WRITERS ? i : i - WRITERS, 0x9e3779b9u * (uint32_t)(i + 1)};
		assert_int_equal(pthread_create(&th[i], NULL, i < WRITERS ? writer_main : reader_main, &args[i]), 0);
	}
	for (int i = 0; i < WRITERS + READERS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	if (atomic_load(&s->failures))
		print_error("%d failures; the first: %s\n", atomic_load(&s->failures), s->first_failure);
	assert_int_equal(atomic_load(&s->failures), 0);
	assert_true(atomic_load(&s->reads) > 0);

	/* the serial replay, on the main thread taking each writer's part in turn */
	assert_int_equal(avnm_ctx_new(&serial, NULL), AVNM_OK);
	struct shared *r = shared_new(serial, ops);
	for (int w = 0; w < WRITERS; w++) {
		my_writer = w;
		run_stream(r, w);
	}
	my_writer = -1;

	size_t la, lb, lc;
	char *a = dump_copy(ctx, &la), *b = dump_copy(serial, &lb);
	if (la != lb || memcmp(a, b, la) != 0)
		print_error("concurrent world:\n%s\nserial world:\n%s\n", a, b);
	assert_true(la == lb && memcmp(a, b, la) == 0);
	size_t records = 0, connected = 0;
	for (const char *p = a; (p = strchr(p, '\n')) != NULL; p++)
		records++;
	for (const char *p = a; (p = strstr(p, " state=2 ")) != NULL; p++)
		connected++;
	print_message("%d writers x %d operations, %ld reads; %zu records, %zu Connected\n", WRITERS, ops,
	              (long)atomic_load(&s->reads), records, connected);
	for (int w = 0; w < WRITERS; w++) {
		assert_int_equal(s->rec[w].nrc, r->rec[w].nrc);
		for (size_t i = 0; i < s->rec[w].nrc; i++) {
			if (s->rec[w].rc[i] != r->rec[w].rc[i])
				print_error("writer %d, call %zu: %s concurrently, %s serially\n", w, i,
				            avnm_error_name(s->rec[w].rc[i]), avnm_error_name(r->rec[w].rc[i]));
			assert_int_equal(s->rec[w].rc[i], r->rec[w].rc[i]);
		}
		assert_false(s->rec[w].foreign_event);
		assert_true(s->rec[w].nev < MAX_EVENTS);
		assert_true(s->rec[w].nev > 0);
		assert_int_equal(s->rec[w].nev, r->rec[w].nev);
		for (size_t i = 0; i < s->rec[w].nev; i++) {
			const struct ev *x = &s->rec[w].ev[i], *y = &r->rec[w].ev[i];
			if (x->kind != y->kind || x->old_state != y->old_state || x->new_state != y->new_state ||
			    strcmp(x->text, y->text) != 0)
				print_error("writer %d, event %zu: %d %s concurrently, %d %s serially\n", w, i, (int)x->kind,
				            x->text, (int)y->kind, y->text);
			assert_string_equal(x->text, y->text);
			assert_int_equal(x->new_state, y->new_state);
		}
	}

	/* what the writers committed is the world */
	assert_int_equal(avnm_ctx_open(&reloaded, NULL, store, err, sizeof err), AVNM_OK);
	char *c = dump_copy(reloaded, &lc);
	assert_true(la == lc && memcmp(a, c, la) == 0);

	free(a);
	free(b);
	free(c);
	avnm_ctx_free(reloaded);
	avnm_ctx_free(serial);
	avnm_ctx_free(ctx);
	avnm_memstore_free(store);
	shared_free(r);
	shared_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_match_serial_replay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
