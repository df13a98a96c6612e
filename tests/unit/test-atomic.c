/* R7: a failing call changes nothing, and where several errors apply the
 * first of invalid-argument, forbidden, not-found, exists, then
 * conflict/limit/busy wins.
 *
 * "Changes nothing" is checked against a canonical dump of the world built
 * only from public queries: connection states and reasons, can_manage answers
 * and reasons over fixed resources and every access, managers_of, cross-tenant
 * scopes, group members, manager accesses and scopes, and authorization
 * answers. The dump is taken before and after each failing call; they must be
 * identical. A separate test shows the dump does see successful changes of
 * each kind, so that an identical dump means something. */
#include "helpers.h"

#define NM_NEW NM(SUB_A1, "nm-new")
#define NM_FUTURE NM(SUB_A1, "nm-future")
#define NM_C NM(SUB_C1, "nm-c")
#define NM_B3 NM(SUB_B2, "nm-b3")
#define VNET_NEW VNET(SUB_A1, "vnet-new")
#define SUBNET_B1 SUBNET(SUB_B1, "vnet-b1", "default")

/* ------------------------------------------------------------------------ */
/* The world                                                                 */
/* ------------------------------------------------------------------------ */

/* The standard world plus principals, managers in every connection state,
 * groups, a deep management-group chain and a sticky Conflict. */
static int setup(void **state)
{
	avnm_ctx *ctx = h_ctx();
	const avnm_tag prod[] = {h_tag("env", "prod")};
	char name[8], parent[8];
	unsigned int i;
	h_world(ctx);

	OK(ctx, avnm_principal_create(ctx, "alice", T_A));
	OK(ctx, avnm_role_assign(ctx, "alice", AVNM_ROLE_NETWORK_CONTRIBUTOR, SUB(SUB_A1), NULL));
	OK(ctx, avnm_guest_add(ctx, "alice", T_B));
	OK(ctx, avnm_role_assign(ctx, "alice", AVNM_ROLE_NETWORK_CONTRIBUTOR, MG("mg-prod"), T_B));
	OK(ctx, avnm_principal_create(ctx, "bob", T_B));
	OK(ctx, avnm_role_assign(ctx, "bob", AVNM_ROLE_READER, MG(T_B), NULL));
	OK(ctx, avnm_principal_create(ctx, "carol", T_C));

	/* T_C: c1 > ... > c6 (the deepest allowed) and cx > cy. */
	for (i = 1; i <= 6; i++) {
		snprintf(name, sizeof name, "c%u", i);
		OK(ctx, avnm_mg_create(ctx, T_C, name, i == 1 ? NULL : parent));
		memcpy(parent, name, sizeof parent);
	}
	OK(ctx, avnm_mg_create(ctx, T_C, "cx", NULL));
	OK(ctx, avnm_mg_create(ctx, T_C, "cy", "cx"));

	OK(ctx, h_manager(ctx, NULL, NM_A, ACC_C | ACC_SA, ITEMS(SUB(SUB_A1))));
	OK(ctx, h_manager(ctx, NULL, NM_A2, ACC_C, NO_ITEMS));
	OK(ctx, h_manager(ctx, NULL, NM_SEC, ACC_SA, ITEMS(MG("mg-a"))));
	OK(ctx, h_manager(ctx, NULL, NM_BHOME, ACC_C, ITEMS(SUB(SUB_B2))));
	OK(ctx, h_manager(ctx, NULL, NM_C, ACC_C, ITEMS(MG("c5"))));
	OK(ctx, h_manager(ctx, NULL, NM_B3, ACC_C, ITEMS(SUB(SUB_B3))));

	h_connect(ctx, NM_A, "ab1", T_B, ITEMS(SUB(SUB_B1)));            /* Connected */
	h_connect(ctx, NM_A2, "a2b1", T_B, ITEMS(SUB(SUB_B1)));          /* Conflict */
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "adev", T_B, ITEMS(MG("mg-dev")))); /* Pending */
	OK(ctx, h_scope_conn(ctx, NULL, NM_A, "ac", T_C, ITEMS(SUB(SUB_C1))));
	OK(ctx, avnm_scope_connection_reject(ctx, NULL, T_C, NM_A, "ac")); /* Rejected */
	OK(ctx, h_scope_conn(ctx, NULL, NM_SEC, "own", T_A, ITEMS(SUB(SUB_A2)))); /* implied */
	OK(ctx, h_hub_conn(ctx, NULL, T_B, "orphan", ITEMS(MG("mg-prod")), NM_FUTURE));
	/* A sticky Conflict: nm-b3 holds SUB_B3, then lets go. */
	h_connect(ctx, NM_A2, "sticky", T_B, ITEMS(SUB(SUB_B3)));
	OK(ctx, h_manager_update(ctx, NULL, NM_B3, AVNM_UPDATE_SCOPE, 0, NO_ITEMS));

	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	OK(ctx, avnm_member_add(ctx, NULL, NM_A, "g", VNET_B1));
	OK(ctx, avnm_member_add(ctx, NULL, NM_A, "g", VNET_A1));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A, "dyn", AVNM_MEMBER_VIRTUAL_NETWORK));
	OK(ctx, avnm_group_condition_add(ctx, NULL, NM_A, "dyn", prod, 1));
	OK(ctx, avnm_group_create(ctx, NULL, NM_A2, "sub", AVNM_MEMBER_SUBNET));
	OK(ctx, avnm_member_add(ctx, NULL, NM_A2, "sub", SUBNET_B1));
	*state = ctx;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The dump                                                                  */
/* ------------------------------------------------------------------------ */

struct dump {
	char *s;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void put(struct dump *d, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	if (d->len + (size_t)n + 1 > d->cap) {
		d->cap = (d->len + (size_t)n + 1) * 2;
		d->s = realloc(d->s, d->cap);
		assert_non_null(d->s);
	}
	va_start(ap, fmt);
	vsnprintf(d->s + d->len, d->cap - d->len, fmt, ap);
	va_end(ap);
	d->len += (size_t)n;
}

static const char *const managers[] = {NM_A, NM_A2, NM_SEC, NM_BHOME, NM_C, NM_B3, NM_NEW, NM_FUTURE};
static const char *const sc_names[] = {"ab1", "a2b1", "adev", "ac", "own", "sticky", "x"};
static const char *const tenants[] = {T_A, T_B, T_C};
static const char *const hc_names[] = {"ab1", "a2b1", "sticky", "orphan", "x"};
static const char *const groups[] = {"g", "dyn", "sub", "x"};
static const char *const principals[] = {"alice", "bob", "carol"};
static const struct {
	const char *id;
	const char *tenant;
} resources[] = {
	{VNET_A1, NULL},      {VNET_A3, NULL},         {VNET_B1, NULL},     {VNET_B2, NULL},
	{VNET_B3, NULL},      {VNET_C1, NULL},         {SUB(SUB_A2), NULL}, {SUBNET_B1, NULL},
	{VNET(SUB_X, "v"), NULL}, {MG("mg-prod"), T_B}, {MG("mg-dev"), T_B}, {MG("cy"), T_C},
	{MG("cz"), T_C},      {MG("mg-new"), T_A},
};
static const unsigned int accesses[] = {ACC_C, ACC_SA, ACC_SU, ACC_R};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A list in sorted order (for "any order" answers), or its order (ranked). */
static void put_list(struct dump *d, const avnm_list *l, int sorted)
{
	size_t i, n = avnm_list_count(l);
	const char **v = calloc(n + 1, sizeof *v);
	assert_non_null(v);
	for (i = 0; i < n; i++)
		v[i] = avnm_list_get(l, i);
	if (sorted)
		qsort(v, n, sizeof *v, cmp_str);
	put(d, "[");
	for (i = 0; i < n; i++) {
		const char *t = NULL;
		size_t j;
		for (j = 0; j < n; j++)
			if (avnm_list_get(l, j) == v[i])
				t = avnm_list_tenant(l, j);
		put(d, "%s%s@%s", i ? " " : "", v[i], t ? t : "-");
	}
	put(d, "]");
	free(v);
}

static void put_reason(struct dump *d, avnm_reason *r)
{
	size_t i, n = avnm_reason_part_count(r);
	put(d, "(%d", (int)avnm_reason_get_code(r));
	for (i = 0; i < n; i++) {
		avnm_part_kind k = 0;
		const char *v = NULL;
		if (avnm_reason_part(r, i, &k, &v) == AVNM_OK)
			put(d, " %d:%s", (int)k, v);
	}
	put(d, ")");
	avnm_reason_free(r);
}

static void dump_connections(struct dump *d, avnm_ctx *ctx)
{
	size_t i, j;
	for (i = 0; i < COUNT(managers); i++) {
		for (j = 0; j < COUNT(sc_names); j++) {
			avnm_state st = AVNM_STATE_NONE;
			avnm_reason *r = NULL;
			int rc = avnm_scope_connection_state(&st, &r, ctx, managers[i], sc_names[j]);
			put(d, "sc %s %s: %s", managers[i], sc_names[j],
			    rc ? h_ename(rc) : h_sname(st));
			if (rc == AVNM_OK)
				put_reason(d, r);
			put(d, "\n");
		}
	}
	for (i = 0; i < COUNT(tenants); i++) {
		for (j = 0; j < COUNT(hc_names); j++) {
			avnm_state st = AVNM_STATE_NONE;
			avnm_reason *r = NULL;
			int rc = avnm_hub_connection_state(&st, &r, ctx, tenants[i], hc_names[j]);
			put(d, "hc %s %s: %s", tenants[i], hc_names[j], rc ? h_ename(rc) : h_sname(st));
			if (rc == AVNM_OK)
				put_reason(d, r);
			put(d, "\n");
		}
	}
}

static void dump_managers(struct dump *d, avnm_ctx *ctx)
{
	size_t i, j, k;
	for (i = 0; i < COUNT(managers); i++) {
		avnm_manager *m = NULL;
		avnm_list *l = NULL;
		int rc = avnm_manager_open(&m, ctx, managers[i]);
		put(d, "manager %s: %s", managers[i], h_ename(rc));
		if (rc == AVNM_OK) {
			unsigned int acc = 0;
			avnm_scope *s = NULL;
			assert_int_equal(avnm_manager_get_accesses(&acc, m), AVNM_OK);
			assert_int_equal(avnm_manager_get_scope(&s, m), AVNM_OK);
			put(d, " acc=%u scope=", acc);
			for (j = 0; j < avnm_scope_count(s); j++)
				put(d, "%s,", avnm_scope_item(s, j));
			avnm_scope_free(s);
			avnm_manager_close(m);
		}
		rc = avnm_manager_cross_tenant_scopes(&l, ctx, managers[i]);
		put(d, " cross=%s", h_ename(rc));
		if (rc == AVNM_OK) {
			put_list(d, l, 1);
			avnm_list_free(l);
		}
		put(d, "\n");
		for (j = 0; j < COUNT(groups); j++) {
			rc = avnm_group_members(&l, ctx, managers[i], groups[j]);
			put(d, "members %s %s: %s", managers[i], groups[j], h_ename(rc));
			if (rc == AVNM_OK) {
				put_list(d, l, 1);
				avnm_list_free(l);
			}
			put(d, "\n");
		}
		for (j = 0; j < COUNT(resources); j++) {
			for (k = 0; k < COUNT(accesses); k++) {
				int allowed = -1;
				avnm_reason *r = NULL;
				rc = avnm_can_manage(&allowed, &r, ctx, managers[i], resources[j].id,
				                     accesses[k], resources[j].tenant);
				put(d, "can %s %s %u: %s %d", managers[i], resources[j].id, accesses[k],
				    h_ename(rc), rc ? -1 : allowed);
				if (rc == AVNM_OK)
					put_reason(d, r);
				put(d, "\n");
			}
		}
	}
}

static void dump_questions(struct dump *d, avnm_ctx *ctx)
{
	size_t i, j, k;
	for (j = 0; j < COUNT(resources); j++) {
		for (k = 0; k < COUNT(accesses); k++) {
			avnm_list *l = NULL;
			int rc = avnm_managers_of(&l, ctx, resources[j].id, accesses[k],
			                          resources[j].tenant);
			put(d, "managers %s %u: %s", resources[j].id, accesses[k], h_ename(rc));
			if (rc == AVNM_OK) {
				put_list(d, l, 0);
				avnm_list_free(l);
			}
			put(d, "\n");
		}
	}
	for (i = 0; i < COUNT(principals); i++) {
		for (j = 0; j < COUNT(resources); j++) {
			for (k = AVNM_ACTION_READ; k <= AVNM_ACTION_NETWORK_WRITE; k++) {
				int allowed = -1;
				avnm_reason *r = NULL;
				int rc = avnm_authorize(&allowed, &r, ctx, principals[i], (avnm_action)k,
				                        resources[j].id, resources[j].tenant);
				put(d, "authz %s %s %zu: %s %d", principals[i], resources[j].id, k,
				    h_ename(rc), rc ? -1 : allowed);
				if (rc == AVNM_OK)
					put_reason(d, r);
				put(d, "\n");
			}
		}
	}
}

static char *dump_world(avnm_ctx *ctx)
{
	struct dump d = {NULL, 0, 0};
	put(&d, "%s", "");
	dump_connections(&d, ctx);
	dump_managers(&d, ctx);
	dump_questions(&d, ctx);
	return d.s;
}

/* Print the first differing line of two dumps. */
static void print_first_difference(const char *a, const char *b)
{
	while (*a && *a == *b) {
		const char *na = strchr(a, '\n'), *nb = strchr(b, '\n');
		size_t la = na ? (size_t)(na - a) : strlen(a);
		size_t lb = nb ? (size_t)(nb - b) : strlen(b);
		if (la != lb || memcmp(a, b, la) != 0) {
			print_error("before: %.*s\nafter:  %.*s\n", (int)la, a, (int)lb, b);
			return;
		}
		a += la + (na ? 1 : 0);
		b += lb + (nb ? 1 : 0);
	}
	print_error("before: %.120s\nafter:  %.120s\n", a, b);
}

/* ------------------------------------------------------------------------ */
/* Failing calls                                                             */
/* ------------------------------------------------------------------------ */

static int f_mgr_exists(avnm_ctx *c) { return h_manager(c, NULL, NM_A, ACC_R, NO_ITEMS); }
static int f_mgr_conflict(avnm_ctx *c)
{
	/* The second item clashes with nm-a: the first must not stick. */
	return h_manager(c, NULL, NM_NEW, ACC_C, ITEMS(SUB(SUB_A3), SUB(SUB_A1)));
}
static int f_mgr_not_found(avnm_ctx *c)
{
	return h_manager(c, NULL, NM_NEW, ACC_C, ITEMS(SUB(SUB_A3), SUB(SUB_X)));
}
static int f_mgr_foreign(avnm_ctx *c)
{
	return h_manager(c, NULL, NM_NEW, ACC_C, ITEMS(SUB(SUB_A3), SUB(SUB_B1)));
}
static int f_mgr_forbidden(avnm_ctx *c) { return h_manager(c, "carol", NM_NEW, ACC_C, NO_ITEMS); }
static int f_mgr_unknown_principal(avnm_ctx *c)
{
	return h_manager(c, "ghost", NM_NEW, ACC_C, NO_ITEMS);
}
static int f_update_conflict(avnm_ctx *c)
{
	return h_manager_update(c, NULL, NM_A2, AVNM_UPDATE_SCOPE, 0, ITEMS(SUB(SUB_A3), SUB(SUB_A1)));
}
static int f_update_conflict_accesses(avnm_ctx *c)
{
	/* nm-sec gaining Connectivity on mg-a would take the implied "own" along. */
	return h_manager_update(c, NULL, NM_SEC, AVNM_UPDATE_ACCESSES | AVNM_UPDATE_SCOPE,
	                        ACC_SA | ACC_C, ITEMS(MG("mg-a"), SUB(SUB_A1)));
}
static int f_update_not_found(avnm_ctx *c)
{
	return h_manager_update(c, NULL, NM_SEC, AVNM_UPDATE_SCOPE, 0, ITEMS(SUB(SUB_X)));
}
static int f_update_bad_what(avnm_ctx *c)
{
	return h_manager_update(c, NULL, NM_A, 1u << 5, ACC_R, NO_ITEMS);
}
static int f_update_forbidden(avnm_ctx *c)
{
	/* Dropping the scope would lapse the implied "own". */
	return h_manager_update(c, "bob", NM_SEC, AVNM_UPDATE_SCOPE, 0, NO_ITEMS);
}
static int f_delete_busy(avnm_ctx *c) { return avnm_manager_delete(c, NULL, NM_A, 0); }
static int f_delete_not_found(avnm_ctx *c) { return avnm_manager_delete(c, NULL, NM_NEW, 0); }
static int f_delete_forbidden(avnm_ctx *c)
{
	return avnm_manager_delete(c, "bob", NM_A, AVNM_DELETE_FORCE);
}
static int f_sc_exists_scope(avnm_ctx *c)
{
	return h_scope_conn(c, NULL, NM_A, "x", T_B, ITEMS("SUBSCRIPTIONS/" SUB_B1));
}
static int f_sc_exists_name(avnm_ctx *c)
{
	return h_scope_conn(c, NULL, NM_A, "AB1", T_B, ITEMS(SUB(SUB_B2)));
}
static int f_sc_not_found(avnm_ctx *c)
{
	return h_scope_conn(c, NULL, NM_A, "x", T_B, ITEMS(MG("mg-prod"), MG("mg-none")));
}
static int f_sc_mixed(avnm_ctx *c)
{
	return h_scope_conn(c, NULL, NM_A, "x", T_B, ITEMS(MG("mg-dev"), SUB(SUB_C1)));
}
static int f_sc_forbidden(avnm_ctx *c)
{
	/* bob holds nothing in T_A (nm-a) and only Reader in T_B. */
	return h_scope_conn(c, "bob", NM_A, "x", T_B, ITEMS(MG("mg-prod")));
}
static int f_sc_delete_not_found(avnm_ctx *c) { return avnm_scope_connection_delete(c, NULL, NM_A, "x"); }
static int f_sc_delete_forbidden(avnm_ctx *c)
{
	return avnm_scope_connection_delete(c, "bob", NM_A, "ab1");
}
static int f_hc_exists_triple(avnm_ctx *c)
{
	return h_hub_conn(c, NULL, T_B, "x", ITEMS(SUB(SUB_B1)), NM_A);
}
static int f_hc_exists_name(avnm_ctx *c)
{
	return h_hub_conn(c, NULL, T_B, "AB1", ITEMS(MG("mg-dev")), NM_A);
}
static int f_hc_foreign(avnm_ctx *c)
{
	return h_hub_conn(c, NULL, T_B, "x", ITEMS(MG("mg-dev"), SUB(SUB_C1)), NM_A);
}
static int f_hc_forbidden(avnm_ctx *c)
{
	/* Would connect nm-a's Pending "adev". */
	return h_hub_conn(c, "carol", T_B, "x", ITEMS(MG("mg-dev")), NM_A);
}
static int f_hc_forbidden_reader(avnm_ctx *c)
{
	return h_hub_conn(c, "bob", T_B, "x", ITEMS(MG("mg-dev")), NM_A);
}
static int f_hc_delete_forbidden(avnm_ctx *c)
{
	/* Would revoke nm-a's Connected "ab1". */
	return avnm_hub_connection_delete(c, "carol", T_B, "ab1");
}
static int f_hc_delete_not_found(avnm_ctx *c) { return avnm_hub_connection_delete(c, NULL, T_B, "x"); }
static int f_reject_connected(avnm_ctx *c)
{
	return avnm_scope_connection_reject(c, NULL, T_B, NM_A, "ab1");
}
static int f_reject_forbidden(avnm_ctx *c)
{
	return avnm_scope_connection_reject(c, "bob", T_B, NM_A, "adev");
}
static int f_reject_wrong_tenant(avnm_ctx *c)
{
	return avnm_scope_connection_reject(c, NULL, T_C, NM_A, "adev");
}
static int f_reevaluate_forbidden(avnm_ctx *c)
{
	/* Would clear the sticky Conflict. */
	return avnm_scope_connection_reevaluate(c, "bob", NM_A2, "sticky");
}
static int f_group_exists(avnm_ctx *c)
{
	return avnm_group_create(c, NULL, NM_A, "G", AVNM_MEMBER_SUBNET);
}
static int f_group_forbidden(avnm_ctx *c)
{
	return avnm_group_create(c, "bob", NM_A, "x", AVNM_MEMBER_VIRTUAL_NETWORK);
}
static int f_group_delete_forbidden(avnm_ctx *c) { return avnm_group_delete(c, "bob", NM_A, "g"); }
static int f_member_exists(avnm_ctx *c)
{
	return avnm_member_add(c, NULL, NM_A, "g", "/SUBSCRIPTIONS/" SUB_B1 "/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/VNET-B1");
}
static int f_member_unregistered(avnm_ctx *c)
{
	return avnm_member_add(c, NULL, NM_A, "g", VNET(SUB_B1, "unregistered"));
}
static int f_member_linked(avnm_ctx *c)
{
	/* alice may write nm-a but has no account in T_C (R6.4). */
	return avnm_member_add(c, "alice", NM_A, "g", VNET_C1);
}
static int f_member_wrong_type(avnm_ctx *c) { return avnm_member_add(c, NULL, NM_A, "g", SUBNET_B1); }
static int f_member_remove_not_found(avnm_ctx *c)
{
	return avnm_member_remove(c, NULL, NM_A, "g", VNET_B2);
}
static int f_member_remove_forbidden(avnm_ctx *c)
{
	return avnm_member_remove(c, "bob", NM_A, "g", VNET_B1);
}
static int f_condition_subnet_group(avnm_ctx *c)
{
	const avnm_tag t[] = {h_tag("env", "prod")};
	return avnm_group_condition_add(c, NULL, NM_A2, "sub", t, 1);
}
static int f_condition_forbidden(avnm_ctx *c)
{
	const avnm_tag t[] = {h_tag("team", "x")};
	return avnm_group_condition_add(c, "bob", NM_A, "dyn", t, 1);
}
static int f_mg_exists(avnm_ctx *c) { return avnm_mg_create(c, T_B, "MG-PROD", NULL); }
static int f_mg_limit(avnm_ctx *c) { return avnm_mg_create(c, T_C, "cz", "c6"); }
static int f_mg_move_limit(avnm_ctx *c) { return avnm_mg_move(c, T_C, "cx", "c5"); }
static int f_mg_move_cycle(avnm_ctx *c) { return avnm_mg_move(c, T_C, "c1", "c4"); }
static int f_sub_exists(avnm_ctx *c) { return avnm_subscription_create(c, T_C, SUB_B1, NULL); }
static int f_sub_move_not_found(avnm_ctx *c) { return avnm_subscription_move(c, SUB_B1, "mg-a"); }
static int f_vnet_dup_tags(avnm_ctx *c)
{
	const avnm_tag t[] = {h_tag("env", "prod"), h_tag("ENV", "prod")};
	return avnm_vnet_create(c, VNET_NEW, NULL, t, 2);
}
static int f_role_not_member(avnm_ctx *c)
{
	return avnm_role_assign(c, "carol", AVNM_ROLE_OWNER, SUB(SUB_B1), NULL);
}
static int f_role_bad(avnm_ctx *c)
{
	return avnm_role_assign(c, "alice", (avnm_role)99, SUB(SUB_A1), NULL);
}
static int f_guest_exists(avnm_ctx *c) { return avnm_guest_add(c, "alice", T_A); }
static int f_principal_exists(avnm_ctx *c) { return avnm_principal_create(c, "ALICE", T_C); }

static const struct failing {
	const char *what;
	int expected;
	int (*fn)(avnm_ctx *);
} failing_calls[] = {
	{"manager create, exists", AVNM_E_EXISTS, f_mgr_exists},
	{"manager create, conflict on 2nd item", AVNM_E_CONFLICT, f_mgr_conflict},
	{"manager create, unknown item", AVNM_E_NOT_FOUND, f_mgr_not_found},
	{"manager create, foreign item", AVNM_E_INVALID_ARGUMENT, f_mgr_foreign},
	{"manager create, forbidden", AVNM_E_FORBIDDEN, f_mgr_forbidden},
	{"manager create, unknown principal", AVNM_E_FORBIDDEN, f_mgr_unknown_principal},
	{"manager update, conflict", AVNM_E_CONFLICT, f_update_conflict},
	{"manager update, conflict on accesses", AVNM_E_CONFLICT, f_update_conflict_accesses},
	{"manager update, unknown item", AVNM_E_NOT_FOUND, f_update_not_found},
	{"manager update, bad flags", AVNM_E_INVALID_ARGUMENT, f_update_bad_what},
	{"manager update, forbidden", AVNM_E_FORBIDDEN, f_update_forbidden},
	{"manager delete, busy", AVNM_E_BUSY, f_delete_busy},
	{"manager delete, not found", AVNM_E_NOT_FOUND, f_delete_not_found},
	{"manager delete, forbidden", AVNM_E_FORBIDDEN, f_delete_forbidden},
	{"scope connection, same scope", AVNM_E_EXISTS, f_sc_exists_scope},
	{"scope connection, same name", AVNM_E_EXISTS, f_sc_exists_name},
	{"scope connection, unknown item", AVNM_E_NOT_FOUND, f_sc_not_found},
	{"scope connection, mixed tenants", AVNM_E_INVALID_ARGUMENT, f_sc_mixed},
	{"scope connection, forbidden", AVNM_E_FORBIDDEN, f_sc_forbidden},
	{"scope connection delete, not found", AVNM_E_NOT_FOUND, f_sc_delete_not_found},
	{"scope connection delete, forbidden", AVNM_E_FORBIDDEN, f_sc_delete_forbidden},
	{"hub connection, same triple", AVNM_E_EXISTS, f_hc_exists_triple},
	{"hub connection, same name", AVNM_E_EXISTS, f_hc_exists_name},
	{"hub connection, foreign item", AVNM_E_INVALID_ARGUMENT, f_hc_foreign},
	{"hub connection, no account", AVNM_E_FORBIDDEN, f_hc_forbidden},
	{"hub connection, reader", AVNM_E_FORBIDDEN, f_hc_forbidden_reader},
	{"hub connection delete, forbidden", AVNM_E_FORBIDDEN, f_hc_delete_forbidden},
	{"hub connection delete, not found", AVNM_E_NOT_FOUND, f_hc_delete_not_found},
	{"reject, connected", AVNM_E_INVALID_ARGUMENT, f_reject_connected},
	{"reject, forbidden", AVNM_E_FORBIDDEN, f_reject_forbidden},
	{"reject, other tenant", AVNM_E_NOT_FOUND, f_reject_wrong_tenant},
	{"reevaluate, forbidden", AVNM_E_FORBIDDEN, f_reevaluate_forbidden},
	{"group create, exists", AVNM_E_EXISTS, f_group_exists},
	{"group create, forbidden", AVNM_E_FORBIDDEN, f_group_forbidden},
	{"group delete, forbidden", AVNM_E_FORBIDDEN, f_group_delete_forbidden},
	{"member add, exists", AVNM_E_EXISTS, f_member_exists},
	{"member add, unregistered", AVNM_E_NOT_FOUND, f_member_unregistered},
	{"member add, linked authorization", AVNM_E_FORBIDDEN, f_member_linked},
	{"member add, wrong type", AVNM_E_INVALID_ARGUMENT, f_member_wrong_type},
	{"member remove, not found", AVNM_E_NOT_FOUND, f_member_remove_not_found},
	{"member remove, forbidden", AVNM_E_FORBIDDEN, f_member_remove_forbidden},
	{"condition, subnet group", AVNM_E_INVALID_ARGUMENT, f_condition_subnet_group},
	{"condition, forbidden", AVNM_E_FORBIDDEN, f_condition_forbidden},
	{"mg create, exists", AVNM_E_EXISTS, f_mg_exists},
	{"mg create, depth", AVNM_E_LIMIT, f_mg_limit},
	{"mg move, depth", AVNM_E_LIMIT, f_mg_move_limit},
	{"mg move, cycle", AVNM_E_INVALID_ARGUMENT, f_mg_move_cycle},
	{"subscription create, exists", AVNM_E_EXISTS, f_sub_exists},
	{"subscription move, other tenant's group", AVNM_E_NOT_FOUND, f_sub_move_not_found},
	{"vnet create, duplicate tag keys", AVNM_E_INVALID_ARGUMENT, f_vnet_dup_tags},
	{"role assign, not a member", AVNM_E_NOT_FOUND, f_role_not_member},
	{"role assign, bad role", AVNM_E_INVALID_ARGUMENT, f_role_bad},
	{"guest add, home tenant", AVNM_E_EXISTS, f_guest_exists},
	{"principal create, exists", AVNM_E_EXISTS, f_principal_exists},
};

static void test_failing_calls_change_nothing(void **state)
{
	avnm_ctx *ctx = *state;
	size_t i;
	int bad = 0;
	for (i = 0; i < COUNT(failing_calls); i++) {
		char *before = dump_world(ctx);
		int rc = failing_calls[i].fn(ctx);
		char *after = dump_world(ctx);
		if (rc != failing_calls[i].expected) {
			print_error("%s: expected %s, got %s: %s\n", failing_calls[i].what,
			            h_ename(failing_calls[i].expected), h_ename(rc), avnm_errmsg(ctx));
			bad++;
		} else if (strcmp(before, after) != 0) {
			print_error("%s: the failing call changed the world\n", failing_calls[i].what);
			print_first_difference(before, after);
			bad++;
		}
		free(before);
		free(after);
	}
	assert_int_equal(bad, 0);
}

/* The dump is sensitive: one successful call of each kind changes it. */
static int s_update(avnm_ctx *c)
{
	return h_manager_update(c, NULL, NM_SEC, AVNM_UPDATE_SCOPE, 0, NO_ITEMS);
}
static int s_hub(avnm_ctx *c) { return h_hub_conn(c, NULL, T_B, "x", ITEMS(MG("mg-dev")), NM_A); }
static int s_reevaluate(avnm_ctx *c) { return avnm_scope_connection_reevaluate(c, NULL, NM_A2, "sticky"); }
/* Only effective members are visible to queries: VNET_B3 is, through "adev"
 * once s_hub connected it. */
static int s_member(avnm_ctx *c) { return avnm_member_add(c, NULL, NM_A, "g", VNET_B3); }
static int s_mg_move(avnm_ctx *c) { return avnm_mg_move(c, T_C, "cy", "c5"); }
static int s_role(avnm_ctx *c)
{
	return avnm_role_assign(c, "bob", AVNM_ROLE_NETWORK_CONTRIBUTOR, MG("mg-dev"), T_B);
}
static int s_vnet(avnm_ctx *c)
{
	const avnm_tag t[] = {h_tag("env", "prod")};
	return avnm_vnet_create(c, VNET_NEW, NULL, t, 1);
}
static int s_delete(avnm_ctx *c) { return avnm_manager_delete(c, NULL, NM_A, AVNM_DELETE_FORCE); }

static void test_dump_sees_changes(void **state)
{
	static int (*const calls[])(avnm_ctx *) = {
		s_update, s_hub, s_reevaluate, s_member, s_mg_move, s_role, s_vnet, s_delete,
	};
	avnm_ctx *ctx = *state;
	size_t i;
	for (i = 0; i < COUNT(calls); i++) {
		char *before = dump_world(ctx);
		char *after;
		OK(ctx, calls[i](ctx));
		after = dump_world(ctx);
		if (strcmp(before, after) == 0)
			print_error("successful call %zu left the dump unchanged\n", i);
		assert_true(strcmp(before, after) != 0);
		free(before);
		free(after);
	}
}

/* ------------------------------------------------------------------------ */
/* Error precedence                                                          */
/* ------------------------------------------------------------------------ */

static void test_precedence_invalid_first(void **state)
{
	avnm_ctx *ctx = *state;
	/* Malformed input beats forbidden, not-found and exists. */
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, h_manager(ctx, "carol", NM(SUB_A1, "bad name!"), ACC_C, NO_ITEMS));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, h_manager(ctx, "carol", NM_A, 1u << 7, NO_ITEMS));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, h_manager(ctx, NULL, NM_A, 1u << 7, NO_ITEMS));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT,
	      h_scope_conn(ctx, NULL, NM_NEW, "bad name!", T_B, ITEMS(SUB(SUB_B1))));
	/* An item of another tenant (R4.10) is a fact of the world, not of the
	 * input's form: checked after authorization (carol may see nothing of T_C),
	 * but before exists. */
	CHECK(ctx, AVNM_E_FORBIDDEN,
	      h_scope_conn(ctx, "carol", NM_A, "ab1", T_B, ITEMS(SUB(SUB_C1))));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT,
	      h_scope_conn(ctx, NULL, NM_A, "ab1", T_B, ITEMS(SUB(SUB_C1))));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_manager_delete(ctx, "bob", NM_A, 1u << 4));
	CHECK(ctx, AVNM_E_INVALID_ARGUMENT, avnm_hub_connection_delete(ctx, "carol", "not-a-tenant", "ab1"));
}

static void test_precedence_forbidden_second(void **state)
{
	avnm_ctx *ctx = *state;
	/* A principal without rights learns nothing of what exists (decision 9). */
	CHECK(ctx, AVNM_E_FORBIDDEN, h_manager(ctx, "carol", NM_A, ACC_C, NO_ITEMS));
	CHECK(ctx, AVNM_E_FORBIDDEN, h_manager(ctx, "alice", NM(SUB_X, "nm"), ACC_C, NO_ITEMS));
	CHECK(ctx, AVNM_E_FORBIDDEN,
	      h_scope_conn(ctx, "carol", NM_NEW, "x", T_B, ITEMS(SUB(SUB_B1))));
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_manager_delete(ctx, "bob", NM_NEW, 0));
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_manager_delete(ctx, "bob", NM_A, 0));
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_hub_connection_delete(ctx, "carol", T_B, "nope"));
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_scope_connection_delete(ctx, "bob", NM_A, "nope"));
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_group_create(ctx, "bob", NM_A, "g", AVNM_MEMBER_VIRTUAL_NETWORK));
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_member_remove(ctx, "bob", NM_A, "g", VNET_B2));
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_scope_connection_reevaluate(ctx, "carol", NM_A2, "nope"));
	/* Decision 8: an unknown principal is forbidden, never not-found... */
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_scope_connection_delete(ctx, "ghost", NM_A, "ab1"));
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_hub_connection_delete(ctx, "ghost", T_B, "ab1"));
	CHECK(ctx, AVNM_E_FORBIDDEN, avnm_group_delete(ctx, "ghost", NM_A, "g"));
	/* ...but a question about it is answered with not-found. */
	{
		int allowed = -1;
		CHECK(ctx, AVNM_E_NOT_FOUND,
		      avnm_authorize(&allowed, NULL, ctx, "ghost", AVNM_ACTION_READ, VNET_A1, NULL));
	}
}

static void test_precedence_not_found_exists_conflict(void **state)
{
	avnm_ctx *ctx = *state;
	/* not-found before exists. */
	CHECK(ctx, AVNM_E_NOT_FOUND, h_hub_conn(ctx, NULL, T_B, "ab1", ITEMS(SUB(SUB_X)), NM_A));
	CHECK(ctx, AVNM_E_NOT_FOUND, h_scope_conn(ctx, NULL, NM_A, "ab1", T_B, ITEMS(MG("mg-none"))));
	CHECK(ctx, AVNM_E_NOT_FOUND, h_manager(ctx, NULL, NM_A, ACC_C, ITEMS(SUB(SUB_X))));
	CHECK(ctx, AVNM_E_NOT_FOUND, avnm_member_add(ctx, NULL, NM_A, "nope", VNET_B1));
	/* exists before conflict. */
	CHECK(ctx, AVNM_E_EXISTS, h_manager(ctx, NULL, NM_A2, ACC_C, ITEMS(SUB(SUB_A1))));
	/* With rights, the same calls reach the later checks: alice may write. */
	CHECK(ctx, AVNM_E_EXISTS, h_scope_conn(ctx, "alice", NM_A, "ab1", T_B, ITEMS(MG("mg-prod"))));
	CHECK(ctx, AVNM_E_BUSY, avnm_manager_delete(ctx, "alice", NM_A, 0));
	CHECK(ctx, AVNM_E_CONFLICT, h_manager(ctx, "alice", NM_NEW, ACC_C, ITEMS(SUB(SUB_A1))));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, h_teardown_ctx)
	const struct CMUnitTest tests[] = {
		T(test_failing_calls_change_nothing),
		T(test_dump_sees_changes),
		T(test_precedence_invalid_first),
		T(test_precedence_forbidden_second),
		T(test_precedence_not_found_exists_conflict),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
