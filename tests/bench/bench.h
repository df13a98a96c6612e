/*
 * avnm-bench: one synthetic world, timed phase by phase for three implementations
 * (libavnm, SQLite, a hash-lookup floor). See README.md for what is measured and why.
 */
#ifndef AVNM_BENCH_H
#define AVNM_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- the shape of the world (README.md "The world") ------------------------ */

#define NMANAGERS 100          /* managers in the central tenant */
#define MEMBERS_MANAGER NMANAGERS /* index of the extra manager owning the big group */
#define NALLMANAGERS (NMANAGERS + 1)
#define MG_DEPTH 3             /* mg-a, mg-b, mg-c below each root */
#define SUBS_PER_TENANT 10
#define VNETS_PER_SUB 5
#define VNETS_PER_TENANT (SUBS_PER_TENANT * VNETS_PER_SUB)
#define CONFLICT_WAVE 5000     /* conflicting pairs, fewer when the world is too small */
#define MEMBERS_MAX 50000      /* static members of the big group */
#define MEMBERS_REPS 10        /* effective-member computations timed */
#define REVOKE_SAMPLE 1000     /* questions asked on each side after the revocation */

#define GUID_LEN 36
#define VNET_STRIDE 128        /* fixed slot per virtual network id (longest is 125) */
#define MGR_ID_MAX 160

#define MG_A "/providers/Microsoft.Management/managementGroups/mg-a"

enum phase {
	PH_BUILD,
	PH_CONNECT,
	PH_CAN_MANAGE,
	PH_MANAGERS_OF,
	PH_CONFLICT,
	PH_REVOKE,
	PH_MEMBERS,
	NPHASES
};
extern const char *const phase_names[NPHASES];

enum impl { IMPL_AVNM, IMPL_SQLITE, IMPL_FLOOR, NIMPLS };
extern const char *const impl_names[NIMPLS];

/* "may manager m manage network v for access a" */
struct question {
	uint32_t vnet;     /* index into the world's networks */
	uint8_t mgr;       /* manager index */
	uint8_t access;    /* one AVNM_ACCESS_* bit */
	uint8_t expect;    /* the answer the world's construction implies */
};

/* "which managers manage v for a"; expect: the manager index or -1 for none */
struct mquestion {
	uint32_t vnet;
	uint8_t access;
	int16_t expect;
};

/* One conflicting pair of the wave: manager mgr connects to tenant at mg-a,
 * which the tenant's holder already holds with a shared access. */
struct conflict_pair {
	uint32_t tenant;
	uint8_t mgr;
};

struct world {
	unsigned scale;                  /* S: customer tenants */
	size_t nvnets;                   /* S * VNETS_PER_TENANT */
	char central[GUID_LEN + 1];      /* the managing tenant */
	char (*tenant)[GUID_LEN + 1];    /* S tenant GUIDs */
	char (*sub)[GUID_LEN + 1];       /* S * SUBS_PER_TENANT subscription GUIDs */
	char *vnets;                     /* nvnets ids, VNET_STRIDE bytes each */
	char csub[NALLMANAGERS][GUID_LEN + 1];  /* a central subscription per manager */
	char mgr[NALLMANAGERS][MGR_ID_MAX];     /* manager resource ids */
	unsigned accesses[NALLMANAGERS];
	int local_scope[NALLMANAGERS];   /* 1: its own central subscription, 0: empty */
	/* names of connection resources, precomputed so no phase formats strings */
	char (*conn_name)[16];           /* every scope connection to tenant t: "to-<t>"
	                                    (unique per manager, as R4.11 asks) */
	char hub_name[NALLMANAGERS][24]; /* a manager's hub connection in any tenant */

	size_t nq;
	struct question *q;
	size_t nmq;
	struct mquestion *mq;
	/* Each question's network id as the caller received it: a copy in question
	 * order, VNET_STRIDE bytes a question (q_res, mq_res), the same size and read
	 * in the same order at every scale. NULL (--ids table): the questions name the
	 * ids in the world's table of networks, read at random. */
	char *qtext, *mqtext;

	size_t nconf;
	struct conflict_pair *conf;

	size_t nrevoke;                  /* tenants whose holder hub connection goes */

	size_t nmembers;                 /* members: networks 0 .. nmembers-1 */
	size_t member_tenants;           /* tenants those networks are in */
	size_t expect_effective;         /* members in tenants nm-members is connected to */
	uint64_t expect_members_sum;     /* sum of member_hash over the effective ones */

	/* Expected check values (filled by world_expect). */
	uint64_t expect_can_sum;
	size_t expect_allowed;
	uint64_t expect_mof_sum;
	size_t expect_mof_nonempty;
};

static inline const char *vnet_id(const struct world *w, size_t i)
{
	return w->vnets + i * VNET_STRIDE;
}
/* The network id question i names (q: can_manage; mq: managers_of). */
static inline const char *q_res(const struct world *w, size_t i)
{
	return w->qtext ? w->qtext + i * VNET_STRIDE : vnet_id(w, w->q[i].vnet);
}
static inline const char *mq_res(const struct world *w, size_t i)
{
	return w->mqtext ? w->mqtext + i * VNET_STRIDE : vnet_id(w, w->mq[i].vnet);
}
static inline unsigned holder_of(unsigned tenant)
{
	return tenant % NMANAGERS;
}
/* Tenants nm-members is connected to (and whose networks count as effective). */
static inline int members_tenant_connected(size_t tenant)
{
	return tenant % 2 == 0;
}
/* Tenants whose holder loses its hub connection in the revocation storm. */
static inline int revoked_tenant(size_t tenant)
{
	return tenant % 2 == 0;
}

/* Sample question i after the revocation storm: the holder of a revoked tenant
 * (kept = 0: must deny) or of a kept one (kept = 1: must allow). */
static inline void revoke_sample(const struct world *w, size_t i, int kept, struct question *q)
{
	size_t n = kept ? w->scale / 2 : (w->scale + 1) / 2;
	size_t t = 2 * (i % n) + (kept ? 1 : 0);
	unsigned h = holder_of((unsigned)t), a = w->accesses[h];
	q->vnet = (uint32_t)(t * VNETS_PER_TENANT + i % VNETS_PER_TENANT);
	q->mgr = (uint8_t)h;
	q->access = (uint8_t)(a & -a);  /* its lowest access */
	q->expect = (uint8_t)kept;
}

int world_init(struct world *w, unsigned scale, size_t nquestions, uint64_t seed);
void world_fini(struct world *w);

/* ---- checks: every implementation reports these; they must agree ------------- */

struct result {
	int ran;
	double seconds[NPHASES];
	size_t ops[NPHASES];
	int has_phase[NPHASES];
	/* check values */
	size_t connected;        /* scope connections Connected after connect */
	size_t allowed;          /* can_manage: allowed answers */
	uint64_t can_sum;        /* can_manage: order-sensitive digest of the answers */
	size_t mof_nonempty;     /* managers_of: non-empty answers */
	uint64_t mof_sum;        /* managers_of: digest of the lists */
	size_t conflicts;        /* conflict: pairs that ended Conflict */
	size_t revoked;          /* revoke: holder scope connections Revoked */
	size_t revoke_denied;    /* revoke: sample questions on revoked tenants denied */
	size_t revoke_allowed;   /* revoke: sample questions on kept tenants allowed */
	size_t effective;        /* members: effective members per computation */
	uint64_t members_sum;    /* members: order-insensitive digest */
	size_t member_add_ops;   /* members set-up: static members added (timed apart) */
	double member_add_seconds;
	size_t peak_bytes;       /* peak allocator bytes in use */
	/* --mixed (libavnm only): the can_manage questions again, a change between calls */
	size_t mixed_ops, mixed_changes, mixed_allowed;
	uint64_t mixed_sum;
	double mixed_seconds;    /* the questions' time, the changes' left out */
};

int run_avnm(const struct world *w, struct result *r);
int run_sqlite(const struct world *w, struct result *r);
int run_floor(const struct world *w, struct result *r);

/* ---- small shared tools ------------------------------------------------------ */

extern int bench_cpu_clock;   /* 1: CLOCK_PROCESS_CPUTIME_ID, 0: CLOCK_MONOTONIC */
/* Questions libavnm is asked per call in the question phases (--batch): above 1,
 * avnm_can_manage_many and avnm_managers_of_many; 1, avnm_can_manage and
 * avnm_managers_of, one call a question. */
#define DEFAULT_BATCH 1024u
extern size_t bench_batch;
/* --ids table: the questions name the world's ids in place (no qtext, mqtext). */
extern int bench_ids_table;
/* --mixed N: after managers_of, libavnm is asked the can_manage questions again, N a
 * call, with a change (a new management group in one tenant) after each call; 0: not. */
extern size_t bench_mixed;
double now_seconds(void);
void bench_mark(const char *label);

/* ---- taking turns (bench.c) ------------------------------------------------------
 * The timed steps, in the order every implementation runs them (the phases, with
 * the members set-up, timed apart, before the members phase). When several
 * implementations run, each runs in its own process and they take turns step by
 * step: every implementation's build, then every one's connect, and so on. So the
 * two sides of a ratio are timed seconds apart, not minutes, and a slow spell of a
 * shared machine falls on both, instead of on whichever ran during it. */
enum step {
	STEP_BUILD,
	STEP_CONNECT,
	STEP_CAN_MANAGE,
	STEP_MANAGERS_OF,
	STEP_CONFLICT,
	STEP_REVOKE,
	STEP_MEMBER_ADDS,
	STEP_MEMBERS,
	NSTEPS
};
/* Just before timed step s: wait for this implementation's turn at s (at once when it
 * runs alone), close the profile part of the set-up before it, and return the clock
 * (now_seconds) at which s starts. Steps must come in the order above; an
 * implementation may skip some. Untimed work after a step runs in the same turn. */
double bench_step(enum step s);

/* A fast string hash: 8 bytes a step. The floor uses it for its table; the checks
 * use the case-folded variant (libavnm hands back display forms, SQLite canonical
 * lower-case ones; folding makes their digests comparable). */
uint64_t hash_str(uint64_t seed, const char *s, size_t n);
uint64_t hash_fold(const char *s);
static inline uint64_t hash_final(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}
/* Order-sensitive digest step for answer sequences. */
static inline uint64_t digest_step(uint64_t d, uint64_t v)
{
	return (d ^ v) * 0x100000001b3ULL + 0x9e3779b97f4a7c15ULL;
}
static inline uint64_t member_hash(const char *id)
{
	return hash_fold(id);
}

/* A counting allocator: peak bytes requested and still in use (malloc's own
 * overhead is not counted, for either implementation). */
struct counter {
	size_t live, peak;
};
void *counter_alloc(struct counter *c, size_t n);
void *counter_realloc(struct counter *c, void *p, size_t n);
void counter_free(struct counter *c, void *p);
size_t counter_size(const void *p);

#endif
