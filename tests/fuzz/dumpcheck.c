/* dumpcheck.h: a small reader of the dump's line format and the checks. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "dumpcheck.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avnm.h"

#define GUIDLEN 36
#define SUBPFX "/subscriptions/"
#define MGPFX "/providers/microsoft.management/managementgroups/"

struct field {
	char *name, *value;
};

struct line {
	char kind;
	char *key;
	struct field *f;
	size_t nf;
};

struct node {
	char *key;    /* "s/<guid>" or "m/<tenant>/<id>" */
	char tenant[GUIDLEN + 1];
	char *parent; /* node key of the parent, NULL for a root */
};

struct conn {
	int hub;
	char *mgr;    /* canonical manager id */
	char tenant[GUIDLEN + 1];
	char **items; /* node keys, sorted */
	size_t nitems;
	unsigned state, reason;
	int rejected, holds;
	const char *name;
};

struct mgr {
	char *key;
	char tenant[GUIDLEN + 1];
	unsigned acc;
	char **items;
	size_t nitems;
};

struct world {
	struct line *l;
	size_t nl;
	struct node *n;
	size_t nn;
	struct mgr *m;
	size_t nm;
	struct conn *c;
	size_t nc;
	char *why;
	size_t whysize;
};

#if defined(__GNUC__)
static int fail(struct world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#endif
static int fail(struct world *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->why, w->whysize, fmt, ap);
	va_end(ap);
	return -1;
}

/* One "name=value" or name="text" field at *p; the text is unescaped. */
static int parse_field(char **p, struct field *f)
{
	char *s = *p, *eq = strchr(s, '=');
	if (!eq || eq == s)
		return -1;
	f->name = strndup(s, (size_t)(eq - s));
	s = eq + 1;
	size_t cap = strlen(s) + 1, o = 0;
	char *v = malloc(cap);
	if (!f->name || !v) {
		free(v);
		return -1;
	}
	if (*s == '"') {
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\') {
				s++;
				if (*s == 'x') {
					unsigned x;
					if (sscanf(s + 1, "%2x", &x) != 1) {
						free(v);
						return -1;
					}
					v[o++] = (char)x;
					s += 2;
				} else if (*s == '"' || *s == '\\') {
					v[o++] = *s;
				} else {
					free(v);
					return -1;
				}
			} else {
				v[o++] = *s;
			}
		}
		if (*s != '"') {
			free(v);
			return -1;
		}
		s++;
	} else {
		while (*s && *s != ' ')
			v[o++] = *s++;
	}
	v[o] = '\0';
	f->value = v;
	if (*s == ' ')
		s++;
	*p = s;
	return 0;
}

static int parse_line(char *text, struct line *l)
{
	memset(l, 0, sizeof *l);
	if (!text[0] || text[1] != ' ')
		return -1;
	l->kind = text[0];
	char *s = text + 2, *sp = strchr(s, ' ');
	l->key = sp ? strndup(s, (size_t)(sp - s)) : strdup(s);
	if (!l->key)
		return -1;
	s = sp ? sp + 1 : s + strlen(s);
	size_t cap = 0;
	while (*s) {
		if (l->nf == cap) {
			cap = cap ? cap * 2 : 16;
			struct field *g = realloc(l->f, cap * sizeof *g);
			if (!g)
				return -1;
			l->f = g;
		}
		if (parse_field(&s, &l->f[l->nf]) != 0)
			return -1;
		l->nf++;
	}
	return 0;
}

static const char *get(const struct line *l, const char *name, size_t nth)
{
	for (size_t i = 0; i < l->nf; i++)
		if (strcmp(l->f[i].name, name) == 0 && nth-- == 0)
			return l->f[i].value;
	return NULL;
}

static unsigned uget(const struct line *l, const char *name)
{
	const char *v = get(l, name, 0);
	return v ? (unsigned)strtoul(v, NULL, 10) : 0u;
}

static char *node_key_of_item(const char *item, const char *tenant)
{
	char buf[4200];
	if (strncmp(item, SUBPFX, strlen(SUBPFX)) == 0)
		snprintf(buf, sizeof buf, "s/%s", item + strlen(SUBPFX));
	else if (strncmp(item, MGPFX, strlen(MGPFX)) == 0)
		snprintf(buf, sizeof buf, "m/%s/%s", tenant, item + strlen(MGPFX));
	else
		return NULL;
	return strdup(buf);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_items(const struct line *l, const char *tenant, char ***out, size_t *n)
{
	*n = uget(l, "items");
	*out = calloc(*n ? *n : 1, sizeof **out);
	if (!*out)
		return -1;
	for (size_t i = 0; i < *n; i++) {
		const char *it = get(l, "item", i);
		if (!it || !((*out)[i] = node_key_of_item(it, tenant)))
			return -1;
	}
	if (*n > 1)
		qsort(*out, *n, sizeof **out, cmp_str);
	return 0;
}

static const struct node *find_node(const struct world *w, const char *key)
{
	for (size_t i = 0; i < w->nn; i++)
		if (strcmp(w->n[i].key, key) == 0)
			return &w->n[i];
	return NULL;
}

static const struct mgr *find_mgr(const struct world *w, const char *key)
{
	for (size_t i = 0; i < w->nm; i++)
		if (strcmp(w->m[i].key, key) == 0)
			return &w->m[i];
	return NULL;
}

/* Does node key anc cover node key n (itself or an ancestor)? Roots are "m/<t>/<t>". */
static int covers(const struct world *w, const char *anc, const char *n)
{
	for (int hops = 0; n && hops < 200; hops++) {
		if (strcmp(anc, n) == 0)
			return 1;
		const struct node *x = find_node(w, n);
		n = x ? x->parent : NULL;
	}
	return 0;
}

static int same_items(const struct conn *a, const struct conn *b)
{
	if (a->nitems != b->nitems)
		return 0;
	for (size_t i = 0; i < a->nitems; i++)
		if (strcmp(a->items[i], b->items[i]) != 0)
			return 0;
	return 1;
}

static int matches(const struct conn *s, const struct conn *h)
{
	return !s->hub && h->hub && !s->rejected && strcmp(s->mgr, h->mgr) == 0 &&
	       strcmp(s->tenant, h->tenant) == 0 && same_items(s, h);
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static int build(struct world *w)
{
	for (size_t i = 0; i < w->nl; i++) {
		const struct line *l = &w->l[i];
		if (l->kind == 'T') {
			/* the root, implied by the tenant */
			struct node *n = &w->n[w->nn++];
			char buf[128];
			snprintf(buf, sizeof buf, "m/%s/%s", l->key, l->key);
			n->key = strdup(buf);
			snprintf(n->tenant, sizeof n->tenant, "%s", l->key);
			n->parent = NULL;
		} else if (l->kind == 'D') {
			const char *t = get(l, "tenant", 0), *p = get(l, "parent", 0);
			if (!t || !p || strlen(t) != GUIDLEN)
				return fail(w, "node %s without tenant or parent", l->key);
			struct node *n = &w->n[w->nn++];
			char buf[256];
			n->key = strdup(l->key);
			snprintf(n->tenant, sizeof n->tenant, "%s", t);
			snprintf(buf, sizeof buf, "m/%s/%s", t, p);
			n->parent = strdup(buf);
		}
	}
	/* managers after the nodes: the home tenant is their subscription's, and their
	 * management groups resolve in it */
	for (size_t i = 0; i < w->nl; i++) {
		const struct line *l = &w->l[i];
		if (l->kind != 'M')
			continue;
		struct mgr *m = &w->m[w->nm++];
		m->key = l->key;
		m->acc = uget(l, "accesses");
		char sub[128];
		snprintf(sub, sizeof sub, "s/%.36s", l->key + strlen(SUBPFX));
		const struct node *sn = find_node(w, sub);
		if (!sn)
			return fail(w, "manager %s in an unknown subscription", m->key);
		snprintf(m->tenant, sizeof m->tenant, "%s", sn->tenant);
		if (read_items(l, m->tenant, &m->items, &m->nitems) != 0)
			return fail(w, "manager %s: unreadable items", m->key);
	}
	for (size_t i = 0; i < w->nl; i++) {
		const struct line *l = &w->l[i];
		if (l->kind != 'C' && l->kind != 'H')
			continue;
		struct conn *c = &w->c[w->nc++];
		c->hub = l->kind == 'H';
		c->name = get(l, "name", 0);
		if (c->hub) {
			const char *m = get(l, "manager", 0);
			if (!m || strlen(l->key) < GUIDLEN)
				return fail(w, "hub %s without manager", l->key);
			c->mgr = strdup(m);
			lower(c->mgr);
			snprintf(c->tenant, sizeof c->tenant, "%.36s", l->key);
		} else {
			const char *t = get(l, "tenant", 0), *bar = strrchr(l->key, '|');
			if (!t || !bar)
				return fail(w, "scope connection %s without tenant", l->key);
			c->mgr = strndup(l->key, (size_t)(bar - l->key));
			snprintf(c->tenant, sizeof c->tenant, "%s", t);
			c->rejected = (int)uget(l, "rejected");
			c->holds = (int)uget(l, "holds");
		}
		c->state = uget(l, "state");
		c->reason = uget(l, "reason");
		if (!c->name || read_items(l, c->tenant, &c->items, &c->nitems) != 0)
			return fail(w, "connection %s: unreadable", l->key);
	}
	return 0;
}

static const char *conn_name(const struct conn *c)
{
	return c->name ? c->name : "?";
}

static int check(struct world *w)
{
	/* R3.3 */
	for (size_t a = 0; a < w->nm; a++) {
		for (size_t b = a + 1; b < w->nm; b++) {
			const struct mgr *x = &w->m[a], *y = &w->m[b];
			if (!(x->acc & y->acc))
				continue;
			/* every holding of x against every holding of y */
			for (size_t i = 0; i < w->nc + 1; i++) {
				const struct conn *ci = i < w->nc ? &w->c[i] : NULL;
				if (ci && (ci->hub || !ci->holds || strcmp(ci->mgr, x->key) != 0))
					continue;
				char **xi = ci ? ci->items : x->items;
				size_t xn = ci ? ci->nitems : x->nitems;
				const char *xt = ci ? ci->tenant : x->tenant;
				for (size_t j = 0; j < w->nc + 1; j++) {
					const struct conn *cj = j < w->nc ? &w->c[j] : NULL;
					if (cj && (cj->hub || !cj->holds || strcmp(cj->mgr, y->key) != 0))
						continue;
					char **yi = cj ? cj->items : y->items;
					size_t yn = cj ? cj->nitems : y->nitems;
					const char *yt = cj ? cj->tenant : y->tenant;
					if (strcmp(xt, yt) != 0)
						continue;
					for (size_t p = 0; p < xn; p++)
						for (size_t q = 0; q < yn; q++)
							if (strcmp(xi[p], yi[q]) == 0)
								return fail(w, "R3.3: %s is held directly by %s (%s) and %s (%s), accesses %u and %u",
								            xi[p], x->key, ci ? conn_name(ci) : "local scope", y->key,
								            cj ? conn_name(cj) : "local scope", x->acc, y->acc);
				}
			}
		}
	}
	for (size_t i = 0; i < w->nc; i++) {
		const struct conn *c = &w->c[i];
		if (c->state < AVNM_STATE_PENDING || c->state > AVNM_STATE_REJECTED)
			return fail(w, "%s has state %u", conn_name(c), c->state);
		if (!c->hub && c->holds != (c->state == AVNM_STATE_CONNECTED && c->reason == AVNM_REASON_CONNECTED))
			return fail(w, "scope connection %s of %s: holds=%d with state %u reason %u", conn_name(c),
			            c->mgr, c->holds, c->state, c->reason);
		if (c->hub && c->state == AVNM_STATE_REJECTED)
			return fail(w, "hub connection %s is Rejected", conn_name(c));
		if (!c->hub && c->rejected != (c->state == AVNM_STATE_REJECTED))
			return fail(w, "scope connection %s: rejected=%d, state %u", conn_name(c), c->rejected,
			            c->state);
		const struct conn *pair = NULL;
		for (size_t j = 0; j < w->nc && !pair; j++)
			if (c->hub ? matches(&w->c[j], c) : matches(c, &w->c[j]))
				pair = &w->c[j];
		if (c->state == AVNM_STATE_CONNECTED && c->reason == AVNM_REASON_CONNECTED &&
		    (!pair || pair->state != AVNM_STATE_CONNECTED))
			return fail(w, "%s connection %s (%s) is Connected with consent, but its counterpart %s",
			            c->hub ? "hub" : "scope", conn_name(c), c->mgr,
			            pair ? "is not Connected" : "does not exist");
		if (pair && pair->state != c->state)
			return fail(w, "matched pair %s (%s) and %s disagree: states %u and %u", conn_name(c),
			            c->hub ? "hub" : "scope", conn_name(pair), c->state, pair->state);
		if (c->state == AVNM_STATE_CONNECTED && c->reason == AVNM_REASON_CONNECTED_IMPLIED) {
			const struct mgr *m = find_mgr(w, c->mgr);
			if (!m || strcmp(m->tenant, c->tenant) != 0)
				return fail(w, "%s Connected by implied consent without its manager at home",
				            conn_name(c));
			for (size_t k = 0; k < c->nitems; k++) {
				int cov = 0;
				for (size_t q = 0; q < m->nitems && !cov; q++)
					cov = covers(w, m->items[q], c->items[k]);
				if (!cov)
					return fail(w, "%s Connected by implied consent, but %s is not in the local scope "
					               "of %s", conn_name(c), c->items[k], m->key);
			}
		}
	}
	return 0;
}

static void free_world(struct world *w)
{
	for (size_t i = 0; i < w->nl; i++) {
		for (size_t j = 0; j < w->l[i].nf; j++) {
			free(w->l[i].f[j].name);
			free(w->l[i].f[j].value);
		}
		free(w->l[i].f);
		free(w->l[i].key);
	}
	for (size_t i = 0; i < w->nn; i++) {
		free(w->n[i].key);
		free(w->n[i].parent);
	}
	for (size_t i = 0; i < w->nm; i++) {
		for (size_t j = 0; j < w->m[i].nitems; j++)
			free(w->m[i].items[j]);
		free(w->m[i].items);
	}
	for (size_t i = 0; i < w->nc; i++) {
		for (size_t j = 0; j < w->c[i].nitems; j++)
			free(w->c[i].items[j]);
		free(w->c[i].items);
		free(w->c[i].mgr);
	}
	free(w->l);
	free(w->n);
	free(w->m);
	free(w->c);
}

int dump_check(const char *dump, size_t len, char *why, size_t whysize)
{
	struct world w;
	memset(&w, 0, sizeof w);
	w.why = why;
	w.whysize = whysize;
	if (whysize)
		why[0] = '\0';
	char *text = malloc(len + 1);
	if (!text)
		return fail(&w, "out of memory");
	memcpy(text, dump, len);
	text[len] = '\0';
	size_t lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	w.l = calloc(lines + 1, sizeof *w.l);
	w.n = calloc(lines + 1, sizeof *w.n);
	w.m = calloc(lines + 1, sizeof *w.m);
	w.c = calloc(lines + 1, sizeof *w.c);
	int rc = (w.l && w.n && w.m && w.c) ? 0 : fail(&w, "out of memory");
	for (char *s = text; rc == 0 && *s;) {
		char *nl = strchr(s, '\n');
		if (!nl) {
			rc = fail(&w, "last line without newline");
			break;
		}
		*nl = '\0';
		if (parse_line(s, &w.l[w.nl]) != 0)
			rc = fail(&w, "line does not parse: %.200s", s);
		w.nl++;
		s = nl + 1;
	}
	for (size_t i = 1; rc == 0 && i < w.nl; i++)
		if (w.l[i - 1].kind > w.l[i].kind ||
		    (w.l[i - 1].kind == w.l[i].kind && strcmp(w.l[i - 1].key, w.l[i].key) >= 0))
			rc = fail(&w, "dump not sorted by key at %c %.200s", w.l[i].kind, w.l[i].key);
	if (rc == 0)
		rc = build(&w);
	if (rc == 0)
		rc = check(&w);
	free_world(&w);
	free(text);
	return rc;
}
