/* The registry's data model and the machinery every module shares.
 * Internal: nothing here is exported (the version script lets out avnm_* only). */
#ifndef AVNM_INTERNAL_H
#define AVNM_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "avnm.h"
#include "ids.h"

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* ---- allocation ---------------------------------------------------------- */

struct mem {
	void *(*alloc)(void *opaque, size_t size);
	void (*free)(void *opaque, void *ptr);
	void *opaque;
};
extern const struct mem mem_default;
void *mem_alloc(const struct mem *m, size_t n);  /* zeroed */
void mem_free(const struct mem *m, void *p);
char *mem_strdup(const struct mem *m, const char *s);
char *mem_strndup(const struct mem *m, const char *s, size_t n);

/* ---- intrusive hash table --------------------------------------------------
 * Objects embed a hnode; linking never allocates except to grow the bucket
 * array, and a failed growth only leaves chains longer. So an undo of a removal
 * can never fail, which is what makes rollback infallible. */
struct hnode {
	struct hnode *next;
	uint64_t hash;
	const char *key;
	size_t klen;
};
struct htab {
	struct hnode **b;
	size_t nb, n;
	const struct mem *mem;
};
uint64_t hash_bytes(const void *p, size_t n);
int htab_init(struct htab *t, const struct mem *m, size_t nbuckets);
void htab_fini(struct htab *t);
void htab_insert(struct htab *t, struct hnode *node, const char *key, size_t klen);
/* htab_insert with hash == hash_bytes(key, klen), computed by the caller. */
void htab_insert_hashed(struct htab *t, struct hnode *node, const char *key, size_t klen,
                        uint64_t hash);
void htab_remove(struct htab *t, struct hnode *node);
struct hnode *htab_find(const struct htab *t, const char *key, size_t klen);
/* htab_find with the key's hash_bytes already computed (one key, several tables). */
struct hnode *htab_find_hashed(const struct htab *t, const char *key, size_t klen, uint64_t hash);
/* Find by a name key stored ASCII-lower-cased (names compare case-insensitively). */
struct hnode *htab_find_lower(const struct htab *t, const char *key, size_t klen);
/* The first node of the chain that a key with this hash is in, or NULL: for a table
 * whose keys compare otherwise than as bytes (pair_find). */
const struct hnode *htab_head(const struct htab *t, uint64_t hash);
/* A registered object by its resource id, without parsing: its canonical key is the id
 * with a leading '/' in ASCII lower case, and it was validated when registered. So a
 * hit needs no checks; on a miss the caller parses the id for a precise error (R1). */
struct hnode *htab_find_id(const struct htab *t, const char *id);
/* The next node after `from` with the same key (tables may hold duplicates). */
struct hnode *htab_find_next(const struct hnode *from);
/* Iterate: *pos starts at 0 and *cur at NULL. */
struct hnode *htab_iter(const struct htab *t, size_t *pos, struct hnode *cur);

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)0)
#endif

/* Ask for the bucket a key with this hash is in (a hint: nothing is read). */
static inline void htab_prefetch(const struct htab *t, uint64_t hash)
{
	if (t->nb) PREFETCH(&t->b[(size_t)hash & (t->nb - 1)]);
}

#define CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* ---- intrusive doubly linked list ---------------------------------------- */
struct dl {
	struct dl *prev, *next;
};
void dl_init(struct dl *head);
void dl_insert_after(struct dl *pos, struct dl *node);
void dl_unlink(struct dl *node);
#define DL_EMPTY(h) ((h)->next == (h))

/* ---- growable buffers ------------------------------------------------------ */
struct buf {
	char *p;
	size_t len, cap;
	const struct mem *mem;
	int failed;
};
void buf_init(struct buf *b, const struct mem *m);
void buf_putn(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
void buf_fini(struct buf *b);
void buf_varint(struct buf *b, uint64_t v);
/* Concatenate the strings given (NULL ends the list) into dst: the length, or 0 with
 * dst empty if they do not fit. Keys are built on every call: no printf parsing. */
size_t str_join(char *dst, size_t size, ...);
/* str_join(dst, size, pre, tenant, "/", rest) for a tenant's GUID (GUID_LEN bytes) and
 * a prefix of plen bytes, without the variadic walk: the keys that name things within a
 * tenant, built on every lookup of one. */
size_t tenant_key(char *dst, size_t size, const char *pre, size_t plen, const char *tenant,
                  const char *rest);
/* Decode one canonical LEB128 value; -1 if truncated, too long or not minimal. */
int get_varint(const unsigned char **p, const unsigned char *end, uint64_t *out);

/* ---- values handed out ----------------------------------------------------- */
struct rpart {
	avnm_part_kind kind;
	char *value;
};
struct avnm_reason {
	struct mem mem;
	avnm_reason_code code;
	char *text;
	size_t n, cap;
	struct rpart *parts;
};
/* A reason under construction: parts then text. Failures latch into r == NULL. */
avnm_reason *reason_new(const struct mem *m, avnm_reason_code code);
void reason_part(avnm_reason *r, avnm_part_kind kind, const char *value);
void reason_text(avnm_reason *r, const char *fmt, ...) PRINTF_LIKE(2, 3);
avnm_reason *reason_done(avnm_reason *r); /* NULL if any step failed */
avnm_reason *reason_copy(const struct mem *m, const avnm_reason *src);

struct lentry {
	const char *value;
	const char *tenant;
};
/* Strings of a list beyond its own block. */
struct lchunk {
	struct lchunk *next;
	char data[];
};
#define LIST_INLINE_ENTRIES 4
#define LIST_INLINE_BYTES 512
/* A list is one allocation while it is small (a question's answer): the entries and
 * the strings are copied into the list's own block, then into chunks. */
struct avnm_list {
	struct mem mem;
	size_t n, cap;
	struct lentry *e;        /* inl_e until it outgrows it */
	char *pool;              /* where the next string goes */
	size_t pool_left;
	size_t chunk_size;       /* of the next chunk */
	struct lchunk *chunks;
	struct lentry inl_e[LIST_INLINE_ENTRIES];
	char inl_pool[LIST_INLINE_BYTES];
};
avnm_list *list_new(const struct mem *m);
/* A list with no entries that needs no allocation: for empty answers; never add to it. */
avnm_list *list_empty(void);
int list_add(avnm_list *l, const char *value, const char *tenant);

struct avnm_scope {
	struct mem mem;
	avnm_ctx *ctx;
	size_t n, cap;
	char **keys;     /* canonical, sorted */
	char **display;  /* as first added */
	int *is_mg;
};

/* ---- the registry ---------------------------------------------------------- */

enum node_kind { NODE_MG = 1, NODE_SUB = 2 };

/* The deepest hierarchy avnm_options.max_mg_depth may ask for (levels below a root). */
#define MAX_DEPTH_CAP 64u

#define FLAT_CAP 4
#define FLAT_OVER 0xff
#define QFILL_MAX 32  /* tenants a change may leave with their slots' copies filled */

struct manager;
struct sconn;
struct hconn;

/* A direct holding of a node by a manager (R3.3): from its local scope
 * (via == NULL) or from a Connected scope connection. */
struct holding {
	struct holding *next;
	struct manager *mgr;
	struct sconn *via;
};

struct tenant {
	/* Its entry in ctx->tchanged (tenant_changed): ctx->holdclock at the last change of
	 * holdings or of the hierarchy in the tenant (or at its undo); the nodes' flat
	 * caches and the question slots found valid before it are stale. */
	uint32_t tix;
	/* its subscriptions (whose slots a change of the tenant fills, qcache.c) */
	struct node **subs;
	size_t nsubs, capsubs;
	struct hnode h;          /* ctx->tenants: lower GUID */
	char id[GUID_LEN + 1];
	char *name;
	struct node *root;
	size_t nmgs;             /* groups below the root (R2.3) */
	unsigned char mark;      /* in ctx->marks this change */
	struct dl sconns;        /* scope connections targeting this tenant */
	struct dl hubs;          /* hub connections of this tenant */
};

/* A management group or a subscription: a node of one tenant's hierarchy. The last
 * fields are what a question touches (see below). */
struct node {
	enum node_kind kind;
	unsigned depth;          /* root 0 */
	struct dl children;      /* child nodes */
	struct dl sibling;
	struct dl vnets;         /* subscriptions: their virtual networks */
	struct hnode h_name;     /* ctx->mg_names: "<mgid-lower>", groups only (R2.7) */
	char *key;               /* canonical resource id */
	char *display;           /* resource id as first registered */
	/* Last, and followed in the same block by hkey, key and display (node_new): what a
	 * question whose slot's copy is stale reads (the tenant, the flat cache, and on a
	 * refill the parent and the holders), and what a change's fill of its tenant's
	 * copies reads (parent, holders, qix), is one short run of memory. */
	struct tenant *tenant;
	struct node *parent;
	struct holding *holders;
	char *hkey;
	unsigned char mark;
	uint32_t qix;            /* subscriptions: its slot, ctx->qc[qix] (qcache.c) */
	/* The flat cache: every manager holding this node or one above it, highest first,
	 * each once (the order of R3.4), which a question reads instead of walking the
	 * chain; nflat of them, or FLAT_OVER (more than FLAT_CAP: walk the chain).
	 * flatgen: ctx->holdclock when it was last found valid. Valid while no change in
	 * the tenant came after that (flatgen >= tenant->changed), so a change invalidates
	 * every cache of its tenant at once, in O(1); and while nothing changed anywhere
	 * (flatgen == ctx->holdclock) a question need not read the tenant at all. Filled
	 * by the first reader that finds it stale (flat_of); readers share the read lock,
	 * so the fields are atomic (any two readers fill it alike). */
	_Atomic unsigned char nflat;
	_Atomic uint64_t flatgen;
	_Atomic(struct manager *) flat[FLAT_CAP];
	struct hnode h;          /* ctx->nodes: "s/<guid>" or "m/<tenant>/<mgid-lower>" */
};

struct vtag {
	struct hnode h;          /* ctx->tags: "<tenant>\n<key-lower>\n<value>" */
	struct vnet *vnet;
	char *hkey;
	char *key, *value;
};

struct vnet {
	char *key, *region;      /* key: in the same block, right after the struct */
	unsigned char *upper;    /* bit i: byte i of the id as registered is upper case
	                          * (NULL: none is; else in the block after the key); see
	                          * vnet_display. Most of a network's memory was a second
	                          * copy of its id. */
	unsigned char mark;
	struct dl in_sub;
	size_t ntags;
	struct vtag *tags;
	/* Last, next to the key that follows: what a lookup by id reads is one short run
	 * of memory (the subscription, the table node, the key). */
	struct node *sub;
	struct hnode h;          /* ctx->vnets: canonical id */
};

struct manager {
	struct hnode h;          /* ctx->managers: canonical id */
	uint64_t serial;
	char *key, *display;
	struct node *sub;
	struct tenant *home;
	unsigned accesses;
	size_t nscope;
	struct node **scope;     /* local scope, sorted by key, immutable (replaced whole) */
	struct htab sconns;      /* by lower name */
	struct htab groups;      /* by lower name */
	int touched;             /* in ctx->touched during a change */
	unsigned char mark;
};

/* What a connection's reason names beyond its code. Immutable once built; one block
 * (the entries, then their strings), shared by the two sides of a pair. */
struct detail {
	size_t refs;             /* holders: both sides of a pair share one (detail_ref) */
	size_t n;
	size_t used;             /* string bytes filled so far (detail_put) */
	struct {
		const char *item, *manager;
		unsigned shared;
	} e[];
};

/* What pairs a scope connection with a hub connection (R4.2): the tenant, the sorted
 * scope items and the manager's canonical id (mlen bytes). Each connection keeps its own,
 * pointing into itself (items, and a hub connection's mgr_key); its ctx->pairs_* table
 * node's key points at it (the tables compare keys with pair_same in connections.c). */
struct pairid {
	const struct tenant *tenant;
	struct node *const *items;
	size_t n;
	const char *mgr_key;
	size_t mlen;
};

struct sconn {
	struct hnode h;          /* mgr->sconns: lower name */
	struct hnode h_pair;     /* ctx->pairs_s: pid */
	struct pairid pid;
	struct dl in_tenant;     /* tenant->conns */
	uint64_t serial;
	struct manager *mgr;
	char *name, *hkey;
	struct tenant *tenant;
	size_t nitems;
	struct node **items;     /* sorted by key */
	unsigned state;          /* avnm_state */
	unsigned reason;         /* avnm_reason_code */
	struct detail *detail;
	int rejected;
	int holds;               /* its items are held (Connected, not implied) */
	unsigned char mark;
};

/* The hub connections naming one manager id (which need not exist, R4.11): one
 * entry a manager id, so that unlinking one connection is O(1). */
struct hubset {
	struct hnode h;          /* ctx->hubs_by_mgr: canonical manager id */
	char *key;
	struct dl hubs;
};

struct hconn {
	struct hnode h;          /* ctx->hubs: "<tenant>/<lower name>" */
	struct hnode h_pair;     /* ctx->pairs_h: pid */
	struct pairid pid;
	struct dl in_mgr;        /* hubset->hubs of the manager it names */
	struct hubset *set;
	struct dl in_tenant;
	uint64_t serial;
	struct tenant *tenant;
	char *name, *hkey, *mgr_key, *mgr_display;
	size_t nitems;
	struct node **items;
	unsigned state;          /* avnm_state */
	unsigned reason;         /* avnm_reason_code */
	struct detail *detail;
	unsigned char mark;
};

struct cond {
	size_t ntags;
	char **keys;             /* lower case */
	char **values;
};

struct member {
	struct hnode h;          /* group->members: canonical id */
	char *key, *display;
	struct vnet *vnet;
	struct group *group;
	unsigned char mark;
};

/* An effective member as last told to the event callback. */
struct eff {
	struct hnode h;
	char *key, *display;
};

struct group {
	struct hnode h;          /* mgr->groups: lower name */
	uint64_t serial;
	struct manager *mgr;
	char *name, *hkey;
	avnm_member_type type;
	struct htab members;
	size_t nconds;
	struct cond **conds;     /* immutable array, replaced whole */
	struct htab eff;         /* effective members last told (events only) */
	unsigned char mark;
};

/* Guest accounts of one principal: what a stored principal record may hold. */
#define MAX_GUESTS 10000

struct principal {
	struct hnode h;          /* ctx->principals: lower name */
	char *name, *hkey;
	struct tenant *home;
	size_t nguests;
	struct tenant **guests;  /* immutable array, replaced whole */
	unsigned char mark;
};

struct assignment {
	struct hnode h;          /* ctx->roles: scope key (see authz.c) */
	char *hkey;
	char *display;           /* the scope as a resource id */
	struct principal *who;
	avnm_role role;
	struct tenant *tenant;
	unsigned char mark;
};

/* Undo log entry: fn(ctx, a, b) reverses one primitive change. */
struct undo {
	void (*fn)(avnm_ctx *ctx, void *a, void *b);
	void *a, *b;
};

/* Kinds of stored records (docs/storage-format.md). */
enum rec_kind {
	REC_TENANT = 'T',
	REC_NODE = 'D',      /* management group (not a root) or subscription */
	REC_VNET = 'V',
	REC_MANAGER = 'M',
	REC_SCONN = 'C',
	REC_HCONN = 'H',
	REC_GROUP = 'G',
	REC_MEMBER = 'E',
	REC_PRINCIPAL = 'P',
	REC_ROLE = 'R'
};

/* An object changed by the change in progress: written or deleted at commit. */
struct mark {
	enum rec_kind kind;
	void *obj;
	unsigned char *flag;
};

struct pending_event {
	avnm_event ev;
	char *strs[6];
};

struct avnm_ctx {
	struct mem mem;
	unsigned flags;
	unsigned max_depth, max_mgs;
	pthread_rwlock_t lock;
	pthread_mutex_t errlock;
	int errcode;
	char errmsg[1024];
	uint64_t next_serial;
	uint64_t holdclock;      /* counts changes of holdings or hierarchies (struct node) */
	/* each tenant's (struct tenant, tix) last change, by holdclock; entry 0 is no
	 * tenant's and stays 0 */
	uint64_t *tchanged;
	size_t ntchanged, captchanged;
	uint64_t qstale;         /* holdclock when every slot's copy was made stale */
	/* tenants whose holdings or hierarchy the change in progress changed, their
	 * subscriptions' copies filled at its end; QFILL_MAX + 1: more than that, none */
	struct tenant *qfill[QFILL_MAX];
	unsigned nqfill;
	struct qslot *qc;        /* the subscriptions by GUID: qmask + 1 slots, in qc_block */
	size_t qmask, nsubs;     /* (nsubs: slots used) */
	void *qc_block;

	struct htab tenants, nodes, mg_names, vnets, tags, managers, pairs_s, pairs_h, hubs,
	    hubs_by_mgr, principals, roles;

	/* the change in progress (under the write lock) */
	struct undo *undo;
	size_t nundo, capundo;
	void **later;            /* freed at commit */
	size_t nlater, caplater;
	struct pending_event *events;
	size_t nevents, capevents;
	struct manager **touched;
	size_t ntouched, captouched;
	struct mark *marks;
	size_t nmarks, capmarks;

	const avnm_storage *storage;   /* NULL: nothing is stored */

	avnm_event_fn event_fn;
	void *event_opaque;
};

/* ---- errors --------------------------------------------------------------- */
int set_error(avnm_ctx *ctx, int code, const char *fmt, ...) PRINTF_LIKE(3, 4);
int set_error_v(avnm_ctx *ctx, int code, const char *fmt, va_list ap) PRINTF_LIKE(3, 0);

/* ---- locking and transactions ----------------------------------------------
 * A change: tx_begin (write lock), primitive changes each logged, then
 * tx_end(ctx, rc): on rc == 0 commit (free what was deleted, deliver events after
 * unlocking), else undo everything in reverse. Returns rc. */
void tx_begin(avnm_ctx *ctx);
int tx_end(avnm_ctx *ctx, int rc);
void rd_begin(avnm_ctx *ctx);
void rd_end(avnm_ctx *ctx);

/* *arr (*cap elements of elem bytes) made to hold need: 0, or NO_MEMORY (set) and
 * *arr as it was. */
int arr_grow(avnm_ctx *ctx, void **arr, size_t *cap, size_t need, size_t elem);
int tx_log(avnm_ctx *ctx, void (*fn)(avnm_ctx *, void *, void *), void *a, void *b);
void *tx_alloc(avnm_ctx *ctx, size_t n);            /* freed on rollback */
char *tx_strdup(avnm_ctx *ctx, const char *s);
/* Copy n bytes of s and a terminator to *at, advancing it: for objects that keep
 * their strings in their own block (one allocation, one free). Returns the copy. */
char *blk_put(char **at, const char *s, size_t n);
int tx_free_later(avnm_ctx *ctx, void *p);          /* freed on commit */
int tx_set_ptr(avnm_ctx *ctx, void *slot, void *value);  /* slot: address of a pointer */
int tx_set_uint(avnm_ctx *ctx, unsigned *slot, unsigned value);
int tx_set_int(avnm_ctx *ctx, int *slot, int value);
int tx_set_size(avnm_ctx *ctx, size_t *slot, size_t value);
int tx_hinsert(avnm_ctx *ctx, struct htab *t, struct hnode *n, const char *key, size_t klen);
int tx_hinsert_hashed(avnm_ctx *ctx, struct htab *t, struct hnode *n, const char *key,
                      size_t klen, uint64_t hash);
int tx_hremove(avnm_ctx *ctx, struct htab *t, struct hnode *n);
int tx_dl_append(avnm_ctx *ctx, struct dl *head, struct dl *node);
int tx_dl_unlink(avnm_ctx *ctx, struct dl *node);
/* A per-object hash table that lives and dies with its object. */
int tx_htab_init(avnm_ctx *ctx, struct htab *t, size_t nbuckets);
int tx_htab_fini_later(avnm_ctx *ctx, struct htab *t);
int tx_touch(avnm_ctx *ctx, struct manager *m);
/* Record that obj changed (created, updated or deleted) for storage. */
int tx_mark(avnm_ctx *ctx, enum rec_kind kind, void *obj, unsigned char *flag);
int tx_event(avnm_ctx *ctx, const avnm_event *ev);
uint64_t next_serial(avnm_ctx *ctx);

#define TRY(expr)                          \
	do {                                   \
		int try_rc_ = (expr);              \
		if (try_rc_ != 0) return try_rc_;  \
	} while (0)
#define TRY_MEM(ctx, p) \
	do { if ((p) == NULL) return set_error((ctx), AVNM_E_NO_MEMORY, "out of memory"); } while (0)

/* ---- edge: parsing arguments into registry objects (directory.c) ---------- */
int arg_tenant(avnm_ctx *ctx, struct tenant **out, const char *text, int must_exist);
/* After arg_tenant(..., 0) gave t (NULL: absent) and authorization passed (R7): the
 * not-found error of an absent tenant, else 0. */
int tenant_required(avnm_ctx *ctx, struct tenant *t, const char *text);
/* A management group by id or resource id in tenant t (NULL: the root when ref is NULL). */
int arg_mg(avnm_ctx *ctx, struct node **out, struct tenant *t, const char *ref);
int arg_sub(avnm_ctx *ctx, struct node **out, const char *ref);
int arg_name(avnm_ctx *ctx, const char *what, const char *name);
/* Resolve a canonical scope item key in tenant t (R2.7). NULL *out: absent. */
struct node *node_of_item(avnm_ctx *ctx, struct tenant *t, const char *key, int is_mg);
struct node *node_find_mg(avnm_ctx *ctx, struct tenant *t, const char *mgid_lower);
struct node *node_find_sub(avnm_ctx *ctx, const char *guid);
/* A resource id (any kind) to the node that places it (R2.6) and its parsed parts.
 * *node NULL: an unknown subscription. Ambiguous groups without tenant: error. */
int resolve_resource(avnm_ctx *ctx, struct idparts *p, struct node **node, const char *id,
                     const char *tenant);
int node_covers(const struct node *anc, const struct node *n);
/* Scope value -> sorted unique nodes of tenant t. Errors per R4.10/R3.1. */
int scope_nodes(avnm_ctx *ctx, struct node ***out, size_t *n, const avnm_scope *s,
                struct tenant *t, const char *what);
/* The same into the caller's array of s->n entries (s not empty). */
int scope_nodes_into(avnm_ctx *ctx, struct node **arr, const avnm_scope *s, struct tenant *t,
                     const char *what);
struct manager *manager_find(avnm_ctx *ctx, const char *key);
int tags_valid(avnm_ctx *ctx, const avnm_tag *tags, size_t n);
/* "<tenant>\n<key-lower>\n<value>": the tag index key (R5.3). Caller frees. */
char *tag_hkey(const struct mem *m, const char *tenant, const char *key, const char *value);
/* A network's id as registered (R1.3), rebuilt into buf (ID_MAX + 2 bytes). */
const char *vnet_display(const struct vnet *v, char *buf);
struct tenant *tenant_find(avnm_ctx *ctx, const char *guid);

/* ---- holdings and evaluation (connections.c, managers.c) ------------------ */
int hold_add(avnm_ctx *ctx, struct node *n, struct manager *m, struct sconn *via);
int hold_remove(avnm_ctx *ctx, struct node *n, struct manager *m, struct sconn *via);
const struct holding *held_by(const struct node *n, const struct manager *m);
/* Whether m holds n or a node above it (its effective scope covers n). */
int covered_by(const avnm_ctx *ctx, const struct node *n, const struct manager *m);
/* The managers holding n or a node above it, highest first, each once, into out: how
 * many, or FLAT_OVER when more than FLAT_CAP (then walk the chain). From n's flat
 * cache, filled first if stale. */
unsigned flat_of(const avnm_ctx *ctx, const struct node *n, struct manager *out[FLAT_CAP]);
/* The managers of holdings h added to the k in out (a flat list: the parent's) that are
 * not there yet, in order: how many then, or FLAT_OVER (k FLAT_OVER stays so). */
unsigned flat_add(struct manager *out[FLAT_CAP], unsigned k, const struct holding *h);
/* flat_of's answer, kept: k managers in m, or FLAT_OVER (walk the chain). */
struct flatlist {
	unsigned k;
	struct manager *m[FLAT_CAP];
};
/* covered_by with n's flat list at hand (fl from flat_of or a question slot). */
int covered_by_flat(const struct node *n, const struct flatlist *fl, const struct manager *m);

/* ---- the table of subscriptions by GUID (qcache.c) ---------------------------------
 * Every registered subscription has a slot, found from the GUID in a network's id
 * alone (open addressing, linear probing, at most half the slots used: a question
 * about an unknown subscription ends at an empty slot), with its node and a copy of
 * what a question needs of it, its flat holder list: a question that finds the copy
 * good reads neither the table of nodes nor the node. The copy is good while nothing
 * it copies changed since it was filled: gen, the holdclock then, is not below its
 * tenant's last change (ctx->tchanged[tix], a small dense array that stays in the
 * cache where the tenants would not) nor below ctx->qstale (moved on when a change is
 * undone); a change in another tenant leaves it good. The GUID and the node are
 * written under the write lock only (a new subscription, or its undo); the copy is
 * filled by readers too, under the shared lock, and a per-slot sequence count (a
 * seqlock) keeps a reader from taking a copy that another reader is filling. */
#define QSLOT_FLAT 3             /* managers a slot holds */
#define QSLOT_NODE 0xfeu         /* nflat: more than that, ask the node (flat_of) */
#define QSLOT_ALIGN 64
#define QSLOT_TIX_MAX 0xffffffu  /* tenants past it never have a good copy */
struct qslot {
	_Atomic uint32_t seq;        /* odd while a reader fills the copy */
	_Atomic uint32_t meta;       /* managers in flat (or QSLOT_NODE) | the tenant's tix << 8 */
	_Atomic uint64_t gen;        /* ctx->holdclock when the copy was filled; 0: never */
	_Atomic uint64_t g[2];       /* the subscription's GUID (guid_bits) */
	_Atomic(struct node *) node; /* NULL: an empty slot */
	_Atomic(struct manager *) flat[QSLOT_FLAT];
};
static inline uint64_t tenant_changed(const avnm_ctx *ctx, const struct tenant *t)
{
	return ctx->tchanged[t->tix];
}
/* The 128 bits of the 32 hex digits of the GUID text at g (36 bytes, read whatever
 * they are): equal for two well-formed GUIDs exactly when they are the same GUID in
 * any letter case. */
void guid_bits(const char *g, uint64_t out[2]);
/* Where the slot of subscription g is, or its run starts (qslot_find). */
struct qslot *qslot_of(const avnm_ctx *ctx, const uint64_t g[2]);
/* The slot of subscription g in the run from home (qslot_of), or NULL: not registered. */
struct qslot *qslot_find(const avnm_ctx *ctx, struct qslot *home, const uint64_t g[2]);
/* The same within the first two slots of the run, else NULL (a hint). */
struct qslot *qslot_near(const avnm_ctx *ctx, struct qslot *home, const uint64_t g[2]);
/* 1 and *fl when q's copy is good as of now; else 0. */
int qslot_read(const avnm_ctx *ctx, struct qslot *q, struct flatlist *fl);
/* 1 when q's copy seems good: a hint, read without the seqlock (qslot_read is the
 * answer). */
int qslot_peek(const avnm_ctx *ctx, const struct qslot *q);
/* Copy fl (the flat list of q's node, as of now) into q, unless another reader is at it. */
void qslot_fill(const avnm_ctx *ctx, struct qslot *q, const struct flatlist *fl);
/* Under the write lock: subscription g's slot goes (undoing its creation: a
 * subscription is never deleted otherwise). */
void qslot_remove(avnm_ctx *ctx, const uint64_t g[2]);
/* The table made, empty, and the array of tenants' last changes, for avnm_ctx_new:
 * 0 or -1 (no memory; qcache_free frees what was made). */
int qcache_init(avnm_ctx *ctx);
/* Under the write lock: t gets its entry in ctx->tchanged, changed now. */
int qcache_tenant_new(avnm_ctx *ctx, struct tenant *t);
/* Under the write lock: subscription n is new; its slot goes again when the change is
 * undone. 0 or NO_MEMORY (set). */
int qcache_sub_new(avnm_ctx *ctx, struct node *n);
/* Under the write lock: a change of holdings or of the hierarchy in t (after which the
 * copies of its subscriptions are filled, qcache_after_change). */
void qcache_tenant_changed(avnm_ctx *ctx, struct tenant *t);
/* Under the write lock, at the end of a change, committed (undone 0: the copies of the
 * subscriptions of the tenants it changed are filled anew, for the questions that
 * follow) or undone (every copy is stale). */
void qcache_after_change(avnm_ctx *ctx, int undone);
void qcache_free(avnm_ctx *ctx);

/* A change of holdings or of the hierarchy in t: its flat caches and question slots
 * are stale, now and again when the change is undone. */
int holdings_changed(avnm_ctx *ctx, struct tenant *t);
int local_covers(const struct manager *m, struct tenant *t, struct node *const *items,
                 size_t n);
/* R3.3 check for manager `self` (canonical id) holding items with accesses. Returns
 * AVNM_E_CONFLICT with a message (when set_msg) and *detail (may be NULL), or 0. */
int find_conflicts_as(avnm_ctx *ctx, const char *self, unsigned accesses,
                      struct node *const *items, size_t n, int set_msg, struct detail **detail);
int manager_arg(avnm_ctx *ctx, struct idparts *p, const char *id);
/* manager_arg, without parsing for a registered manager when `as` is NULL: then only
 * kind, len, key, display and sub of p are set, and *found is the manager (else NULL:
 * look it up after authorization, R7). */
int manager_ref(avnm_ctx *ctx, struct idparts *p, struct manager **found, const char *id,
                const char *as);
/* pair: a connection's h_pair (its pairing key, length and hash), linked or not. */
int eval_pair(avnm_ctx *ctx, const struct hnode *pair, int fresh);
/* Whether the stored states and reasons of the pair behind key are what the rules give
 * from the facts and those states (a fixed point): what a loaded world must satisfy.
 * *bad: 0, or which side is not (PAIR_BAD_SCOPE, PAIR_BAD_HUB). */
#define PAIR_BAD_SCOPE 1u
#define PAIR_BAD_HUB 2u
int pair_consistent(avnm_ctx *ctx, const struct hnode *pair, unsigned *bad);
int reevaluate_manager_conns(avnm_ctx *ctx, const char *mgr_key);
int reevaluate_tenant_conns(avnm_ctx *ctx, struct tenant *t);
int sconn_delete_internal(avnm_ctx *ctx, struct sconn *s);
/* State queries without locking, for handles (which lock themselves). */
int sconn_state_locked(avnm_ctx *ctx, avnm_state *state, avnm_reason **reason, const char *mgr_id,
                       const char *name);
int hub_state_locked(avnm_ctx *ctx, avnm_state *state, avnm_reason **reason, const char *tenant,
                     const char *name);
int group_delete_internal(avnm_ctx *ctx, struct group *g);
int events_refresh(avnm_ctx *ctx);
int strict_move_check(avnm_ctx *ctx, struct node *n, struct node *new_parent);

/* ---- authorization (authz.c) ------------------------------------------------ */
/* R6: returns 0 when allowed (or as == NULL), else AVNM_E_FORBIDDEN with message. */
/* rule: the rule applied, named in the refusal ("R6.2", "R6.4", "R6.6"). */
int authz_manager_write(avnm_ctx *ctx, const char *as, const struct idparts *mgr, int for_create,
                        const char *rule);
/* Network write at the root of t: what a principal needs to learn that something of t
 * does not exist (R7: forbidden before not-found). */
int authz_root_write(avnm_ctx *ctx, const char *as, struct tenant *t);
int authz_items_write(avnm_ctx *ctx, const char *as, struct tenant *t, const char *tenant_text,
                      const avnm_scope *scope);
int authz_vnet_write(avnm_ctx *ctx, const char *as, const struct idparts *vnet);
struct principal *principal_find(avnm_ctx *ctx, const char *name);

/* ---- constructors: link a new object into the registry (also used by load) ---- */
int tenant_link(avnm_ctx *ctx, struct tenant **out, const char *guid, const char *name);
int mg_link(avnm_ctx *ctx, struct node **out, struct tenant *t, const char *key, const char *disp,
            struct node *parent);
int sub_link(avnm_ctx *ctx, struct node **out, struct tenant *t, const char *guid,
             struct node *parent);
/* hash: hash_bytes of p->key (the caller looked for a duplicate with it). */
int vnet_link(avnm_ctx *ctx, struct vnet **out, const struct idparts *p, uint64_t hash,
              struct node *sub, const char *region, const avnm_tag *tags, size_t ntags);
int manager_link(avnm_ctx *ctx, struct manager **out, const struct idparts *p, struct node *sub,
                 unsigned accesses, struct node **items, size_t n);
/* Link a new connection with these items (copied into its block). EXISTS, with the
 * R4.9 message, when a connection of the same kind already has the same manager,
 * tenant and scope. */
int sconn_link(avnm_ctx *ctx, struct sconn **out, struct manager *m, const char *name,
               struct tenant *t, struct node *const *items, size_t n);
int hconn_link(avnm_ctx *ctx, struct hconn **out, struct tenant *t, const char *name,
               const struct idparts *mgr, struct node *const *items, size_t n);
/* Restore a stored state exactly (load): no evaluation. detail is taken over. */
int sconn_restore(avnm_ctx *ctx, struct sconn *s, avnm_state st, avnm_reason_code code,
                  int rejected, int holds, struct detail *detail);
int hconn_restore(avnm_ctx *ctx, struct hconn *h, avnm_state st, avnm_reason_code code,
                  struct detail *detail);
int group_link(avnm_ctx *ctx, struct group **out, struct manager *m, const char *name,
               avnm_member_type type);
int cond_link(avnm_ctx *ctx, struct group *g, const avnm_tag *tags, size_t n);
int member_link(avnm_ctx *ctx, struct group *g, const struct idparts *rp, struct vnet *v);
int principal_link(avnm_ctx *ctx, struct principal **out, const char *name, struct tenant *home);
int guest_link(avnm_ctx *ctx, struct principal *p, struct tenant *t);
int role_link(avnm_ctx *ctx, struct principal *p, avnm_role role, const char *key,
              const char *display, struct tenant *t);
struct sconn *sconn_find(struct manager *m, const char *name);
/* Room for a hub key "<tenant>/<name>" with a name of up to 64 characters (R1.5). */
#define HUB_KEY_MAX (GUID_LEN + 1 + 64 + 1)
struct hconn *hub_find(avnm_ctx *ctx, const struct tenant *t, const char *name);
struct group *group_find(struct manager *m, const char *name);

/* ---- storage (records.c) ---------------------------------------------------- */
/* Write every marked object to the backend in one transaction. */
int storage_flush(avnm_ctx *ctx);
/* Rebuild the world from the backend's records (ctx->storage is not yet set, so
 * nothing is written back). */
int storage_load(avnm_ctx *ctx, const avnm_storage *st);

/* ---- record maps (memstore.c): committed records plus one staged transaction;
 * shared by the memory and journal backends ------------------------------------- */
struct mrec {
	struct hnode h;
	char *key;
	unsigned char *val;
	size_t klen, vlen;
};
struct staged {
	int del;
	struct mrec *rec;        /* the new record (put) or a key-only record (del) */
};
struct recmap {
	struct htab t;
	struct staged *ops;
	size_t nops, capops;
	size_t live_bytes;       /* keys and values of the committed records */
	int in_tx;
	char msg[512];
};
int recmap_init(struct recmap *m);
void recmap_fini(struct recmap *m);
int recmap_begin(struct recmap *m);
int recmap_stage(struct recmap *m, int del, const char *key, size_t klen, const void *val,
                 size_t vlen);
void recmap_apply(struct recmap *m);      /* commit the staged ops: cannot fail */
void recmap_discard(struct recmap *m);
int recmap_load(struct recmap *m, avnm_record_fn fn, void *cookie);
uint32_t crc32c(uint32_t crc, const void *p, size_t n);

/* A backend made of a record map (opaque points at it): the memory backend as it is,
 * the journal with a file behind. Only commit differs between them. */
struct recstore {
	avnm_storage st;         /* first: the public pointer is the struct's address */
	struct recmap map;
};
int recstore_init(struct recstore *rs, int (*commit)(void *opaque));

/* ---- misc ---------------------------------------------------------------- */
const char *access_list(char *buf, size_t size, unsigned accesses);
int scope_item_kind(const char *key);  /* 1 mg, 0 sub */
char *detail_text(const struct mem *m, const struct detail *d);
/* Drop one reference to d (NULL: nothing); the last frees it. Details are immutable once
 * filled and change hands only under the write lock. */
void detail_free(const struct mem *m, struct detail *d);
/* A detail of n entries whose strings total strbytes (terminators included), to be
 * filled by detail_put for every i < n; one reference. NULL: out of memory. */
struct detail *detail_alloc(const struct mem *m, size_t n, size_t strbytes);
void detail_put(struct detail *d, size_t i, const char *item, const char *manager,
                unsigned shared);
/* One more reference to d (which it returns). */
struct detail *detail_ref(struct detail *d);
avnm_reason *state_reason(avnm_ctx *ctx, avnm_state st, avnm_reason_code code,
                          const struct detail *d, const char *manager, const char *conn);

#endif
