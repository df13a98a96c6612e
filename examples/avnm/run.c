#include "run.h"

#include <stdarg.h>

int cli_error(struct run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_clear(&r->cli_msg);
	buf_vprintf(&r->cli_msg, fmt, ap);
	va_end(ap);
	return AVNM_E_INVALID_ARGUMENT;
}

const char *run_errmsg(const struct run *r)
{
	return r->cli_msg.len ? buf_str(&r->cli_msg) : avnm_errmsg(r->ctx);
}

void expect_failed(struct run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report_vadd(r->rep, STATUS_FAILED, r->stmt->line, fmt, ap);
	va_end(ap);
}

int run_access(struct run *r, const char *name, unsigned int *bit)
{
	if (avnm_access_parse(bit, name) == AVNM_OK)
		return AVNM_OK;
	return cli_error(r, "unknown access '%s' (Connectivity, SecurityAdmin, SecurityUser, "
	                    "Routing)", name);
}

/* Keep an action's outcome for the `expect ok|error` after it; one that failed
 * with nothing to expect its error is a failure of its own. */
static void action_done(struct run *r, const struct stmt *st, int rc)
{
	r->last = st;
	r->last_rc = rc;
	buf_clear(&r->last_msg);
	if (rc == AVNM_OK)
		return;
	buf_puts(&r->last_msg, run_errmsg(r));
	if (!st->checked)
		report_add(r->rep, STATUS_FAILED, st->line, "%s failed: %s: %s", st->verb->name,
		           avnm_error_name(rc), buf_str(&r->last_msg));
}

void run_script(struct report *rep, const struct script *s, avnm_ctx *world)
{
	struct run r = {.rep = rep, .ctx = world};
	int rc = AVNM_OK;
	if (!world && (rc = avnm_ctx_new(&r.ctx, NULL)) != AVNM_OK) {
		report_add(rep, STATUS_BROKEN, 0, "cannot create a context: %s",
		           avnm_error_name(rc));
		return;
	}
	for (size_t i = 0; i < s->nstmts; i++) {
		const struct stmt *st = &s->stmts[i];
		r.stmt = st;
		buf_clear(&r.cli_msg);
		rc = st->verb->run(&r, st);
		if (st->verb->flags & VERB_ACTION)
			action_done(&r, st, rc);
	}
	rep->commands = s->statements;
	rep->expectations = s->expectations;
	if (!world)
		avnm_ctx_free(r.ctx);
	buf_free(&r.cli_msg);
	buf_free(&r.last_msg);
}
