#include "expect.h"

#include <stdlib.h>
#include <string.h>

#include "avnm.h"
#include "run.h"
#include "script.h"

/* Large enough for any canonical id (see avnm_id_canonical). */
#define ID_MAX 2050

static const char *state_name(int state)
{
	const char *name = avnm_state_name((avnm_state)state);
	return name ? name : "unknown";
}

static const char *reason_text(const avnm_reason *why)
{
	const char *text = why ? avnm_reason_text(why) : NULL;
	return text && *text ? text : "no reason given";
}

/* The expectation could not even be asked: the query failed. */
static void query_failed(struct run *r, const char *want, int rc)
{
	expect_failed(r, "expected %s, found %s: %s", want, avnm_error_name(rc), run_errmsg(r));
}

/* ---- expect ok | error: the action right before ---- */

static void result_failed(struct run *r, const char *want)
{
	const struct stmt *last = r->last;
	if (r->last_rc == AVNM_OK)
		expect_failed(r, "expected %s, found ok (%s, line %zu)", want, last->verb->name,
		              last->line);
	else
		expect_failed(r, "expected %s, found %s: %s (%s, line %zu)", want,
		              avnm_error_name(r->last_rc), buf_str(&r->last_msg),
		              last->verb->name, last->line);
}

int expect_ok(struct run *r, const struct stmt *s)
{
	(void)s;
	if (r->last_rc != AVNM_OK)
		result_failed(r, "ok");
	return AVNM_OK;
}

int expect_error(struct run *r, const struct stmt *s)
{
	if (r->last_rc != s->word) {
		struct buf want = {0};
		buf_printf(&want, "error %s", avnm_error_name(s->word));
		result_failed(r, buf_str(&want));
		buf_free(&want);
	}
	return AVNM_OK;
}

/* ---- connection states ---- */

static void check_state(struct run *r, const struct stmt *s, int rc, avnm_state found,
                        const avnm_reason *why)
{
	struct buf want = {0};
	buf_printf(&want, "state %s", state_name(s->word));
	if (rc != AVNM_OK)
		query_failed(r, buf_str(&want), rc);
	else if ((int)found != s->word)
		expect_failed(r, "expected %s, found %s: %s", buf_str(&want), state_name((int)found),
		              reason_text(why));
	buf_free(&want);
}

int expect_scope_connection_state(struct run *r, const struct stmt *s)
{
	avnm_state state = AVNM_STATE_NONE;
	avnm_reason *why = NULL;
	int rc = avnm_scope_connection_state(&state, &why, r->ctx, s->pos[0], s->pos[1]);
	check_state(r, s, rc, state, why);
	avnm_reason_free(why);
	return AVNM_OK;
}

int expect_hub_connection_state(struct run *r, const struct stmt *s)
{
	avnm_state state = AVNM_STATE_NONE;
	avnm_reason *why = NULL;
	int rc = avnm_hub_connection_state(&state, &why, r->ctx, s->pos[0], s->pos[1]);
	check_state(r, s, rc, state, why);
	avnm_reason_free(why);
	return AVNM_OK;
}

/* ---- who manages what ---- */

int expect_manage(struct run *r, const struct stmt *s)
{
	const char *want = s->word ? "allow" : "deny";
	unsigned int access = 0;
	int allowed = 0;
	avnm_reason *why = NULL;
	int rc = run_access(r, s->pos[2], &access);
	if (rc == AVNM_OK)
		rc = avnm_can_manage(&allowed, &why, r->ctx, s->pos[0], s->pos[1], access,
		                     s->key[KEY_TENANT]);
	if (rc != AVNM_OK)
		query_failed(r, want, rc);
	else if (!allowed != !s->word)
		expect_failed(r, "expected %s, found %s: %s", want, allowed ? "allow" : "deny",
		              reason_text(why));
	avnm_reason_free(why);
	return AVNM_OK;
}

/* Canonical ids, to compare lists as R1.3 compares ids. */
struct ids {
	char **v;
	size_t n, cap;
};

static void ids_add(struct ids *ids, const char *id)
{
	ids->v = xgrow(ids->v, &ids->cap, ids->n + 1, sizeof *ids->v);
	ids->v[ids->n++] = xstrdup(id);
}

static void ids_free(struct ids *ids)
{
	for (size_t i = 0; i < ids->n; i++)
		free(ids->v[i]);
	free(ids->v);
}

static int compare_ids(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, each once. */
static void ids_make_set(struct ids *ids)
{
	size_t kept = 0;
	if (ids->n > 1) /* qsort wants a valid pointer even for 0 items */
		qsort(ids->v, ids->n, sizeof *ids->v, compare_ids);
	for (size_t i = 0; i < ids->n; i++) {
		if (kept && strcmp(ids->v[kept - 1], ids->v[i]) == 0)
			free(ids->v[i]);
		else
			ids->v[kept++] = ids->v[i];
	}
	ids->n = kept;
}

static int ids_equal(const struct ids *a, const struct ids *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}

/* The library's answer. An id it hands out that it cannot canonicalise is
 * kept as it is, so that the comparison fails visibly rather than quietly. */
static void ids_of_list(struct ids *ids, struct run *r, const avnm_list *list)
{
	char id[ID_MAX];
	for (size_t i = 0; i < avnm_list_count(list); i++) {
		const char *entry = avnm_list_get(list, i);
		ids_add(ids, avnm_id_canonical(id, sizeof id, r->ctx, entry) == AVNM_OK ? id : entry);
	}
}

/* The expected ids; 0, or -1 (reported) if one is no id at all. */
static int ids_of_args(struct ids *ids, struct run *r, const char *const *args, size_t n,
                       const char *want)
{
	char id[ID_MAX];
	for (size_t i = 0; i < n; i++) {
		int rc = avnm_id_canonical(id, sizeof id, r->ctx, args[i]);
		if (rc != AVNM_OK) {
			expect_failed(r, "expected %s: '%s' is no resource id: %s: %s", want, args[i],
			              avnm_error_name(rc), avnm_errmsg(r->ctx));
			return -1;
		}
		ids_add(ids, id);
	}
	return 0;
}

static void show_args(struct buf *b, const char *const *args, size_t n)
{
	buf_puts(b, "[");
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%s", i ? ", " : "", args[i]);
	buf_puts(b, "]");
}

static void show_list(struct buf *b, const avnm_list *list)
{
	buf_puts(b, "[");
	for (size_t i = 0; i < avnm_list_count(list); i++) {
		const char *tenant = avnm_list_tenant(list, i);
		buf_printf(b, "%s%s", i ? ", " : "", avnm_list_get(list, i));
		if (tenant)
			buf_printf(b, " (tenant %s)", tenant);
	}
	buf_puts(b, "]");
}

enum order { IN_ORDER, AS_SET };

/* The ids from positional `first` on are exactly those of found (rc: how the
 * query went). */
static void check_list(struct run *r, const struct stmt *s, const char *what, size_t first,
                       enum order order, int rc, const avnm_list *found)
{
	const char *const *expected = s->pos + first;
	size_t nexpected = s->npos - first;
	struct buf want = {0}, got = {0};
	struct ids want_ids = {0}, got_ids = {0};

	buf_printf(&want, "%s ", what);
	show_args(&want, expected, nexpected);
	if (rc != AVNM_OK) {
		query_failed(r, buf_str(&want), rc);
	} else if (ids_of_args(&want_ids, r, expected, nexpected, buf_str(&want)) == 0) {
		ids_of_list(&got_ids, r, found);
		if (order == AS_SET) {
			ids_make_set(&want_ids);
			ids_make_set(&got_ids);
		}
		if (!ids_equal(&want_ids, &got_ids)) {
			show_list(&got, found);
			expect_failed(r, "expected %s, found %s", buf_str(&want), buf_str(&got));
		}
	}
	ids_free(&want_ids);
	ids_free(&got_ids);
	buf_free(&want);
	buf_free(&got);
}

int expect_managers(struct run *r, const struct stmt *s)
{
	avnm_list *found = NULL;
	unsigned int access = 0;
	int rc = run_access(r, s->pos[1], &access);
	if (rc == AVNM_OK)
		rc = avnm_managers_of(&found, r->ctx, s->pos[0], access, s->key[KEY_TENANT]);
	/* R3.4: highest precedence first, so the order is part of the answer. */
	check_list(r, s, "managers", 2, IN_ORDER, rc, found);
	avnm_list_free(found);
	return AVNM_OK;
}

int expect_members(struct run *r, const struct stmt *s)
{
	avnm_list *found = NULL;
	int rc = avnm_group_members(&found, r->ctx, s->pos[0], s->pos[1]);
	check_list(r, s, "members", 2, AS_SET, rc, found);
	avnm_list_free(found);
	return AVNM_OK;
}

int expect_cross_tenant_scopes(struct run *r, const struct stmt *s)
{
	avnm_list *found = NULL;
	int rc = avnm_manager_cross_tenant_scopes(&found, r->ctx, s->pos[0]);
	/* A management-group id connected in two tenants counts once. */
	check_list(r, s, "cross-tenant scopes", 1, AS_SET, rc, found);
	avnm_list_free(found);
	return AVNM_OK;
}
