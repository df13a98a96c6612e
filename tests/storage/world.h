/* The storage tests' "full scenario": a fixed list of public API calls that
 * together touch every kind of stored record (tenants with and without names,
 * management groups two levels deep, subscriptions and a move, tagged virtual
 * networks, managers created, updated and force-deleted, scope and hub
 * connections in every state, groups of both member types, static members,
 * dynamic conditions, principals, guests and roles), made partly as principals
 * (allowed and forbidden), with failing calls of several codes mixed in.
 *
 * A few steps are state checks (a query, no change): they make the scenario
 * prove that it reaches the states it claims to reach, so that a storage test
 * that passes has really stored a Conflict, a Rejected, an implied consent...
 *
 * Everything here uses the public API only (avnm.h). */
#ifndef AVNM_TEST_STORAGE_WORLD_H
#define AVNM_TEST_STORAGE_WORLD_H

#include <stddef.h>

#include "avnm.h"

/* world_step's result when a state check step finds another state (or the
 * query itself fails): never an avnm_error, which are all <= 0. */
#define WORLD_CHECK_FAILED 1

/* Number of steps. */
size_t world_nsteps(void);

/* Run step i on ctx: the call's avnm_error (or WORLD_CHECK_FAILED). */
int world_step(avnm_ctx *ctx, size_t i);

/* What step i returns on the designed run (from an empty world, every step
 * before it done). */
int world_expected(size_t i);

/* Whether step i may change the world: 0 for state checks (queries). A step
 * that changes the world commits exactly one transaction when it succeeds. */
int world_step_changes(size_t i);

/* One line describing step i ("12 manager-create nm-a as alice"), for failure
 * messages. Always NUL-terminates buf when size > 0. */
void world_describe(char *buf, size_t size, size_t i);

/* Churn after the scenario, for tests that need many commits: change k
 * (k = 0, 1, 2, ...) creates (k even) or deletes (k odd) a hub connection that
 * answers a Pending scope connection of the scenario, so that each change
 * rewrites both sides' states. After k >= 1 the world alternates between two
 * states: after change k equals after change k - 2. Returns the call's
 * avnm_error (AVNM_OK on the designed run). */
int world_churn(avnm_ctx *ctx, size_t k);

/* The whole world as text (avnm_ctx_dump), as a malloc'ed string to free();
 * NULL if the dump fails. */
char *world_dump(avnm_ctx *ctx);

/* Compare two dumps; when they differ, print `what`, and the first lines
 * where they differ, expected and actual, to stderr. 1 if equal. */
int world_same(const char *what, const char *expected, const char *actual);

#endif /* AVNM_TEST_STORAGE_WORLD_H */
