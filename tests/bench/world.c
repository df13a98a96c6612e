/*
 * The synthetic world and the questions, built once and shared by the three
 * implementations, with the answers its construction implies (so that every
 * implementation is checked against the same truth, not only against each other).
 */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"

#include <avnm.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND 1
#endif
#endif

const char *const phase_names[NPHASES] = {
	"build", "connect", "can_manage", "managers_of", "conflict", "revoke", "members",
};
const char *const impl_names[NIMPLS] = { "avnm", "sqlite", "floor" };

int bench_cpu_clock;
size_t bench_batch = DEFAULT_BATCH;
int bench_ids_table;
size_t bench_mixed;

/* Wall time by default. On a shared machine, --cpu-time counts only the time
 * this (single-threaded) process ran, so that neighbours' load does not inflate
 * the numbers; cache pollution by neighbours still shows. */
double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(bench_cpu_clock ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Under callgrind, close a profile part here (one dump per phase, named after
 * it, so that callgrind_annotate can show each phase alone); elsewhere a few
 * instructions that do nothing. */
void bench_mark(const char *label)
{
#ifdef HAVE_CALLGRIND
	CALLGRIND_DUMP_STATS_AT(label);
#else
	(void)label;
#endif
}

/* ---- hashing ------------------------------------------------------------------- */

static inline uint64_t hash_step(uint64_t h, uint64_t x)
{
	h = (h ^ x) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

uint64_t hash_str(uint64_t h, const char *s, size_t n)
{
	uint64_t x;
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&x, s, 8);
		h = hash_step(h, x);
	}
	x = 0;
	memcpy(&x, s, n);
	return hash_step(h, x ^ ((uint64_t)n << 59));
}

/* Folding sets bit 5 of every byte: upper and lower ASCII letters meet. Other
 * bytes may meet too, which a digest can afford. */
uint64_t hash_fold(const char *s)
{
	const uint64_t fold = 0x2020202020202020ULL;
	size_t n = strlen(s);
	uint64_t h = 0, x;
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&x, s, 8);
		h = hash_step(h, x | fold);
	}
	x = 0;
	memcpy(&x, s, n);
	/* Fold only the bytes that are there, so that lengths still differ. */
	uint64_t tail = n ? fold >> (8 * (8 - n)) : 0;
	return hash_final(hash_step(h, (x | tail) ^ ((uint64_t)n << 59)));
}

/* ---- counting allocator ------------------------------------------------------------ */

/* A 16-byte header keeps the size (for free) and the alignment malloc gives. */
#define HDR 16

void *counter_alloc(struct counter *c, size_t n)
{
	unsigned char *p = malloc(n + HDR);
	if (!p) return NULL;
	memcpy(p, &n, sizeof n);
	c->live += n;
	if (c->live > c->peak) c->peak = c->live;
	return p + HDR;
}

size_t counter_size(const void *p)
{
	size_t n;
	memcpy(&n, (const unsigned char *)p - HDR, sizeof n);
	return n;
}

void counter_free(struct counter *c, void *p)
{
	if (!p) return;
	c->live -= counter_size(p);
	free((unsigned char *)p - HDR);
}

void *counter_realloc(struct counter *c, void *p, size_t n)
{
	if (!p) return counter_alloc(c, n);
	size_t old = counter_size(p);
	unsigned char *q = realloc((unsigned char *)p - HDR, n + HDR);
	if (!q) return NULL;
	memcpy(q, &n, sizeof n);
	c->live = c->live - old + n;
	if (c->live > c->peak) c->peak = c->live;
	return q + HDR;
}

/* ---- the world ------------------------------------------------------------------------ */

/* splitmix64: a fixed seed gives the same questions on every run and machine. */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned rnd_below(uint64_t *s, unsigned n)
{
	return (unsigned)(rnd(s) % n);
}

/* One of the bits of a set, uniformly. */
static uint8_t pick_bit(uint64_t *s, unsigned set)
{
	unsigned bits[4], n = 0;
	for (unsigned b = 1; b <= 8; b <<= 1)
		if (set & b) bits[n++] = b;
	return (uint8_t)bits[rnd_below(s, n)];
}

/*
 * The access mix (README.md): Connectivity for even i, SecurityAdmin for i a
 * multiple of 3, Routing for the rest (i coprime to 6). Nobody of the hundred has
 * SecurityUser: that is the members manager's, so that it can connect to any
 * tenant without a conflict. With this mix every holder has at least 32 other managers
 * sharing one of its accesses, which is what the conflict wave needs.
 */
static unsigned access_mix(unsigned i)
{
	unsigned a = 0;
	if (i % 2 == 0) a |= AVNM_ACCESS_CONNECTIVITY;
	if (i % 3 == 0) a |= AVNM_ACCESS_SECURITY_ADMIN;
	if (!a) a = AVNM_ACCESS_ROUTING;
	return a;
}

static void guid(char *out, unsigned hi, unsigned kind, unsigned lo)
{
	snprintf(out, GUID_LEN + 1, "%08x-%04x-4000-8000-%012x", hi, kind, lo);
}

static void shuffle_q(struct question *q, size_t n, uint64_t *s)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(rnd(s) % i);
		struct question t = q[i - 1];
		q[i - 1] = q[j];
		q[j] = t;
	}
}

static void shuffle_mq(struct mquestion *q, size_t n, uint64_t *s)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(rnd(s) % i);
		struct mquestion t = q[i - 1];
		q[i - 1] = q[j];
		q[j] = t;
	}
}

int world_init(struct world *w, unsigned scale, size_t nquestions, uint64_t seed)
{
	memset(w, 0, sizeof *w);
	w->scale = scale;
	w->nvnets = (size_t)scale * VNETS_PER_TENANT;
	w->tenant = calloc(scale, sizeof *w->tenant);
	w->sub = calloc((size_t)scale * SUBS_PER_TENANT, sizeof *w->sub);
	w->vnets = malloc(w->nvnets * VNET_STRIDE);
	w->conn_name = calloc(scale, sizeof *w->conn_name);
	w->nq = w->nmq = nquestions;
	w->q = calloc(nquestions ? nquestions : 1, sizeof *w->q);
	w->mq = calloc(nquestions ? nquestions : 1, sizeof *w->mq);
	if (!w->tenant || !w->sub || !w->vnets || !w->conn_name || !w->q || !w->mq) {
		world_fini(w);
		return -1;
	}

	/* Tenant GUIDs have 0000 in the second group, subscriptions 0001: the two
	 * kinds never share a GUID. The central tenant is number 0. */
	guid(w->central, 0, 0, 0);
	for (unsigned i = 0; i < NALLMANAGERS; i++) {
		guid(w->csub[i], 0, 1, i + 1);
		snprintf(w->mgr[i], MGR_ID_MAX,
		         "/subscriptions/%s/resourceGroups/rg-avnm/providers/Microsoft.Network/"
		         "networkManagers/nm-%u",
		         w->csub[i], i);
		w->accesses[i] = i < NMANAGERS ? access_mix(i) : AVNM_ACCESS_SECURITY_USER;
		w->local_scope[i] = i < NMANAGERS && i % 2 == 0;
		snprintf(w->hub_name[i], sizeof w->hub_name[i], "hub-nm-%u", i);
	}
	for (unsigned t = 0; t < scale; t++) {
		guid(w->tenant[t], t + 1, 0, 0);
		snprintf(w->conn_name[t], sizeof w->conn_name[t], "to-%u", t);
		for (unsigned j = 0; j < SUBS_PER_TENANT; j++) {
			size_t si = (size_t)t * SUBS_PER_TENANT + j;
			guid(w->sub[si], t + 1, 1, j + 1);
			for (unsigned k = 0; k < VNETS_PER_SUB; k++) {
				size_t v = si * VNETS_PER_SUB + k;
				snprintf(w->vnets + v * VNET_STRIDE, VNET_STRIDE,
				         "/subscriptions/%s/resourceGroups/rg-net/providers/"
				         "Microsoft.Network/virtualNetworks/vnet-%02u",
				         w->sub[si], j * VNETS_PER_SUB + k);
			}
		}
	}

	/* can_manage: the first half allowed (the holder, one of its accesses), the
	 * second half denied (another manager, one of *its* accesses, so the answer
	 * is "not covered", the costlier deny), then shuffled. */
	uint64_t s = seed;
	for (size_t i = 0; i < w->nq; i++) {
		struct question *q = &w->q[i];
		q->vnet = (uint32_t)(rnd(&s) % w->nvnets);
		unsigned h = holder_of(q->vnet / VNETS_PER_TENANT);
		unsigned m = h;
		q->expect = i < w->nq / 2;
		if (!q->expect)
			while (m == h) m = rnd_below(&s, NMANAGERS);
		q->mgr = (uint8_t)m;
		q->access = pick_bit(&s, w->accesses[m]);
	}
	shuffle_q(w->q, w->nq, &s);

	/* managers_of: half ask for an access of the holder ([holder]), half for one it
	 * lacks ([]); SecurityUser is always among the latter. */
	for (size_t i = 0; i < w->nmq; i++) {
		struct mquestion *q = &w->mq[i];
		q->vnet = (uint32_t)(rnd(&s) % w->nvnets);
		unsigned h = holder_of(q->vnet / VNETS_PER_TENANT);
		int yes = i < w->nmq / 2;
		q->access = pick_bit(&s, yes ? w->accesses[h] : (~w->accesses[h] & AVNM_ACCESS_ALL));
		q->expect = (int16_t)(yes ? (int)h : -1);
	}
	shuffle_mq(w->mq, w->nmq, &s);

	/* the questions' own copies of their ids (struct world, qtext) */
	if (!bench_ids_table) {
		w->qtext = malloc((w->nq ? w->nq : 1) * VNET_STRIDE);
		w->mqtext = malloc((w->nmq ? w->nmq : 1) * VNET_STRIDE);
		if (!w->qtext || !w->mqtext) {
			world_fini(w);
			return -1;
		}
		for (size_t i = 0; i < w->nq; i++)
			memcpy(w->qtext + i * VNET_STRIDE, vnet_id(w, w->q[i].vnet), VNET_STRIDE);
		for (size_t i = 0; i < w->nmq; i++)
			memcpy(w->mqtext + i * VNET_STRIDE, vnet_id(w, w->mq[i].vnet), VNET_STRIDE);
	}

	/* Conflict wave: pair k takes tenant k % S and the (k / S)-th manager sharing
	 * an access with that tenant's holder. */
	unsigned sharers[NMANAGERS][NMANAGERS], nsharers[NMANAGERS], minsh = NMANAGERS;
	for (unsigned h = 0; h < NMANAGERS; h++) {
		nsharers[h] = 0;
		for (unsigned m = 0; m < NMANAGERS; m++)
			if (m != h && (w->accesses[m] & w->accesses[h])) sharers[h][nsharers[h]++] = m;
		if (nsharers[h] < minsh) minsh = nsharers[h];
	}
	w->nconf = CONFLICT_WAVE;
	if ((size_t)scale * minsh < w->nconf) w->nconf = (size_t)scale * minsh;
	w->conf = calloc(w->nconf ? w->nconf : 1, sizeof *w->conf);
	if (!w->conf) {
		world_fini(w);
		return -1;
	}
	for (size_t k = 0; k < w->nconf; k++) {
		unsigned t = (unsigned)(k % scale);
		w->conf[k].tenant = t;
		w->conf[k].mgr = (uint8_t)sharers[holder_of(t)][k / scale];
	}

	w->nrevoke = (scale + 1) / 2;

	w->nmembers = w->nvnets < MEMBERS_MAX ? w->nvnets : MEMBERS_MAX;
	w->member_tenants = (w->nmembers + VNETS_PER_TENANT - 1) / VNETS_PER_TENANT;
	for (size_t i = 0; i < w->nmembers; i++)
		if (members_tenant_connected(i / VNETS_PER_TENANT)) {
			w->expect_effective++;
			w->expect_members_sum += member_hash(vnet_id(w, i));
		}

	/* The digests every implementation must reproduce. */
	uint64_t d = 0;
	for (size_t i = 0; i < w->nq; i++) {
		d = digest_step(d, w->q[i].expect);
		w->expect_allowed += w->q[i].expect;
	}
	w->expect_can_sum = d;
	d = 0;
	for (size_t i = 0; i < w->nmq; i++) {
		uint64_t l = 0;
		if (w->mq[i].expect >= 0) {
			l = digest_step(l, hash_fold(w->mgr[w->mq[i].expect]));
			w->expect_mof_nonempty++;
		}
		d = digest_step(d, l);
	}
	w->expect_mof_sum = d;
	return 0;
}

void world_fini(struct world *w)
{
	free(w->tenant);
	free(w->sub);
	free(w->vnets);
	free(w->conn_name);
	free(w->q);
	free(w->mq);
	free(w->qtext);
	free(w->mqtext);
	free(w->conf);
	memset(w, 0, sizeof *w);
}
