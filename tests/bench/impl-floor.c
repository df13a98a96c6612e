/*
 * The floor: every question answered by one lookup in an open-addressing hash
 * table keyed by the question's own strings, answers precomputed. It is the cost
 * of hashing the ids and touching memory once, in a table of an entry a question
 * (so sized by the questions, not the world: at a small scale a world that fits
 * the cache can be faster, README.md). The tables are built before the clock starts.
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>

struct fentry {
	uint64_t hash;
	const char *a;     /* NULL: empty slot */
	const char *b;     /* may be NULL */
	uint32_t c;
	int32_t value;
};

struct ftable {
	struct fentry *e;
	size_t mask;
};

/* Hash both strings and the small key part, the way a lookup must: the strings
 * are read in full (strlen, then 8 bytes a step). */
static uint64_t key_hash(const char *a, const char *b, uint32_t c)
{
	uint64_t h = hash_str(0x51ed270b27bd6b3dULL, a, strlen(a));
	if (b) h = hash_str(h, b, strlen(b));
	return hash_final(h ^ (c * 0x9e3779b97f4a7c15ULL));
}

static int ft_init(struct ftable *t, size_t n)
{
	size_t cap = 16;
	while (cap < 2 * n) cap *= 2;   /* load at most one half: short probes */
	t->e = calloc(cap, sizeof *t->e);
	t->mask = cap - 1;
	return t->e ? 0 : -1;
}

static int same(const struct fentry *e, uint64_t h, const char *a, const char *b, uint32_t c)
{
	return e->hash == h && e->c == c && !strcmp(e->a, a) &&
	       (b ? e->b && !strcmp(e->b, b) : !e->b);
}

static void ft_put(struct ftable *t, const char *a, const char *b, uint32_t c, int32_t value)
{
	uint64_t h = key_hash(a, b, c);
	size_t i = (size_t)h & t->mask;
	for (; t->e[i].a; i = (i + 1) & t->mask)
		if (same(&t->e[i], h, a, b, c)) return;
	t->e[i] = (struct fentry){ h, a, b, c, value };
}

static int32_t ft_get(const struct ftable *t, const char *a, const char *b, uint32_t c)
{
	uint64_t h = key_hash(a, b, c);
	for (size_t i = (size_t)h & t->mask; t->e[i].a; i = (i + 1) & t->mask)
		if (same(&t->e[i], h, a, b, c)) return t->e[i].value;
	return -2;
}

int run_floor(const struct world *w, struct result *r)
{
	struct ftable can = { NULL, 0 }, mof = { NULL, 0 }, mem = { NULL, 0 };
	const char **out = NULL;
	int rc = -1;

	if (ft_init(&can, w->nq) || ft_init(&mof, w->nmq) || ft_init(&mem, w->nmembers)) goto out;
	out = malloc((w->nmembers ? w->nmembers : 1) * sizeof *out);
	if (!out) goto out;
	for (size_t i = 0; i < w->nq; i++) {
		const struct question *q = &w->q[i];
		ft_put(&can, vnet_id(w, q->vnet), w->mgr[q->mgr], q->access, q->expect);
	}
	for (size_t i = 0; i < w->nmq; i++)
		ft_put(&mof, vnet_id(w, w->mq[i].vnet), NULL, w->mq[i].access, w->mq[i].expect);
	for (size_t i = 0; i < w->nmembers; i++)
		ft_put(&mem, vnet_id(w, i), w->mgr[MEMBERS_MANAGER], 0,
		       members_tenant_connected(i / VNETS_PER_TENANT));

	uint64_t d = 0;
	size_t allowed = 0;
	double t0 = bench_step(STEP_CAN_MANAGE);
	for (size_t i = 0; i < w->nq; i++) {
		const struct question *q = &w->q[i];
		int32_t a = ft_get(&can, q_res(w, i), w->mgr[q->mgr], q->access);
		if (a < 0) goto out;
		allowed += (size_t)a;
		d = digest_step(d, (uint64_t)a);
	}
	r->seconds[PH_CAN_MANAGE] = now_seconds() - t0;
	bench_mark("can_manage");
	r->ops[PH_CAN_MANAGE] = w->nq;
	r->allowed = allowed;
	r->can_sum = d;

	/* The answer is a manager index; the digest reads its id as the others read
	 * their lists' strings. */
	d = 0;
	size_t nonempty = 0;
	t0 = bench_step(STEP_MANAGERS_OF);
	for (size_t i = 0; i < w->nmq; i++) {
		const struct mquestion *q = &w->mq[i];
		int32_t m = ft_get(&mof, mq_res(w, i), NULL, q->access);
		uint64_t ld = 0;
		if (m < -1) goto out;
		if (m >= 0) {
			ld = digest_step(ld, hash_fold(w->mgr[m]));
			nonempty++;
		}
		d = digest_step(d, ld);
	}
	r->seconds[PH_MANAGERS_OF] = now_seconds() - t0;
	bench_mark("managers_of");
	r->ops[PH_MANAGERS_OF] = w->nmq;
	r->mof_nonempty = nonempty;
	r->mof_sum = d;

	/* Effective members: one lookup per static member, the effective ones
	 * gathered into an array as a list would hold them. */
	uint64_t sum = 0;
	size_t eff = 0;
	t0 = bench_step(STEP_MEMBERS);
	for (unsigned rep = 0; rep < MEMBERS_REPS; rep++) {
		size_t n = 0;
		for (size_t i = 0; i < w->nmembers; i++) {
			const char *v = vnet_id(w, i);
			int32_t e = ft_get(&mem, v, w->mgr[MEMBERS_MANAGER], 0);
			if (e < 0) goto out;
			if (e) out[n++] = v;
		}
		for (size_t i = 0; i < n; i++) sum += member_hash(out[i]);
		eff += n;
	}
	r->seconds[PH_MEMBERS] = now_seconds() - t0;
	bench_mark("members");
	r->ops[PH_MEMBERS] = MEMBERS_REPS * w->nmembers;
	r->effective = eff;
	r->members_sum = sum;

	r->peak_bytes = (can.mask + 1 + mof.mask + 1 + mem.mask + 1) * sizeof(struct fentry);
	r->ran = 1;
	r->has_phase[PH_CAN_MANAGE] = r->has_phase[PH_MANAGERS_OF] = r->has_phase[PH_MEMBERS] = 1;
	rc = 0;
out:
	if (rc) fprintf(stderr, "avnm-bench: floor: a key is missing from its table\n");
	free(can.e);
	free(mof.e);
	free(mem.e);
	free(out);
	return rc;
}
