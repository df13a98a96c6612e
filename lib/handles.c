/* Handles: a handle remembers which object it was opened on (its key and serial
 * number), never a pointer into the registry. Every use looks the object up again,
 * so a deleted (or deleted and re-created) object gives AVNM_E_STALE_HANDLE, never
 * a dangling pointer: FFI callers hold handles across anything. */
#include <string.h>

#include "internal.h"

struct handle {
	avnm_ctx *ctx;
	uint64_t serial;
	char *a, *b;     /* lookup keys: manager id and connection name, or tenant and name */
	char *display;   /* id as registered, handed out by get_id */
};
struct avnm_manager {
	struct handle h;
};
struct avnm_scope_connection {
	struct handle h;
};
struct avnm_hub_connection {
	struct handle h;
};

static void handle_fini(struct handle *h)
{
	mem_free(&h->ctx->mem, h->a);
	mem_free(&h->ctx->mem, h->b);
	mem_free(&h->ctx->mem, h->display);
}

static int handle_init(struct handle *h, avnm_ctx *ctx, uint64_t serial, const char *a,
                       const char *b, const char *display)
{
	h->ctx = ctx;
	h->serial = serial;
	h->a = mem_strdup(&ctx->mem, a);
	h->b = b ? mem_strdup(&ctx->mem, b) : NULL;
	h->display = display ? mem_strdup(&ctx->mem, display) : NULL;
	if (!h->a || (b && !h->b) || (display && !h->display)) {
		handle_fini(h);
		return set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
	}
	return 0;
}

static int stale(avnm_ctx *ctx, const char *what, const char *name)
{
	return set_error(ctx, AVNM_E_STALE_HANDLE, "the %s %s this handle was opened on was deleted",
	                 what, name);
}

/* ---- managers ------------------------------------------------------------------------ */

static int manager_open(avnm_manager **out, avnm_ctx *ctx, const char *id)
{
	struct idparts p;
	TRY(manager_arg(ctx, &p, id));
	struct manager *m = manager_find(ctx, p.key);
	if (!m) return set_error(ctx, AVNM_E_NOT_FOUND, "network manager %s does not exist", p.display);
	avnm_manager *h = mem_alloc(&ctx->mem, sizeof *h);
	TRY_MEM(ctx, h);
	int rc = handle_init(&h->h, ctx, m->serial, m->key, NULL, m->display);
	if (rc) {
		mem_free(&ctx->mem, h);
		return rc;
	}
	*out = h;
	return 0;
}

int avnm_manager_open(avnm_manager **out, avnm_ctx *ctx, const char *manager_id)
{
	if (out) *out = NULL;
	if (!out || !ctx) return AVNM_E_INVALID_ARGUMENT;
	rd_begin(ctx);
	int rc = manager_open(out, ctx, manager_id);
	rd_end(ctx);
	return rc;
}

/* The live manager behind h, or NULL (message set). Under the read lock. */
static struct manager *live_manager(avnm_manager *h)
{
	struct manager *m = manager_find(h->h.ctx, h->h.a);
	if (m && m->serial == h->h.serial) return m;
	stale(h->h.ctx, "network manager", h->h.display);
	return NULL;
}

int avnm_manager_get_id(const char **id, avnm_manager *h)
{
	if (!id || !h) return AVNM_E_INVALID_ARGUMENT;
	rd_begin(h->h.ctx);
	struct manager *m = live_manager(h);
	rd_end(h->h.ctx);
	if (!m) return AVNM_E_STALE_HANDLE;
	*id = h->h.display;
	return 0;
}

int avnm_manager_get_accesses(unsigned int *accesses, avnm_manager *h)
{
	if (!accesses || !h) return AVNM_E_INVALID_ARGUMENT;
	rd_begin(h->h.ctx);
	struct manager *m = live_manager(h);
	if (m) *accesses = m->accesses;
	rd_end(h->h.ctx);
	return m ? 0 : AVNM_E_STALE_HANDLE;
}

int avnm_manager_get_scope(avnm_scope **scope, avnm_manager *h)
{
	if (!scope || !h) return AVNM_E_INVALID_ARGUMENT;
	*scope = NULL;
	avnm_ctx *ctx = h->h.ctx;
	rd_begin(ctx);
	struct manager *m = live_manager(h);
	int rc = m ? avnm_scope_new(scope, ctx) : AVNM_E_STALE_HANDLE;
	for (size_t i = 0; rc == 0 && i < m->nscope; i++) rc = avnm_scope_add(*scope, m->scope[i]->display);
	rd_end(ctx);
	if (rc && *scope) {
		avnm_scope_free(*scope);
		*scope = NULL;
	}
	return rc;
}

void avnm_manager_close(avnm_manager *h)
{
	if (!h) return;
	struct mem m = h->h.ctx->mem;
	handle_fini(&h->h);
	mem_free(&m, h);
}

/* ---- connections --------------------------------------------------------------------- */

static struct sconn *sconn_live(avnm_ctx *ctx, const char *mgr_key, const char *name_low)
{
	struct manager *m = manager_find(ctx, mgr_key);
	struct hnode *e = m ? htab_find(&m->sconns, name_low, strlen(name_low)) : NULL;
	return e ? CONTAINER(e, struct sconn, h) : NULL;
}

int avnm_scope_connection_open(avnm_scope_connection **out, avnm_ctx *ctx, const char *manager_id,
                               const char *name)
{
	if (out) *out = NULL;
	if (!out || !ctx) return AVNM_E_INVALID_ARGUMENT;
	rd_begin(ctx);
	int rc = sconn_state_locked(ctx, NULL, NULL, manager_id, name);
	if (rc == 0) {
		struct idparts p;
		manager_arg(ctx, &p, manager_id);
		char low[80];
		size_t n = strlen(name);
		ascii_lower(low, name, n);
		low[n] = '\0';
		struct sconn *s = sconn_live(ctx, p.key, low);
		avnm_scope_connection *h = mem_alloc(&ctx->mem, sizeof *h);
		rc = h ? handle_init(&h->h, ctx, s->serial, p.key, low, s->name)
		       : set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
		if (rc) mem_free(&ctx->mem, h);
		else *out = h;
	}
	rd_end(ctx);
	return rc;
}

int avnm_scope_connection_get_state(avnm_state *state, avnm_reason **reason,
                                    avnm_scope_connection *h)
{
	if (reason) *reason = NULL;
	if (!h) return AVNM_E_INVALID_ARGUMENT;
	avnm_ctx *ctx = h->h.ctx;
	rd_begin(ctx);
	struct sconn *s = sconn_live(ctx, h->h.a, h->h.b);
	int rc;
	if (!s || s->serial != h->h.serial) rc = stale(ctx, "scope connection", h->h.display);
	else rc = sconn_state_locked(ctx, state, reason, s->mgr->display, s->name);
	rd_end(ctx);
	return rc;
}

void avnm_scope_connection_close(avnm_scope_connection *h)
{
	if (!h) return;
	struct mem m = h->h.ctx->mem;
	handle_fini(&h->h);
	mem_free(&m, h);
}

static struct hconn *hub_live(avnm_ctx *ctx, const char *key)
{
	struct hnode *e = htab_find(&ctx->hubs, key, strlen(key));
	return e ? CONTAINER(e, struct hconn, h) : NULL;
}

int avnm_hub_connection_open(avnm_hub_connection **out, avnm_ctx *ctx, const char *tenant,
                             const char *name)
{
	if (out) *out = NULL;
	if (!out || !ctx) return AVNM_E_INVALID_ARGUMENT;
	rd_begin(ctx);
	int rc = hub_state_locked(ctx, NULL, NULL, tenant, name);
	if (rc == 0) {
		/* found just above, so both lookups succeed */
		struct tenant *t;
		arg_tenant(ctx, &t, tenant, 1);
		struct hconn *c = hub_find(ctx, t, name);
		avnm_hub_connection *h = mem_alloc(&ctx->mem, sizeof *h);
		rc = h ? handle_init(&h->h, ctx, c->serial, c->hkey, NULL, c->name)
		       : set_error(ctx, AVNM_E_NO_MEMORY, "out of memory");
		if (rc) mem_free(&ctx->mem, h);
		else *out = h;
	}
	rd_end(ctx);
	return rc;
}

int avnm_hub_connection_get_state(avnm_state *state, avnm_reason **reason, avnm_hub_connection *h)
{
	if (reason) *reason = NULL;
	if (!h) return AVNM_E_INVALID_ARGUMENT;
	avnm_ctx *ctx = h->h.ctx;
	rd_begin(ctx);
	struct hconn *c = hub_live(ctx, h->h.a);
	int rc;
	if (!c || c->serial != h->h.serial) rc = stale(ctx, "hub connection", h->h.display);
	else rc = hub_state_locked(ctx, state, reason, c->tenant->id, c->name);
	rd_end(ctx);
	return rc;
}

void avnm_hub_connection_close(avnm_hub_connection *h)
{
	if (!h) return;
	struct mem m = h->h.ctx->mem;
	handle_fini(&h->h);
	mem_free(&m, h);
}
