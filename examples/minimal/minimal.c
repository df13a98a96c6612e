/*
 * minimal.c - the tour of libavnm from README.md, as one program.
 *
 * Contoso runs a central network manager. Its customer Fabrikam lets it manage
 * the management group mg-prod. That takes two-way consent (R4): a scope
 * connection from the manager and a hub connection from Fabrikam, naming
 * exactly the same scope.
 */
#include <avnm.h>

#include <stdio.h>

#define CONTOSO "11111111-1111-1111-1111-111111111111"
#define FABRIKAM "22222222-2222-2222-2222-222222222222"
#define CSUB "c0000000-0000-0000-0000-000000000001"
#define FSUB "f0000000-0000-0000-0000-000000000001"
#define NM "/subscriptions/" CSUB "/resourceGroups/rg-avnm" \
	"/providers/Microsoft.Network/networkManagers/nm-central"
#define MGPROD "/providers/Microsoft.Management/managementGroups/mg-prod"
#define VNET "/subscriptions/" FSUB "/resourceGroups/rg-net" \
	"/providers/Microsoft.Network/virtualNetworks/vnet-app"

/* Every call returns AVNM_OK (0) or a negative avnm_error; the context keeps a
 * message saying what failed and why. */
#define TRY(call)                                                              \
	do {                                                                   \
		rc = (call);                                                   \
		if (rc != AVNM_OK) {                                           \
			fprintf(stderr, "%s failed: %s: %s\n", #call,          \
			        avnm_error_name(rc), avnm_errmsg(ctx));        \
			goto out;                                              \
		}                                                              \
	} while (0)

/* Print the state of the scope connection and why it is in that state. */
static int show_state(avnm_ctx *ctx, avnm_scope_connection *sc)
{
	avnm_state state;
	avnm_reason *why = NULL;
	int rc = avnm_scope_connection_get_state(&state, &why, sc);

	if (rc != AVNM_OK) {
		fprintf(stderr, "get_state failed: %s: %s\n", avnm_error_name(rc),
		        avnm_errmsg(ctx));
		return rc;
	}
	printf("  scope connection: %s\n    reason: %s\n", avnm_state_name(state),
	       avnm_reason_text(why));
	avnm_reason_free(why);
	return AVNM_OK;
}

/* May the manager manage the Fabrikam network for Connectivity now? */
static int show_manage(avnm_ctx *ctx)
{
	int allowed = 0;
	avnm_reason *why = NULL;
	int rc = avnm_can_manage(&allowed, &why, ctx, NM, VNET, AVNM_ACCESS_CONNECTIVITY,
	                         NULL);

	if (rc != AVNM_OK) {
		fprintf(stderr, "avnm_can_manage failed: %s: %s\n", avnm_error_name(rc),
		        avnm_errmsg(ctx));
		return rc;
	}
	printf("  vnet-app for Connectivity: %s\n    reason: %s\n", allowed ? "allow" : "deny",
	       avnm_reason_text(why));
	avnm_reason_free(why);
	return AVNM_OK;
}

int main(void)
{
	avnm_options opts = AVNM_OPTIONS_INIT;
	avnm_ctx *ctx = NULL;
	avnm_scope *home = NULL, *prod = NULL;
	avnm_scope_connection *sc = NULL;
	avnm_hub_connection *hub = NULL;
	avnm_list *cross = NULL;
	avnm_state state;
	int rc, status = 1;

	/* A context holds one world. Options are a versioned struct: start from
	 * the _INIT macro, then set what you need (here: nothing). */
	rc = avnm_ctx_new(&ctx, &opts);
	if (rc != AVNM_OK) {
		fprintf(stderr, "avnm_ctx_new failed: %s\n", avnm_error_name(rc));
		return 1;
	}
	printf("libavnm %s\n", avnm_version_string());

	/* The directory: Contoso with one subscription; Fabrikam with the
	 * management group mg-prod, a subscription in it and a virtual network. */
	TRY(avnm_tenant_create(ctx, CONTOSO, "Contoso"));
	TRY(avnm_subscription_create(ctx, CONTOSO, CSUB, NULL));
	TRY(avnm_tenant_create(ctx, FABRIKAM, "Fabrikam"));
	TRY(avnm_mg_create(ctx, FABRIKAM, "mg-prod", NULL));
	TRY(avnm_subscription_create(ctx, FABRIKAM, FSUB, "mg-prod"));
	TRY(avnm_vnet_create(ctx, VNET, "westeurope", NULL, 0));

	/* Contoso's central manager: two accesses, its own subscription as local
	 * scope. NULL as `as` is the trusted system caller (R6.5). */
	TRY(avnm_scope_new(&home, ctx));
	TRY(avnm_scope_add(home, "/subscriptions/" CSUB));
	TRY(avnm_manager_create(ctx, NULL, NM,
	                        AVNM_ACCESS_CONNECTIVITY | AVNM_ACCESS_SECURITY_ADMIN, home));
	printf("manager nm-central created\n");

	/* Alice administers Contoso's networks, but has no guest account in
	 * Fabrikam yet: asking for Fabrikam's mg-prod is refused (R6.2). */
	TRY(avnm_principal_create(ctx, "alice", CONTOSO));
	TRY(avnm_role_assign(ctx, "alice", AVNM_ROLE_NETWORK_CONTRIBUTOR, "/subscriptions/" CSUB,
	                     NULL));
	TRY(avnm_scope_new(&prod, ctx));
	TRY(avnm_scope_add(prod, MGPROD));
	rc = avnm_scope_connection_create(ctx, "alice", NM, "to-fabrikam", FABRIKAM, prod);
	if (rc != AVNM_E_FORBIDDEN) {
		fprintf(stderr, "expected forbidden, got %s\n", avnm_error_name(rc));
		goto out;
	}
	printf("as alice without a guest account: %s: %s\n", avnm_error_name(rc),
	       avnm_errmsg(ctx));

	/* Fabrikam invites alice as a guest with Network Contributor on mg-prod. */
	TRY(avnm_guest_add(ctx, "alice", FABRIKAM));
	TRY(avnm_role_assign(ctx, "alice", AVNM_ROLE_NETWORK_CONTRIBUTOR, MGPROD, FABRIKAM));

	/* The manager side of consent alone: Pending, nothing is managed yet. */
	TRY(avnm_scope_connection_create(ctx, "alice", NM, "to-fabrikam", FABRIKAM, prod));
	TRY(avnm_scope_connection_open(&sc, ctx, NM, "to-fabrikam"));
	printf("alice asks for mg-prod:\n");
	TRY(show_state(ctx, sc));
	TRY(show_manage(ctx));

	/* Fabrikam's side, with exactly the same scope: Connected. */
	TRY(avnm_hub_connection_create(ctx, NULL, FABRIKAM, "from-contoso", prod, NM));
	printf("Fabrikam consents to mg-prod:\n");
	TRY(show_state(ctx, sc));
	TRY(show_manage(ctx));
	TRY(avnm_manager_cross_tenant_scopes(&cross, ctx, NM));
	for (size_t i = 0; i < avnm_list_count(cross); i++)
		printf("  cross-tenant scope: %s (tenant %s)\n", avnm_list_get(cross, i),
		       avnm_list_tenant(cross, i) ? avnm_list_tenant(cross, i) : "-");

	/* Fabrikam withdraws: the scope connection is Revoked at once (R4.7). */
	TRY(avnm_hub_connection_open(&hub, ctx, FABRIKAM, "from-contoso"));
	TRY(avnm_hub_connection_delete(ctx, NULL, FABRIKAM, "from-contoso"));
	printf("Fabrikam deletes its hub connection:\n");
	TRY(show_state(ctx, sc));
	TRY(show_manage(ctx));

	/* A handle on a deleted object is safe: every call on it says so. */
	rc = avnm_hub_connection_get_state(&state, NULL, hub);
	if (rc != AVNM_E_STALE_HANDLE) {
		fprintf(stderr, "expected stale-handle, got %s\n", avnm_error_name(rc));
		goto out;
	}
	printf("  the deleted hub connection's handle: %s\n", avnm_error_name(rc));

	status = 0;
	printf("done\n");
out:
	/* Free what the library handed out, handles and scopes before the context. */
	avnm_list_free(cross);
	avnm_hub_connection_close(hub);
	avnm_scope_connection_close(sc);
	avnm_scope_free(prod);
	avnm_scope_free(home);
	avnm_ctx_free(ctx);
	return status;
}
