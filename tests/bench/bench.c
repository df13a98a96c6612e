/*
 * avnm-bench: build one synthetic world and time each phase for libavnm, SQLite
 * and a hash-lookup floor, in the same run; check that all answer every
 * question as the world's construction says they must; print a table or, with
 * --json, one JSON object. README.md says what is measured and how to read it.
 */
#include "bench.h"

#include <avnm.h>
#include <sqlite3.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_SCALE 10000u
#define DEFAULT_QUESTIONS 1000000u
#define SEED 0x5eed5eedULL

static const char memory_method[] =
	"peak bytes requested and not yet freed, through a counting allocator "
	"(libavnm: avnm_options.allocator; SQLite: SQLITE_CONFIG_MALLOC), "
	"malloc's own overhead excluded for both, divided by the number of virtual networks";

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: avnm-bench [--scale S] [--questions N] [--batch N] [--ids stream|table]\n"
	        "                  [--only avnm|sqlite|floor] [--cpu-time] [--json]\n"
	        "  --scale S       customer tenants (default %u; at least 2), 50 networks each\n"
	        "  --questions N   questions per question phase (default %u)\n"
	        "  --batch N       questions libavnm is asked per call (default %u; 1: one call\n"
	        "                  a question, avnm_can_manage and avnm_managers_of)\n"
	        "  --ids HOW       where a question's network id is read from: stream (default),\n"
	        "                  its own copy, the questions' copies one after another as a\n"
	        "                  caller receives them; table, the world's table of every\n"
	        "                  network's id, read at random (as before 2026-12-05)\n"
	        "  --mixed N       after managers_of, ask libavnm the can_manage questions again,\n"
	        "                  N a call, with a change (a new management group) after each\n"
	        "                  call; reported apart (default 0: not)\n"
	        "  --only IMPL     run one implementation (for profiling)\n"
	        "  --cpu-time      time with the process CPU clock instead of the wall clock\n"
	        "                  (for a machine shared with other work)\n"
	        "  --json          print one JSON object instead of the table\n",
	        DEFAULT_SCALE, DEFAULT_QUESTIONS, DEFAULT_BATCH);
}

static int parse_count(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	errno = 0;
	if (!s || *s < '0' || *s > '9') return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max) return -1;
	*out = v;
	return 0;
}

/* Operations of a phase, from the world: every implementation must have done
 * exactly these (checked), so the table needs no implementation to have run. */
static size_t phase_ops(const struct world *w, enum phase p)
{
	switch (p) {
	case PH_BUILD: /* central tenant, a subscription and a manager each; per tenant:
	                * itself, its groups, subscriptions and networks */
		return 1 + 2 * (size_t)NMANAGERS +
		       (size_t)w->scale * (1 + MG_DEPTH + SUBS_PER_TENANT + VNETS_PER_TENANT);
	case PH_CONNECT: return 2 * (size_t)w->scale;
	case PH_CAN_MANAGE: return w->nq;
	case PH_MANAGERS_OF: return w->nmq;
	case PH_CONFLICT: return 2 * w->nconf;
	case PH_REVOKE: return w->nrevoke;
	case PH_MEMBERS: return MEMBERS_REPS * w->nmembers;
	case NPHASES: break;
	}
	return 0;
}

/* ---- checks --------------------------------------------------------------------- */

static int bad;

static void mismatch(enum impl i, enum phase p, const char *what, unsigned long long got,
                     unsigned long long want)
{
	fprintf(stderr, "avnm-bench: CHECK FAILED: %s, %s: %s is %llu, expected %llu\n", impl_names[i],
	        phase_names[p], what, got, want);
	bad = 1;
}

#define EXPECT(p, what, got, want)                                                           \
	do {                                                                                 \
		if (r->has_phase[p] && (unsigned long long)(got) != (unsigned long long)(want)) \
			mismatch(i, p, what, (unsigned long long)(got), (unsigned long long)(want)); \
	} while (0)

/* Every implementation against the answers the world implies: if all match
 * them, all agree with each other on every answer. */
static void check(const struct world *w, const struct result *r, enum impl i)
{
	for (int p = 0; p < NPHASES; p++)
		EXPECT((enum phase)p, "operations", r->ops[p], phase_ops(w, (enum phase)p));
	EXPECT(PH_CONNECT, "pairs Connected", r->connected, w->scale);
	EXPECT(PH_CAN_MANAGE, "allowed answers", r->allowed, w->expect_allowed);
	EXPECT(PH_CAN_MANAGE, "answer digest", r->can_sum, w->expect_can_sum);
	EXPECT(PH_MANAGERS_OF, "non-empty answers", r->mof_nonempty, w->expect_mof_nonempty);
	EXPECT(PH_MANAGERS_OF, "answer digest", r->mof_sum, w->expect_mof_sum);
	if (r->mixed_ops) {
		EXPECT(PH_CAN_MANAGE, "mixed: allowed answers", r->mixed_allowed, w->expect_allowed);
		EXPECT(PH_CAN_MANAGE, "mixed: answer digest", r->mixed_sum, w->expect_can_sum);
	}
	EXPECT(PH_CONFLICT, "pairs in Conflict", r->conflicts, w->nconf);
	EXPECT(PH_REVOKE, "scope connections Revoked", r->revoked, w->nrevoke);
	EXPECT(PH_REVOKE, "revoked tenants' sample denied", r->revoke_denied, REVOKE_SAMPLE);
	EXPECT(PH_REVOKE, "kept tenants' sample allowed", r->revoke_allowed, REVOKE_SAMPLE);
	EXPECT(PH_MEMBERS, "effective members", r->effective, MEMBERS_REPS * w->expect_effective);
	EXPECT(PH_MEMBERS, "member digest", r->members_sum, MEMBERS_REPS * w->expect_members_sum);
}

/* ---- taking turns ----------------------------------------------------------------
 * With several implementations, each runs in a child process, holding the world the
 * parent built (shared, read-only). A child runs only while it has the turn: the
 * parent (the conductor) gives it at a step, and the child gives it back just before
 * its next step (bench_step) or when it is done. The conductor goes step by step and,
 * within a step, implementation by implementation; so one runs at a time, its set-up
 * and checks included, and the same step of each runs back to back. */

#define TURN_START (-1)         /* a child's first message: ready, before any work */

static int turn_up = -1;        /* in a child: its messages to the conductor */
static int turn_down = -1;      /* in a child: the conductor's "go" */

/* All n bytes through fd, retrying after signals: -1 on an error or an end of file. */
static int io_all(int fd, char *p, size_t n, int out)
{
	while (n) {
		ssize_t k = out ? write(fd, p, n) : read(fd, p, n);
		if (k < 0 && errno == EINTR) continue;
		if (k <= 0) return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int write_all(int fd, const void *p, size_t n)
{
	return io_all(fd, (char *)(uintptr_t)p, n, 1);
}

static int read_all(int fd, void *p, size_t n)
{
	return io_all(fd, p, n, 0);
}

/* In a child: hand the turn back, saying where this child goes on, and wait for it.
 * A conductor that is gone ends the child. */
static void turn_wait(int at)
{
	char go;
	if (turn_up < 0) return;
	if (write_all(turn_up, &at, sizeof at) || read_all(turn_down, &go, 1)) _exit(3);
}

double bench_step(enum step s)
{
	turn_wait((int)s);
	bench_mark("set-up and checks");
	return now_seconds();
}

static const char *const step_names[NSTEPS] = { "build", "connect", "can_manage", "managers_of",
	                                        "conflict", "revoke", "member adds", "members" };

struct child {
	pid_t pid;
	int up, down;   /* the conductor's ends */
	int at;         /* the step it waits at; NSTEPS: done, result read */
};

typedef int (*run_fn)(const struct world *, struct result *);

/* Fork the child of implementation i: it waits for its first turn, runs, and sends
 * NSTEPS, its result and its status. */
static int child_start(struct child *c, run_fn run, const struct world *w)
{
	int up[2], down[2];
	if (pipe(up)) return -1;
	if (pipe(down)) {
		close(up[0]);
		close(up[1]);
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(up[0]);
		close(up[1]);
		close(down[0]);
		close(down[1]);
		return -1;
	}
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		turn_up = up[1];
		turn_down = down[0];
		turn_wait(TURN_START);
		struct result r;
		memset(&r, 0, sizeof r);
		int status = run(w, &r);
		int done = NSTEPS;
		if (write_all(turn_up, &done, sizeof done) || write_all(turn_up, &r, sizeof r) ||
		    write_all(turn_up, &status, sizeof status))
			_exit(3);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	c->pid = pid;
	c->up = up[0];
	c->down = down[1];
	c->at = TURN_START - 1;
	return 0;
}

/* Give child c the turn and take it back: c->at becomes where it waits next; when it
 * is done, its result and status are read. -1: the child failed or broke the order. */
static int child_turn(struct child *c, struct result *r, int *status)
{
	char go = 1;
	int at;
	if (c->at != TURN_START - 1 && write_all(c->down, &go, 1)) return -1;
	if (read_all(c->up, &at, sizeof at)) return -1;
	if (at < c->at || at > NSTEPS) return -1;
	c->at = at;
	if (at == NSTEPS && (read_all(c->up, r, sizeof *r) || read_all(c->up, status, sizeof *status)))
		return -1;
	return 0;
}

static void child_end(struct child *c)
{
	int st;
	if (c->pid <= 0) return;
	if (c->at != NSTEPS) kill(c->pid, SIGKILL);
	close(c->up);
	close(c->down);
	waitpid(c->pid, &st, 0);
	c->pid = 0;
}

/* Run the implementations in turns; failed[i] set for one that failed. */
static void run_in_turns(const struct world *w, const run_fn run[NIMPLS], struct result res[NIMPLS],
                         int failed[NIMPLS], int quiet)
{
	struct child ch[NIMPLS];
	int status[NIMPLS];
	memset(ch, 0, sizeof ch);
	for (int i = 0; i < NIMPLS; i++) {
		status[i] = 0;
		/* the first message, TURN_START, comes before any work */
		if (child_start(&ch[i], run[i], w) || child_turn(&ch[i], &res[i], &status[i]))
			failed[i] = 1;
	}
	for (int s = TURN_START; s < NSTEPS; s++) {
		int any = 0;
		for (int i = 0; i < NIMPLS; i++) {
			if (failed[i] || ch[i].at != s) continue;
			if (!quiet && !any && s >= 0) fprintf(stderr, "avnm-bench: %s...\n", step_names[s]);
			any = 1;
			while (!failed[i] && ch[i].at == s)
				if (child_turn(&ch[i], &res[i], &status[i])) failed[i] = 1;
		}
	}
	for (int i = 0; i < NIMPLS; i++) {
		if (ch[i].at != NSTEPS || status[i] != 0) failed[i] = 1;
		child_end(&ch[i]);
	}
}

/* ---- output ------------------------------------------------------------------------- */

static double rate(const struct result *r, enum phase p)
{
	if (!r->ran || !r->has_phase[p] || r->seconds[p] <= 0) return -1;
	return (double)r->ops[p] / r->seconds[p];
}

/* 1234567.8 -> "1,234,568" */
static const char *grouped(char *buf, size_t cap, double v)
{
	char digits[32];
	int n = snprintf(digits, sizeof digits, "%.0f", v), o = 0;
	for (int i = 0; i < n && (size_t)o + 2 < cap; i++) {
		if (i && (n - i) % 3 == 0) buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = 0;
	return buf;
}

static void cell_rate(double v)
{
	char b[40];
	printf(" %15s", v < 0 ? "-" : grouped(b, sizeof b, v));
}

static void cell_ratio(double a, double b)
{
	if (a < 0 || b < 0) printf(" %11s", "-");
	else printf(" %10.2fx", a / b);
}

static double per_vnet(const struct world *w, const struct result *r)
{
	return (double)r->peak_bytes / (double)w->nvnets;
}

static void print_table(const struct world *w, const struct result *res)
{
	char b1[40], b2[40], b3[40], b4[40], b5[40];
	printf("avnm-bench: S = %s customer tenants, %s virtual networks, %s subscriptions, "
	       "%s management groups, %u managers; %s questions per question phase\n",
	       grouped(b1, sizeof b1, w->scale), grouped(b2, sizeof b2, (double)w->nvnets),
	       grouped(b3, sizeof b3, (double)w->scale * SUBS_PER_TENANT),
	       grouped(b4, sizeof b4, (double)w->scale * (MG_DEPTH + 1)), NMANAGERS,
	       grouped(b5, sizeof b5, (double)w->nq));
	printf("libavnm %s, SQLite %s; clock: %s\n", avnm_version_string(), sqlite3_libversion(),
	       bench_cpu_clock ? "process CPU time" : "wall (CLOCK_MONOTONIC)");
	if (bench_batch > 1)
		printf("libavnm questions: %zu a call (avnm_can_manage_many, avnm_managers_of_many)\n",
		       bench_batch);
	else
		printf("libavnm questions: one a call (avnm_can_manage, avnm_managers_of)\n");
	printf("question ids: %s\n\n", bench_ids_table ? "the world's table of networks, at random (--ids table)"
	                                               : "each question's own copy, in question order");
	printf("%-12s %12s %15s %15s %15s %11s %11s\n", "phase", "ops", "libavnm op/s", "SQLite op/s",
	       "floor op/s", "avnm/SQLite", "avnm/floor");
	for (int p = 0; p < NPHASES; p++) {
		double a = rate(&res[IMPL_AVNM], (enum phase)p), s = rate(&res[IMPL_SQLITE], (enum phase)p),
		       f = rate(&res[IMPL_FLOOR], (enum phase)p);
		printf("%-12s %12s", phase_names[p],
		       grouped(b1, sizeof b1, (double)phase_ops(w, (enum phase)p)));
		cell_rate(a);
		cell_rate(s);
		cell_rate(f);
		cell_ratio(a, s);
		cell_ratio(a, f);
		printf("\n");
	}
	printf("\n%-12s %15s %15s %15s   (cost per operation)\n", "phase", "libavnm ns/op",
	       "SQLite ns/op", "floor ns/op");
	for (int p = 0; p < NPHASES; p++) {
		printf("%-12s", phase_names[p]);
		for (int i = 0; i < NIMPLS; i++) {
			double v = rate(&res[i], (enum phase)p);
			if (v < 0) printf(" %15s", "-");
			else printf(" %15.1f", 1e9 / v);
		}
		printf("\n");
	}
	printf("\nmembers set-up (timed apart, not in the table): %s static members added;",
	       grouped(b1, sizeof b1, (double)w->nmembers));
	for (int i = 0; i < IMPL_FLOOR; i++)
		if (res[i].ran && res[i].member_add_seconds > 0)
			printf(" %s %s/s", i == IMPL_AVNM ? "libavnm" : "SQLite",
			       grouped(b1, sizeof b1, (double)res[i].member_add_ops / res[i].member_add_seconds));
	if (res[IMPL_AVNM].mixed_ops)
		printf("\nmixed (--mixed %zu): libavnm answered the can_manage questions again at %.1f ns "
		       "a question, with a change after every %zu (%zu changes, their time left out)",
		       bench_mixed, res[IMPL_AVNM].mixed_seconds * 1e9 / (double)res[IMPL_AVNM].mixed_ops,
		       bench_mixed, res[IMPL_AVNM].mixed_changes);
	printf("\npeak memory per virtual network:");
	for (int i = 0; i < IMPL_FLOOR; i++)
		if (res[i].ran)
			printf(" %s %.1f bytes (%s bytes in all);", i == IMPL_AVNM ? "libavnm" : "SQLite",
			       per_vnet(w, &res[i]), grouped(b1, sizeof b1, (double)res[i].peak_bytes));
	printf("\n  method: %s\n", memory_method);
	printf("checks: %s\n", bad ? "FAILED (see the messages above)"
	                           : "every implementation run gave the answers the world implies "
	                             "(counts and digests of every answer), so they agree");
}

static void json_num(double v)
{
	if (v < 0) printf("null");
	else printf("%.1f", v);
}

static void print_json(const struct world *w, const struct result *res)
{
	printf("{\"scale\": %u, \"questions\": %zu, \"avnm_batch\": %zu, \"ids\": \"%s\", "
	       "\"clock\": \"%s\", \"phases\": [",
	       w->scale, w->nq, bench_batch, bench_ids_table ? "table" : "stream",
	       bench_cpu_clock ? "cpu" : "monotonic");
	for (int p = 0; p < NPHASES; p++) {
		printf("%s{\"name\": \"%s\", \"ops\": %zu, \"avnm_ops_per_s\": ", p ? ", " : "", phase_names[p],
		       phase_ops(w, (enum phase)p));
		json_num(rate(&res[IMPL_AVNM], (enum phase)p));
		printf(", \"sqlite_ops_per_s\": ");
		json_num(rate(&res[IMPL_SQLITE], (enum phase)p));
		printf(", \"floor_ops_per_s\": ");
		json_num(rate(&res[IMPL_FLOOR], (enum phase)p));
		printf("}");
	}
	printf("], \"bytes_per_vnet\": {\"avnm\": ");
	json_num(res[IMPL_AVNM].ran ? per_vnet(w, &res[IMPL_AVNM]) : -1);
	printf(", \"sqlite\": ");
	json_num(res[IMPL_SQLITE].ran ? per_vnet(w, &res[IMPL_SQLITE]) : -1);
	printf("}");
	if (res[IMPL_AVNM].mixed_ops)
		printf(", \"avnm_mixed\": {\"every\": %zu, \"changes\": %zu, \"ns_per_question\": %.1f}",
		       bench_mixed, res[IMPL_AVNM].mixed_changes,
		       res[IMPL_AVNM].mixed_seconds * 1e9 / (double)res[IMPL_AVNM].mixed_ops);
	printf(", \"memory_method\": \"%s\", \"checks_passed\": %s}\n", memory_method,
	       bad ? "false" : "true");
}

int main(int argc, char **argv)
{
	unsigned long long scale = DEFAULT_SCALE, nq = DEFAULT_QUESTIONS;
	int json = 0, only = -1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--scale") && i + 1 < argc) {
			if (parse_count(argv[++i], 40000000ull, &scale) || scale < 2) {
				fprintf(stderr, "avnm-bench: --scale wants a whole number from 2 to 40,000,000\n");
				return 2;
			}
		} else if (!strcmp(a, "--questions") && i + 1 < argc) {
			if (parse_count(argv[++i], 1ull << 32, &nq)) {
				fprintf(stderr, "avnm-bench: --questions wants a whole number\n");
				return 2;
			}
		} else if (!strcmp(a, "--batch") && i + 1 < argc) {
			unsigned long long b;
			if (parse_count(argv[++i], 1ull << 20, &b) || b < 1) {
				fprintf(stderr, "avnm-bench: --batch wants a whole number from 1 to 1048576\n");
				return 2;
			}
			bench_batch = (size_t)b;
		} else if (!strcmp(a, "--mixed") && i + 1 < argc) {
			unsigned long long b;
			if (parse_count(argv[++i], 1ull << 20, &b)) {
				fprintf(stderr, "avnm-bench: --mixed wants a whole number from 0 to 1048576\n");
				return 2;
			}
			bench_mixed = (size_t)b;
		} else if (!strcmp(a, "--ids") && i + 1 < argc) {
			const char *v = argv[++i];
			if (strcmp(v, "stream") && strcmp(v, "table")) {
				fprintf(stderr, "avnm-bench: --ids wants stream or table\n");
				return 2;
			}
			bench_ids_table = !strcmp(v, "table");
		} else if (!strcmp(a, "--only") && i + 1 < argc) {
			const char *v = argv[++i];
			for (int k = 0; k < NIMPLS; k++)
				if (!strcmp(v, impl_names[k])) only = k;
			if (only < 0) {
				fprintf(stderr, "avnm-bench: --only wants avnm, sqlite or floor\n");
				return 2;
			}
		} else if (!strcmp(a, "--cpu-time")) {
			bench_cpu_clock = 1;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	/* A network index is 32 bits in the questions. */
	if (scale * VNETS_PER_TENANT > UINT32_MAX) {
		fprintf(stderr, "avnm-bench: --scale too large\n");
		return 2;
	}

	struct world w;
	if (world_init(&w, (unsigned)scale, (size_t)nq, SEED)) {
		fprintf(stderr, "avnm-bench: out of memory building the world\n");
		return 1;
	}
	struct result res[NIMPLS];
	memset(res, 0, sizeof res);
	const run_fn run[NIMPLS] = { run_avnm, run_sqlite, run_floor };
	int failed[NIMPLS] = { 0 }, any_failed = 0;
	if (only >= 0) {
		/* one implementation: in this process, as it comes (for profiling) */
		if (!json) fprintf(stderr, "avnm-bench: running %s...\n", impl_names[only]);
		failed[only] = run[only](&w, &res[only]) != 0;
	} else {
		if (!json)
			fprintf(stderr, "avnm-bench: running avnm, sqlite and floor in turns, step by step...\n");
		run_in_turns(&w, run, res, failed, json);
	}
	for (int i = 0; i < NIMPLS; i++) {
		if (only >= 0 && only != i) continue;
		if (failed[i]) {
			fprintf(stderr, "avnm-bench: %s failed\n", impl_names[i]);
			res[i].ran = 0;
			any_failed = bad = 1;
			continue;
		}
		check(&w, &res[i], (enum impl)i);
	}
	if (json) print_json(&w, res);
	else print_table(&w, res);
	world_fini(&w);
	return any_failed || bad ? 1 : 0;
}
