/*
 * A scenario file parsed whole: variables substituted, keys sorted out and
 * keywords checked, so that nothing runs from a file with a malformed line.
 */
#ifndef AVNM_CLI_SCRIPT_H
#define AVNM_CLI_SCRIPT_H

#include <stddef.h>

#include "avnm.h"
#include "report.h"
#include "verbs.h"

struct stmt {
	const struct verb *verb;
	size_t line;
	char **tokens; /* owned, variables substituted; the fields below point into them */
	size_t ntokens;
	const char **pos; /* positional arguments after the command's words */
	size_t npos;
	const char *key[KEY_COUNT]; /* value of each key given, else NULL */
	avnm_tag *tags;
	size_t ntags;
	int word;    /* the keyword argument, if any: error code, avnm_state, 1 allow or
	                force, 0 deny */
	int checked; /* an action that an `expect ok|error` checks */
};

struct script {
	struct stmt *stmts; /* what runs: `let` is done while parsing */
	size_t nstmts, cap;
	size_t statements;   /* every non-blank line, `let` included */
	size_t expectations;
};

/* Read and parse path. Problems are added to rep (status STATUS_BROKEN) and
 * the result is then not to be run; either way free the script afterwards. */
void script_load(struct script *s, const char *path, struct report *rep);
void script_free(struct script *s);

#endif
