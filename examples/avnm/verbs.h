/*
 * The scenario language as a table: each command's words, positional
 * arguments, keys and the function that runs it. The parser, the runner and
 * `avnm --help` all read this one table, so a command is described once.
 */
#ifndef AVNM_CLI_VERBS_H
#define AVNM_CLI_VERBS_H

#include <stddef.h>

/* Every key=value key of the language. */
enum key {
	KEY_NAME,
	KEY_PARENT,
	KEY_MG,
	KEY_REGION,
	KEY_HOME,
	KEY_TENANT,
	KEY_ACCESS,
	KEY_SCOPE,
	KEY_MANAGER,
	KEY_MEMBER_TYPE,
	KEY_COUNT
};
#define KEYBIT(k) (1u << (k))

/* Prefix of the tag keys (`tag.env=prod`) of the commands that take tags. */
#define TAG_PREFIX "tag."

/* Kinds of positional argument, as letters of verb.args. The keyword kinds
 * are checked while parsing, so that a typo in an expectation is a parse
 * error rather than a failure it would be easy to misread. */
#define ARG_TEXT 's'    /* passed to the library as written */
#define ARG_ERROR 'e'   /* an R7 error name */
#define ARG_STATE 'S'   /* a connection state name */
#define ARG_VERDICT 'v' /* allow | deny */
#define ARG_FORCE 'f'   /* the word `force` */
#define ARGS_OPTIONAL '?' /* the arguments after it may be left out */
#define ARGS_MORE '*'     /* any number more of the last kind */

#define VERB_ACTION (1u << 0)  /* calls the library; `expect ok|error` may check it */
#define VERB_RESULT (1u << 1)  /* `expect ok|error`: checks the action right before */
#define VERB_EXPECT (1u << 2)  /* counts as an expectation */
#define VERB_TAGS (1u << 3)    /* takes tag.K=V keys */
#define VERB_TAGS_REQUIRED (1u << 4)

struct run;
struct stmt;
/* Runs one statement. Actions return 0 or the avnm_error of the failed call;
 * expectations report their own failures and return 0. */
typedef int verb_fn(struct run *r, const struct stmt *s);

struct verb {
	const char *name;   /* one or more words, e.g. "expect state hub-connection" */
	const char *args;   /* positional kinds, see ARG_* */
	unsigned int keys;  /* KEYBIT()s allowed */
	unsigned int required; /* KEYBIT()s that must be given */
	unsigned int flags; /* VERB_* */
	verb_fn *run;
	const char *usage;
};

const char *key_name(enum key k);
/* The key called `name` (case-insensitive), or KEY_COUNT. */
enum key key_find(const char *name);

/* The command whose words start tokens (case-insensitive); *nwords gets the
 * number of its words. Without one, NULL, and *nwords the most leading tokens
 * that begin some command's name (for the message). */
const struct verb *verb_find(char *const *tokens, size_t ntokens, size_t *nwords);
/* The whole table, for the help text. */
const struct verb *verb_table(size_t *count);

#endif
