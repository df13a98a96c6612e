/*
 * Running a parsed scenario against a fresh context, and what the commands
 * and expectations share while they run.
 */
#ifndef AVNM_CLI_RUN_H
#define AVNM_CLI_RUN_H

#include "avnm.h"
#include "report.h"
#include "script.h"
#include "util.h"

struct run {
	avnm_ctx *ctx;
	const char *as; /* principal of the following commands; NULL: system */
	struct report *rep;
	const struct stmt *stmt; /* running now */
	/* Set when the CLI refuses an argument itself before calling the library
	 * (an unknown access or role): the context then has no message for it. */
	struct buf cli_msg;
	/* The last action and how it ended, for `expect ok|error`. */
	const struct stmt *last;
	int last_rc;
	struct buf last_msg;
};

/* Run every statement of s, reporting into rep: in world, or (world NULL) in a
 * new context of its own. */
void run_script(struct report *rep, const struct script *s, avnm_ctx *world);

/* Refuse an argument: sets the message, returns AVNM_E_INVALID_ARGUMENT. */
int cli_error(struct run *r, const char *fmt, ...) CLI_PRINTF(2, 3);
/* The message of the failure just seen: the CLI's own, else the context's. */
const char *run_errmsg(const struct run *r);
/* An expectation of the running statement did not hold. */
void expect_failed(struct run *r, const char *fmt, ...) CLI_PRINTF(2, 3);
/* One access by name, or cli_error(). */
int run_access(struct run *r, const char *name, unsigned int *bit);

#endif
