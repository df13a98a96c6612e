/*
 * Pins the layout of every public struct of avnm.h: its size and the offset of
 * each member, as compiled on LP64 (x86_64 and aarch64 Linux). A program built
 * against an older avnm.h hands the library structs of the old layout, so a
 * layout may never change within libavnm.so.0 (docs/ABI.md).
 *
 * Versioned structs (avnm_options, avnm_storage: the first member `version` is
 * set by the _INIT macro) may grow, but only like this:
 *   1. the new member is appended at the end; no member moves or changes type;
 *   2. AVNM_<STRUCT>_VERSION goes up by one and the _INIT macro gets the new
 *      member's default;
 *   3. here, the size of the new version is appended to <struct>_sizes[] and
 *      the new member's offset to the member list. The old sizes stay: entry
 *      v-1 is forever the size of version v, which the library must go on
 *      accepting from old callers (it reads only the members of `version`).
 * Appending without raising the version, or raising it without pinning the new
 * size, fails here. The other public structs carry no version and are frozen.
 *
 * On other data models the exact numbers do not apply: the test then checks
 * only what holds everywhere (the _INIT macros and the version checks).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "avnm.h"

static int failures;

static void check_size(const char *file, int line, const char *what, size_t got, size_t want)
{
	if (got != want) {
		fprintf(stderr, "%s:%d: FAIL: %s is %zu, pinned %zu\n", file, line, what, got, want);
		failures++;
	}
}

static void check_true(const char *file, int line, const char *what, int ok)
{
	if (!ok) {
		fprintf(stderr, "%s:%d: FAIL: %s\n", file, line, what);
		failures++;
	}
}

#define SIZE(type, want) check_size(__FILE__, __LINE__, "sizeof(" #type ")", sizeof(type), want)
#define OFFSET(type, member, want) \
	check_size(__FILE__, __LINE__, "offsetof(" #type ", " #member ")", offsetof(type, member), want)
#define CHECK(cond) check_true(__FILE__, __LINE__, #cond, (cond) ? 1 : 0)
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#if UINTPTR_MAX == 0xffffffffffffffff
#define LP64_LAYOUT 1

/* Size of each version of a versioned struct: entry v-1 is version v. */
static const size_t options_sizes[] = {
	24, /* version 1: version, flags, max_mg_depth, max_mgs_per_tenant, allocator */
};
static const size_t storage_sizes[] = {
	72, /* version 1: version, opaque, load, begin, put, del, commit, rollback, errmsg */
};

static void test_versioned_layouts(void)
{
	/* Every version has a pinned size, and the current one is the last. */
	CHECK(COUNT(options_sizes) == AVNM_OPTIONS_VERSION);
	SIZE(avnm_options, options_sizes[COUNT(options_sizes) - 1]);
	/* version 1 */
	OFFSET(avnm_options, version, 0);
	OFFSET(avnm_options, flags, 4);
	OFFSET(avnm_options, max_mg_depth, 8);
	OFFSET(avnm_options, max_mgs_per_tenant, 12);
	OFFSET(avnm_options, allocator, 16);

	CHECK(COUNT(storage_sizes) == AVNM_STORAGE_VERSION);
	SIZE(avnm_storage, storage_sizes[COUNT(storage_sizes) - 1]);
	/* version 1 */
	OFFSET(avnm_storage, version, 0);
	OFFSET(avnm_storage, opaque, 8);
	OFFSET(avnm_storage, load, 16);
	OFFSET(avnm_storage, begin, 24);
	OFFSET(avnm_storage, put, 32);
	OFFSET(avnm_storage, del, 40);
	OFFSET(avnm_storage, commit, 48);
	OFFSET(avnm_storage, rollback, 56);
	OFFSET(avnm_storage, errmsg, 64);
}

static void test_frozen_layouts(void)
{
	/* Enums that are struct members: their size is part of the layouts. */
	SIZE(avnm_state, 4);
	SIZE(avnm_event_kind, 4);

	SIZE(avnm_allocator, 24);
	OFFSET(avnm_allocator, alloc, 0);
	OFFSET(avnm_allocator, free, 8);
	OFFSET(avnm_allocator, opaque, 16);

	SIZE(avnm_tag, 16);
	OFFSET(avnm_tag, key, 0);
	OFFSET(avnm_tag, value, 8);

	SIZE(avnm_consent_facts, 36);
	OFFSET(avnm_consent_facts, previous, 0);
	OFFSET(avnm_consent_facts, rejected, 4);
	OFFSET(avnm_consent_facts, manager_exists, 8);
	OFFSET(avnm_consent_facts, counterpart, 12);
	OFFSET(avnm_consent_facts, implied, 16);
	OFFSET(avnm_consent_facts, conflict, 20);
	OFFSET(avnm_consent_facts, fresh, 24);
	OFFSET(avnm_consent_facts, counterpart_rejected, 28);
	OFFSET(avnm_consent_facts, previous_implied, 32);

	SIZE(avnm_holding, 24);
	OFFSET(avnm_holding, item, 0);
	OFFSET(avnm_holding, manager, 8);
	OFFSET(avnm_holding, accesses, 16);

	SIZE(avnm_conflict, 24);
	OFFSET(avnm_conflict, item, 0);
	OFFSET(avnm_conflict, manager, 8);
	OFFSET(avnm_conflict, shared, 16);

	SIZE(avnm_event, 64);
	OFFSET(avnm_event, kind, 0);
	OFFSET(avnm_event, manager, 8);
	OFFSET(avnm_event, connection, 16);
	OFFSET(avnm_event, tenant, 24);
	OFFSET(avnm_event, item, 32);
	OFFSET(avnm_event, group, 40);
	OFFSET(avnm_event, resource, 48);
	OFFSET(avnm_event, old_state, 56);
	OFFSET(avnm_event, new_state, 60);
}
#else
#define LP64_LAYOUT 0
#endif

/* The _INIT macros name the current version and leave every other member
 * zero or NULL: the library's defaults. */
static void test_init_macros(void)
{
	avnm_options opts = AVNM_OPTIONS_INIT;
	avnm_storage st = AVNM_STORAGE_INIT;

	CHECK(AVNM_OPTIONS_VERSION == 1);
	CHECK(AVNM_STORAGE_VERSION == 1);

	CHECK(opts.version == AVNM_OPTIONS_VERSION);
	CHECK(opts.flags == 0);
	CHECK(opts.max_mg_depth == 0);
	CHECK(opts.max_mgs_per_tenant == 0);
	CHECK(opts.allocator == NULL);

	CHECK(st.version == AVNM_STORAGE_VERSION);
	CHECK(st.opaque == NULL);
	CHECK(st.load == NULL);
	CHECK(st.begin == NULL);
	CHECK(st.put == NULL);
	CHECK(st.del == NULL);
	CHECK(st.commit == NULL);
	CHECK(st.rollback == NULL);
	CHECK(st.errmsg == NULL);
}

/* The run-time side of versioning: the library takes every version up to the
 * current one and refuses a newer one (a caller built against a later avnm.h). */
static void test_versions_accepted(void)
{
	avnm_options opts = AVNM_OPTIONS_INIT;
	avnm_ctx *ctx = NULL;
	unsigned int v;

	for (v = 1; v <= AVNM_OPTIONS_VERSION; v++) {
		opts.version = v;
		CHECK(avnm_ctx_new(&ctx, &opts) == AVNM_OK);
		CHECK(ctx != NULL);
		avnm_ctx_free(ctx);
		ctx = NULL;
	}
	opts.version = AVNM_OPTIONS_VERSION + 1;
	CHECK(avnm_ctx_new(&ctx, &opts) == AVNM_E_INVALID_ARGUMENT);
	CHECK(ctx == NULL);
	opts.version = 0;
	CHECK(avnm_ctx_new(&ctx, &opts) == AVNM_E_INVALID_ARGUMENT);
	CHECK(ctx == NULL);

	{
		avnm_storage *store = NULL;
		avnm_storage copy;
		CHECK(avnm_memstore_new(&store) == AVNM_OK);
		if (store) {
			CHECK(store->version == AVNM_STORAGE_VERSION);
			copy = *store;
			copy.version = AVNM_STORAGE_VERSION + 1;
			CHECK(avnm_ctx_open(&ctx, NULL, &copy, NULL, 0) == AVNM_E_INVALID_ARGUMENT);
			CHECK(ctx == NULL);
			CHECK(avnm_ctx_open(&ctx, NULL, store, NULL, 0) == AVNM_OK);
			avnm_ctx_free(ctx);
			avnm_memstore_free(store);
		}
	}
}

int main(void)
{
#if LP64_LAYOUT
	test_versioned_layouts();
	test_frozen_layouts();
#else
	printf("note: not an LP64 target: sizes and offsets are pinned for LP64 only, not checked\n");
#endif
	test_init_macros();
	test_versions_accepted();
	if (failures) {
		fprintf(stderr, "%d check(s) failed: a public struct changed (see the comment at the top)\n",
		        failures);
		return 1;
	}
	printf("ok: public struct layouts as pinned%s\n", LP64_LAYOUT ? "" : " (layouts not checked)");
	return 0;
}
