/* Permissions (R6): principals, guest accounts, role assignments indexed by the
 * resource they are assigned at, and the checks each change needs. A check walks
 * up from the resource: id prefixes below the subscription, then the hierarchy. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

struct principal *principal_find(avnm_ctx *ctx, const char *name)
{
	struct hnode *h = htab_find_lower(&ctx->principals, name, strlen(name));
	return h ? CONTAINER(h, struct principal, h) : NULL;
}

static int has_account(const struct principal *p, const struct tenant *t)
{
	if (!t) return 0;
	if (p->home == t) return 1;
	for (size_t i = 0; i < p->nguests; i++)
		if (p->guests[i] == t) return 1;
	return 0;
}

static int role_grants(avnm_role r, avnm_action a)
{
	return a == AVNM_ACTION_READ || r != AVNM_ROLE_READER;
}

/* The role index key of a node: groups are per tenant (R2.7), ids below globally unique. */
static const char *node_role_key(const struct node *n)
{
	return n->kind == NODE_MG ? n->hkey : n->key;
}

static const struct assignment *grant_at(avnm_ctx *ctx, const struct principal *p, const char *key,
                                         size_t len, avnm_action a)
{
	for (struct hnode *h = htab_find(&ctx->roles, key, len); h; h = htab_find_next(h)) {
		const struct assignment *as = CONTAINER(h, const struct assignment, h);
		if (as->who == p && role_grants(as->role, a)) return as;
	}
	return NULL;
}

static const struct assignment *grant_on_chain(avnm_ctx *ctx, const struct principal *p,
                                               const struct node *n, avnm_action a)
{
	for (; n; n = n->parent) {
		const char *k = node_role_key(n);
		const struct assignment *g = grant_at(ctx, p, k, strlen(k), a);
		if (g) return g;
	}
	return NULL;
}

/* Prefix lengths of a canonical id that name its ancestors below the subscription:
 * the id itself, its virtual network (for a subnet), its resource group. */
static size_t id_prefixes(const struct idparts *ip, size_t lens[3])
{
	size_t n = 0;
	if (ip->kind == IDK_SUBSCRIPTION || ip->kind == IDK_MANAGEMENT_GROUP) return 0;
	lens[n++] = ip->len;
	if (ip->kind == IDK_SUBNET) lens[n++] = ip->name.off + ip->name.len;
	if (ip->kind != IDK_RESOURCE_GROUP) lens[n++] = ip->rg.off + ip->rg.len;
	return n;
}

/* A grant for p on the resource ip (placed at node, may be NULL) or above. */
static const struct assignment *grant_on_id(avnm_ctx *ctx, const struct principal *p,
                                            const struct idparts *ip, const struct node *node,
                                            avnm_action a, size_t skip_self)
{
	size_t lens[3];
	size_t n = id_prefixes(ip, lens);
	for (size_t i = skip_self; i < n; i++) {
		const struct assignment *g = grant_at(ctx, p, ip->key, lens[i], a);
		if (g) return g;
	}
	return grant_on_chain(ctx, p, node, a);
}

static int who(avnm_ctx *ctx, struct principal **out, const char *as)
{
	*out = principal_find(ctx, as);
	if (!*out) return set_error(ctx, AVNM_E_FORBIDDEN, "principal %.128s does not exist", as);
	return 0;
}

static int no_account(avnm_ctx *ctx, const struct principal *p, const char *tenant, const char *why)
{
	return set_error(ctx, AVNM_E_FORBIDDEN,
	                 "%sprincipal %s has no home or guest account in tenant %s", why, p->name, tenant);
}

int authz_manager_write(avnm_ctx *ctx, const char *as, const struct idparts *mgr, int for_create,
                        const char *rule)
{
	if (!as) return 0;
	struct principal *p;
	TRY(who(ctx, &p, as));
	struct node *sub = node_find_sub(ctx, mgr->sub);
	if (!sub)
		return set_error(ctx, AVNM_E_FORBIDDEN,
		                 "principal %s lacks network write on %s: its subscription %s is not "
		                 "registered, so no role can grant it (%s)", p->name, mgr->display, mgr->sub,
		                 rule);
	if (!has_account(p, sub->tenant)) return no_account(ctx, p, sub->tenant->id, "");
	if (grant_on_id(ctx, p, mgr, sub, AVNM_ACTION_NETWORK_WRITE, for_create ? 1 : 0)) return 0;
	char rg[ID_MAX + 2];
	snprintf(rg, sizeof rg, "%.*s", (int)(mgr->rg.off + mgr->rg.len), mgr->display);
	return set_error(ctx, AVNM_E_FORBIDDEN,
	                 "principal %s lacks network write (Owner, Contributor or Network Contributor) "
	                 "on %s or above in tenant %s (%s)", p->name, for_create ? rg : mgr->display,
	                 sub->tenant->id, rule);
}

/* Network write at or above one scope item in tenant t. Absent items are placed
 * under t's root, so that R7's order (forbidden before not-found) holds. */
static int item_write(avnm_ctx *ctx, const struct principal *p, struct tenant *t, const char *key,
                      int is_mg)
{
	struct node *n = node_of_item(ctx, t, key, is_mg);
	if (n && n->tenant == t) return grant_on_chain(ctx, p, n, AVNM_ACTION_NETWORK_WRITE) != NULL;
	if (is_mg) {
		char hk[GUID_LEN + MG_NAME_MAX + 8];
		int len = snprintf(hk, sizeof hk, "m/%s/%s", t->id, strrchr(key, '/') + 1);
		if (grant_at(ctx, p, hk, (size_t)len, AVNM_ACTION_NETWORK_WRITE)) return 1;
	} else if (grant_at(ctx, p, key, strlen(key), AVNM_ACTION_NETWORK_WRITE)) {
		return 1;
	}
	return grant_on_chain(ctx, p, t->root, AVNM_ACTION_NETWORK_WRITE) != NULL;
}

int authz_items_write(avnm_ctx *ctx, const char *as, struct tenant *t, const char *tenant_text,
                      const avnm_scope *scope)
{
	if (!as) return 0;
	struct principal *p;
	TRY(who(ctx, &p, as));
	if (!has_account(p, t)) return no_account(ctx, p, t ? t->id : tenant_text, "");
	for (size_t i = 0; scope && i < scope->n; i++)
		if (!item_write(ctx, p, t, scope->keys[i], scope->is_mg[i]))
			return set_error(ctx, AVNM_E_FORBIDDEN,
			                 "principal %s lacks network write (Owner, Contributor or Network "
			                 "Contributor) at or above %s in tenant %s (R6.2, R6.3)", p->name,
			                 scope->display[i], t->id);
	return 0;
}

int authz_root_write(avnm_ctx *ctx, const char *as, struct tenant *t)
{
	if (!as) return 0;
	struct principal *p;
	TRY(who(ctx, &p, as));
	if (!has_account(p, t)) return no_account(ctx, p, t->id, "");
	if (grant_on_chain(ctx, p, t->root, AVNM_ACTION_NETWORK_WRITE)) return 0;
	return set_error(ctx, AVNM_E_FORBIDDEN,
	                 "principal %s lacks network write (Owner, Contributor or Network Contributor) "
	                 "in tenant %s (R6.3)", p->name, t->id);
}

int authz_vnet_write(avnm_ctx *ctx, const char *as, const struct idparts *v)
{
	if (!as) return 0;
	struct principal *p;
	TRY(who(ctx, &p, as));
	struct node *sub = node_find_sub(ctx, v->sub);
	if (!sub)
		return set_error(ctx, AVNM_E_FORBIDDEN,
		                 "linked authorization failed: subscription %s of %s is not registered, so "
		                 "principal %s holds no role there (R6.4)", v->sub, v->display, p->name);
	if (!has_account(p, sub->tenant))
		return set_error(ctx, AVNM_E_FORBIDDEN,
		                 "linked authorization failed: principal %s has no home or guest account in "
		                 "tenant %s (subscription %s) of %s (R6.4)", p->name, sub->tenant->id, v->sub,
		                 v->display);
	if (grant_on_id(ctx, p, v, sub, AVNM_ACTION_NETWORK_WRITE, 0)) return 0;
	return set_error(ctx, AVNM_E_FORBIDDEN,
	                 "linked authorization failed: principal %s lacks network write on %s or above in "
	                 "tenant %s, subscription %s (R6.4)", p->name, v->display, sub->tenant->id, v->sub);
}

/* ---- directory facts --------------------------------------------------------------- */

static int arg_principal_name(avnm_ctx *ctx, const char *name)
{
	if (!name || !name_valid_principal(name, strlen(name)))
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT,
		                 "principal name \"%.80s\" is invalid: 1-128 letters, digits, '-', '_', '.', '@'",
		                 name ? name : "(null)");
	return 0;
}

static int principal_not_found(avnm_ctx *ctx, const char *name)
{
	return set_error(ctx, AVNM_E_NOT_FOUND, "principal %s does not exist", name);
}

static int principal_create(avnm_ctx *ctx, const char *name, const char *home)
{
	struct tenant *t;
	TRY(arg_principal_name(ctx, name));
	TRY(arg_tenant(ctx, &t, home, 1));
	if (principal_find(ctx, name))
		return set_error(ctx, AVNM_E_EXISTS, "principal %s exists already", name);
	struct principal *p;
	return principal_link(ctx, &p, name, t);
}

int principal_link(avnm_ctx *ctx, struct principal **out, const char *name, struct tenant *home)
{
	struct principal *p = tx_alloc(ctx, sizeof *p);
	TRY_MEM(ctx, p);
	p->home = home;
	TRY_MEM(ctx, p->name = tx_strdup(ctx, name));
	TRY_MEM(ctx, p->hkey = tx_strdup(ctx, name));
	ascii_lower(p->hkey, p->hkey, strlen(p->hkey));
	TRY(tx_hinsert(ctx, &ctx->principals, &p->h, p->hkey, strlen(p->hkey)));
	TRY(tx_mark(ctx, REC_PRINCIPAL, p, &p->mark));
	*out = p;
	return 0;
}

int avnm_principal_create(avnm_ctx *ctx, const char *name, const char *home_tenant)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, principal_create(ctx, name, home_tenant));
}

static int guest_add(avnm_ctx *ctx, const char *name, const char *tenant)
{
	struct tenant *t;
	TRY(arg_principal_name(ctx, name));
	TRY(arg_tenant(ctx, &t, tenant, 0));
	struct principal *p = principal_find(ctx, name);
	if (!p) return principal_not_found(ctx, name);
	TRY(tenant_required(ctx, t, tenant));
	if (has_account(p, t))
		return set_error(ctx, AVNM_E_EXISTS, "principal %s has an account in tenant %s already (%s)",
		                 p->name, t->id, p->home == t ? "home" : "guest");
	if (p->nguests >= MAX_GUESTS)
		return set_error(ctx, AVNM_E_LIMIT, "principal %s has the most guest accounts allowed (%d)",
		                 p->name, MAX_GUESTS);
	return guest_link(ctx, p, t);
}

int guest_link(avnm_ctx *ctx, struct principal *p, struct tenant *t)
{
	struct tenant **g = tx_alloc(ctx, (p->nguests + 1) * sizeof *g);
	TRY_MEM(ctx, g);
	if (p->nguests) memcpy(g, p->guests, p->nguests * sizeof *g);
	g[p->nguests] = t;
	TRY(tx_mark(ctx, REC_PRINCIPAL, p, &p->mark));
	TRY(tx_free_later(ctx, p->guests));
	TRY(tx_set_ptr(ctx, &p->guests, g));
	return tx_set_size(ctx, &p->nguests, p->nguests + 1);
}

int avnm_guest_add(avnm_ctx *ctx, const char *principal, const char *tenant)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, guest_add(ctx, principal, tenant));
}

static int role_assign(avnm_ctx *ctx, const char *name, avnm_role role, const char *scope_id,
                       const char *tenant)
{
	struct idparts ip;
	struct node *node;
	TRY(arg_principal_name(ctx, name));
	if (!avnm_role_name(role)) return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "unknown role %d", (int)role);
	TRY(resolve_resource(ctx, &ip, &node, scope_id, tenant));
	struct principal *p = principal_find(ctx, name);
	if (!p) return principal_not_found(ctx, name);
	if (!node)
		return set_error(ctx, AVNM_E_NOT_FOUND, "subscription %s of %s does not exist", ip.sub,
		                 ip.display);
	if (!has_account(p, node->tenant))
		return set_error(ctx, AVNM_E_NOT_FOUND,
		                 "principal %s is neither a member nor a guest of tenant %s (R6.1)", p->name,
		                 node->tenant->id);
	const char *key = ip.kind == IDK_MANAGEMENT_GROUP || ip.kind == IDK_SUBSCRIPTION
	                      ? node_role_key(node) : ip.key;
	for (struct hnode *h = htab_find(&ctx->roles, key, strlen(key)); h; h = htab_find_next(h)) {
		const struct assignment *a = CONTAINER(h, const struct assignment, h);
		if (a->who == p && a->role == role)
			return set_error(ctx, AVNM_E_EXISTS, "principal %s has role %s at %s already", p->name,
			                 avnm_role_name(role), ip.display);
	}
	return role_link(ctx, p, role, key,
	                 node && (ip.kind == IDK_MANAGEMENT_GROUP || ip.kind == IDK_SUBSCRIPTION)
	                     ? node->display : ip.display, node->tenant);
}

int role_link(avnm_ctx *ctx, struct principal *p, avnm_role role, const char *key,
              const char *display, struct tenant *t)
{
	struct assignment *a = tx_alloc(ctx, sizeof *a);
	TRY_MEM(ctx, a);
	a->who = p;
	a->role = role;
	a->tenant = t;
	TRY_MEM(ctx, a->hkey = tx_strdup(ctx, key));
	TRY_MEM(ctx, a->display = tx_strdup(ctx, display));
	TRY(tx_hinsert(ctx, &ctx->roles, &a->h, a->hkey, strlen(a->hkey)));
	return tx_mark(ctx, REC_ROLE, a, &a->mark);
}

int avnm_role_assign(avnm_ctx *ctx, const char *principal, avnm_role role, const char *scope_id,
                     const char *tenant)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, role_assign(ctx, principal, role, scope_id, tenant));
}

/* ---- the pure query ----------------------------------------------------------------- */

static int authorize(int *allowed, avnm_reason **reason, avnm_ctx *ctx, const char *name,
                     avnm_action action, const char *res, const char *tenant)
{
	struct idparts ip;
	struct node *node;
	if (action != AVNM_ACTION_READ && action != AVNM_ACTION_NETWORK_WRITE)
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "unknown action %d", (int)action);
	if (name) TRY(arg_principal_name(ctx, name));
	TRY(resolve_resource(ctx, &ip, &node, res, tenant));
	const char *act = action == AVNM_ACTION_READ ? "read" : "network write";
	avnm_reason *r;
	if (!name) {
		*allowed = 1;
		r = reason_new(&ctx->mem, AVNM_REASON_ALLOW_SYSTEM);
		reason_text(r, "allowed: the system caller is trusted (R6.5)");
	} else {
		struct principal *p = principal_find(ctx, name);
		if (!p) return principal_not_found(ctx, name);
		const struct assignment *g = NULL;
		if (node && has_account(p, node->tenant)) g = grant_on_id(ctx, p, &ip, node, action, 0);
		*allowed = g != NULL;
		if (g) {
			r = reason_new(&ctx->mem, AVNM_REASON_ALLOW_ROLE);
			reason_part(r, AVNM_PART_PRINCIPAL, p->name);
			reason_part(r, AVNM_PART_ROLE, avnm_role_name(g->role));
			reason_part(r, AVNM_PART_RESOURCE, g->display);
			reason_text(r, "allowed: principal %s holds role %s at %s, at or above %s", p->name,
			            avnm_role_name(g->role), g->display, ip.display);
		} else if (!node || !has_account(p, node->tenant)) {
			r = reason_new(&ctx->mem, AVNM_REASON_DENY_NO_ACCOUNT);
			reason_part(r, AVNM_PART_PRINCIPAL, p->name);
			if (node) reason_part(r, AVNM_PART_TENANT, node->tenant->id);
			reason_text(r, "denied: principal %s has no home or guest account in the tenant of %s",
			            p->name, ip.display);
		} else {
			r = reason_new(&ctx->mem, AVNM_REASON_DENY_NO_ROLE);
			reason_part(r, AVNM_PART_PRINCIPAL, p->name);
			reason_part(r, AVNM_PART_RESOURCE, ip.display);
			reason_part(r, AVNM_PART_TENANT, node->tenant->id);
			reason_text(r, "denied: no role of principal %s grants %s at or above %s in tenant %s",
			            p->name, act, ip.display, node->tenant->id);
		}
	}
	if (!reason) {
		avnm_reason_free(r);
		return 0;
	}
	*reason = reason_done(r);
	return *reason ? 0 : set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
}

int avnm_authorize(int *allowed, avnm_reason **reason, avnm_ctx *ctx, const char *principal,
                   avnm_action action, const char *resource_id, const char *tenant)
{
	if (reason) *reason = NULL;
	if (!ctx || !allowed) return AVNM_E_INVALID_ARGUMENT;
	*allowed = 0;
	rd_begin(ctx);
	int rc = authorize(allowed, reason, ctx, principal, action, resource_id, tenant);
	rd_end(ctx);
	if (rc) *allowed = 0;
	return rc;
}
