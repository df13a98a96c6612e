/* Fuzzer: the avnm CLI's scenario parser and runner (examples/avnm). The input
 * is written to a scratch file, since script_load reads a path, and parsed;
 * what parses is run, as `avnm run --db` would, in a context on a memory store.
 * Checks: no crash, leak or undefined behaviour in the parser or the library
 * behind it; a file that parses cleanly reports no parse failure and a broken
 * one runs nothing; and after the run the world reopened from the store dumps
 * exactly like the live one (what a run wrote is what a later run reads). */
#include <string.h>

#include "avnm.h"
#include "fuzz.h"
#include "report.h"
#include "run.h"
#include "script.h"

static const char *path;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	path = fuzz_scratch_path("script");
	if (!path)
		abort();
	/* The CLI reports each failure on stderr as it happens; thousands of runs a
	 * second would drown the fuzzer's own output. libFuzzer and the sanitizers
	 * write to file descriptor 2 directly, so their reports still show. */
	FILE *null = fopen("/dev/null", "w");
	if (null)
		stderr = null;
	return 0;
}

static char *dump(avnm_ctx *ctx, size_t *len)
{
	char *d = NULL;
	FUZZ_CHECK(avnm_ctx_dump(&d, len, ctx) == AVNM_OK, "dump failed: %s", avnm_errmsg(ctx));
	return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report rep;
	struct script s;
	if (fuzz_scratch_write(path, data, size) != 0)
		abort();
	report_init(&rep, path);
	script_load(&s, path, &rep);
	if (rep.status != STATUS_OK) {
		FUZZ_CHECK(rep.nfailures > 0, "broken without a reason");
		script_free(&s);
		report_free(&rep);
		return 0;
	}
	FUZZ_CHECK(s.nstmts <= s.statements, "%zu statements from %zu lines", s.nstmts, s.statements);
	for (size_t i = 0; i < s.nstmts; i++)
		FUZZ_CHECK(s.stmts[i].verb && s.stmts[i].line >= 1, "statement %zu has no verb or line", i);

	avnm_storage *store = NULL;
	avnm_ctx *ctx = NULL, *again = NULL;
	char err[256];
	FUZZ_CHECK(avnm_memstore_new(&store) == AVNM_OK, "no memory store");
	FUZZ_CHECK(avnm_ctx_open(&ctx, NULL, store, err, sizeof err) == AVNM_OK, "open: %s", err);
	run_script(&rep, &s, ctx);
	FUZZ_CHECK(rep.status != STATUS_BROKEN || rep.nfailures > 0, "broken run without a reason");

	size_t la, lb;
	char *a = dump(ctx, &la);
	FUZZ_CHECK(avnm_ctx_open(&again, NULL, store, err, sizeof err) == AVNM_OK,
	           "the world the script left does not load again: %s", err);
	char *b = dump(again, &lb);
	FUZZ_CHECK(la == lb && memcmp(a, b, la) == 0, "reopened world differs:\n%s\n----\n%s", a, b);
	avnm_free(ctx, a);
	avnm_free(again, b);
	avnm_ctx_free(again);
	avnm_ctx_free(ctx);
	avnm_memstore_free(store);
	script_free(&s);
	report_free(&rep);
	return 0;
}
