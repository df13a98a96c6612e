/* The expectations of the scenario language (see verbs.c for their syntax). */
#ifndef AVNM_CLI_EXPECT_H
#define AVNM_CLI_EXPECT_H

#include "verbs.h"

verb_fn expect_ok;
verb_fn expect_error;
verb_fn expect_scope_connection_state;
verb_fn expect_hub_connection_state;
verb_fn expect_manage;
verb_fn expect_managers;
verb_fn expect_members;
verb_fn expect_cross_tenant_scopes;

#endif
