#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* strcasecmp */
#endif
#include "verbs.h"

#include <string.h>
#include <strings.h>

#include "avnm.h"
#include "expect.h"
#include "run.h"
#include "script.h"

static const char *const key_names[KEY_COUNT] = {
	[KEY_NAME] = "name",
	[KEY_PARENT] = "parent",
	[KEY_MG] = "mg",
	[KEY_REGION] = "region",
	[KEY_HOME] = "home",
	[KEY_TENANT] = "tenant",
	[KEY_ACCESS] = "access",
	[KEY_SCOPE] = "scope",
	[KEY_MANAGER] = "manager",
	[KEY_MEMBER_TYPE] = "member-type",
};

const char *key_name(enum key k)
{
	return k < KEY_COUNT ? key_names[k] : NULL;
}

enum key key_find(const char *name)
{
	enum key k = 0;
	while (k < KEY_COUNT && strcasecmp(key_names[k], name) != 0)
		k++;
	return k;
}

/* ---- arguments the library takes as values rather than strings ---- */

static int add_scope_item(void *scope, const char *item)
{
	return avnm_scope_add(scope, item);
}

/* The scope of a comma-separated list; NULL when the key was not given. */
static int scope_of(struct run *r, const char *list, avnm_scope **out)
{
	avnm_scope *scope = NULL;
	int rc = AVNM_OK;
	if (list) {
		rc = avnm_scope_new(&scope, r->ctx);
		if (rc == AVNM_OK)
			rc = for_each_item(list, add_scope_item, scope);
	}
	if (rc != AVNM_OK) {
		avnm_scope_free(scope);
		scope = NULL;
	}
	*out = scope;
	return rc;
}

struct accesses {
	struct run *r;
	unsigned int bits;
};

static int add_access(void *arg, const char *name)
{
	struct accesses *a = arg;
	unsigned int bit = 0;
	int rc = run_access(a->r, name, &bit);
	a->bits |= bit;
	return rc;
}

/* The accesses of a comma-separated list; none when the key was not given. */
static int accesses_of(struct run *r, const char *list, unsigned int *out)
{
	struct accesses a = {r, 0};
	int rc = list ? for_each_item(list, add_access, &a) : AVNM_OK;
	*out = a.bits;
	return rc;
}

/* ---- the world ---- */

static int run_tenant(struct run *r, const struct stmt *s)
{
	return avnm_tenant_create(r->ctx, s->pos[0], s->key[KEY_NAME]);
}

static int run_mg(struct run *r, const struct stmt *s)
{
	return avnm_mg_create(r->ctx, s->pos[0], s->pos[1], s->key[KEY_PARENT]);
}

static int run_mg_move(struct run *r, const struct stmt *s)
{
	return avnm_mg_move(r->ctx, s->pos[0], s->pos[1], s->key[KEY_PARENT]);
}

static int run_sub(struct run *r, const struct stmt *s)
{
	return avnm_subscription_create(r->ctx, s->pos[0], s->pos[1], s->key[KEY_MG]);
}

static int run_sub_move(struct run *r, const struct stmt *s)
{
	return avnm_subscription_move(r->ctx, s->pos[0], s->key[KEY_MG]);
}

static int run_vnet(struct run *r, const struct stmt *s)
{
	return avnm_vnet_create(r->ctx, s->pos[0], s->key[KEY_REGION], s->tags, s->ntags);
}

static int run_principal(struct run *r, const struct stmt *s)
{
	return avnm_principal_create(r->ctx, s->pos[0], s->key[KEY_HOME]);
}

static int run_guest(struct run *r, const struct stmt *s)
{
	return avnm_guest_add(r->ctx, s->pos[0], s->pos[1]);
}

static int run_role(struct run *r, const struct stmt *s)
{
	avnm_role role;
	if (avnm_role_parse(&role, s->pos[1]) != AVNM_OK)
		return cli_error(r, "unknown role '%s' (Owner, Contributor, NetworkContributor, "
		                    "Reader)", s->pos[1]);
	return avnm_role_assign(r->ctx, s->pos[0], role, s->pos[2], s->key[KEY_TENANT]);
}

static int run_as(struct run *r, const struct stmt *s)
{
	r->as = strcasecmp(s->pos[0], "system") == 0 ? NULL : s->pos[0];
	return AVNM_OK;
}

/* ---- network managers and connections ---- */

static int manager_args(struct run *r, const struct stmt *s, unsigned int *accesses,
                        avnm_scope **scope)
{
	*scope = NULL;
	int rc = accesses_of(r, s->key[KEY_ACCESS], accesses);
	return rc == AVNM_OK ? scope_of(r, s->key[KEY_SCOPE], scope) : rc;
}

static int run_manager(struct run *r, const struct stmt *s)
{
	unsigned int accesses;
	avnm_scope *scope;
	int rc = manager_args(r, s, &accesses, &scope);
	if (rc == AVNM_OK)
		rc = avnm_manager_create(r->ctx, r->as, s->pos[0], accesses, scope);
	avnm_scope_free(scope);
	return rc;
}

static int run_manager_update(struct run *r, const struct stmt *s)
{
	unsigned int what = (s->key[KEY_ACCESS] ? AVNM_UPDATE_ACCESSES : 0u) |
	                    (s->key[KEY_SCOPE] ? AVNM_UPDATE_SCOPE : 0u);
	unsigned int accesses;
	avnm_scope *scope;
	int rc = manager_args(r, s, &accesses, &scope);
	if (rc == AVNM_OK)
		rc = avnm_manager_update(r->ctx, r->as, s->pos[0], what, accesses, scope);
	avnm_scope_free(scope);
	return rc;
}

static int run_manager_delete(struct run *r, const struct stmt *s)
{
	unsigned int flags = s->npos > 1 ? AVNM_DELETE_FORCE : 0u;
	return avnm_manager_delete(r->ctx, r->as, s->pos[0], flags);
}

static int run_scope_connection(struct run *r, const struct stmt *s)
{
	avnm_scope *scope;
	int rc = scope_of(r, s->key[KEY_SCOPE], &scope);
	if (rc == AVNM_OK)
		rc = avnm_scope_connection_create(r->ctx, r->as, s->pos[0], s->pos[1],
		                                  s->key[KEY_TENANT], scope);
	avnm_scope_free(scope);
	return rc;
}

static int run_scope_connection_delete(struct run *r, const struct stmt *s)
{
	return avnm_scope_connection_delete(r->ctx, r->as, s->pos[0], s->pos[1]);
}

static int run_hub_connection(struct run *r, const struct stmt *s)
{
	avnm_scope *scope;
	int rc = scope_of(r, s->key[KEY_SCOPE], &scope);
	if (rc == AVNM_OK)
		rc = avnm_hub_connection_create(r->ctx, r->as, s->pos[0], s->pos[1], scope,
		                                s->key[KEY_MANAGER]);
	avnm_scope_free(scope);
	return rc;
}

static int run_hub_connection_delete(struct run *r, const struct stmt *s)
{
	return avnm_hub_connection_delete(r->ctx, r->as, s->pos[0], s->pos[1]);
}

static int run_hub_reject(struct run *r, const struct stmt *s)
{
	return avnm_scope_connection_reject(r->ctx, r->as, s->pos[0], s->pos[1], s->pos[2]);
}

static int run_reevaluate(struct run *r, const struct stmt *s)
{
	return avnm_scope_connection_reevaluate(r->ctx, r->as, s->pos[0], s->pos[1]);
}

/* ---- network groups ---- */

static int run_group(struct run *r, const struct stmt *s)
{
	avnm_member_type type = AVNM_MEMBER_VIRTUAL_NETWORK;
	const char *name = s->key[KEY_MEMBER_TYPE];
	if (name && avnm_member_type_parse(&type, name) != AVNM_OK)
		return cli_error(r, "unknown member type '%s' (VirtualNetwork, Subnet)", name);
	return avnm_group_create(r->ctx, r->as, s->pos[0], s->pos[1], type);
}

static int run_group_delete(struct run *r, const struct stmt *s)
{
	return avnm_group_delete(r->ctx, r->as, s->pos[0], s->pos[1]);
}

static int run_member(struct run *r, const struct stmt *s)
{
	return avnm_member_add(r->ctx, r->as, s->pos[0], s->pos[1], s->pos[2]);
}

static int run_member_delete(struct run *r, const struct stmt *s)
{
	return avnm_member_remove(r->ctx, r->as, s->pos[0], s->pos[1], s->pos[2]);
}

static int run_dynamic(struct run *r, const struct stmt *s)
{
	return avnm_group_condition_add(r->ctx, r->as, s->pos[0], s->pos[1], s->tags, s->ntags);
}

/* ---- the table ---- */

#define ACTION VERB_ACTION
#define EXPECT VERB_EXPECT

static const struct verb verbs[] = {
	{"tenant", "s", KEYBIT(KEY_NAME), 0, ACTION, run_tenant,
	 "tenant TENANT [name=TEXT]"},
	{"mg", "ss", KEYBIT(KEY_PARENT), 0, ACTION, run_mg,
	 "mg TENANT MG [parent=MG]"},
	{"mg-move", "ss", KEYBIT(KEY_PARENT), KEYBIT(KEY_PARENT), ACTION, run_mg_move,
	 "mg-move TENANT MG parent=MG"},
	{"sub", "ss", KEYBIT(KEY_MG), 0, ACTION, run_sub,
	 "sub TENANT SUB [mg=MG]"},
	{"sub-move", "s", KEYBIT(KEY_MG), KEYBIT(KEY_MG), ACTION, run_sub_move,
	 "sub-move SUB mg=MG"},
	{"vnet", "s", KEYBIT(KEY_REGION), 0, ACTION | VERB_TAGS, run_vnet,
	 "vnet VNET-ID [region=R] [tag.K=V]..."},
	{"principal", "s", KEYBIT(KEY_HOME), KEYBIT(KEY_HOME), ACTION, run_principal,
	 "principal NAME home=TENANT"},
	{"guest", "ss", 0, 0, ACTION, run_guest,
	 "guest NAME TENANT"},
	{"role", "sss", KEYBIT(KEY_TENANT), 0, ACTION, run_role,
	 "role NAME ROLE SCOPE-ID [tenant=TENANT]"},
	{"as", "s", 0, 0, 0, run_as,
	 "as NAME | as system"},

	{"manager", "s", KEYBIT(KEY_ACCESS) | KEYBIT(KEY_SCOPE), 0, ACTION, run_manager,
	 "manager MANAGER-ID [access=A,...] [scope=ITEM,...]"},
	{"manager-update", "s", KEYBIT(KEY_ACCESS) | KEYBIT(KEY_SCOPE), 0, ACTION,
	 run_manager_update, "manager-update MANAGER-ID [access=A,...] [scope=ITEM,...]"},
	{"manager-delete", "s?f", 0, 0, ACTION, run_manager_delete,
	 "manager-delete MANAGER-ID [force]"},
	{"scope-connection", "ss", KEYBIT(KEY_TENANT) | KEYBIT(KEY_SCOPE),
	 KEYBIT(KEY_TENANT) | KEYBIT(KEY_SCOPE), ACTION, run_scope_connection,
	 "scope-connection MANAGER-ID NAME tenant=TENANT scope=ITEM,..."},
	{"scope-connection-delete", "ss", 0, 0, ACTION, run_scope_connection_delete,
	 "scope-connection-delete MANAGER-ID NAME"},
	{"hub-connection", "ss", KEYBIT(KEY_SCOPE) | KEYBIT(KEY_MANAGER),
	 KEYBIT(KEY_SCOPE) | KEYBIT(KEY_MANAGER), ACTION, run_hub_connection,
	 "hub-connection TENANT NAME scope=ITEM,... manager=MANAGER-ID"},
	{"hub-connection-delete", "ss", 0, 0, ACTION, run_hub_connection_delete,
	 "hub-connection-delete TENANT NAME"},
	{"hub-reject", "sss", 0, 0, ACTION, run_hub_reject,
	 "hub-reject TENANT MANAGER-ID NAME"},
	{"reevaluate", "ss", 0, 0, ACTION, run_reevaluate,
	 "reevaluate MANAGER-ID NAME"},

	{"group", "ss", KEYBIT(KEY_MEMBER_TYPE), 0, ACTION, run_group,
	 "group MANAGER-ID GROUP [member-type=VirtualNetwork|Subnet]"},
	{"group-delete", "ss", 0, 0, ACTION, run_group_delete,
	 "group-delete MANAGER-ID GROUP"},
	{"member", "sss", 0, 0, ACTION, run_member,
	 "member MANAGER-ID GROUP RESOURCE-ID"},
	{"member-delete", "sss", 0, 0, ACTION, run_member_delete,
	 "member-delete MANAGER-ID GROUP RESOURCE-ID"},
	{"dynamic", "ss", 0, 0, ACTION | VERB_TAGS | VERB_TAGS_REQUIRED, run_dynamic,
	 "dynamic MANAGER-ID GROUP tag.K=V..."},

	{"expect ok", "", 0, 0, EXPECT | VERB_RESULT, expect_ok,
	 "expect ok"},
	{"expect error", "e", 0, 0, EXPECT | VERB_RESULT, expect_error,
	 "expect error CODE"},
	{"expect state scope-connection", "ssS", 0, 0, EXPECT, expect_scope_connection_state,
	 "expect state scope-connection MANAGER-ID NAME STATE"},
	{"expect state hub-connection", "ssS", 0, 0, EXPECT, expect_hub_connection_state,
	 "expect state hub-connection TENANT NAME STATE"},
	{"expect manage", "sssv", KEYBIT(KEY_TENANT), 0, EXPECT, expect_manage,
	 "expect manage MANAGER-ID RESOURCE-ID ACCESS allow|deny [tenant=TENANT]"},
	{"expect managers", "ss*", KEYBIT(KEY_TENANT), 0, EXPECT, expect_managers,
	 "expect managers RESOURCE-ID ACCESS [MANAGER-ID...] [tenant=TENANT]"},
	{"expect members", "ss*", 0, 0, EXPECT, expect_members,
	 "expect members MANAGER-ID GROUP [RESOURCE-ID...]"},
	{"expect cross-tenant-scopes", "s*", 0, 0, EXPECT, expect_cross_tenant_scopes,
	 "expect cross-tenant-scopes MANAGER-ID [ITEM...]"},
};

const struct verb *verb_table(size_t *count)
{
	*count = sizeof verbs / sizeof verbs[0];
	return verbs;
}

/* How many words of name the leading tokens match; *whole says if all did. */
static size_t words_matched(const char *name, char *const *tokens, size_t ntokens, int *whole)
{
	size_t i = 0;
	*whole = 0;
	while (i < ntokens) {
		size_t len = strcspn(name, " ");
		if (strlen(tokens[i]) != len || strncasecmp(name, tokens[i], len) != 0)
			break;
		i++;
		name += len;
		if (*name == '\0') {
			*whole = 1;
			break;
		}
		name++;
	}
	return i;
}

const struct verb *verb_find(char *const *tokens, size_t ntokens, size_t *nwords)
{
	size_t best = 0;
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		int whole;
		size_t n = words_matched(verbs[i].name, tokens, ntokens, &whole);
		if (whole) {
			*nwords = n;
			return &verbs[i];
		}
		if (n > best)
			best = n;
	}
	*nwords = best;
	return NULL;
}
