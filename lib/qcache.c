/* The table of subscriptions by GUID (struct qslot): every registered subscription's
 * node, and what a question about a network needs of it (its flat holder list), one
 * cache line a subscription, found from the subscription's GUID alone.
 * docs/performance.md tells why. */
#include <string.h>

#include "internal.h"

#define QCACHE_MIN 64 /* slots; at most half of them used */

/* The 32 hex digits of 8 bytes' worth: each byte's digit value, the eight packed into
 * 32 bits. A hex digit's value is its low four bits, plus 9 for a letter (bit 6 set),
 * in either letter case; other bytes give some value, never a carry into the next. */
static uint32_t hex8(uint64_t w)
{
	uint64_t v = (w & 0x0F0F0F0F0F0F0F0Full) + ((w >> 6) & 0x0101010101010101ull) * 9;
	v = (v | v >> 4) & 0x00FF00FF00FF00FFull;
	v = (v | v >> 8) & 0x0000FFFF0000FFFFull;
	return (uint32_t)(v | v >> 16);
}

static uint64_t load64(const char *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	return w;
}

static uint64_t load2x32(const char *p, const char *q)
{
	uint32_t a, b;
	memcpy(&a, p, 4);
	memcpy(&b, q, 4);
	return a | (uint64_t)b << 32;
}

void guid_bits(const char *g, uint64_t out[2])
{
	/* the digits of 8-4-4-4-12: 0-7, 9-12, 14-17, 19-22, 24-35 */
	out[0] = hex8(load64(g)) | (uint64_t)hex8(load2x32(g + 9, g + 14)) << 32;
	out[1] = hex8(load2x32(g + 19, g + 24)) | (uint64_t)hex8(load64(g + 28)) << 32;
}

/* A 64-bit finaliser (every input bit moves every output bit) */
static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ h >> 33;
}

/* Where subscription g's run starts in a table of mask + 1 slots. */
static size_t slot_home(const uint64_t g[2], size_t mask)
{
	/* GUIDs of one customer often differ in a few digits only, anywhere */
	return mix64(g[0] ^ mix64(g[1])) & mask;
}

struct qslot *qslot_of(const avnm_ctx *ctx, const uint64_t g[2])
{
	return &ctx->qc[slot_home(g, ctx->qmask)];
}

static struct qslot *next_slot(const avnm_ctx *ctx, struct qslot *q)
{
	return q == &ctx->qc[ctx->qmask] ? ctx->qc : q + 1;
}

/* The slot's subscription (written under the write lock only: stable for a reader). */
static struct node *slot_node(const struct qslot *q)
{
	return atomic_load_explicit(&q->node, memory_order_relaxed);
}

static int slot_is(const struct qslot *q, const uint64_t g[2])
{
	return atomic_load_explicit(&q->g[0], memory_order_relaxed) == g[0] &&
	       atomic_load_explicit(&q->g[1], memory_order_relaxed) == g[1];
}

struct qslot *qslot_find(const avnm_ctx *ctx, struct qslot *home, const uint64_t g[2])
{
	/* linear probing, at most half the slots used: an empty slot ends the run */
	for (struct qslot *q = home;; q = next_slot(ctx, q)) {
		if (!slot_node(q)) return NULL;
		if (slot_is(q, g)) return q;
	}
}

struct qslot *qslot_near(const avnm_ctx *ctx, struct qslot *home, const uint64_t g[2])
{
	struct qslot *q = home;
	for (int i = 0; i < 2 && slot_node(q); i++, q = next_slot(ctx, q))
		if (slot_is(q, g)) return q;
	return NULL;
}

/* The answer's fields were filled after the last change of what they copy. */
static int answer_good(const avnm_ctx *ctx, uint64_t gen, uint32_t meta)
{
	return gen >= ctx->qstale && gen >= ctx->tchanged[meta >> 8];
}

int qslot_read(const avnm_ctx *ctx, struct qslot *q, struct flatlist *fl)
{
	/* a seqlock: an odd count is a fill in progress, a changed one a fill meanwhile */
	uint32_t s = atomic_load_explicit(&q->seq, memory_order_acquire);
	if (s & 1) return 0;
	uint64_t gen = atomic_load_explicit(&q->gen, memory_order_relaxed);
	uint32_t meta = atomic_load_explicit(&q->meta, memory_order_relaxed);
	for (unsigned i = 0; i < QSLOT_FLAT; i++)
		fl->m[i] = atomic_load_explicit(&q->flat[i], memory_order_relaxed);
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&q->seq, memory_order_relaxed) != s) return 0;
	if (!answer_good(ctx, gen, meta)) return 0;
	fl->k = meta & 0xff;
	return 1;
}

int qslot_peek(const avnm_ctx *ctx, const struct qslot *q)
{
	/* (relaxed loads of a slot that may be being filled: any tix read is below
	 * ctx->ntchanged, since no slot ever held a larger one) */
	return answer_good(ctx, atomic_load_explicit(&q->gen, memory_order_relaxed),
	                   atomic_load_explicit(&q->meta, memory_order_relaxed));
}

/* The copy's fields, fl with tenant index tix (no reader may be filling it). */
static void copy_set(const avnm_ctx *ctx, struct qslot *q, uint32_t tix, const struct flatlist *fl)
{
	atomic_store_explicit(&q->gen, ctx->holdclock, memory_order_relaxed);
	/* more managers than a slot holds: the slot sends the question to the node */
	unsigned k = fl->k <= QSLOT_FLAT ? fl->k : QSLOT_NODE;
	atomic_store_explicit(&q->meta, k | tix << 8, memory_order_relaxed);
	for (unsigned i = 0; i < QSLOT_FLAT; i++)
		atomic_store_explicit(&q->flat[i], i < fl->k && k != QSLOT_NODE ? fl->m[i] : NULL,
		                      memory_order_relaxed);
}

void qslot_fill(const avnm_ctx *ctx, struct qslot *q, const struct flatlist *fl)
{
	uint32_t tix = slot_node(q)->tenant->tix;
	if (tix > QSLOT_TIX_MAX) return;
	uint32_t s = atomic_load_explicit(&q->seq, memory_order_relaxed);
	/* another reader filling it: leave it to that one */
	if ((s & 1) || !atomic_compare_exchange_strong_explicit(&q->seq, &s, s + 1, memory_order_relaxed,
	                                                        memory_order_relaxed))
		return;
	atomic_thread_fence(memory_order_release);
	copy_set(ctx, q, tix, fl);
	atomic_store_explicit(&q->seq, s + 2, memory_order_release);
}

int qcache_tenant_new(avnm_ctx *ctx, struct tenant *t)
{
	size_t ix = ctx->ntchanged;
	if (ix > UINT32_MAX) return set_error(ctx, AVNM_E_LIMIT, "more than %zu tenants", ix - 1);
	TRY(arr_grow(ctx, (void **)&ctx->tchanged, &ctx->captchanged, ix + 1, sizeof *ctx->tchanged));
	/* (past QSLOT_TIX_MAX its subscriptions' copies are never good, which is only
	 * slower) */
	t->tix = (uint32_t)ix;
	ctx->tchanged[ix] = ctx->holdclock;
	ctx->ntchanged = ix + 1;
	return 0;
}

/* ---- under the write lock: the subscriptions in and out of the table ---------------- */

static void sub_bits(const struct node *n, uint64_t g[2])
{
	/* (its key in ctx->nodes is "s/<guid>") */
	guid_bits(n->hkey + 2, g);
}

/* Copy slot from to the empty slot to of table tab, fields and all (no reader runs). */
static void slot_move(struct qslot *tab, struct qslot *to, const struct qslot *from)
{
	memcpy((void *)to, (const void *)from, sizeof *to);
	slot_node(to)->qix = (uint32_t)(to - tab);
}

/* Put n in the empty slot of a table of mask + 1 slots that its run reaches. */
static struct qslot *slot_put(struct qslot *tab, size_t mask, const uint64_t g[2])
{
	size_t i = slot_home(g, mask);
	while (atomic_load_explicit(&tab[i].node, memory_order_relaxed)) i = (i + 1) & mask;
	return &tab[i];
}

/* A table of want slots, the subscriptions of the old one in it; -1 when it cannot be
 * allocated (the old one stays). */
static int table_make(avnm_ctx *ctx, size_t want)
{
	void *blk = mem_alloc(&ctx->mem, want * sizeof(struct qslot) + QSLOT_ALIGN);
	if (!blk) return -1;
	uintptr_t a = ((uintptr_t)blk + QSLOT_ALIGN - 1) & ~(uintptr_t)(QSLOT_ALIGN - 1);
	struct qslot *tab = (struct qslot *)a;
	for (size_t i = 0; ctx->qc && i <= ctx->qmask; i++) {
		const struct qslot *q = &ctx->qc[i];
		if (!slot_node(q)) continue;
		uint64_t g[2] = { atomic_load_explicit(&q->g[0], memory_order_relaxed),
		                  atomic_load_explicit(&q->g[1], memory_order_relaxed) };
		slot_move(tab, slot_put(tab, want - 1, g), q);
	}
	mem_free(&ctx->mem, ctx->qc_block);
	ctx->qc_block = blk;
	ctx->qc = tab;
	ctx->qmask = want - 1;
	return 0;
}

int qcache_init(avnm_ctx *ctx)
{
	ctx->qstale = ctx->holdclock;
	/* entry 0 of tchanged is no tenant's (an empty slot's tix) */
	ctx->captchanged = 64;
	ctx->ntchanged = 1;
	ctx->tchanged = mem_alloc(&ctx->mem, ctx->captchanged * sizeof *ctx->tchanged);
	return ctx->tchanged ? table_make(ctx, QCACHE_MIN) : -1;
}

void qslot_remove(avnm_ctx *ctx, const uint64_t g[2])
{
	struct qslot *hole = qslot_find(ctx, qslot_of(ctx, g), g);
	if (!hole) return;
	ctx->nsubs--;
	/* the slots after it in its run move back (Knuth's algorithm R): each whose run
	 * starts outside (hole, q], cyclically, fills the hole and leaves one */
	for (struct qslot *q = next_slot(ctx, hole); slot_node(q); q = next_slot(ctx, q)) {
		uint64_t h[2] = { atomic_load_explicit(&q->g[0], memory_order_relaxed),
		                  atomic_load_explicit(&q->g[1], memory_order_relaxed) };
		size_t home = slot_home(h, ctx->qmask), hi = (size_t)(hole - ctx->qc),
		       qi = (size_t)(q - ctx->qc);
		int between = hi <= qi ? (home > hi && home <= qi) : (home > hi || home <= qi);
		if (between) continue;
		slot_move(ctx->qc, hole, q);
		hole = q;
	}
	memset((void *)hole, 0, sizeof *hole);
}

/* A tenant's list of subscriptions with none left goes (the tenant may be one the change
 * made, going too when it is undone). */
static void subs_release_empty(avnm_ctx *ctx, struct tenant *t)
{
	if (t->nsubs) return;
	mem_free(&ctx->mem, t->subs);
	t->subs = NULL;
	t->capsubs = 0;
}

/* The undo of qcache_sub_new: subscription node leaves its tenant's list (the last one
 * added) and the table. */
static void undo_sub(avnm_ctx *ctx, void *node, void *unused)
{
	(void)unused;
	struct tenant *t = ((struct node *)node)->tenant;
	t->nsubs--;
	subs_release_empty(ctx, t);
	uint64_t g[2];
	sub_bits(node, g);
	qslot_remove(ctx, g);
}

int qcache_sub_new(avnm_ctx *ctx, struct node *n)
{
	struct tenant *t = n->tenant;
	/* at most half the slots used: probe runs stay short and end */
	if (2 * (ctx->nsubs + 1) > ctx->qmask + 1) {
		/* (a slot's index is 32 bits: struct node, qix) */
		if ((uint64_t)ctx->qmask + 1 >= (uint64_t)1 << 32)
			return set_error(ctx, AVNM_E_LIMIT, "more than %zu subscriptions", ctx->nsubs);
		if (table_make(ctx, 2 * (ctx->qmask + 1)))
			return set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
	}
	if (t->nsubs == t->capsubs) {
		/* grown by half (most tenants have a few subscriptions: little left unused) */
		size_t cap = t->capsubs < 4 ? 4 : t->capsubs + t->capsubs / 2;
		struct node **a = mem_alloc(&ctx->mem, cap * sizeof *a);
		if (!a) return set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
		if (t->nsubs) memcpy(a, t->subs, t->nsubs * sizeof *a);
		mem_free(&ctx->mem, t->subs);
		t->subs = a;
		t->capsubs = cap;
	}
	int rc = tx_log(ctx, undo_sub, n, NULL);
	if (rc) {
		subs_release_empty(ctx, t);
		return rc;
	}
	t->subs[t->nsubs++] = n;
	uint64_t g[2];
	sub_bits(n, g);
	struct qslot *q = slot_put(ctx->qc, ctx->qmask, g);
	atomic_store_explicit(&q->g[0], g[0], memory_order_relaxed);
	atomic_store_explicit(&q->g[1], g[1], memory_order_relaxed);
	atomic_store_explicit(&q->gen, 0, memory_order_relaxed);
	atomic_store_explicit(&q->node, n, memory_order_relaxed);
	n->qix = (uint32_t)(q - ctx->qc);
	ctx->nsubs++;
	return 0;
}

/* Subscriptions of a tenant whose copies a change fills, at most (those of a larger
 * tenant are filled by their first question), and how many at once: each batch's nodes,
 * then its slots, are asked for before any is read, so their misses overlap. */
#define QFILL_SUBS 256
#define QFILL_BATCH 16

void qcache_tenant_changed(avnm_ctx *ctx, struct tenant *t)
{
	unsigned i = 0;
	while (i < ctx->nqfill && i < QFILL_MAX && ctx->qfill[i] != t) i++;
	if (i == ctx->nqfill && i < QFILL_MAX) {
		ctx->qfill[ctx->nqfill++] = t;
		/* the nodes of its first subscriptions are asked for now, the rest of the
		 * change runs while they come (qcache_after_change reads them) */
		for (size_t j = 0; j < t->nsubs && j < QFILL_BATCH; j++) PREFETCH(&t->subs[j]->qix);
	} else if (i == QFILL_MAX) {
		ctx->nqfill = QFILL_MAX + 1;
	}
}

static void fill_tenant(avnm_ctx *ctx, const struct tenant *t)
{
	if (t->tix > QSLOT_TIX_MAX) return;
	const struct node *parent = NULL;
	struct flatlist pfl;
	pfl.k = FLAT_OVER + 1; /* (no parent's list yet) */
	for (size_t at = 0; at < t->nsubs; at += QFILL_BATCH) {
		size_t k = t->nsubs - at < QFILL_BATCH ? t->nsubs - at : QFILL_BATCH;
		struct node *const *subs = t->subs + at;
		for (size_t i = 0; i < k; i++) {
			PREFETCH(&subs[i]->tenant);
			PREFETCH(&subs[i]->flatgen);
		}
		for (size_t i = 0; i < k; i++) PREFETCH(&ctx->qc[subs[i]->qix]);
		for (size_t i = 0; i < k; i++) {
			/* flat_of's list, from the parent's (siblings share it) and the
			 * subscription's own holders; the node's own cache is left to flat_of */
			const struct node *n = subs[i];
			if (n->parent != parent || pfl.k == FLAT_OVER + 1) {
				parent = n->parent;
				pfl.k = parent ? flat_of(ctx, parent, pfl.m) : 0;
			}
			struct flatlist fl = pfl;
			fl.k = flat_add(fl.m, fl.k, n->holders);
			/* (under the write lock: no reader fills it meanwhile) */
			copy_set(ctx, &ctx->qc[n->qix], t->tix, &fl);
		}
	}
}

void qcache_after_change(avnm_ctx *ctx, int undone)
{
	if (undone) {
		/* an undone change may have changed what copies copy, and questions asked
		 * inside it filled copies: every copy is stale */
		ctx->qstale = ++ctx->holdclock;
	} else if (ctx->nqfill <= QFILL_MAX) {
		for (unsigned i = 0; i < ctx->nqfill; i++)
			if (ctx->qfill[i]->nsubs <= QFILL_SUBS) fill_tenant(ctx, ctx->qfill[i]);
	}
	ctx->nqfill = 0;
}

void qcache_free(avnm_ctx *ctx)
{
	mem_free(&ctx->mem, ctx->tchanged);
	ctx->tchanged = NULL;
	mem_free(&ctx->mem, ctx->qc_block);
	ctx->qc_block = NULL;
	ctx->qc = NULL;
	ctx->qmask = 0;
}
