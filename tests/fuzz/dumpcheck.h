/* Invariants of a world read from its dump (avnm_ctx_dump, docs/storage-format.md),
 * so that they can be checked on any world: one the fuzzers built, one loaded from
 * fuzzed records, or a snapshot a reader took while writers ran.
 *  - R3.3: no scope item is held directly (local scope, or a scope connection that
 *    holds its items) by two managers whose accesses intersect;
 *  - a scope connection holds its items exactly when it is Connected with both
 *    sides' consent (reason "connected"), not by implied consent;
 *  - R4.2/R4.3: a Connected pair (reason "connected") has its matching counterpart
 *    in the world, Connected too; a matched pair shares its state;
 *  - R4.5: a connection Connected by implied consent is covered by its manager's
 *    local scope in the manager's home tenant;
 *  - R4.8: Rejected exactly when the scope connection was rejected; hub
 *    connections are never Rejected. */
#ifndef AVNM_FUZZ_DUMPCHECK_H
#define AVNM_FUZZ_DUMPCHECK_H

#include <stddef.h>

/* 0 when every invariant holds; else -1 with what broke in why. A dump that does
 * not parse is -1 too. */
int dump_check(const char *dump, size_t len, char *why, size_t whysize);

#endif
