#include "report.h"

#include <stdlib.h>

void report_init(struct report *rep, const char *file)
{
	*rep = (struct report){.file = file, .status = STATUS_OK};
}

/* Messages echo scenario text: keep control characters (terminal escapes) out
 * of the terminal and the JSON alike. */
static void defang(char *s)
{
	for (unsigned char *p = (unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
}

void report_vadd(struct report *rep, enum status status, size_t line, const char *fmt,
                 va_list ap)
{
	struct buf msg = {0};
	buf_vprintf(&msg, fmt, ap);

	rep->failures = xgrow(rep->failures, &rep->cap, rep->nfailures + 1, sizeof *rep->failures);
	struct failure *f = &rep->failures[rep->nfailures++];
	f->line = line;
	f->message = buf_take(&msg);
	defang(f->message);
	if (status > rep->status)
		rep->status = status;

	if (line)
		fprintf(stderr, "%s:%zu: %s\n", rep->file, line, f->message);
	else
		fprintf(stderr, "%s: %s\n", rep->file, f->message);
}

void report_add(struct report *rep, enum status status, size_t line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report_vadd(rep, status, line, fmt, ap);
	va_end(ap);
}

void report_free(struct report *rep)
{
	for (size_t i = 0; i < rep->nfailures; i++)
		free(rep->failures[i].message);
	free(rep->failures);
	rep->failures = NULL;
	rep->nfailures = rep->cap = 0;
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

void report_summary(FILE *out, const struct report *rep)
{
	if (rep->status == STATUS_BROKEN) {
		fprintf(out, "%s: not run, %zu error%s: FAILED\n", rep->file, rep->nfailures,
		        plural(rep->nfailures));
		return;
	}
	fprintf(out, "%s: %zu command%s, %zu expectation%s, %zu failure%s: %s\n", rep->file,
	        rep->commands, plural(rep->commands), rep->expectations,
	        plural(rep->expectations), rep->nfailures, plural(rep->nfailures),
	        rep->status == STATUS_OK ? "ok" : "FAILED");
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629), 0 if there is none:
 * JSON must be valid UTF-8 even when a file name or a scenario line is not. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* Overlong forms, surrogates and code points above U+10FFFF. */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

static void json_string(FILE *out, const char *s)
{
	putc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = utf8_len(p);
		if (n == 0) {
			fputs("\\ufffd", out);
			p++;
		} else if (n > 1) {
			fwrite(p, 1, n, out);
			p += n;
		} else if (*p == '"' || *p == '\\') {
			fprintf(out, "\\%c", *p++);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(out, "\\u%04x", (unsigned int)*p++);
		} else {
			putc(*p++, out);
		}
	}
	putc('"', out);
}

static void json_report(FILE *out, const struct report *rep)
{
	fputs("{\"file\":", out);
	json_string(out, rep->file);
	fprintf(out, ",\"status\":%d,\"commands\":%zu,\"expectations\":%zu,\"failures\":[",
	        (int)rep->status, rep->commands, rep->expectations);
	for (size_t i = 0; i < rep->nfailures; i++) {
		fprintf(out, "%s{\"line\":%zu,\"message\":", i ? "," : "",
		        rep->failures[i].line);
		json_string(out, rep->failures[i].message);
		putc('}', out);
	}
	fputs("]}", out);
}

void report_json(FILE *out, const struct report *reps, size_t n, enum status status)
{
	fputs("{\"files\":[", out);
	for (size_t i = 0; i < n; i++) {
		if (i)
			putc(',', out);
		json_report(out, &reps[i]);
	}
	fprintf(out, "],\"status\":%d}\n", (int)status);
}
