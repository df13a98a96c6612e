/*
 * test-sqlite: checks of the SQLite storage adapter (avnm-sqlite.c) through
 * the public API only. Plain C: the first check that does not hold prints
 * where and exits 1 (the temporary directory is removed all the same).
 *
 *  1. A world built through the API, closed and reopened from the database,
 *     dumps byte-identically, and the database holds exactly the records the
 *     memory backend receives for the same world.
 *  2. Backend failures (the database locked by another connection, a failing
 *     put after a successful one, a failing commit, another connection
 *     committing under the context) are AVNM_E_STORAGE and change neither
 *     the context's world nor the database.
 *  3. load stops at the record callback's first non-zero return and returns it.
 *  4. Open refuses what is not a libavnm database: not SQLite, a foreign
 *     SQLite database, an unknown database format, a damaged record.
 */
#include "avnm-sqlite.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONTOSO "11111111-1111-1111-1111-111111111111"
#define FABRIKAM "22222222-2222-2222-2222-222222222222"
#define NORTHWIND "33333333-3333-3333-3333-333333333333"
#define TAILSPIN "44444444-4444-4444-4444-444444444444"
#define WINGTIP "55555555-5555-5555-5555-555555555555"
#define CSUB "c0000000-0000-0000-0000-000000000001"
#define FSUB "f0000000-0000-0000-0000-000000000001"
#define MGPROD "/providers/Microsoft.Management/managementGroups/mg-prod"
#define NM "/subscriptions/" CSUB "/resourceGroups/rg-avnm" \
	"/providers/Microsoft.Network/networkManagers/nm-central"
#define NM2 "/subscriptions/" CSUB "/resourceGroups/rg-avnm" \
	"/providers/Microsoft.Network/networkManagers/nm-other"
#define HOMEVNET "/subscriptions/" CSUB "/resourceGroups/rg-hub" \
	"/providers/Microsoft.Network/virtualNetworks/vnet-hub"
#define FABVNET "/subscriptions/" FSUB "/resourceGroups/rg-net" \
	"/providers/Microsoft.Network/virtualNetworks/vnet-app"
#define HUB_KEY "H " FABRIKAM "/from-nm"

/* ---- checks --------------------------------------------------------------------- */

static char tmpdir[4096];
static const char *const tmpfiles[] = { "world.sqlite", "world.sqlite-wal", "world.sqlite-shm",
	                                "other.sqlite", "other.sqlite-wal", "other.sqlite-shm",
	                                "notadb" };

static void cleanup(void)
{
	char path[4200];
	if (!tmpdir[0])
		return;
	for (size_t i = 0; i < sizeof tmpfiles / sizeof tmpfiles[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", tmpdir, tmpfiles[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3), noreturn))
#endif
static void die(int line, const char *fmt, ...);
static void die(int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "test-sqlite.c:%d: ", line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond))                                                          \
			die(__LINE__, "check failed: %s", #cond);                     \
	} while (0)

/* A library call on ctx that must succeed. */
#define OK(ctx, call)                                                                 \
	do {                                                                          \
		int rc_ = (call);                                                     \
		if (rc_ != AVNM_OK)                                                   \
			die(__LINE__, "%s: %s: %s", #call, avnm_error_name(rc_),     \
			    avnm_errmsg(ctx));                                        \
	} while (0)

/* A library call on ctx that must fail with code, its message containing text. */
#define FAILS(ctx, code, text, call)                                                  \
	do {                                                                          \
		int rc_ = (call);                                                     \
		if (rc_ != (code) || avnm_errcode(ctx) != (code) ||                   \
		    !strstr(avnm_errmsg(ctx), (text)))                                \
			die(__LINE__, "%s: expected %s with \"%s\", got %s: %s", #call, \
			    avnm_error_name(code), (text), avnm_error_name(rc_),        \
			    avnm_errmsg(ctx));                                        \
	} while (0)

static char *path_of(const char *name)
{
	static char paths[4][4200];
	static size_t next;
	char *p = paths[next++ % 4];
	snprintf(p, sizeof paths[0], "%s/%s", tmpdir, name);
	return p;
}

/* ---- growing strings --------------------------------------------------------------- */

struct str {
	char *p;
	size_t len, cap;
};

static void str_add(struct str *s, const char *data, size_t n)
{
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 256;
		while (cap < s->len + n + 1)
			cap *= 2;
		char *p = realloc(s->p, cap);
		CHECK(p != NULL);
		s->p = p;
		s->cap = cap;
	}
	if (n) memcpy(s->p + s->len, data, n);
	s->len += n;
	s->p[s->len] = '\0';
}

static void str_hex(struct str *s, const void *data, size_t n)
{
	const unsigned char *b = data;
	char two[3];
	for (size_t i = 0; i < n; i++) {
		snprintf(two, sizeof two, "%02x", b[i]);
		str_add(s, two, 2);
	}
}

/* ---- the world ------------------------------------------------------------------------ */

static avnm_scope *scope_of(const char *item)
{
	avnm_scope *sc = NULL;
	CHECK(avnm_scope_new(&sc, NULL) == AVNM_OK);
	CHECK(avnm_scope_add(sc, item) == AVNM_OK);
	return sc;
}

static avnm_state sconn_state(avnm_ctx *ctx, const char *mgr, const char *name)
{
	avnm_state st = AVNM_STATE_NONE;
	OK(ctx, avnm_scope_connection_state(&st, NULL, ctx, mgr, name));
	return st;
}

/* Tenants, subscriptions, a management group, networks, a principal with a
 * guest account and a role, a manager Connected to Fabrikam, a second one in
 * Conflict (sticky, with its detail), a group with members and a condition. */
static void build_world(avnm_ctx *ctx)
{
	avnm_scope *local = scope_of("/subscriptions/" CSUB);
	avnm_scope *prod = scope_of(MGPROD);
	const avnm_tag home_tags[] = { { "env", "prod" } };
	const avnm_tag fab_tags[] = { { "env", "prod" }, { "Tier", "Web" } };

	OK(ctx, avnm_tenant_create(ctx, CONTOSO, "Contoso"));
	OK(ctx, avnm_tenant_create(ctx, FABRIKAM, NULL));
	OK(ctx, avnm_subscription_create(ctx, CONTOSO, CSUB, NULL));
	OK(ctx, avnm_mg_create(ctx, FABRIKAM, "mg-prod", NULL));
	OK(ctx, avnm_subscription_create(ctx, FABRIKAM, FSUB, "mg-prod"));
	OK(ctx, avnm_vnet_create(ctx, HOMEVNET, "westeurope", home_tags, 1));
	OK(ctx, avnm_vnet_create(ctx, FABVNET, NULL, fab_tags, 2));
	OK(ctx, avnm_principal_create(ctx, "alice", CONTOSO));
	OK(ctx, avnm_guest_add(ctx, "alice", FABRIKAM));
	OK(ctx, avnm_role_assign(ctx, "alice", AVNM_ROLE_NETWORK_CONTRIBUTOR, MGPROD, FABRIKAM));

	OK(ctx, avnm_manager_create(ctx, NULL, NM,
	                            AVNM_ACCESS_CONNECTIVITY | AVNM_ACCESS_SECURITY_ADMIN, local));
	OK(ctx, avnm_scope_connection_create(ctx, NULL, NM, "to-prod", FABRIKAM, prod));
	OK(ctx, avnm_hub_connection_create(ctx, NULL, FABRIKAM, "from-nm", prod, NM));
	CHECK(sconn_state(ctx, NM, "to-prod") == AVNM_STATE_CONNECTED);

	OK(ctx, avnm_manager_create(ctx, NULL, NM2, AVNM_ACCESS_CONNECTIVITY, NULL));
	OK(ctx, avnm_scope_connection_create(ctx, NULL, NM2, "to-prod", FABRIKAM, prod));
	OK(ctx, avnm_hub_connection_create(ctx, NULL, FABRIKAM, "from-other", prod, NM2));
	CHECK(sconn_state(ctx, NM2, "to-prod") == AVNM_STATE_CONFLICT);

	OK(ctx, avnm_group_create(ctx, NULL, NM, "prod", AVNM_MEMBER_VIRTUAL_NETWORK));
	OK(ctx, avnm_member_add(ctx, NULL, NM, "prod", FABVNET));
	OK(ctx, avnm_member_add(ctx, NULL, NM, "prod", HOMEVNET));
	OK(ctx, avnm_group_condition_add(ctx, NULL, NM, "prod", home_tags, 1));

	avnm_scope_free(local);
	avnm_scope_free(prod);
}

/* ---- helpers over contexts and databases ----------------------------------------------- */

static void open_sqlite(avnm_storage **st, avnm_ctx **ctx, const char *path)
{
	char msg[512];
	int rc = avnm_sqlite_open(st, path, msg, sizeof msg);
	if (rc != AVNM_OK)
		die(__LINE__, "avnm_sqlite_open(%s): %s: %s", path, avnm_error_name(rc), msg);
	rc = avnm_ctx_open(ctx, NULL, *st, msg, sizeof msg);
	if (rc != AVNM_OK)
		die(__LINE__, "avnm_ctx_open(%s): %s: %s", path, avnm_error_name(rc), msg);
}

/* The dump of ctx, as a string of our own. */
static char *dump(avnm_ctx *ctx)
{
	char *d = NULL;
	size_t len = 0;
	OK(ctx, avnm_ctx_dump(&d, &len, ctx));
	CHECK(strlen(d) == len);
	char *copy = malloc(len + 1);
	CHECK(copy != NULL);
	memcpy(copy, d, len + 1);
	avnm_free(ctx, d);
	return copy;
}

/* The records table as read by a connection of its own: "key=hex\n" lines. */
static char *rows(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	struct str s = { NULL, 0, 0 };
	CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(db, "SELECT key, value FROM records ORDER BY key", -1, &stmt,
	                         NULL) == SQLITE_OK);
	str_add(&s, "", 0);
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const unsigned char *k = sqlite3_column_text(stmt, 0);
		size_t kl = (size_t)sqlite3_column_bytes(stmt, 0);
		CHECK(sqlite3_column_type(stmt, 1) == SQLITE_BLOB);
		const void *v = sqlite3_column_blob(stmt, 1);
		size_t vl = (size_t)sqlite3_column_bytes(stmt, 1);
		str_add(&s, (const char *)k, kl);
		str_add(&s, "=", 1);
		str_hex(&s, v, vl);
		str_add(&s, "\n", 1);
	}
	CHECK(rc == SQLITE_DONE);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return s.p;
}

/* Run sql on a connection of its own (no rows expected). */
static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(__LINE__, "%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* Every record a backend's load gives, "key=hex" lines sorted. */
struct collected {
	char **lines;
	size_t n, cap;
	int stop_at; /* 0: never; else return stop_rc at that call */
	int stop_rc;
	int calls;
};

static int collect(void *cookie, const char *key, size_t klen, const void *value, size_t vlen)
{
	struct collected *c = cookie;
	c->calls++;
	if (c->stop_at && c->calls == c->stop_at)
		return c->stop_rc;
	if (c->stop_at)
		return 0;
	struct str s = { NULL, 0, 0 };
	str_add(&s, key, klen);
	str_add(&s, "=", 1);
	str_hex(&s, value, vlen);
	str_add(&s, "\n", 1);
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->lines = realloc(c->lines, c->cap * sizeof *c->lines);
		CHECK(c->lines != NULL);
	}
	c->lines[c->n++] = s.p;
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *records_of(const avnm_storage *st)
{
	struct collected c = { NULL, 0, 0, 0, 0, 0 };
	CHECK(st->load(st->opaque, collect, &c) == AVNM_OK);
	qsort(c.lines, c.n, sizeof *c.lines, cmp_line);
	struct str s = { NULL, 0, 0 };
	str_add(&s, "", 0);
	for (size_t i = 0; i < c.n; i++) {
		str_add(&s, c.lines[i], strlen(c.lines[i]));
		free(c.lines[i]);
	}
	free(c.lines);
	return s.p;
}

/* ---- a backend that fails on demand ------------------------------------------------------ */

/* Forwards to an inner backend; fails the fail_op-th put or delete of the next
 * transaction, or its commit (after rolling the inner one back, as commit must
 * leave nothing behind). */
struct faulty {
	avnm_storage st;
	const avnm_storage *inner;
	int ops, fail_op, fail_commit;
};

static int f_load(void *o, avnm_record_fn fn, void *cookie)
{
	const avnm_storage *in = ((struct faulty *)o)->inner;
	return in->load(in->opaque, fn, cookie);
}

static int f_begin(void *o)
{
	struct faulty *f = o;
	f->ops = 0;
	return f->inner->begin(f->inner->opaque);
}

static int f_put(void *o, const char *k, size_t kl, const void *v, size_t vl)
{
	struct faulty *f = o;
	if (++f->ops == f->fail_op)
		return AVNM_E_STORAGE;
	return f->inner->put(f->inner->opaque, k, kl, v, vl);
}

static int f_del(void *o, const char *k, size_t kl)
{
	struct faulty *f = o;
	if (++f->ops == f->fail_op)
		return AVNM_E_STORAGE;
	return f->inner->del(f->inner->opaque, k, kl);
}

static int f_commit(void *o)
{
	struct faulty *f = o;
	if (f->fail_commit) {
		f->inner->rollback(f->inner->opaque);
		return AVNM_E_STORAGE;
	}
	return f->inner->commit(f->inner->opaque);
}

static int f_rollback(void *o)
{
	struct faulty *f = o;
	return f->inner->rollback(f->inner->opaque);
}

static const char *f_errmsg(void *o)
{
	struct faulty *f = o;
	if (f->fail_commit || (f->fail_op && f->ops == f->fail_op))
		return "injected failure";
	return f->inner->errmsg(f->inner->opaque);
}

/* ---- the tests --------------------------------------------------------------------------- */

/* 1: build, close, reopen: the same world, and the records the library wrote. */
static void test_reopen(void)
{
	const char *path = path_of("world.sqlite");
	avnm_storage *st;
	avnm_ctx *ctx;
	open_sqlite(&st, &ctx, path);
	build_world(ctx);
	char *before = dump(ctx);
	avnm_ctx_free(ctx);
	avnm_sqlite_close(st);

	open_sqlite(&st, &ctx, path);
	char *after = dump(ctx);
	if (strcmp(before, after) != 0)
		die(__LINE__, "the reopened world differs:\n--- before\n%s--- after\n%s", before,
		    after);
	CHECK(sconn_state(ctx, NM, "to-prod") == AVNM_STATE_CONNECTED);
	CHECK(sconn_state(ctx, NM2, "to-prod") == AVNM_STATE_CONFLICT);

	/* The same world in the memory backend: the same records, byte for byte,
	 * in the backend and in the file. */
	avnm_storage *mem;
	avnm_ctx *mctx;
	char msg[512];
	CHECK(avnm_memstore_new(&mem) == AVNM_OK);
	CHECK(avnm_ctx_open(&mctx, NULL, mem, msg, sizeof msg) == AVNM_OK);
	build_world(mctx);
	char *mdump = dump(mctx);
	CHECK(strcmp(mdump, before) == 0);
	char *mrecs = records_of(mem);
	char *srecs = records_of(st);
	char *file = rows(path);
	CHECK(strcmp(mrecs, srecs) == 0);
	CHECK(strcmp(mrecs, file) == 0);
	CHECK(strstr(file, "\n" HUB_KEY "=") != NULL);

	free(mdump);
	free(mrecs);
	free(srecs);
	free(file);
	avnm_ctx_free(mctx);
	avnm_memstore_free(mem);
	free(before);
	free(after);
	avnm_ctx_free(ctx);
	avnm_sqlite_close(st);
}

/* 2a: another connection holds the write lock: begin fails. */
static void test_locked(void)
{
	const char *path = path_of("world.sqlite");
	avnm_storage *st;
	avnm_ctx *ctx;
	open_sqlite(&st, &ctx, path);
	CHECK(avnm_sqlite_set_busy_timeout(st, 50) == AVNM_OK);
	CHECK(avnm_sqlite_set_busy_timeout(st, -1) == AVNM_E_INVALID_ARGUMENT);
	char *world = dump(ctx), *file = rows(path);

	sqlite3 *other = NULL;
	CHECK(sqlite3_open(path, &other) == SQLITE_OK);
	CHECK(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK);
	FAILS(ctx, AVNM_E_STORAGE, "database is locked",
	      avnm_tenant_create(ctx, NORTHWIND, "Northwind"));
	FAILS(ctx, AVNM_E_STORAGE, "storage begin failed",
	      avnm_hub_connection_delete(ctx, NULL, FABRIKAM, "from-nm"));
	char *world2 = dump(ctx);
	CHECK(strcmp(world, world2) == 0);
	CHECK(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(other);
	char *file2 = rows(path);
	CHECK(strcmp(file, file2) == 0);

	/* the lock is gone: the same change goes through */
	OK(ctx, avnm_tenant_create(ctx, NORTHWIND, "Northwind"));
	char *file3 = rows(path);
	CHECK(strstr(file3, "\nT " NORTHWIND "=") != NULL);

	free(world);
	free(world2);
	free(file);
	free(file2);
	free(file3);
	avnm_ctx_free(ctx);
	avnm_sqlite_close(st);
}

/* 2b: a put or delete fails after another one went into the SQLite
 * transaction, or the commit fails: all of it is rolled back. */
static void test_faults(void)
{
	const char *path = path_of("world.sqlite");
	avnm_storage *st;
	char msg[512];
	CHECK(avnm_sqlite_open(&st, path, msg, sizeof msg) == AVNM_OK);
	struct faulty f = { AVNM_STORAGE_INIT, st, 0, 0, 0 };
	f.st.opaque = &f;
	f.st.load = f_load;
	f.st.begin = f_begin;
	f.st.put = f_put;
	f.st.del = f_del;
	f.st.commit = f_commit;
	f.st.rollback = f_rollback;
	f.st.errmsg = f_errmsg;
	avnm_ctx *ctx;
	CHECK(avnm_ctx_open(&ctx, NULL, &f.st, msg, sizeof msg) == AVNM_OK);
	char *world = dump(ctx), *file = rows(path);

	/* Deleting the hub deletes its record and rewrites its Revoked
	 * counterpart: at least two operations, the second one fails. */
	f.fail_op = 2;
	FAILS(ctx, AVNM_E_STORAGE, "storage ",
	      avnm_hub_connection_delete(ctx, NULL, FABRIKAM, "from-nm"));
	CHECK(f.ops == 2);
	FAILS(ctx, AVNM_E_STORAGE, "injected failure",
	      avnm_hub_connection_delete(ctx, NULL, FABRIKAM, "from-nm"));
	char *world2 = dump(ctx), *file2 = rows(path);
	CHECK(strcmp(world, world2) == 0);
	CHECK(strcmp(file, file2) == 0);
	CHECK(sconn_state(ctx, NM, "to-prod") == AVNM_STATE_CONNECTED);

	f.fail_op = 0;
	f.fail_commit = 1;
	FAILS(ctx, AVNM_E_STORAGE, "storage commit failed: injected failure",
	      avnm_hub_connection_delete(ctx, NULL, FABRIKAM, "from-nm"));
	char *world3 = dump(ctx), *file3 = rows(path);
	CHECK(strcmp(world, world3) == 0);
	CHECK(strcmp(file, file3) == 0);
	CHECK(sconn_state(ctx, NM, "to-prod") == AVNM_STATE_CONNECTED);

	/* without faults the change is made, in memory and in the file */
	f.fail_commit = 0;
	OK(ctx, avnm_hub_connection_delete(ctx, NULL, FABRIKAM, "from-nm"));
	CHECK(sconn_state(ctx, NM, "to-prod") == AVNM_STATE_REVOKED);
	char *world4 = dump(ctx), *file4 = rows(path);
	CHECK(strstr(file4, "\n" HUB_KEY "=") == NULL);
	avnm_ctx_free(ctx);

	avnm_ctx *again;
	CHECK(avnm_ctx_open(&again, NULL, st, msg, sizeof msg) == AVNM_OK);
	char *world5 = dump(again);
	CHECK(strcmp(world4, world5) == 0);
	avnm_ctx_free(again);
	avnm_sqlite_close(st);

	free(world);
	free(world2);
	free(world3);
	free(world4);
	free(world5);
	free(file);
	free(file2);
	free(file3);
	free(file4);
}

/* 2c: another connection commits under an open context: that context's next
 * change is refused rather than written on top of a world it never saw. */
static void test_stale(void)
{
	const char *path = path_of("world.sqlite");
	avnm_storage *st1, *st2;
	avnm_ctx *ctx1, *ctx2;
	open_sqlite(&st1, &ctx1, path);
	open_sqlite(&st2, &ctx2, path);
	char *world1 = dump(ctx1);

	OK(ctx2, avnm_tenant_create(ctx2, TAILSPIN, NULL));
	char *file = rows(path);
	FAILS(ctx1, AVNM_E_STORAGE, "changed by another connection",
	      avnm_tenant_create(ctx1, WINGTIP, NULL));
	char *world1b = dump(ctx1), *fileb = rows(path);
	CHECK(strcmp(world1, world1b) == 0);
	CHECK(strcmp(file, fileb) == 0);
	/* ctx2 goes on: its own commits do not make it stale */
	OK(ctx2, avnm_tenant_create(ctx2, WINGTIP, NULL));
	char *world2 = dump(ctx2);
	avnm_ctx_free(ctx1);
	avnm_ctx_free(ctx2);
	avnm_sqlite_close(st2);

	/* reopened, the first connection sees both */
	CHECK(avnm_ctx_open(&ctx1, NULL, st1, NULL, 0) == AVNM_OK);
	char *world1c = dump(ctx1);
	CHECK(strcmp(world1c, world2) == 0);
	CHECK(strstr(world1c, "T " TAILSPIN) != NULL);
	avnm_ctx_free(ctx1);
	avnm_sqlite_close(st1);

	free(world1);
	free(world1b);
	free(world1c);
	free(world2);
	free(file);
	free(fileb);
}

/* 3: the record callback stops loading; its code comes back. */
static void test_load_stops(void)
{
	const char *path = path_of("world.sqlite");
	avnm_storage *st;
	char msg[512];
	CHECK(avnm_sqlite_open(&st, path, msg, sizeof msg) == AVNM_OK);
	struct collected c = { NULL, 0, 0, 3, AVNM_E_CORRUPT, 0 };
	CHECK(st->load(st->opaque, collect, &c) == AVNM_E_CORRUPT);
	CHECK(c.calls == 3);
	CHECK(strstr(st->errmsg(st->opaque), "callback") != NULL);
	struct collected d = { NULL, 0, 0, 1, 7, 0 };
	CHECK(st->load(st->opaque, collect, &d) == 7);
	CHECK(d.calls == 1);
	/* no read transaction was left open: a context still opens and writes */
	avnm_ctx *ctx;
	CHECK(avnm_ctx_open(&ctx, NULL, st, msg, sizeof msg) == AVNM_OK);
	OK(ctx, avnm_principal_create(ctx, "bob", FABRIKAM));
	avnm_ctx_free(ctx);

	/* a callback outside a transaction is refused */
	CHECK(st->put(st->opaque, "T x", 3, "\1T", 2) == AVNM_E_STORAGE);
	CHECK(strstr(st->errmsg(st->opaque), "no transaction") != NULL);
	CHECK(st->del(st->opaque, "T x", 3) == AVNM_E_STORAGE);
	CHECK(st->rollback(st->opaque) == AVNM_OK);
	/* begin twice */
	CHECK(st->begin(st->opaque) == AVNM_OK);
	CHECK(st->begin(st->opaque) == AVNM_E_STORAGE);
	CHECK(st->rollback(st->opaque) == AVNM_OK);
	avnm_sqlite_close(st);
}

/* 4: what open and avnm_ctx_open refuse. */
static void test_refused(void)
{
	avnm_storage *st = (avnm_storage *)&st;
	char msg[512];

	CHECK(avnm_sqlite_open(&st, NULL, msg, sizeof msg) == AVNM_E_INVALID_ARGUMENT);
	CHECK(st == NULL);
	CHECK(avnm_sqlite_open(&st, "", NULL, 0) == AVNM_E_INVALID_ARGUMENT);
	CHECK(avnm_sqlite_open(NULL, "x", NULL, 0) == AVNM_E_INVALID_ARGUMENT);
	avnm_sqlite_close(NULL);

	/* not a SQLite file */
	const char *notadb = path_of("notadb");
	FILE *fp = fopen(notadb, "w");
	CHECK(fp != NULL);
	for (int i = 0; i < 100; i++)
		fputs("this is not a database, only text that fills a page.\n", fp);
	CHECK(fclose(fp) == 0);
	CHECK(avnm_sqlite_open(&st, notadb, msg, sizeof msg) == AVNM_E_CORRUPT);
	CHECK(st == NULL && strstr(msg, notadb) != NULL);

	/* a SQLite database of something else */
	const char *other = path_of("other.sqlite");
	raw_exec(other, "CREATE TABLE things(x)");
	CHECK(avnm_sqlite_open(&st, other, msg, sizeof msg) == AVNM_E_CORRUPT);
	CHECK(strstr(msg, "not a libavnm one") != NULL);
	unlink(other);

	/* a database format from the future */
	CHECK(avnm_sqlite_open(&st, other, msg, sizeof msg) == AVNM_OK);
	avnm_sqlite_close(st);
	raw_exec(other, "UPDATE meta SET value = 2 WHERE name = 'format'");
	CHECK(avnm_sqlite_open(&st, other, msg, sizeof msg) == AVNM_E_UNSUPPORTED);
	CHECK(strstr(msg, "format 2") != NULL);
	raw_exec(other, "UPDATE meta SET value = 1 WHERE name = 'format'");

	/* a damaged record: the library names it */
	raw_exec(other, "INSERT INTO records VALUES('T 1234', x'0154')");
	avnm_ctx *ctx = NULL;
	CHECK(avnm_sqlite_open(&st, other, msg, sizeof msg) == AVNM_OK);
	CHECK(avnm_ctx_open(&ctx, NULL, st, msg, sizeof msg) == AVNM_E_CORRUPT);
	CHECK(ctx == NULL && strstr(msg, "T 1234") != NULL);
	avnm_sqlite_close(st);

	/* a value of another record format version */
	raw_exec(other, "UPDATE records SET key = 'T " CONTOSO "', value = x'025400'");
	CHECK(avnm_sqlite_open(&st, other, msg, sizeof msg) == AVNM_OK);
	CHECK(avnm_ctx_open(&ctx, NULL, st, msg, sizeof msg) == AVNM_E_CORRUPT);
	CHECK(strstr(msg, "format version") != NULL);
	avnm_sqlite_close(st);

	/* the same record in its valid form loads */
	raw_exec(other, "UPDATE records SET value = x'01540000'");
	CHECK(avnm_sqlite_open(&st, other, msg, sizeof msg) == AVNM_OK);
	CHECK(avnm_ctx_open(&ctx, NULL, st, msg, sizeof msg) == AVNM_OK);
	avnm_ctx_free(ctx);
	avnm_sqlite_close(st);
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/avnm-sqlite-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	atexit(cleanup);

	test_reopen();
	test_locked();
	test_faults();
	test_stale();
	test_load_stops();
	test_refused();
	puts("test-sqlite: all checks passed");
	return 0;
}
