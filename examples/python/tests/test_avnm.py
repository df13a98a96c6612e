"""Tests of the avnm Python binding: the public scenarios' key flows (docs/scenarios,
/work/shared/scenarios/*.avnm), events, handles, storage and the error mapping.

Run: PYTHONPATH=examples/python AVNM_LIBRARY=build/lib/libavnm.so.0 \
     python3 -m unittest discover -s examples/python/tests -v
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import unittest

import avnm
from avnm import Access, EventKind, PartKind, ReasonCode, State

CONTOSO = "11111111-1111-1111-1111-111111111111"
FABRIKAM = "22222222-2222-2222-2222-222222222222"
CSUB = "c0000000-0000-0000-0000-000000000001"
FSUB = "f0000000-0000-0000-0000-000000000001"
FSUB2 = "f0000000-0000-0000-0000-000000000002"
RG = f"/subscriptions/{CSUB}/resourceGroups/rg-avnm/providers/Microsoft.Network/networkManagers"
NM = f"{RG}/nm-central"
MGPROD = "/providers/Microsoft.Management/managementGroups/mg-prod"
VNET = f"/subscriptions/{FSUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-app"
HOMEVNET = f"/subscriptions/{CSUB}/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub"


def world(ctx: avnm.Context) -> None:
    """The directory of scenario 01: Contoso manages, Fabrikam is managed."""
    ctx.tenant(CONTOSO, name="Contoso")
    ctx.subscription(CONTOSO, CSUB)
    ctx.tenant(FABRIKAM, name="Fabrikam")
    ctx.management_group(FABRIKAM, "mg-prod")
    ctx.subscription(FABRIKAM, FSUB, mg="mg-prod")
    ctx.vnet(VNET, region="westeurope")


class ContextTest(unittest.TestCase):
    def setUp(self) -> None:
        self.ctx = avnm.Context()
        self.addCleanup(self.ctx.close)


class TestLibrary(unittest.TestCase):
    def test_loaded_library_has_the_expected_major(self) -> None:
        self.assertEqual(avnm.library_version_number >> 16, 0)
        self.assertRegex(avnm.library_version, r"^0\.\d+\.\d+$")
        self.assertTrue(avnm.library_path)

    def test_enum_values_are_the_headers(self) -> None:
        self.assertEqual(int(Access.CONNECTIVITY | Access.ROUTING), 0x9)
        self.assertEqual(int(Access.ALL), 0xF)
        self.assertEqual(State.REJECTED, 5)
        self.assertEqual(ReasonCode.DENY_LINKED, 44)
        self.assertEqual(ReasonCode.ALLOW_LOCAL_SCOPE, 20)
        self.assertEqual(PartKind.SUBSCRIPTION, 9)
        self.assertEqual(avnm.Role.READER, 4)
        self.assertEqual(avnm.Action.NETWORK_WRITE, 2)
        self.assertEqual(avnm.MemberType.SUBNET, 2)
        self.assertEqual(EventKind.MEMBER_INEFFECTIVE, 6)
        self.assertEqual(str(State.CONNECTED), "Connected")
        self.assertEqual(str(Access.CONNECTIVITY | Access.SECURITY_ADMIN),
                         "Connectivity,SecurityAdmin")

    def test_pure_helpers(self) -> None:
        self.assertEqual(avnm.canonical_id(f"SUBSCRIPTIONS/{CSUB.upper()}"), f"/subscriptions/{CSUB}")
        with self.assertRaises(avnm.InvalidArgument):
            avnm.canonical_id(f"/subscriptions/{CSUB}/")
        self.assertTrue(avnm.scopes_equal([f"/subscriptions/{FSUB}", f"subscriptions/{FSUB2}"],
                                          [f"/SUBSCRIPTIONS/{FSUB2.upper()}", f"/subscriptions/{FSUB}",
                                           f"/subscriptions/{FSUB}"]))
        self.assertFalse(avnm.scopes_equal(MGPROD, f"/subscriptions/{FSUB}"))
        self.assertEqual(avnm.canonical_scope([f"/subscriptions/{FSUB}", MGPROD.upper()]),
                         ["/providers/microsoft.management/managementgroups/mg-prod",
                          f"/subscriptions/{FSUB}"])


class TestTwoWayConsent(ContextTest):
    """Scenario 01 (R4.2-R4.4, R4.7)."""

    def test_pending_connected_revoked(self) -> None:
        ctx = self.ctx
        world(ctx)
        nm = ctx.manager(NM, [Access.CONNECTIVITY, "SecurityAdmin"], [f"/subscriptions/{CSUB}"])
        self.assertEqual(nm.accesses, Access.CONNECTIVITY | Access.SECURITY_ADMIN)
        self.assertEqual(nm.scope, [f"/subscriptions/{CSUB}"])

        sc = ctx.scope_connection(NM, "to-fabrikam", FABRIKAM, [MGPROD])
        self.assertEqual(sc.state, State.PENDING)
        self.assertEqual(sc.reason.code, ReasonCode.PENDING_NO_COUNTERPART)
        denied = ctx.can_manage(NM, VNET, Access.CONNECTIVITY)
        self.assertFalse(denied)
        self.assertEqual(denied.reason.code, ReasonCode.DENY_NOT_CONNECTED)
        self.assertIn("to-fabrikam", denied.reason.values(PartKind.CONNECTION))
        self.assertEqual(ctx.cross_tenant_scopes(NM), [])

        hc = ctx.hub_connection(FABRIKAM, "from-contoso", MGPROD, NM)
        self.assertEqual(hc.state, State.CONNECTED)
        self.assertEqual(sc.state, State.CONNECTED)
        self.assertEqual(ctx.scope_connection_state(NM, "to-fabrikam")[0], State.CONNECTED)
        allowed = ctx.can_manage(NM, VNET, "Connectivity")
        self.assertTrue(allowed.allowed)
        self.assertEqual(allowed.reason.code, ReasonCode.ALLOW_CONNECTION)
        self.assertTrue(nm.can_manage(VNET, Access.SECURITY_ADMIN))
        routing = ctx.can_manage(NM, VNET, Access.ROUTING)
        self.assertFalse(routing)
        self.assertEqual(routing.reason.code, ReasonCode.DENY_NO_ACCESS)
        self.assertEqual(ctx.cross_tenant_scopes(NM), [(MGPROD, FABRIKAM)])
        self.assertEqual(ctx.managers_of(VNET, Access.CONNECTIVITY), [NM])

        hc.delete()
        state, reason = sc.status()
        self.assertEqual(state, State.REVOKED)
        self.assertEqual(reason.code, ReasonCode.REVOKED)
        self.assertEqual(reason.text,
                         "Revoked: the connection was Connected, and its counterpart was deleted")
        self.assertEqual(reason.values(PartKind.CONNECTION), ["to-fabrikam"])
        self.assertEqual(reason.values(PartKind.MANAGER), [NM])
        self.assertFalse(ctx.can_manage(NM, VNET, Access.CONNECTIVITY))
        self.assertEqual(ctx.cross_tenant_scopes(NM), [])
        self.assertEqual(ctx.managers_of(VNET, Access.CONNECTIVITY), [])

    def test_many_questions_in_one_call(self) -> None:
        ctx = self.ctx
        world(ctx)
        ctx.manager(NM, [Access.CONNECTIVITY], [f"/subscriptions/{CSUB}"])
        ctx.scope_connection(NM, "to-fabrikam", FABRIKAM, [MGPROD])
        ctx.hub_connection(FABRIKAM, "from-contoso", MGPROD, NM)
        questions = [(NM, VNET, Access.CONNECTIVITY), (NM, VNET, "Routing"),
                     (NM, HOMEVNET, Access.CONNECTIVITY), (NM, MGPROD, Access.CONNECTIVITY)]
        many = ctx.can_manage_many(questions, tenants=[None, None, None, FABRIKAM])
        one = [bool(ctx.can_manage(m, r, a, t))
               for (m, r, a), t in zip(questions, [None, None, None, FABRIKAM])]
        self.assertEqual(many, one)
        self.assertEqual(many, [True, False, True, True])
        self.assertEqual(ctx.managers_of_many([(VNET, Access.CONNECTIVITY), (VNET, "Routing")]),
                         [[NM], []])
        self.assertEqual(ctx.can_manage_many([]), [])
        with self.assertRaises(avnm.AvnmError) as caught:
            ctx.can_manage_many([(NM, VNET, Access.CONNECTIVITY), (NM, "/bad", Access.CONNECTIVITY)])
        self.assertTrue(str(caught.exception).find("question 1: ") >= 0)
        with self.assertRaises(ValueError):
            ctx.can_manage_many(questions, tenants=[None])

    def test_reject_a_pending_scope_connection(self) -> None:
        """R4.8: Rejected stays, matches nothing; only delete and re-create leaves it."""
        ctx = self.ctx
        world(ctx)
        ctx.manager(NM, "Connectivity", f"/subscriptions/{CSUB}")
        sc = ctx.scope_connection(NM, "to-fabrikam", FABRIKAM, MGPROD)
        sc.reject()
        self.assertEqual(sc.state, State.REJECTED)
        self.assertEqual(sc.reason.code, ReasonCode.REJECTED)
        with self.assertRaises(avnm.InvalidArgument):
            sc.reject()
        hc = ctx.hub_connection(FABRIKAM, "from-contoso", MGPROD, NM)
        self.assertEqual(sc.state, State.REJECTED)
        self.assertEqual(hc.state, State.PENDING)
        self.assertEqual(hc.reason.code, ReasonCode.PENDING_REJECTED)
        sc.delete()
        sc2 = ctx.scope_connection(NM, "to-fabrikam", FABRIKAM, MGPROD)
        self.assertEqual(sc2.state, State.CONNECTED)


class TestScopeMismatch(ContextTest):
    """Scenario 02 (R4.2, R1.6)."""

    def test_scopes_must_be_exactly_equal(self) -> None:
        ctx = self.ctx
        ctx.tenant(CONTOSO)
        ctx.subscription(CONTOSO, CSUB)
        ctx.tenant(FABRIKAM)
        ctx.management_group(FABRIKAM, "mg-prod")
        ctx.subscription(FABRIKAM, FSUB, "mg-prod")
        ctx.subscription(FABRIKAM, FSUB2, "mg-prod")
        nm = ctx.manager(NM, "Connectivity", f"/subscriptions/{CSUB}")

        to_prod = nm.scope_connection("to-prod", FABRIKAM, MGPROD)
        sub1 = ctx.hub_connection(FABRIKAM, "sub1-only", f"/subscriptions/{FSUB}", NM)
        self.assertEqual(to_prod.state, State.PENDING)
        self.assertEqual(sub1.state, State.PENDING)

        two = nm.scope_connection("two-subs", FABRIKAM,
                                  [f"/subscriptions/{FSUB}", f"/subscriptions/{FSUB2}"])
        both = ctx.hub_connection(FABRIKAM, "both-subs",
                                  (f"/SUBSCRIPTIONS/{FSUB2.upper()}", f"subscriptions/{FSUB}"), NM)
        self.assertEqual(two.state, State.CONNECTED)
        self.assertEqual(both.state, State.CONNECTED)
        self.assertEqual(sub1.state, State.PENDING)
        self.assertEqual(ctx.hub_connection_state(FABRIKAM, "sub1-only")[0], State.PENDING)


class TestConflict(ContextTest):
    """Scenario 03 (R3.3, R4.4, R4.6)."""

    def setUp(self) -> None:
        super().setUp()
        ctx = self.ctx
        ctx.tenant(CONTOSO)
        ctx.subscription(CONTOSO, CSUB)
        ctx.tenant(FABRIKAM)
        ctx.subscription(FABRIKAM, FSUB)
        self.scope = f"/subscriptions/{FSUB}"

    def test_conflict_names_the_other_manager_and_access_and_is_sticky(self) -> None:
        ctx = self.ctx
        a = ctx.manager(f"{RG}/nm-a", "Connectivity", f"/subscriptions/{CSUB}")
        with self.assertRaises(avnm.Conflict) as cm:
            ctx.manager(f"{RG}/nm-b", ["Connectivity", "SecurityAdmin"], f"/subscriptions/{CSUB}")
        self.assertEqual(cm.exception.code, -4)
        self.assertEqual(cm.exception.name, "conflict")
        self.assertIn(f"{RG}/nm-a", cm.exception.message)
        self.assertIn("Connectivity", cm.exception.message)
        self.assertIn(f"/subscriptions/{CSUB}", cm.exception.message)

        b = ctx.manager(f"{RG}/nm-b", "Connectivity")
        sec = ctx.manager(f"{RG}/nm-sec", "SecurityAdmin")
        sa = a.scope_connection("a", FABRIKAM, self.scope)
        ctx.hub_connection(FABRIKAM, "a", self.scope, a.id)
        self.assertEqual(sa.state, State.CONNECTED)

        sb = b.scope_connection("b", FABRIKAM, self.scope)
        hb = ctx.hub_connection(FABRIKAM, "b", self.scope, b.id)
        for conn in (sb, hb):
            state, reason = conn.status()
            self.assertEqual(state, State.CONFLICT)
            self.assertEqual(reason.code, ReasonCode.CONFLICT)
            self.assertIn(f"{RG}/nm-a", reason.values(PartKind.MANAGER))
            self.assertEqual(reason.values(PartKind.ACCESS), ["Connectivity"])
            self.assertEqual(reason.values(PartKind.ITEM), [self.scope])
            self.assertIn(f"{RG}/nm-a", reason.text)
            self.assertIn("Connectivity", reason.text)
        self.assertFalse(b.can_manage(self.scope, "Connectivity"))

        ss = sec.scope_connection("s", FABRIKAM, self.scope)
        ctx.hub_connection(FABRIKAM, "s", self.scope, sec.id)
        self.assertEqual(ss.state, State.CONNECTED)
        self.assertEqual(ctx.managers_of(self.scope, Access.CONNECTIVITY), [a.id])
        self.assertEqual(ctx.managers_of(self.scope, Access.SECURITY_ADMIN), [sec.id])

        # R4.6: the other manager lets go, the conflict stays until re-evaluation.
        sa.delete()
        self.assertEqual(sb.state, State.CONFLICT)
        self.assertEqual(hb.state, State.CONFLICT)
        sb.reevaluate()
        self.assertEqual(sb.state, State.CONNECTED)
        self.assertEqual(hb.state, State.CONNECTED)
        self.assertEqual(ctx.managers_of(self.scope, Access.CONNECTIVITY), [b.id])


class TestGroups(ContextTest):
    """Scenario 04 (R5.2-R5.4)."""

    def test_members_follow_consent_and_survive_revocation(self) -> None:
        ctx = self.ctx
        ctx.tenant(CONTOSO)
        ctx.subscription(CONTOSO, CSUB)
        ctx.tenant(FABRIKAM)
        ctx.subscription(FABRIKAM, FSUB)
        ctx.vnet(HOMEVNET, tags={"env": "prod"})
        ctx.vnet(VNET, tags={"env": "prod"})
        nm = ctx.manager(NM, "Connectivity", f"/subscriptions/{CSUB}")
        prod = nm.group("prod")
        prod.add_member(VNET)
        prod.add_member(HOMEVNET)
        self.assertEqual(prod.members(), [HOMEVNET])

        sc = nm.scope_connection("f", FABRIKAM, f"/subscriptions/{FSUB}")
        ctx.hub_connection(FABRIKAM, "c", f"/subscriptions/{FSUB}", NM)
        self.assertEqual(sorted(prod.members()), sorted([HOMEVNET, VNET]))

        tagged = ctx.group(NM, "tagged", "VirtualNetwork")
        tagged.add_condition({"env": "prod"})
        self.assertEqual(tagged.members(), [HOMEVNET])

        def member_records() -> list:
            return [line for line in ctx.dump().splitlines() if line.startswith("E ")]

        records = member_records()
        self.assertEqual(len(records), 2)
        ctx.delete_hub_connection(FABRIKAM, "c")
        self.assertEqual(sc.state, State.REVOKED)
        self.assertEqual(prod.members(), [HOMEVNET])
        self.assertEqual(member_records(), records)  # R5.4: kept, ineffective

        ctx.hub_connection(FABRIKAM, "c2", f"/subscriptions/{FSUB}", NM)
        self.assertEqual(sc.state, State.CONNECTED)
        self.assertEqual(sorted(prod.members()), sorted([HOMEVNET, VNET]))

        prod.remove_member(VNET)
        self.assertEqual(prod.members(), [HOMEVNET])
        with self.assertRaises(avnm.NotFound):
            prod.remove_member(VNET)
        prod.delete()
        with self.assertRaises(avnm.NotFound):
            prod.members()
        with self.assertRaises(avnm.InvalidArgument):
            nm.group("subnets", "Lake")


class TestPermissions(ContextTest):
    """Scenario 05 (R6)."""

    def test_guest_with_network_contributor(self) -> None:
        ctx = self.ctx
        ctx.tenant(CONTOSO)
        ctx.subscription(CONTOSO, CSUB)
        ctx.tenant(FABRIKAM)
        ctx.management_group(FABRIKAM, "mg-prod")
        ctx.subscription(FABRIKAM, FSUB, mg="mg-prod")
        ctx.manager(NM, "Connectivity", f"/subscriptions/{CSUB}")
        ctx.principal("alice", CONTOSO)
        ctx.assign_role("alice", "NetworkContributor", f"/subscriptions/{CSUB}")
        ctx.principal("bob", FABRIKAM)
        ctx.assign_role("bob", avnm.Role.READER, MGPROD)

        with self.assertRaises(avnm.Forbidden) as cm:
            ctx.scope_connection(NM, "f", FABRIKAM, MGPROD, as_="alice")
        self.assertIn("alice", cm.exception.message)
        self.assertEqual(cm.exception.name, "forbidden")
        with self.assertRaises(avnm.NotFound):
            ctx.scope_connection_state(NM, "f")  # the failed call changed nothing

        decision = ctx.authorize("alice", avnm.Action.NETWORK_WRITE, MGPROD, FABRIKAM)
        self.assertFalse(decision)
        self.assertEqual(decision.reason.code, ReasonCode.DENY_NO_ACCOUNT)
        self.assertEqual(ctx.authorize(None, avnm.Action.NETWORK_WRITE, MGPROD,
                                       FABRIKAM).reason.code, ReasonCode.ALLOW_SYSTEM)

        ctx.guest("alice", FABRIKAM)
        ctx.assign_role("alice", avnm.Role.NETWORK_CONTRIBUTOR, MGPROD)
        self.assertTrue(ctx.authorize("alice", avnm.Action.NETWORK_WRITE, MGPROD, FABRIKAM))
        sc = ctx.scope_connection(NM, "f", FABRIKAM, MGPROD, as_="alice")

        with self.assertRaises(avnm.Forbidden) as cm:
            ctx.hub_connection(FABRIKAM, "c", MGPROD, NM, as_="bob")
        self.assertIn("bob", cm.exception.message)
        reader = ctx.authorize("bob", avnm.Action.NETWORK_WRITE, MGPROD, FABRIKAM)
        self.assertFalse(reader)
        self.assertEqual(reader.reason.code, ReasonCode.DENY_NO_ROLE)
        self.assertTrue(ctx.authorize("bob", avnm.Action.READ, MGPROD, FABRIKAM))

        ctx.assign_role("bob", "NetworkContributor",
                        f"/providers/Microsoft.Management/managementGroups/{FABRIKAM}")
        hc = ctx.hub_connection(FABRIKAM, "c", MGPROD, NM, as_="bob")
        self.assertEqual(sc.state, State.CONNECTED)
        self.assertEqual(hc.state, State.CONNECTED)


class TestBadInput(ContextTest):
    """Scenario 06 (R1.4, R7): clear errors, nothing changed."""

    def test_bad_input(self) -> None:
        ctx = self.ctx
        ctx.tenant(CONTOSO)
        before = ctx.dump()
        with self.assertRaises(avnm.Exists) as cm:
            ctx.tenant(CONTOSO)
        self.assertEqual((cm.exception.code, cm.exception.name), (-3, "exists"))
        self.assertTrue(cm.exception.message)
        with self.assertRaises(avnm.InvalidArgument) as cm:
            ctx.tenant("not-a-guid")
        self.assertIn("not-a-guid", cm.exception.message)
        with self.assertRaises(avnm.InvalidArgument):
            ctx.subscription(CONTOSO, "{" + CSUB + "}")
        with self.assertRaises(avnm.NotFound) as cm:
            ctx.subscription(CONTOSO, CSUB, mg="no-such-group")
        self.assertIn("no-such-group", cm.exception.message)
        self.assertEqual(ctx.dump(), before)

        ctx.subscription(CONTOSO, CSUB)
        for accesses, scope in (("Connectivity", f"/subscriptions/{CSUB}/"),
                                ("Connectivity", f"//subscriptions/{CSUB}"),
                                ("Connectivity", f"/subscriptions/{CSUB}/resourceGroups/rg")):
            with self.assertRaises(avnm.InvalidArgument):
                ctx.manager(NM, accesses, scope)
        with self.assertRaises(avnm.InvalidArgument) as cm:
            ctx.manager(NM, "Teleport", f"/subscriptions/{CSUB}")
        self.assertIn("Teleport", cm.exception.message)
        with self.assertRaises(avnm.InvalidArgument):
            ctx.manager(NM, 0x10, f"/subscriptions/{CSUB}")  # unknown access bit
        with self.assertRaises(avnm.InvalidArgument):  # a C string cannot carry NUL
            ctx.tenant(CONTOSO + "\0")
        with self.assertRaises(avnm.InvalidArgument):  # invalid UTF-8 reaches the library
            ctx.vnet(os.fsdecode(b"/subscriptions/" + CSUB.encode() +
                                 b"/resourceGroups/r\xff/providers/Microsoft.Network/"
                                 b"virtualNetworks/v1"))
        with self.assertRaises(TypeError):
            ctx.tenant(42)  # type: ignore[arg-type]
        with self.assertRaises(avnm.InvalidArgument):
            ctx.can_manage(NM, VNET, Access.CONNECTIVITY | Access.ROUTING)
        nm = ctx.manager(NM, "Connectivity", f"/subscriptions/{CSUB}")
        self.assertEqual(nm.id, NM)
        with self.assertRaises(avnm.Exists):
            ctx.manager(NM.upper().replace("/SUBSCRIPTIONS", "/subscriptions"), "Routing")
        with self.assertRaises(avnm.NotFound):
            ctx.open_manager(f"{RG}/nm-missing")
        with self.assertRaises(avnm.NotFound):
            ctx.delete_hub_connection(CONTOSO, "nothing")
        with self.assertRaises(avnm.InvalidArgument):  # R1.6: a scope is never empty
            ctx.hub_connection(CONTOSO, "empty", [], NM)


class TestEvents(ContextTest):
    def setUp(self) -> None:
        super().setUp()
        world(self.ctx)
        self.events: list = []
        self.ctx.on_event(self.events.append)

    def test_exact_sequence_for_connect_and_revoke(self) -> None:
        ctx = self.ctx
        ctx.manager(NM, "Connectivity", f"/subscriptions/{CSUB}")
        self.assertEqual(self.events, [
            avnm.Event(EventKind.SCOPE_ENTERED, manager=NM, tenant=CONTOSO,
                       item=f"/subscriptions/{CSUB}")])
        del self.events[:]
        ctx.scope_connection(NM, "to-fabrikam", FABRIKAM, MGPROD)
        self.assertEqual(self.events, [
            avnm.Event(EventKind.SCOPE_CONNECTION_STATE, manager=NM, connection="to-fabrikam",
                       tenant=FABRIKAM, old_state=State.NONE, new_state=State.PENDING)])
        del self.events[:]

        ctx.hub_connection(FABRIKAM, "from-contoso", MGPROD, NM)
        self.assertEqual(self.events, [
            avnm.Event(EventKind.SCOPE_CONNECTION_STATE, manager=NM, connection="to-fabrikam",
                       tenant=FABRIKAM, old_state=State.PENDING, new_state=State.CONNECTED),
            avnm.Event(EventKind.HUB_CONNECTION_STATE, manager=NM, connection="from-contoso",
                       tenant=FABRIKAM, old_state=State.NONE, new_state=State.CONNECTED),
            avnm.Event(EventKind.SCOPE_ENTERED, manager=NM, tenant=FABRIKAM, item=MGPROD),
        ])
        del self.events[:]

        ctx.delete_hub_connection(FABRIKAM, "from-contoso")
        self.assertEqual(self.events, [
            avnm.Event(EventKind.HUB_CONNECTION_STATE, manager=NM, connection="from-contoso",
                       tenant=FABRIKAM, old_state=State.CONNECTED, new_state=State.NONE),
            avnm.Event(EventKind.SCOPE_CONNECTION_STATE, manager=NM, connection="to-fabrikam",
                       tenant=FABRIKAM, old_state=State.CONNECTED, new_state=State.REVOKED),
            avnm.Event(EventKind.SCOPE_LEFT, manager=NM, tenant=FABRIKAM, item=MGPROD),
        ])

    def test_member_events_and_no_events_for_failures_or_queries(self) -> None:
        ctx = self.ctx
        nm = ctx.manager(NM, "Connectivity", f"/subscriptions/{CSUB}")
        g = nm.group("prod")
        g.add_member(VNET)
        nm.scope_connection("f", FABRIKAM, MGPROD)
        del self.events[:]
        with self.assertRaises(avnm.Exists):
            ctx.tenant(CONTOSO)
        ctx.dump()
        ctx.can_manage(NM, VNET, "Connectivity")
        self.assertEqual(self.events, [])
        ctx.hub_connection(FABRIKAM, "c", MGPROD, NM)
        member = [e for e in self.events if e.kind == EventKind.MEMBER_EFFECTIVE]
        self.assertEqual(member, [avnm.Event(EventKind.MEMBER_EFFECTIVE, manager=NM,
                                             group="prod", resource=VNET)])
        del self.events[:]
        ctx.delete_hub_connection(FABRIKAM, "c")
        self.assertIn(avnm.Event(EventKind.MEMBER_INEFFECTIVE, manager=NM, group="prod",
                                 resource=VNET), self.events)

    def test_callback_exception_is_reraised_after_the_change(self) -> None:
        ctx = self.ctx
        seen: list = []

        def boom(event: avnm.Event) -> None:
            seen.append(event.kind)
            raise KeyError(f"callback {len(seen)}")

        self.assertIs(ctx.on_event(boom), boom)
        with self.assertRaises(KeyError):
            ctx.manager(NM, "Connectivity", [f"/subscriptions/{CSUB}"])
        ctx.open_manager(NM).close()  # the change was made and stays made
        with self.assertRaises(KeyError):
            ctx.scope_connection(NM, "to-fabrikam", FABRIKAM, MGPROD)
        # Three events: all delivered, the first exception re-raised, the others logged.
        with self.assertLogs("avnm", "ERROR") as logs:
            with self.assertRaises(KeyError) as cm:
                ctx.hub_connection(FABRIKAM, "from-contoso", MGPROD, NM)
        self.assertEqual(cm.exception.args, ("callback 3",))
        self.assertEqual(len(logs.records), 2)
        self.assertEqual(seen, [EventKind.SCOPE_ENTERED, EventKind.SCOPE_CONNECTION_STATE,
                                EventKind.SCOPE_CONNECTION_STATE, EventKind.HUB_CONNECTION_STATE,
                                EventKind.SCOPE_ENTERED])
        self.assertEqual(ctx.hub_connection_state(FABRIKAM, "from-contoso")[0], State.CONNECTED)
        # Calls that make no events see no old exceptions; None stops the callback.
        ctx.dump()
        ctx.on_event(None)
        ctx.delete_hub_connection(FABRIKAM, "from-contoso")
        self.assertEqual(len(seen), 5)

    def test_callback_may_call_back_into_the_context(self) -> None:
        ctx = self.ctx
        states: list = []

        def on_event(event: avnm.Event) -> None:
            if event.kind == EventKind.SCOPE_CONNECTION_STATE and event.new_state != State.NONE:
                states.append(ctx.scope_connection_state(event.manager, event.connection)[0])

        ctx.on_event(on_event)
        ctx.manager(NM, "Connectivity", f"/subscriptions/{CSUB}")
        ctx.scope_connection(NM, "to-fabrikam", FABRIKAM, MGPROD)
        ctx.hub_connection(FABRIKAM, "from-contoso", MGPROD, NM)
        self.assertEqual(states, [State.PENDING, State.CONNECTED])


class TestThreads(ContextTest):
    def test_calls_from_several_threads(self) -> None:
        """The library is thread-safe and ctypes releases the GIL during calls; each
        thread gets its own callback exceptions back."""
        import threading
        ctx = self.ctx
        world(ctx)
        ctx.manager(NM, "Connectivity", f"/subscriptions/{CSUB}")
        failures: list = []
        raised: dict = {}

        def on_event(event: avnm.Event) -> None:
            if event.kind == EventKind.SCOPE_CONNECTION_STATE and event.new_state == State.PENDING:
                raise ValueError(event.connection)

        ctx.on_event(on_event)

        def work(i: int) -> None:
            try:
                for j in range(20):
                    name = f"c{i}-{j}"
                    try:
                        ctx.scope_connection(NM, name, FABRIKAM, MGPROD if j == 0 else
                                             f"/subscriptions/{FSUB}")
                    except avnm.Exists:
                        pass  # one (manager, tenant, scope) pair only (R4.9)
                    except ValueError as e:
                        raised.setdefault(i, []).append(e.args[0])
                    ctx.can_manage(NM, VNET, Access.CONNECTIVITY)
                    ctx.dump()
            except Exception as e:  # pragma: no cover - reported below
                failures.append(e)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])
        # Whatever thread won each race got its own event's exception, nobody else's.
        for i, names in raised.items():
            for name in names:
                self.assertTrue(name.startswith(f"c{i}-"), (i, name))
        self.assertEqual(sum(len(v) for v in raised.values()), 2)


class TestHandles(ContextTest):
    def setUp(self) -> None:
        super().setUp()
        world(self.ctx)
        self.nm = self.ctx.manager(NM, "Connectivity", f"/subscriptions/{CSUB}")

    def test_deleted_connection_gives_stale_handle(self) -> None:
        ctx = self.ctx
        sc = self.nm.scope_connection("to-fabrikam", FABRIKAM, MGPROD)
        hc = ctx.hub_connection(FABRIKAM, "from-contoso", MGPROD, NM)
        opened = ctx.open_scope_connection(NM, "TO-FABRIKAM")
        self.assertEqual(opened.state, State.CONNECTED)
        sc.delete()
        for handle in (sc, opened):
            with self.assertRaises(avnm.StaleHandle) as cm:
                handle.state
            self.assertEqual(cm.exception.code, -11)
            self.assertIn("to-fabrikam", cm.exception.message)
        self.assertEqual(hc.state, State.REVOKED)
        # Re-created under the same name: the old handle stays stale.
        again = ctx.scope_connection(NM, "to-fabrikam", FABRIKAM, MGPROD)
        self.assertEqual(again.state, State.CONNECTED)
        with self.assertRaises(avnm.StaleHandle):
            sc.reason
        hc.delete()
        with self.assertRaises(avnm.StaleHandle):
            hc.status()
        with self.assertRaises(avnm.NotFound):
            hc.delete()

    def test_deleted_manager_gives_stale_handle(self) -> None:
        sc = self.nm.scope_connection("to-fabrikam", FABRIKAM, MGPROD)
        with self.assertRaises(avnm.Busy):
            self.nm.delete()
        self.assertEqual(self.nm.accesses, Access.CONNECTIVITY)
        self.nm.update(accesses=["Connectivity", "Routing"])
        self.assertEqual(self.nm.accesses, Access.CONNECTIVITY | Access.ROUTING)
        self.nm.update(scope=[])
        self.assertEqual(self.nm.scope, [])
        self.nm.delete(force=True)
        with self.assertRaises(avnm.StaleHandle):
            self.nm.accesses
        with self.assertRaises(avnm.StaleHandle):
            self.nm.scope
        with self.assertRaises(avnm.StaleHandle):
            sc.state

    def test_close_releases_handles_first(self) -> None:
        ctx = self.ctx
        sc = self.nm.scope_connection("to-fabrikam", FABRIKAM, MGPROD)
        with ctx.open_manager(NM) as m:
            self.assertEqual(m.id, NM)
        self.assertTrue(m.closed)
        with self.assertRaises(ValueError):
            m.accesses
        ctx.close()
        self.assertTrue(ctx.closed)
        self.assertTrue(sc.closed)
        with self.assertRaises(ValueError):
            sc.state
        with self.assertRaises(ValueError):
            ctx.dump()
        sc.close()
        ctx.close()  # idempotent


class TestStorage(unittest.TestCase):
    def setUp(self) -> None:
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name
        self.path = os.path.join(self.dir, "world.journal")

    def test_journal_persists_and_a_second_run_continues(self) -> None:
        with avnm.Journal(self.path) as journal:
            with avnm.Context(storage=journal) as ctx:
                world(ctx)
                ctx.manager(NM, "Connectivity", f"/subscriptions/{CSUB}")
                ctx.scope_connection(NM, "to-fabrikam", FABRIKAM, MGPROD)
                first = ctx.dump()
        self.assertTrue(os.path.getsize(self.path) > 0)

        with avnm.Journal(self.path, sync=False) as journal:
            with avnm.Context(storage=journal) as ctx:
                self.assertEqual(ctx.dump(), first)
                sc = ctx.open_scope_connection(NM, "to-fabrikam")
                self.assertEqual(sc.state, State.PENDING)
                ctx.hub_connection(FABRIKAM, "from-contoso", MGPROD, NM)
                self.assertEqual(sc.state, State.CONNECTED)
                with self.assertRaises(avnm.Exists):  # failed calls are not journaled
                    ctx.tenant(CONTOSO)
                second = ctx.dump()
            self.assertNotEqual(second, first)

        with avnm.Journal(self.path) as journal, avnm.Context(storage=journal) as ctx:
            self.assertEqual(ctx.dump(), second)
            self.assertTrue(ctx.can_manage(NM, VNET, "Connectivity"))

    def test_memory_store_and_close_order(self) -> None:
        store = avnm.MemoryStore()
        ctx = avnm.Context(storage=store)
        world(ctx)
        handle = ctx.manager(NM, "Routing")
        dump = ctx.dump()
        store.close()  # closes the context (and its handles) first
        self.assertTrue(ctx.closed)
        self.assertTrue(handle.closed)
        with self.assertRaises(ValueError):
            avnm.Context(storage=store)
        with avnm.MemoryStore() as store2:
            with avnm.Context(storage=store2) as a:
                world(a)
                handle = a.manager(NM, "Routing")
            with avnm.Context(storage=store2) as b:
                self.assertEqual(b.dump(), dump)

    def test_journal_errors(self) -> None:
        with avnm.Journal(self.path):
            with self.assertRaises(avnm.Busy) as cm:
                avnm.Journal(self.path)
            self.assertIn(self.path, cm.exception.message)
        with self.assertRaises(avnm.StorageError) as cm:
            avnm.Journal(os.path.join(self.dir, "no", "such", "dir", "j"))
        self.assertTrue(cm.exception.message)
        garbage = os.path.join(self.dir, "garbage")
        with open(garbage, "wb") as f:
            f.write(b"this is not a libavnm journal, just some text\n" * 4)
        with self.assertRaises(avnm.Corrupt) as cm:
            avnm.Journal(garbage)
        self.assertIn("garbage", cm.exception.message)

    def test_journal_lock_against_another_process(self) -> None:
        code = ("import avnm, sys\n"
                "try:\n    avnm.Journal(sys.argv[1])\n"
                "except avnm.Busy:\n    sys.exit(3)\n")
        with avnm.Journal(self.path):
            rc = subprocess.run([sys.executable, "-c", code, self.path]).returncode
        self.assertEqual(rc, 3)


class TestErrors(unittest.TestCase):
    def test_every_code_maps_to_its_class(self) -> None:
        expected = {
            -1: (avnm.InvalidArgument, "invalid-argument"), -2: (avnm.NotFound, "not-found"),
            -3: (avnm.Exists, "exists"), -4: (avnm.Conflict, "conflict"),
            -5: (avnm.Forbidden, "forbidden"), -6: (avnm.Busy, "busy"),
            -7: (avnm.LimitExceeded, "limit"), -8: (avnm.StorageError, "storage"),
            -9: (avnm.Corrupt, "corrupt"), -10: (avnm.OutOfMemory, "no-memory"),
            -11: (avnm.StaleHandle, "stale-handle"), -12: (avnm.Unsupported, "unsupported"),
        }
        for code, (cls, name) in expected.items():
            e = avnm.error_for_code(code, "why")
            self.assertIs(type(e), cls)
            self.assertIsInstance(e, avnm.AvnmError)
            self.assertEqual((e.code, e.name, e.message), (code, name, "why"))
            self.assertEqual(avnm.ErrorCode(code).name.lower().replace("_", "-"), name)
            # The names agree with the library's own table.
            self.assertEqual(avnm._native.lib.avnm_error_name(code).decode(), name)
        unknown = avnm.error_for_code(-99, "newer")
        self.assertIs(type(unknown), avnm.AvnmError)
        self.assertEqual(unknown.code, -99)
        # Python's MemoryError is not shadowed, not even by a star import.
        self.assertFalse(issubclass(avnm.OutOfMemory, MemoryError))
        self.assertFalse(hasattr(avnm, "MemoryError"))
        self.assertNotIn("MemoryError", avnm.__all__)
        for name in avnm.__all__:
            self.assertTrue(hasattr(avnm, name), name)

    def test_provoked_codes(self) -> None:
        # limit: R2.3 with a lowered depth
        with avnm.Context(max_mg_depth=1) as ctx:
            ctx.tenant(CONTOSO)
            ctx.management_group(CONTOSO, "one")
            with self.assertRaises(avnm.LimitExceeded) as cm:
                ctx.management_group(CONTOSO, "two", parent="one")
            self.assertIn("two", cm.exception.message)
        # invalid options: no context carries a message, the code's phrase stands in
        with self.assertRaises(avnm.InvalidArgument) as cm:
            avnm.Context(max_mg_depth=65)
        self.assertTrue(cm.exception.message)
        with self.assertRaises(avnm.InvalidArgument):
            avnm.Context(max_mg_depth=-1)
        # conflict by a move under strict_hierarchy; invalid-argument for a cycle
        with avnm.Context(strict_hierarchy=True) as ctx:
            ctx.tenant(CONTOSO)
            ctx.management_group(CONTOSO, "top")
            ctx.management_group(CONTOSO, "low")
            ctx.subscription(CONTOSO, CSUB, mg="low")
            ctx.manager(f"{RG}/nm-top", "Connectivity",
                        "/providers/Microsoft.Management/managementGroups/top")
            ctx.manager(f"{RG}/nm-low", "Connectivity",
                        "/providers/Microsoft.Management/managementGroups/low")
            with self.assertRaises(avnm.Conflict):
                ctx.move_management_group(CONTOSO, "low", "top")
            with self.assertRaises(avnm.InvalidArgument):
                ctx.move_management_group(CONTOSO, CONTOSO, "top")
        # forbidden, busy, stale-handle, not-found, exists: see the scenario tests above;
        # storage, corrupt: TestStorage. no-memory and unsupported cannot be provoked
        # through this binding (it exposes no allocator hooks).


if __name__ == "__main__":
    unittest.main()
