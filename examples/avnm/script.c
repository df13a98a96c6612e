#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* getline, strcasecmp */
#endif
#include "script.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

struct var {
	char *name, *value;
};

/* What `expect ok|error` would check: it must come right after an action. */
enum prev {
	PREV_NONE,   /* nothing yet */
	PREV_ACTION, /* an action, at prev_stmt */
	PREV_OTHER,  /* `as` or an expectation */
	PREV_BAD     /* a line with a parse error, already reported */
};

struct parser {
	struct script *script;
	struct report *rep;
	size_t line;
	struct var *vars;
	size_t nvars, varcap;
	char **raw; /* the current line's tokens, reused from line to line */
	size_t rawcap;
	enum prev prev;
	size_t prev_stmt;
};

static void parse_error(struct parser *p, const char *fmt, ...) CLI_PRINTF(2, 3);

static void parse_error(struct parser *p, const char *fmt, ...)
{
	struct buf msg = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	report_add(p->rep, STATUS_BROKEN, p->line, "parse error: %s", buf_str(&msg));
	buf_free(&msg);
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Split line in place into p->raw; a token that starts with '#' starts a comment. */
static size_t split(struct parser *p, char *line)
{
	size_t n = 0;
	for (char *c = line;;) {
		while (is_blank(*c))
			c++;
		if (*c == '\0' || *c == '#')
			return n;
		p->raw = xgrow(p->raw, &p->rawcap, n + 1, sizeof *p->raw);
		p->raw[n++] = c;
		while (*c != '\0' && !is_blank(*c))
			c++;
		if (*c != '\0')
			*c++ = '\0';
	}
}

static const char *var_get(const struct parser *p, const char *name, size_t len)
{
	for (size_t i = 0; i < p->nvars; i++)
		if (strlen(p->vars[i].name) == len && memcmp(p->vars[i].name, name, len) == 0)
			return p->vars[i].value;
	return NULL;
}

/* Define or redefine a variable; takes value over. */
static void var_set(struct parser *p, const char *name, char *value)
{
	for (size_t i = 0; i < p->nvars; i++) {
		if (strcmp(p->vars[i].name, name) == 0) {
			free(p->vars[i].value);
			p->vars[i].value = value;
			return;
		}
	}
	p->vars = xgrow(p->vars, &p->varcap, p->nvars + 1, sizeof *p->vars);
	p->vars[p->nvars++] = (struct var){xstrdup(name), value};
}

/* A token after expanding variables may be at most this long: ids are at most 2 KiB,
 * and without a bound forty `let` lines doubling a value would ask for terabytes. */
#define EXPANDED_MAX (1u << 20)

/* The token with each $NAME replaced (longest name), in *out to free. */
static int expand(struct parser *p, const char *tok, char **out)
{
	struct buf b = {0};
	for (const char *c = tok; *c != '\0';) {
		size_t plain = strcspn(c, "$");
		buf_add(&b, c, plain);
		c += plain;
		if (*c == '\0')
			break;
		size_t len = 0;
		while (is_name_char(c[1 + len]))
			len++;
		const char *value = len ? var_get(p, c + 1, len) : NULL;
		if (!value) {
			if (len)
				parse_error(p, "undefined variable $%.*s",
				            len > INT_MAX ? INT_MAX : (int)len, c + 1);
			else
				parse_error(p, "'$' without a variable name in '%s'", tok);
			buf_free(&b);
			return -1;
		}
		if (b.len + strlen(value) > EXPANDED_MAX) {
			parse_error(p, "'%.40s...' is longer than %u bytes once its variables are "
			               "expanded", tok, EXPANDED_MAX);
			buf_free(&b);
			return -1;
		}
		buf_puts(&b, value);
		c += 1 + len;
	}
	*out = buf_take(&b);
	return 0;
}

static int parse_let(struct parser *p, size_t n)
{
	if (n != 3) {
		parse_error(p, "wrong number of arguments for 'let' (usage: let NAME VALUE)");
		return -1;
	}
	const char *name = p->raw[1];
	int good = is_name_start(name[0]);
	for (const char *c = name; good && *c; c++)
		good = is_name_char(*c);
	if (!good) {
		parse_error(p, "bad variable name '%s' (letters, digits and '_', not starting "
		               "with a digit)", name);
		return -1;
	}
	char *value;
	if (expand(p, p->raw[2], &value) != 0) {
		/* Defined all the same, so that each later use is not one more error. */
		var_set(p, name, xstrdup(""));
		return -1;
	}
	var_set(p, name, value);
	return 0;
}

static void stmt_free(struct stmt *st)
{
	for (size_t i = 0; i < st->ntokens; i++)
		free(st->tokens[i]);
	free(st->tokens);
	free(st->pos);
	free(st->tags);
}

static void unknown_command(struct parser *p, const struct stmt *st, size_t known)
{
	struct buf words = {0};
	size_t shown = known < st->ntokens ? known + 1 : known;
	for (size_t i = 0; i < shown; i++) {
		if (i)
			buf_puts(&words, " ");
		buf_puts(&words, st->tokens[i]);
	}
	parse_error(p, "%s command '%s' (see avnm --help)",
	            known == st->ntokens ? "incomplete" : "unknown", buf_str(&words));
	buf_free(&words);
}

/* Tag keys are data, not keywords: the library judges them (empty, or the same
 * key twice in any case), so that such a line is the command's invalid-argument. */
static void add_tag(struct stmt *st, const char *key, const char *value)
{
	if (!st->tags)
		st->tags = xmalloc(st->ntokens * sizeof *st->tags);
	st->tags[st->ntags++] = (avnm_tag){key + strlen(TAG_PREFIX), value};
}

/* Sort one argument into a key, a tag or the next positional. */
static int classify(struct parser *p, struct stmt *st, char *tok)
{
	const struct verb *v = st->verb;
	char *eq = strchr(tok, '=');
	if (!eq) {
		st->pos[st->npos++] = tok;
		return 0;
	}
	*eq = '\0';
	if ((v->flags & VERB_TAGS) && strncasecmp(tok, TAG_PREFIX, strlen(TAG_PREFIX)) == 0) {
		add_tag(st, tok, eq + 1);
		return 0;
	}
	enum key k = key_find(tok);
	if (k == KEY_COUNT || !(v->keys & KEYBIT(k))) {
		parse_error(p, "unknown key '%s' for '%s' (usage: %s)", tok, v->name, v->usage);
		return -1;
	}
	if (st->key[k]) {
		parse_error(p, "duplicate key '%s'", tok);
		return -1;
	}
	st->key[k] = eq + 1;
	return 0;
}

/* Kind of positional i in an args spec (ARG_* letters and markers). */
static char arg_kind(const char *spec, size_t i)
{
	char last = ARG_TEXT;
	for (; *spec != '\0'; spec++) {
		if (*spec == ARGS_OPTIONAL || *spec == ARGS_MORE)
			continue;
		if (i-- == 0)
			return *spec;
		last = *spec;
	}
	return last;
}

static const char *error_name_at(int i)
{
	const char *name = avnm_error_name(-i);
	return strcmp(name, "unknown") != 0 ? name : NULL;
}

static const char *state_name_at(int i)
{
	return avnm_state_name((avnm_state)i);
}

/* "a, b, c" from the names name_at gives from first until NULL: the library
 * is the one list of names, so a new error code or state shows up here too. */
static void list_names(struct buf *b, const char *(*name_at)(int), int first)
{
	for (int i = first; name_at(i); i++)
		buf_printf(b, "%s%s", i == first ? "" : ", ", name_at(i));
}

static int check_word(struct parser *p, struct stmt *st, char kind, const char *word)
{
	struct buf names = {0};
	avnm_state state;
	switch (kind) {
	case ARG_ERROR:
		st->word = avnm_error_from_name(word);
		if (st->word < 0)
			return 0;
		list_names(&names, error_name_at, 1);
		parse_error(p, "unknown error code '%s' (%s)", word, buf_str(&names));
		break;
	case ARG_STATE:
		if (avnm_state_parse(&state, word) == AVNM_OK) {
			st->word = (int)state;
			return 0;
		}
		list_names(&names, state_name_at, AVNM_STATE_NONE);
		parse_error(p, "unknown state '%s' (%s)", word, buf_str(&names));
		break;
	case ARG_VERDICT:
		st->word = strcasecmp(word, "allow") == 0;
		if (st->word || strcasecmp(word, "deny") == 0)
			return 0;
		parse_error(p, "expected allow or deny, found '%s'", word);
		break;
	case ARG_FORCE:
		st->word = 1;
		if (strcasecmp(word, "force") == 0)
			return 0;
		parse_error(p, "unexpected argument '%s' (usage: %s)", word, st->verb->usage);
		break;
	default:
		return 0;
	}
	buf_free(&names);
	return -1;
}

static int check_args(struct parser *p, struct stmt *st)
{
	const char *spec = st->verb->args;
	size_t min = 0, max = 0;
	int optional = 0, more = 0;
	for (const char *c = spec; *c != '\0'; c++) {
		if (*c == ARGS_OPTIONAL) {
			optional = 1;
		} else if (*c == ARGS_MORE) {
			more = 1;
		} else {
			max++;
			min += !optional;
		}
	}
	if (st->npos < min || (!more && st->npos > max)) {
		parse_error(p, "wrong number of arguments for '%s' (usage: %s)", st->verb->name,
		            st->verb->usage);
		return -1;
	}
	for (size_t i = 0; i < st->npos; i++)
		if (check_word(p, st, arg_kind(spec, i), st->pos[i]) != 0)
			return -1;
	return 0;
}

static int check_keys(struct parser *p, const struct stmt *st)
{
	const struct verb *v = st->verb;
	for (enum key k = 0; k < KEY_COUNT; k++) {
		if ((v->required & KEYBIT(k)) && !st->key[k]) {
			parse_error(p, "missing %s= (usage: %s)", key_name(k), v->usage);
			return -1;
		}
	}
	if ((v->flags & VERB_TAGS_REQUIRED) && st->ntags == 0) {
		parse_error(p, "missing %sKEY=VALUE (usage: %s)", TAG_PREFIX, v->usage);
		return -1;
	}
	return 0;
}

/* `expect ok|error` checks the action right before it, and only that one. */
static int link_result(struct parser *p, const struct stmt *st)
{
	if (!(st->verb->flags & VERB_RESULT))
		return 0;
	if (p->prev == PREV_ACTION) {
		p->script->stmts[p->prev_stmt].checked = 1;
		return 0;
	}
	if (p->prev != PREV_BAD)
		parse_error(p, "'%s' without a command right before it to check", st->verb->name);
	return -1;
}

static void add_stmt(struct parser *p, const struct stmt *st)
{
	struct script *s = p->script;
	s->stmts = xgrow(s->stmts, &s->cap, s->nstmts + 1, sizeof *s->stmts);
	s->stmts[s->nstmts] = *st;
	p->prev = (st->verb->flags & VERB_ACTION) ? PREV_ACTION : PREV_OTHER;
	p->prev_stmt = s->nstmts++;
	if (st->verb->flags & VERB_EXPECT)
		s->expectations++;
}

static int parse_stmt(struct parser *p, size_t n)
{
	struct stmt st = {.line = p->line};
	st.tokens = xmalloc(n * sizeof *st.tokens);
	for (; st.ntokens < n; st.ntokens++)
		if (expand(p, p->raw[st.ntokens], &st.tokens[st.ntokens]) != 0)
			goto bad;
	size_t nwords;
	st.verb = verb_find(st.tokens, n, &nwords);
	if (!st.verb) {
		unknown_command(p, &st, nwords);
		goto bad;
	}
	st.pos = xmalloc(n * sizeof *st.pos);
	for (size_t i = nwords; i < n; i++)
		if (classify(p, &st, st.tokens[i]) != 0)
			goto bad;
	if (check_args(p, &st) != 0 || check_keys(p, &st) != 0 || link_result(p, &st) != 0)
		goto bad;
	add_stmt(p, &st);
	return 0;
bad:
	stmt_free(&st);
	return -1;
}

static void parse_line(struct parser *p, char *line, size_t len)
{
	if (strlen(line) != len) {
		p->script->statements++;
		parse_error(p, "NUL byte in line");
		p->prev = PREV_BAD;
		return;
	}
	size_t n = split(p, line);
	if (n == 0)
		return;
	p->script->statements++;
	/* `let` is transparent to `expect ok|error`, even when it is bad. */
	if (strcasecmp(p->raw[0], "let") == 0)
		parse_let(p, n);
	else if (parse_stmt(p, n) != 0)
		p->prev = PREV_BAD;
}

void script_load(struct script *s, const char *path, struct report *rep)
{
	*s = (struct script){0};
	FILE *f = fopen(path, "r");
	if (!f) {
		report_add(rep, STATUS_BROKEN, 0, "cannot read: %s", strerror(errno));
		return;
	}
	struct parser p = {.script = s, .rep = rep, .prev = PREV_NONE};
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) >= 0) {
		p.line++;
		parse_line(&p, line, (size_t)len);
	}
	if (ferror(f))
		report_add(rep, STATUS_BROKEN, 0, "cannot read: %s", strerror(errno));
	fclose(f);
	free(line);
	for (size_t i = 0; i < p.nvars; i++) {
		free(p.vars[i].name);
		free(p.vars[i].value);
	}
	free(p.vars);
	free(p.raw);
}

void script_free(struct script *s)
{
	for (size_t i = 0; i < s->nstmts; i++)
		stmt_free(&s->stmts[i]);
	free(s->stmts);
	*s = (struct script){0};
}
