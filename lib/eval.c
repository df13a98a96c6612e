/* The rules as pure functions of facts (R3.3, R4.4-R4.8). The registry gathers the
 * facts and calls these; they never see the registry. */
#include <string.h>

#include "internal.h"

avnm_state avnm_revocation_transition(avnm_state pair_state)
{
	switch (pair_state) {
	case AVNM_STATE_CONNECTED:
	case AVNM_STATE_REVOKED:
		return AVNM_STATE_REVOKED;
	case AVNM_STATE_REJECTED:
		return AVNM_STATE_REJECTED;
	case AVNM_STATE_PENDING:
	case AVNM_STATE_CONFLICT:
	case AVNM_STATE_NONE:
	default:
		return AVNM_STATE_PENDING;
	}
}

static avnm_state with(avnm_reason_code *out, avnm_reason_code code, avnm_state st)
{
	if (out) *out = code;
	return st;
}

avnm_state avnm_consent_evaluate(const avnm_consent_facts *f, avnm_reason_code *reason)
{
	if (!f) return with(reason, AVNM_REASON_NONE, AVNM_STATE_NONE);
	/* R4.8: only deleting and re-creating leaves Rejected. */
	if (f->rejected) return with(reason, AVNM_REASON_REJECTED, AVNM_STATE_REJECTED);
	/* R4.5: the manager already holds this through its local scope. */
	if (f->implied && f->manager_exists)
		return with(reason, AVNM_REASON_CONNECTED_IMPLIED, AVNM_STATE_CONNECTED);
	if (f->counterpart && f->manager_exists) {
		/* R4.6: Conflict is sticky until a fresh evaluation. */
		if (f->previous == AVNM_STATE_CONFLICT && !f->fresh)
			return with(reason, AVNM_REASON_CONFLICT, AVNM_STATE_CONFLICT);
		if (f->conflict) return with(reason, AVNM_REASON_CONFLICT, AVNM_STATE_CONFLICT);
		return with(reason, AVNM_REASON_CONNECTED, AVNM_STATE_CONNECTED);
	}
	/* No live counterpart: what it was decides (R4.4, R4.5a). */
	avnm_state st = avnm_revocation_transition(f->previous);
	if (st == AVNM_STATE_REVOKED) {
		if (f->previous == AVNM_STATE_CONNECTED && f->previous_implied)
			return with(reason, AVNM_REASON_REVOKED_IMPLIED_LAPSED, st);
		return with(reason, AVNM_REASON_REVOKED, st);
	}
	if (!f->manager_exists) return with(reason, AVNM_REASON_PENDING_NO_MANAGER, AVNM_STATE_PENDING);
	if (f->counterpart_rejected)
		return with(reason, AVNM_REASON_PENDING_REJECTED, AVNM_STATE_PENDING);
	return with(reason, AVNM_REASON_PENDING_NO_COUNTERPART, AVNM_STATE_PENDING);
}

size_t avnm_conflicts_find(const avnm_holding *held, size_t nheld, const char *self,
                           unsigned int accesses, const char *const *items, size_t nitems,
                           avnm_conflict *out, size_t cap)
{
	size_t found = 0;
	if (!held || !items) return 0;
	for (size_t i = 0; i < nheld; i++) {
		const avnm_holding *h = &held[i];
		unsigned shared = h->accesses & accesses;
		if (!shared || !h->item || !h->manager) continue;
		if (self && strcmp(h->manager, self) == 0) continue;
		for (size_t j = 0; j < nitems; j++) {
			if (!items[j] || strcmp(items[j], h->item) != 0) continue;
			if (out && found < cap) {
				out[found].item = h->item;
				out[found].manager = h->manager;
				out[found].shared = shared;
			}
			found++;
			break;
		}
	}
	return found;
}
