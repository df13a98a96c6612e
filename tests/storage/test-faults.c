/* Pluggable storage, fault injection (R7: "a failing call changes nothing: no
 * half-applied state in memory or in storage").
 *
 * A wrapping backend forwards every callback to an inner memory store and
 * counts them; the Nth callback fails with AVNM_E_STORAGE and the message
 * "injected fault at call N". For every N up to the number of callbacks of a
 * clean run of the full scenario (world.h), the scenario is run on the
 * wrapper. The step that meets the fault must fail with `storage`, leave the
 * in-memory world exactly as it was, and a second context opened on the inner
 * store (without faults) must see exactly what the first one holds: the store
 * has the last committed world, no more, no less. The step is then retried: a
 * failed call changed nothing, so the rest of the run is the designed one and
 * ends in the same world as a clean run.
 *
 * Also here: what avnm_ctx_open does with a failing load, with malformed
 * backends, and with hand-made bad records in an otherwise good store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "avnm.h"
#include "world.h"

/* ------------------------------------------------------------------------ */
/* The faulty backend                                                        */
/* ------------------------------------------------------------------------ */

enum cb { CB_LOAD, CB_BEGIN, CB_PUT, CB_DEL, CB_COMMIT, CB_ROLLBACK, CB_COUNT };
static const char *const cb_names[CB_COUNT] = { "load", "begin", "put", "del", "commit", "rollback" };

struct faulty {
	avnm_storage st;            /* what the context is opened on; opaque is this struct */
	const avnm_storage *inner;  /* where the records really live */
	unsigned long calls;        /* callbacks so far (errmsg is a query, not counted) */
	unsigned long fail_at;      /* the call that fails; 0: none */
	unsigned long fail_also;    /* a second call that fails (the rollback after fail_at); 0: none */
	int fail_commits;           /* every commit fails while set */
	int fail_code;              /* what it returns */
	enum cb first_cb, last_cb;  /* which callbacks the first and the last fault hit */
	unsigned long injected;     /* faults injected so far */
	size_t load_fail_after;     /* >0: load fails after delivering this many records */
	int ours;                   /* the last failing callback was an injected fault */
	char msg[96];
	/* load's trampoline state */
	avnm_record_fn fn;
	void *cookie;
	size_t delivered;
};

/* Count one callback; 1 if it is the one to fail. */
static int inject(struct faulty *f, enum cb which)
{
	++f->calls;
	if (f->calls != f->fail_at && f->calls != f->fail_also) return 0;
	if (!f->injected) f->first_cb = which;
	f->last_cb = which;
	f->injected++;
	f->ours = 1;
	snprintf(f->msg, sizeof f->msg, "injected fault at call %lu", f->calls);
	return 1;
}

/* The inner callback's result; a failure there is the inner store's to explain. */
static int forwarded(struct faulty *f, int rc)
{
	if (rc != 0) f->ours = 0;
	return rc;
}

static int trampoline(void *cookie, const char *key, size_t klen, const void *val, size_t vlen)
{
	struct faulty *f = cookie;
	if (f->load_fail_after && f->delivered == f->load_fail_after) {
		f->ours = 1;
		snprintf(f->msg, sizeof f->msg, "injected fault after %zu records", f->delivered);
		return f->fail_code;
	}
	f->delivered++;
	return f->fn(f->cookie, key, klen, val, vlen);
}

static int f_load(void *o, avnm_record_fn fn, void *cookie)
{
	struct faulty *f = o;
	if (inject(f, CB_LOAD)) return f->fail_code;
	f->fn = fn;
	f->cookie = cookie;
	f->delivered = 0;
	int rc = f->inner->load(f->inner->opaque, trampoline, f);
	/* the trampoline's own failure keeps its message */
	if (rc != 0 && !(f->load_fail_after && f->delivered == f->load_fail_after)) f->ours = 0;
	return rc;
}

static int f_begin(void *o)
{
	struct faulty *f = o;
	if (inject(f, CB_BEGIN)) return f->fail_code;
	return forwarded(f, f->inner->begin(f->inner->opaque));
}

static int f_put(void *o, const char *k, size_t kl, const void *v, size_t vl)
{
	struct faulty *f = o;
	if (inject(f, CB_PUT)) return f->fail_code;
	return forwarded(f, f->inner->put(f->inner->opaque, k, kl, v, vl));
}

static int f_del(void *o, const char *k, size_t kl)
{
	struct faulty *f = o;
	if (inject(f, CB_DEL)) return f->fail_code;
	return forwarded(f, f->inner->del(f->inner->opaque, k, kl));
}

static int inner_rollback(struct faulty *f)
{
	return f->inner->rollback ? f->inner->rollback(f->inner->opaque) : 0;
}

static int f_commit(void *o)
{
	struct faulty *f = o;
	if (inject(f, CB_COMMIT) || f->fail_commits) {
		if (f->fail_commits) {
			f->ours = 1;
			snprintf(f->msg, sizeof f->msg, "injected fault at commit");
		}
		/* A backend whose commit fails must keep nothing of the transaction (the
		 * interface says so, and the journal does it): the inner store forgets it. */
		inner_rollback(f);
		return f->fail_code;
	}
	return forwarded(f, f->inner->commit(f->inner->opaque));
}

static int f_rollback(void *o)
{
	struct faulty *f = o;
	/* A failing rollback still forgets the transaction: the report is the fault. */
	if (inject(f, CB_ROLLBACK)) {
		inner_rollback(f);
		return f->fail_code;
	}
	return forwarded(f, inner_rollback(f));
}

static const char *f_errmsg(void *o)
{
	struct faulty *f = o;
	if (f->ours) return f->msg;
	return f->inner->errmsg ? f->inner->errmsg(f->inner->opaque) : NULL;
}

static void faulty_init(struct faulty *f, const avnm_storage *inner, unsigned long fail_at)
{
	avnm_storage init = AVNM_STORAGE_INIT;
	memset(f, 0, sizeof *f);
	f->st = init;
	f->st.opaque = f;
	f->st.load = f_load;
	f->st.begin = f_begin;
	f->st.put = f_put;
	f->st.del = f_del;
	f->st.commit = f_commit;
	f->st.rollback = f_rollback;
	f->st.errmsg = f_errmsg;
	f->inner = inner;
	f->fail_at = fail_at;
	f->fail_code = AVNM_E_STORAGE;
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------ */

/* Is needle in hay? By hand rather than strstr: with UBSan's null checks on
 * strstr's arguments, GCC -O2 sees a path where needle is NULL and refuses
 * (-Werror=format-overflow) to print it in the failure message. */
static int contains(const char *hay, const char *needle)
{
	for (;; hay++) {
		size_t i = 0;
		while (needle[i] && hay[i] == needle[i]) i++;
		if (!needle[i]) return 1;
		if (!*hay) return 0;
	}
}

static avnm_storage *new_store(void)
{
	avnm_storage *st = NULL;
	assert_int_equal(avnm_memstore_new(&st), AVNM_OK);
	assert_non_null(st);
	return st;
}

static avnm_ctx *open_ok(const avnm_storage *st)
{
	avnm_ctx *ctx = NULL;
	char err[1024];
	int rc = avnm_ctx_open(&ctx, NULL, st, err, sizeof err);
	if (rc != AVNM_OK) print_error("avnm_ctx_open: %s: %s\n", avnm_error_name(rc), err);
	assert_int_equal(rc, AVNM_OK);
	assert_non_null(ctx);
	return ctx;
}

/* A second context on the store (no faults) holds exactly what live holds. */
static void assert_reopen_same(const avnm_storage *store, avnm_ctx *live, const char *when)
{
	avnm_ctx *again = open_ok(store);
	char *want = world_dump(live), *got = world_dump(again);
	int same = world_same(when, want, got);
	free(want);
	free(got);
	avnm_ctx_free(again);
	assert_true(same);
}

static void fail_step(size_t i, const char *why, int rc, avnm_ctx *ctx)
{
	char d[600];
	world_describe(d, sizeof d, i);
	print_error("%s: %s: got %s: %s\n", d, why, rc > 0 ? "a wrong state" : avnm_error_name(rc),
	            avnm_errmsg(ctx));
	fail();
}

/* Run the whole scenario on ctx (on whatever backend), checking every result. */
static void run_world(avnm_ctx *ctx)
{
	for (size_t i = 0; i < world_nsteps(); i++) {
		int rc = world_step(ctx, i);
		if (rc != world_expected(i)) fail_step(i, "unexpected result", rc, ctx);
	}
}

/* The final world of a clean run, on a plain context. */
static char *clean_final_dump(void)
{
	avnm_ctx *ctx = NULL;
	assert_int_equal(avnm_ctx_new(&ctx, NULL), AVNM_OK);
	run_world(ctx);
	char *d = world_dump(ctx);
	assert_non_null(d);
	avnm_ctx_free(ctx);
	return d;
}

/* ------------------------------------------------------------------------ */
/* Fault at every callback                                                   */
/* ------------------------------------------------------------------------ */

/* Open a context on f; when the fault is the load (call 1), check how the open
 * fails and open again (the fault is spent). */
static avnm_ctx *open_faulty(struct faulty *f)
{
	avnm_ctx *ctx = (avnm_ctx *)&ctx; /* not NULL: the open must clear it */
	char err[1024], want[96];
	int rc = avnm_ctx_open(&ctx, NULL, &f->st, err, sizeof err);
	if (f->injected) {
		snprintf(want, sizeof want, "injected fault at call %lu", f->fail_at);
		assert_int_equal(rc, AVNM_E_STORAGE);
		assert_null(ctx);
		if (!contains(err, want)) print_error("open failed with \"%s\", not naming \"%s\"\n", err, want);
		assert_true(contains(err, want));
		rc = avnm_ctx_open(&ctx, NULL, &f->st, err, sizeof err);
	}
	if (rc != AVNM_OK) print_error("avnm_ctx_open: %s: %s\n", avnm_error_name(rc), err);
	assert_int_equal(rc, AVNM_OK);
	return ctx;
}

/* The step met the fault: it failed with `storage`, saying so, and changed
 * nothing in memory or in the store. */
static void check_faulted_step(struct faulty *f, const avnm_storage *store, avnm_ctx *ctx, size_t i,
                               int rc, const char *before)
{
	char want[96], what[700], d[600];
	if (rc != AVNM_E_STORAGE) fail_step(i, "the injected fault did not fail the call", rc, ctx);
	snprintf(want, sizeof want, "injected fault at call %lu", f->fail_at);
	if (!contains(avnm_errmsg(ctx), want)) fail_step(i, "the message does not name the fault", rc, ctx);
	world_describe(d, sizeof d, i);
	snprintf(what, sizeof what, "%s, fault at call %lu (%s): world after the failed call", d,
	         f->fail_at, cb_names[f->first_cb]);
	char *after = world_dump(ctx);
	int same = world_same(what, before, after);
	free(after);
	assert_true(same);
	snprintf(what, sizeof what, "%s, fault at call %lu (%s): reopened store", d, f->fail_at,
	         cb_names[f->first_cb]);
	assert_reopen_same(store, ctx, what);
}

/* One run of the scenario with the fault at call n (and, if `also`, at call
 * also too). Returns the callbacks made, and in *failed the callback of the
 * first fault (CB_COUNT if none). */
static unsigned long run_with_fault(unsigned long n, unsigned long also, const char *final,
                                    enum cb *failed)
{
	avnm_storage *store = new_store();
	struct faulty f;
	faulty_init(&f, store, n);
	f.fail_also = also;
	avnm_ctx *ctx = open_faulty(&f);
	char what[700];
	for (size_t i = 0; i < world_nsteps(); i++) {
		char *before = world_dump(ctx);
		assert_non_null(before);
		unsigned long seen = f.injected;
		int rc = world_step(ctx, i);
		if (f.injected != seen) {
			check_faulted_step(&f, store, ctx, i, rc, before);
			rc = world_step(ctx, i);
		}
		if (rc != world_expected(i)) fail_step(i, "unexpected result", rc, ctx);
		if (rc != AVNM_OK) {
			/* R7 for every failure, not only injected ones */
			char *after = world_dump(ctx);
			world_describe(what, sizeof what, i);
			int same = world_same(what, before, after);
			free(after);
			assert_true(same);
		}
		world_describe(what, sizeof what, i);
		assert_reopen_same(store, ctx, what);
		free(before);
	}
	char *end = world_dump(ctx);
	int same = world_same("final world after a run with one fault", final, end);
	free(end);
	assert_true(same);
	/* also: the library must roll back right after a failed put or delete */
	assert_int_equal(f.injected, (n != 0) + (also != 0));
	assert_true(!also || f.last_cb == CB_ROLLBACK);
	*failed = f.injected ? f.first_cb : CB_COUNT;
	avnm_ctx_free(ctx);
	avnm_memstore_free(store);
	return f.calls;
}

static void test_fault_at_every_call(void **state)
{
	(void)state;
	char *final = clean_final_dump();
	enum cb failed;
	unsigned long total = run_with_fault(0, 0, final, &failed);
	unsigned long per_cb[CB_COUNT] = { 0 }, doubles = 0;
	assert_true(total > 1);
	for (unsigned long n = 1; n <= total; n++) {
		run_with_fault(n, 0, final, &failed);
		assert_true(failed < CB_COUNT);
		per_cb[failed]++;
		/* A clean run never calls rollback, so a single fault never lands on it:
		 * after a failed put or delete, fail the rollback that follows as well. */
		if (failed == CB_PUT || failed == CB_DEL) {
			run_with_fault(n, n + 1, final, &failed);
			per_cb[CB_ROLLBACK]++;
			doubles++;
		}
	}
	/* The trace the issue asks for: how many faults were exercised, and where. */
	print_message("fault injection: N = 1..%lu exercised over %zu steps "
	              "(load %lu, begin %lu, put %lu, del %lu, commit %lu), plus %lu runs with "
	              "the rollback after a failed put/del failing too\n",
	              total, world_nsteps(), per_cb[CB_LOAD], per_cb[CB_BEGIN], per_cb[CB_PUT],
	              per_cb[CB_DEL], per_cb[CB_COMMIT], doubles);
	/* Every kind of change callback was hit, or the scenario does not store enough. */
	assert_true(per_cb[CB_LOAD] == 1 && per_cb[CB_BEGIN] > 0 && per_cb[CB_PUT] > 0 &&
	            per_cb[CB_DEL] > 0 && per_cb[CB_COMMIT] > 0);
	free(final);
}

/* Without faults, a context reopened from the store equals the live one, and
 * both equal a plain in-memory run. */
static void test_clean_run_reopens(void **state)
{
	(void)state;
	char *final = clean_final_dump();
	avnm_storage *store = new_store();
	avnm_ctx *ctx = open_ok(store);
	run_world(ctx);
	char *live = world_dump(ctx);
	assert_true(world_same("stored run against in-memory run", final, live));
	assert_reopen_same(store, ctx, "clean run reopened");
	avnm_ctx_free(ctx);
	/* and once more from the store alone, with the writer gone */
	avnm_ctx *again = open_ok(store);
	char *got = world_dump(again);
	assert_true(world_same("clean run reopened after the writer closed", final, got));
	free(got);
	avnm_ctx_free(again);
	avnm_memstore_free(store);
	free(live);
	free(final);
}

/* ------------------------------------------------------------------------ */
/* Subscriptions whose creation fails leave the table of subscriptions         */
/* ------------------------------------------------------------------------ */

/* The table of subscriptions by GUID (lib/qcache.c) gets a slot when a subscription is
 * made, and loses it again when the change is undone, the slots after it in its run
 * moving back. Here every third creation of 600 (the table grows four times meanwhile)
 * fails at commit: afterwards every subscription made must be found through its
 * networks (allowed, through the manager's local scope of the root), every failed one
 * must be unknown (denied, no managers), in both letter cases; and so again after the
 * failed GUIDs are created for good. */
#define TS_T "7e57aaaa-0000-4000-8000-000000000001"
#define TS_HOME "7e57bbbb-0000-4000-8000-000000000001"
#define TS_MGR "/subscriptions/" TS_HOME "/resourceGroups/rg/providers/Microsoft.Network/networkManagers/nm"
#define TS_N 600

static void ts_vnet(char *out, size_t size, unsigned i, int upper)
{
	snprintf(out, size,
	         upper ? "/subscriptions/7E57C%03X-0000-4000-8000-%012X/resourceGroups/rg/providers/"
	                 "Microsoft.Network/virtualNetworks/vn"
	               : "/subscriptions/7e57c%03x-0000-4000-8000-%012x/resourceGroups/rg/providers/"
	                 "Microsoft.Network/virtualNetworks/vn",
	         i, i * 7919u);
}

static void ts_check(avnm_ctx *ctx, const unsigned char *made)
{
	char id[200];
	for (unsigned i = 0; i < TS_N; i++)
		for (int upper = 0; upper < 2; upper++) {
			int allowed = -1;
			avnm_list *l = NULL;
			ts_vnet(id, sizeof id, i, upper);
			assert_int_equal(avnm_can_manage(&allowed, NULL, ctx, TS_MGR, id,
			                                 AVNM_ACCESS_CONNECTIVITY, NULL), AVNM_OK);
			if (allowed != made[i]) print_error("subscription %u: allowed %d\n", i, allowed);
			assert_int_equal(allowed, made[i]);
			assert_int_equal(avnm_managers_of(&l, ctx, id, AVNM_ACCESS_CONNECTIVITY, NULL),
			                 AVNM_OK);
			assert_int_equal(avnm_list_count(l), made[i]);
			avnm_list_free(l);
		}
}

static void test_failed_subscriptions(void **state)
{
	(void)state;
	static unsigned char made[TS_N];
	avnm_storage *store = new_store();
	struct faulty f;
	faulty_init(&f, store, 0);
	avnm_ctx *ctx = open_ok(&f.st);
	avnm_scope *scope = NULL;
	assert_int_equal(avnm_tenant_create(ctx, TS_T, NULL), AVNM_OK);
	assert_int_equal(avnm_subscription_create(ctx, TS_T, TS_HOME, NULL), AVNM_OK);
	assert_int_equal(avnm_scope_new(&scope, NULL), AVNM_OK);
	assert_int_equal(avnm_scope_add(scope, "/providers/Microsoft.Management/managementGroups/" TS_T),
	                 AVNM_OK);
	assert_int_equal(avnm_manager_create(ctx, NULL, TS_MGR, AVNM_ACCESS_CONNECTIVITY, scope),
	                 AVNM_OK);
	avnm_scope_free(scope);
	char id[200];
	for (unsigned i = 0; i < TS_N; i++) {
		ts_vnet(id, sizeof id, i, 0);
		char g[37];
		memcpy(g, id + strlen("/subscriptions/"), 36);
		g[36] = '\0';
		made[i] = i % 3 != 0;
		f.fail_commits = !made[i];
		int rc = avnm_subscription_create(ctx, TS_T, g, NULL);
		f.fail_commits = 0;
		assert_int_equal(rc, made[i] ? AVNM_OK : AVNM_E_STORAGE);
	}
	ts_check(ctx, made);
	for (unsigned i = 0; i < TS_N; i += 3) {
		ts_vnet(id, sizeof id, i, 1);
		char g[37];
		memcpy(g, id + strlen("/subscriptions/"), 36);
		g[36] = '\0';
		assert_int_equal(avnm_subscription_create(ctx, TS_T, g, NULL), AVNM_OK);
		made[i] = 1;
	}
	ts_check(ctx, made);
	avnm_ctx_free(ctx);
	avnm_memstore_free(store);
}

/* ------------------------------------------------------------------------ */
/* Load failures and malformed backends                                      */
/* ------------------------------------------------------------------------ */

/* avnm_ctx_open on st fails with code, *out NULL, and errbuf naming `needle`. */
static void assert_open_fails(const avnm_storage *st, int code, const char *needle)
{
	avnm_ctx *ctx = (avnm_ctx *)&ctx;
	char err[1024];
	int rc = avnm_ctx_open(&ctx, NULL, st, err, sizeof err);
	if (rc != code)
		print_error("avnm_ctx_open: expected %s, got %s: %s\n", avnm_error_name(code),
		            avnm_error_name(rc), rc ? err : "");
	assert_int_equal(rc, code);
	assert_null(ctx);
	if (!contains(err, needle)) print_error("message \"%s\" does not name \"%s\"\n", err, needle);
	assert_true(contains(err, needle));
}

/* A store holding the full scenario's world. */
static avnm_storage *world_store(void)
{
	avnm_storage *store = new_store();
	avnm_ctx *ctx = open_ok(store);
	run_world(ctx);
	avnm_ctx_free(ctx);
	return store;
}

static void test_load_failure(void **state)
{
	(void)state;
	avnm_storage *store = world_store();
	struct faulty f;

	/* the load callback itself fails */
	faulty_init(&f, store, 1);
	assert_open_fails(&f.st, AVNM_E_STORAGE, "injected fault at call 1");

	/* it fails half-way, after handing over some records: nothing of them stays */
	faulty_init(&f, store, 0);
	f.load_fail_after = 5;
	assert_open_fails(&f.st, AVNM_E_STORAGE, "injected fault after 5 records");

	/* a backend that finds its own data damaged says so, and that code stands */
	faulty_init(&f, store, 1);
	f.fail_code = AVNM_E_CORRUPT;
	assert_open_fails(&f.st, AVNM_E_CORRUPT, "injected fault at call 1");

	/* the store itself is fine */
	avnm_ctx *ctx = open_ok(store);
	avnm_ctx_free(ctx);
	avnm_memstore_free(store);
}

static void test_bad_backend(void **state)
{
	(void)state;
	avnm_storage *store = new_store();
	const avnm_storage good = *store;
	avnm_storage bad;
	const char *why = "storage backend";

	assert_open_fails(NULL, AVNM_E_INVALID_ARGUMENT, why);
	bad = good;
	bad.version = 0;
	assert_open_fails(&bad, AVNM_E_INVALID_ARGUMENT, why);
	bad.version = AVNM_STORAGE_VERSION + 1;
	assert_open_fails(&bad, AVNM_E_INVALID_ARGUMENT, why);

	/* each required callback missing in turn */
	bad = good;
	bad.load = NULL;
	assert_open_fails(&bad, AVNM_E_INVALID_ARGUMENT, why);
	bad = good;
	bad.begin = NULL;
	assert_open_fails(&bad, AVNM_E_INVALID_ARGUMENT, why);
	bad = good;
	bad.put = NULL;
	assert_open_fails(&bad, AVNM_E_INVALID_ARGUMENT, why);
	bad = good;
	bad.del = NULL;
	assert_open_fails(&bad, AVNM_E_INVALID_ARGUMENT, why);
	bad = good;
	bad.commit = NULL;
	assert_open_fails(&bad, AVNM_E_INVALID_ARGUMENT, why);

	/* rollback and errmsg are optional */
	bad = good;
	bad.rollback = NULL;
	bad.errmsg = NULL;
	avnm_ctx *ctx = open_ok(&bad);
	run_world(ctx);
	assert_reopen_same(store, ctx, "backend without rollback and errmsg");
	avnm_ctx_free(ctx);
	avnm_memstore_free(store);
}

/* ------------------------------------------------------------------------ */
/* Bad records                                                               */
/* ------------------------------------------------------------------------ */

struct rec {
	char *key;
	unsigned char *val;
	size_t klen, vlen;
};

struct recs {
	struct rec r[256];
	size_t n;
};

static int collect(void *cookie, const char *key, size_t klen, const void *val, size_t vlen)
{
	struct recs *rs = cookie;
	assert_true(rs->n < sizeof rs->r / sizeof rs->r[0]);
	struct rec *r = &rs->r[rs->n++];
	r->key = malloc(klen + 1);
	r->val = malloc(vlen + 1);
	assert_non_null(r->key);
	assert_non_null(r->val);
	memcpy(r->key, key, klen);
	r->key[klen] = '\0';
	memcpy(r->val, val, vlen);
	r->klen = klen;
	r->vlen = vlen;
	return 0;
}

static void recs_free(struct recs *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->r[i].key);
		free(rs->r[i].val);
	}
	rs->n = 0;
}

/* Write one record into the store, as its own committed transaction: the test
 * plays a damaged disk, not a context. */
static void store_put(const avnm_storage *st, const char *key, const void *val, size_t vlen)
{
	assert_int_equal(st->begin(st->opaque), 0);
	assert_int_equal(st->put(st->opaque, key, strlen(key), val, vlen), 0);
	assert_int_equal(st->commit(st->opaque), 0);
}

static void store_del(const avnm_storage *st, const char *key)
{
	assert_int_equal(st->begin(st->opaque), 0);
	assert_int_equal(st->del(st->opaque, key, strlen(key)), 0);
	assert_int_equal(st->commit(st->opaque), 0);
}

static const struct rec *find_rec(const struct recs *rs, const char *prefix)
{
	for (size_t i = 0; i < rs->n; i++)
		if (strncmp(rs->r[i].key, prefix, strlen(prefix)) == 0) return &rs->r[i];
	fail_msg("no stored record with key %s...", prefix);
	return NULL;
}

/* The store with `key` set to val fails to open with corrupt, naming the key;
 * with the original value (or without the record) back, it opens as before. */
static void assert_bad_record(const avnm_storage *store, const char *key, const void *val, size_t vlen,
                              const struct rec *orig, const char *world)
{
	store_put(store, key, val, vlen);
	assert_open_fails(store, AVNM_E_CORRUPT, key);
	if (orig) store_put(store, key, orig->val, orig->vlen);
	else store_del(store, key);
	avnm_ctx *ctx = open_ok(store);
	char *got = world_dump(ctx);
	int same = world_same(key, world, got);
	free(got);
	avnm_ctx_free(ctx);
	assert_true(same);
}

/* The bad-record test's store, its records and its world, in a fixture so
 * that a failing check still frees them (ASan reports leaks). */
struct bad_fixture {
	avnm_storage *store;
	struct recs rs;
	char *world;
};

static int bad_setup(void **state)
{
	struct bad_fixture *b = calloc(1, sizeof *b);
	if (!b) return -1;
	*state = b;
	b->store = world_store();
	if (b->store->load(b->store->opaque, collect, &b->rs) != 0) return -1;
	avnm_ctx *ctx = open_ok(b->store);
	b->world = world_dump(ctx);
	avnm_ctx_free(ctx);
	return b->world ? 0 : -1;
}

static int bad_teardown(void **state)
{
	struct bad_fixture *b = *state;
	recs_free(&b->rs);
	free(b->world);
	avnm_memstore_free(b->store);
	free(b);
	return 0;
}

static void test_bad_records(void **state)
{
	struct bad_fixture *b = *state;
	avnm_storage *store = b->store;
	const struct recs *rs = &b->rs;
	unsigned char buf[8192];

	/* an unknown kind of record */
	assert_bad_record(store, "X nonsense", "\x01X", 2, NULL, b->world);

	/* a subscription record under another subscription's key: the key must name
	 * the object its value describes */
	const struct rec *sub = find_rec(rs, "D s/c0000000-0000-0000-0000-000000000001");
	assert_bad_record(store, "D s/e0000000-0000-0000-0000-00000000000e", sub->val, sub->vlen, NULL,
	                  b->world);

	/* a tenant under a key that is not a canonical (lower-case) GUID */
	const struct rec *ten = find_rec(rs, "T 11111111-1111-1111-1111-111111111111");
	assert_bad_record(store, "T DDDDDDDD-DDDD-DDDD-DDDD-DDDDDDDDDDDD", ten->val, ten->vlen, NULL,
	                  b->world);

	/* a hub connection Connected with consent whose record says by implied consent
	 * (R4.5), though its manager is not at home in its tenant: the state follows from
	 * the stored world, the reason does not (a hub record ends in its state, its
	 * reason and the number of conflicts, one byte each here) */
	size_t nconsent = 0;
	for (size_t i = 0; i < rs->n; i++) {
		const struct rec *r = &rs->r[i];
		if (r->key[0] != 'H' || r->vlen < 3 || r->vlen > sizeof buf ||
		    memcmp(r->val + r->vlen - 3, "\x02\x01\x00", 3) != 0)
			continue;
		memcpy(buf, r->val, r->vlen);
		buf[r->vlen - 2] = AVNM_REASON_CONNECTED_IMPLIED;
		assert_bad_record(store, r->key, buf, r->vlen, r, b->world);
		nconsent++;
	}
	assert_true(nconsent > 0);

	/* every record of the world, damaged three ways: its value cut by a byte,
	 * a byte of garbage appended, an unknown format version */
	for (size_t i = 0; i < rs->n; i++) {
		const struct rec *r = &rs->r[i];
		assert_true(r->vlen + 1 <= sizeof buf && r->vlen >= 2);
		memcpy(buf, r->val, r->vlen);
		assert_bad_record(store, r->key, buf, r->vlen - 1, r, b->world);
		buf[r->vlen] = 0;
		assert_bad_record(store, r->key, buf, r->vlen + 1, r, b->world);
		buf[0] ^= 0x40;
		assert_bad_record(store, r->key, buf, r->vlen, r, b->world);
	}
	print_message("bad records: %zu hand-made, and %zu stored records damaged 3 ways each\n",
	              3 + nconsent, rs->n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_run_reopens),
		cmocka_unit_test(test_failed_subscriptions),
		cmocka_unit_test(test_load_failure),
		cmocka_unit_test(test_bad_backend),
		cmocka_unit_test_setup_teardown(test_bad_records, bad_setup, bad_teardown),
		cmocka_unit_test(test_fault_at_every_call),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
