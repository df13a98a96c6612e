/* Values handed across the API: names of codes, reasons, lists and scopes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int ascii_ieq(const char *a, const char *b)
{
	for (;; a++, b++) {
		char x = *a, y = *b;
		if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
		if (x != y) return 0;
		if (!x) return 1;
	}
}

static const struct {
	int code;
	const char *name, *phrase;
} errors[] = {
	{ AVNM_OK, "ok", "success" },
	{ AVNM_E_INVALID_ARGUMENT, "invalid-argument", "invalid argument" },
	{ AVNM_E_NOT_FOUND, "not-found", "not found" },
	{ AVNM_E_EXISTS, "exists", "already exists" },
	{ AVNM_E_CONFLICT, "conflict", "conflict" },
	{ AVNM_E_FORBIDDEN, "forbidden", "forbidden" },
	{ AVNM_E_BUSY, "busy", "still in use" },
	{ AVNM_E_LIMIT, "limit", "limit exceeded" },
	{ AVNM_E_STORAGE, "storage", "storage failure" },
	{ AVNM_E_CORRUPT, "corrupt", "stored data is corrupt" },
	{ AVNM_E_NO_MEMORY, "no-memory", "out of memory" },
	{ AVNM_E_STALE_HANDLE, "stale-handle", "the handle's object was deleted" },
	{ AVNM_E_UNSUPPORTED, "unsupported", "not supported" },
};
#define NERRORS (sizeof errors / sizeof errors[0])

const char *avnm_error_name(int code)
{
	for (size_t i = 0; i < NERRORS; i++)
		if (errors[i].code == code) return errors[i].name;
	return "unknown";
}

int avnm_error_from_name(const char *name)
{
	if (!name) return 1;
	for (size_t i = 0; i < NERRORS; i++)
		if (ascii_ieq(errors[i].name, name)) return errors[i].code;
	return 1;
}

const char *avnm_strerror(int code)
{
	for (size_t i = 0; i < NERRORS; i++)
		if (errors[i].code == code) return errors[i].phrase;
	return "unknown error";
}

static const struct {
	unsigned bit;
	const char *name;
} accesses[] = {
	{ AVNM_ACCESS_CONNECTIVITY, "Connectivity" },
	{ AVNM_ACCESS_SECURITY_ADMIN, "SecurityAdmin" },
	{ AVNM_ACCESS_SECURITY_USER, "SecurityUser" },
	{ AVNM_ACCESS_ROUTING, "Routing" },
};

int avnm_access_parse(unsigned int *out, const char *name)
{
	if (!out || !name) return AVNM_E_INVALID_ARGUMENT;
	for (size_t i = 0; i < 4; i++)
		if (ascii_ieq(accesses[i].name, name)) {
			*out = accesses[i].bit;
			return AVNM_OK;
		}
	return AVNM_E_INVALID_ARGUMENT;
}

const char *avnm_access_name(unsigned int bit)
{
	for (size_t i = 0; i < 4; i++)
		if (accesses[i].bit == bit) return accesses[i].name;
	return NULL;
}

const char *access_list(char *buf, size_t size, unsigned a)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < 4; i++) {
		if (!(a & accesses[i].bit)) continue;
		int n = snprintf(buf + off, size - off, "%s%s", off ? "," : "", accesses[i].name);
		if (n < 0 || (size_t)n >= size - off) break;
		off += (size_t)n;
	}
	return buf;
}

static const char *const states[] = { "None", "Pending", "Connected", "Conflict", "Revoked",
	                                  "Rejected" };

const char *avnm_state_name(avnm_state s)
{
	return (unsigned)s < 6 ? states[s] : NULL;
}

int avnm_state_parse(avnm_state *out, const char *name)
{
	if (!out || !name) return AVNM_E_INVALID_ARGUMENT;
	for (unsigned i = 0; i < 6; i++)
		if (ascii_ieq(states[i], name)) {
			*out = (avnm_state)i;
			return AVNM_OK;
		}
	return AVNM_E_INVALID_ARGUMENT;
}

int avnm_role_parse(avnm_role *out, const char *name)
{
	if (!out || !name) return AVNM_E_INVALID_ARGUMENT;
	static const struct {
		const char *n;
		avnm_role r;
	} t[] = { { "Owner", AVNM_ROLE_OWNER },
		      { "Contributor", AVNM_ROLE_CONTRIBUTOR },
		      { "NetworkContributor", AVNM_ROLE_NETWORK_CONTRIBUTOR },
		      { "Network Contributor", AVNM_ROLE_NETWORK_CONTRIBUTOR },
		      { "Reader", AVNM_ROLE_READER } };
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (ascii_ieq(t[i].n, name)) {
			*out = t[i].r;
			return AVNM_OK;
		}
	return AVNM_E_INVALID_ARGUMENT;
}

const char *avnm_role_name(avnm_role role)
{
	switch (role) {
	case AVNM_ROLE_OWNER: return "Owner";
	case AVNM_ROLE_CONTRIBUTOR: return "Contributor";
	case AVNM_ROLE_NETWORK_CONTRIBUTOR: return "Network Contributor";
	case AVNM_ROLE_READER: return "Reader";
	}
	return NULL;
}

int avnm_member_type_parse(avnm_member_type *out, const char *name)
{
	if (!out || !name) return AVNM_E_INVALID_ARGUMENT;
	if (ascii_ieq(name, "VirtualNetwork")) *out = AVNM_MEMBER_VIRTUAL_NETWORK;
	else if (ascii_ieq(name, "Subnet")) *out = AVNM_MEMBER_SUBNET;
	else return AVNM_E_INVALID_ARGUMENT;
	return AVNM_OK;
}

/* ---- reasons ---------------------------------------------------------------- */

avnm_reason *reason_new(const struct mem *m, avnm_reason_code code)
{
	avnm_reason *r = mem_alloc(m, sizeof *r);
	if (!r) return NULL;
	r->mem = *m;
	r->code = code;
	return r;
}

/* A failed part or text leaves the reason usable but marks it incomplete by
 * dropping it whole: callers check for NULL once, at the end. */
static void reason_fail(avnm_reason **rp)
{
	avnm_reason_free(*rp);
	*rp = NULL;
}

void reason_part(avnm_reason *r, avnm_part_kind kind, const char *value)
{
	if (!r || !value) return;
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 4;
		struct rpart *p = mem_alloc(&r->mem, nc * sizeof *p);
		if (!p) {
			r->code = (avnm_reason_code)-1;
			return;
		}
		if (r->parts) memcpy(p, r->parts, r->n * sizeof *p);
		mem_free(&r->mem, r->parts);
		r->parts = p;
		r->cap = nc;
	}
	char *v = mem_strdup(&r->mem, value);
	if (!v) {
		r->code = (avnm_reason_code)-1;
		return;
	}
	r->parts[r->n].kind = kind;
	r->parts[r->n].value = v;
	r->n++;
}

void reason_text(avnm_reason *r, const char *fmt, ...)
{
	if (!r) return;
	struct buf b;
	buf_init(&b, &r->mem);
	va_list ap;
	va_start(ap, fmt);
	char small[512];
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof small) {
		buf_putn(&b, small, (size_t)n);
	} else if (n >= 0) {
		char *big = mem_alloc(&r->mem, (size_t)n + 1);
		if (big) {
			va_start(ap, fmt);
			vsnprintf(big, (size_t)n + 1, fmt, ap);
			va_end(ap);
			buf_putn(&b, big, (size_t)n);
			mem_free(&r->mem, big);
		} else {
			b.failed = 1;
		}
	}
	if (b.failed || !b.p) {
		buf_fini(&b);
		r->code = (avnm_reason_code)-1;
		return;
	}
	mem_free(&r->mem, r->text);
	r->text = b.p;
}

avnm_reason *reason_done(avnm_reason *r)
{
	if (r && (int)r->code == -1) reason_fail(&r);
	return r;
}

avnm_reason *reason_copy(const struct mem *m, const avnm_reason *src)
{
	avnm_reason *r = reason_new(m, src->code);
	for (size_t i = 0; r && i < src->n; i++) reason_part(r, src->parts[i].kind, src->parts[i].value);
	if (r && src->text) reason_text(r, "%s", src->text);
	return reason_done(r);
}

avnm_reason_code avnm_reason_get_code(const avnm_reason *r)
{
	return r ? r->code : AVNM_REASON_NONE;
}

const char *avnm_reason_text(const avnm_reason *r)
{
	return r && r->text ? r->text : "";
}

size_t avnm_reason_part_count(const avnm_reason *r)
{
	return r ? r->n : 0;
}

int avnm_reason_part(const avnm_reason *r, size_t i, avnm_part_kind *kind, const char **value)
{
	if (!r || i >= r->n) return AVNM_E_INVALID_ARGUMENT;
	if (kind) *kind = r->parts[i].kind;
	if (value) *value = r->parts[i].value;
	return AVNM_OK;
}

void avnm_reason_free(avnm_reason *r)
{
	if (!r) return;
	for (size_t i = 0; i < r->n; i++) mem_free(&r->mem, r->parts[i].value);
	mem_free(&r->mem, r->parts);
	mem_free(&r->mem, r->text);
	struct mem m = r->mem;
	mem_free(&m, r);
}

/* ---- lists ------------------------------------------------------------------ */

/* The empty answer: shared, read-only and never freed, so that a question whose answer
 * is empty allocates nothing (avnm_list_free passes it by). */
static avnm_list empty_list = { .e = empty_list.inl_e };

avnm_list *list_empty(void)
{
	return &empty_list;
}

avnm_list *list_new(const struct mem *m)
{
	/* not zeroed whole: the inline pool is written before it is read */
	avnm_list *l = m->alloc(m->opaque, sizeof *l);
	if (!l) return NULL;
	l->mem = *m;
	l->n = 0;
	l->cap = LIST_INLINE_ENTRIES;
	l->e = l->inl_e;
	l->pool = l->inl_pool;
	l->pool_left = sizeof l->inl_pool;
	l->chunk_size = 4096;
	l->chunks = NULL;
	return l;
}

/* A copy of s in the list's storage. */
static const char *list_str(avnm_list *l, const char *s)
{
	size_t n = strlen(s) + 1;
	if (n > l->pool_left) {
		while (l->chunk_size < n) l->chunk_size *= 2;
		struct lchunk *c = l->mem.alloc(l->mem.opaque, sizeof *c + l->chunk_size);
		if (!c) return NULL;
		c->next = l->chunks;
		l->chunks = c;
		l->pool = c->data;
		l->pool_left = l->chunk_size;
		if (l->chunk_size < 1u << 20) l->chunk_size *= 2;
	}
	char *d = l->pool;
	memcpy(d, s, n);
	l->pool += n;
	l->pool_left -= n;
	return d;
}

int list_add(avnm_list *l, const char *value, const char *tenant)
{
	if (l->n == l->cap) {
		size_t nc = l->cap * 2;
		struct lentry *e = l->mem.alloc(l->mem.opaque, nc * sizeof *e);
		if (!e) return AVNM_E_NO_MEMORY;
		memcpy(e, l->e, l->n * sizeof *e);
		if (l->e != l->inl_e) mem_free(&l->mem, l->e);
		l->e = e;
		l->cap = nc;
	}
	/* on failure the bytes already copied stay in the pool, unused */
	const char *v = list_str(l, value);
	const char *t = tenant && v ? list_str(l, tenant) : NULL;
	if (!v || (tenant && !t)) return AVNM_E_NO_MEMORY;
	l->e[l->n].value = v;
	l->e[l->n].tenant = t;
	l->n++;
	return AVNM_OK;
}

size_t avnm_list_count(const avnm_list *l)
{
	return l ? l->n : 0;
}

const char *avnm_list_get(const avnm_list *l, size_t i)
{
	return l && i < l->n ? l->e[i].value : NULL;
}

const char *avnm_list_tenant(const avnm_list *l, size_t i)
{
	return l && i < l->n ? l->e[i].tenant : NULL;
}

void avnm_list_free(avnm_list *l)
{
	if (!l || l == &empty_list) return;
	for (struct lchunk *c = l->chunks, *next; c; c = next) {
		next = c->next;
		mem_free(&l->mem, c);
	}
	if (l->e != l->inl_e) mem_free(&l->mem, l->e);
	struct mem m = l->mem;
	mem_free(&m, l);
}

/* ---- ids and scopes (R1) ---------------------------------------------------------- */

int avnm_id_canonical(char *buf, size_t size, avnm_ctx *ctx, const char *id)
{
	struct idparts p;
	char msg[256];
	if (!buf || !id) return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "NULL argument");
	if (id_parse(&p, id, msg, sizeof msg)) return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "%s", msg);
	if (p.len + 1 > size)
		return set_error(ctx, AVNM_E_LIMIT, "buffer of %zu bytes too small for %zu", size, p.len + 1);
	memcpy(buf, p.key, p.len + 1);
	return AVNM_OK;
}

#define SCOPE_MAX_ITEMS 1000

int avnm_scope_new(avnm_scope **out, avnm_ctx *ctx)
{
	if (!out) return set_error(ctx, AVNM_E_INVALID_ARGUMENT, "NULL out");
	const struct mem *m = ctx ? &ctx->mem : &mem_default;
	avnm_scope *s = mem_alloc(m, sizeof *s);
	*out = s;
	if (!s) return set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
	s->mem = *m;
	s->ctx = ctx;
	return AVNM_OK;
}

int scope_item_kind(const char *key)
{
	return strncmp(key, "/providers/", 11) == 0;
}

static size_t scope_lower_bound(const avnm_scope *s, const char *key, int *found)
{
	size_t lo = 0, hi = s->n;
	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->keys[mid], key);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

static int grow_arr(const struct mem *m, void **arr, size_t n, size_t nc, size_t elem)
{
	void *p = mem_alloc(m, nc * elem);
	if (!p) return -1;
	if (*arr) memcpy(p, *arr, n * elem);
	mem_free(m, *arr);
	*arr = p;
	return 0;
}

int avnm_scope_add(avnm_scope *s, const char *item)
{
	if (!s || !item) return AVNM_E_INVALID_ARGUMENT;
	struct idparts p;
	char msg[256];
	if (id_parse(&p, item, msg, sizeof msg))
		return set_error(s->ctx, AVNM_E_INVALID_ARGUMENT, "scope item: %s", msg);
	if (p.kind != IDK_SUBSCRIPTION && p.kind != IDK_MANAGEMENT_GROUP)
		return set_error(s->ctx, AVNM_E_INVALID_ARGUMENT,
		                 "scope item %s is not a subscription or management group (R1.6)",
		                 p.display);
	int found;
	size_t at = scope_lower_bound(s, p.key, &found);
	if (found) return AVNM_OK;
	if (s->n >= SCOPE_MAX_ITEMS)
		return set_error(s->ctx, AVNM_E_LIMIT, "a scope holds at most %d items", SCOPE_MAX_ITEMS);
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 4;
		if (grow_arr(&s->mem, (void **)&s->keys, s->n, nc, sizeof *s->keys) ||
		    grow_arr(&s->mem, (void **)&s->display, s->n, nc, sizeof *s->display) ||
		    grow_arr(&s->mem, (void **)&s->is_mg, s->n, nc, sizeof *s->is_mg))
			return set_error(s->ctx, AVNM_E_NO_MEMORY, "out of memory");
		s->cap = nc;
	}
	char *k = mem_strdup(&s->mem, p.key), *d = mem_strdup(&s->mem, p.display);
	if (!k || !d) {
		mem_free(&s->mem, k);
		mem_free(&s->mem, d);
		return set_error(s->ctx, AVNM_E_NO_MEMORY, "out of memory");
	}
	memmove(s->keys + at + 1, s->keys + at, (s->n - at) * sizeof *s->keys);
	memmove(s->display + at + 1, s->display + at, (s->n - at) * sizeof *s->display);
	memmove(s->is_mg + at + 1, s->is_mg + at, (s->n - at) * sizeof *s->is_mg);
	s->keys[at] = k;
	s->display[at] = d;
	s->is_mg[at] = p.kind == IDK_MANAGEMENT_GROUP;
	s->n++;
	return AVNM_OK;
}

size_t avnm_scope_count(const avnm_scope *s)
{
	return s ? s->n : 0;
}

const char *avnm_scope_item(const avnm_scope *s, size_t i)
{
	return s && i < s->n ? s->keys[i] : NULL;
}

int avnm_scope_equal(const avnm_scope *a, const avnm_scope *b)
{
	if (!a || !b) return a == b;
	if (a->n != b->n) return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->keys[i], b->keys[i]) != 0) return 0;
	return 1;
}

void avnm_scope_free(avnm_scope *s)
{
	if (!s) return;
	for (size_t i = 0; i < s->n; i++) {
		mem_free(&s->mem, s->keys[i]);
		mem_free(&s->mem, s->display[i]);
	}
	mem_free(&s->mem, s->keys);
	mem_free(&s->mem, s->display);
	mem_free(&s->mem, s->is_mg);
	struct mem m = s->mem;
	mem_free(&m, s);
}

/* ---- connection reasons --------------------------------------------------------- */

void detail_free(const struct mem *m, struct detail *d)
{
	if (d && --d->refs == 0) mem_free(m, d);
}

static char *detail_strings(struct detail *d)
{
	return (char *)&d->e[d->n];
}

struct detail *detail_alloc(const struct mem *m, size_t n, size_t strbytes)
{
	size_t size = sizeof(struct detail) + n * sizeof ((struct detail *)0)->e[0] + strbytes;
	struct detail *d = mem_alloc(m, size);
	if (!d) return NULL;
	d->refs = 1;
	d->n = n;
	return d;
}

static const char *detail_str(struct detail *d, const char *s)
{
	size_t len = strlen(s) + 1;
	char *at = detail_strings(d) + d->used;
	memcpy(at, s, len);
	d->used += len;
	return at;
}

void detail_put(struct detail *d, size_t i, const char *item, const char *manager,
                unsigned shared)
{
	d->e[i].item = detail_str(d, item);
	d->e[i].manager = detail_str(d, manager);
	d->e[i].shared = shared;
}

struct detail *detail_ref(struct detail *d)
{
	d->refs++;
	return d;
}

/* "item X is held by manager M for Connectivity,SecurityAdmin; ..." */
char *detail_text(const struct mem *m, const struct detail *d)
{
	struct buf b;
	buf_init(&b, m);
	char acc[128];
	for (size_t i = 0; d && i < d->n; i++)
		buf_printf(&b, "%s%s is held directly by network manager %s with shared access %s",
		           i ? "; " : "", d->e[i].item, d->e[i].manager,
		           access_list(acc, sizeof acc, d->e[i].shared));
	if (b.failed) {
		buf_fini(&b);
		return NULL;
	}
	return b.p ? b.p : mem_strdup(m, "");
}

avnm_reason *state_reason(avnm_ctx *ctx, avnm_state st, avnm_reason_code code,
                          const struct detail *d, const char *manager, const char *conn)
{
	avnm_reason *r = reason_new(&ctx->mem, code);
	reason_part(r, AVNM_PART_MANAGER, manager);
	reason_part(r, AVNM_PART_CONNECTION, conn);
	for (size_t i = 0; d && i < d->n; i++) {
		reason_part(r, AVNM_PART_ITEM, d->e[i].item);
		reason_part(r, AVNM_PART_MANAGER, d->e[i].manager);
		for (unsigned bit = 1; bit <= AVNM_ACCESS_ALL; bit <<= 1)
			if (d->e[i].shared & bit) reason_part(r, AVNM_PART_ACCESS, avnm_access_name(bit));
	}
	const char *sn = avnm_state_name(st);
	switch (code) {
	case AVNM_REASON_CONNECTED:
		reason_text(r, "%s: both connections exist and their scopes are equal", sn);
		break;
	case AVNM_REASON_CONNECTED_IMPLIED:
		reason_text(r, "%s: the local scope of network manager %s already covers this scope "
		               "in its own tenant (implied consent)", sn, manager);
		break;
	case AVNM_REASON_PENDING_NO_COUNTERPART:
		reason_text(r, "%s: no matching counterpart connection with exactly the same scope exists", sn);
		break;
	case AVNM_REASON_PENDING_NO_MANAGER:
		reason_text(r, "%s: network manager %s does not exist", sn, manager);
		break;
	case AVNM_REASON_PENDING_REJECTED:
		reason_text(r, "%s: the matching scope connection was rejected by the target tenant", sn);
		break;
	case AVNM_REASON_CONFLICT: {
		char *t = detail_text(&ctx->mem, d);
		reason_text(r, "%s: cannot have two network managers with overlapping scope accesses "
		               "applied to the same scope: %s", sn, t ? t : "");
		mem_free(&ctx->mem, t);
		break;
	}
	case AVNM_REASON_REVOKED:
		reason_text(r, "%s: the connection was Connected, and its counterpart was deleted", sn);
		break;
	case AVNM_REASON_REVOKED_IMPLIED_LAPSED:
		reason_text(r, "%s: connected by implied consent, which lapsed when the local scope of "
		               "network manager %s stopped covering it", sn, manager);
		break;
	case AVNM_REASON_REJECTED:
		reason_text(r, "%s: the target tenant declined this scope connection", sn);
		break;
	default:
		reason_text(r, "%s", sn ? sn : "unknown");
		break;
	}
	return reason_done(r);
}
