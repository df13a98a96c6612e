/* The directory (R2): tenants, management-group hierarchies, subscriptions and
 * virtual networks, and the edge that turns arguments into registry objects. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define MG_PREFIX "/providers/Microsoft.Management/managementGroups/"
#define MG_PREFIX_LOWER "/providers/microsoft.management/managementgroups/"

struct tenant *tenant_find(avnm_ctx *ctx, const char *guid)
{
	struct hnode *h = htab_find(&ctx->tenants, guid, strlen(guid));
	return h ? CONTAINER(h, struct tenant, h) : NULL;
}

static size_t mg_hkey(char *buf, size_t size, const struct tenant *t, const char *mgid_lower)
{
	return tenant_key(buf, size, "m/", 2, t->id, mgid_lower);
}

struct node *node_find_mg(avnm_ctx *ctx, struct tenant *t, const char *mgid_lower)
{
	char k[GUID_LEN + MG_NAME_MAX + 8];
	size_t n = mg_hkey(k, sizeof k, t, mgid_lower);
	struct hnode *h = htab_find(&ctx->nodes, k, n);
	return h ? CONTAINER(h, struct node, h) : NULL;
}

struct node *node_find_sub(avnm_ctx *ctx, const char *guid)
{
	/* (a string of another length is no subscription's) */
	if (strnlen(guid, GUID_LEN + 1) != GUID_LEN) return NULL;
	/* its key in ctx->nodes, "s/<guid>", here in the letter case given (the hash folds
	 * letter case, and the comparison too) */
	char k[2 + GUID_LEN];
	k[0] = 's';
	k[1] = '/';
	memcpy(k + 2, guid, GUID_LEN);
	struct hnode *h = htab_find_lower(&ctx->nodes, k, sizeof k);
	return h ? CONTAINER(h, struct node, h) : NULL;
}

struct node *node_of_item(avnm_ctx *ctx, struct tenant *t, const char *key, int is_mg)
{
	if (is_mg) return node_find_mg(ctx, t, key + strlen(MG_PREFIX_LOWER));
	return node_find_sub(ctx, key + strlen("/subscriptions/"));
}

int node_covers(const struct node *anc, const struct node *n)
{
	for (; n; n = n->parent)
		if (n == anc) return 1;
	return 0;
}

int arg_tenant(avnm_ctx *ctx, struct tenant **out, const char *text, int must_exist)
{
	char g[GUID_LEN + 1], msg[256];
	*out = NULL;
	if (!text) return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "tenant id is missing");
	/* A registered tenant as given (any letter case), without parsing: its key is its
	 * validated GUID in lower case, so a hit is a well-formed id. */
	size_t len = strnlen(text, GUID_LEN + 1);
	struct hnode *h = len == GUID_LEN ? htab_find_lower(&ctx->tenants, text, len) : NULL;
	if (h) {
		*out = CONTAINER(h, struct tenant, h);
		return 0;
	}
	if (guid_parse(g, text, msg, sizeof msg))
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "tenant id: %s", msg);
	*out = tenant_find(ctx, g);
	if (!*out && must_exist) return set_error(ctx, AVNM_E_NOT_FOUND, "tenant %s does not exist", g);
	return 0;
}

int tenant_required(avnm_ctx *ctx, struct tenant *t, const char *text)
{
	struct tenant *again;
	return t ? 0 : arg_tenant(ctx, &again, text, 1);
}

/* R7: a malformed group reference is invalid-argument whatever else is missing, so
 * every reference of a call is checked for form before anything is looked up. */
static int mg_syntax(avnm_ctx *ctx, const char *ref)
{
	char key[MG_NAME_MAX + 1], disp[MG_NAME_MAX + 1], msg[256];
	if (ref && mg_ref_parse(key, disp, ref, msg, sizeof msg))
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "management group: %s", msg);
	return 0;
}

int arg_mg(avnm_ctx *ctx, struct node **out, struct tenant *t, const char *ref)
{
	char key[MG_NAME_MAX + 1], disp[MG_NAME_MAX + 1], msg[256];
	*out = NULL;
	if (!ref) {
		*out = t->root;
		return 0;
	}
	if (mg_ref_parse(key, disp, ref, msg, sizeof msg))
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "management group: %s", msg);
	*out = node_find_mg(ctx, t, key);
	if (!*out)
		return set_error(ctx, AVNM_E_NOT_FOUND, "management group %s does not exist in tenant %s",
		                 disp, t->id);
	return 0;
}

int arg_sub(avnm_ctx *ctx, struct node **out, const char *ref)
{
	char g[GUID_LEN + 1], msg[256];
	*out = NULL;
	if (!ref) return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "subscription id is missing");
	if (sub_ref_parse(g, ref, msg, sizeof msg))
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "subscription: %s", msg);
	*out = node_find_sub(ctx, g);
	if (!*out) return set_error(ctx, AVNM_E_NOT_FOUND, "subscription %s does not exist", g);
	return 0;
}

int arg_name(avnm_ctx *ctx, const char *what, const char *name)
{
	if (!name || !name_valid_resource(name, strlen(name)))
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT,
		                 "%s name \"%.80s\" is invalid: 1-64 letters, digits, '_', '.', '-', "
		                 "starting with a letter or digit, ending with a letter, digit or '_'",
		                 what, name ? name : "(null)");
	return 0;
}

/* ---- nodes --------------------------------------------------------------------- */

static int node_new(avnm_ctx *ctx, struct node **out, struct tenant *t, enum node_kind kind,
                    const char *hkey, const char *key, const char *display, struct node *parent)
{
	/* one block: the node, then its hkey right after the table node that leads to it,
	 * then its key and display (a subscription's id is its canonical key: one string
	 * serves both) */
	size_t hl = strlen(hkey) + 1, kl = strlen(key) + 1;
	size_t dl = strcmp(key, display) == 0 ? 0 : strlen(display) + 1;
	struct node *n = tx_alloc(ctx, sizeof *n + hl + kl + dl);
	TRY_MEM(ctx, n);
	n->kind = kind;
	n->tenant = t;
	n->parent = parent;
	n->depth = parent ? parent->depth + 1 : 0;
	dl_init(&n->children);
	dl_init(&n->sibling);
	dl_init(&n->vnets);
	n->hkey = memcpy((char *)(n + 1), hkey, hl);
	n->key = memcpy(n->hkey + hl, key, kl);
	n->display = dl ? memcpy(n->key + kl, display, dl) : n->key;
	TRY(tx_hinsert(ctx, &ctx->nodes, &n->h, n->hkey, hl - 1));
	if (kind == NODE_MG) {
		const char *id = n->key + strlen(MG_PREFIX_LOWER);
		TRY(tx_hinsert(ctx, &ctx->mg_names, &n->h_name, id, strlen(id)));
	}
	if (parent) TRY(tx_dl_append(ctx, &parent->children, &n->sibling));
	if (parent) TRY(tx_mark(ctx, REC_NODE, n, &n->mark));
	if (kind == NODE_SUB) TRY(qcache_sub_new(ctx, n));
	*out = n;
	return 0;
}

static int mg_node_new(avnm_ctx *ctx, struct node **out, struct tenant *t, const char *key,
                       const char *disp, struct node *parent)
{
	char hk[GUID_LEN + MG_NAME_MAX + 8], k[sizeof MG_PREFIX + MG_NAME_MAX],
	    d[sizeof MG_PREFIX + MG_NAME_MAX];
	mg_hkey(hk, sizeof hk, t, key);
	str_join(k, sizeof k, MG_PREFIX_LOWER, key, (char *)NULL);
	str_join(d, sizeof d, MG_PREFIX, disp, (char *)NULL);
	return node_new(ctx, out, t, NODE_MG, hk, k, d, parent);
}

int tenant_link(avnm_ctx *ctx, struct tenant **out, const char *guid, const char *name)
{
	struct tenant *t = tx_alloc(ctx, sizeof *t);
	TRY_MEM(ctx, t);
	/* changed now: a new node's cache (flatgen 0) is stale */
	TRY(qcache_tenant_new(ctx, t));
	memcpy(t->id, guid, GUID_LEN + 1);
	dl_init(&t->sconns);
	dl_init(&t->hubs);
	if (name) TRY_MEM(ctx, t->name = tx_strdup(ctx, name));
	TRY(tx_hinsert(ctx, &ctx->tenants, &t->h, t->id, strlen(t->id)));
	TRY(tx_mark(ctx, REC_TENANT, t, &t->mark));
	*out = t;
	/* R2.1: the root management group's id is the tenant id. */
	return mg_node_new(ctx, &t->root, t, t->id, t->id, NULL);
}

static int tenant_create(avnm_ctx *ctx, const char *id, const char *name)
{
	struct tenant *t;
	TRY(arg_tenant(ctx, &t, id, 0));
	if (name && strlen(name) > 256)
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "tenant name longer than 256 bytes");
	if (t) return set_error(ctx, AVNM_E_EXISTS, "tenant %s exists already", t->id);
	char g[GUID_LEN + 1];
	guid_parse(g, id, NULL, 0);
	return tenant_link(ctx, &t, g, name);
}

int avnm_tenant_create(avnm_ctx *ctx, const char *tenant, const char *name)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, tenant_create(ctx, tenant, name));
}

static int mg_create(avnm_ctx *ctx, const char *tid, const char *mg, const char *parent)
{
	struct tenant *t;
	char key[MG_NAME_MAX + 1], disp[MG_NAME_MAX + 1], msg[256];
	if (!mg) return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "management group id is missing");
	if (mg_ref_parse(key, disp, mg, msg, sizeof msg))
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "management group: %s", msg);
	TRY(mg_syntax(ctx, parent));
	TRY(arg_tenant(ctx, &t, tid, 1));
	struct node *p;
	TRY(arg_mg(ctx, &p, t, parent));
	if (node_find_mg(ctx, t, key))
		return set_error(ctx, AVNM_E_EXISTS, "management group %s exists already in tenant %s",
		                 disp, t->id);
	if (t->nmgs >= ctx->max_mgs)
		return set_error(ctx, AVNM_E_LIMIT, "tenant %s has the most management groups allowed (%u)",
		                 t->id, ctx->max_mgs);
	if (p->depth + 1 > ctx->max_depth)
		return set_error(ctx, AVNM_E_LIMIT,
		                 "management group %s would be at depth %u below the root; at most %u "
		                 "levels are allowed (R2.3)", disp, p->depth + 1, ctx->max_depth);
	struct node *n;
	return mg_link(ctx, &n, t, key, disp, p);
}

int mg_link(avnm_ctx *ctx, struct node **out, struct tenant *t, const char *key, const char *disp,
            struct node *parent)
{
	TRY(mg_node_new(ctx, out, t, key, disp, parent));
	return tx_set_size(ctx, &t->nmgs, t->nmgs + 1);
}

int avnm_mg_create(avnm_ctx *ctx, const char *tenant, const char *mg, const char *parent)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, mg_create(ctx, tenant, mg, parent));
}

/* Levels of management groups below n, n itself excluded. */
static unsigned mg_height(const struct node *n)
{
	unsigned h = 0;
	for (const struct dl *c = n->children.next; c != &n->children; c = c->next) {
		const struct node *ch = CONTAINER(c, struct node, sibling);
		if (ch->kind != NODE_MG) continue;
		unsigned x = 1 + mg_height(ch);
		if (x > h) h = x;
	}
	return h;
}

static int set_depths(avnm_ctx *ctx, struct node *n, unsigned depth)
{
	TRY(tx_set_uint(ctx, &n->depth, depth));
	for (struct dl *c = n->children.next; c != &n->children; c = c->next)
		TRY(set_depths(ctx, CONTAINER(c, struct node, sibling), depth + 1));
	return 0;
}

/* Managers that hold n or anything above it: whose coverage a move may change. */
static int touch_chain(avnm_ctx *ctx, struct node *n)
{
	for (; n; n = n->parent)
		for (struct holding *h = n->holders; h; h = h->next) TRY(tx_touch(ctx, h->mgr));
	return 0;
}

static int reparent(avnm_ctx *ctx, struct node *n, struct node *p)
{
	TRY(tx_mark(ctx, REC_NODE, n, &n->mark));
	TRY(touch_chain(ctx, n));
	TRY(holdings_changed(ctx, n->tenant));
	TRY(tx_dl_unlink(ctx, &n->sibling));
	TRY(tx_set_ptr(ctx, &n->parent, p));
	TRY(tx_dl_append(ctx, &p->children, &n->sibling));
	TRY(set_depths(ctx, n, p->depth + 1));
	TRY(touch_chain(ctx, n));
	/* R4.5a: implied consent in this tenant may have started or lapsed. */
	return reevaluate_tenant_conns(ctx, n->tenant);
}

static int mg_move(avnm_ctx *ctx, const char *tid, const char *mg, const char *parent)
{
	struct tenant *t;
	char key[MG_NAME_MAX + 1], disp[MG_NAME_MAX + 1], msg[256];
	if (!mg || !parent)
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "management group and new parent are required");
	if (mg_ref_parse(key, disp, mg, msg, sizeof msg))
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "management group: %s", msg);
	TRY(mg_syntax(ctx, parent));
	TRY(arg_tenant(ctx, &t, tid, 1));
	struct node *n = node_find_mg(ctx, t, key), *p;
	if (!n)
		return set_error(ctx, AVNM_E_NOT_FOUND, "management group %s does not exist in tenant %s",
		                 disp, t->id);
	TRY(arg_mg(ctx, &p, t, parent));
	if (n == t->root)
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "the root management group of tenant %s "
		                 "cannot move (R2.1)", t->id);
	if (node_covers(n, p))
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT,
		                 "moving management group %s under %s would create a cycle (R2.4)",
		                 n->display, p->display);
	if (p == n->parent) return 0;
	unsigned deepest = p->depth + 1 + mg_height(n);
	if (deepest > ctx->max_depth)
		return set_error(ctx, AVNM_E_LIMIT,
		                 "moving management group %s under %s would put groups at depth %u; at "
		                 "most %u levels are allowed (R2.3)", n->display, p->display, deepest,
		                 ctx->max_depth);
	TRY(strict_move_check(ctx, n, p));
	return reparent(ctx, n, p);
}

int avnm_mg_move(avnm_ctx *ctx, const char *tenant, const char *mg, const char *parent)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, mg_move(ctx, tenant, mg, parent));
}

static int sub_create(avnm_ctx *ctx, const char *tid, const char *sub, const char *mg)
{
	char g[GUID_LEN + 1], msg[256];
	if (!sub) return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "subscription id is missing");
	if (sub_ref_parse(g, sub, msg, sizeof msg))
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "subscription: %s", msg);
	TRY(mg_syntax(ctx, mg));
	struct tenant *t;
	TRY(arg_tenant(ctx, &t, tid, 1));
	struct node *p;
	TRY(arg_mg(ctx, &p, t, mg));
	struct node *old = node_find_sub(ctx, g);
	if (old)
		return set_error(ctx, AVNM_E_EXISTS, "subscription %s exists already (in tenant %s)", g,
		                 old->tenant->id);
	struct node *n;
	return sub_link(ctx, &n, t, g, p);
}

int sub_link(avnm_ctx *ctx, struct node **out, struct tenant *t, const char *guid,
             struct node *parent)
{
	char hk[GUID_LEN + 4], k[GUID_LEN + 32];
	str_join(hk, sizeof hk, "s/", guid, (char *)NULL);
	str_join(k, sizeof k, "/subscriptions/", guid, (char *)NULL);
	return node_new(ctx, out, t, NODE_SUB, hk, k, k, parent);
}

int avnm_subscription_create(avnm_ctx *ctx, const char *tenant, const char *sub, const char *mg)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, sub_create(ctx, tenant, sub, mg));
}

static int sub_move(avnm_ctx *ctx, const char *sub, const char *mg)
{
	struct node *n, *p;
	char g[GUID_LEN + 1], key[MG_NAME_MAX + 1], disp[MG_NAME_MAX + 1], msg[256];
	if (!sub || sub_ref_parse(g, sub, msg, sizeof msg))
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "subscription: %s", sub ? msg : "missing");
	if (!mg || mg_ref_parse(key, disp, mg, msg, sizeof msg))
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "management group: %s", mg ? msg : "missing");
	TRY(arg_sub(ctx, &n, sub));
	TRY(arg_mg(ctx, &p, n->tenant, mg));
	if (p == n->parent) return 0;
	TRY(strict_move_check(ctx, n, p));
	return reparent(ctx, n, p);
}

int avnm_subscription_move(avnm_ctx *ctx, const char *sub, const char *mg)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, sub_move(ctx, sub, mg));
}

/* ---- virtual networks --------------------------------------------------------- */

int tags_valid(avnm_ctx *ctx, const avnm_tag *tags, size_t n)
{
	if (n && !tags) return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "tags missing");
	if (n > 50) return set_error(ctx, AVNM_E_LIMIT, "at most 50 tags");
	for (size_t i = 0; i < n; i++) {
		const char *k = tags[i].key, *v = tags[i].value;
		if (!k || !tag_key_valid(k, strlen(k)))
			return set_error(ctx, AVNM_E_INVALID_ARGUMENT,
			                 "tag key \"%.80s\" is invalid: 1-512 characters, none of <>%%&\\?/, "
			                 "no whitespace or control characters", k ? k : "(null)");
		if (!v || !tag_value_valid(v, strlen(v)))
			return set_error(ctx, AVNM_E_INVALID_ARGUMENT,
			                 "tag value for key %.80s is invalid: at most 256 characters, no control "
			                 "characters", k);
		for (size_t j = 0; j < i; j++) {
			size_t a = strlen(k);
			if (strlen(tags[j].key) != a) continue;
			char x[513], y[513];
			ascii_lower(x, k, a);
			ascii_lower(y, tags[j].key, a);
			if (memcmp(x, y, a) == 0)
				return set_error(ctx, AVNM_E_INVALID_ARGUMENT,
				                 "tag key %.80s is given twice (keys are case-insensitive)", k);
		}
	}
	return 0;
}

char *tag_hkey(const struct mem *m, const char *tenant, const char *key, const char *value)
{
	struct buf b;
	buf_init(&b, m);
	size_t kl = strlen(key);
	char *low = mem_strndup(m, key, kl);
	if (!low) return NULL;
	ascii_lower(low, key, kl);
	buf_puts(&b, tenant);
	buf_puts(&b, "\n");
	buf_puts(&b, low);
	buf_puts(&b, "\n");
	buf_puts(&b, value);
	mem_free(m, low);
	if (b.failed) {
		buf_fini(&b);
		return NULL;
	}
	return b.p;
}

static int vnet_create(avnm_ctx *ctx, const char *id, const char *region, const avnm_tag *tags,
                       size_t ntags)
{
	struct idparts p;
	char msg[256];
	if (!id) return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "virtual network id is missing");
	if (id_parse(&p, id, msg, sizeof msg)) return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "%s", msg);
	if (p.kind != IDK_VNET)
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "%s is not a virtual network id", p.display);
	if (region && (strlen(region) > 64 || !name_valid_mg(region, strlen(region))))
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "region \"%.80s\" is invalid", region);
	TRY(tags_valid(ctx, tags, ntags));
	/* the network's bucket, read and written below, is fetched while its subscription
	 * is looked up */
	uint64_t hash = hash_bytes(p.key, p.len);
	htab_prefetch(&ctx->vnets, hash);
	struct node *sub = node_find_sub(ctx, p.sub);
	if (!sub)
		return set_error(ctx, AVNM_E_NOT_FOUND, "subscription %s of virtual network %s does not exist",
		                 p.sub, p.display);
	if (htab_find_hashed(&ctx->vnets, p.key, p.len, hash))
		return set_error(ctx, AVNM_E_EXISTS, "virtual network %s exists already", p.display);
	struct vnet *v;
	return vnet_link(ctx, &v, &p, hash, sub, region, tags, ntags);
}

int vnet_link(avnm_ctx *ctx, struct vnet **out, const struct idparts *p, uint64_t hash,
              struct node *sub, const char *region, const avnm_tag *tags, size_t ntags)
{
	/* The key, and which of its letters were upper case as registered, live in the
	 * same block: a lookup then touches one allocation, not two. */
	unsigned char bits[(ID_MAX + 8) / 8];
	size_t nbits = case_bits(bits, p->display, p->key, p->len) ? (p->len + 7) / 8 : 0;
	struct vnet *v = tx_alloc(ctx, sizeof *v + p->len + 1 + nbits);
	TRY_MEM(ctx, v);
	v->sub = sub;
	dl_init(&v->in_sub);
	v->key = (char *)(v + 1);
	memcpy(v->key, p->key, p->len + 1);
	if (nbits) {
		v->upper = (unsigned char *)v->key + p->len + 1;
		memcpy(v->upper, bits, nbits);
	}
	if (region) TRY_MEM(ctx, v->region = tx_strdup(ctx, region));
	if (ntags) TRY_MEM(ctx, v->tags = tx_alloc(ctx, ntags * sizeof *v->tags));
	for (size_t i = 0; i < ntags; i++) {
		struct vtag *tg = &v->tags[i];
		tg->vnet = v;
		TRY_MEM(ctx, tg->key = tx_strdup(ctx, tags[i].key));
		TRY_MEM(ctx, tg->value = tx_strdup(ctx, tags[i].value));
		char *hk = tag_hkey(&ctx->mem, sub->tenant->id, tags[i].key, tags[i].value);
		TRY_MEM(ctx, hk);
		tg->hkey = tx_strdup(ctx, hk);
		mem_free(&ctx->mem, hk);
		TRY_MEM(ctx, tg->hkey);
		v->ntags = i + 1;
		TRY(tx_hinsert(ctx, &ctx->tags, &tg->h, tg->hkey, strlen(tg->hkey)));
	}
	TRY(tx_hinsert_hashed(ctx, &ctx->vnets, &v->h, v->key, p->len, hash));
	TRY(tx_dl_append(ctx, &sub->vnets, &v->in_sub));
	TRY(tx_mark(ctx, REC_VNET, v, &v->mark));
	*out = v;
	/* A new network may be a dynamic member of groups of managers covering it. */
	return touch_chain(ctx, sub);
}

int avnm_vnet_create(avnm_ctx *ctx, const char *vnet_id, const char *region, const avnm_tag *tags,
                     size_t ntags)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, vnet_create(ctx, vnet_id, region, tags, ntags));
}

/* ---- resolving ids --------------------------------------------------------------- */

const char *vnet_display(const struct vnet *v, char *buf)
{
	if (!v->upper) return v->key;
	size_t n = strlen(v->key);
	for (size_t i = 0; i < n; i++) {
		char c = v->key[i];
		buf[i] = v->upper[i / 8] >> (i % 8) & 1u ? (char)(c - 'a' + 'A') : c;
	}
	buf[n] = '\0';
	return buf;
}

int resolve_resource(avnm_ctx *ctx, struct idparts *p, struct node **node, const char *id,
                     const char *tenant)
{
	char msg[256];
	*node = NULL;
	if (!id) return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "resource id is missing");
	if (id_parse(p, id, msg, sizeof msg)) return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "%s", msg);
	struct tenant *t = NULL;
	if (tenant) TRY(arg_tenant(ctx, &t, tenant, 1));
	if (p->kind != IDK_MANAGEMENT_GROUP) {
		*node = node_find_sub(ctx, p->sub);
		if (*node && t && (*node)->tenant != t)
			return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "%s belongs to tenant %s, not %s",
			                 p->display, (*node)->tenant->id, t->id);
		return 0;
	}
	const char *mgid = p->key + p->mg.off;
	if (t) {
		*node = node_find_mg(ctx, t, mgid);
		if (!*node)
			return set_error(ctx, AVNM_E_NOT_FOUND, "management group %s does not exist in tenant %s",
			                 p->display, t->id);
		return 0;
	}
	/* R2.7: a group id names a group within a tenant; without one it must be unique. */
	struct hnode *h = htab_find(&ctx->mg_names, mgid, strlen(mgid));
	if (!h) return set_error(ctx, AVNM_E_NOT_FOUND, "management group %s does not exist", p->display);
	if (htab_find_next(h)) {
		struct buf b;
		buf_init(&b, &ctx->mem);
		for (struct hnode *x = h; x; x = htab_find_next(x))
			buf_printf(&b, "%s%s", x == h ? "" : ", ", CONTAINER(x, struct node, h_name)->tenant->id);
		int rc = set_error(ctx, AVNM_E_INVALID_ARGUMENT,
		                   "management group %s exists in several tenants (%s): name the tenant (R2.7)",
		                   p->display, b.p ? b.p : "");
		buf_fini(&b);
		return rc;
	}
	*node = CONTAINER(h, struct node, h_name);
	return 0;
}

int scope_nodes_into(avnm_ctx *ctx, struct node **arr, const avnm_scope *s, struct tenant *t,
                     const char *what)
{
	for (size_t i = 0; i < s->n; i++) {
		struct node *x = node_of_item(ctx, t, s->keys[i], s->is_mg[i]);
		if (!x && s->is_mg[i])
			return set_error(ctx, AVNM_E_NOT_FOUND, "%s: management group %s does not exist in tenant %s",
			                 what, s->display[i], t->id);
		if (!x) return set_error(ctx, AVNM_E_NOT_FOUND, "%s: subscription %s does not exist", what,
			                     s->display[i]);
		if (x->tenant != t)
			return set_error(ctx, AVNM_E_INVALID_ARGUMENT,
			                 "%s: subscription %s belongs to tenant %s, not tenant %s", what,
			                 s->display[i], x->tenant->id, t->id);
		arr[i] = x;
	}
	return 0;
}

int scope_nodes(avnm_ctx *ctx, struct node ***out, size_t *n, const avnm_scope *s,
                struct tenant *t, const char *what)
{
	*out = NULL;
	*n = 0;
	if (!s || !s->n) return 0;
	struct node **arr = tx_alloc(ctx, s->n * sizeof *arr);
	TRY_MEM(ctx, arr);
	TRY(scope_nodes_into(ctx, arr, s, t, what));
	*out = arr;
	*n = s->n;
	return 0;
}
