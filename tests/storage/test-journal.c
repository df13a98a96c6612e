/* The journal file backend: the full scenario survives a close and reopen with
 * and without fsync, a second process is kept out by the lock, bad arguments
 * and files that are not journals are refused with the documented codes, and
 * compaction shrinks a churned file without changing the world. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "avnm.h"
#include "util.h"
#include "world.h"

/* Each test gets its own directory (on /tmp: these tests want a real disk's
 * fsync, and open few journals). */
struct fixture {
	char *dir;
	char *path; /* dir/world.journal */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	if (!f) return -1;
	f->dir = tmpdir_new("/tmp");
	if (!f->dir) {
		free(f);
		return -1;
	}
	f->path = path_join(f->dir, "world.journal");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->path);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

static void open_ok(struct jctx *j, const char *path, unsigned int flags)
{
	int rc = jctx_open(j, path, flags);
	if (rc != AVNM_OK) print_error("opening %s: %s: %s\n", path, avnm_error_name(rc), j->err);
	assert_int_equal(rc, AVNM_OK);
}

static void run_world(avnm_ctx *ctx)
{
	for (size_t i = 0; i < world_nsteps(); i++) {
		int rc = world_step(ctx, i);
		if (rc != world_expected(i)) {
			char d[600];
			world_describe(d, sizeof d, i);
			fail_msg("%s: got %s: %s", d, rc > 0 ? "a wrong state" : avnm_error_name(rc),
			         avnm_errmsg(ctx));
		}
	}
}

/* What a reader opening path now sees equals `want`. */
static void assert_journal_holds(const char *path, unsigned int flags, const char *want,
                                 const char *what)
{
	int rc;
	char err[1024];
	char *got = journal_world(path, flags, &rc, err, sizeof err);
	if (rc != AVNM_OK) print_error("%s: reopening: %s: %s\n", what, avnm_error_name(rc), err);
	assert_int_equal(rc, AVNM_OK);
	int same = world_same(what, want, got);
	free(got);
	assert_true(same);
}

/* ------------------------------------------------------------------------ */
/* Round trip                                                                */
/* ------------------------------------------------------------------------ */

static void roundtrip(const char *path, unsigned int flags)
{
	struct jctx j;
	open_ok(&j, path, flags);
	run_world(j.ctx);
	char *live = world_dump(j.ctx);
	jctx_close(&j);

	/* the same world as a plain in-memory run */
	avnm_ctx *mem = NULL;
	assert_int_equal(avnm_ctx_new(&mem, NULL), AVNM_OK);
	run_world(mem);
	char *plain = world_dump(mem);
	avnm_ctx_free(mem);
	assert_true(world_same("journal run against in-memory run", plain, live));

	assert_journal_holds(path, flags, live, "reopened journal");
	/* opening replays, it does not rewrite: a second reopen sees the same */
	assert_journal_holds(path, flags, live, "journal reopened twice");
	/* flags are per open: a file written without fsync reads the same with it */
	assert_journal_holds(path, flags ^ AVNM_JOURNAL_NO_SYNC, live, "reopened with other flags");
	free(plain);
	free(live);
}

static void test_roundtrip_sync(void **state)
{
	roundtrip(((struct fixture *)*state)->path, 0);
}

static void test_roundtrip_no_sync(void **state)
{
	roundtrip(((struct fixture *)*state)->path, AVNM_JOURNAL_NO_SYNC);
}

/* ------------------------------------------------------------------------ */
/* The lock                                                                  */
/* ------------------------------------------------------------------------ */

/* In a child process, try to open the journal: its exit status is 0 iff the
 * open returned `want` (the child reports by status only: cmocka lives in the
 * parent). */
static int open_in_child(const char *path, int want)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		avnm_storage *st = NULL;
		char err[512] = "";
		int rc = avnm_journal_open(&st, path, 0, err, sizeof err);
		int ok = rc == want && (rc == AVNM_OK ? st != NULL : st == NULL && err[0] != '\0');
		if (!ok) fprintf(stderr, "child: avnm_journal_open: %s: %s\n", avnm_error_name(rc), err);
		avnm_journal_close(st);
		_exit(ok ? 0 : 1);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_second_open_is_busy(void **state)
{
	struct fixture *f = *state;
	struct jctx j;
	open_ok(&j, f->path, 0);
	assert_int_equal(world_step(j.ctx, 0), world_expected(0));
	/* "an advisory lock keeps a second process from opening it" */
	assert_int_equal(open_in_child(f->path, AVNM_E_BUSY), 0);
	/* and, per docs/storage-format.md ("The lock file"), a second open in this
	 * process too */
	avnm_storage *second = (avnm_storage *)&second;
	char err[512] = "";
	assert_int_equal(avnm_journal_open(&second, f->path, 0, err, sizeof err), AVNM_E_BUSY);
	assert_null(second);
	assert_true(err[0] != '\0');
	/* and the holder goes on writing undisturbed */
	assert_int_equal(world_step(j.ctx, 1), world_expected(1));
	char *live = world_dump(j.ctx);
	jctx_close(&j);
	/* closing releases it */
	assert_int_equal(open_in_child(f->path, AVNM_OK), 0);
	assert_journal_holds(f->path, 0, live, "journal after a refused second open");
	free(live);
}

/* ------------------------------------------------------------------------ */
/* Refusals                                                                  */
/* ------------------------------------------------------------------------ */

/* avnm_journal_open fails with code, *out NULL and a message (when errbuf is
 * given: it may be NULL). */
static void assert_journal_open_fails(const char *path, unsigned int flags, int code)
{
	avnm_storage *st = (avnm_storage *)&st;
	char err[1024] = "untouched";
	int rc = avnm_journal_open(&st, path, flags, err, sizeof err);
	if (rc != code)
		print_error("avnm_journal_open(%s, %#x): expected %s, got %s: %s\n", path ? path : "NULL",
		            flags, avnm_error_name(code), avnm_error_name(rc), err);
	assert_int_equal(rc, code);
	assert_null(st);
	assert_true(err[0] != '\0' && strcmp(err, "untouched") != 0);
	st = (avnm_storage *)&st;
	assert_int_equal(avnm_journal_open(&st, path, flags, NULL, 0), code);
	assert_null(st);
}

static void test_bad_arguments(void **state)
{
	struct fixture *f = *state;
	assert_journal_open_fails(f->path, 1u << 5, AVNM_E_INVALID_ARGUMENT);
	assert_journal_open_fails(f->path, ~0u, AVNM_E_INVALID_ARGUMENT);
	assert_journal_open_fails(NULL, 0, AVNM_E_INVALID_ARGUMENT);
	assert_journal_open_fails("", 0, AVNM_E_INVALID_ARGUMENT);
	assert_int_equal(avnm_journal_open(NULL, f->path, 0, NULL, 0), AVNM_E_INVALID_ARGUMENT);
	/* refusing bad arguments created nothing */
	assert_true(file_size(f->path) < 0);
	avnm_journal_close(NULL);
}

static void test_not_a_journal(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "this is a text file, not a libavnm journal\n";
	assert_int_equal(file_write(f->path, text, sizeof text - 1), 0);
	assert_journal_open_fails(f->path, 0, AVNM_E_CORRUPT);
	/* the refusal left the file alone */
	assert_int_equal(file_size(f->path), (long long)(sizeof text - 1));

	/* shorter than a header, and not a prefix of one */
	assert_int_equal(file_write(f->path, "AVNMXX", 6), 0);
	assert_journal_open_fails(f->path, 0, AVNM_E_CORRUPT);

	/* a journal header of another format version */
	static const unsigned char v2[16] = { 'A', 'V', 'N', 'M', 'J', 'R', 'N', '1', 2, 0, 0, 0, 0, 0, 0, 0 };
	assert_int_equal(file_write(f->path, v2, sizeof v2), 0);
	assert_journal_open_fails(f->path, 0, AVNM_E_CORRUPT);

	/* I/O errors are `storage`: a directory, a file in a missing directory. (The
	 * directory is one of ours: the journal leaves its PATH.lock beside it.) */
	char *sub = path_join(f->dir, "a-directory");
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_journal_open_fails(sub, 0, AVNM_E_STORAGE);
	assert_int_equal(rmdir(sub), 0);
	free(sub);
	char *missing = path_join(f->dir, "no-such-dir/world.journal");
	assert_journal_open_fails(missing, 0, AVNM_E_STORAGE);
	free(missing);
}

/* ------------------------------------------------------------------------ */
/* Compaction                                                                */
/* ------------------------------------------------------------------------ */

#define MIB (1024LL * 1024LL)

static void test_compaction(void **state)
{
	struct fixture *f = *state;
	struct jctx j;
	/* no fsync: thousands of commits; compaction itself syncs regardless */
	open_ok(&j, f->path, AVNM_JOURNAL_NO_SYNC);
	run_world(j.ctx);
	long long prev = file_size(f->path), peak = prev;
	size_t k = 0, shrunk_at = 0;
	int shrank = 0;
	/* Churn until the file has grown to 1 MiB and then got smaller. The commit
	 * that takes the file past 1 MiB compacts it at once, so from outside the
	 * file is last seen a frame short of 1 MiB (frames here are a few hundred
	 * bytes: 16 KiB is a generous margin), then small. 40,000 changes are
	 * several times what that takes, so running out is a failure. */
	for (; k < 40000 && !shrank; k++) {
		int rc = world_churn(j.ctx, k);
		if (rc != AVNM_OK) fail_msg("churn %zu: %s: %s", k, avnm_error_name(rc), avnm_errmsg(j.ctx));
		long long now = file_size(f->path);
		assert_true(now > 0);
		if (now < prev && peak > MIB - 16 * 1024) {
			shrank = 1;
			shrunk_at = k;
		}
		if (now > peak) peak = now;
		prev = now;
	}
	if (!shrank) fail_msg("the journal never shrank: %lld bytes after %zu changes", prev, k);
	print_message("compaction: %lld bytes shrank to %lld at change %zu\n", peak, prev, shrunk_at);
	/* "compacted into a snapshot when it has grown to several times its live size" */
	assert_true(prev * 4 < peak);

	/* the context goes on writing into the compacted file */
	size_t end = k + 3;
	for (; k < end; k++) assert_int_equal(world_churn(j.ctx, k), AVNM_OK);
	char *live = world_dump(j.ctx);
	jctx_close(&j);
	assert_journal_holds(f->path, 0, live, "journal after compaction");
	/* compaction leaves nothing behind but the journal and its lock */
	char *tmp = path_join(f->dir, "world.journal.compact");
	assert_true(file_size(tmp) < 0);
	free(tmp);
	free(live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_no_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_open_is_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_journal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
