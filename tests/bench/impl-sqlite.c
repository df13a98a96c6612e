/*
 * The same world and the same questions in an in-memory SQLite database, built
 * the way a competent team would build it instead of libavnm:
 *
 *  - ids are canonicalised at the edge (validated, ASCII-lower-cased) in C, and
 *    stored as text keys of WITHOUT ROWID tables;
 *  - the management-group hierarchy is a closure table, so "everything above this
 *    subscription" is one index range, not a recursive query; its key
 *    (descendant, level) is unique in a tree and keeps the ancestors in
 *    root-first order, so precedence (R3.4) needs no sort;
 *  - what each manager holds directly (R3.3) is materialised in `holding`, kept
 *    in step with connection states, so a question is two index lookups per
 *    level of the chain;
 *  - a scope (a set of items, R1.6) is stored as its canonical text, sorted item
 *    keys joined by newlines, so matching a scope connection with a hub
 *    connection (R4.2) is one lookup in a unique index;
 *  - every statement is prepared once; every bulk phase is one transaction;
 *    journal off, synchronous off, temp store in memory, no per-connection mutex
 *    (the benchmark is single-threaded), no memory statistics.
 *
 * It implements the subset of the rules the benchmark exercises (R2, R3.3,
 * R4.2-R4.4, R4.7, R5.2), with the existence and uniqueness checks libavnm makes
 * on the same calls. Its memory goes through the same counting allocator as
 * libavnm's, via SQLITE_CONFIG_MALLOC.
 */
#include "bench.h"

#include <avnm.h> /* only for the access bits and state values, to share the world */
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* ---- memory: SQLite's allocator hooks on the counting allocator ----------------- */

static struct counter sq_mem;

static void *sq_malloc(int n)
{
	return counter_alloc(&sq_mem, (size_t)n);
}
static void sq_free(void *p)
{
	counter_free(&sq_mem, p);
}
static void *sq_realloc(void *p, int n)
{
	return counter_realloc(&sq_mem, p, (size_t)n);
}
static int sq_size(void *p)
{
	return p ? (int)counter_size(p) : 0;
}
static int sq_roundup(int n)
{
	return (n + 7) & ~7;
}
static int sq_init(void *unused)
{
	(void)unused;
	return SQLITE_OK;
}
static void sq_shutdown(void *unused)
{
	(void)unused;
}

/* ---- the schema and the statements ---------------------------------------------- */

static const char schema[] =
	"PRAGMA journal_mode=OFF;"
	"PRAGMA synchronous=OFF;"
	"PRAGMA temp_store=MEMORY;"
	"PRAGMA foreign_keys=ON;"
	"CREATE TABLE tenant(id TEXT PRIMARY KEY) WITHOUT ROWID;"
	/* Management groups ('<tenant>/<mg id>': group ids are unique per tenant
	 * only, R2.7) and subscriptions ('<guid>'). */
	"CREATE TABLE node(key TEXT PRIMARY KEY,"
	"  tenant TEXT NOT NULL REFERENCES tenant(id),"
	"  parent TEXT,"
	"  level INTEGER NOT NULL) WITHOUT ROWID;"
	/* Every (descendant, ancestor) pair including (x, x); level is the
	 * ancestor's distance from the root. */
	"CREATE TABLE closure(descendant TEXT NOT NULL, level INTEGER NOT NULL,"
	"  ancestor TEXT NOT NULL,"
	"  PRIMARY KEY(descendant, level)) WITHOUT ROWID;"
	"CREATE TABLE vnet(id TEXT PRIMARY KEY,"
	"  sub TEXT NOT NULL REFERENCES node(key)) WITHOUT ROWID;"
	"CREATE TABLE manager(id TEXT PRIMARY KEY,"
	"  tenant TEXT NOT NULL REFERENCES tenant(id),"
	"  accesses INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE scope_conn(manager TEXT NOT NULL REFERENCES manager(id), name TEXT NOT NULL,"
	"  tenant TEXT NOT NULL, scope TEXT NOT NULL, state INTEGER NOT NULL,"
	"  PRIMARY KEY(manager, name)) WITHOUT ROWID;"
	/* R4.9: one per (manager, tenant, scope); also the matching lookup (R4.2). */
	"CREATE UNIQUE INDEX scope_conn_pair ON scope_conn(tenant, manager, scope);"
	/* The manager need not exist (R4.11): no foreign key. */
	"CREATE TABLE hub_conn(tenant TEXT NOT NULL, name TEXT NOT NULL,"
	"  manager TEXT NOT NULL, scope TEXT NOT NULL, state INTEGER NOT NULL,"
	"  PRIMARY KEY(tenant, name)) WITHOUT ROWID;"
	"CREATE UNIQUE INDEX hub_conn_pair ON hub_conn(tenant, manager, scope);"
	/* Direct holdings (R3.3): conn '' is the local scope, else the Connected
	 * scope connection that brought the item. accesses is the manager's,
	 * copied so that conflict checks and questions need no join. */
	"CREATE TABLE holding(item TEXT NOT NULL, manager TEXT NOT NULL, conn TEXT NOT NULL,"
	"  accesses INTEGER NOT NULL,"
	"  PRIMARY KEY(item, manager, conn)) WITHOUT ROWID;"
	"CREATE INDEX holding_conn ON holding(manager, conn);"
	"CREATE TABLE grp(manager TEXT NOT NULL REFERENCES manager(id), name TEXT NOT NULL,"
	"  PRIMARY KEY(manager, name)) WITHOUT ROWID;"
	/* sub is the member network's subscription (part of its id, so it never
	 * changes): effective membership joins from it without visiting vnet. */
	"CREATE TABLE member(manager TEXT NOT NULL, grp TEXT NOT NULL, vnet TEXT NOT NULL,"
	"  sub TEXT NOT NULL,"
	"  PRIMARY KEY(manager, grp, vnet),"
	"  FOREIGN KEY(manager, grp) REFERENCES grp(manager, name)) WITHOUT ROWID;";

enum stmt {
	S_BEGIN,
	S_COMMIT,
	S_TENANT_INS,
	S_ROOT_INS,
	S_NODE_INS,
	S_CLOSURE_SELF,
	S_CLOSURE_UP,
	S_NODE_TENANT,
	S_VNET_INS,
	S_VNET_SUB,
	S_MANAGER_INS,
	S_MANAGER_GET,
	S_HOLD_CONFLICT,
	S_HOLD_INS,
	S_HOLD_DEL_CONN,
	S_SC_INS,
	S_SC_MATCH,
	S_SC_STATE_SET,
	S_SC_STATE_GET,
	S_HC_INS,
	S_HC_MATCH,
	S_HC_STATE_SET,
	S_HC_STATE_GET,
	S_HC_GET,
	S_HC_DEL,
	S_CAN_MANAGE,
	S_MANAGERS_OF,
	S_GROUP_INS,
	S_GROUP_GET,
	S_MEMBER_INS,
	S_MEMBERS,
	NSTMTS
};

static const char *const sql[NSTMTS] = {
	[S_BEGIN] = "BEGIN",
	[S_COMMIT] = "COMMIT",
	[S_TENANT_INS] = "INSERT INTO tenant(id) VALUES(?1)",
	[S_ROOT_INS] = "INSERT INTO node(key, tenant, parent, level) VALUES(?1, ?2, NULL, 0)",
	/* The parent must exist in the same tenant; the new level comes back. */
	[S_NODE_INS] = "INSERT INTO node(key, tenant, parent, level)"
	               " SELECT ?1, ?2, p.key, p.level + 1 FROM node p WHERE p.key = ?3 AND p.tenant = ?2"
	               " RETURNING level",
	[S_CLOSURE_SELF] = "INSERT INTO closure(descendant, level, ancestor) VALUES(?1, ?2, ?1)",
	[S_CLOSURE_UP] = "INSERT INTO closure(descendant, level, ancestor)"
	                 " SELECT ?1, level, ancestor FROM closure WHERE descendant = ?2",
	[S_NODE_TENANT] = "SELECT tenant FROM node WHERE key = ?1",
	[S_VNET_INS] = "INSERT INTO vnet(id, sub) VALUES(?1, ?2)",
	[S_VNET_SUB] = "SELECT sub FROM vnet WHERE id = ?1",
	[S_MANAGER_INS] = "INSERT INTO manager(id, tenant, accesses) VALUES(?1, ?2, ?3)",
	[S_MANAGER_GET] = "SELECT accesses FROM manager WHERE id = ?1",
	[S_HOLD_CONFLICT] = "SELECT manager FROM holding"
	                    " WHERE item = ?1 AND manager <> ?2 AND (accesses & ?3) <> 0 LIMIT 1",
	[S_HOLD_INS] = "INSERT INTO holding(item, manager, conn, accesses) VALUES(?1, ?2, ?3, ?4)",
	[S_HOLD_DEL_CONN] = "DELETE FROM holding WHERE manager = ?1 AND conn = ?2",
	[S_SC_INS] = "INSERT INTO scope_conn(manager, name, tenant, scope, state)"
	             " VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_SC_MATCH] = "SELECT name, state FROM scope_conn"
	               " WHERE tenant = ?1 AND manager = ?2 AND scope = ?3",
	[S_SC_STATE_SET] = "UPDATE scope_conn SET state = ?3 WHERE manager = ?1 AND name = ?2",
	[S_SC_STATE_GET] = "SELECT state FROM scope_conn WHERE manager = ?1 AND name = ?2",
	[S_HC_INS] = "INSERT INTO hub_conn(tenant, name, manager, scope, state)"
	             " VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_HC_MATCH] = "SELECT name FROM hub_conn WHERE tenant = ?1 AND manager = ?2 AND scope = ?3",
	[S_HC_STATE_SET] = "UPDATE hub_conn SET state = ?3 WHERE tenant = ?1 AND name = ?2",
	[S_HC_STATE_GET] = "SELECT state FROM hub_conn WHERE tenant = ?1 AND name = ?2",
	[S_HC_GET] = "SELECT manager, scope FROM hub_conn WHERE tenant = ?1 AND name = ?2",
	[S_HC_DEL] = "DELETE FROM hub_conn WHERE tenant = ?1 AND name = ?2",
	/* An unknown manager gives no row (an error, as in libavnm). */
	[S_CAN_MANAGE] = "SELECT (m.accesses & ?3) <> 0 AND EXISTS("
	                 "  SELECT 1 FROM closure c JOIN holding h"
	                 "    ON h.item = c.ancestor AND h.manager = m.id"
	                 "  WHERE c.descendant = ?2)"
	                 " FROM manager m WHERE m.id = ?1",
	/* Root first (R3.4); a manager holding two items of the chain comes twice
	 * and the caller keeps the first. */
	[S_MANAGERS_OF] = "SELECT h.manager FROM closure c JOIN holding h ON h.item = c.ancestor"
	                  " WHERE c.descendant = ?1 AND (h.accesses & ?2) <> 0"
	                  " ORDER BY c.level",
	[S_GROUP_INS] = "INSERT INTO grp(manager, name) VALUES(?1, ?2)",
	[S_GROUP_GET] = "SELECT 1 FROM grp WHERE manager = ?1 AND name = ?2",
	[S_MEMBER_INS] = "INSERT INTO member(manager, grp, vnet, sub) VALUES(?1, ?2, ?3, ?4)",
	[S_MEMBERS] = "SELECT mb.vnet FROM member mb"
	              " WHERE mb.manager = ?1 AND mb.grp = ?2 AND EXISTS("
	              "  SELECT 1 FROM closure c JOIN holding h"
	              "    ON h.item = c.ancestor AND h.manager = ?1"
	              "  WHERE c.descendant = mb.sub)"
	              " ORDER BY mb.vnet",
};

struct db {
	sqlite3 *db;
	sqlite3_stmt *st[NSTMTS];
};

static int db_fail(struct db *d, const char *what)
{
	fprintf(stderr, "avnm-bench: sqlite: %s: %s\n", what, d->db ? sqlite3_errmsg(d->db) : "");
	return -1;
}

static int app_fail(const char *what, const char *id)
{
	fprintf(stderr, "avnm-bench: sqlite: %s: %s\n", what, id);
	return -1;
}

/* Take a statement for use: reset from its previous use. Bindings are all
 * replaced by the caller, so they need no clearing. */
static sqlite3_stmt *use(struct db *d, enum stmt s)
{
	sqlite3_reset(d->st[s]);
	return d->st[s];
}

static void bind_text(sqlite3_stmt *s, int i, const char *v, int n)
{
	sqlite3_bind_text(s, i, v, n, SQLITE_STATIC);
}

/* Run a statement that returns no rows (or whose rows do not matter). */
static int exec(struct db *d, sqlite3_stmt *s, const char *what)
{
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {}
	if (rc != SQLITE_DONE) return db_fail(d, what);
	return 0;
}

/* Step once: 1 with a row, 0 without, -1 on error. */
static int row(struct db *d, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) return 1;
	if (rc == SQLITE_DONE) return 0;
	return db_fail(d, what);
}

/* ---- the edge: ids canonicalised in C ---------------------------------------------- */

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* A GUID (R1.1) into out, lower case. */
static int canon_guid(char out[GUID_LEN + 1], const char *s, size_t n)
{
	if (n != GUID_LEN) return -1;
	for (size_t i = 0; i < n; i++) {
		char c = lower(s[i]);
		int dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return -1;
		out[i] = c;
	}
	out[n] = 0;
	return 0;
}

/* A name segment: letters, digits and -_.() (the union of R1.5's alphabets). */
static int canon_name(char *out, size_t cap, const char *s)
{
	size_t n = 0;
	for (; s[n]; n++) {
		char c = lower(s[n]);
		if (n + 1 >= cap) return -1;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
		      c == '(' || c == ')'))
			return -1;
		out[n] = c;
	}
	out[n] = 0;
	return n ? 0 : -1;
}

/* "/subscriptions/{guid}/resourceGroups/{rg}/providers/{ns}/{type}/{name}" with a
 * known namespace and type, in any letter case, leading '/' optional (R1.2-R1.4).
 * Canonical form (leading '/', lower case) into out; the subscription into sub. */
static int canon_arm(char *out, size_t cap, char sub[GUID_LEN + 1], const char *id,
                     const char *nstype)
{
	const char *seg[9];
	size_t len[9], n = 0, o = 0;
	const char *p = id + (id[0] == '/');
	if (!*p) return -1;
	while (n < 9) {
		const char *e = p;
		while (*e && *e != '/') e++;
		if (e == p) return -1;   /* empty segment or trailing '/' */
		seg[n] = p;
		len[n++] = (size_t)(e - p);
		if (!*e) break;
		p = e + 1;
	}
	if (n != 8 || p[len[7]] != 0) return -1;
	static const char *const fixed[] = { "subscriptions", NULL, "resourcegroups", NULL, "providers" };
	for (size_t i = 0; i < 5; i++)
		if (fixed[i] && (len[i] != strlen(fixed[i]) || strncasecmp(seg[i], fixed[i], len[i])))
			return -1;
	if (canon_guid(sub, seg[1], len[1])) return -1;
	/* namespace/type as one string: "microsoft.network/virtualnetworks" */
	size_t tl = strlen(nstype);
	if (len[5] + 1 + len[6] != tl || strncasecmp(seg[5], nstype, tl)) return -1;
	for (size_t i = 0; i < 8; i++) {
		if (o + 1 + len[i] + 1 > cap) return -1;
		out[o++] = '/';
		for (size_t k = 0; k < len[i]; k++) {
			char c = lower(seg[i][k]);
			if ((unsigned char)c <= ' ' || c == 0x7f || c == '%') return -1;
			out[o++] = c;
		}
	}
	out[o] = 0;
	return (int)o;
}

#define VNET_TYPE "microsoft.network/virtualnetworks"
#define MGR_TYPE "microsoft.network/networkmanagers"

/* '<tenant>/<mg id>' */
static int mg_key(char *out, size_t cap, const char *tenant, const char *mg)
{
	char name[96];
	if (canon_name(name, sizeof name, mg)) return -1;
	int n = snprintf(out, cap, "%s/%s", tenant, name);
	return n > 0 && (size_t)n < cap ? n : -1;
}

/* A scope value as the application holds it (the counterpart of avnm_scope):
 * items parsed once into kind and canonical name. */
struct sq_item {
	int is_mg;
	char name[96];   /* mg id or subscription GUID, lower case */
};
struct sq_scope {
	size_t n;
	struct sq_item it[1];   /* the benchmark's scopes have one item */
};

#define MG_PREFIX "/providers/microsoft.management/managementgroups/"
#define SUB_PREFIX "/subscriptions/"

static int scope_parse(struct sq_scope *s, const char *item)
{
	/* Compare without the leading '/', which is optional on input (R1.2). */
	const char *body = item + (item[0] == '/');
	size_t mgl = strlen(MG_PREFIX) - 1, subl = strlen(SUB_PREFIX) - 1;
	s->n = 1;
	if (!strncasecmp(body, MG_PREFIX + 1, mgl)) {
		s->it[0].is_mg = 1;
		return canon_name(s->it[0].name, sizeof s->it[0].name, body + mgl);
	}
	if (!strncasecmp(body, SUB_PREFIX + 1, subl)) {
		s->it[0].is_mg = 0;
		return canon_guid(s->it[0].name, body + subl, strlen(body + subl));
	}
	return -1;
}

/* Resolve a scope's items in tenant (R4.10): node keys and the canonical scope
 * text (sorted keys; one item here, so sorted already). */
static int scope_resolve(struct db *d, const struct sq_scope *s, const char *tenant,
                         char keys[][160], char *text, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (s->it[i].is_mg) {
			if (mg_key(keys[i], sizeof keys[i], tenant, s->it[i].name) < 0) return -1;
		} else {
			snprintf(keys[i], sizeof keys[i], "%s", s->it[i].name);
		}
		sqlite3_stmt *q = use(d, S_NODE_TENANT);
		bind_text(q, 1, keys[i], -1);
		int r = row(d, q, "scope item");
		if (r < 0) return -1;
		if (!r) return app_fail("scope item not found", keys[i]);
		if (strcmp((const char *)sqlite3_column_text(q, 0), tenant))
			return app_fail("scope item of another tenant", keys[i]);
		size_t kl = strlen(keys[i]);
		if (o + kl + 2 > cap) return -1;
		if (i) text[o++] = '\n';
		memcpy(text + o, keys[i], kl);
		o += kl;
	}
	text[o] = 0;
	return 0;
}

/* ---- the directory ------------------------------------------------------------------ */

static int tenant_create(struct db *d, const char *tenant_id)
{
	char t[GUID_LEN + 1], root[160];
	if (canon_guid(t, tenant_id, strlen(tenant_id))) return app_fail("bad tenant id", tenant_id);
	sqlite3_stmt *s = use(d, S_TENANT_INS);
	bind_text(s, 1, t, GUID_LEN);
	if (exec(d, s, "tenant")) return -1;
	/* R2.1: the root group's id is the tenant id. */
	int n = mg_key(root, sizeof root, t, t);
	s = use(d, S_ROOT_INS);
	bind_text(s, 1, root, n);
	bind_text(s, 2, t, GUID_LEN);
	if (exec(d, s, "root group")) return -1;
	s = use(d, S_CLOSURE_SELF);
	bind_text(s, 1, root, n);
	sqlite3_bind_int(s, 2, 0);
	return exec(d, s, "root closure");
}

/* A node (group or subscription) under parent_key: the node row, then its
 * closure rows (the parent's ancestors, and itself). */
static int node_create(struct db *d, const char *key, int klen, const char *tenant,
                       const char *parent_key)
{
	sqlite3_stmt *s = use(d, S_NODE_INS);
	bind_text(s, 1, key, klen);
	bind_text(s, 2, tenant, GUID_LEN);
	bind_text(s, 3, parent_key, -1);
	int r = row(d, s, "node");
	if (r < 0) return -1;
	if (!r) return app_fail("parent not found", parent_key);
	int level = sqlite3_column_int(s, 0);
	if (exec(d, s, "node")) return -1;
	s = use(d, S_CLOSURE_UP);
	bind_text(s, 1, key, klen);
	bind_text(s, 2, parent_key, -1);
	if (exec(d, s, "closure")) return -1;
	s = use(d, S_CLOSURE_SELF);
	bind_text(s, 1, key, klen);
	sqlite3_bind_int(s, 2, level);
	return exec(d, s, "closure");
}

static int mg_create(struct db *d, const char *tenant_id, const char *mg, const char *parent)
{
	char t[GUID_LEN + 1], key[160], pkey[160];
	if (canon_guid(t, tenant_id, strlen(tenant_id))) return app_fail("bad tenant id", tenant_id);
	int n = mg_key(key, sizeof key, t, mg);
	if (n < 0 || mg_key(pkey, sizeof pkey, t, parent ? parent : t) < 0)
		return app_fail("bad group id", mg);
	return node_create(d, key, n, t, pkey);
}

static int sub_create(struct db *d, const char *tenant_id, const char *sub, const char *mg)
{
	char t[GUID_LEN + 1], key[GUID_LEN + 1], pkey[160];
	if (canon_guid(t, tenant_id, strlen(tenant_id))) return app_fail("bad tenant id", tenant_id);
	if (canon_guid(key, sub, strlen(sub))) return app_fail("bad subscription id", sub);
	if (mg_key(pkey, sizeof pkey, t, mg ? mg : t) < 0) return app_fail("bad group id", mg);
	return node_create(d, key, GUID_LEN, t, pkey);
}

static int vnet_create(struct db *d, const char *id)
{
	char key[VNET_STRIDE + 8], sub[GUID_LEN + 1];
	int n = canon_arm(key, sizeof key, sub, id, VNET_TYPE);
	if (n < 0) return app_fail("bad virtual network id", id);
	sqlite3_stmt *s = use(d, S_VNET_INS);
	bind_text(s, 1, key, n);
	bind_text(s, 2, sub, GUID_LEN);
	return exec(d, s, "vnet");   /* the foreign key checks the subscription exists */
}

/* R3.3 for a manager about to hold item directly: 1 if another manager sharing
 * an access holds it. */
static int conflicts(struct db *d, const char *item, const char *mgr, int mlen, unsigned acc)
{
	sqlite3_stmt *s = use(d, S_HOLD_CONFLICT);
	bind_text(s, 1, item, -1);
	bind_text(s, 2, mgr, mlen);
	sqlite3_bind_int(s, 3, (int)acc);
	return row(d, s, "conflict check");
}

static int hold(struct db *d, const char *item, const char *mgr, int mlen, const char *conn,
                unsigned acc)
{
	sqlite3_stmt *s = use(d, S_HOLD_INS);
	bind_text(s, 1, item, -1);
	bind_text(s, 2, mgr, mlen);
	bind_text(s, 3, conn, -1);
	sqlite3_bind_int(s, 4, (int)acc);
	return exec(d, s, "holding");
}

static int manager_create(struct db *d, const char *id, unsigned acc, const struct sq_scope *local)
{
	char key[MGR_ID_MAX + 8], sub[GUID_LEN + 1], home[GUID_LEN + 1];
	int n = canon_arm(key, sizeof key, sub, id, MGR_TYPE);
	if (n < 0) return app_fail("bad manager id", id);
	sqlite3_stmt *s = use(d, S_NODE_TENANT);
	bind_text(s, 1, sub, GUID_LEN);
	int r = row(d, s, "manager subscription");
	if (r <= 0) return r < 0 ? -1 : app_fail("manager subscription not found", sub);
	memcpy(home, sqlite3_column_text(s, 0), GUID_LEN + 1);
	s = use(d, S_MANAGER_INS);
	bind_text(s, 1, key, n);
	bind_text(s, 2, home, GUID_LEN);
	sqlite3_bind_int(s, 3, (int)acc);
	if (exec(d, s, "manager")) return -1;
	if (!local) return 0;
	char keys[1][160], text[200];
	if (scope_resolve(d, local, home, keys, text, sizeof text)) return -1;
	for (size_t i = 0; i < local->n; i++) {
		r = conflicts(d, keys[i], key, n, acc);
		if (r) return r < 0 ? -1 : app_fail("local scope conflict", keys[i]);
		if (hold(d, keys[i], key, n, "", acc)) return -1;
	}
	return 0;
}

/* ---- consent (R4) ---------------------------------------------------------------------- */

static int set_states(struct db *d, const char *mgr, int mlen, const char *sc_name,
                      const char *tenant, const char *hub_name, int state)
{
	sqlite3_stmt *s = use(d, S_SC_STATE_SET);
	bind_text(s, 1, mgr, mlen);
	bind_text(s, 2, sc_name, -1);
	sqlite3_bind_int(s, 3, state);
	if (exec(d, s, "scope connection state")) return -1;
	s = use(d, S_HC_STATE_SET);
	bind_text(s, 1, tenant, GUID_LEN);
	bind_text(s, 2, hub_name, -1);
	sqlite3_bind_int(s, 3, state);
	return exec(d, s, "hub connection state");
}

/* A matched pair (R4.4): Conflict if R3.3 would break, else Connected and the
 * items become direct holdings through the scope connection. */
static int settle(struct db *d, const char *mgr, int mlen, unsigned acc, const char *sc_name,
                  const char *tenant, const char *hub_name, char keys[][160], size_t nkeys)
{
	for (size_t i = 0; i < nkeys; i++) {
		int r = conflicts(d, keys[i], mgr, mlen, acc);
		if (r < 0) return -1;
		if (r) return set_states(d, mgr, mlen, sc_name, tenant, hub_name, AVNM_STATE_CONFLICT);
	}
	for (size_t i = 0; i < nkeys; i++)
		if (hold(d, keys[i], mgr, mlen, sc_name, acc)) return -1;
	return set_states(d, mgr, mlen, sc_name, tenant, hub_name, AVNM_STATE_CONNECTED);
}

static int manager_accesses(struct db *d, const char *mgr, int mlen, unsigned *acc)
{
	sqlite3_stmt *s = use(d, S_MANAGER_GET);
	bind_text(s, 1, mgr, mlen);
	int r = row(d, s, "manager");
	if (r > 0) *acc = (unsigned)sqlite3_column_int(s, 0);
	return r;
}

static int scope_conn_create(struct db *d, const char *mgr_id, const char *name, const char *tenant_id,
                             const struct sq_scope *scope)
{
	char mgr[MGR_ID_MAX + 8], sub[GUID_LEN + 1], t[GUID_LEN + 1], keys[1][160], text[200];
	unsigned acc;
	int mlen = canon_arm(mgr, sizeof mgr, sub, mgr_id, MGR_TYPE);
	if (mlen < 0) return app_fail("bad manager id", mgr_id);
	if (canon_guid(t, tenant_id, strlen(tenant_id))) return app_fail("bad tenant id", tenant_id);
	int r = manager_accesses(d, mgr, mlen, &acc);
	if (r <= 0) return r < 0 ? -1 : app_fail("manager not found", mgr);
	if (scope_resolve(d, scope, t, keys, text, sizeof text)) return -1;
	sqlite3_stmt *s = use(d, S_SC_INS);
	bind_text(s, 1, mgr, mlen);
	bind_text(s, 2, name, -1);
	bind_text(s, 3, t, GUID_LEN);
	bind_text(s, 4, text, -1);
	sqlite3_bind_int(s, 5, AVNM_STATE_PENDING);
	if (exec(d, s, "scope connection")) return -1;
	s = use(d, S_HC_MATCH);
	bind_text(s, 1, t, GUID_LEN);
	bind_text(s, 2, mgr, mlen);
	bind_text(s, 3, text, -1);
	r = row(d, s, "hub connection match");
	if (r <= 0) return r;   /* Pending: no counterpart yet */
	char hub[64];
	snprintf(hub, sizeof hub, "%s", (const char *)sqlite3_column_text(s, 0));
	return settle(d, mgr, mlen, acc, name, t, hub, keys, scope->n);
}

static int hub_conn_create(struct db *d, const char *tenant_id, const char *name,
                           const struct sq_scope *scope, const char *mgr_id)
{
	char mgr[MGR_ID_MAX + 8], sub[GUID_LEN + 1], t[GUID_LEN + 1], keys[1][160], text[200];
	int mlen = canon_arm(mgr, sizeof mgr, sub, mgr_id, MGR_TYPE);
	if (mlen < 0) return app_fail("bad manager id", mgr_id);
	if (canon_guid(t, tenant_id, strlen(tenant_id))) return app_fail("bad tenant id", tenant_id);
	if (scope_resolve(d, scope, t, keys, text, sizeof text)) return -1;
	sqlite3_stmt *s = use(d, S_HC_INS);
	bind_text(s, 1, t, GUID_LEN);
	bind_text(s, 2, name, -1);
	bind_text(s, 3, mgr, mlen);
	bind_text(s, 4, text, -1);
	sqlite3_bind_int(s, 5, AVNM_STATE_PENDING);
	if (exec(d, s, "hub connection")) return -1;
	s = use(d, S_SC_MATCH);
	bind_text(s, 1, t, GUID_LEN);
	bind_text(s, 2, mgr, mlen);
	bind_text(s, 3, text, -1);
	int r = row(d, s, "scope connection match");
	if (r <= 0) return r;   /* Pending (the manager may not even exist, R4.11) */
	char sc_name[64];
	snprintf(sc_name, sizeof sc_name, "%s", (const char *)sqlite3_column_text(s, 0));
	unsigned acc;
	r = manager_accesses(d, mgr, mlen, &acc);
	if (r <= 0) return r;
	return settle(d, mgr, mlen, acc, sc_name, t, name, keys, scope->n);
}

/* R4.4, R4.7: the surviving scope connection is Revoked if the pair was
 * Connected (and its holdings go at once), Pending if it was Pending or Conflict. */
static int hub_conn_delete(struct db *d, const char *tenant_id, const char *name)
{
	char t[GUID_LEN + 1], mgr[MGR_ID_MAX + 8], text[200], sc_name[64];
	if (canon_guid(t, tenant_id, strlen(tenant_id))) return app_fail("bad tenant id", tenant_id);
	sqlite3_stmt *s = use(d, S_HC_GET);
	bind_text(s, 1, t, GUID_LEN);
	bind_text(s, 2, name, -1);
	int r = row(d, s, "hub connection");
	if (r <= 0) return r < 0 ? -1 : app_fail("hub connection not found", name);
	snprintf(mgr, sizeof mgr, "%s", (const char *)sqlite3_column_text(s, 0));
	snprintf(text, sizeof text, "%s", (const char *)sqlite3_column_text(s, 1));
	s = use(d, S_HC_DEL);
	bind_text(s, 1, t, GUID_LEN);
	bind_text(s, 2, name, -1);
	if (exec(d, s, "hub connection delete")) return -1;
	s = use(d, S_SC_MATCH);
	bind_text(s, 1, t, GUID_LEN);
	bind_text(s, 2, mgr, -1);
	bind_text(s, 3, text, -1);
	r = row(d, s, "scope connection match");
	if (r <= 0) return r;
	snprintf(sc_name, sizeof sc_name, "%s", (const char *)sqlite3_column_text(s, 0));
	int was = sqlite3_column_int(s, 1);
	int now = was == AVNM_STATE_CONNECTED ? AVNM_STATE_REVOKED
	          : (was == AVNM_STATE_CONFLICT || was == AVNM_STATE_PENDING) ? AVNM_STATE_PENDING
	                                                                       : was;
	if (now == was) return 0;
	s = use(d, S_SC_STATE_SET);
	bind_text(s, 1, mgr, -1);
	bind_text(s, 2, sc_name, -1);
	sqlite3_bind_int(s, 3, now);
	if (exec(d, s, "scope connection state")) return -1;
	if (was != AVNM_STATE_CONNECTED) return 0;
	s = use(d, S_HOLD_DEL_CONN);
	bind_text(s, 1, mgr, -1);
	bind_text(s, 2, sc_name, -1);
	return exec(d, s, "holdings delete");
}

static int pair_state(struct db *d, const char *mgr_id, const char *sc_name, const char *tenant,
                      const char *hub_name, int *sc_state, int *hc_state)
{
	char mgr[MGR_ID_MAX + 8], sub[GUID_LEN + 1], t[GUID_LEN + 1];
	int mlen = canon_arm(mgr, sizeof mgr, sub, mgr_id, MGR_TYPE);
	if (mlen < 0 || canon_guid(t, tenant, strlen(tenant))) return -1;
	sqlite3_stmt *s = use(d, S_SC_STATE_GET);
	bind_text(s, 1, mgr, mlen);
	bind_text(s, 2, sc_name, -1);
	int r = row(d, s, "scope connection state");
	if (r < 0) return -1;
	*sc_state = r ? sqlite3_column_int(s, 0) : AVNM_STATE_NONE;
	*hc_state = AVNM_STATE_NONE;
	if (!hub_name) return 0;
	s = use(d, S_HC_STATE_GET);
	bind_text(s, 1, t, GUID_LEN);
	bind_text(s, 2, hub_name, -1);
	r = row(d, s, "hub connection state");
	if (r < 0) return -1;
	*hc_state = r ? sqlite3_column_int(s, 0) : AVNM_STATE_NONE;
	return 0;
}

/* ---- questions ---------------------------------------------------------------------------- */

static int can_manage(struct db *d, int *allowed, const char *mgr_id, const char *res, unsigned acc)
{
	char mgr[MGR_ID_MAX + 8], msub[GUID_LEN + 1], key[VNET_STRIDE + 8], sub[GUID_LEN + 1];
	int mlen = canon_arm(mgr, sizeof mgr, msub, mgr_id, MGR_TYPE);
	if (mlen < 0) return app_fail("bad manager id", mgr_id);
	if (canon_arm(key, sizeof key, sub, res, VNET_TYPE) < 0) return app_fail("bad resource id", res);
	sqlite3_stmt *s = use(d, S_CAN_MANAGE);
	bind_text(s, 1, mgr, mlen);
	bind_text(s, 2, sub, GUID_LEN);
	sqlite3_bind_int(s, 3, (int)acc);
	int r = row(d, s, "can_manage");
	if (r <= 0) return r < 0 ? -1 : app_fail("manager not found", mgr);
	*allowed = sqlite3_column_int(s, 0);
	return 0;
}

/* The managers of res for acc, root first, each once, digested like libavnm's list. */
static int managers_of(struct db *d, uint64_t *digest, size_t *count, const char *res, unsigned acc)
{
	char key[VNET_STRIDE + 8], sub[GUID_LEN + 1];
	/* A chain has five levels, so a handful of managers at most; column texts
	 * die at the next step, hence the copies. */
	char seen[8][MGR_ID_MAX + 8];
	size_t n = 0;
	uint64_t ld = 0;
	int r;
	if (canon_arm(key, sizeof key, sub, res, VNET_TYPE) < 0) return app_fail("bad resource id", res);
	sqlite3_stmt *s = use(d, S_MANAGERS_OF);
	bind_text(s, 1, sub, GUID_LEN);
	sqlite3_bind_int(s, 2, (int)acc);
	while ((r = row(d, s, "managers_of")) > 0) {
		const char *m = (const char *)sqlite3_column_text(s, 0);
		int dup = 0;
		for (size_t i = 0; i < n && !dup; i++) dup = !strcmp(seen[i], m);
		if (dup) continue;
		if (n == sizeof seen / sizeof seen[0]) return app_fail("too many managers", res);
		snprintf(seen[n++], sizeof seen[0], "%s", m);
		ld = digest_step(ld, hash_fold(m));
	}
	if (r < 0) return -1;
	*digest = ld;
	*count = n;
	return 0;
}

/* ---- the phases ---------------------------------------------------------------------------- */

static int tx(struct db *d, enum stmt s)
{
	return exec(d, use(d, s), s == S_BEGIN ? "BEGIN" : "COMMIT");
}

static int phases(struct db *d, const struct world *w, struct result *r)
{
	struct sq_scope mga, own[NALLMANAGERS];
	char item[64];
	double t0;

	if (scope_parse(&mga, MG_A)) return -1;
	for (unsigned i = 0; i < NALLMANAGERS; i++) {
		snprintf(item, sizeof item, "/subscriptions/%s", w->csub[i]);
		if (scope_parse(&own[i], item)) return -1;
	}

	/* build */
	size_t n = 0;
	t0 = bench_step(STEP_BUILD);
	if (tx(d, S_BEGIN) || tenant_create(d, w->central)) return -1;
	n++;
	for (unsigned i = 0; i < NMANAGERS; i++) {
		if (sub_create(d, w->central, w->csub[i], NULL) ||
		    manager_create(d, w->mgr[i], w->accesses[i], w->local_scope[i] ? &own[i] : NULL))
			return -1;
		n += 2;
	}
	for (unsigned t = 0; t < w->scale; t++) {
		const char *tid = w->tenant[t];
		if (tenant_create(d, tid) || mg_create(d, tid, "mg-a", NULL) ||
		    mg_create(d, tid, "mg-b", "mg-a") || mg_create(d, tid, "mg-c", "mg-b"))
			return -1;
		n += 1 + MG_DEPTH;
		for (unsigned j = 0; j < SUBS_PER_TENANT; j++) {
			size_t si = (size_t)t * SUBS_PER_TENANT + j;
			if (sub_create(d, tid, w->sub[si], "mg-c")) return -1;
			for (unsigned k = 0; k < VNETS_PER_SUB; k++)
				if (vnet_create(d, vnet_id(w, si * VNETS_PER_SUB + k))) return -1;
			n += 1 + VNETS_PER_SUB;
		}
	}
	if (tx(d, S_COMMIT)) return -1;
	r->seconds[PH_BUILD] = now_seconds() - t0;
	bench_mark("build");
	r->ops[PH_BUILD] = n;

	/* connect */
	t0 = bench_step(STEP_CONNECT);
	if (tx(d, S_BEGIN)) return -1;
	for (unsigned t = 0; t < w->scale; t++) {
		unsigned h = holder_of(t);
		if (scope_conn_create(d, w->mgr[h], w->conn_name[t], w->tenant[t], &mga) ||
		    hub_conn_create(d, w->tenant[t], w->hub_name[h], &mga, w->mgr[h]))
			return -1;
	}
	if (tx(d, S_COMMIT)) return -1;
	r->seconds[PH_CONNECT] = now_seconds() - t0;
	bench_mark("connect");
	r->ops[PH_CONNECT] = 2 * (size_t)w->scale;
	for (unsigned t = 0; t < w->scale; t++) {
		unsigned h = holder_of(t);
		int a, b;
		if (pair_state(d, w->mgr[h], w->conn_name[t], w->tenant[t], w->hub_name[h], &a, &b))
			return -1;
		r->connected += a == AVNM_STATE_CONNECTED && b == AVNM_STATE_CONNECTED;
	}

	/* can_manage */
	uint64_t dg = 0;
	size_t allowed = 0;
	t0 = bench_step(STEP_CAN_MANAGE);
	if (tx(d, S_BEGIN)) return -1;
	for (size_t i = 0; i < w->nq; i++) {
		const struct question *q = &w->q[i];
		int a;
		if (can_manage(d, &a, w->mgr[q->mgr], q_res(w, i), q->access)) return -1;
		allowed += (size_t)a;
		dg = digest_step(dg, (uint64_t)a);
	}
	if (tx(d, S_COMMIT)) return -1;
	r->seconds[PH_CAN_MANAGE] = now_seconds() - t0;
	bench_mark("can_manage");
	r->ops[PH_CAN_MANAGE] = w->nq;
	r->allowed = allowed;
	r->can_sum = dg;

	/* managers_of */
	dg = 0;
	size_t nonempty = 0;
	t0 = bench_step(STEP_MANAGERS_OF);
	if (tx(d, S_BEGIN)) return -1;
	for (size_t i = 0; i < w->nmq; i++) {
		const struct mquestion *q = &w->mq[i];
		uint64_t ld;
		size_t cnt;
		if (managers_of(d, &ld, &cnt, mq_res(w, i), q->access)) return -1;
		nonempty += cnt > 0;
		dg = digest_step(dg, ld);
	}
	if (tx(d, S_COMMIT)) return -1;
	r->seconds[PH_MANAGERS_OF] = now_seconds() - t0;
	bench_mark("managers_of");
	r->ops[PH_MANAGERS_OF] = w->nmq;
	r->mof_nonempty = nonempty;
	r->mof_sum = dg;

	/* conflict wave */
	t0 = bench_step(STEP_CONFLICT);
	if (tx(d, S_BEGIN)) return -1;
	for (size_t k = 0; k < w->nconf; k++) {
		unsigned m = w->conf[k].mgr, t = w->conf[k].tenant;
		if (scope_conn_create(d, w->mgr[m], w->conn_name[t], w->tenant[t], &mga) ||
		    hub_conn_create(d, w->tenant[t], w->hub_name[m], &mga, w->mgr[m]))
			return -1;
	}
	if (tx(d, S_COMMIT)) return -1;
	r->seconds[PH_CONFLICT] = now_seconds() - t0;
	bench_mark("conflict");
	r->ops[PH_CONFLICT] = 2 * w->nconf;
	for (size_t k = 0; k < w->nconf; k++) {
		unsigned m = w->conf[k].mgr, t = w->conf[k].tenant;
		int a, b;
		if (pair_state(d, w->mgr[m], w->conn_name[t], w->tenant[t], w->hub_name[m], &a, &b))
			return -1;
		r->conflicts += a == AVNM_STATE_CONFLICT && b == AVNM_STATE_CONFLICT;
	}

	/* revocation storm */
	t0 = bench_step(STEP_REVOKE);
	if (tx(d, S_BEGIN)) return -1;
	for (unsigned t = 0; t < w->scale; t++)
		if (revoked_tenant(t) && hub_conn_delete(d, w->tenant[t], w->hub_name[holder_of(t)]))
			return -1;
	if (tx(d, S_COMMIT)) return -1;
	r->seconds[PH_REVOKE] = now_seconds() - t0;
	bench_mark("revoke");
	r->ops[PH_REVOKE] = w->nrevoke;
	for (unsigned t = 0; t < w->scale; t++) {
		if (!revoked_tenant(t)) continue;
		int a, b;
		if (pair_state(d, w->mgr[holder_of(t)], w->conn_name[t], w->tenant[t], NULL, &a, &b))
			return -1;
		r->revoked += a == AVNM_STATE_REVOKED;
	}
	for (size_t i = 0; i < REVOKE_SAMPLE; i++)
		for (int kept = 0; kept <= 1; kept++) {
			struct question q;
			int a;
			revoke_sample(w, i, kept, &q);
			if (can_manage(d, &a, w->mgr[q.mgr], vnet_id(w, q.vnet), q.access)) return -1;
			if (kept) r->revoke_allowed += (size_t)a;
			else r->revoke_denied += (size_t)!a;
		}

	/* members: set-up as for libavnm, the adds timed apart */
	const char *mm = w->mgr[MEMBERS_MANAGER];
	char mkey[MGR_ID_MAX + 8], msub[GUID_LEN + 1];
	int mlen = canon_arm(mkey, sizeof mkey, msub, mm, MGR_TYPE);
	if (mlen < 0 || tx(d, S_BEGIN) || sub_create(d, w->central, w->csub[MEMBERS_MANAGER], NULL) ||
	    manager_create(d, mm, w->accesses[MEMBERS_MANAGER], NULL))
		return -1;
	for (unsigned t = 0; t < w->member_tenants; t++)
		if (members_tenant_connected(t) &&
		    (scope_conn_create(d, mm, w->conn_name[t], w->tenant[t], &mga) ||
		     hub_conn_create(d, w->tenant[t], w->hub_name[MEMBERS_MANAGER], &mga, mm)))
			return -1;
	sqlite3_stmt *s = use(d, S_GROUP_INS);
	bind_text(s, 1, mkey, mlen);
	bind_text(s, 2, "g-members", -1);
	if (exec(d, s, "group") || tx(d, S_COMMIT)) return -1;

	t0 = bench_step(STEP_MEMBER_ADDS);
	if (tx(d, S_BEGIN)) return -1;
	for (size_t i = 0; i < w->nmembers; i++) {
		char key[VNET_STRIDE + 8], sub[GUID_LEN + 1], m2[MGR_ID_MAX + 8];
		/* The same work as libavnm's member_add: canonical ids, the network must
		 * exist (its subscription comes from the row), the group must exist
		 * (the foreign key), no duplicate (the primary key). */
		int m2len = canon_arm(m2, sizeof m2, msub, mm, MGR_TYPE);
		int vlen = canon_arm(key, sizeof key, sub, vnet_id(w, i), VNET_TYPE);
		if (m2len < 0 || vlen < 0) return app_fail("bad id", vnet_id(w, i));
		s = use(d, S_VNET_SUB);
		bind_text(s, 1, key, vlen);
		int rr = row(d, s, "member network");
		if (rr <= 0) return rr < 0 ? -1 : app_fail("network not found", key);
		s = use(d, S_MEMBER_INS);
		bind_text(s, 1, m2, m2len);
		bind_text(s, 2, "g-members", -1);
		bind_text(s, 3, key, vlen);
		bind_text(s, 4, sub, GUID_LEN);
		if (exec(d, s, "member")) return -1;
	}
	if (tx(d, S_COMMIT)) return -1;
	r->member_add_seconds = now_seconds() - t0;
	bench_mark("member adds");
	r->member_add_ops = w->nmembers;

	uint64_t sum = 0;
	size_t eff = 0;
	t0 = bench_step(STEP_MEMBERS);
	if (tx(d, S_BEGIN)) return -1;
	for (unsigned rep = 0; rep < MEMBERS_REPS; rep++) {
		char m2[MGR_ID_MAX + 8];
		int m2len = canon_arm(m2, sizeof m2, msub, mm, MGR_TYPE);
		if (m2len < 0) return -1;
		s = use(d, S_GROUP_GET);
		bind_text(s, 1, m2, m2len);
		bind_text(s, 2, "g-members", -1);
		int rr = row(d, s, "group");
		if (rr <= 0) return rr < 0 ? -1 : app_fail("group not found", "g-members");
		s = use(d, S_MEMBERS);
		bind_text(s, 1, m2, m2len);
		bind_text(s, 2, "g-members", -1);
		while ((rr = row(d, s, "members")) > 0) {
			sum += member_hash((const char *)sqlite3_column_text(s, 0));
			eff++;
		}
		if (rr < 0) return -1;
	}
	if (tx(d, S_COMMIT)) return -1;
	r->seconds[PH_MEMBERS] = now_seconds() - t0;
	bench_mark("members");
	r->ops[PH_MEMBERS] = MEMBERS_REPS * w->nmembers;
	r->effective = eff;
	r->members_sum = sum;
	return 0;
}

/* Print the plan of every question statement: each lookup must be an index
 * search, never a scan (run with AVNM_BENCH_PLANS=1). */
static void show_plans(struct db *d)
{
	static const enum stmt q[] = { S_CAN_MANAGE, S_MANAGERS_OF, S_MEMBERS, S_HOLD_CONFLICT,
	                               S_SC_MATCH, S_HC_MATCH, S_HOLD_DEL_CONN, S_CLOSURE_UP };
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		char *x = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql[q[i]]);
		sqlite3_stmt *s;
		if (sqlite3_prepare_v2(d->db, x, -1, &s, NULL) == SQLITE_OK) {
			fprintf(stderr, "plan: %s\n", sql[q[i]]);
			while (sqlite3_step(s) == SQLITE_ROW)
				fprintf(stderr, "  %s\n", (const char *)sqlite3_column_text(s, 3));
			sqlite3_finalize(s);
		}
		sqlite3_free(x);
	}
}

int run_sqlite(const struct world *w, struct result *r)
{
	static const sqlite3_mem_methods mm = {
		sq_malloc, sq_free, sq_realloc, sq_size, sq_roundup, sq_init, sq_shutdown, NULL,
	};
	struct db d;
	int rc = -1;

	memset(&d, 0, sizeof d);
	memset(&sq_mem, 0, sizeof sq_mem);
	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &mm) != SQLITE_OK ||
	    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK || sqlite3_initialize() != SQLITE_OK) {
		fprintf(stderr, "avnm-bench: sqlite: cannot configure the library\n");
		return -1;
	}
	if (sqlite3_open_v2(":memory:", &d.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	                                           SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		db_fail(&d, "open");
		goto out;
	}
	if (sqlite3_exec(d.db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		db_fail(&d, "schema");
		goto out;
	}
	for (int i = 0; i < NSTMTS; i++)
		if (sqlite3_prepare_v3(d.db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &d.st[i], NULL) !=
		    SQLITE_OK) {
			db_fail(&d, sql[i]);
			goto out;
		}
	if (getenv("AVNM_BENCH_PLANS")) show_plans(&d);
	rc = phases(&d, w, r);
out:
	r->peak_bytes = sq_mem.peak;
	for (int i = 0; i < NSTMTS; i++) sqlite3_finalize(d.st[i]);
	sqlite3_close(d.db);
	sqlite3_shutdown();
	if (rc) return -1;
	r->ran = 1;
	for (int p = 0; p < NPHASES; p++) r->has_phase[p] = 1;
	return 0;
}
