/* Fuzzer: operation sequences on the public API, checked against a shadow model
 * after every step.
 *
 * The world is small, so that random operations meet each other: three tenants
 * whose management groups share their names (mg0..mg3 in each, R2.7), two
 * subscriptions per tenant, two virtual networks per subscription with tags, four
 * managers (two at home in tenant 0, one in tenant 1, one in tenant 2 that hub
 * connections may name before it exists, R4.11), three scope connection names per
 * manager, three hub connection names per tenant, two network groups per manager
 * and two principals. The context runs on a memory store.
 *
 * Input: one options byte (strict_hierarchy, cross-tenant dynamic membership, a
 * small max_mg_depth or max_mgs_per_tenant, whether mg0 and mg1 exist from the
 * start, whether three managers exist from the start), then operations: one byte each (low 5 bits the operation, high 3 bits
 * who performs it: the system or principal p0 or p1) and its argument bytes. Names
 * and ids are sometimes given in other letter case, or without the leading '/'.
 *
 * After each step:
 *  E  the call's result is one the model allows: existence, duplicates, R3.3
 *     conflicts of manager creation, busy, limits and R4.8 are predicted exactly;
 *     a principal may in addition get `forbidden` (R7 order);
 *  I1 avnm_can_manage and avnm_managers_of say exactly what the model derives:
 *     a manager manages a resource for an access iff it has the access and its
 *     local scope, or a scope connection that is Connected now, covers it (in the
 *     connection's tenant); avnm_managers_of lists higher holdings first (R3.4);
 *  I2 no scope item is held directly by two managers sharing an access (R3.3;
 *     with strict_hierarchy no ancestor/descendant either), holdings taken from
 *     the model's local scopes and the Connected-with-consent scope connections;
 *  I3 Connected only with a matching counterpart in the model (R4.2) or by
 *     implied consent (R4.5); Revoked and Pending never beside a live matching
 *     counterpart; Rejected only after a successful reject; existence of every
 *     connection, manager, local scope and accesses as the model says;
 *  I4 a failed call changes nothing: the dump is byte-identical, and no event;
 *  I5 every 16 steps and on a `reopen` operation, a second context opened on the
 *     store dumps identically, and the run goes on in it;
 *  I6 a call a principal made successfully was authorized (avnm_authorize says
 *     network write where R6.2-R6.6 require it); a `forbidden` one was not;
 *  I7 events: each connection whose state changed has an event whose last new
 *     state is its state now; an effective-member event for exactly the members
 *     that became effective, an ineffective one for those that stopped being;
 *  and the dump invariants of dumpcheck.h; effective group members as the model
 *  derives them (R5.2, R5.3); handles agree with queries by name, and turn stale.
 *
 * AVNM_FUZZ_TRACE=1 prints each step's operation and result; AVNM_FUZZ_STATS=1
 * prints at exit which states, reasons and operations the inputs reached.
 */
#include <ctype.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

#include "avnm.h"
#include "dumpcheck.h"
#include "fuzz.h"

#define NT 3
#define NMG 4
#define NSUB 2
#define NI (1 + NMG + NSUB) /* items of a tenant: 0 root, 1..4 mg0..mg3, 5..6 subscriptions */
#define NM 4
#define NSC 3
#define NHUB 3
#define NG 2
#define NV (NT * NSUB * 2)
#define NMEMB (2 * NV) /* virtual networks, then one subnet of each */
#define NP 2
#define MAX_CONDS 8    /* conditions the model follows per group; more are refused by it */
#define MAX_STEPS 400
#define REOPEN_EVERY 16
#define NHANDLES 4

#define ALL_ITEMS ((1u << NI) - 1u)
#define CODE(rc) (1u << (unsigned)(-(rc)))

enum op {
	OP_MG_CREATE,
	OP_MG_MOVE,
	OP_SUB_MOVE,
	OP_MGR_CREATE,
	OP_MGR_UPDATE,
	OP_MGR_DELETE,
	OP_SC_CREATE,
	OP_SC_DELETE,
	OP_HUB_CREATE,
	OP_HUB_DELETE,
	OP_REJECT,
	OP_REEVAL,
	OP_GRP_CREATE,
	OP_GRP_DELETE,
	OP_MEMBER_ADD,
	OP_MEMBER_REMOVE,
	OP_COND_ADD,
	OP_VNET_CREATE,
	OP_ROLE,
	OP_GUEST,
	OP_REOPEN,
	OP_EXPLAIN,
	OP_HANDLE,
	OP_SC_CREATE2, /* a second chance for the operations that make pairs */
	OP_HUB_CREATE2,
	NOPS
};

static const char *const op_name[NOPS] = {
	"mg-create", "mg-move", "sub-move", "manager-create", "manager-update", "manager-delete",
	"scope-connection-create", "scope-connection-delete", "hub-connection-create",
	"hub-connection-delete", "reject", "reevaluate", "group-create", "group-delete", "member-add",
	"member-remove", "condition-add", "vnet-create", "role-assign", "guest-add", "reopen", "explain",
	"handle", "scope-connection-answer", "hub-connection-answer",
};

/* AVNM_FUZZ_TRACE=1: each step's operation and result on stderr. */
static int trace;

/* ---- fixed names ----------------------------------------------------------- */

static const char *const tenant_id[NT] = {
	"10000000-0000-4000-8000-000000000001",
	"20000000-0000-4000-8000-000000000002",
	"30000000-0000-4000-8000-000000000003",
};
static const int mgr_home[NM][2] = {{0, 0}, {0, 1}, {1, 0}, {2, 0}}; /* tenant, subscription */
static const char *const principal[NP] = {"p0", "p1"};
static const int principal_home[NP] = {0, 1};

#define MGPFX "/providers/Microsoft.Management/managementGroups/"

static char sub_guid[NT][NSUB][40];
static char item_id[NT][NI][3][160];   /* variants: as registered, upper case, no '/' */
static char item_key[NT][NI][160];     /* canonical */
static char mgr_id[NM][2][200];        /* as registered, upper case */
static char mgr_key[NM][200];
static char mgr_rg[NM][120];
static char vnet_id[NV][220];
static char member_id[NMEMB][240];
static char member_key[NMEMB][240];
static char probe_vnet[NT][220];       /* never registered: placed by its subscription */
static char probe_rg[NT][120];
static char probe_unknown[220];        /* in a subscription nobody registered */

static void lower_into(char *dst, const char *src)
{
	for (; *src; src++)
		*dst++ = (char)tolower((unsigned char)*src);
	*dst = '\0';
}

static void upper_into(char *dst, const char *src)
{
	for (; *src; src++)
		*dst++ = (char)toupper((unsigned char)*src);
	*dst = '\0';
}

/* snprintf for the fixed names: they always fit, and stop the fuzzer if not. */
static void put(char *dst, size_t size, const char *fmt, ...) FUZZ_PRINTF(3, 4);
static void put(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	FUZZ_CHECK(n >= 0 && (size_t)n < size, "name too long for its buffer: %s", fmt);
}

static int vnet_tenant(int v)
{
	return v / (NSUB * 2);
}

static int vnet_sub(int v)
{
	return (v / 2) % NSUB;
}

static void init_names(void)
{
	for (int t = 0; t < NT; t++) {
		for (int j = 0; j < NSUB; j++)
			put(sub_guid[t][j], sizeof sub_guid[t][j], "a%d%d00000-0000-4000-8000-00000000000%d", t, j,
			         t);
		for (int i = 0; i < NI; i++) {
			char *id = item_id[t][i][0];
			if (i == 0)
				put(id, 160, MGPFX "%s", tenant_id[t]);
			else if (i <= NMG)
				put(id, 160, MGPFX "Mg%d", i - 1);
			else
				put(id, 160, "/subscriptions/%s", sub_guid[t][i - 1 - NMG]);
			upper_into(item_id[t][i][1], id);
			put(item_id[t][i][2], 160, "%s", id + 1);
			lower_into(item_key[t][i], id);
		}
		put(probe_vnet[t], sizeof probe_vnet[t],
		         "/subscriptions/%s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/ghost",
		         sub_guid[t][0]);
		put(probe_rg[t], sizeof probe_rg[t], "/subscriptions/%s/resourceGroups/rg-net", sub_guid[t][1]);
	}
	put(probe_unknown, sizeof probe_unknown,
	         "/subscriptions/eeeeeeee-0000-4000-8000-00000000000e/resourceGroups/rg/providers/"
	         "Microsoft.Network/virtualNetworks/nowhere");
	for (int m = 0; m < NM; m++) {
		const char *sub = sub_guid[mgr_home[m][0]][mgr_home[m][1]];
		put(mgr_rg[m], sizeof mgr_rg[m], "/subscriptions/%s/resourceGroups/rg-avnm", sub);
		put(mgr_id[m][0], sizeof mgr_id[m][0],
		         "%s/providers/Microsoft.Network/networkManagers/nm%d", mgr_rg[m], m);
		upper_into(mgr_id[m][1], mgr_id[m][0]);
		lower_into(mgr_key[m], mgr_id[m][0]);
	}
	for (int v = 0; v < NV; v++) {
		put(vnet_id[v], sizeof vnet_id[v],
		         "/subscriptions/%s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet%d",
		         sub_guid[vnet_tenant(v)][vnet_sub(v)], v % 2);
		put(member_id[v], sizeof member_id[v], "%s", vnet_id[v]);
		put(member_id[NV + v], sizeof member_id[NV + v], "%s/subnets/snet0", vnet_id[v]);
		lower_into(member_key[v], member_id[v]);
		lower_into(member_key[NV + v], member_id[NV + v]);
	}
}

/* Tags for conditions: bit 0 env=prod, 1 env=dev, 2 TIER=web (keys are
 * case-insensitive), 3 env=Prod (values are exact: matches nothing). */
#define NTAG 4
static const avnm_tag tag_pool[NTAG] = {{"env", "prod"}, {"env", "dev"}, {"TIER", "web"}, {"env", "Prod"}};

static int vnet_has(int v, int tag)
{
	switch (tag) {
	case 0: return v % 2 == 0;
	case 1: return v % 2 == 1;
	case 2: return vnet_sub(v) == 0;
	default: return 0;
	}
}

/* ---- the model ------------------------------------------------------------- */

struct model {
	int mg_parent[NT][NI];  /* items 1..4: -1 absent, else the parent item (0..4) */
	int sub_parent[NT][NSUB];
	int vnet[NV];
	struct {
		int on;
		unsigned acc, scope; /* scope: items of the home tenant */
	} mgr[NM];
	struct {
		int on, t, rejected;
		unsigned items;
	} sc[NM][NSC];
	struct {
		int on, m;
		unsigned items;
	} hub[NT][NHUB];
	struct {
		int on, subnet, nconds;
		unsigned long members; /* bits over NMEMB */
		unsigned conds[MAX_CONDS];
	} grp[NM][NG];
	/* what the library says now (refreshed after each step) */
	avnm_state sc_state[NM][NSC], hub_state[NT][NHUB];
	avnm_reason_code sc_reason[NM][NSC], hub_reason[NT][NHUB];
	unsigned long eff[NM][NG];
};

struct opts {
	unsigned flags, max_depth, max_mgs;
	int strict, xdyn;
};

struct event {
	avnm_event_kind kind;
	char manager[220], connection[80], group[80], tenant[40], resource[260];
	avnm_state old_state, new_state;
};

struct run {
	const uint8_t *p;
	size_t n;
	struct opts o;
	struct model m;
	avnm_storage *store;
	avnm_ctx *ctx;
	struct event ev[256];
	size_t nev;
	int ev_overflow;
	/* handles kept across steps; dead: its object was deleted since (stale forever,
	 * even when one of the same name is created again) */
	avnm_scope_connection *hs[NHANDLES];
	int hs_m[NHANDLES], hs_c[NHANDLES], hs_dead[NHANDLES];
	avnm_hub_connection *hh[NHANDLES];
	int hh_t[NHANDLES], hh_h[NHANDLES], hh_dead[NHANDLES];
	size_t step;
};

static uint8_t byte(struct run *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

/* ---- hierarchy in the model -------------------------------------------------- */

static int item_exists(const struct model *m, int t, int i)
{
	return i == 0 || i > NMG || m->mg_parent[t][i] >= 0;
}

static int parent_of(const struct model *m, int t, int i)
{
	if (i == 0)
		return -1;
	return i <= NMG ? m->mg_parent[t][i] : m->sub_parent[t][i - 1 - NMG];
}

/* Does item a cover item b (itself or below) in tenant t? */
static int covers(const struct model *m, int t, int a, int b)
{
	for (int hops = 0; b >= 0 && hops <= NI; hops++) {
		if (a == b)
			return 1;
		b = parent_of(m, t, b);
	}
	return 0;
}

static int depth(const struct model *m, int t, int i)
{
	int d = 0;
	for (i = parent_of(m, t, i); i >= 0; i = parent_of(m, t, i))
		d++;
	return d;
}

/* Levels of groups from mg i down (1 for a leaf). */
static int height(const struct model *m, int t, int i)
{
	int h = 1;
	for (int c = 1; c <= NMG; c++)
		if (m->mg_parent[t][c] == i) {
			int hc = 1 + height(m, t, c);
			if (hc > h)
				h = hc;
		}
	return h;
}

static int mg_count(const struct model *m, int t)
{
	int n = 0;
	for (int i = 1; i <= NMG; i++)
		n += m->mg_parent[t][i] >= 0;
	return n;
}

static int items_exist(const struct model *m, int t, unsigned items)
{
	for (int i = 0; i < NI; i++)
		if ((items >> i & 1u) && !item_exists(m, t, i))
			return 0;
	return 1;
}

/* ---- what the model derives ---------------------------------------------------- */

static int sc_holds(const struct model *m, int g, int c)
{
	return m->sc[g][c].on && m->sc_state[g][c] == AVNM_STATE_CONNECTED &&
	       m->sc_reason[g][c] == AVNM_REASON_CONNECTED;
}

/* Does manager g's effective scope cover item j of tenant t? *depth_out gets the
 * depth of the highest covering item. */
static int eff_covers(const struct model *m, int g, int t, int j, int *depth_out)
{
	int best = 1000;
	if (!m->mgr[g].on)
		return 0;
	for (int i = 0; i < NI; i++) {
		if (mgr_home[g][0] == t && (m->mgr[g].scope >> i & 1u) && covers(m, t, i, j) &&
		    depth(m, t, i) < best)
			best = depth(m, t, i);
		for (int c = 0; c < NSC; c++)
			if (m->sc[g][c].on && m->sc_state[g][c] == AVNM_STATE_CONNECTED && m->sc[g][c].t == t &&
			    (m->sc[g][c].items >> i & 1u) && covers(m, t, i, j) && depth(m, t, i) < best)
				best = depth(m, t, i);
	}
	if (depth_out)
		*depth_out = best;
	return best < 1000;
}

static int cond_matches(unsigned cond, int v)
{
	for (int k = 0; k < NTAG; k++)
		if ((cond >> k & 1u) && !vnet_has(v, k))
			return 0;
	return 1;
}

static unsigned long model_effective(const struct model *m, const struct opts *o, int g, int k)
{
	unsigned long eff = 0;
	for (int x = 0; x < NMEMB; x++) {
		int v = x % NV, t = vnet_tenant(v), j = 1 + NMG + vnet_sub(v);
		if (!m->vnet[v] || !eff_covers(m, g, t, j, NULL))
			continue;
		int in = (int)(m->grp[g][k].members >> x & 1ul);
		if (!in && x < NV && !m->grp[g][k].subnet && (o->xdyn || t == mgr_home[g][0]))
			for (int c = 0; c < m->grp[g][k].nconds && !in; c++)
				in = cond_matches(m->grp[g][k].conds[c], v);
		if (in)
			eff |= 1ul << x;
	}
	return eff;
}

/* Items held directly by manager g (R3.3): its local scope, and the items of its
 * scope connections Connected with consent. bits[t] per tenant. */
static void holdings(const struct model *m, int g, unsigned bits[NT])
{
	memset(bits, 0, NT * sizeof bits[0]);
	if (!m->mgr[g].on)
		return;
	bits[mgr_home[g][0]] |= m->mgr[g].scope;
	for (int c = 0; c < NSC; c++)
		if (sc_holds(m, g, c))
			bits[m->sc[g][c].t] |= m->sc[g][c].items;
}

static int overlap(const struct model *m, const struct opts *o, int t, unsigned a, unsigned b)
{
	if (a & b)
		return 1;
	if (!o->strict)
		return 0;
	for (int i = 0; i < NI; i++)
		for (int j = 0; j < NI; j++)
			if ((a >> i & 1u) && (b >> j & 1u) && (covers(m, t, i, j) || covers(m, t, j, i)))
				return 1;
	return 0;
}

/* Would manager g holding `items` of tenant t with accesses acc conflict (R3.3)? */
static int would_conflict(const struct model *m, const struct opts *o, int g, unsigned acc, int t,
                          unsigned items)
{
	for (int h = 0; h < NM; h++) {
		unsigned bits[NT];
		if (h == g || !m->mgr[h].on || !(m->mgr[h].acc & acc))
			continue;
		holdings(m, h, bits);
		if (overlap(m, o, t, items, bits[t]))
			return 1;
	}
	return 0;
}

/* ---- calls ------------------------------------------------------------------------- */

static avnm_scope *scope_of(struct run *r, int t, unsigned items, int variant, int foreign)
{
	avnm_scope *s = NULL;
	FUZZ_CHECK(avnm_scope_new(&s, r->ctx) == AVNM_OK, "scope_new: %s", avnm_errmsg(r->ctx));
	for (int i = 0; i < NI; i++)
		if (items >> i & 1u)
			FUZZ_CHECK(avnm_scope_add(s, item_id[t][i][(variant + i) % 3]) == AVNM_OK,
			           "scope_add %s: %s", item_id[t][i][(variant + i) % 3], avnm_errmsg(r->ctx));
	if (foreign) /* a subscription of the next tenant: another tenant's item */
		FUZZ_CHECK(avnm_scope_add(s, item_id[(t + 1) % NT][NI - 1][0]) == AVNM_OK, "scope_add foreign");
	return s;
}

static const char *sc_name(int c, int variant)
{
	static const char *const names[NSC][2] = {{"c0", "C0"}, {"c1", "C1"}, {"c2", "C2"}};
	return names[c][variant & 1];
}

static const char *hub_name(int h, int variant)
{
	static const char *const names[NHUB][2] = {{"h0", "H0"}, {"h1", "H1"}, {"h2", "H2"}};
	return names[h][variant & 1];
}

static const char *grp_name(int g, int variant)
{
	static const char *const names[NG][2] = {{"g0", "G0"}, {"g1", "G1"}};
	return names[g][variant & 1];
}

static void on_event(void *opaque, const avnm_event *e)
{
	struct run *r = opaque;
	if (r->nev == sizeof r->ev / sizeof r->ev[0]) {
		r->ev_overflow = 1;
		return;
	}
	struct event *x = &r->ev[r->nev++];
	memset(x, 0, sizeof *x);
	x->kind = e->kind;
	if (e->manager)
		lower_into(x->manager, e->manager);
	if (e->connection)
		lower_into(x->connection, e->connection);
	if (e->group)
		lower_into(x->group, e->group);
	if (e->tenant)
		snprintf(x->tenant, sizeof x->tenant, "%s", e->tenant);
	if (e->resource)
		lower_into(x->resource, e->resource);
	x->old_state = e->old_state;
	x->new_state = e->new_state;
}

static char *dump(avnm_ctx *ctx, size_t *len)
{
	char *d = NULL;
	FUZZ_CHECK(avnm_ctx_dump(&d, len, ctx) == AVNM_OK, "dump: %s", avnm_errmsg(ctx));
	return d;
}

static void close_handles(struct run *r)
{
	for (int i = 0; i < NHANDLES; i++) {
		avnm_scope_connection_close(r->hs[i]);
		avnm_hub_connection_close(r->hh[i]);
		r->hs[i] = NULL;
		r->hh[i] = NULL;
	}
}

/* I5: a context opened on the store is the same world; the run goes on in it. */
static void reopen(struct run *r)
{
	avnm_options opts = AVNM_OPTIONS_INIT;
	avnm_ctx *again = NULL;
	char err[512];
	size_t la, lb;
	opts.flags = r->o.flags;
	opts.max_mg_depth = r->o.max_depth;
	opts.max_mgs_per_tenant = r->o.max_mgs;
	int rc = avnm_ctx_open(&again, &opts, r->store, err, sizeof err);
	FUZZ_CHECK(rc == AVNM_OK, "I5: step %zu: the stored world does not load: %d %s", r->step, rc, err);
	char *a = dump(r->ctx, &la), *b = dump(again, &lb);
	FUZZ_CHECK(la == lb && memcmp(a, b, la) == 0, "I5: step %zu: reopened world differs:\n%s\n----\n%s",
	           r->step, a, b);
	avnm_free(r->ctx, a);
	avnm_free(again, b);
	close_handles(r);
	avnm_ctx_free(r->ctx);
	r->ctx = again;
	FUZZ_CHECK(avnm_ctx_set_event_callback(r->ctx, on_event, r) == AVNM_OK, "event callback");
}

/* ---- checks after a step --------------------------------------------------------- */

/* AVNM_FUZZ_STATS=1: at exit, how often each connection state and reason was seen
 * after a step, and how often each operation ran and succeeded, to see what a corpus
 * reaches. */
static unsigned long seen_state[2][6], seen_reason[32], op_runs[NOPS], op_ok[NOPS];

static void print_stats(void)
{
	static const char *const sides[2] = {"scope", "hub"};
	for (int k = 0; k < 2; k++)
		for (int st = 1; st <= AVNM_STATE_REJECTED; st++)
			fprintf(stderr, "%s connections %s: %lu\n", sides[k], avnm_state_name((avnm_state)st),
			        seen_state[k][st]);
	for (int c = 0; c < 32; c++)
		if (seen_reason[c])
			fprintf(stderr, "reason %d: %lu\n", c, seen_reason[c]);
	for (int o = 0; o < NOPS; o++)
		fprintf(stderr, "operation %d: %lu runs, %lu succeeded\n", o, op_runs[o], op_ok[o]);
}

static void refresh_states(struct run *r)
{
	struct model *m = &r->m;
	for (int g = 0; g < NM; g++) {
		for (int c = 0; c < NSC; c++) {
			avnm_state st = AVNM_STATE_NONE;
			avnm_reason *why = NULL;
			int rc = avnm_scope_connection_state(&st, &why, r->ctx, mgr_id[g][c & 1], sc_name(c, g));
			if (!m->sc[g][c].on) {
				FUZZ_CHECK(rc == AVNM_E_NOT_FOUND, "I3: step %zu: scope connection %d of nm%d should not "
				           "exist: rc %d state %d", r->step, c, g, rc, (int)st);
				m->sc_state[g][c] = AVNM_STATE_NONE;
				m->sc_reason[g][c] = AVNM_REASON_NONE;
				continue;
			}
			FUZZ_CHECK(rc == AVNM_OK, "I3: step %zu: scope connection c%d of nm%d: %d %s", r->step, c, g,
			           rc, avnm_errmsg(r->ctx));
			FUZZ_CHECK(st >= AVNM_STATE_PENDING && st <= AVNM_STATE_REJECTED, "state %d", (int)st);
			m->sc_state[g][c] = st;
			m->sc_reason[g][c] = avnm_reason_get_code(why);
			seen_state[0][st]++;
			seen_reason[m->sc_reason[g][c] & 31]++;
			FUZZ_CHECK(avnm_reason_text(why) && avnm_reason_text(why)[0], "a state without a sentence");
			avnm_reason_free(why);
		}
	}
	for (int t = 0; t < NT; t++) {
		for (int h = 0; h < NHUB; h++) {
			avnm_state st = AVNM_STATE_NONE;
			avnm_reason *why = NULL;
			int rc = avnm_hub_connection_state(&st, &why, r->ctx, tenant_id[t], hub_name(h, t));
			if (!m->hub[t][h].on) {
				FUZZ_CHECK(rc == AVNM_E_NOT_FOUND, "I3: step %zu: hub h%d of tenant %d should not exist: "
				           "rc %d", r->step, h, t, rc);
				m->hub_state[t][h] = AVNM_STATE_NONE;
				m->hub_reason[t][h] = AVNM_REASON_NONE;
				continue;
			}
			FUZZ_CHECK(rc == AVNM_OK, "I3: step %zu: hub h%d of tenant %d: %d %s", r->step, h, t, rc,
			           avnm_errmsg(r->ctx));
			FUZZ_CHECK(st >= AVNM_STATE_PENDING && st < AVNM_STATE_REJECTED, "hub state %d", (int)st);
			m->hub_state[t][h] = st;
			m->hub_reason[t][h] = avnm_reason_get_code(why);
			seen_state[1][st]++;
			seen_reason[m->hub_reason[t][h] & 31]++;
			avnm_reason_free(why);
		}
	}
}

/* The matching live counterpart of a scope connection (hub index), or -1. */
static int sc_match(const struct model *m, int g, int c)
{
	if (!m->sc[g][c].on || m->sc[g][c].rejected)
		return -1;
	int t = m->sc[g][c].t;
	for (int h = 0; h < NHUB; h++)
		if (m->hub[t][h].on && m->hub[t][h].m == g && m->hub[t][h].items == m->sc[g][c].items)
			return h;
	return -1;
}

/* The live non-rejected scope connection matching hub h of t, or -1. */
static int hub_match(const struct model *m, int t, int h)
{
	int g = m->hub[t][h].m;
	for (int c = 0; c < NSC; c++)
		if (m->sc[g][c].on && !m->sc[g][c].rejected && m->sc[g][c].t == t &&
		    m->sc[g][c].items == m->hub[t][h].items)
			return c;
	return -1;
}

/* R4.5: the manager's local scope covers these items of its home tenant. */
static int implied(const struct model *m, int g, int t, unsigned items)
{
	if (!m->mgr[g].on || mgr_home[g][0] != t)
		return 0;
	for (int j = 0; j < NI; j++) {
		if (!(items >> j & 1u))
			continue;
		int cov = 0;
		for (int i = 0; i < NI && !cov; i++)
			cov = (m->mgr[g].scope >> i & 1u) && covers(m, t, i, j);
		if (!cov)
			return 0;
	}
	return 1;
}

static void check_consent(struct run *r)
{
	const struct model *m = &r->m;
	for (int g = 0; g < NM; g++) {
		for (int c = 0; c < NSC; c++) {
			if (!m->sc[g][c].on)
				continue;
			avnm_state st = m->sc_state[g][c];
			int h = sc_match(m, g, c), t = m->sc[g][c].t;
			FUZZ_CHECK((st == AVNM_STATE_REJECTED) == (m->sc[g][c].rejected != 0),
			           "I3: step %zu: nm%d/c%d state %s, rejected %d", r->step, g, c, avnm_state_name(st),
			           m->sc[g][c].rejected);
			if (st == AVNM_STATE_CONNECTED)
				FUZZ_CHECK((m->sc_reason[g][c] == AVNM_REASON_CONNECTED && h >= 0) ||
				           (m->sc_reason[g][c] == AVNM_REASON_CONNECTED_IMPLIED &&
				            implied(m, g, t, m->sc[g][c].items)),
				           "I3: step %zu: nm%d/c%d is Connected (reason %d) without a matching hub "
				           "connection or implied consent", r->step, g, c, (int)m->sc_reason[g][c]);
			if (h >= 0)
				FUZZ_CHECK(m->hub_state[t][h] == st,
				           "I3: step %zu: matched pair nm%d/c%d (%s) and tenant %d/h%d (%s) disagree",
				           r->step, g, c, avnm_state_name(st), t, h, avnm_state_name(m->hub_state[t][h]));
			if (h >= 0)
				FUZZ_CHECK(st != AVNM_STATE_REVOKED && st != AVNM_STATE_PENDING,
				           "I3: step %zu: nm%d/c%d is %s beside its matching hub connection h%d",
				           r->step, g, c, avnm_state_name(st), h);
		}
	}
	for (int t = 0; t < NT; t++) {
		for (int h = 0; h < NHUB; h++) {
			if (!m->hub[t][h].on)
				continue;
			avnm_state st = m->hub_state[t][h];
			int g = m->hub[t][h].m, c = hub_match(m, t, h);
			if (st == AVNM_STATE_CONNECTED)
				FUZZ_CHECK((m->hub_reason[t][h] == AVNM_REASON_CONNECTED && c >= 0) ||
				           (m->hub_reason[t][h] == AVNM_REASON_CONNECTED_IMPLIED &&
				            implied(m, g, t, m->hub[t][h].items)),
				           "I3: step %zu: tenant %d/h%d is Connected (reason %d) without a matching scope "
				           "connection or implied consent", r->step, t, h, (int)m->hub_reason[t][h]);
			if (c >= 0 && m->mgr[g].on)
				FUZZ_CHECK(st != AVNM_STATE_REVOKED && st != AVNM_STATE_PENDING,
				           "I3: step %zu: tenant %d/h%d is %s beside its matching scope connection c%d",
				           r->step, t, h, avnm_state_name(st), c);
		}
	}
}

static void check_conflicts(struct run *r)
{
	const struct model *m = &r->m;
	for (int a = 0; a < NM; a++) {
		for (int b = a + 1; b < NM; b++) {
			unsigned ha[NT], hb[NT];
			if (!m->mgr[a].on || !m->mgr[b].on || !(m->mgr[a].acc & m->mgr[b].acc))
				continue;
			holdings(m, a, ha);
			holdings(m, b, hb);
			for (int t = 0; t < NT; t++)
				FUZZ_CHECK(!overlap(m, &r->o, t, ha[t], hb[t]),
				           "I2: step %zu: nm%d (items 0x%x) and nm%d (items 0x%x) of tenant %d overlap with "
				           "shared accesses 0x%x (R3.3%s)", r->step, a, ha[t], b, hb[t], t,
				           m->mgr[a].acc & m->mgr[b].acc, r->o.strict ? ", strict" : "");
		}
	}
}

static void check_managers(struct run *r)
{
	const struct model *m = &r->m;
	for (int g = 0; g < NM; g++) {
		avnm_manager *h = NULL;
		int rc = avnm_manager_open(&h, r->ctx, mgr_id[g][(g + (int)r->step) & 1]);
		if (!m->mgr[g].on) {
			FUZZ_CHECK(rc == AVNM_E_NOT_FOUND, "step %zu: nm%d should not exist (%d)", r->step, g, rc);
			continue;
		}
		FUZZ_CHECK(rc == AVNM_OK, "step %zu: nm%d does not open: %s", r->step, g, avnm_errmsg(r->ctx));
		unsigned acc = 0;
		avnm_scope *s = NULL;
		const char *id = NULL;
		FUZZ_CHECK(avnm_manager_get_accesses(&acc, h) == AVNM_OK && acc == m->mgr[g].acc,
		           "step %zu: nm%d accesses 0x%x, model 0x%x", r->step, g, acc, m->mgr[g].acc);
		FUZZ_CHECK(avnm_manager_get_id(&id, h) == AVNM_OK && strcasecmp(id, mgr_key[g]) == 0,
		           "step %zu: nm%d id %s", r->step, g, id ? id : "(null)");
		FUZZ_CHECK(avnm_manager_get_scope(&s, h) == AVNM_OK, "get_scope");
		unsigned got = 0;
		for (size_t i = 0; i < avnm_scope_count(s); i++) {
			int found = -1;
			for (int j = 0; j < NI; j++)
				if (strcmp(avnm_scope_item(s, i), item_key[mgr_home[g][0]][j]) == 0)
					found = j;
			FUZZ_CHECK(found >= 0, "step %zu: nm%d has unknown scope item %s", r->step, g,
			           avnm_scope_item(s, i));
			got |= 1u << found;
		}
		FUZZ_CHECK(got == m->mgr[g].scope, "step %zu: nm%d local scope 0x%x, model 0x%x", r->step, g, got,
		           m->mgr[g].scope);
		avnm_scope_free(s);
		avnm_manager_close(h);

		/* crossTenantScopes: the items of the scope connections that hold theirs */
		avnm_list *l = NULL;
		unsigned want[NT] = {0}, have[NT] = {0};
		for (int c = 0; c < NSC; c++)
			if (sc_holds(m, g, c))
				want[m->sc[g][c].t] |= m->sc[g][c].items;
		FUZZ_CHECK(avnm_manager_cross_tenant_scopes(&l, r->ctx, mgr_id[g][0]) == AVNM_OK, "cross");
		for (size_t i = 0; i < avnm_list_count(l); i++) {
			const char *tn = avnm_list_tenant(l, i);
			int t = -1, found = -1;
			for (int k = 0; k < NT; k++)
				if (tn && strcmp(tn, tenant_id[k]) == 0)
					t = k;
			FUZZ_CHECK(t >= 0, "cross-tenant item %s without a known tenant", avnm_list_get(l, i));
			for (int j = 0; j < NI; j++)
				if (strcasecmp(avnm_list_get(l, i), item_key[t][j]) == 0)
					found = j;
			FUZZ_CHECK(found >= 0, "unknown cross-tenant item %s", avnm_list_get(l, i));
			have[t] |= 1u << found;
		}
		avnm_list_free(l);
		for (int t = 0; t < NT; t++)
			FUZZ_CHECK(want[t] == have[t], "step %zu: nm%d crossTenantScopes in tenant %d: 0x%x, model 0x%x",
			           r->step, g, t, have[t], want[t]);
	}
}

/* One probe resource: its id, tenant and the item that places it (-1: nothing). */
struct probe {
	const char *id, *tenant;
	int t, j;
};

/* The probes of tenant `only` (all tenants when -1), and the unknown subscription. */
static size_t probes(const struct model *m, struct probe *out, int only)
{
	size_t n = 0;
	for (int t = 0; t < NT; t++) {
		if (only >= 0 && t != only)
			continue;
		for (int i = 0; i < NI; i++)
			if (item_exists(m, t, i))
				out[n++] = (struct probe){item_id[t][i][i % 3], tenant_id[t], t, i};
		for (int v = 0; v < NV; v++)
			if (vnet_tenant(v) == t && m->vnet[v])
				out[n++] = (struct probe){member_id[v + (v % 3 == 0 ? NV : 0)], NULL, t,
				                          1 + NMG + vnet_sub(v)};
		out[n++] = (struct probe){probe_vnet[t], NULL, t, 1 + NMG};
		out[n++] = (struct probe){probe_rg[t], NULL, t, 1 + NMG + 1};
	}
	out[n++] = (struct probe){probe_unknown, NULL, -1, -1};
	return n;
}

/* I1 for one access, on the probes of one tenant (-1: all). */
static void check_manage(struct run *r, unsigned access, int only)
{
	const struct model *m = &r->m;
	struct probe pr[NT * (NI + NV + 2) + 1];
	size_t np = probes(m, pr, only);
	for (size_t k = 0; k < np; k++) {
		int want[NM], dep[NM];
		for (int g = 0; g < NM; g++)
			want[g] = pr[k].t >= 0 && (m->mgr[g].acc & access) && eff_covers(m, g, pr[k].t, pr[k].j, &dep[g]);
		avnm_list *l = NULL;
		int rc = avnm_managers_of(&l, r->ctx, pr[k].id, access, pr[k].tenant);
		FUZZ_CHECK(rc == AVNM_OK, "managers_of %s: %s", pr[k].id, avnm_errmsg(r->ctx));
		int got[NM] = {0}, last_depth = -1;
		for (size_t i = 0; i < avnm_list_count(l); i++) {
			int found = -1;
			for (int g = 0; g < NM; g++)
				if (strcasecmp(avnm_list_get(l, i), mgr_key[g]) == 0)
					found = g;
			FUZZ_CHECK(found >= 0 && !got[found], "step %zu: managers_of %s lists %s", r->step, pr[k].id,
			           avnm_list_get(l, i));
			got[found] = 1;
			if (want[found]) {
				FUZZ_CHECK(dep[found] >= last_depth,
				           "R3.4: step %zu: managers_of %s lists nm%d (holding at depth %d) after one at "
				           "depth %d", r->step, pr[k].id, found, dep[found], last_depth);
				last_depth = dep[found];
			}
		}
		avnm_list_free(l);
		for (int g = 0; g < NM; g++)
			FUZZ_CHECK(got[g] == want[g],
			           "I1: step %zu: managers_of(%s, access %u) %s nm%d, the model %s it", r->step,
			           pr[k].id, access, got[g] ? "lists" : "omits", g, want[g] ? "derives" : "does not derive");
		/* and one manager by avnm_can_manage, in turn */
		int g = (int)((r->step + k) % NM), allowed = -1;
		avnm_reason *why = NULL;
		rc = avnm_can_manage(&allowed, &why, r->ctx, mgr_id[g][k & 1], pr[k].id, access, pr[k].tenant);
		if (!m->mgr[g].on) {
			FUZZ_CHECK(rc == AVNM_E_NOT_FOUND && allowed == 0, "can_manage by a missing manager: %d", rc);
			continue;
		}
		FUZZ_CHECK(rc == AVNM_OK, "can_manage: %s", avnm_errmsg(r->ctx));
		FUZZ_CHECK(allowed == want[g], "I1: step %zu: can_manage(nm%d, %s, access %u) = %d, model %d: %s",
		           r->step, g, pr[k].id, access, allowed, want[g], avnm_reason_text(why));
		avnm_reason_code code = avnm_reason_get_code(why);
		FUZZ_CHECK(allowed ? (code == AVNM_REASON_ALLOW_LOCAL_SCOPE || code == AVNM_REASON_ALLOW_CONNECTION)
		                   : (code >= AVNM_REASON_DENY_NO_ACCESS && code <= AVNM_REASON_DENY_UNKNOWN_SUBSCRIPTION),
		           "step %zu: answer %d with reason %d", r->step, allowed, (int)code);
		avnm_reason_free(why);
	}
}

static void check_groups(struct run *r)
{
	struct model *m = &r->m;
	for (int g = 0; g < NM; g++) {
		for (int k = 0; k < NG; k++) {
			avnm_list *l = NULL;
			int rc = avnm_group_members(&l, r->ctx, mgr_id[g][0], grp_name(k, g));
			if (!m->mgr[g].on || !m->grp[g][k].on) {
				FUZZ_CHECK(rc == AVNM_E_NOT_FOUND, "step %zu: group g%d of nm%d should not exist: %d", r->step,
				           k, g, rc);
				m->eff[g][k] = 0;
				continue;
			}
			FUZZ_CHECK(rc == AVNM_OK, "group_members: %s", avnm_errmsg(r->ctx));
			unsigned long got = 0;
			for (size_t i = 0; i < avnm_list_count(l); i++) {
				int found = -1;
				for (int x = 0; x < NMEMB; x++)
					if (strcasecmp(avnm_list_get(l, i), member_key[x]) == 0)
						found = x;
				FUZZ_CHECK(found >= 0 && !(got >> found & 1ul), "step %zu: member %s", r->step,
				           avnm_list_get(l, i));
				got |= 1ul << found;
			}
			avnm_list_free(l);
			unsigned long want = model_effective(m, &r->o, g, k);
			FUZZ_CHECK(got == want, "R5.2: step %zu: effective members of nm%d/g%d: 0x%lx, model 0x%lx",
			           r->step, g, k, got, want);
		}
	}
}

/* I7, given the states and effective members before the step. */
static void check_events(struct run *r, const struct model *before)
{
	const struct model *m = &r->m;
	FUZZ_CHECK(!r->ev_overflow, "more events than the fuzzer keeps");
	for (int g = 0; g < NM; g++) {
		for (int c = 0; c < NSC; c++) {
			if (!m->sc[g][c].on)
				continue;
			const struct event *last = NULL, *first = NULL;
			for (size_t i = 0; i < r->nev; i++) {
				const struct event *e = &r->ev[i];
				if (e->kind == AVNM_EVENT_SCOPE_CONNECTION_STATE && strcmp(e->manager, mgr_key[g]) == 0 &&
				    strcmp(e->connection, sc_name(c, 0)) == 0) {
					if (!first)
						first = e;
					last = e;
				}
			}
			avnm_state was = before->sc[g][c].on ? before->sc_state[g][c] : AVNM_STATE_NONE;
			if (was != m->sc_state[g][c])
				FUZZ_CHECK(last, "I7: step %zu: nm%d/c%d went %s -> %s without an event", r->step, g, c,
				           avnm_state_name(was), avnm_state_name(m->sc_state[g][c]));
			if (last) {
				FUZZ_CHECK(last->new_state == m->sc_state[g][c] && first->old_state == was,
				           "I7: step %zu: nm%d/c%d events %s..%s, but it went %s -> %s", r->step, g, c,
				           avnm_state_name(first->old_state), avnm_state_name(last->new_state),
				           avnm_state_name(was), avnm_state_name(m->sc_state[g][c]));
			}
		}
	}
	for (int t = 0; t < NT; t++) {
		for (int h = 0; h < NHUB; h++) {
			if (!m->hub[t][h].on)
				continue;
			const struct event *last = NULL;
			for (size_t i = 0; i < r->nev; i++) {
				const struct event *e = &r->ev[i];
				if (e->kind == AVNM_EVENT_HUB_CONNECTION_STATE && strcmp(e->tenant, tenant_id[t]) == 0 &&
				    strcmp(e->connection, hub_name(h, 0)) == 0)
					last = e;
			}
			avnm_state was = before->hub[t][h].on ? before->hub_state[t][h] : AVNM_STATE_NONE;
			if (was != m->hub_state[t][h])
				FUZZ_CHECK(last && last->new_state == m->hub_state[t][h],
				           "I7: step %zu: tenant %d/h%d went %s -> %s, last event %s", r->step, t, h,
				           avnm_state_name(was), avnm_state_name(m->hub_state[t][h]),
				           last ? avnm_state_name(last->new_state) : "none");
		}
	}
}

/* I7 for effective members: events for exactly what changed, per group. */
static void check_member_events(struct run *r, const struct model *before)
{
	const struct model *m = &r->m;
	for (int g = 0; g < NM; g++) {
		for (int k = 0; k < NG; k++) {
			if (!before->grp[g][k].on || !m->grp[g][k].on || !before->mgr[g].on || !m->mgr[g].on)
				continue;
			unsigned long in = 0, out = 0;
			for (size_t i = 0; i < r->nev; i++) {
				const struct event *e = &r->ev[i];
				if ((e->kind != AVNM_EVENT_MEMBER_EFFECTIVE && e->kind != AVNM_EVENT_MEMBER_INEFFECTIVE) ||
				    strcmp(e->manager, mgr_key[g]) != 0 || strcmp(e->group, grp_name(k, 0)) != 0)
					continue;
				for (int x = 0; x < NMEMB; x++)
					if (strcmp(e->resource, member_key[x]) == 0) {
						if (e->kind == AVNM_EVENT_MEMBER_EFFECTIVE)
							in |= 1ul << x;
						else
							out |= 1ul << x;
					}
			}
			unsigned long became = m->eff[g][k] & ~before->eff[g][k];
			unsigned long left = before->eff[g][k] & ~m->eff[g][k];
			FUZZ_CHECK(in == became && out == left,
			           "I7: step %zu: nm%d/g%d members effective 0x%lx -> 0x%lx, events told in 0x%lx, out "
			           "0x%lx", r->step, g, k, before->eff[g][k], m->eff[g][k], in, out);
		}
	}
}

/* ---- authorization (I6) ----------------------------------------------------------- */

static int may_write(struct run *r, const char *as, const char *res, const char *tenant)
{
	int allowed = 0;
	int rc = avnm_authorize(&allowed, NULL, r->ctx, as, AVNM_ACTION_NETWORK_WRITE, res, tenant);
	FUZZ_CHECK(rc == AVNM_OK, "authorize %s on %s: %d %s", as, res, rc, avnm_errmsg(r->ctx));
	return allowed;
}

static int may_write_items(struct run *r, const char *as, int t, unsigned items)
{
	for (int i = 0; i < NI; i++)
		if ((items >> i & 1u) && item_exists(&r->m, t, i) && !may_write(r, as, item_id[t][i][0], tenant_id[t]))
			return 0;
	return 1;
}

/* ---- one step ---------------------------------------------------------------------- */

/* Scope items of one tenant from a byte: mostly one of a few usual scopes, so that
 * the two sides of a pair meet; sometimes any set. */
static unsigned pick_items(uint8_t b)
{
	static const unsigned usual[12] = {
		1u << 5, 1u << 6, 1u << 1, 1u << 2, 1u << 0, 1u << 1 | 1u << 6,
		1u << 5 | 1u << 6, 1u << 3, 1u << 1, 1u << 5, 1u << 6, 1u << 2 | 1u << 5,
	};
	unsigned choice = (unsigned)b & 15u;
	return choice < 12 ? usual[choice] : ((unsigned)b >> 1) & ALL_ITEMS;
}

/* One operation and every check after it. */
static void step(struct run *r)
{
	struct model *m = &r->m;
	struct model before = *m;
	uint8_t opb = byte(r);
	int op = (opb & 31) % NOPS, who = opb >> 5;
	const char *as = who == 6 ? principal[0] : who == 7 ? principal[1] : NULL;
	unsigned allowed = 0; /* CODE()s the model allows */
	int rc = AVNM_OK, authz_done = 0, perm = 1;
	size_t la = 0;
	char *pre = dump(r->ctx, &la), why[512];

	/* the dump invariants are the model's I2/I3 again, from the library's side: every
	 * few steps is enough, and keeps the fuzzer fast */
	if (r->step % 8 == 1)
		FUZZ_CHECK(dump_check(pre, la, why, sizeof why) == 0, "step %zu: %s\n%s", r->step, why, pre);
	r->nev = 0;
	r->ev_overflow = 0;

	switch (op) {
	case OP_MG_CREATE: {
		uint8_t a = byte(r), b = byte(r);
		int t = a % NT, g = 1 + (a >> 2) % NMG, p = b % (1 + NMG);
		const char *parent = p == 0 ? (b & 0x80 ? NULL : tenant_id[t]) : item_id[t][p][b >> 5 & 1];
		/* by full id in one of its spellings, or by its bare id ("Mg0", "MG0") */
		const char *full = item_id[t][g][(a >> 5) % 3];
		rc = avnm_mg_create(r->ctx, tenant_id[t], a & 0x80 ? full : strrchr(full, '/') + 1, parent);
		if (!item_exists(m, t, p))
			allowed = CODE(AVNM_E_NOT_FOUND);
		else if (item_exists(m, t, g))
			allowed = CODE(AVNM_E_EXISTS);
		else if (depth(m, t, p) + 1 > (int)r->o.max_depth || mg_count(m, t) >= (int)r->o.max_mgs)
			allowed = CODE(AVNM_E_LIMIT);
		else
			allowed = CODE(AVNM_OK);
		if (rc == AVNM_OK)
			m->mg_parent[t][g] = p;
		authz_done = 1;
		break;
	}
	case OP_MG_MOVE: {
		uint8_t a = byte(r), b = byte(r);
		int t = a % NT, g = 1 + (a >> 2) % NMG, p = b % (1 + NMG);
		rc = avnm_mg_move(r->ctx, tenant_id[t], item_id[t][g][a >> 6 & 1], p ? item_id[t][p][0] : tenant_id[t]);
		if (!item_exists(m, t, g) || !item_exists(m, t, p))
			allowed = CODE(AVNM_E_NOT_FOUND);
		else if (covers(m, t, g, p))
			allowed = CODE(AVNM_E_INVALID_ARGUMENT);
		else if (depth(m, t, p) + height(m, t, g) > (int)r->o.max_depth)
			allowed = CODE(AVNM_E_LIMIT);
		else
			allowed = CODE(AVNM_OK) | (r->o.strict ? CODE(AVNM_E_CONFLICT) : 0u);
		if (rc == AVNM_OK)
			m->mg_parent[t][g] = p;
		authz_done = 1;
		break;
	}
	case OP_SUB_MOVE: {
		uint8_t a = byte(r);
		int t = a % NT, j = (a >> 2) % NSUB, p = (a >> 3) % (1 + NMG);
		rc = avnm_subscription_move(r->ctx, item_id[t][1 + NMG + j][a >> 7], p ? item_id[t][p][1] : tenant_id[t]);
		if (!item_exists(m, t, p))
			allowed = CODE(AVNM_E_NOT_FOUND);
		else
			allowed = CODE(AVNM_OK) | (r->o.strict ? CODE(AVNM_E_CONFLICT) : 0u);
		if (rc == AVNM_OK)
			m->sub_parent[t][j] = p;
		authz_done = 1;
		break;
	}
	case OP_MGR_CREATE:
	case OP_MGR_UPDATE: {
		uint8_t a = byte(r), b = byte(r);
		int g = a % NM, t = mgr_home[g][0], foreign = (b & 0x80) != 0 && (a & 0x40) != 0;
		unsigned acc = (unsigned)(a >> 2) & 15u, items = pick_items(b);
		unsigned what = op == OP_MGR_UPDATE ? (unsigned)(a >> 6) : AVNM_UPDATE_SCOPE;
		int with_scope = op == OP_MGR_CREATE ? (a & 0x80) == 0 || items : (what & AVNM_UPDATE_SCOPE) != 0;
		avnm_scope *s = with_scope ? scope_of(r, t, items, b >> 5, foreign) : NULL;
		if (!with_scope)
			items = 0, foreign = 0;
		if (op == OP_MGR_CREATE)
			rc = avnm_manager_create(r->ctx, as, mgr_id[g][b >> 7], acc, s);
		else
			rc = avnm_manager_update(r->ctx, as, mgr_id[g][b >> 7], what, acc, s);
		avnm_scope_free(s);
		unsigned new_acc = op == OP_MGR_CREATE || (what & AVNM_UPDATE_ACCESSES) ? acc : m->mgr[g].acc;
		unsigned new_scope = op == OP_MGR_CREATE || (what & AVNM_UPDATE_SCOPE) ? items : m->mgr[g].scope;
		/* an item of another tenant is well-formed: telling it apart takes the same
		 * look-ups as existence, so either may be reported first */
		if (foreign)
			allowed = CODE(AVNM_E_INVALID_ARGUMENT) |
			          ((op == OP_MGR_UPDATE && !m->mgr[g].on) || !items_exist(m, t, items)
			               ? CODE(AVNM_E_NOT_FOUND) : 0u);
		else if (op == OP_MGR_UPDATE && !m->mgr[g].on)
			allowed = CODE(AVNM_E_NOT_FOUND);
		else if (!items_exist(m, t, items))
			allowed = CODE(AVNM_E_NOT_FOUND);
		else if (op == OP_MGR_CREATE && m->mgr[g].on)
			allowed = CODE(AVNM_E_EXISTS);
		else if (would_conflict(m, &r->o, g, new_acc, t, new_scope))
			allowed = CODE(AVNM_E_CONFLICT);
		else if (op == OP_MGR_CREATE)
			allowed = CODE(AVNM_OK);
		else
			allowed = CODE(AVNM_OK) | CODE(AVNM_E_CONFLICT); /* its connections may conflict now */
		if (rc == AVNM_OK) {
			m->mgr[g].on = 1;
			m->mgr[g].acc = new_acc;
			m->mgr[g].scope = new_scope;
		}
		if (as)
			perm = may_write(r, as, op == OP_MGR_CREATE ? mgr_rg[g] : mgr_id[g][0], NULL);
		break;
	}
	case OP_MGR_DELETE: {
		uint8_t a = byte(r);
		int g = a % NM, force = (a >> 2) & 1, busy = 0;
		rc = avnm_manager_delete(r->ctx, as, mgr_id[g][a >> 7], force ? AVNM_DELETE_FORCE : 0u);
		for (int c = 0; c < NSC; c++)
			busy |= m->sc[g][c].on;
		for (int k = 0; k < NG; k++)
			busy |= m->grp[g][k].on;
		allowed = !m->mgr[g].on ? CODE(AVNM_E_NOT_FOUND) : busy && !force ? CODE(AVNM_E_BUSY) : CODE(AVNM_OK);
		if (rc == AVNM_OK) {
			m->mgr[g].on = 0;
			memset(m->sc[g], 0, sizeof m->sc[g]);
			memset(m->grp[g], 0, sizeof m->grp[g]);
		}
		if (as)
			perm = may_write(r, as, mgr_id[g][0], NULL);
		break;
	}
	case OP_SC_CREATE:
	case OP_SC_CREATE2: {
		uint8_t a = byte(r), b = byte(r);
		int g = a % NM, c = (a >> 2) % NSC, t = (a >> 4) % NT, foreign = (a & 0xe0) == 0xe0;
		unsigned items = pick_items(b);
		if (op == OP_SC_CREATE2) {
			/* the manager side answering a hub connection that exists: its consent */
			for (int k = 0; k < NT * NHUB; k++) {
				int x = (a + k) % (NT * NHUB), ht = x / NHUB, hh = x % NHUB;
				if (m->hub[ht][hh].on) {
					t = ht;
					g = m->hub[ht][hh].m;
					items = m->hub[ht][hh].items;
					break;
				}
			}
			foreign = 0;
		}
		avnm_scope *s = scope_of(r, t, items, b >> 5, foreign);
		rc = avnm_scope_connection_create(r->ctx, as, mgr_id[g][b >> 7], sc_name(c, a >> 6), tenant_id[t], s);
		avnm_scope_free(s);
		int dup = m->sc[g][c].on;
		for (int k = 0; k < NSC; k++)
			dup |= m->sc[g][k].on && m->sc[g][k].t == t && m->sc[g][k].items == items;
		if (!items && !foreign) /* the foreign item alone is not an empty scope */
			allowed = CODE(AVNM_E_INVALID_ARGUMENT);
		else if (foreign)
			allowed = CODE(AVNM_E_INVALID_ARGUMENT) |
			          (!m->mgr[g].on || !items_exist(m, t, items) ? CODE(AVNM_E_NOT_FOUND) : 0u);
		else if (!m->mgr[g].on || !items_exist(m, t, items))
			allowed = CODE(AVNM_E_NOT_FOUND);
		else if (dup)
			allowed = CODE(AVNM_E_EXISTS);
		else
			allowed = CODE(AVNM_OK);
		if (rc == AVNM_OK) {
			m->sc[g][c].on = 1;
			m->sc[g][c].t = t;
			m->sc[g][c].items = items;
			m->sc[g][c].rejected = 0;
		}
		if (as)
			perm = may_write(r, as, mgr_id[g][0], NULL) && may_write_items(r, as, t, items);
		break;
	}
	case OP_SC_DELETE: {
		uint8_t a = byte(r);
		int g = a % NM, c = (a >> 2) % NSC;
		rc = avnm_scope_connection_delete(r->ctx, as, mgr_id[g][a >> 7], sc_name(c, a >> 4));
		allowed = m->sc[g][c].on ? CODE(AVNM_OK) : CODE(AVNM_E_NOT_FOUND);
		/* R6.2: write on the manager and on the connection's items (when it exists) */
		if (as)
			perm = may_write(r, as, mgr_id[g][0], NULL) &&
			       (!m->sc[g][c].on || may_write_items(r, as, m->sc[g][c].t, m->sc[g][c].items));
		if (rc == AVNM_OK)
			m->sc[g][c].on = 0;
		break;
	}
	case OP_HUB_CREATE:
	case OP_HUB_CREATE2: {
		uint8_t a = byte(r), b = byte(r);
		int t = a % NT, h = (a >> 2) % NHUB, g = (a >> 4) % NM, foreign = (a & 0xe0) == 0xe0;
		unsigned items = pick_items(b);
		if (op == OP_HUB_CREATE2) {
			/* the target tenant answering a scope connection that exists */
			for (int k = 0; k < NM * NSC; k++) {
				int x = (a + k) % (NM * NSC), sg = x / NSC, scn = x % NSC;
				if (m->sc[sg][scn].on) {
					t = m->sc[sg][scn].t;
					g = sg;
					items = m->sc[sg][scn].items;
					break;
				}
			}
			foreign = 0;
		}
		avnm_scope *s = scope_of(r, t, items, b >> 5, foreign);
		rc = avnm_hub_connection_create(r->ctx, as, tenant_id[t], hub_name(h, a >> 6), s, mgr_id[g][b >> 7]);
		avnm_scope_free(s);
		int dup = m->hub[t][h].on;
		for (int k = 0; k < NHUB; k++)
			dup |= m->hub[t][k].on && m->hub[t][k].m == g && m->hub[t][k].items == items;
		if (!items && !foreign) /* the foreign item alone is not an empty scope */
			allowed = CODE(AVNM_E_INVALID_ARGUMENT);
		else if (foreign)
			allowed = CODE(AVNM_E_INVALID_ARGUMENT) | (!items_exist(m, t, items) ? CODE(AVNM_E_NOT_FOUND) : 0u);
		else if (!items_exist(m, t, items))
			allowed = CODE(AVNM_E_NOT_FOUND);
		else if (dup)
			allowed = CODE(AVNM_E_EXISTS);
		else
			allowed = CODE(AVNM_OK);
		if (rc == AVNM_OK) {
			m->hub[t][h].on = 1;
			m->hub[t][h].m = g;
			m->hub[t][h].items = items;
		}
		if (as)
			perm = may_write_items(r, as, t, items);
		break;
	}
	case OP_HUB_DELETE: {
		uint8_t a = byte(r);
		int t = a % NT, h = (a >> 2) % NHUB;
		rc = avnm_hub_connection_delete(r->ctx, as, tenant_id[t], hub_name(h, a >> 4));
		allowed = m->hub[t][h].on ? CODE(AVNM_OK) : CODE(AVNM_E_NOT_FOUND);
		if (as)
			perm = m->hub[t][h].on ? may_write_items(r, as, t, m->hub[t][h].items)
			                       : may_write(r, as, item_id[t][0][0], tenant_id[t]);
		if (rc == AVNM_OK)
			m->hub[t][h].on = 0;
		break;
	}
	case OP_REJECT: {
		uint8_t a = byte(r);
		int t = a % NT, g = (a >> 2) % NM, c = (a >> 4) % NSC;
		rc = avnm_scope_connection_reject(r->ctx, as, tenant_id[t], mgr_id[g][a >> 7], sc_name(c, a >> 6));
		if (!m->mgr[g].on || !m->sc[g][c].on)
			allowed = CODE(AVNM_E_NOT_FOUND);
		else if (m->sc[g][c].t != t)
			allowed = CODE(AVNM_E_INVALID_ARGUMENT) | CODE(AVNM_E_NOT_FOUND);
		else if (m->sc_state[g][c] != AVNM_STATE_PENDING)
			allowed = CODE(AVNM_E_INVALID_ARGUMENT);
		else
			allowed = CODE(AVNM_OK);
		if (as)
			perm = m->sc[g][c].on && m->sc[g][c].t == t ? may_write_items(r, as, t, m->sc[g][c].items)
			                                             : may_write(r, as, item_id[t][0][0], tenant_id[t]);
		if (rc == AVNM_OK)
			m->sc[g][c].rejected = 1;
		break;
	}
	case OP_REEVAL: {
		uint8_t a = byte(r);
		int g = a % NM, c = (a >> 2) % NSC;
		rc = avnm_scope_connection_reevaluate(r->ctx, as, mgr_id[g][a >> 7], sc_name(c, a >> 4));
		allowed = m->sc[g][c].on ? CODE(AVNM_OK) : CODE(AVNM_E_NOT_FOUND);
		if (as)
			perm = may_write(r, as, mgr_id[g][0], NULL);
		break;
	}
	case OP_GRP_CREATE: {
		uint8_t a = byte(r);
		int g = a % NM, k = (a >> 2) % NG, subnet = (a >> 3) & 1;
		rc = avnm_group_create(r->ctx, as, mgr_id[g][a >> 7], grp_name(k, a >> 6),
		                       subnet ? AVNM_MEMBER_SUBNET : AVNM_MEMBER_VIRTUAL_NETWORK);
		allowed = !m->mgr[g].on ? CODE(AVNM_E_NOT_FOUND) : m->grp[g][k].on ? CODE(AVNM_E_EXISTS) : CODE(AVNM_OK);
		if (rc == AVNM_OK) {
			memset(&m->grp[g][k], 0, sizeof m->grp[g][k]);
			m->grp[g][k].on = 1;
			m->grp[g][k].subnet = subnet;
		}
		if (as)
			perm = may_write(r, as, mgr_id[g][0], NULL);
		break;
	}
	case OP_GRP_DELETE: {
		uint8_t a = byte(r);
		int g = a % NM, k = (a >> 2) % NG;
		rc = avnm_group_delete(r->ctx, as, mgr_id[g][a >> 7], grp_name(k, a >> 6));
		allowed = m->mgr[g].on && m->grp[g][k].on ? CODE(AVNM_OK) : CODE(AVNM_E_NOT_FOUND);
		if (rc == AVNM_OK)
			m->grp[g][k].on = 0;
		if (as)
			perm = may_write(r, as, mgr_id[g][0], NULL);
		break;
	}
	case OP_MEMBER_ADD:
	case OP_MEMBER_REMOVE: {
		uint8_t a = byte(r), b = byte(r);
		int g = a % NM, k = (a >> 2) % NG, x = b % NMEMB, v = x % NV;
		char up[260];
		upper_into(up, member_id[x]);
		const char *id = a & 0x80 ? up : member_id[x];
		if (op == OP_MEMBER_ADD) {
			rc = avnm_member_add(r->ctx, as, mgr_id[g][0], grp_name(k, a >> 6), id);
			int typed = m->grp[g][k].on && (x >= NV) == (m->grp[g][k].subnet != 0);
			if (!m->mgr[g].on || !m->grp[g][k].on || !m->vnet[v])
				allowed = CODE(AVNM_E_NOT_FOUND) | (m->grp[g][k].on && !typed ? CODE(AVNM_E_INVALID_ARGUMENT) : 0u);
			else if (!typed)
				allowed = CODE(AVNM_E_INVALID_ARGUMENT);
			else if (m->grp[g][k].members >> x & 1ul)
				allowed = CODE(AVNM_E_EXISTS);
			else
				allowed = CODE(AVNM_OK);
			if (rc == AVNM_OK)
				m->grp[g][k].members |= 1ul << x;
			if (as)
				perm = may_write(r, as, mgr_id[g][0], NULL) && (!m->vnet[v] || may_write(r, as, vnet_id[v], NULL));
		} else {
			rc = avnm_member_remove(r->ctx, as, mgr_id[g][0], grp_name(k, a >> 6), id);
			allowed = m->mgr[g].on && m->grp[g][k].on && (m->grp[g][k].members >> x & 1ul) ? CODE(AVNM_OK)
			                                                                              : CODE(AVNM_E_NOT_FOUND);
			if (rc == AVNM_OK)
				m->grp[g][k].members &= ~(1ul << x);
			if (as)
				perm = may_write(r, as, mgr_id[g][0], NULL);
		}
		break;
	}
	case OP_COND_ADD: {
		uint8_t a = byte(r), b = byte(r);
		int g = a % NM, k = (a >> 2) % NG;
		unsigned tags = (unsigned)b & 15u;
		avnm_tag sel[NTAG];
		size_t n = 0;
		for (int i = 0; i < NTAG; i++)
			if (tags >> i & 1u)
				sel[n++] = tag_pool[i];
		rc = avnm_group_condition_add(r->ctx, as, mgr_id[g][a >> 7], grp_name(k, a >> 6), sel, n);
		int dupkey = ((tags & 1u) + (tags >> 1 & 1u) + (tags >> 3 & 1u)) > 1;
		if (!n || dupkey)
			allowed = CODE(AVNM_E_INVALID_ARGUMENT);
		else if (!m->mgr[g].on || !m->grp[g][k].on)
			allowed = CODE(AVNM_E_NOT_FOUND);
		else if (m->grp[g][k].subnet)
			allowed = CODE(AVNM_E_INVALID_ARGUMENT);
		else
			allowed = CODE(AVNM_OK);
		if (rc == AVNM_OK) {
			/* conditions add up (OR): the model keeps each distinct one once; there
			 * are fewer valid ones than MAX_CONDS */
			int known = 0;
			for (int i = 0; i < m->grp[g][k].nconds; i++)
				known |= m->grp[g][k].conds[i] == tags;
			if (!known && m->grp[g][k].nconds < MAX_CONDS)
				m->grp[g][k].conds[m->grp[g][k].nconds++] = tags;
		}
		if (as)
			perm = may_write(r, as, mgr_id[g][0], NULL);
		break;
	}
	case OP_VNET_CREATE: {
		uint8_t a = byte(r);
		int v = a % NV;
		avnm_tag tags[2];
		size_t n = 0;
		tags[n++] = v % 2 ? tag_pool[1] : tag_pool[0];
		if (vnet_sub(v) == 0)
			tags[n++] = (avnm_tag){"tier", "web"};
		rc = avnm_vnet_create(r->ctx, vnet_id[v], a & 0x80 ? "westeurope" : NULL, tags, n);
		allowed = m->vnet[v] ? CODE(AVNM_E_EXISTS) : CODE(AVNM_OK);
		if (rc == AVNM_OK)
			m->vnet[v] = 1;
		authz_done = 1;
		break;
	}
	case OP_ROLE: {
		uint8_t a = byte(r), b = byte(r);
		int p = a % NP, role = 1 + (a >> 1) % 4, t = (a >> 3) % NT, kind = b % 4;
		const char *scope = kind == 0 ? item_id[t][b / 4 % NI][0]
		                    : kind == 1 ? mgr_rg[b / 4 % NM]
		                    : kind == 2 ? mgr_id[b / 4 % NM][0] : vnet_id[b / 4 % NV];
		rc = avnm_role_assign(r->ctx, principal[p], (avnm_role)role, scope, kind == 0 ? tenant_id[t] : NULL);
		allowed = CODE(AVNM_OK) | CODE(AVNM_E_EXISTS) | CODE(AVNM_E_NOT_FOUND);
		authz_done = 1;
		break;
	}
	case OP_GUEST: {
		uint8_t a = byte(r);
		rc = avnm_guest_add(r->ctx, principal[a % NP], tenant_id[(a >> 1) % NT]);
		allowed = CODE(AVNM_OK) | CODE(AVNM_E_EXISTS);
		authz_done = 1;
		break;
	}
	case OP_REOPEN:
		reopen(r);
		allowed = CODE(AVNM_OK);
		authz_done = 1;
		break;
	case OP_EXPLAIN: {
		/* the reason of a Conflict names the holding manager, item and accesses */
		uint8_t a = byte(r);
		int g = a % NM, c = (a >> 2) % NSC;
		avnm_state st;
		avnm_reason *rs = NULL;
		rc = avnm_scope_connection_state(&st, &rs, r->ctx, mgr_id[g][1], sc_name(c, 1));
		if (rc == AVNM_OK && st == AVNM_STATE_CONFLICT && avnm_reason_get_code(rs) == AVNM_REASON_CONFLICT) {
			int kinds = 0;
			for (size_t i = 0; i < avnm_reason_part_count(rs); i++) {
				avnm_part_kind kind;
				const char *val;
				FUZZ_CHECK(avnm_reason_part(rs, i, &kind, &val) == AVNM_OK && val, "reason part");
				kinds |= 1 << kind;
			}
			FUZZ_CHECK((kinds & (1 << AVNM_PART_MANAGER)) && (kinds & (1 << AVNM_PART_ITEM)) &&
			           (kinds & (1 << AVNM_PART_ACCESS)), "a Conflict whose reason does not name manager, "
			           "item and access: %s", avnm_reason_text(rs));
		}
		avnm_reason_free(rs);
		allowed = CODE(AVNM_OK) | CODE(AVNM_E_NOT_FOUND);
		authz_done = 1;
		break;
	}
	case OP_HANDLE: {
		/* open a handle (kept across steps), or read every open one */
		uint8_t a = byte(r);
		int slot = a % NHANDLES;
		if (a & 0x80) {
			int g = (a >> 2) % NM, c = (a >> 4) % NSC;
			avnm_scope_connection_close(r->hs[slot]);
			r->hs[slot] = NULL;
			rc = avnm_scope_connection_open(&r->hs[slot], r->ctx, mgr_id[g][0], sc_name(c, 0));
			r->hs_m[slot] = g;
			r->hs_c[slot] = c;
			r->hs_dead[slot] = 0;
			allowed = m->sc[g][c].on ? CODE(AVNM_OK) : CODE(AVNM_E_NOT_FOUND);
		} else if (a & 0x40) {
			int t = (a >> 2) % NT, h = (a >> 4) % NHUB;
			avnm_hub_connection_close(r->hh[slot]);
			r->hh[slot] = NULL;
			rc = avnm_hub_connection_open(&r->hh[slot], r->ctx, tenant_id[t], hub_name(h, 0));
			r->hh_t[slot] = t;
			r->hh_h[slot] = h;
			r->hh_dead[slot] = 0;
			allowed = m->hub[t][h].on ? CODE(AVNM_OK) : CODE(AVNM_E_NOT_FOUND);
		} else {
			allowed = CODE(AVNM_OK);
		}
		authz_done = 1;
		break;
	}
	default:
		allowed = CODE(AVNM_OK);
		authz_done = 1;
		break;
	}

	size_t lb = 0;
	char *post = NULL;
	if (rc != AVNM_OK) {
		/* I4 */
		post = dump(r->ctx, &lb);
		FUZZ_CHECK(la == lb && memcmp(pre, post, la) == 0,
		           "I4: step %zu: op %d failed (%s: %s) but changed the world:\n%s\n----\n%s", r->step, op,
		           avnm_error_name(rc), avnm_errmsg(r->ctx), pre, post);
		FUZZ_CHECK(r->nev == 0, "I4: step %zu: op %d failed with %zu events", r->step, op, r->nev);
		char msg[16];
		FUZZ_CHECK(avnm_errcode(r->ctx) == rc && avnm_errmsg_copy(r->ctx, msg, sizeof msg) > 0,
		           "step %zu: failure %d without its code or message", r->step, rc);
	}
	if (as && !authz_done) {
		if (rc == AVNM_OK)
			FUZZ_CHECK(perm, "I6: step %zu: op %d as %s succeeded without network write", r->step, op, as);
		if (rc == AVNM_E_FORBIDDEN)
			FUZZ_CHECK(!perm || allowed != CODE(AVNM_OK),
			           "I6: step %zu: op %d as %s forbidden though every permission is there: %s", r->step,
			           op, as, avnm_errmsg(r->ctx));
		allowed |= CODE(AVNM_E_FORBIDDEN);
	}
	FUZZ_CHECK(rc <= 0 && rc >= AVNM_E_UNSUPPORTED && (allowed & CODE(rc)),
	           "E: step %zu: op %d%s%s returned %s (%s); the model allows 0x%x", r->step, op, as ? " as " : "",
	           as ? as : "", avnm_error_name(rc), avnm_errmsg(r->ctx), allowed);
	if (trace)
		fprintf(stderr, "step %zu: %s%s%s: %s%s%s\n", r->step, op_name[op], as ? " as " : "", as ? as : "",
		        avnm_error_name(rc), rc ? ": " : "", rc ? avnm_errmsg(r->ctx) : "");
	avnm_free(r->ctx, pre);
	avnm_free(r->ctx, post);
	op_runs[op]++;
	op_ok[op] += rc == AVNM_OK;

	refresh_states(r);
	check_consent(r);
	check_conflicts(r);
	check_managers(r);
	/* one access and one tenant a step, in turn; everything at the end of the run */
	check_manage(r, 1u << (r->step % 4), (int)(r->step % NT));
	check_groups(r);
	for (int g = 0; g < NM; g++)
		for (int k = 0; k < NG; k++)
			m->eff[g][k] = m->grp[g][k].on && m->mgr[g].on ? model_effective(m, &r->o, g, k) : 0;
	if (rc == AVNM_OK && op != OP_REOPEN) {
		check_events(r, &before);
		check_member_events(r, &before);
	}
	/* handles follow the world, or go stale */
	for (int i = 0; i < NHANDLES; i++) {
		avnm_state st = AVNM_STATE_NONE;
		if (r->hs[i]) {
			int hrc = avnm_scope_connection_get_state(&st, NULL, r->hs[i]);
			int g = r->hs_m[i], c = r->hs_c[i];
			r->hs_dead[i] |= !m->sc[g][c].on || (before.sc[g][c].on && rc == AVNM_OK &&
			                  (op == OP_SC_DELETE || op == OP_MGR_DELETE) && !m->sc[g][c].on);
			FUZZ_CHECK(!r->hs_dead[i] ? hrc == AVNM_OK && st == m->sc_state[g][c] : hrc == AVNM_E_STALE_HANDLE,
			           "step %zu: scope connection handle says %d/%s", r->step, hrc, avnm_state_name(st));
			if (hrc == AVNM_E_STALE_HANDLE) {
				avnm_scope_connection_close(r->hs[i]);
				r->hs[i] = NULL;
			}
		}
		if (r->hh[i]) {
			int hrc = avnm_hub_connection_get_state(&st, NULL, r->hh[i]);
			int t = r->hh_t[i], h = r->hh_h[i];
			r->hh_dead[i] |= !m->hub[t][h].on;
			FUZZ_CHECK(!r->hh_dead[i] ? hrc == AVNM_OK && st == m->hub_state[t][h] : hrc == AVNM_E_STALE_HANDLE,
			           "step %zu: hub connection handle says %d/%s", r->step, hrc, avnm_state_name(st));
			if (hrc == AVNM_E_STALE_HANDLE) {
				avnm_hub_connection_close(r->hh[i]);
				r->hh[i] = NULL;
			}
		}
	}
}

static void setup(struct run *r, uint8_t o)
{
	static const unsigned depths[4] = {6, 1, 2, 3};
	struct model *m = &r->m;
	avnm_options opts = AVNM_OPTIONS_INIT;
	memset(m, 0, sizeof *m);
	r->o.strict = o & 1;
	r->o.xdyn = (o >> 1) & 1;
	r->o.flags = (r->o.strict ? AVNM_OPT_STRICT_HIERARCHY : 0u) |
	             (r->o.xdyn ? AVNM_OPT_CROSS_TENANT_DYNAMIC_MEMBERSHIP : 0u);
	r->o.max_depth = depths[(o >> 2) & 3];
	r->o.max_mgs = (o & 0x20) ? 3 : 10000;
	opts.flags = r->o.flags;
	opts.max_mg_depth = r->o.max_depth == 6 && !((o >> 2) & 3) ? 0 : r->o.max_depth;
	opts.max_mgs_per_tenant = (o & 0x20) ? 3 : 0;
	char err[256];
	FUZZ_CHECK(avnm_memstore_new(&r->store) == AVNM_OK, "memstore");
	FUZZ_CHECK(avnm_ctx_open(&r->ctx, &opts, r->store, err, sizeof err) == AVNM_OK, "open: %s", err);
	FUZZ_CHECK(avnm_ctx_set_event_callback(r->ctx, on_event, r) == AVNM_OK, "callback");
	for (int t = 0; t < NT; t++) {
		FUZZ_CHECK(avnm_tenant_create(r->ctx, tenant_id[t], NULL) == AVNM_OK, "tenant");
		for (int i = 1; i <= NMG; i++)
			m->mg_parent[t][i] = -1;
		if (!(o & 0x10)) {
			FUZZ_CHECK(avnm_mg_create(r->ctx, tenant_id[t], "mg0", NULL) == AVNM_OK, "mg0");
			m->mg_parent[t][1] = 0;
			if (r->o.max_depth >= 2) {
				FUZZ_CHECK(avnm_mg_create(r->ctx, tenant_id[t], "mg1", "mg0") == AVNM_OK, "mg1");
				m->mg_parent[t][2] = 1;
			}
		}
		for (int j = 0; j < NSUB; j++) {
			FUZZ_CHECK(avnm_subscription_create(r->ctx, tenant_id[t], sub_guid[t][j], NULL) == AVNM_OK, "sub");
			m->sub_parent[t][j] = 0;
		}
	}
	for (int v = 0; v < NV; v += 2) { /* vnet0 of each subscription; vnet1 by operations */
		avnm_tag tags[2] = {tag_pool[0], {"tier", "web"}};
		FUZZ_CHECK(avnm_vnet_create(r->ctx, vnet_id[v], NULL, tags, vnet_sub(v) == 0 ? 2 : 1) == AVNM_OK, "vnet");
		m->vnet[v] = 1;
	}
	for (int p = 0; p < NP; p++)
		FUZZ_CHECK(avnm_principal_create(r->ctx, principal[p], tenant_id[principal_home[p]]) == AVNM_OK,
		           "principal");
	FUZZ_CHECK(avnm_guest_add(r->ctx, principal[0], tenant_id[1]) == AVNM_OK, "guest");
	FUZZ_CHECK(avnm_role_assign(r->ctx, principal[0], AVNM_ROLE_NETWORK_CONTRIBUTOR, item_id[0][0][0],
	                            tenant_id[0]) == AVNM_OK, "role");
	if (!(o & 0x40)) {
		/* three managers to start with, sharing Connectivity; nm3 is left for hub
		 * connections that name a manager before it exists (R4.11) */
		static const unsigned acc[3] = {AVNM_ACCESS_CONNECTIVITY,
			                            AVNM_ACCESS_CONNECTIVITY | AVNM_ACCESS_SECURITY_ADMIN,
			                            AVNM_ACCESS_CONNECTIVITY | AVNM_ACCESS_ROUTING};
		for (int g = 0; g < 3; g++) {
			FUZZ_CHECK(avnm_manager_create(r->ctx, NULL, mgr_id[g][0], acc[g], NULL) == AVNM_OK, "manager");
			m->mgr[g].on = 1;
			m->mgr[g].acc = acc[g];
		}
	}
	refresh_states(r);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	init_names();
	if (getenv("AVNM_FUZZ_STATS"))
		atexit(print_stats);
	trace = getenv("AVNM_FUZZ_TRACE") != NULL;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run r;
	if (!sub_guid[0][0][0])
		init_names();
	memset(&r, 0, sizeof r);
	r.p = data;
	r.n = size;
	setup(&r, byte(&r));
	for (r.step = 1; r.n > 0 && r.step <= MAX_STEPS; r.step++) {
		step(&r);
		if (r.step % REOPEN_EVERY == 0)
			reopen(&r);
	}
	reopen(&r);
	for (unsigned a = 1; a <= AVNM_ACCESS_ROUTING; a <<= 1)
		check_manage(&r, a, -1);
	close_handles(&r);
	avnm_ctx_free(r.ctx);
	avnm_memstore_free(r.store);
	return 0;
}
