/* Network groups (R5): static members kept as records, dynamic conditions over the
 * tag index, and effective membership computed from the effective scope now. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct group *group_find(struct manager *m, const char *name)
{
	struct hnode *h = htab_find_lower(&m->groups, name, strlen(name));
	return h ? CONTAINER(h, struct group, h) : NULL;
}

/* Parse the manager id and group name, check R6.6, find both. */
static int locate(avnm_ctx *ctx, struct manager **m, struct group **g, const char *as,
                  const char *mgr_id, const char *name, struct idparts *mp, const char *rule,
                  const struct idparts *linked)
{
	TRY(manager_arg(ctx, mp, mgr_id));
	TRY(arg_name(ctx, "network group", name));
	TRY(authz_manager_write(ctx, as, mp, 0, rule));
	/* R6.4's second half is authorization too: before anything is looked up (R7). */
	if (linked) TRY(authz_vnet_write(ctx, as, linked));
	*m = manager_find(ctx, mp->key);
	if (!*m) return set_error(ctx, AVNM_E_NOT_FOUND, "network manager %s does not exist", mp->display);
	if (!g) return 0;
	*g = group_find(*m, name);
	if (!*g)
		return set_error(ctx, AVNM_E_NOT_FOUND, "network manager %s has no network group %s",
		                 (*m)->display, name);
	return 0;
}


/* ---- effective membership ------------------------------------------------------------ */

struct effset {
	avnm_ctx *ctx;
	struct {
		const char *key, *display; /* display NULL: rebuilt from vnet */
		const struct vnet *vnet;
	} *e;
	size_t n, cap;
	int failed;
};

static void eff_add(struct effset *s, const char *key, const char *display,
                    const struct vnet *vnet)
{
	if (s->failed) return;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 16;
		void *p = mem_alloc(&s->ctx->mem, nc * sizeof *s->e);
		if (!p) {
			s->failed = 1;
			return;
		}
		if (s->e) memcpy(p, s->e, s->n * sizeof *s->e);
		mem_free(&s->ctx->mem, s->e);
		s->e = p;
		s->cap = nc;
	}
	s->e[s->n].key = key;
	s->e[s->n].display = display;
	s->e[s->n].vnet = vnet;
	s->n++;
}

static const char *eff_display(const struct effset *s, size_t i, char *buf)
{
	return s->e[i].display ? s->e[i].display : vnet_display(s->e[i].vnet, buf);
}

static int cmp_eff(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int has_tags(const struct vnet *v, const struct cond *c)
{
	for (size_t i = 0; i < c->ntags; i++) {
		int ok = 0;
		size_t kl = strlen(c->keys[i]);
		for (size_t j = 0; j < v->ntags && !ok; j++) {
			/* the index key carries the lower-case tag key after the tenant */
			const char *hk = strchr(v->tags[j].hkey, '\n') + 1;
			ok = strncmp(hk, c->keys[i], kl) == 0 && hk[kl] == '\n' &&
			     strcmp(v->tags[j].value, c->values[i]) == 0;
		}
		if (!ok) return 0;
	}
	return 1;
}

static void dynamic_in(struct effset *s, const struct manager *m, const struct group *g,
                       const struct tenant *t)
{
	for (size_t c = 0; c < g->nconds; c++) {
		const struct cond *cd = g->conds[c];
		char *hk = tag_hkey(&s->ctx->mem, t->id, cd->keys[0], cd->values[0]);
		if (!hk) {
			s->failed = 1;
			return;
		}
		for (struct hnode *h = htab_find(&s->ctx->tags, hk, strlen(hk)); h; h = htab_find_next(h)) {
			const struct vnet *v = CONTAINER(h, struct vtag, h)->vnet;
			if (has_tags(v, cd) && covered_by(s->ctx, v->sub, m)) eff_add(s, v->key, NULL, v);
		}
		mem_free(&s->ctx->mem, hk);
	}
}

/* The effective members of g, sorted by key, each once. */
static int effective(avnm_ctx *ctx, struct effset *s, struct group *g)
{
	const struct manager *m = g->mgr;
	s->ctx = ctx;
	size_t pos = 0;
	struct hnode *e = NULL;
	while ((e = htab_iter(&g->members, &pos, e)) != NULL) {
		const struct member *mb = CONTAINER(e, const struct member, h);
		if (covered_by(ctx, mb->vnet->sub, m)) eff_add(s, mb->key, mb->display, NULL);
	}
	if (g->nconds) {
		/* R5.3: the home tenant; with the option, also connected tenants. */
		dynamic_in(s, m, g, m->home);
		if (ctx->flags & AVNM_OPT_CROSS_TENANT_DYNAMIC_MEMBERSHIP) {
			const struct tenant *done[64];
			size_t nd = 0;
			pos = 0;
			e = NULL;
			while ((e = htab_iter(&m->sconns, &pos, e)) != NULL) {
				const struct sconn *sc = CONTAINER(e, const struct sconn, h);
				int seen = sc->tenant == m->home || !sc->holds;
				for (size_t i = 0; i < nd && !seen; i++) seen = done[i] == sc->tenant;
				if (seen) continue;
				if (nd < sizeof done / sizeof done[0]) done[nd++] = sc->tenant;
				dynamic_in(s, m, g, sc->tenant);
			}
		}
	}
	if (s->failed) {
		mem_free(&ctx->mem, s->e);
		return set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
	}
	if (s->n > 1) qsort(s->e, s->n, sizeof *s->e, cmp_eff);
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++)
		if (!k || strcmp(s->e[k - 1].key, s->e[i].key) != 0) s->e[k++] = s->e[i];
	s->n = k;
	return 0;
}

static int member_event(avnm_ctx *ctx, avnm_event_kind kind, struct group *g, const char *res)
{
	avnm_event ev = { 0 };
	ev.kind = kind;
	ev.manager = g->mgr->display;
	ev.group = g->name;
	ev.resource = res;
	return tx_event(ctx, &ev);
}

static int eff_forget(avnm_ctx *ctx, struct group *g, struct eff *ef, int tell)
{
	if (tell) TRY(member_event(ctx, AVNM_EVENT_MEMBER_INEFFECTIVE, g, ef->display));
	TRY(tx_hremove(ctx, &g->eff, &ef->h));
	TRY(tx_free_later(ctx, ef->key));
	TRY(tx_free_later(ctx, ef->display));
	return tx_free_later(ctx, ef);
}

static int cmp_eff_ptr(const void *a, const void *b)
{
	const struct eff *x = *(const struct eff *const *)a, *y = *(const struct eff *const *)b;
	return strcmp(x->key, y->key);
}

/* The recorded effective members of g that are not in now (all, if now is NULL),
 * sorted by key. */
static int eff_stale(avnm_ctx *ctx, struct group *g, const struct effset *now, struct eff ***out,
                     size_t *n)
{
	*n = 0;
	*out = mem_alloc(&ctx->mem, (g->eff.n ? g->eff.n : 1) * sizeof **out);
	TRY_MEM(ctx, *out);
	size_t pos = 0;
	struct hnode *e = NULL;
	while ((e = htab_iter(&g->eff, &pos, e)) != NULL) {
		struct eff *ef = CONTAINER(e, struct eff, h);
		if (!now || !now->n || !bsearch(&ef->key, now->e, now->n, sizeof *now->e, cmp_eff))
			(*out)[(*n)++] = ef;
	}
	if (*n > 1) qsort(*out, *n, sizeof **out, cmp_eff_ptr);
	return 0;
}

/* Tell what became ineffective, then what became effective, each sorted by id. */
static int refresh_group(avnm_ctx *ctx, struct group *g)
{
	char buf[ID_MAX + 2];
	struct effset now = { 0 };
	TRY(effective(ctx, &now, g));
	struct eff **gone;
	size_t ngone;
	int rc = eff_stale(ctx, g, &now, &gone, &ngone);
	for (size_t i = 0; rc == 0 && i < ngone; i++) rc = eff_forget(ctx, g, gone[i], 1);
	mem_free(&ctx->mem, gone);
	for (size_t i = 0; rc == 0 && i < now.n; i++) {
		if (htab_find(&g->eff, now.e[i].key, strlen(now.e[i].key))) continue;
		struct eff *ef = tx_alloc(ctx, sizeof *ef);
		if (!ef || !(ef->key = tx_strdup(ctx, now.e[i].key)) ||
		    !(ef->display = tx_strdup(ctx, eff_display(&now, i, buf)))) {
			rc = set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
			break;
		}
		rc = tx_hinsert(ctx, &g->eff, &ef->h, ef->key, strlen(ef->key));
		if (!rc) rc = member_event(ctx, AVNM_EVENT_MEMBER_EFFECTIVE, g, ef->display);
	}
	mem_free(&ctx->mem, now.e);
	return rc;
}

int events_refresh(avnm_ctx *ctx)
{
	for (size_t i = 0; i < ctx->ntouched; i++) {
		struct manager *m = ctx->touched[i];
		size_t pos = 0;
		struct hnode *e = NULL;
		while ((e = htab_iter(&m->groups, &pos, e)) != NULL)
			TRY(refresh_group(ctx, CONTAINER(e, struct group, h)));
	}
	return 0;
}

/* ---- groups ------------------------------------------------------------------------- */

static int group_create(avnm_ctx *ctx, const char *as, const char *mgr_id, const char *name,
                        avnm_member_type type)
{
	struct idparts mp;
	struct manager *m;
	if (type != AVNM_MEMBER_VIRTUAL_NETWORK && type != AVNM_MEMBER_SUBNET)
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "unknown member type %d", (int)type);
	TRY(locate(ctx, &m, NULL, as, mgr_id, name, &mp, "R6.6", NULL));
	if (group_find(m, name))
		return set_error(ctx, AVNM_E_EXISTS, "network manager %s has a network group %s already",
		                 m->display, name);
	struct group *g;
	return group_link(ctx, &g, m, name, type);
}

int group_link(avnm_ctx *ctx, struct group **out, struct manager *m, const char *name,
               avnm_member_type type)
{
	struct group *g = tx_alloc(ctx, sizeof *g);
	TRY_MEM(ctx, g);
	g->serial = next_serial(ctx);
	g->mgr = m;
	g->type = type;
	TRY_MEM(ctx, g->name = tx_strdup(ctx, name));
	TRY_MEM(ctx, g->hkey = tx_strdup(ctx, name));
	ascii_lower(g->hkey, g->hkey, strlen(g->hkey));
	TRY(tx_htab_init(ctx, &g->members, 8));
	TRY(tx_htab_init(ctx, &g->eff, 8));
	TRY(tx_hinsert(ctx, &m->groups, &g->h, g->hkey, strlen(g->hkey)));
	TRY(tx_mark(ctx, REC_GROUP, g, &g->mark));
	*out = g;
	return tx_touch(ctx, m);
}

int avnm_group_create(avnm_ctx *ctx, const char *as, const char *manager_id, const char *group,
                      avnm_member_type type)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, group_create(ctx, as, manager_id, group, type));
}

static int member_forget(avnm_ctx *ctx, struct group *g, struct member *mb)
{
	TRY(tx_mark(ctx, REC_MEMBER, mb, &mb->mark));
	TRY(tx_hremove(ctx, &g->members, &mb->h));
	TRY(tx_free_later(ctx, mb->key));
	TRY(tx_free_later(ctx, mb->display));
	return tx_free_later(ctx, mb);
}

int group_delete_internal(avnm_ctx *ctx, struct group *g)
{
	struct eff **gone;
	size_t ngone;
	TRY(eff_stale(ctx, g, NULL, &gone, &ngone));
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < ngone; i++) rc = eff_forget(ctx, g, gone[i], ctx->event_fn != NULL);
	mem_free(&ctx->mem, gone);
	TRY(rc);
	while (g->members.n) {
		size_t pos = 0;
		TRY(member_forget(ctx, g, CONTAINER(htab_iter(&g->members, &pos, NULL), struct member, h)));
	}
	TRY(tx_mark(ctx, REC_GROUP, g, &g->mark));
	TRY(tx_hremove(ctx, &g->mgr->groups, &g->h));
	for (size_t i = 0; i < g->nconds; i++) {
		struct cond *c = g->conds[i];
		for (size_t j = 0; j < c->ntags; j++) {
			TRY(tx_free_later(ctx, c->keys[j]));
			TRY(tx_free_later(ctx, c->values[j]));
		}
		void *parts[] = { c->keys, c->values, c };
		for (size_t j = 0; j < 3; j++) TRY(tx_free_later(ctx, parts[j]));
	}
	TRY(tx_htab_fini_later(ctx, &g->members));
	TRY(tx_htab_fini_later(ctx, &g->eff));
	void *parts[] = { g->conds, g->name, g->hkey, g };
	for (size_t j = 0; j < 4; j++) TRY(tx_free_later(ctx, parts[j]));
	return 0;
}

static int group_delete(avnm_ctx *ctx, const char *as, const char *mgr_id, const char *name)
{
	struct idparts mp;
	struct manager *m;
	struct group *g;
	TRY(locate(ctx, &m, &g, as, mgr_id, name, &mp, "R6.6", NULL));
	return group_delete_internal(ctx, g);
}

int avnm_group_delete(avnm_ctx *ctx, const char *as, const char *manager_id, const char *group)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, group_delete(ctx, as, manager_id, group));
}

/* ---- members ------------------------------------------------------------------------- */

static int parse_member(avnm_ctx *ctx, struct idparts *rp, const char *res)
{
	char msg[256];
	if (!res) return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "member resource id is missing");
	if (id_parse(rp, res, msg, sizeof msg)) return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "%s", msg);
	if (rp->kind != IDK_VNET && rp->kind != IDK_SUBNET)
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT,
		                 "%s is neither a virtual network nor a subnet", rp->display);
	return 0;
}

static int member_add(avnm_ctx *ctx, const char *as, const char *mgr_id, const char *name,
                      const char *res)
{
	struct idparts mp, rp;
	struct manager *m;
	struct group *g;
	TRY(parse_member(ctx, &rp, res));
	TRY(locate(ctx, &m, &g, as, mgr_id, name, &mp, "R6.4", &rp));
	size_t vlen = rp.kind == IDK_SUBNET ? rp.name.off + rp.name.len : rp.len;
	struct hnode *vh = htab_find(&ctx->vnets, rp.key, vlen);
	if (!vh)
		return set_error(ctx, AVNM_E_NOT_FOUND, "virtual network %.*s is not registered", (int)vlen,
		                 rp.display);
	avnm_member_type want = rp.kind == IDK_SUBNET ? AVNM_MEMBER_SUBNET : AVNM_MEMBER_VIRTUAL_NETWORK;
	if (want != g->type)
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "network group %s takes %s members, not %s",
		                 g->name, g->type == AVNM_MEMBER_SUBNET ? "Subnet" : "VirtualNetwork",
		                 rp.display);
	if (htab_find(&g->members, rp.key, rp.len))
		return set_error(ctx, AVNM_E_EXISTS, "%s is a member of network group %s already", rp.display,
		                 g->name);
	return member_link(ctx, g, &rp, CONTAINER(vh, struct vnet, h));
}

int member_link(avnm_ctx *ctx, struct group *g, const struct idparts *rp, struct vnet *v)
{
	struct member *mb = tx_alloc(ctx, sizeof *mb);
	TRY_MEM(ctx, mb);
	mb->vnet = v;
	mb->group = g;
	TRY_MEM(ctx, mb->key = tx_strdup(ctx, rp->key));
	TRY_MEM(ctx, mb->display = tx_strdup(ctx, rp->display));
	TRY(tx_hinsert(ctx, &g->members, &mb->h, mb->key, strlen(mb->key)));
	TRY(tx_mark(ctx, REC_MEMBER, mb, &mb->mark));
	return tx_touch(ctx, g->mgr);
}

int avnm_member_add(avnm_ctx *ctx, const char *as, const char *manager_id, const char *group,
                    const char *resource_id)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, member_add(ctx, as, manager_id, group, resource_id));
}

static int member_remove(avnm_ctx *ctx, const char *as, const char *mgr_id, const char *name,
                         const char *res)
{
	struct idparts mp, rp;
	struct manager *m;
	struct group *g;
	TRY(parse_member(ctx, &rp, res));
	TRY(locate(ctx, &m, &g, as, mgr_id, name, &mp, "R6.6", NULL));
	struct hnode *h = htab_find(&g->members, rp.key, rp.len);
	if (!h)
		return set_error(ctx, AVNM_E_NOT_FOUND, "%s is not a static member of network group %s",
		                 rp.display, g->name);
	(void)m;
	TRY(member_forget(ctx, g, CONTAINER(h, struct member, h)));
	return tx_touch(ctx, g->mgr);
}

int avnm_member_remove(avnm_ctx *ctx, const char *as, const char *manager_id, const char *group,
                       const char *resource_id)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, member_remove(ctx, as, manager_id, group, resource_id));
}

static int condition_add(avnm_ctx *ctx, const char *as, const char *mgr_id, const char *name,
                         const avnm_tag *tags, size_t ntags)
{
	struct idparts mp;
	struct manager *m;
	struct group *g;
	if (!ntags) return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "a condition needs at least one tag");
	TRY(tags_valid(ctx, tags, ntags));
	TRY(locate(ctx, &m, &g, as, mgr_id, name, &mp, "R6.6", NULL));
	if (g->type != AVNM_MEMBER_VIRTUAL_NETWORK)
		return set_error(ctx, AVNM_E_INVALID_ARGUMENT,
		                 "network group %s takes Subnet members: conditions select virtual networks",
		                 g->name);
	if (g->nconds >= 100) return set_error(ctx, AVNM_E_LIMIT, "at most 100 conditions per group");
	(void)m;
	return cond_link(ctx, g, tags, ntags);
}

int cond_link(avnm_ctx *ctx, struct group *g, const avnm_tag *tags, size_t ntags)
{
	struct cond *c = tx_alloc(ctx, sizeof *c);
	TRY_MEM(ctx, c);
	TRY_MEM(ctx, c->keys = tx_alloc(ctx, ntags * sizeof *c->keys));
	TRY_MEM(ctx, c->values = tx_alloc(ctx, ntags * sizeof *c->values));
	c->ntags = ntags;
	for (size_t i = 0; i < ntags; i++) {
		TRY_MEM(ctx, c->keys[i] = tx_strdup(ctx, tags[i].key));
		ascii_lower(c->keys[i], c->keys[i], strlen(c->keys[i]));
		TRY_MEM(ctx, c->values[i] = tx_strdup(ctx, tags[i].value));
	}
	struct cond **all = tx_alloc(ctx, (g->nconds + 1) * sizeof *all);
	TRY_MEM(ctx, all);
	if (g->nconds) memcpy(all, g->conds, g->nconds * sizeof *all);
	all[g->nconds] = c;
	TRY(tx_mark(ctx, REC_GROUP, g, &g->mark));
	TRY(tx_free_later(ctx, g->conds));
	TRY(tx_set_ptr(ctx, &g->conds, all));
	TRY(tx_set_size(ctx, &g->nconds, g->nconds + 1));
	return tx_touch(ctx, g->mgr);
}

int avnm_group_condition_add(avnm_ctx *ctx, const char *as, const char *manager_id,
                             const char *group, const avnm_tag *tags, size_t ntags)
{
	if (!ctx) return AVNM_E_INVALID_ARGUMENT;
	tx_begin(ctx);
	return tx_end(ctx, condition_add(ctx, as, manager_id, group, tags, ntags));
}

static int members(avnm_list **out, avnm_ctx *ctx, const char *mgr_id, const char *name)
{
	struct idparts mp;
	struct manager *m;
	struct group *g;
	TRY(locate(ctx, &m, &g, NULL, mgr_id, name, &mp, "R6.6", NULL));
	struct effset s = { 0 };
	TRY(effective(ctx, &s, g));
	avnm_list *l = list_new(&ctx->mem);
	int rc = l ? 0 : AVNM_E_NO_MEMORY;
	char buf[ID_MAX + 2];
	for (size_t i = 0; rc == 0 && i < s.n; i++) rc = list_add(l, eff_display(&s, i, buf), NULL);
	mem_free(&ctx->mem, s.e);
	if (rc) {
		avnm_list_free(l);
		return set_error(ctx, rc, "out of memory");
	}
	*out = l;
	return 0;
}

int avnm_group_members(avnm_list **out, avnm_ctx *ctx, const char *manager_id, const char *group)
{
	if (out) *out = NULL;
	if (!ctx || !out) return AVNM_E_INVALID_ARGUMENT;
	rd_begin(ctx);
	int rc = members(out, ctx, manager_id, group);
	rd_end(ctx);
	return rc;
}
