/*
 * avnm-sqlite: the libavnm storage interface (avnm.h, "Storage") over SQLite.
 * See avnm-sqlite.h for what it promises and docs/storage.md for how a
 * backend is written; this file is that page's worked example.
 *
 * The mapping is direct: a libavnm transaction is a SQLite transaction
 * (BEGIN IMMEDIATE ... COMMIT), a put is an INSERT OR REPLACE, a del a
 * DELETE, and load walks the records table. Every statement is prepared
 * once at open.
 */
#include "avnm-sqlite.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The layout of the database (meta 'format'): the two tables below. The
 * record values carry their own format version (docs/storage-format.md). */
#define DB_FORMAT 1

struct sqlite_store {
	avnm_storage st; /* first: the public pointer is the struct's address */
	sqlite3 *db;
	sqlite3_stmt *begin_write, *begin_read, *commit, *rollback;
	sqlite3_stmt *put, *del, *select_all, *data_version;
	/* PRAGMA data_version of the world the context holds: it changes when
	 * another connection commits, never for this connection's own commits. */
	sqlite3_int64 version;
	int failed_rc; /* SQLite result code behind msg, 0 for a message of our own */
	char msg[512];
};

/* ---- messages and codes ------------------------------------------------------ */

/* A message of our own (no SQLite call failed). Returns code. */
static int say(struct sqlite_store *s, int code, const char *text)
{
	snprintf(s->msg, sizeof s->msg, "%s", text);
	s->failed_rc = 0;
	return code;
}

/* The libavnm code for a SQLite result code (extended codes are on). */
static int code_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_NOMEM:
		return AVNM_E_NO_MEMORY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return AVNM_E_CORRUPT;
	default:
		return AVNM_E_STORAGE;
	}
}

/* SQLite's own message about the call that just failed, kept at once: the
 * next call on the connection replaces sqlite3_errmsg(). Returns the code. */
static int fail(struct sqlite_store *s, int rc, const char *what)
{
	snprintf(s->msg, sizeof s->msg, "%s: %s (SQLite error %d)", what, sqlite3_errmsg(s->db),
	         sqlite3_extended_errcode(s->db));
	s->failed_rc = rc;
	return code_of(rc);
}

/* ---- statements ---------------------------------------------------------------- */

/* Run a prepared statement that returns no rows. */
static int run(struct sqlite_store *s, sqlite3_stmt *stmt, const char *what)
{
	int rc = sqlite3_step(stmt);
	int code = rc == SQLITE_DONE ? AVNM_OK : fail(s, rc, what);
	sqlite3_reset(stmt);
	return code;
}

/* End the open transaction, if any, keeping the message of what failed. */
static void abandon(struct sqlite_store *s)
{
	if (sqlite3_get_autocommit(s->db))
		return; /* none open: SQLite rolled it back itself */
	sqlite3_step(s->rollback);
	sqlite3_reset(s->rollback);
}

static int read_data_version(struct sqlite_store *s, sqlite3_int64 *out)
{
	int rc = sqlite3_step(s->data_version);
	int code = AVNM_OK;
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s->data_version, 0);
	else
		code = fail(s, rc, "PRAGMA data_version");
	sqlite3_reset(s->data_version);
	return code;
}

/* ---- the callbacks --------------------------------------------------------------- */

static int sq_load(void *opaque, avnm_record_fn fn, void *cookie)
{
	struct sqlite_store *s = opaque;
	sqlite3_int64 version = 0;
	/* One read transaction: the rows and the data version are one snapshot. */
	int code = run(s, s->begin_read, "BEGIN");
	if (code)
		return code;
	int rc;
	while ((rc = sqlite3_step(s->select_all)) == SQLITE_ROW) {
		const unsigned char *key = sqlite3_column_text(s->select_all, 0);
		int klen = sqlite3_column_bytes(s->select_all, 0);
		const void *value = sqlite3_column_blob(s->select_all, 1);
		int vlen = sqlite3_column_bytes(s->select_all, 1);
		if ((!key || !value) && sqlite3_errcode(s->db) == SQLITE_NOMEM) {
			rc = SQLITE_NOMEM;
			break;
		}
		/* SQLite gives NULL for an empty text or blob */
		code = fn(cookie, key ? (const char *)key : "", (size_t)klen, value ? value : "",
		          (size_t)vlen);
		if (code) {
			snprintf(s->msg, sizeof s->msg, "loading stopped by the record callback (%s)",
			         avnm_error_name(code));
			break;
		}
	}
	if (!code && rc != SQLITE_DONE)
		code = fail(s, rc, "SELECT key, value FROM records");
	sqlite3_reset(s->select_all);
	if (!code)
		code = read_data_version(s, &version);
	if (!code)
		code = run(s, s->commit, "COMMIT");
	if (code) {
		abandon(s);
		return code;
	}
	s->version = version;
	return AVNM_OK;
}

static int sq_begin(void *opaque)
{
	struct sqlite_store *s = opaque;
	if (!sqlite3_get_autocommit(s->db))
		return say(s, AVNM_E_STORAGE, "begin: a transaction is open already");
	/* IMMEDIATE: take the write lock now (waiting up to the busy timeout), so
	 * that no other connection can commit between this check and COMMIT. */
	int code = run(s, s->begin_write, "BEGIN IMMEDIATE");
	if (code)
		return code;
	sqlite3_int64 version = 0;
	code = read_data_version(s, &version);
	if (!code && version != s->version)
		code = say(s, AVNM_E_STORAGE,
		           "the database was changed by another connection since this world was "
		           "loaded: reopen it");
	if (code)
		abandon(s);
	return code;
}

static int sq_put(void *opaque, const char *key, size_t klen, const void *value, size_t vlen)
{
	struct sqlite_store *s = opaque;
	if (sqlite3_get_autocommit(s->db))
		return say(s, AVNM_E_STORAGE, "put: no transaction is open");
	int rc = sqlite3_bind_text64(s->put, 1, key, (sqlite3_uint64)klen, SQLITE_STATIC,
	                             SQLITE_UTF8);
	/* a NULL pointer would bind SQL NULL, which the table refuses */
	if (rc == SQLITE_OK)
		rc = vlen ? sqlite3_bind_blob64(s->put, 2, value, (sqlite3_uint64)vlen, SQLITE_STATIC)
		          : sqlite3_bind_zeroblob(s->put, 2, 0);
	int code = rc == SQLITE_OK ? run(s, s->put, "INSERT OR REPLACE INTO records")
	                           : fail(s, rc, "binding a record");
	sqlite3_clear_bindings(s->put); /* forget the caller's buffers */
	return code;
}

static int sq_del(void *opaque, const char *key, size_t klen)
{
	struct sqlite_store *s = opaque;
	if (sqlite3_get_autocommit(s->db))
		return say(s, AVNM_E_STORAGE, "delete: no transaction is open");
	int rc = sqlite3_bind_text64(s->del, 1, key, (sqlite3_uint64)klen, SQLITE_STATIC,
	                             SQLITE_UTF8);
	int code = rc == SQLITE_OK ? run(s, s->del, "DELETE FROM records")
	                           : fail(s, rc, "binding a key");
	sqlite3_clear_bindings(s->del);
	return code;
}

static int sq_commit(void *opaque)
{
	struct sqlite_store *s = opaque;
	int code = run(s, s->commit, "COMMIT");
	/* The interface: when commit fails, nothing of the transaction remains. */
	if (code)
		abandon(s);
	return code;
}

static int sq_rollback(void *opaque)
{
	struct sqlite_store *s = opaque;
	if (sqlite3_get_autocommit(s->db))
		return AVNM_OK;
	return run(s, s->rollback, "ROLLBACK");
}

static const char *sq_errmsg(void *opaque)
{
	struct sqlite_store *s = opaque;
	return s->msg[0] ? s->msg : NULL;
}

/* ---- opening ----------------------------------------------------------------------- */

static int exec(struct sqlite_store *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? AVNM_OK : fail(s, rc, sql);
}

/* The integer in the first column of the first row of sql into *out; *found
 * tells whether there was a row. */
static int query_int(struct sqlite_store *s, const char *sql, sqlite3_int64 *out, int *found)
{
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return fail(s, rc, sql);
	rc = sqlite3_step(stmt);
	int code = AVNM_OK;
	*found = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_type(stmt, 0) == SQLITE_INTEGER)
			*out = sqlite3_column_int64(stmt, 0);
		else
			code = say(s, AVNM_E_CORRUPT, "the meta table holds a format that is not a number");
	} else if (rc != SQLITE_DONE) {
		code = fail(s, rc, sql);
	}
	sqlite3_finalize(stmt);
	return code;
}

/* Create the tables in an empty database, or check that a database that has
 * tables is a libavnm one of a format this adapter reads. */
static int schema(struct sqlite_store *s)
{
	sqlite3_int64 n = 0, format = 0;
	int found = 0;
	int code = exec(s, "BEGIN IMMEDIATE");
	if (code)
		return code;
	code = query_int(s, "SELECT count(*) FROM sqlite_master", &n, &found);
	if (!code && n == 0) {
		code = exec(s, "CREATE TABLE meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL) "
		               "WITHOUT ROWID;"
		               "CREATE TABLE records(key TEXT PRIMARY KEY, value BLOB NOT NULL) "
		               "WITHOUT ROWID;"
		               "INSERT INTO meta(name, value) VALUES('format', 1);");
	} else if (!code) {
		code = query_int(s,
		                 "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
		                 "name IN ('meta', 'records')",
		                 &n, &found);
		if (!code && n != 2)
			code = say(s, AVNM_E_CORRUPT, "a SQLite database, but not a libavnm one");
		if (!code)
			code = query_int(s, "SELECT value FROM meta WHERE name = 'format'", &format,
			                 &found);
		if (!code && !found)
			code = say(s, AVNM_E_CORRUPT, "the meta table has no format");
		if (!code && format != DB_FORMAT) {
			snprintf(s->msg, sizeof s->msg,
			         "database format %lld is not known to this adapter (it reads format %d)",
			         (long long)format, DB_FORMAT);
			code = AVNM_E_UNSUPPORTED;
		}
	}
	if (!code)
		code = exec(s, "COMMIT");
	if (code)
		abandon(s);
	return code;
}

static int prepare(struct sqlite_store *s, sqlite3_stmt **stmt, const char *sql)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, stmt, NULL);
	return rc == SQLITE_OK ? AVNM_OK : fail(s, rc, sql);
}

static int setup(struct sqlite_store *s, const char *path)
{
	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (!s->db)
		return say(s, AVNM_E_NO_MEMORY, "out of memory");
	if (rc != SQLITE_OK)
		return fail(s, rc, "open");
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, AVNM_SQLITE_BUSY_TIMEOUT_MS);

	/* journal_mode answers with the mode now in force */
	sqlite3_stmt *stmt = NULL;
	const char *mode;
	int code = prepare(s, &stmt, "PRAGMA journal_mode=WAL");
	if (!code) {
		rc = sqlite3_step(stmt);
		if (rc != SQLITE_ROW)
			code = fail(s, rc, "PRAGMA journal_mode=WAL");
		else if (!(mode = (const char *)sqlite3_column_text(stmt, 0)) ||
		         strcmp(mode, "wal") != 0)
			code = say(s, AVNM_E_STORAGE, "the database cannot use WAL mode");
	}
	sqlite3_finalize(stmt);
	if (!code)
		code = exec(s, "PRAGMA synchronous=FULL");
	if (!code)
		code = schema(s);
	struct {
		sqlite3_stmt **stmt;
		const char *sql;
	} const stmts[] = {
		{ &s->begin_write, "BEGIN IMMEDIATE" },
		{ &s->begin_read, "BEGIN" },
		{ &s->commit, "COMMIT" },
		{ &s->rollback, "ROLLBACK" },
		{ &s->put, "INSERT OR REPLACE INTO records(key, value) VALUES(?1, ?2)" },
		{ &s->del, "DELETE FROM records WHERE key = ?1" },
		{ &s->select_all, "SELECT key, value FROM records" },
		{ &s->data_version, "PRAGMA data_version" },
	};
	for (size_t i = 0; !code && i < sizeof stmts / sizeof stmts[0]; i++)
		code = prepare(s, stmts[i].stmt, stmts[i].sql);
	if (!code)
		code = read_data_version(s, &s->version);
	return code;
}

static void destroy(struct sqlite_store *s)
{
	sqlite3_stmt *stmts[] = { s->begin_write, s->begin_read, s->commit, s->rollback,
		                  s->put, s->del, s->select_all, s->data_version };
	for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++)
		sqlite3_finalize(stmts[i]); /* NULL is a no-op */
	sqlite3_close(s->db);               /* likewise */
	free(s);
}

int avnm_sqlite_open(avnm_storage **out, const char *path, char *errbuf, size_t errsize)
{
	if (errbuf && errsize)
		errbuf[0] = '\0';
	if (!out)
		return AVNM_E_INVALID_ARGUMENT;
	*out = NULL;
	if (!path || !*path) {
		if (errbuf && errsize)
			snprintf(errbuf, errsize, "sqlite: no path");
		return AVNM_E_INVALID_ARGUMENT;
	}
	struct sqlite_store *s = calloc(1, sizeof *s);
	if (!s) {
		if (errbuf && errsize)
			snprintf(errbuf, errsize, "sqlite: out of memory");
		return AVNM_E_NO_MEMORY;
	}
	int code = setup(s, path);
	if (code) {
		/* at open, a lock held too long means someone else is at work */
		if ((s->failed_rc & 0xff) == SQLITE_BUSY)
			code = AVNM_E_BUSY;
		if (errbuf && errsize)
			snprintf(errbuf, errsize, "%s: %s", path, s->msg);
		destroy(s);
		return code;
	}
	avnm_storage init = AVNM_STORAGE_INIT;
	s->st = init;
	s->st.opaque = s;
	s->st.load = sq_load;
	s->st.begin = sq_begin;
	s->st.put = sq_put;
	s->st.del = sq_del;
	s->st.commit = sq_commit;
	s->st.rollback = sq_rollback;
	s->st.errmsg = sq_errmsg;
	*out = &s->st;
	return AVNM_OK;
}

void avnm_sqlite_close(avnm_storage *st)
{
	if (st)
		destroy(st->opaque);
}

int avnm_sqlite_set_busy_timeout(avnm_storage *st, int ms)
{
	if (!st || ms < 0)
		return AVNM_E_INVALID_ARGUMENT;
	struct sqlite_store *s = st->opaque;
	return sqlite3_busy_timeout(s->db, ms) == SQLITE_OK ? AVNM_OK : AVNM_E_STORAGE;
}
