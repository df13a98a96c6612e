/*
 * What a run of one scenario file found: its status, how much ran, and every
 * failure with its line. Failures go to stderr as they happen (so a long run
 * shows progress) and are kept for the summary or the JSON report.
 */
#ifndef AVNM_CLI_REPORT_H
#define AVNM_CLI_REPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

/* Exit statuses, ordered so that the worst of several files is the largest. */
enum status {
	STATUS_OK = 0,
	STATUS_FAILED = 1, /* a command or an expectation failed */
	STATUS_BROKEN = 2  /* unreadable or unparsable: nothing ran */
};

struct failure {
	size_t line; /* 0: the file as a whole */
	char *message;
};

struct report {
	const char *file;
	enum status status;
	size_t commands, expectations; /* of what ran */
	struct failure *failures;
	size_t nfailures, cap;
};

void report_init(struct report *rep, const char *file);
/* Record a failure at line (0: none) and print it to stderr as FILE:LINE: ...;
 * the file's status becomes at least `status`. */
void report_add(struct report *rep, enum status status, size_t line, const char *fmt, ...)
	CLI_PRINTF(4, 5);
void report_vadd(struct report *rep, enum status status, size_t line, const char *fmt,
                 va_list ap) CLI_PRINTF(4, 0);
void report_free(struct report *rep);

/* One line: what ran and whether it held. */
void report_summary(FILE *out, const struct report *rep);
/* {"files":[...],"status":N} for all the reports. */
void report_json(FILE *out, const struct report *reps, size_t n, enum status status);

#endif
