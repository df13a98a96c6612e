/* The question cache (struct qslot): what a question about a network needs of its
 * subscription (the node and its flat holder list), one cache line a subscription,
 * found from the subscription's GUID alone. docs/performance.md tells why. */
#include <string.h>

#include "internal.h"

#define QCACHE_MIN 64 /* slots */

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

struct qslot *qslot_of(const avnm_ctx *ctx, const uint64_t g[2])
{
	/* GUIDs of one customer often differ in a few digits only, anywhere */
	return &ctx->qc[mix64(g[0] ^ mix64(g[1])) & ctx->qmask];
}

/* A slot's fields say it holds subscription g, filled after the last change of what it
 * copies. */
static int holds(const avnm_ctx *ctx, uint64_t gen, uint32_t meta, uint64_t g0, uint64_t g1,
                 const uint64_t g[2])
{
	return g0 == g[0] && g1 == g[1] && gen >= ctx->qstale && gen >= ctx->tchanged[meta >> 8];
}

int qslot_read(const avnm_ctx *ctx, struct qslot *q, const uint64_t g[2], struct node **node,
               struct flatlist *fl)
{
	/* a seqlock: an odd count is a fill in progress, a changed one a fill meanwhile */
	uint32_t s = atomic_load_explicit(&q->seq, memory_order_acquire);
	if (s & 1) return 0;
	uint64_t gen = atomic_load_explicit(&q->gen, memory_order_relaxed);
	uint64_t g0 = atomic_load_explicit(&q->g[0], memory_order_relaxed);
	uint64_t g1 = atomic_load_explicit(&q->g[1], memory_order_relaxed);
	struct node *n = atomic_load_explicit(&q->node, memory_order_relaxed);
	uint32_t meta = atomic_load_explicit(&q->meta, memory_order_relaxed);
	for (unsigned i = 0; i < QSLOT_FLAT; i++)
		fl->m[i] = atomic_load_explicit(&q->flat[i], memory_order_relaxed);
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&q->seq, memory_order_relaxed) != s) return 0;
	if (!holds(ctx, gen, meta, g0, g1, g)) return 0;
	*node = n;
	fl->k = meta & 0xff;
	return 1;
}

int qslot_peek(const avnm_ctx *ctx, const struct qslot *q, const uint64_t g[2])
{
	/* (relaxed loads of a slot that may be being filled: a torn tix is still below
	 * ctx->ntchanged, since no slot ever held a larger one) */
	return holds(ctx, atomic_load_explicit(&q->gen, memory_order_relaxed),
	             atomic_load_explicit(&q->meta, memory_order_relaxed),
	             atomic_load_explicit(&q->g[0], memory_order_relaxed),
	             atomic_load_explicit(&q->g[1], memory_order_relaxed), g);
}

void qslot_fill(const avnm_ctx *ctx, struct qslot *q, const uint64_t g[2], struct node *node,
                const struct flatlist *fl)
{
	uint32_t tix = node ? node->tenant->tix : 0;
	if (tix > QSLOT_TIX_MAX) return;
	uint32_t s = atomic_load_explicit(&q->seq, memory_order_relaxed);
	/* another reader filling it: leave it to that one */
	if ((s & 1) || !atomic_compare_exchange_strong_explicit(&q->seq, &s, s + 1, memory_order_relaxed,
	                                                        memory_order_relaxed))
		return;
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&q->gen, ctx->holdclock, memory_order_relaxed);
	atomic_store_explicit(&q->g[0], g[0], memory_order_relaxed);
	atomic_store_explicit(&q->g[1], g[1], memory_order_relaxed);
	atomic_store_explicit(&q->node, node, memory_order_relaxed);
	/* more managers than a slot holds: the slot sends the question to the node */
	unsigned k = fl->k <= QSLOT_FLAT ? fl->k : QSLOT_NODE;
	atomic_store_explicit(&q->meta, k | tix << 8, memory_order_relaxed);
	for (unsigned i = 0; i < QSLOT_FLAT; i++)
		atomic_store_explicit(&q->flat[i], i < fl->k && k != QSLOT_NODE ? fl->m[i] : NULL,
		                      memory_order_relaxed);
	atomic_store_explicit(&q->seq, s + 2, memory_order_release);
}

int qcache_tenant_new(avnm_ctx *ctx, struct tenant *t)
{
	size_t ix = ctx->ntchanged;
	TRY(arr_grow(ctx, (void **)&ctx->tchanged, &ctx->captchanged, ix + 1, sizeof *ctx->tchanged));
	/* an index no slot can hold makes its slots never good, which is only slower */
	t->tix = ix <= UINT32_MAX ? (uint32_t)ix : UINT32_MAX;
	ctx->tchanged[ix] = ctx->holdclock;
	ctx->ntchanged = ix + 1;
	return 0;
}

void qcache_sub_new(avnm_ctx *ctx, const struct node *n)
{
	/* (its key in ctx->nodes is "s/<guid>") */
	uint64_t g[2];
	guid_bits(n->hkey + 2, g);
	atomic_store_explicit(&qslot_of(ctx, g)->gen, 0, memory_order_relaxed);
}

void qcache_after_change(avnm_ctx *ctx, int undone)
{
	/* an undone change may have made and freed nodes, and questions asked inside it
	 * filled slots: every slot is stale */
	if (undone) ctx->qstale = ++ctx->holdclock;
	/* a slot for every node (subscriptions are most of them), a power of two: made
	 * anew (empty) when the nodes outgrow it or shrink below an eighth of it; a failed
	 * allocation keeps the old one, which is only slower */
	size_t have = ctx->qmask + 1, n = ctx->nodes.n;
	if (!ctx->qc || n > have || (have != QCACHE_MIN && n < have / 8)) {
		size_t want = QCACHE_MIN;
		while (want < n) want <<= 1;
		void *blk = mem_alloc(&ctx->mem, want * sizeof(struct qslot) + QSLOT_ALIGN);
		if (blk) {
			mem_free(&ctx->mem, ctx->qc_block);
			ctx->qc_block = blk;
			uintptr_t a = ((uintptr_t)blk + QSLOT_ALIGN - 1) & ~(uintptr_t)(QSLOT_ALIGN - 1);
			ctx->qc = (struct qslot *)a;
			ctx->qmask = want - 1;
		}
	}
}

void qcache_free(avnm_ctx *ctx)
{
	mem_free(&ctx->mem, ctx->qc_block);
	ctx->qc_block = NULL;
	ctx->qc = NULL;
	ctx->qmask = 0;
}
