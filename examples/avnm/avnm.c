/*
 * avnm: runs scenario files (docs: SCENARIOS.md) against libavnm, for
 * what-if analysis and as a test format. It holds no policy of its own:
 * every decision comes from the public API (avnm.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avnm.h"
#include "report.h"
#include "run.h"
#include "script.h"
#include "verbs.h"
#ifdef AVNM_CLI_SQLITE
#include "avnm-sqlite.h"
#define SQLITE_USAGE " | --sqlite PATH"
#define SQLITE_HELP "  --sqlite PATH\n" \
	"             keep the world in a SQLite database instead\n"
#else
#define SQLITE_USAGE ""
#define SQLITE_HELP ""
#endif

/* Where --db (and in avnm-sqlite, --sqlite) keeps the world. */
struct store {
	const char *option;
	int (*open)(avnm_storage **out, const char *path, char *errbuf, size_t errsize);
	void (*close)(avnm_storage *s);
};

static int journal_open(avnm_storage **out, const char *path, char *errbuf, size_t errsize)
{
	return avnm_journal_open(out, path, 0, errbuf, errsize);
}

static const struct store journal_store = {"--db", journal_open, avnm_journal_close};
#ifdef AVNM_CLI_SQLITE
static const struct store sqlite_store = {"--sqlite", avnm_sqlite_open, avnm_sqlite_close};
#endif

struct options {
	const char *db; /* NULL: each file in a world of its own, in memory */
	const struct store *store; /* where db is kept */
	int json;
	char **files;
	size_t nfiles;
};

static void help(FILE *out)
{
	size_t n;
	const struct verb *verbs = verb_table(&n);
	fputs("usage: avnm run [--db PATH" SQLITE_USAGE "] [--json] FILE...\n"
	      "       avnm --help | --version\n"
	      "\n"
	      "Runs scenario files: builds a world of tenants and network managers,\n"
	      "makes and breaks cross-tenant connections, and checks expectations.\n"
	      "\n"
	      "  --db PATH  keep the world in a journal file across runs\n"
	      SQLITE_HELP
	      "  --json     print one JSON report on stdout instead of summary lines\n"
	      "\n"
	      "Exit status: 0 all held, 1 a command or expectation failed,\n"
	      "2 a file could not be read or parsed (nothing of it ran).\n"
	      "\n"
	      "Scenario commands ('#' comments, 'let NAME VALUE' defines $NAME):\n",
	      out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %s\n", verbs[i].usage);
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "avnm: %s%s%s\nTry 'avnm --help'.\n", what, arg ? ": " : "",
	        arg ? arg : "");
	return STATUS_BROKEN;
}

/* Options of `avnm run` and its files, in any order until "--". Returns -1 when
 * all is well, else the exit status. */
static int parse_run_args(struct options *o, int argc, char **argv)
{
	int options_done = 0;
	/* The files are gathered in argv itself: never ahead of i, so nothing unread
	 * is overwritten. */
	o->files = argv;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
			o->files[o->nfiles++] = argv[i];
		} else if (strcmp(arg, "--") == 0) {
			options_done = 1;
		} else if (strcmp(arg, "--json") == 0) {
			o->json = 1;
		} else if (strcmp(arg, "--db") == 0) {
			if (++i == argc)
				return usage_error("--db needs a PATH", NULL);
			o->db = argv[i];
			o->store = &journal_store;
		} else if (strncmp(arg, "--db=", 5) == 0) {
			o->db = arg + 5;
			o->store = &journal_store;
#ifdef AVNM_CLI_SQLITE
		} else if (strcmp(arg, "--sqlite") == 0) {
			if (++i == argc)
				return usage_error("--sqlite needs a PATH", NULL);
			o->db = argv[i];
			o->store = &sqlite_store;
		} else if (strncmp(arg, "--sqlite=", 9) == 0) {
			o->db = arg + 9;
			o->store = &sqlite_store;
#endif
		} else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			help(stdout);
			return STATUS_OK;
		} else {
			return usage_error("unknown option", arg);
		}
	}
	if (o->nfiles == 0)
		return usage_error("run: no FILE given", NULL);
	return -1;
}

static void run_file(struct report *rep, const char *path, avnm_ctx *world)
{
	struct script script;
	script_load(&script, path, rep);
	if (rep->status == STATUS_OK)
		run_script(rep, &script, world);
	script_free(&script);
}

/* --db (--sqlite): one world for all files, kept in storage between runs. */
static int open_world(const struct options *o, avnm_storage **storage, avnm_ctx **world)
{
	char msg[512];
	int rc = o->store->open(storage, o->db, msg, sizeof msg);
	if (rc == AVNM_OK) {
		rc = avnm_ctx_open(world, NULL, *storage, msg, sizeof msg);
		if (rc != AVNM_OK) {
			o->store->close(*storage);
			*storage = NULL;
		}
	}
	if (rc != AVNM_OK)
		fprintf(stderr, "avnm: %s %s: %s: %s\n", o->store->option, o->db,
		        avnm_error_name(rc), msg);
	return rc;
}

static int run(const struct options *o)
{
	avnm_storage *storage = NULL;
	avnm_ctx *world = NULL;
	if (o->db && open_world(o, &storage, &world) != AVNM_OK)
		return STATUS_BROKEN;
	struct report *reps = calloc(o->nfiles, sizeof *reps);
	if (!reps) {
		fputs("avnm: out of memory\n", stderr);
		avnm_ctx_free(world);
		if (storage)
			o->store->close(storage);
		return STATUS_BROKEN;
	}
	enum status worst = STATUS_OK;
	for (size_t i = 0; i < o->nfiles; i++) {
		report_init(&reps[i], o->files[i]);
		run_file(&reps[i], o->files[i], world);
		if (!o->json)
			report_summary(stdout, &reps[i]);
		if (reps[i].status > worst)
			worst = reps[i].status;
	}
	if (o->json)
		report_json(stdout, reps, o->nfiles, worst);
	for (size_t i = 0; i < o->nfiles; i++)
		report_free(&reps[i]);
	free(reps);
	avnm_ctx_free(world);
	if (storage)
		o->store->close(storage);
	return (int)worst;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("missing command", NULL);
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		help(stdout);
		return STATUS_OK;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("avnm %s\n", avnm_version_string());
		return STATUS_OK;
	}
	if (strcmp(cmd, "run") != 0)
		return usage_error("unknown command", cmd);
	struct options o = {0};
	int status = parse_run_args(&o, argc - 2, argv + 2);
	return status >= 0 ? status : run(&o);
}
