/*
 * avnm-sqlite: a libavnm storage backend that keeps the world in a SQLite
 * database (docs/storage.md). It is an example built on the public storage
 * interface of avnm.h only; it is not part of the library.
 *
 * The database holds two tables:
 *
 *   meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID
 *       one row ('format', 1): the layout of this database
 *   records(key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID
 *       one row per record, key and value exactly as libavnm gives them
 *       (docs/storage-format.md)
 *
 * It runs with PRAGMA journal_mode=WAL and synchronous=FULL: a commit that
 * returned is on disk, and readers (the sqlite3 shell, say) may look at the
 * database while a context writes to it.
 *
 * One context per backend handle. Several processes may open the same
 * database, but a context only writes on top of the world it loaded: once
 * another connection has committed to the database, every change of this
 * context fails with AVNM_E_STORAGE ("changed by another connection") and
 * the context must be reopened.
 */
#ifndef AVNM_SQLITE_H
#define AVNM_SQLITE_H

#include <stddef.h>

#include "avnm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How long a transaction waits for another connection's lock by default. */
#define AVNM_SQLITE_BUSY_TIMEOUT_MS 5000

/* Open (or create) the database at path and return a backend for
 * avnm_ctx_open in *out. Errors: AVNM_E_INVALID_ARGUMENT (no path),
 * AVNM_E_CORRUPT (not a SQLite database, or not a libavnm one),
 * AVNM_E_UNSUPPORTED (a database format this adapter does not know),
 * AVNM_E_BUSY (locked by another connection for longer than the busy
 * timeout), AVNM_E_NO_MEMORY, AVNM_E_STORAGE (anything else SQLite reports).
 * On error *out is NULL and the message is in errbuf (may be NULL). Close
 * with avnm_sqlite_close after freeing the context. */
int avnm_sqlite_open(avnm_storage **out, const char *path, char *errbuf, size_t errsize);

/* Close a backend from avnm_sqlite_open. NULL is a no-op. */
void avnm_sqlite_close(avnm_storage *s);

/* Set how long (milliseconds, >= 0) a statement waits for another
 * connection's lock before it fails. AVNM_E_INVALID_ARGUMENT for a NULL
 * backend or a negative time. */
int avnm_sqlite_set_busy_timeout(avnm_storage *s, int ms);

#ifdef __cplusplus
}
#endif

#endif
