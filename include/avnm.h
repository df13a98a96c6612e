/** @file
 * libavnm - who may manage what, for Azure Virtual Network Manager style
 * cross-tenant management with two-way consent.
 *
 * This header is the whole public contract: what is not declared here is not
 * API. Rules are cited as `R<n>.<m>` from docs/semantics (SEMANTICS.md).
 *
 * Conventions (see docs/conventions.md):
 *  - Functions return 0 (AVNM_OK) or a negative avnm_error. A failing call
 *    changes nothing; avnm_errmsg() then says what and why.
 *  - Out-parameters come first. Strings passed in are copied; strings handed
 *    out are owned by the object they come from (a list, a reason, a handle)
 *    and live until it is freed.
 *  - Every call that changes a manager or what it owns takes `as`, the name of
 *    the principal performing it; NULL is the trusted system caller (R6.5).
 *  - Thread safety: a context may be used from several threads at once. Calls
 *    that change the world hold the context's write lock; queries hold its read
 *    lock and run in parallel. avnm_errmsg() is per context: in multi-threaded
 *    use, read the message with avnm_errmsg_copy().
 *  - Handles (avnm_manager, avnm_scope_connection, ...) are allocated by the
 *    library and freed with their _close function. A handle whose object was
 *    deleted stays safe to use: every call on it fails with
 *    AVNM_E_STALE_HANDLE. Close all handles before avnm_ctx_free().
 */
#ifndef AVNM_H
#define AVNM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(AVNM_BUILDING)
#define AVNM_API __declspec(dllexport)
#elif defined(__GNUC__) && defined(AVNM_BUILDING)
#define AVNM_API __attribute__((visibility("default")))
#else
#define AVNM_API
#endif

/* ------------------------------------------------------------------------ */
/* Version                                                                   */
/* ------------------------------------------------------------------------ */

#define AVNM_VERSION_MAJOR 0 /**< Major version of this header (an ABI break raises it). */
#define AVNM_VERSION_MINOR 1 /**< Minor version of this header (raised by releases that add API). */
#define AVNM_VERSION_PATCH 0 /**< Patch version of this header (raised by fix-only releases). */
/** Packed version: 0xMMmmpp. */
#define AVNM_VERSION_NUMBER \
	((AVNM_VERSION_MAJOR << 16) | (AVNM_VERSION_MINOR << 8) | AVNM_VERSION_PATCH)
#define AVNM_VERSION_STRING "0.1.0" /**< Version of this header as text. */

/** Packed version of the library loaded at run time (compare with AVNM_VERSION_NUMBER). */
AVNM_API unsigned int avnm_version_number(void);
/** Version string of the library loaded at run time, e.g. "0.1.0". Static storage. */
AVNM_API const char *avnm_version_string(void);

/* ------------------------------------------------------------------------ */
/* Errors (R7)                                                               */
/* ------------------------------------------------------------------------ */

/** Status codes. Values are fixed forever; new codes are only appended. */
typedef enum avnm_error {
	AVNM_OK = 0,
	AVNM_E_INVALID_ARGUMENT = -1, /**< malformed input: ids, names, flags, options */
	AVNM_E_NOT_FOUND = -2,        /**< a named object does not exist */
	AVNM_E_EXISTS = -3,           /**< the object to create exists already */
	AVNM_E_CONFLICT = -4,         /**< would break a rule of the world (R3.3, R2.4) */
	AVNM_E_FORBIDDEN = -5,        /**< the principal lacks a permission (R6) */
	AVNM_E_BUSY = -6,             /**< the object is still in use (R3.5) */
	AVNM_E_LIMIT = -7,            /**< a size or depth limit would be exceeded */
	AVNM_E_STORAGE = -8,          /**< the storage backend failed */
	AVNM_E_CORRUPT = -9,          /**< stored data is damaged */
	AVNM_E_NO_MEMORY = -10,       /**< an allocation failed */
	AVNM_E_STALE_HANDLE = -11,    /**< the handle's object was deleted */
	AVNM_E_UNSUPPORTED = -12      /**< not supported by this build or backend */
} avnm_error;

/** The R7 name of a code ("invalid-argument", ...), or "unknown". Static storage. */
AVNM_API const char *avnm_error_name(int code);
/** Code for an R7 name, case-insensitive. Returns AVNM_OK (0) for "ok" and 1 for an
 * unknown name (never a valid error code). */
AVNM_API int avnm_error_from_name(const char *name);
/** A short English phrase for a code ("not found"). Static storage. */
AVNM_API const char *avnm_strerror(int code);

/* ------------------------------------------------------------------------ */
/* Enumerations                                                              */
/* ------------------------------------------------------------------------ */

/** Scope accesses of a network manager (R3.1): a bit set. */
typedef enum avnm_access {
	AVNM_ACCESS_CONNECTIVITY = 1u << 0,
	AVNM_ACCESS_SECURITY_ADMIN = 1u << 1,
	AVNM_ACCESS_SECURITY_USER = 1u << 2,
	AVNM_ACCESS_ROUTING = 1u << 3
} avnm_access;
#define AVNM_ACCESS_ALL 0xFu /**< All four accesses. */

/** One access from its name ("Connectivity", "SecurityAdmin", "SecurityUser",
 * "Routing"; case-insensitive) into *out. AVNM_E_INVALID_ARGUMENT otherwise. */
AVNM_API int avnm_access_parse(unsigned int *out, const char *name);
/** Name of a single access bit, or NULL if bit is not exactly one known access. */
AVNM_API const char *avnm_access_name(unsigned int bit);

/** Connection states (R4.3). AVNM_STATE_NONE: no such resource. */
typedef enum avnm_state {
	AVNM_STATE_NONE = 0,
	AVNM_STATE_PENDING = 1,
	AVNM_STATE_CONNECTED = 2,
	AVNM_STATE_CONFLICT = 3,
	AVNM_STATE_REVOKED = 4,
	AVNM_STATE_REJECTED = 5
} avnm_state;

/** "Pending", "Connected", ... ("None" for AVNM_STATE_NONE), NULL if unknown. */
AVNM_API const char *avnm_state_name(avnm_state state);
/** State from its name, case-insensitive; AVNM_E_INVALID_ARGUMENT if unknown. */
AVNM_API int avnm_state_parse(avnm_state *out, const char *name);

/** Why a connection is in its state, or why a question got its answer. Stable values. */
typedef enum avnm_reason_code {
	AVNM_REASON_NONE = 0,
	/* connection states (R4.4-R4.8) */
	AVNM_REASON_CONNECTED = 1,            /**< both sides exist and match */
	AVNM_REASON_CONNECTED_IMPLIED = 2,    /**< the manager's local scope covers it (R4.5) */
	AVNM_REASON_PENDING_NO_COUNTERPART = 3, /**< the other side does not exist (yet) */
	AVNM_REASON_PENDING_NO_MANAGER = 4,   /**< the named manager does not exist (R4.11) */
	AVNM_REASON_PENDING_REJECTED = 5,     /**< the matching scope connection was rejected */
	AVNM_REASON_CONFLICT = 6,             /**< another manager holds an item (R3.3) */
	AVNM_REASON_REVOKED = 7,              /**< the connected counterpart was deleted */
	AVNM_REASON_REVOKED_IMPLIED_LAPSED = 8, /**< implied consent lapsed (R4.5a) */
	AVNM_REASON_REJECTED = 9,             /**< declined by the target tenant (R4.8) */
	/* management decisions (R3.2, R4.3) */
	AVNM_REASON_ALLOW_LOCAL_SCOPE = 20,   /**< covered by the local scope */
	AVNM_REASON_ALLOW_CONNECTION = 21,    /**< covered by a Connected connection */
	AVNM_REASON_DENY_NO_ACCESS = 22,      /**< the manager lacks that scope access */
	AVNM_REASON_DENY_NOT_COVERED = 23,    /**< no effective scope item covers it */
	AVNM_REASON_DENY_NOT_CONNECTED = 24,  /**< covered only by a connection not Connected */
	AVNM_REASON_DENY_UNKNOWN_SUBSCRIPTION = 25, /**< the resource's subscription is unknown */
	/* authorization (R6) */
	AVNM_REASON_ALLOW_SYSTEM = 40,        /**< no principal: trusted caller (R6.5) */
	AVNM_REASON_ALLOW_ROLE = 41,          /**< a role assignment grants it */
	AVNM_REASON_DENY_NO_ACCOUNT = 42,     /**< no home or guest account in the tenant */
	AVNM_REASON_DENY_NO_ROLE = 43,        /**< no role grants it at or above the resource */
	AVNM_REASON_DENY_LINKED = 44          /**< linked authorization failed (R6.4) */
} avnm_reason_code;

/** What a named part of a reason is. */
typedef enum avnm_part_kind {
	AVNM_PART_MANAGER = 1,    /**< a network manager id */
	AVNM_PART_ITEM = 2,       /**< a scope item resource id */
	AVNM_PART_ACCESS = 3,     /**< an access name */
	AVNM_PART_CONNECTION = 4, /**< a connection name */
	AVNM_PART_TENANT = 5,     /**< a tenant id */
	AVNM_PART_PRINCIPAL = 6,  /**< a principal name */
	AVNM_PART_ROLE = 7,       /**< a role name */
	AVNM_PART_RESOURCE = 8,   /**< any other resource id */
	AVNM_PART_SUBSCRIPTION = 9 /**< a subscription id */
} avnm_part_kind;

/** Built-in roles (R6.1). */
typedef enum avnm_role {
	AVNM_ROLE_OWNER = 1,
	AVNM_ROLE_CONTRIBUTOR = 2,
	AVNM_ROLE_NETWORK_CONTRIBUTOR = 3,
	AVNM_ROLE_READER = 4
} avnm_role;
/** Role from "Owner", "Contributor", "NetworkContributor" (or "Network Contributor"),
 * "Reader", case-insensitive. AVNM_E_INVALID_ARGUMENT otherwise. */
AVNM_API int avnm_role_parse(avnm_role *out, const char *name);
/** "Owner", ..., "Network Contributor", "Reader"; NULL if unknown. */
AVNM_API const char *avnm_role_name(avnm_role role);

/** Actions a principal may be authorized for (avnm_authorize). */
typedef enum avnm_action {
	AVNM_ACTION_READ = 1,         /**< any role */
	AVNM_ACTION_NETWORK_WRITE = 2 /**< Owner, Contributor, Network Contributor */
} avnm_action;

/** Member types of a network group (R5.1). */
typedef enum avnm_member_type {
	AVNM_MEMBER_VIRTUAL_NETWORK = 1,
	AVNM_MEMBER_SUBNET = 2
} avnm_member_type;
/** "VirtualNetwork" or "Subnet", case-insensitive. */
AVNM_API int avnm_member_type_parse(avnm_member_type *out, const char *name);

/* ------------------------------------------------------------------------ */
/* Reasons and lists (values handed out by the library)                      */
/* ------------------------------------------------------------------------ */

/** A decision's explanation: a code, a sentence and the names involved. */
typedef struct avnm_reason avnm_reason;

/** The reason's code. A NULL reason gives AVNM_REASON_NONE. */
AVNM_API avnm_reason_code avnm_reason_get_code(const avnm_reason *reason);
/** One English sentence naming everything involved. Owned by the reason. */
AVNM_API const char *avnm_reason_text(const avnm_reason *reason);
/** Number of named parts. */
AVNM_API size_t avnm_reason_part_count(const avnm_reason *reason);
/** Part i: its kind and value (owned by the reason). AVNM_E_INVALID_ARGUMENT if i is
 * out of range. Conflicts list, per conflicting item: ITEM, MANAGER, ACCESS... */
AVNM_API int avnm_reason_part(const avnm_reason *reason, size_t i, avnm_part_kind *kind,
                              const char **value);
/** Free a reason. NULL is a no-op. */
AVNM_API void avnm_reason_free(avnm_reason *reason);

/** A list of resource ids (each optionally with the tenant it was resolved in). */
typedef struct avnm_list avnm_list;
/** Number of entries; 0 for a NULL list. */
AVNM_API size_t avnm_list_count(const avnm_list *list);
/** Entry i (display form, owned by the list), or NULL if out of range. */
AVNM_API const char *avnm_list_get(const avnm_list *list, size_t i);
/** Tenant of entry i where one applies (management groups), else NULL. */
AVNM_API const char *avnm_list_tenant(const avnm_list *list, size_t i);
/** Free a list. NULL is a no-op. */
AVNM_API void avnm_list_free(avnm_list *list);

/* ------------------------------------------------------------------------ */
/* Context                                                                   */
/* ------------------------------------------------------------------------ */

/** Allocation hooks, per context (like zstd's ZSTD_customMem). Both functions are
 * required when the struct is given. alloc returns NULL on failure; free accepts NULL. */
typedef struct avnm_allocator {
	void *(*alloc)(void *opaque, size_t size); /**< size bytes aligned for any type, or NULL */
	void (*free)(void *opaque, void *ptr);      /**< release what alloc returned; NULL is a no-op */
	void *opaque;                              /**< passed to alloc and free */
} avnm_allocator;

/** The current version of avnm_options. */
#define AVNM_OPTIONS_VERSION 1

/** R3.4: any ancestor/descendant overlap with a shared access is a conflict too. */
#define AVNM_OPT_STRICT_HIERARCHY (1u << 0)
/** R5.3: dynamic membership also reaches connected cross-tenant virtual networks. */
#define AVNM_OPT_CROSS_TENANT_DYNAMIC_MEMBERSHIP (1u << 1)

/** Context options. Initialise with AVNM_OPTIONS_INIT, then set fields. Members are
 * only ever appended; `version` tells the library which are present. */
typedef struct avnm_options {
	unsigned int version;        /**< AVNM_OPTIONS_VERSION */
	unsigned int flags;          /**< AVNM_OPT_*; unknown bits are invalid-argument */
	unsigned int max_mg_depth;   /**< levels below the root (R2.3); 0: default 6; max 64 */
	unsigned int max_mgs_per_tenant; /**< 0: default 10,000 (R2.3) */
	const avnm_allocator *allocator; /**< may be NULL: malloc/free. Copied. */
} avnm_options;
/** Initialiser of avnm_options: the current version, defaults everywhere else. */
#define AVNM_OPTIONS_INIT { AVNM_OPTIONS_VERSION, 0u, 0u, 0u, NULL }

/** A world (opaque): avnm_ctx_new, avnm_ctx_open, avnm_ctx_free. */
typedef struct avnm_ctx avnm_ctx;

/** Create an empty world. opts may be NULL (defaults).
 * Errors: AVNM_E_INVALID_ARGUMENT (bad version, flags or limits), AVNM_E_NO_MEMORY.
 * On error *out is NULL (there is no context to carry a message). */
AVNM_API int avnm_ctx_new(avnm_ctx **out, const avnm_options *opts);
/** Free a context and everything in it. NULL is a no-op. Not thread-safe against
 * other calls on the same context. */
AVNM_API void avnm_ctx_free(avnm_ctx *ctx);
/** Message of the last failing call on ctx, "" if none. Valid until the next call on
 * ctx; for use from one thread at a time. */
AVNM_API const char *avnm_errmsg(const avnm_ctx *ctx);
/** Copy the last message into buf (always NUL-terminated when size > 0); returns the
 * full message length. Thread-safe. */
AVNM_API size_t avnm_errmsg_copy(const avnm_ctx *ctx, char *buf, size_t size);
/** Code of the last failing call on ctx, AVNM_OK if none. */
AVNM_API int avnm_errcode(const avnm_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* Storage (docs/storage.md, docs/storage-format.md)                          */
/* ------------------------------------------------------------------------ */

/** Called by a backend's load for each stored record. Returns 0 to go on, or an
 * avnm_error to stop loading (the backend's load then returns that code). */
typedef int (*avnm_record_fn)(void *cookie, const char *key, size_t key_len, const void *value,
                              size_t value_len);

/** The current version of avnm_storage. */
#define AVNM_STORAGE_VERSION 1

/** A storage backend: where a context keeps its world (like libgit2's git_odb_backend,
 * SQLite's sqlite3_io_methods). The world is a set of records: a key (text, at most 4096
 * bytes, see docs/storage-format.md) and a value (bytes in the documented, versioned,
 * platform-independent encoding). Every successful change of the world is one
 * transaction: begin, then put and del calls, then commit; if anything fails on the way,
 * rollback. Callbacks return 0 or a negative avnm_error (normally AVNM_E_STORAGE), and
 * then errmsg, when given, says why. All callbacks are made with the context's write lock
 * held (load: during avnm_ctx_open), never concurrently. Members are only ever appended;
 * initialise with AVNM_STORAGE_INIT. */
typedef struct avnm_storage {
	unsigned int version;  /**< AVNM_STORAGE_VERSION */
	void *opaque;          /**< passed to every callback */
	/** Call fn for every committed record, in any order. Required. */
	int (*load)(void *opaque, avnm_record_fn fn, void *cookie);
	/** Start a transaction. Required. */
	int (*begin)(void *opaque);
	/** Insert or replace a record in the transaction. Required. */
	int (*put)(void *opaque, const char *key, size_t key_len, const void *value,
	           size_t value_len);
	/** Delete a record in the transaction; deleting an absent key is not an error. Required. */
	int (*del)(void *opaque, const char *key, size_t key_len);
	/** Make the transaction durable. When it fails, nothing of it may remain. Required. */
	int (*commit)(void *opaque);
	/** Forget the transaction. May be NULL when a transaction that is never committed
	 * leaves no trace by itself. */
	int (*rollback)(void *opaque);
	/** The message of the last failing callback, or NULL. May be NULL. */
	const char *(*errmsg)(void *opaque);
} avnm_storage;
/** Initialiser of avnm_storage: the current version, every other member NULL. */
#define AVNM_STORAGE_INIT { AVNM_STORAGE_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/** Open a context on a storage backend: load and validate every record, rebuild exactly the
 * committed world (states, sticky conflicts, what was connected, members), and from then on
 * write every change through the backend, all-or-nothing (R7). opts may be NULL. The backend
 * must outlive the context; the context does not close it.
 * Errors: INVALID_ARGUMENT (options, backend version or missing callbacks), CORRUPT (a record
 * cannot be decoded or does not fit the world: the message names its key), STORAGE (load
 * failed), NO_MEMORY. On error *out is NULL and the message is copied into errbuf (may be NULL)
 * of errsize bytes. */
AVNM_API int avnm_ctx_open(avnm_ctx **out, const avnm_options *opts, const avnm_storage *storage,
                           char *errbuf, size_t errsize);

/** The whole world as text, one record a line, sorted by key, values rendered readably
 * (docs/storage-format.md): equal worlds give equal dumps. *out is allocated with the
 * context's allocator; free it with avnm_free(ctx, *out). Errors: NO_MEMORY. */
AVNM_API int avnm_ctx_dump(char **out, size_t *len, avnm_ctx *ctx);
/** Free memory the library handed out with the context's allocator (avnm_ctx_dump). NULL
 * ctx or ptr is a no-op. */
AVNM_API void avnm_free(avnm_ctx *ctx, void *ptr);

/** Do not fsync at each commit (faster; a crash may lose the last commits, never tear one). */
#define AVNM_JOURNAL_NO_SYNC (1u << 0)

/** The built-in journal file backend: an append-only file of commits, each framed with its
 * length and CRC-32C; a torn or damaged tail is cut off at open (the last complete commit
 * wins); the file is compacted into a snapshot when it has grown to several times its live
 * size; an advisory lock keeps a second process from opening it at the same time. The file
 * is created if missing. flags: AVNM_JOURNAL_*, unknown bits are INVALID_ARGUMENT.
 * Errors: INVALID_ARGUMENT, BUSY (locked by another process), STORAGE (I/O), CORRUPT (not a
 * journal, damaged before its tail), NO_MEMORY. On error *out is NULL and the message is in
 * errbuf (may be NULL). Close with avnm_journal_close after freeing the context. */
AVNM_API int avnm_journal_open(avnm_storage **out, const char *path, unsigned int flags,
                               char *errbuf, size_t errsize);
/** Close a journal opened with avnm_journal_open (releases its lock). NULL is a no-op. */
AVNM_API void avnm_journal_close(avnm_storage *journal);

/** A backend that keeps the records in memory (the default when no backend is given keeps
 * no records at all). Useful to test a context reopened from storage, and as the simplest
 * example of the interface. Free with avnm_memstore_free after freeing its contexts. */
AVNM_API int avnm_memstore_new(avnm_storage **out);
/** Free a memory store and its records. NULL is a no-op. */
AVNM_API void avnm_memstore_free(avnm_storage *store);

/* ------------------------------------------------------------------------ */
/* Identifiers and scopes (R1): pure values                                  */
/* ------------------------------------------------------------------------ */

/** Canonical form (leading '/', ASCII lower case) of a resource id of a kind libavnm
 * knows (subscription, management group, resource group, virtual network, subnet,
 * network manager), into buf. Returns AVNM_OK, AVNM_E_INVALID_ARGUMENT (R1.4; message
 * in ctx if ctx is not NULL) or AVNM_E_LIMIT if buf is too small (size 2050 is always
 * enough). Pure: ctx is only used for the message and may be NULL. */
AVNM_API int avnm_id_canonical(char *buf, size_t size, avnm_ctx *ctx, const char *id);

/** A scope value (R1.6): a set of subscription and management-group items. */
typedef struct avnm_scope avnm_scope;

/** New empty scope. ctx may be NULL; if given, its allocator and error messages are used,
 * and the scope must be freed before the context. */
AVNM_API int avnm_scope_new(avnm_scope **out, avnm_ctx *ctx);
/** Add an item: a subscription ("/subscriptions/GUID", leading '/' optional) or a
 * management group ("/providers/Microsoft.Management/managementGroups/ID"). A resource
 * group or anything else is AVNM_E_INVALID_ARGUMENT (R1.6). Adding an item already present
 * (in any letter case) is accepted and changes nothing. At most 1000 items: AVNM_E_LIMIT. */
AVNM_API int avnm_scope_add(avnm_scope *scope, const char *item);
/** Number of distinct items. */
AVNM_API size_t avnm_scope_count(const avnm_scope *scope);
/** Item i in canonical form, items sorted by canonical key; NULL if out of range. */
AVNM_API const char *avnm_scope_item(const avnm_scope *scope, size_t i);
/** R1.6: 1 if the two scopes have the same set of canonical keys, else 0. Pure. */
AVNM_API int avnm_scope_equal(const avnm_scope *a, const avnm_scope *b);
/** Free a scope. NULL is a no-op. */
AVNM_API void avnm_scope_free(avnm_scope *scope);

/* ------------------------------------------------------------------------ */
/* Pure evaluators: the rules as functions of facts (no context)             */
/* ------------------------------------------------------------------------ */

/** Facts about one connection resource, for avnm_consent_evaluate (R4.4-R4.8). */
typedef struct avnm_consent_facts {
	avnm_state previous;  /**< its state before this event; AVNM_STATE_NONE when new */
	int rejected;         /**< it is a scope connection the target tenant rejected */
	int manager_exists;   /**< the named manager exists */
	int counterpart;      /**< a matching, non-rejected counterpart exists (R4.2) */
	int implied;          /**< the manager's local scope covers it in its home tenant (R4.5) */
	int conflict;         /**< connecting would break R3.3 */
	int fresh;            /**< this evaluation clears a sticky Conflict: the resource or its
	                           counterpart was (re)created, or re-evaluation was asked (R4.6) */
	int counterpart_rejected; /**< the matching scope connection exists but was rejected */
	int previous_implied; /**< its previous Connected state was by implied consent (R4.5a) */
} avnm_consent_facts;

/** R4.4-R4.8 as a pure function: the state a connection resource has given the facts,
 * and the reason code (may be NULL). */
AVNM_API avnm_state avnm_consent_evaluate(const avnm_consent_facts *facts,
                                          avnm_reason_code *reason);

/** R4.4 revocation transition: the state of the surviving side when its counterpart is
 * deleted while the pair was in state `pair_state`: Connected -> Revoked, Pending or
 * Conflict -> Pending; Revoked and Rejected stay. */
AVNM_API avnm_state avnm_revocation_transition(avnm_state pair_state);

/** One direct holding of a scope item by a manager (R3.3). */
typedef struct avnm_holding {
	const char *item;     /**< canonical scope item key (tenant-qualified for groups) */
	const char *manager;  /**< canonical manager id */
	unsigned int accesses; /**< AVNM_ACCESS_* bits it holds the item for */
} avnm_holding;

/** A conflict found by avnm_conflicts_find. */
typedef struct avnm_conflict {
	const char *item;     /**< from the holdings */
	const char *manager;  /**< the other manager */
	unsigned int shared;  /**< accesses both have */
} avnm_conflict;

/** R3.3 as a pure function: which of `held` would conflict with manager `self` holding
 * `items` with `accesses`. Holdings of `self` never conflict. Writes at most `cap`
 * conflicts to out (may be NULL when cap is 0) and returns how many there are in all. */
AVNM_API size_t avnm_conflicts_find(const avnm_holding *held, size_t nheld, const char *self,
                                    unsigned int accesses, const char *const *items,
                                    size_t nitems, avnm_conflict *out, size_t cap);

/* ------------------------------------------------------------------------ */
/* Directory (R2, R6.1): tenants, hierarchy, networks, principals            */
/* ------------------------------------------------------------------------ */
/* Directory facts model the directory itself and are never authorization-checked (R6.6).
 * A management group is named by its id ("mg-prod") or full resource id, always within
 * the tenant given; a subscription by its GUID or "/subscriptions/GUID". */

/** A tenant with its root management group (R2.1). name may be NULL.
 * Errors: INVALID_ARGUMENT (R1.1), EXISTS, LIMIT (a context holds at most 2^32 - 1
 * tenants), NO_MEMORY. */
AVNM_API int avnm_tenant_create(avnm_ctx *ctx, const char *tenant, const char *name);

/** A management group under parent (NULL: the root).
 * Errors: INVALID_ARGUMENT, NOT_FOUND (tenant, parent), EXISTS, LIMIT (R2.3). */
AVNM_API int avnm_mg_create(avnm_ctx *ctx, const char *tenant, const char *mg, const char *parent);

/** Re-parent a management group (R2.4). Errors: INVALID_ARGUMENT (root, cycle), NOT_FOUND,
 * LIMIT (depth), CONFLICT (would break R3.3 under strict_hierarchy). Connections whose
 * implied consent changes are re-evaluated (R4.5a). */
AVNM_API int avnm_mg_move(avnm_ctx *ctx, const char *tenant, const char *mg, const char *parent);

/** A subscription under management group mg of tenant (NULL: the root).
 * Errors: INVALID_ARGUMENT, NOT_FOUND (tenant, mg), EXISTS (in any tenant), LIMIT (a
 * context holds at most 2^31 subscriptions), NO_MEMORY. */
AVNM_API int avnm_subscription_create(avnm_ctx *ctx, const char *tenant, const char *sub,
                                      const char *mg);

/** Move a subscription to management group mg of its own tenant.
 * Errors: INVALID_ARGUMENT, NOT_FOUND, CONFLICT (strict_hierarchy). */
AVNM_API int avnm_subscription_move(avnm_ctx *ctx, const char *sub, const char *mg);

/** A tag: key (case-insensitive) and value (exact). */
typedef struct avnm_tag {
	const char *key;   /**< tag name, compared case-insensitively */
	const char *value; /**< tag value, compared exactly */
} avnm_tag;

/** Register a virtual network (R2.6). region may be NULL; tags may be NULL when ntags is 0.
 * Duplicate tag keys (in any case) are INVALID_ARGUMENT.
 * Errors: INVALID_ARGUMENT, NOT_FOUND (its subscription), EXISTS. */
AVNM_API int avnm_vnet_create(avnm_ctx *ctx, const char *vnet_id, const char *region,
                              const avnm_tag *tags, size_t ntags);

/** A principal (user or service principal) with its home tenant (R6.1). Names compare
 * case-insensitively. Errors: INVALID_ARGUMENT, NOT_FOUND (tenant), EXISTS. */
AVNM_API int avnm_principal_create(avnm_ctx *ctx, const char *name, const char *home_tenant);

/** Give principal a guest account in tenant. Errors: INVALID_ARGUMENT, NOT_FOUND,
 * EXISTS (already a guest there, or it is the home tenant). */
AVNM_API int avnm_guest_add(avnm_ctx *ctx, const char *principal, const char *tenant);

/** Assign role to principal at scope_id: the resource id of a management group, a
 * subscription, a resource group or a resource below it (R6.1). tenant (may be NULL) resolves a
 * management-group id that several tenants have (R2.7). The principal must be a member
 * or guest of the scope's tenant. The scope must exist (resource groups and resources
 * below a known subscription exist implicitly).
 * Errors: INVALID_ARGUMENT (incl. ambiguous group), NOT_FOUND, EXISTS. */
AVNM_API int avnm_role_assign(avnm_ctx *ctx, const char *principal, avnm_role role,
                              const char *scope_id, const char *tenant);

/** May principal perform action on resource_id (R6)? A pure query: changes nothing.
 * principal NULL is the system (always allowed). *allowed receives 1 or 0; *reason (may be
 * NULL) a new reason to free. A deny is not an error.
 * Errors: INVALID_ARGUMENT, NOT_FOUND (principal), NO_MEMORY. */
AVNM_API int avnm_authorize(int *allowed, avnm_reason **reason, avnm_ctx *ctx,
                            const char *principal, avnm_action action,
                            const char *resource_id, const char *tenant);

/* ------------------------------------------------------------------------ */
/* Network managers (R3)                                                     */
/* ------------------------------------------------------------------------ */

/** Create a manager. accesses: AVNM_ACCESS_* bits (may be 0). scope: its local scope,
 * items of its home tenant only (may be NULL or empty). Management groups resolve in the
 * home tenant.
 * Errors: INVALID_ARGUMENT (id, unknown access bits, foreign item), FORBIDDEN (R6.6),
 * NOT_FOUND (its subscription, a scope item), EXISTS, CONFLICT (R3.3; the message names
 * the item, each conflicting manager and the shared accesses). */
AVNM_API int avnm_manager_create(avnm_ctx *ctx, const char *as, const char *manager_id,
                                 unsigned int accesses, const avnm_scope *scope);

#define AVNM_UPDATE_ACCESSES (1u << 0) /**< avnm_manager_update: replace the accesses */
#define AVNM_UPDATE_SCOPE (1u << 1)    /**< avnm_manager_update: replace the local scope */
/** Replace accesses and/or local scope, as `what` says (AVNM_UPDATE_*; unknown bits are
 * INVALID_ARGUMENT; 0 changes nothing but still checks authorization and existence).
 * Connections of the manager are re-evaluated (R4.5a).
 * Errors: as avnm_manager_create, NOT_FOUND for the manager. */
AVNM_API int avnm_manager_update(avnm_ctx *ctx, const char *as, const char *manager_id,
                                 unsigned int what, unsigned int accesses,
                                 const avnm_scope *scope);

#define AVNM_DELETE_FORCE (1u << 0) /**< avnm_manager_delete: delete its connections and groups too */
/** Delete a manager. Without AVNM_DELETE_FORCE, a manager with scope connections or
 * network groups is BUSY; with it, they are deleted too and counterparts react (R3.5).
 * Errors: INVALID_ARGUMENT, FORBIDDEN, NOT_FOUND, BUSY. */
AVNM_API int avnm_manager_delete(avnm_ctx *ctx, const char *as, const char *manager_id,
                                 unsigned int flags);

/* ------------------------------------------------------------------------ */
/* Cross-tenant connections (R4)                                             */
/* ------------------------------------------------------------------------ */

/** Manager side (R4.1): scope connection `name` of the manager to `tenant` for `scope`
 * (management groups resolve in `tenant`). Its state is evaluated at once.
 * Errors: INVALID_ARGUMENT (name, empty scope, item of another tenant), FORBIDDEN (R6.2),
 * NOT_FOUND (manager, tenant, item: R4.10), EXISTS (R4.9). */
AVNM_API int avnm_scope_connection_create(avnm_ctx *ctx, const char *as,
                                          const char *manager_id, const char *name,
                                          const char *tenant, const avnm_scope *scope);
/** Delete a scope connection; its counterpart reacts (R4.4, R4.7).
 * Errors: INVALID_ARGUMENT, FORBIDDEN (R6.2), NOT_FOUND. */
AVNM_API int avnm_scope_connection_delete(avnm_ctx *ctx, const char *as,
                                          const char *manager_id, const char *name);
/** The target tenant declines a Pending scope connection (R4.8).
 * Errors: INVALID_ARGUMENT (wrong tenant, not Pending), FORBIDDEN (R6.3), NOT_FOUND. */
AVNM_API int avnm_scope_connection_reject(avnm_ctx *ctx, const char *as, const char *tenant,
                                          const char *manager_id, const char *name);
/** Re-evaluate a scope connection and its pair; clears a sticky Conflict if the
 * conflict is gone (R4.6). Errors: INVALID_ARGUMENT, FORBIDDEN (R6.6), NOT_FOUND. */
AVNM_API int avnm_scope_connection_reevaluate(avnm_ctx *ctx, const char *as,
                                              const char *manager_id, const char *name);
/** State of a scope connection and (reason may be NULL) why. Errors: INVALID_ARGUMENT,
 * NOT_FOUND, NO_MEMORY. */
AVNM_API int avnm_scope_connection_state(avnm_state *state, avnm_reason **reason,
                                         avnm_ctx *ctx, const char *manager_id,
                                         const char *name);

/** Target side (R4.1): hub connection `name` in `tenant` at `scope` (items of `tenant`),
 * naming a manager that need not exist (R4.11).
 * Errors: INVALID_ARGUMENT, FORBIDDEN (R6.3), NOT_FOUND (tenant, item), EXISTS (R4.9). */
AVNM_API int avnm_hub_connection_create(avnm_ctx *ctx, const char *as, const char *tenant,
                                        const char *name, const avnm_scope *scope,
                                        const char *manager_id);
/** Delete a hub connection; its counterpart reacts (R4.4, R4.7).
 * Errors: INVALID_ARGUMENT, FORBIDDEN (R6.3), NOT_FOUND. */
AVNM_API int avnm_hub_connection_delete(avnm_ctx *ctx, const char *as, const char *tenant,
                                        const char *name);
/** State of a hub connection and (reason may be NULL) why. */
AVNM_API int avnm_hub_connection_state(avnm_state *state, avnm_reason **reason,
                                       avnm_ctx *ctx, const char *tenant, const char *name);

/* ------------------------------------------------------------------------ */
/* Questions (R3.2, R3.4, R4.3)                                              */
/* ------------------------------------------------------------------------ */

/** May manager manage resource_id for one access now? resource_id: a management group
 * (resolved in tenant, or unambiguous), subscription, resource group, virtual network,
 * subnet or other id below a subscription. *allowed gets 1 or 0, *reason (may be NULL) why.
 * Errors: INVALID_ARGUMENT (incl. not exactly one access bit), NOT_FOUND (manager, group). */
AVNM_API int avnm_can_manage(int *allowed, avnm_reason **reason, avnm_ctx *ctx,
                             const char *manager_id, const char *resource_id,
                             unsigned int access, const char *tenant);

/** The managers that manage resource_id for one access, highest precedence first (R3.4).
 * Errors: INVALID_ARGUMENT, NOT_FOUND (group), NO_MEMORY. */
AVNM_API int avnm_managers_of(avnm_list **out, avnm_ctx *ctx, const char *resource_id,
                              unsigned int access, const char *tenant);

/** n questions of avnm_can_manage in one call, all answered against the same state (one
 * read lock): question i asks whether manager_ids[i] may manage resource_ids[i] for
 * accesses[i], resolved in tenants[i] (tenants NULL: no tenant for any question). No
 * reasons. allowed[i] gets 1 or 0 (0 when question i failed); status (may be NULL) gets
 * each question's code, AVNM_OK or an error of avnm_can_manage. Every question is answered
 * whatever the others give. The answers are those of n calls of avnm_can_manage; at scale
 * they come faster, since the library fetches the memory of the questions ahead while it
 * answers one (docs/performance.md). Returns AVNM_OK when every question was answered,
 * else the code of the first that failed, whose message (avnm_errmsg) begins
 * "question <i>: ". Errors: INVALID_ARGUMENT (ctx NULL, an array NULL with n > 0, or an
 * n no array can have), and those of avnm_can_manage. */
AVNM_API int avnm_can_manage_many(int *allowed, int *status, avnm_ctx *ctx, size_t n,
                                  const char *const *manager_ids,
                                  const char *const *resource_ids,
                                  const unsigned int *accesses, const char *const *tenants);

/** n questions of avnm_managers_of in one call, as avnm_can_manage_many: out[i] gets the
 * list for resource_ids[i], accesses[i] and tenants[i] (tenants NULL: none), NULL when
 * question i failed; free each with avnm_list_free. status (may be NULL) gets each
 * question's code. Returns AVNM_OK when every question was answered, else the code of
 * the first that failed ("question <i>: " in its message); the others are answered all
 * the same. Errors: INVALID_ARGUMENT (ctx NULL, an array NULL with n > 0, or an n no
 * array can have), and those of avnm_managers_of. */
AVNM_API int avnm_managers_of_many(avnm_list **out, int *status, avnm_ctx *ctx, size_t n,
                                   const char *const *resource_ids,
                                   const unsigned int *accesses, const char *const *tenants);

/** The scope items a manager holds through Connected connections (crossTenantScopes,
 * R3.2), with their tenants; connections Connected by implied consent add nothing.
 * Errors: INVALID_ARGUMENT, NOT_FOUND, NO_MEMORY. */
AVNM_API int avnm_manager_cross_tenant_scopes(avnm_list **out, avnm_ctx *ctx,
                                              const char *manager_id);

/* ------------------------------------------------------------------------ */
/* Handles                                                                   */
/* ------------------------------------------------------------------------ */

/** Handle on a network manager (opaque): avnm_manager_open. */
typedef struct avnm_manager avnm_manager;
/** Handle on a scope connection (opaque): avnm_scope_connection_open. */
typedef struct avnm_scope_connection avnm_scope_connection;
/** Handle on a hub connection (opaque): avnm_hub_connection_open. */
typedef struct avnm_hub_connection avnm_hub_connection;

/** Open a handle on an existing manager. Errors: INVALID_ARGUMENT, NOT_FOUND, NO_MEMORY. */
AVNM_API int avnm_manager_open(avnm_manager **out, avnm_ctx *ctx, const char *manager_id);
/** Its id as first registered (owned by the handle). STALE_HANDLE if deleted. */
AVNM_API int avnm_manager_get_id(const char **id, avnm_manager *m);
/** Its accesses. STALE_HANDLE if deleted. */
AVNM_API int avnm_manager_get_accesses(unsigned int *accesses, avnm_manager *m);
/** A copy of its local scope (free with avnm_scope_free). STALE_HANDLE if deleted. */
AVNM_API int avnm_manager_get_scope(avnm_scope **scope, avnm_manager *m);
/** Release the handle (not the manager). NULL is a no-op. */
AVNM_API void avnm_manager_close(avnm_manager *m);

/** Open a handle on scope connection `name` of a manager. */
AVNM_API int avnm_scope_connection_open(avnm_scope_connection **out, avnm_ctx *ctx,
                                        const char *manager_id, const char *name);
/** Current state and (may be NULL) reason. STALE_HANDLE if deleted. */
AVNM_API int avnm_scope_connection_get_state(avnm_state *state, avnm_reason **reason,
                                             avnm_scope_connection *c);
/** Release the handle. NULL is a no-op. */
AVNM_API void avnm_scope_connection_close(avnm_scope_connection *c);

/** Open a handle on hub connection `name` of tenant. */
AVNM_API int avnm_hub_connection_open(avnm_hub_connection **out, avnm_ctx *ctx,
                                      const char *tenant, const char *name);
/** Current state and (may be NULL) reason. STALE_HANDLE if deleted. */
AVNM_API int avnm_hub_connection_get_state(avnm_state *state, avnm_reason **reason,
                                           avnm_hub_connection *c);
/** Release the handle. NULL is a no-op. */
AVNM_API void avnm_hub_connection_close(avnm_hub_connection *c);

/* ------------------------------------------------------------------------ */
/* Network groups (R5)                                                       */
/* ------------------------------------------------------------------------ */

/** Create network group `group` of a manager. Errors: INVALID_ARGUMENT, FORBIDDEN (R6.6),
 * NOT_FOUND (manager), EXISTS. */
AVNM_API int avnm_group_create(avnm_ctx *ctx, const char *as, const char *manager_id,
                               const char *group, avnm_member_type type);
/** Delete a group and its member records and conditions. Errors: INVALID_ARGUMENT,
 * FORBIDDEN, NOT_FOUND. */
AVNM_API int avnm_group_delete(avnm_ctx *ctx, const char *as, const char *manager_id,
                               const char *group);
/** Add a static member (R5.2): a registered virtual network (VirtualNetwork groups) or a
 * subnet of one (Subnet groups), also outside the manager's effective scope.
 * Errors: INVALID_ARGUMENT (id, wrong type), FORBIDDEN (R6.4: "linked authorization
 * failed" for the network's tenant), NOT_FOUND (manager, group, network), EXISTS. */
AVNM_API int avnm_member_add(avnm_ctx *ctx, const char *as, const char *manager_id,
                             const char *group, const char *resource_id);
/** Remove a static member. Errors: INVALID_ARGUMENT, FORBIDDEN, NOT_FOUND. */
AVNM_API int avnm_member_remove(avnm_ctx *ctx, const char *as, const char *manager_id,
                                const char *group, const char *resource_id);
/** Add a dynamic membership condition: virtual networks carrying all these tags (keys
 * case-insensitive, values exact). Several conditions on one group add up (R5.3).
 * Only VirtualNetwork groups. Errors: INVALID_ARGUMENT, FORBIDDEN, NOT_FOUND. */
AVNM_API int avnm_group_condition_add(avnm_ctx *ctx, const char *as, const char *manager_id,
                                      const char *group, const avnm_tag *tags, size_t ntags);
/** The effective members of a group now (R5.2, R5.3), static and dynamic, each once.
 * Errors: INVALID_ARGUMENT, NOT_FOUND, NO_MEMORY. */
AVNM_API int avnm_group_members(avnm_list **out, avnm_ctx *ctx, const char *manager_id,
                                const char *group);

/* ------------------------------------------------------------------------ */
/* Change events                                                             */
/* ------------------------------------------------------------------------ */

/** What an event tells. */
typedef enum avnm_event_kind {
	AVNM_EVENT_SCOPE_CONNECTION_STATE = 1, /**< manager, connection, old, new */
	AVNM_EVENT_HUB_CONNECTION_STATE = 2,   /**< tenant, connection, manager, old, new */
	AVNM_EVENT_SCOPE_ENTERED = 3,          /**< manager, item, tenant: entered effective scope */
	AVNM_EVENT_SCOPE_LEFT = 4,             /**< manager, item, tenant: left it */
	AVNM_EVENT_MEMBER_EFFECTIVE = 5,       /**< manager, group, resource */
	AVNM_EVENT_MEMBER_INEFFECTIVE = 6      /**< manager, group, resource */
} avnm_event_kind;

/** One change. Strings are valid during the callback only. Fields that do not apply to
 * the kind are NULL or AVNM_STATE_NONE. */
typedef struct avnm_event {
	avnm_event_kind kind;   /**< what happened; says which fields apply */
	const char *manager;    /**< manager id (display form) */
	const char *connection; /**< connection name */
	const char *tenant;     /**< tenant of the connection or item */
	const char *item;       /**< scope item resource id */
	const char *group;      /**< network group name */
	const char *resource;   /**< member resource id */
	avnm_state old_state;   /**< connection state before the change */
	avnm_state new_state;   /**< connection state after the change */
} avnm_event;

/** Called after each successful change, once per event, in order, on the thread that made
 * the change, after the context's lock is released (so it may call back into libavnm).
 * Never called for a failed call. */
typedef void (*avnm_event_fn)(void *opaque, const avnm_event *event);

/** Set (or with fn NULL, clear) the event callback of ctx. */
AVNM_API int avnm_ctx_set_event_callback(avnm_ctx *ctx, avnm_event_fn fn, void *opaque);

#ifdef __cplusplus
}
#endif

#endif /* AVNM_H */
