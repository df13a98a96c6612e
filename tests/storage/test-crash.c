/* Crash safety of the journal: a writer process, killed with SIGKILL at a
 * random moment, leaves a journal that opens, holding exactly the commits up
 * to some point: every acknowledged one, plus perhaps the one in flight, and
 * nothing half-done.
 *
 * The child opens the journal with fsync on and runs the full scenario, then
 * churn (world_churn), writing each successful position's index to a pipe
 * after the call has returned: that write is the acknowledgement. The parent
 * sleeps a random 0-30 ms (every other round: a random short time after a
 * random acknowledgement), kills the child, reads the last acknowledged index
 * A, and reopens the journal. The world must be the reference world after A,
 * or after the next position that changes the world (the one in flight).
 * References come from the same positions run on a plain in-memory context.
 *
 * Rounds: up to 200, and no more than 120 s of them; fewer than 200 is a
 * failure in CI (CI=true), fewer than 50 elsewhere. AVNM_CRASH_SEED replays a
 * run's kill times. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "avnm.h"
#include "util.h"
#include "world.h"

#define CHURN 2000          /* positions after the scenario: enough to outlast 30 ms */
#define MAX_ROUNDS 200
#define TIME_BUDGET_S 120.0
#define MAX_SLEEP_US 30000

/* ------------------------------------------------------------------------ */
/* Positions: the scenario's steps, then churn                               */
/* ------------------------------------------------------------------------ */

static size_t npositions(void)
{
	return world_nsteps() + CHURN;
}

static int pos_run(avnm_ctx *ctx, size_t p)
{
	return p < world_nsteps() ? world_step(ctx, p) : world_churn(ctx, p - world_nsteps());
}

static int pos_expected(size_t p)
{
	return p < world_nsteps() ? world_expected(p) : AVNM_OK;
}

/* Does position p, run as designed, commit a change? */
static int pos_commits(size_t p)
{
	return p >= world_nsteps() || (world_step_changes(p) && world_expected(p) == AVNM_OK);
}

/* Reference worlds: after each scenario step, and the two worlds churn
 * alternates between. */
static struct {
	char **world;    /* world[0]: empty; world[i + 1]: after step i */
	char *churn[2];  /* after churn change k: churn[k % 2] */
} ref;

static const char *ref_after(long p)
{
	if (p < 0) return ref.world[0];
	if ((size_t)p < world_nsteps()) return ref.world[p + 1];
	return ref.churn[((size_t)p - world_nsteps()) % 2];
}

static int setup_refs(void **state)
{
	(void)state;
	avnm_ctx *ctx = NULL;
	if (avnm_ctx_new(&ctx, NULL) != AVNM_OK) return -1;
	ref.world = calloc(world_nsteps() + 1, sizeof *ref.world);
	if (!ref.world) return -1;
	ref.world[0] = world_dump(ctx);
	for (size_t i = 0; i < world_nsteps(); i++) {
		if (world_step(ctx, i) != world_expected(i)) return -1;
		ref.world[i + 1] = world_dump(ctx);
	}
	/* churn alternates between two worlds from its first change on: check
	 * that, so that two references stand for all of them */
	char *seen[4];
	for (size_t k = 0; k < 4; k++) {
		if (world_churn(ctx, k) != AVNM_OK) return -1;
		seen[k] = world_dump(ctx);
	}
	int periodic = seen[0] && seen[1] && seen[2] && seen[3] && strcmp(seen[0], seen[2]) == 0 &&
	               strcmp(seen[1], seen[3]) == 0 && strcmp(seen[0], seen[1]) != 0;
	ref.churn[0] = seen[0];
	ref.churn[1] = seen[1];
	free(seen[2]);
	free(seen[3]);
	avnm_ctx_free(ctx);
	return periodic ? 0 : -1;
}

static int teardown_refs(void **state)
{
	(void)state;
	for (size_t i = 0; ref.world && i <= world_nsteps(); i++) free(ref.world[i]);
	free(ref.world);
	free(ref.churn[0]);
	free(ref.churn[1]);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The writer                                                                */
/* ------------------------------------------------------------------------ */

/* The child: write until killed. Exit statuses say what went wrong, for the
 * parent to report (the child cannot fail a cmocka test). */
#define CHILD_OPEN_FAILED 2
#define CHILD_WRONG_RESULT 3
#define CHILD_PIPE_FAILED 4

static void writer(const char *path, int ack_fd)
{
	struct jctx j;
	int rc = jctx_open(&j, path, 0);
	if (rc != AVNM_OK) {
		fprintf(stderr, "writer: open: %s: %s\n", avnm_error_name(rc), j.err);
		_exit(CHILD_OPEN_FAILED);
	}
	for (size_t p = 0; p < npositions(); p++) {
		rc = pos_run(j.ctx, p);
		if (rc != pos_expected(p)) {
			fprintf(stderr, "writer: position %zu: %s: %s\n", p, avnm_error_name(rc), avnm_errmsg(j.ctx));
			_exit(CHILD_WRONG_RESULT);
		}
		if (rc != AVNM_OK) continue;
		uint32_t ack = (uint32_t)p;
		/* 4 bytes to a pipe are written whole or not at all (PIPE_BUF) */
		if (write(ack_fd, &ack, sizeof ack) != (ssize_t)sizeof ack) _exit(CHILD_PIPE_FAILED);
	}
	/* all done: wait for the kill, so that every round ends the same way */
	for (;;) pause();
}

/* ------------------------------------------------------------------------ */
/* Rounds                                                                    */
/* ------------------------------------------------------------------------ */

static uint32_t next_rand(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* The acknowledgements left in the pipe once the writer is dead: the last one,
 * or `last` if there are none. */
static long drain_acks(int fd, long last)
{
	uint32_t v;
	ssize_t r;
	while ((r = read(fd, &v, sizeof v)) == (ssize_t)sizeof v) last = (long)v;
	assert_int_equal(r, 0); /* EOF, and never a part of an ack */
	return last;
}

/* Read acknowledgements as they come until one is >= target; returns it, and
 * in *gap_us how long the writer took for it since the one before. -1 if the
 * writer died first. */
static long wait_for_ack(int fd, long target, long *gap_us)
{
	double prev = now_s();
	uint32_t v;
	while (read(fd, &v, sizeof v) == (ssize_t)sizeof v) {
		double t = now_s();
		*gap_us = (long)((t - prev) * 1e6);
		prev = t;
		if ((long)v >= target) return (long)v;
	}
	return -1;
}

/* Where kills landed (the last acknowledged position): before any, in tenths
 * of the scenario, in churn; and how often the step in flight had committed. */
struct distribution {
	size_t none, churn, in_flight_committed;
	size_t scenario[10];
};

static void tally(struct distribution *d, long a, int acked)
{
	if (a < 0) d->none++;
	else if ((size_t)a < world_nsteps()) d->scenario[(size_t)a * 10 / world_nsteps()]++;
	else d->churn++;
	if (!acked) d->in_flight_committed++;
}

static void print_distribution(const char *name, const struct distribution *d)
{
	print_message("crash: %s kills, last acknowledged position: none %zu, scenario by tenths", name, d->none);
	for (size_t i = 0; i < 10; i++) print_message(" %zu", d->scenario[i]);
	print_message(", churn %zu; the step in flight had committed in %zu\n", d->churn,
	              d->in_flight_committed);
}

/* One round: start a writer, kill it, check what it left. Even rounds kill
 * after a random 0-30 ms. How far a writer gets in 30 ms depends on the disk's
 * fsync, so odd rounds aim: they wait for the acknowledgement of a random
 * position of the scenario (or early churn), then kill within about two steps'
 * time, so that every part of the scenario sees kills on any machine. */
static void round_once(size_t round, uint32_t *rng, struct distribution *dist)
{
	char *dir = tmpdir_new("/tmp");
	assert_non_null(dir);
	char *path = path_join(dir, "crash.journal");
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	fflush(NULL); /* the child must not write the parent's buffers again */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		writer(path, fds[1]);
	}
	close(fds[1]);
	long a = -1, delay;
	if (round % 2 == 0) {
		delay = (long)(next_rand(rng) % (MAX_SLEEP_US + 1));
	} else {
		long target = (long)(next_rand(rng) % (world_nsteps() + 20)), gap = 0;
		a = wait_for_ack(fds[0], target, &gap);
		delay = (long)(next_rand(rng) % (uint32_t)(2 * (gap > 50 ? gap : 50) + 1));
	}
	sleep_us(delay);
	kill(pid, SIGKILL);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		fail_msg("round %zu: the writer ended by itself (status %d): see its message above", round,
		         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	a = drain_acks(fds[0], a);
	close(fds[0]);

	/* the position in flight: the next one that commits */
	long q = a + 1;
	while ((size_t)q < npositions() && !pos_commits((size_t)q)) q++;

	int rc;
	char err[1024];
	char *got = journal_world(path, 0, &rc, err, sizeof err);
	if (rc != AVNM_OK)
		fail_msg("round %zu (killed %ld us after %s, last ack %ld): reopen failed: %s: %s", round, delay,
		         round % 2 ? "an ack" : "the start", a, avnm_error_name(rc), err);
	int acked = strcmp(got, ref_after(a)) == 0;
	int flight = (size_t)q < npositions() && strcmp(got, ref_after(q)) == 0;
	if (!acked && !flight) {
		char what[160];
		snprintf(what, sizeof what, "round %zu (killed after %ld us): world against the last "
		         "acknowledged position %ld", round, delay, a);
		world_same(what, ref_after(a), got);
		fail_msg("round %zu: the reopened world is neither the one after position %ld (acknowledged) "
		         "nor after %ld (in flight)", round, a, q);
	}
	free(got);
	tally(&dist[round % 2], a, acked);
	free(path);
	tmpdir_remove(dir);
}

static void test_kill_writer(void **state)
{
	(void)state;
	const char *s = getenv("AVNM_CRASH_SEED");
	uint32_t seed = s && *s ? (uint32_t)strtoul(s, NULL, 0) : (uint32_t)time(NULL) ^ (uint32_t)getpid();
	if (!seed) seed = 1;
	uint32_t rng = seed;
	const char *ci = getenv("CI");
	size_t required = ci && strcmp(ci, "true") == 0 ? MAX_ROUNDS : 50;
	print_message("crash: AVNM_CRASH_SEED=%u; timed kills after 0-%d us, aimed kills within two "
	              "steps' time of a random acknowledgement\n", seed, MAX_SLEEP_US);

	struct distribution dist[2];
	memset(dist, 0, sizeof dist);
	double start = now_s();
	size_t rounds = 0;
	while (rounds < MAX_ROUNDS && now_s() - start < TIME_BUDGET_S) round_once(rounds++, &rng, dist);

	print_message("crash: %zu rounds in %.1f s (%zu required), scenario of %zu steps, then churn\n",
	              rounds, now_s() - start, required, world_nsteps());
	print_distribution("timed", &dist[0]);
	print_distribution("aimed", &dist[1]);
	if (rounds < required) fail_msg("only %zu crash rounds ran in %.0f s, %zu are required", rounds, TIME_BUDGET_S, required);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_writer),
	};
	return cmocka_run_group_tests(tests, setup_refs, teardown_refs);
}
