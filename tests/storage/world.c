/* The full scenario of the storage tests (world.h). Steps are data: one table
 * row per call, run by a switch over the operation, so that the fault test can
 * replay any prefix and the crash test's child and its parent agree on what
 * "after step k" means. */
#include "world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Ids                                                                       */
/* ------------------------------------------------------------------------ */

#define T_A "11111111-1111-1111-1111-111111111111"
#define T_B "22222222-2222-2222-2222-222222222222"
#define T_C "33333333-3333-3333-3333-333333333333"

#define SUB_A1 "a0000000-0000-0000-0000-000000000001"
#define SUB_A2 "a0000000-0000-0000-0000-000000000002"
#define SUB_A3 "a0000000-0000-0000-0000-000000000003"
#define SUB_B1 "b0000000-0000-0000-0000-000000000001"
#define SUB_B2 "b0000000-0000-0000-0000-000000000002"
#define SUB_B3 "b0000000-0000-0000-0000-000000000003"
#define SUB_C1 "c0000000-0000-0000-0000-000000000001"
#define SUB_X "e0000000-0000-0000-0000-00000000000e" /* registered nowhere */

#define SUB(g) "/subscriptions/" g
#define MG(id) "/providers/Microsoft.Management/managementGroups/" id
#define RG(g, rg) SUB(g) "/resourceGroups/" rg
#define NM(g, n) RG(g, "rg-avnm") "/providers/Microsoft.Network/networkManagers/" n
#define VNET(g, n) RG(g, "rg-net") "/providers/Microsoft.Network/virtualNetworks/" n

#define NM_A NM(SUB_A1, "nm-a")
#define NM_A2 NM(SUB_A1, "nm-a2")
#define NM_SEC NM(SUB_A1, "nm-sec")
#define NM_LATE NM(SUB_A1, "nm-late")
#define NM_GONE NM(SUB_A1, "nm-gone")

#define ACC_C AVNM_ACCESS_CONNECTIVITY
#define ACC_SA AVNM_ACCESS_SECURITY_ADMIN
#define ACC_SU AVNM_ACCESS_SECURITY_USER
#define ACC_R AVNM_ACCESS_ROUTING

/* ------------------------------------------------------------------------ */
/* Steps                                                                     */
/* ------------------------------------------------------------------------ */

enum op {
	OP_TENANT,        /* a tenant, b name */
	OP_MG,            /* a tenant, b mg, c parent */
	OP_MG_MOVE,       /* a tenant, b mg, c parent */
	OP_SUB,           /* a tenant, b sub, c mg */
	OP_SUB_MOVE,      /* a sub, b mg */
	OP_VNET,          /* a id, b region, tags */
	OP_PRINCIPAL,     /* a name, b home tenant */
	OP_GUEST,         /* a principal, b tenant */
	OP_ROLE,          /* a principal, u role, b scope, c tenant */
	OP_MGR_CREATE,    /* a id, u accesses, items */
	OP_MGR_UPDATE,    /* a id, u what, v accesses, items */
	OP_MGR_DELETE,    /* a id, u flags */
	OP_SC_CREATE,     /* a manager, b name, c tenant, items */
	OP_SC_DELETE,     /* a manager, b name */
	OP_SC_REJECT,     /* a tenant, b manager, c name */
	OP_SC_REEVAL,     /* a manager, b name */
	OP_HUB_CREATE,    /* a tenant, b name, c manager, items */
	OP_HUB_DELETE,    /* a tenant, b name */
	OP_GROUP_CREATE,  /* a manager, b group, u member type */
	OP_GROUP_DELETE,  /* a manager, b group */
	OP_MEMBER_ADD,    /* a manager, b group, c resource */
	OP_MEMBER_REMOVE, /* a manager, b group, c resource */
	OP_COND_ADD,      /* a manager, b group, tags */
	OP_CHECK_SC,      /* a manager, b name, u state */
	OP_CHECK_HUB      /* a tenant, b name, u state */
};

static const char *const op_names[] = {
	"tenant", "mg", "mg-move", "sub", "sub-move", "vnet", "principal", "guest", "role",
	"manager-create", "manager-update", "manager-delete", "scope-connection",
	"scope-connection-delete", "reject", "reevaluate", "hub-connection",
	"hub-connection-delete", "group", "group-delete", "member-add", "member-remove",
	"condition", "check-scope-connection", "check-hub-connection",
};
_Static_assert(sizeof op_names / sizeof op_names[0] == OP_CHECK_HUB + 1, "a name for every op");

struct step {
	enum op op;
	int expect;
	const char *as;
	const char *a, *b, *c;
	unsigned int u, v;
	const char *items[3]; /* NULL-terminated scope items */
	const char *tags[5];  /* key, value, key, value, NULL */
};

#define OK AVNM_OK
#define E_INVAL AVNM_E_INVALID_ARGUMENT
#define E_NOENT AVNM_E_NOT_FOUND
#define E_EXISTS AVNM_E_EXISTS
#define E_CONFLICT AVNM_E_CONFLICT
#define E_FORBID AVNM_E_FORBIDDEN
#define E_BUSY AVNM_E_BUSY

/* One macro per operation, so that the table reads like a scenario file. The
 * trailing arguments (scope items, tags) may be a single NULL for "none". */
#define TENANT(e, id, name) { .op = OP_TENANT, .expect = (e), .a = (id), .b = (name) }
#define MGROUP(e, t, mg, parent) { .op = OP_MG, .expect = (e), .a = (t), .b = (mg), .c = (parent) }
#define MG_MOVE(e, t, mg, parent) \
	{ .op = OP_MG_MOVE, .expect = (e), .a = (t), .b = (mg), .c = (parent) }
#define SUBSCRIPTION(e, t, s, mg) { .op = OP_SUB, .expect = (e), .a = (t), .b = (s), .c = (mg) }
#define SUB_MOVE(e, s, mg) { .op = OP_SUB_MOVE, .expect = (e), .a = (s), .b = (mg) }
#define VNETWORK(e, id, region, ...) \
	{ .op = OP_VNET, .expect = (e), .a = (id), .b = (region), .tags = { __VA_ARGS__ } }
#define PRINCIPAL(e, name, home) { .op = OP_PRINCIPAL, .expect = (e), .a = (name), .b = (home) }
#define GUEST(e, who, t) { .op = OP_GUEST, .expect = (e), .a = (who), .b = (t) }
#define ROLE(e, who, role, scope, t) \
	{ .op = OP_ROLE, .expect = (e), .a = (who), .u = (role), .b = (scope), .c = (t) }
#define MGR_CREATE(e, as_, id, acc, ...) \
	{ .op = OP_MGR_CREATE, .expect = (e), .as = (as_), .a = (id), .u = (acc), \
	  .items = { __VA_ARGS__ } }
#define MGR_UPDATE(e, as_, id, what, acc, ...) \
	{ .op = OP_MGR_UPDATE, .expect = (e), .as = (as_), .a = (id), .u = (what), .v = (acc), \
	  .items = { __VA_ARGS__ } }
#define MGR_DELETE(e, as_, id, flags) \
	{ .op = OP_MGR_DELETE, .expect = (e), .as = (as_), .a = (id), .u = (flags) }
#define SC_CREATE(e, as_, m, name, t, ...) \
	{ .op = OP_SC_CREATE, .expect = (e), .as = (as_), .a = (m), .b = (name), .c = (t), \
	  .items = { __VA_ARGS__ } }
#define SC_DELETE(e, as_, m, name) \
	{ .op = OP_SC_DELETE, .expect = (e), .as = (as_), .a = (m), .b = (name) }
#define SC_REJECT(e, as_, t, m, name) \
	{ .op = OP_SC_REJECT, .expect = (e), .as = (as_), .a = (t), .b = (m), .c = (name) }
#define SC_REEVAL(e, as_, m, name) \
	{ .op = OP_SC_REEVAL, .expect = (e), .as = (as_), .a = (m), .b = (name) }
#define HUB_CREATE(e, as_, t, name, m, ...) \
	{ .op = OP_HUB_CREATE, .expect = (e), .as = (as_), .a = (t), .b = (name), .c = (m), \
	  .items = { __VA_ARGS__ } }
#define HUB_DELETE(e, as_, t, name) \
	{ .op = OP_HUB_DELETE, .expect = (e), .as = (as_), .a = (t), .b = (name) }
#define GROUP(e, as_, m, g, type) \
	{ .op = OP_GROUP_CREATE, .expect = (e), .as = (as_), .a = (m), .b = (g), .u = (type) }
#define GROUP_DELETE(e, as_, m, g) \
	{ .op = OP_GROUP_DELETE, .expect = (e), .as = (as_), .a = (m), .b = (g) }
#define MEMBER_ADD(e, as_, m, g, res) \
	{ .op = OP_MEMBER_ADD, .expect = (e), .as = (as_), .a = (m), .b = (g), .c = (res) }
#define MEMBER_REMOVE(e, as_, m, g, res) \
	{ .op = OP_MEMBER_REMOVE, .expect = (e), .as = (as_), .a = (m), .b = (g), .c = (res) }
#define CONDITION(e, as_, m, g, ...) \
	{ .op = OP_COND_ADD, .expect = (e), .as = (as_), .a = (m), .b = (g), .tags = { __VA_ARGS__ } }
#define IS_SC(m, name, state) \
	{ .op = OP_CHECK_SC, .expect = OK, .a = (m), .b = (name), .u = AVNM_STATE_##state }
#define IS_HUB(t, name, state) \
	{ .op = OP_CHECK_HUB, .expect = OK, .a = (t), .b = (name), .u = AVNM_STATE_##state }

#define VNET_T AVNM_MEMBER_VIRTUAL_NETWORK
#define SUBNET_T AVNM_MEMBER_SUBNET
#define NC AVNM_ROLE_NETWORK_CONTRIBUTOR

static const struct step steps[] = {
	/* --- directory: tenants (named and not), groups two deep, subscriptions */
	TENANT(OK, T_A, "Contoso"),
	TENANT(OK, T_B, "Fabrikam"),
	TENANT(OK, T_C, NULL),
	TENANT(E_INVAL, "{" T_A "}", "braces"),
	TENANT(E_EXISTS, T_A, "again"),
	MGROUP(OK, T_A, "mg-a", NULL),
	MGROUP(OK, T_B, "mg-prod", NULL),
	MGROUP(OK, T_B, "mg-eu", "mg-prod"),
	MGROUP(OK, T_B, "mg-dev", NULL),
	MGROUP(E_NOENT, T_C, "mg-x", "mg-nowhere"),
	MGROUP(E_INVAL, T_B, "ends-with-dot.", NULL),
	SUBSCRIPTION(OK, T_A, SUB_A1, "mg-a"),
	SUBSCRIPTION(OK, T_A, SUB_A2, "mg-a"),
	SUBSCRIPTION(OK, T_A, SUB_A3, NULL),
	SUBSCRIPTION(OK, T_B, SUB_B1, "mg-eu"),
	SUBSCRIPTION(OK, T_B, SUB_B2, "mg-prod"),
	SUBSCRIPTION(OK, T_B, SUB_B3, "mg-dev"),
	SUBSCRIPTION(OK, T_C, SUB_C1, NULL),
	SUBSCRIPTION(E_EXISTS, T_C, SUB_B1, NULL),
	/* B2 moves under mg-eu: bob's rights there (below) reach it only because of
	 * the move, so a world that forgot it would refuse his rejection. */
	SUB_MOVE(OK, SUB_B2, "mg-eu"),
	VNETWORK(OK, VNET(SUB_A1, "vnet-a1"), "westeurope", "env", "prod", "tier", "web"),
	VNETWORK(OK, VNET(SUB_A2, "vnet-a2"), NULL, "env", "prod"),
	VNETWORK(OK, VNET(SUB_B1, "vnet-b1"), "westeurope", "env", "prod"),
	VNETWORK(OK, VNET(SUB_B2, "vnet-b2"), "northeurope", NULL),
	VNETWORK(OK, VNET(SUB_C1, "vnet-c1"), NULL, NULL),
	VNETWORK(E_NOENT, VNET(SUB_X, "vnet-x"), NULL, NULL),
	VNETWORK(E_INVAL, VNET(SUB_B3, "vnet-b3"), NULL, "Env", "x", "env", "y"),

	/* --- principals, guests, roles */
	PRINCIPAL(OK, "alice", T_A),
	PRINCIPAL(OK, "bob", T_B),
	PRINCIPAL(OK, "mallory", T_B),
	PRINCIPAL(E_EXISTS, "ALICE", T_A),
	GUEST(OK, "alice", T_B),
	GUEST(E_EXISTS, "alice", T_A),
	ROLE(OK, "alice", NC, RG(SUB_A1, "rg-avnm"), NULL),
	ROLE(OK, "alice", NC, MG("mg-prod"), T_B),
	ROLE(OK, "bob", AVNM_ROLE_OWNER, MG("mg-eu"), T_B),
	ROLE(OK, "mallory", AVNM_ROLE_READER, SUB(SUB_B1), NULL),
	ROLE(E_NOENT, "alice", NC, SUB(SUB_C1), NULL),

	/* --- managers */
	MGR_CREATE(OK, "alice", NM_A, ACC_C | ACC_SA, MG("mg-a")),
	MGR_CREATE(E_FORBID, "mallory", NM_GONE, ACC_C, NULL),
	MGR_CREATE(E_CONFLICT, NULL, NM_A2, ACC_C, MG("mg-a")),
	MGR_CREATE(OK, NULL, NM_A2, ACC_C, NULL),
	MGR_CREATE(OK, NULL, NM_SEC, ACC_SU, NULL),
	MGR_CREATE(E_EXISTS, NULL, NM_A, ACC_C, NULL),
	MGR_UPDATE(OK, "alice", NM_A, AVNM_UPDATE_ACCESSES, ACC_C | ACC_SA | ACC_R, NULL),
	MGR_UPDATE(E_INVAL, NULL, NM_A, 1u << 7, ACC_C, NULL),
	MGR_UPDATE(E_FORBID, "mallory", NM_A, AVNM_UPDATE_ACCESSES, ACC_C, NULL),

	/* --- two-way consent: Pending, Connected, Conflict, Revoked */
	SC_CREATE(OK, "alice", NM_A, "to-b", T_B, SUB(SUB_B1)),
	IS_SC(NM_A, "to-b", PENDING),
	HUB_CREATE(OK, "bob", T_B, "from-a", NM_A, SUB(SUB_B1)),
	IS_SC(NM_A, "to-b", CONNECTED),
	HUB_CREATE(E_FORBID, "mallory", T_B, "evil", NM_A2, SUB(SUB_B1)),
	SC_CREATE(OK, NULL, NM_A2, "b1", T_B, SUB(SUB_B1)),
	HUB_CREATE(OK, NULL, T_B, "a2", NM_A2, SUB(SUB_B1)),
	IS_HUB(T_B, "a2", CONFLICT),
	HUB_CREATE(E_EXISTS, NULL, T_B, "dup", NM_A, SUB(SUB_B1)),
	SC_CREATE(E_EXISTS, NULL, NM_A, "to-b", T_B, SUB(SUB_B2)),
	SC_CREATE(E_NOENT, NULL, NM_A, "ghost", T_B, SUB(SUB_X)),
	SC_CREATE(E_INVAL, NULL, NM_A, "mixed", T_B, SUB(SUB_B1), SUB(SUB_C1)),
	HUB_DELETE(OK, NULL, T_B, "from-a"),
	IS_SC(NM_A, "to-b", REVOKED),
	IS_SC(NM_A2, "b1", CONFLICT), /* sticky: nm-a let go, but no one asked */
	SC_REEVAL(OK, NULL, NM_A2, "b1"),
	IS_SC(NM_A2, "b1", CONNECTED),
	/* The Revoked side meets a new counterpart: evaluated anew, nm-a2 holds B1. */
	HUB_CREATE(OK, "bob", T_B, "from-a", NM_A, SUB(SUB_B1)),
	IS_SC(NM_A, "to-b", CONFLICT),

	/* --- Rejected */
	SC_CREATE(OK, NULL, NM_SEC, "to-c", T_C, SUB(SUB_C1)),
	SC_CREATE(OK, NULL, NM_SEC, "to-b2", T_B, SUB(SUB_B2)),
	SC_REJECT(E_FORBID, "mallory", T_B, NM_SEC, "to-b2"),
	SC_REJECT(OK, "bob", T_B, NM_SEC, "to-b2"),
	IS_SC(NM_SEC, "to-b2", REJECTED),
	SC_REJECT(E_INVAL, NULL, T_B, NM_SEC, "to-b2"),

	/* --- implied consent, its lapse through a move and through an update */
	SC_CREATE(OK, NULL, NM_A, "own", T_A, SUB(SUB_A1)),
	IS_SC(NM_A, "own", CONNECTED),
	HUB_CREATE(OK, NULL, T_A, "own-a2", NM_A, SUB(SUB_A2)),
	IS_HUB(T_A, "own-a2", CONNECTED),
	HUB_CREATE(OK, NULL, T_A, "early", NM_LATE, SUB(SUB_A3)),
	IS_HUB(T_A, "early", PENDING),
	MGR_CREATE(OK, NULL, NM_LATE, ACC_R, SUB(SUB_A3)),
	IS_HUB(T_A, "early", CONNECTED),
	SUB_MOVE(OK, SUB_A2, T_A),
	IS_HUB(T_A, "own-a2", REVOKED),
	MGR_UPDATE(OK, NULL, NM_LATE, AVNM_UPDATE_SCOPE, 0, NULL),
	IS_HUB(T_A, "early", REVOKED),

	/* --- groups, members, conditions */
	GROUP(OK, "alice", NM_A, "web", VNET_T),
	GROUP(OK, NULL, NM_A, "subnets", SUBNET_T),
	GROUP(E_EXISTS, NULL, NM_A, "web", VNET_T),
	GROUP(E_FORBID, "mallory", NM_A, "nope", VNET_T),
	MEMBER_ADD(OK, NULL, NM_A, "web", VNET(SUB_A1, "vnet-a1")),
	MEMBER_ADD(OK, "alice", NM_A, "web", VNET(SUB_B1, "vnet-b1")),
	MEMBER_ADD(E_FORBID, "alice", NM_A, "web", VNET(SUB_C1, "vnet-c1")),
	MEMBER_ADD(OK, NULL, NM_A, "subnets", VNET(SUB_B2, "vnet-b2") "/subnets/default"),
	MEMBER_ADD(E_INVAL, NULL, NM_A, "subnets", VNET(SUB_A1, "vnet-a1")),
	MEMBER_ADD(E_NOENT, NULL, NM_A, "web", VNET(SUB_A1, "vnet-none")),
	CONDITION(OK, NULL, NM_A, "web", "env", "prod"),
	CONDITION(OK, "alice", NM_A, "web", "env", "prod", "tier", "web"),
	CONDITION(E_INVAL, NULL, NM_A, "subnets", "env", "prod"),
	MEMBER_REMOVE(OK, NULL, NM_A, "web", VNET(SUB_A1, "vnet-a1")),
	MEMBER_REMOVE(E_NOENT, NULL, NM_A, "web", VNET(SUB_A1, "vnet-a1")),
	GROUP(OK, NULL, NM_A2, "tmp", VNET_T),
	MEMBER_ADD(OK, NULL, NM_A2, "tmp", VNET(SUB_B2, "vnet-b2")),
	GROUP_DELETE(OK, NULL, NM_A2, "tmp"),
	GROUP(OK, NULL, NM_A2, "keep", VNET_T),
	MEMBER_ADD(OK, NULL, NM_A2, "keep", VNET(SUB_B1, "vnet-b1")),

	/* --- force delete: nm-a2's connection, group and member go with it */
	MGR_DELETE(E_BUSY, NULL, NM_A2, 0),
	MGR_DELETE(E_FORBID, "mallory", NM_A2, AVNM_DELETE_FORCE),
	MGR_DELETE(OK, NULL, NM_A2, AVNM_DELETE_FORCE),
	IS_HUB(T_B, "a2", REVOKED),
	IS_SC(NM_A, "to-b", CONFLICT), /* sticky again */
	SC_REEVAL(OK, "alice", NM_A, "to-b"),
	IS_SC(NM_A, "to-b", CONNECTED),
	HUB_DELETE(OK, NULL, T_B, "a2"),
	HUB_DELETE(E_NOENT, NULL, T_B, "a2"),
	SC_DELETE(E_FORBID, "mallory", NM_A, "to-b"),
	SC_DELETE(OK, NULL, NM_SEC, "to-b2"),
	SC_CREATE(OK, NULL, NM_SEC, "to-b2", T_B, SUB(SUB_B2)),
	HUB_CREATE(OK, NULL, T_B, "sec", NM_SEC, SUB(SUB_B2)),
	IS_SC(NM_SEC, "to-b2", CONNECTED),
	MGR_DELETE(E_NOENT, NULL, NM_GONE, 0),
	MGR_DELETE(OK, NULL, NM_LATE, 0),
	MG_MOVE(OK, T_B, "mg-dev", "mg-eu"),
	MG_MOVE(E_INVAL, T_B, "mg-prod", "mg-eu"),
	/* the scope connection world_churn's hub connection comes and goes for */
	SC_CREATE(OK, NULL, NM_A, "to-b3", T_B, SUB(SUB_B3)),
	IS_SC(NM_A, "to-b3", PENDING),
};

#define NSTEPS (sizeof steps / sizeof steps[0])

size_t world_nsteps(void)
{
	return NSTEPS;
}

int world_expected(size_t i)
{
	return i < NSTEPS ? steps[i].expect : AVNM_E_INVALID_ARGUMENT;
}

int world_step_changes(size_t i)
{
	return i < NSTEPS && steps[i].op != OP_CHECK_SC && steps[i].op != OP_CHECK_HUB;
}

void world_describe(char *buf, size_t size, size_t i)
{
	if (i >= NSTEPS) {
		snprintf(buf, size, "%zu (no such step)", i);
		return;
	}
	const struct step *s = &steps[i];
	snprintf(buf, size, "step %zu %s %s %s%s%s (expect %s)", i, op_names[s->op], s->a ? s->a : "-",
	         s->b ? s->b : "-", s->as ? " as " : "", s->as ? s->as : "",
	         avnm_error_name(s->expect));
}

/* The scope of a step; NULL (with *rc set) if it cannot be built. */
static avnm_scope *make_scope(const struct step *s, int *rc)
{
	avnm_scope *sc = NULL;
	*rc = avnm_scope_new(&sc, NULL);
	for (size_t i = 0; *rc == AVNM_OK && i < 3 && s->items[i]; i++) *rc = avnm_scope_add(sc, s->items[i]);
	if (*rc != AVNM_OK) {
		avnm_scope_free(sc);
		return NULL;
	}
	return sc;
}

static size_t make_tags(const struct step *s, avnm_tag *tags)
{
	size_t n = 0;
	while (n < 2 && s->tags[2 * n]) {
		tags[n].key = s->tags[2 * n];
		tags[n].value = s->tags[2 * n + 1];
		n++;
	}
	return n;
}

static int check_state(int rc, avnm_state got, unsigned int want)
{
	if (rc != AVNM_OK) return rc;
	return got == (avnm_state)want ? AVNM_OK : WORLD_CHECK_FAILED;
}

/* The calls that take a scope. */
static int scoped_call(avnm_ctx *ctx, const struct step *s)
{
	int rc;
	avnm_scope *sc = make_scope(s, &rc);
	if (!sc) return rc;
	switch (s->op) {
	case OP_MGR_CREATE: rc = avnm_manager_create(ctx, s->as, s->a, s->u, sc); break;
	case OP_MGR_UPDATE: rc = avnm_manager_update(ctx, s->as, s->a, s->u, s->v, sc); break;
	case OP_SC_CREATE: rc = avnm_scope_connection_create(ctx, s->as, s->a, s->b, s->c, sc); break;
	case OP_HUB_CREATE: rc = avnm_hub_connection_create(ctx, s->as, s->a, s->b, sc, s->c); break;
	default: rc = AVNM_E_INVALID_ARGUMENT; break;
	}
	avnm_scope_free(sc);
	return rc;
}

int world_step(avnm_ctx *ctx, size_t i)
{
	if (i >= NSTEPS) return AVNM_E_INVALID_ARGUMENT;
	const struct step *s = &steps[i];
	avnm_tag tags[2];
	size_t ntags = make_tags(s, tags);
	avnm_state st = AVNM_STATE_NONE;
	int rc;
	switch (s->op) {
	case OP_TENANT: return avnm_tenant_create(ctx, s->a, s->b);
	case OP_MG: return avnm_mg_create(ctx, s->a, s->b, s->c);
	case OP_MG_MOVE: return avnm_mg_move(ctx, s->a, s->b, s->c);
	case OP_SUB: return avnm_subscription_create(ctx, s->a, s->b, s->c);
	case OP_SUB_MOVE: return avnm_subscription_move(ctx, s->a, s->b);
	case OP_VNET: return avnm_vnet_create(ctx, s->a, s->b, ntags ? tags : NULL, ntags);
	case OP_PRINCIPAL: return avnm_principal_create(ctx, s->a, s->b);
	case OP_GUEST: return avnm_guest_add(ctx, s->a, s->b);
	case OP_ROLE: return avnm_role_assign(ctx, s->a, (avnm_role)s->u, s->b, s->c);
	case OP_MGR_CREATE:
	case OP_MGR_UPDATE:
	case OP_SC_CREATE:
	case OP_HUB_CREATE: return scoped_call(ctx, s);
	case OP_MGR_DELETE: return avnm_manager_delete(ctx, s->as, s->a, s->u);
	case OP_SC_DELETE: return avnm_scope_connection_delete(ctx, s->as, s->a, s->b);
	case OP_SC_REJECT: return avnm_scope_connection_reject(ctx, s->as, s->a, s->b, s->c);
	case OP_SC_REEVAL: return avnm_scope_connection_reevaluate(ctx, s->as, s->a, s->b);
	case OP_HUB_DELETE: return avnm_hub_connection_delete(ctx, s->as, s->a, s->b);
	case OP_GROUP_CREATE: return avnm_group_create(ctx, s->as, s->a, s->b, (avnm_member_type)s->u);
	case OP_GROUP_DELETE: return avnm_group_delete(ctx, s->as, s->a, s->b);
	case OP_MEMBER_ADD: return avnm_member_add(ctx, s->as, s->a, s->b, s->c);
	case OP_MEMBER_REMOVE: return avnm_member_remove(ctx, s->as, s->a, s->b, s->c);
	case OP_COND_ADD: return avnm_group_condition_add(ctx, s->as, s->a, s->b, tags, ntags);
	case OP_CHECK_SC:
		rc = avnm_scope_connection_state(&st, NULL, ctx, s->a, s->b);
		return check_state(rc, st, s->u);
	case OP_CHECK_HUB:
		rc = avnm_hub_connection_state(&st, NULL, ctx, s->a, s->b);
		return check_state(rc, st, s->u);
	}
	return AVNM_E_INVALID_ARGUMENT;
}

int world_churn(avnm_ctx *ctx, size_t k)
{
	if (k % 2) return avnm_hub_connection_delete(ctx, NULL, T_B, "churn");
	avnm_scope *sc = NULL;
	int rc = avnm_scope_new(&sc, NULL);
	if (rc == AVNM_OK) rc = avnm_scope_add(sc, SUB(SUB_B3));
	if (rc == AVNM_OK) rc = avnm_hub_connection_create(ctx, NULL, T_B, "churn", sc, NM_A);
	avnm_scope_free(sc);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Dumps                                                                     */
/* ------------------------------------------------------------------------ */

char *world_dump(avnm_ctx *ctx)
{
	char *d = NULL;
	size_t len = 0;
	if (avnm_ctx_dump(&d, &len, ctx) != AVNM_OK || !d) return NULL;
	char *copy = strdup(d);
	avnm_free(ctx, d);
	return copy;
}

/* Length of the line starting at p (without its newline). */
static size_t line_len(const char *p)
{
	const char *nl = strchr(p, '\n');
	return nl ? (size_t)(nl - p) : strlen(p);
}

static const char *next_line(const char *p)
{
	const char *nl = strchr(p, '\n');
	return nl ? nl + 1 : p + strlen(p);
}

int world_same(const char *what, const char *expected, const char *actual)
{
	if (expected && actual && strcmp(expected, actual) == 0) return 1;
	fprintf(stderr, "%s: the worlds differ\n", what);
	if (!expected || !actual) {
		fprintf(stderr, "  (%s dump is missing)\n", !expected ? "expected" : "actual");
		return 0;
	}
	/* Skip the common lines, then show a few of each side from there: dumps are
	 * sorted by key, so the first difference names the record at fault. */
	const char *e = expected, *a = actual;
	size_t line = 1;
	while (*e && *a && line_len(e) == line_len(a) && memcmp(e, a, line_len(e)) == 0) {
		e = next_line(e);
		a = next_line(a);
		line++;
	}
	fprintf(stderr, "  first difference at line %zu\n", line);
	for (int k = 0; k < 4 && (*e || *a); k++) {
		if (*e) fprintf(stderr, "  expected: %.*s\n", (int)line_len(e), e);
		else fprintf(stderr, "  expected: (end of dump)\n");
		if (*a) fprintf(stderr, "  actual:   %.*s\n", (int)line_len(a), a);
		else fprintf(stderr, "  actual:   (end of dump)\n");
		e = next_line(e);
		a = next_line(a);
	}
	return 0;
}
