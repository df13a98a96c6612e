#!/usr/bin/env python3
"""A reference model of the rules of libavnm, for tests/model/check.py.

A second, deliberately simple implementation of SEMANTICS.md (R1-R7) and of the decisions
in docs/choices.md, over plain Python data. It reads the command lines of the `avnm run`
scenario language (SCENARIOS.md) and says what each command must do ("ok" or an R7 error
code) and what the questions behind `expect state|manage|managers|members|
cross-tenant-scopes` must answer. It shares nothing with the library but the rules.

Clarity comes before speed:
  - every command works on a copy of the world, which replaces the world only when the
    command succeeds (R7: a failing call changes nothing);
  - after every successful command, settle() derives every connection's state again from
    the facts and the state it had before (R4.4-R4.8);
  - every answer is computed from scratch.

Where the rules and docs/choices.md leave a case open, so that only the library could
decide it, the model raises Ambiguous instead of guessing; the generator then drops that
command or question, so that no generated scenario depends on an unmade decision. Each
such place says why.
"""

import copy
import re

# ---------------------------------------------------------------------------------------
# Outcomes

ERROR_CODES = ('invalid-argument', 'not-found', 'exists', 'conflict', 'forbidden', 'busy',
               'limit', 'storage', 'corrupt', 'no-memory', 'stale-handle', 'unsupported')

# R7: where several errors apply, the first of this order wins; conflict, limit and busy
# share the last rank.
RANK = {'invalid-argument': 0, 'forbidden': 1, 'not-found': 2, 'exists': 3,
        'conflict': 4, 'limit': 4, 'busy': 4}


class Ambiguous(Exception):
    """The rules do not decide this case: it must not be generated."""


class QueryError(Exception):
    """A question that cannot be asked (the library would answer with an error)."""


class Faults:
    """The errors that apply to one command, resolved by R7's order.

    An invalid-argument found from the input alone (malformed input, R1) always wins. Some
    are found only by looking at the world (a scope item of another tenant, an ambiguous
    group id, a member of the wrong type, a cycle, rejecting what is not Pending): such a
    "semantic" fault is added only where what it looks at exists. R7 ranks "malformed
    input" first, but these are not malformed, and whether they come before the
    authorization and existence checks is not said: a semantic fault together with any
    other error is Ambiguous. (The library ranks them after not-found.)"""

    def __init__(self):
        self.items = []

    def add(self, code, why, semantic=False):
        self.items.append((code, why, semantic))

    def __bool__(self):
        return bool(self.items)

    def resolve(self):
        if not self.items:
            return None
        codes = {c for c, _, _ in self.items}
        if any(sem for _, _, sem in self.items) and codes != {'invalid-argument'}:
            raise Ambiguous('invalid input found by looking at the world, with other '
                            'errors: ' + '; '.join(w for _, w, _ in self.items))
        best = min(RANK[c] for c in codes)
        codes = {c for c in codes if RANK[c] == best}
        if len(codes) > 1:
            raise Ambiguous('errors of the same rank: ' + ', '.join(sorted(codes)))
        return codes.pop()


class Invalid(Exception):
    """Malformed input (R1): invalid-argument, whatever else is wrong."""


# ---------------------------------------------------------------------------------------
# R1: identifiers

ACCESSES = {'connectivity': 'Connectivity', 'securityadmin': 'SecurityAdmin',
            'securityuser': 'SecurityUser', 'routing': 'Routing'}
# Role names as one token of the scenario language (choices.md: "Role names").
ROLES = {'owner': 'Owner', 'contributor': 'Contributor',
         'networkcontributor': 'NetworkContributor', 'reader': 'Reader'}
WRITE_ROLES = {'Owner', 'Contributor', 'NetworkContributor'}  # R6.1
MEMBER_TYPES = {'virtualnetwork': 'VirtualNetwork', 'subnet': 'Subnet'}

PENDING, CONNECTED, CONFLICT, REVOKED, REJECTED = (
    'Pending', 'Connected', 'Conflict', 'Revoked', 'Rejected')

MAX_MG_DEPTH = 6  # R2.3, levels below the root

# R1.3: ids compare case-insensitively for ASCII letters only; so do names and keywords.
LOWER = {c: c + 32 for c in range(ord('A'), ord('Z') + 1)}

GUID = re.compile(r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')
MG_NAME = re.compile(r'[A-Za-z0-9\-_.()]{1,90}')         # R1.5, and not ending in '.'
VNET_NAME = re.compile(r'[A-Za-z0-9]([A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])')  # R1.5: 2-64
NM_NAME = re.compile(r'[0-9a-zA-Z]([0-9a-zA-Z_.-]{0,62}[0-9a-zA-Z_])?')   # R1.5
SUBNET_NAME = re.compile(r'[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?')  # choices.md
PRINCIPAL_NAME = re.compile(r'[A-Za-z0-9\-_.@]{1,128}')   # choices.md


def guid(text):
    """R1.1: a GUID in canonical (lower-case) form."""
    if not GUID.fullmatch(text):
        raise Invalid('not a GUID: %r' % text)
    return text.translate(LOWER)


def mg_name(text):
    if not MG_NAME.fullmatch(text) or text.endswith('.'):
        raise Invalid('bad management-group id: %r' % text)
    return text.translate(LOWER)


def conn_name(text):
    """Connection and group names follow the network-manager name rule (choices.md)."""
    if not NM_NAME.fullmatch(text):
        raise Invalid('bad name: %r' % text)
    return text.translate(LOWER)


def rg_name_ok(text):
    """R1.5: 1-90 letters, digits, -_.() and non-ASCII letters, not ending in '.'. (The
    generator keeps non-ASCII names short: whether 90 counts characters or bytes is not
    said.)"""
    return (0 < len(text) <= 90 and not text.endswith('.') and
            all((c.isascii() and (c.isalnum() or c in '-_.()')) or
                (not c.isascii() and c.isalpha()) for c in text))


class Res:
    """A parsed resource id (R1.2-R1.4). kind: sub, mg, rg, vnet, subnet, manager.
    path: the canonical (lower-case, leading '/') id; sub: its subscription; mg: its id."""

    def __init__(self, kind, path, sub=None, mg=None):
        self.kind, self.path, self.sub, self.mg = kind, path, sub, mg

    def vnet_path(self):
        """For a subnet: the canonical id of its virtual network."""
        return '/'.join(self.path.split('/')[:9])


def parse_id(text):
    """A resource id of a kind libavnm models (choices.md), or Invalid (R1.4)."""
    if not text or len(text.encode('utf-8', 'surrogateescape')) > 2048:
        raise Invalid('empty or too long')
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 or c == '%' for c in text):
        raise Invalid('whitespace, control character or %-escape')
    segs = (text[1:] if text.startswith('/') else text).split('/')
    if any(s in ('', '.', '..') for s in segs):
        raise Invalid('empty, . or .. segment')
    low = [s.translate(LOWER) for s in segs]
    path = '/' + '/'.join(low)
    n = len(segs)
    if low[0] == 'providers':
        if n == 4 and low[1:3] == ['microsoft.management', 'managementgroups']:
            return Res('mg', path, mg=mg_name(segs[3]))
        raise Invalid('unknown provider')
    if low[0] != 'subscriptions' or n < 2:
        raise Invalid('not a resource id')
    sub = guid(segs[1])
    if n == 2:
        return Res('sub', path, sub=sub)
    if low[2] != 'resourcegroups' or n < 4:
        raise Invalid('unknown segment below a subscription')
    if not rg_name_ok(segs[3]):
        raise Invalid('bad resource-group name')
    if n == 4:
        return Res('rg', path, sub=sub)
    if n in (8, 10) and low[4:6] == ['providers', 'microsoft.network']:
        if low[6] == 'virtualnetworks' and VNET_NAME.fullmatch(segs[7]):
            if n == 8:
                return Res('vnet', path, sub=sub)
            if low[8] == 'subnets' and SUBNET_NAME.fullmatch(segs[9]):
                return Res('subnet', path, sub=sub)
        if n == 8 and low[6] == 'networkmanagers' and NM_NAME.fullmatch(segs[7]):
            return Res('manager', path, sub=sub)
    raise Invalid('not a resource libavnm models')


def parse_item(text):
    """A scope item: a full subscription or management-group resource id (R1.6; choices.md:
    a bare id is refused)."""
    r = parse_id(text)
    if r.kind not in ('sub', 'mg'):
        raise Invalid('not a scope item: %r' % text)
    return r


def parse_mg_ref(text):
    """Where the argument is specifically a management group: its id or full resource id."""
    if '/' in text:
        r = parse_id(text)
        if r.kind != 'mg':
            raise Invalid('not a management group')
        return r.mg
    return mg_name(text)


def parse_sub_ref(text):
    """Where the argument is specifically a subscription: a GUID or /subscriptions/GUID."""
    if '/' in text:
        r = parse_id(text)
        if r.kind != 'sub':
            raise Invalid('not a subscription')
        return r.sub
    return guid(text)


def parse_manager_id(text):
    r = parse_id(text)
    if r.kind != 'manager':
        raise Invalid('not a network manager id')
    return r


MAX_SCOPE_ITEMS = 1000  # choices.md "Scope size"


def scope_value(texts):
    """The CLI builds a scope value item by item before the call (avnm_scope_add): the
    first item that fails decides, malformed (invalid-argument) or the 1001st distinct one
    (limit). Returns the parsed items."""
    seen, out = set(), []
    for text in texts:
        r = parse_item(text)
        if r.path not in seen:
            if len(seen) == MAX_SCOPE_ITEMS:
                raise Limit()
            seen.add(r.path)
        out.append(r)
    return out


class Limit(Exception):
    """The scope value is full: limit, before the call is made."""


def split_list(value):
    """A comma-separated list, as the scenario language reads it ('' is no item)."""
    return [] if value == '' else value.split(',')


def parse_accesses(value):
    out = set()
    for name in split_list(value):
        if name.translate(LOWER) not in ACCESSES:
            raise Invalid('unknown access %r' % name)
        out.add(ACCESSES[name.translate(LOWER)])
    return frozenset(out)


def item_text(item):
    """The resource id of a scope item (output form)."""
    if item[0] == 'sub':
        return '/subscriptions/' + item[1]
    return '/providers/Microsoft.Management/managementGroups/' + item[2]


# ---------------------------------------------------------------------------------------
# The world: plain data, copied whole for each command.
#
#   tenants   {tenant: name}
#   mgs       {(tenant, mg): parent mg or None for the root}       (R2.1, R2.2)
#   subs      {sub: {'tenant', 'mg'}}
#   vnets     {path: {'sub', 'tags': {lower key: value}}}
#   principals {lower name: {'home', 'guests': set, 'roles': set of (role, scope key)}}
#              scope key: ('mg', tenant, mg) or ('path', tenant, path)
#   managers  {path: {'home', 'sub', 'acc': frozenset, 'local': frozenset of items,
#                     'groups': {lower name: {'type', 'members': set of paths,
#                                             'conds': list of {lower key: value}}}}}
#   scs       {(manager path, lower name): {'tenant', 'scope': frozenset of items,
#                                           'state', 'rejected', 'paired'}}
#   hcs       {(tenant, lower name): {'tenant', 'scope', 'manager', 'state', 'paired'}}
#
# A scope item is ('sub', guid) or ('mg', tenant, mg): management groups are per tenant
# (R2.7). 'paired': the connection had a matching, non-rejected counterpart when last
# settled (so that a deletion is told from a lapse).

class World:
    def __init__(self):
        self.tenants = {}
        self.mgs = {}
        self.subs = {}
        self.vnets = {}
        self.principals = {}
        self.managers = {}
        self.scs = {}
        self.hcs = {}

    # ---- R2: the hierarchy -------------------------------------------------------------

    def chain(self, tenant, mg):
        """mg and its ancestors up to the root."""
        out = []
        while mg is not None:
            out.append(mg)
            mg = self.mgs[(tenant, mg)]
        return out

    def depth(self, tenant, mg):
        return len(self.chain(tenant, mg)) - 1

    def height(self, tenant, mg):
        """Levels of management groups below mg."""
        kids = [m for (t, m), p in self.mgs.items() if t == tenant and p == mg]
        return max((1 + self.height(tenant, k) for k in kids), default=0)

    def tenants_with_mg(self, mg):
        return sorted(t for (t, m) in self.mgs if m == mg)

    def item_depth(self, item):
        if item[0] == 'mg':
            return self.depth(item[1], item[2])
        s = self.subs[item[1]]
        return self.depth(s['tenant'], s['mg']) + 1

    def item_exists(self, item):
        return item[1] in self.subs if item[0] == 'sub' else (item[1], item[2]) in self.mgs

    def item_tenant(self, item):
        return self.subs[item[1]]['tenant'] if item[0] == 'sub' else item[1]

    def covers(self, item, loc):
        """R2.5: does scope item `item` cover location `loc`? A location is ('mg', tenant,
        mg) or ('path', sub, path) for anything at or below a subscription; a location
        under an unknown subscription is covered by nothing (R2.6)."""
        if loc[0] == 'path':
            sub = self.subs.get(loc[1])
            if sub is None:
                return False
            if item[0] == 'sub':
                return item[1] == loc[1]
            return item[1] == sub['tenant'] and item[2] in self.chain(sub['tenant'], sub['mg'])
        if item[0] == 'sub':
            return False
        return item[1] == loc[1] and item[2] in self.chain(loc[1], loc[2])

    def item_loc(self, item):
        return ('path', item[1], '/subscriptions/' + item[1]) if item[0] == 'sub' \
            else ('mg', item[1], item[2])

    def covers_item(self, cover, item):
        return self.covers(cover, self.item_loc(item))

    # ---- R3, R4: managers and what they hold -------------------------------------------

    def implied(self, manager, tenant, scope, local=None):
        """R4.5: the manager exists, the connection is in its home tenant, and its local
        scope (or `local`, to ask about another one) covers every item of the connection's
        scope."""
        m = self.managers.get(manager)
        if m is None:
            return False
        local = m['local'] if local is None else local
        return tenant == m['home'] and \
            all(any(self.covers_item(l, i) for l in local) for i in scope)

    def sc_implied(self, key, local=None):
        sc = self.scs[key]
        return self.implied(key[0], sc['tenant'], sc['scope'], local)

    def holdings(self, manager, local=None, judge=None):
        """R3.3: the items a manager holds directly: its local scope and the items of its
        Connected scope connections that are not Connected by implied consent (R4.5a,
        choices.md "What implied consent holds"). local: as if that were its local scope;
        judge: the local scope that decides which connections are implied (default: the
        one it holds)."""
        m = self.managers[manager]
        local = m['local'] if local is None else local
        held = set(local)
        for key, sc in self.scs.items():
            if key[0] == manager and sc['state'] == CONNECTED and \
                    not self.sc_implied(key, local if judge is None else judge):
                held |= sc['scope']
        return held

    def conflicts(self, manager, accesses, items):
        """R3.3: (item, other manager, shared accesses) for every other manager sharing an
        access that directly holds one of `items`."""
        out = []
        for other, m in self.managers.items():
            if other == manager:
                continue
            shared = accesses & m['acc']
            if not shared:
                continue
            for item in set(items) & self.holdings(other):
                out.append((item, other, shared))
        return out

    def effective(self, manager):
        """R3.2: local scope plus the items of Connected connections."""
        return self.holdings(manager)

    # ---- R4.4-R4.8: connection states ---------------------------------------------------

    def settle(self, fresh=()):
        """Derive every connection's state from the facts and its previous state.

        fresh: ('sc', key) / ('hc', key) of the connections created in this command, or of
        the scope connection asked to be re-evaluated: their pair is evaluated anew, which
        is what clears a sticky Conflict (R4.6) or reconnects a Revoked side (R4.4)."""
        # R4.2 matching; R4.9 makes it one-to-one.
        match_sc, match_hc = {}, {}
        for sk, sc in self.scs.items():
            for hk, hc in self.hcs.items():
                if (hc['manager'] == sk[0] and hc['tenant'] == sc['tenant'] and
                        hc['scope'] == sc['scope']):
                    assert sk not in match_sc and hk not in match_hc, 'R4.9 broken in model'
                    match_sc[sk], match_hc[hk] = hk, sk
        new_sc, new_hc = {}, {}
        for sk, sc in self.scs.items():
            if sc['rejected']:
                new_sc[sk] = REJECTED           # R4.8: only deletion leaves it
                continue
            hk = match_sc.get(sk)
            if hk is None:
                continue
            hc = self.hcs[hk]
            imp = self.sc_implied(sk)
            acc = self.managers[sk[0]]['acc']
            clash = self.conflicts(sk[0], acc, sc['scope'])
            if ('sc', sk) in fresh or ('hc', hk) in fresh:
                if imp and clash:
                    # Matched and covered by the local scope: it would hold nothing
                    # (R4.5a), so no conflict; or is the matched pair judged by R3.3 as
                    # any other (R4.4)? Not said.
                    raise Ambiguous('a fresh matched pair covered by implied consent, whose '
                                    'items another manager holds')
                state = CONFLICT if clash and not imp else CONNECTED
            else:
                # Scopes never change, so a match only appears when a side is created.
                assert sc['paired'] and hc['paired'] and sc['state'] == hc['state'] \
                    and sc['state'] in (CONNECTED, CONFLICT), 'model: unexpected pair'
                state = sc['state']             # R4.6: Conflict is sticky
                if state == CONFLICT and imp:
                    # choices.md: a Conflict stays through updates and moves; R4.5: a
                    # covered connection is Connected. Which wins is not said.
                    raise Ambiguous('a sticky Conflict pair now covered by implied consent')
            new_sc[sk] = new_hc[hk] = state
        for sk, sc in self.scs.items():
            if sk not in new_sc:
                new_sc[sk] = self._alone(sc, sk[0], False)
        for hk, hc in self.hcs.items():
            if hk not in new_hc:
                # Its only match, if any, is a rejected scope connection.
                new_hc[hk] = self._alone(hc, hc['manager'], hk in match_hc)
        for sk, state in new_sc.items():
            self.scs[sk]['state'] = state
            self.scs[sk]['paired'] = sk in match_sc and not self.scs[sk]['rejected']
        for hk, state in new_hc.items():
            self.hcs[hk]['state'] = state
            self.hcs[hk]['paired'] = hk in match_hc and not self.scs[match_hc[hk]]['rejected']
        self.check_r33()

    def _alone(self, conn, manager, rejected_match):
        """The state of a connection without a (non-rejected) counterpart."""
        prev = conn['state']
        if self.implied(manager, conn['tenant'], conn['scope']):
            if rejected_match:
                # choices.md: its only match rejected, a hub connection stays Pending;
                # R4.5: a covered connection is Connected. Not said which wins.
                raise Ambiguous('a covered hub connection whose match was rejected')
            if conn['paired']:
                # R4.4: the survivor of a Connected pair is Revoked; R4.5: a covered
                # connection is Connected without its counterpart.
                raise Ambiguous('a side of a covered pair deleted')
            if prev in (None, PENDING, CONNECTED):
                return CONNECTED                # R4.5, R4.11 (choices.md)
            # A Revoked side that becomes covered: implied consent again (R4.5), or Revoked
            # until its counterpart is created again (R4.4, choices.md)? Not said.
            raise Ambiguous('a Revoked connection covered by implied consent')
        # R4.4 / choices.md "Revocation transition", also for a lapsed implied consent
        # (R4.5a): Connected -> Revoked, Conflict -> Pending, Revoked and Pending stay.
        return {None: PENDING, PENDING: PENDING, CONNECTED: REVOKED,
                CONFLICT: PENDING, REVOKED: REVOKED}[prev]

    def check_r33(self):
        """No item held directly by two managers sharing an access. The engine keeps this
        true by refusing (conflict) or by Conflict states; if the model's world breaks it,
        the command reached a case the rules do not decide."""
        names = sorted(self.managers)
        held = {m: self.holdings(m) for m in names}
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                if (self.managers[a]['acc'] & self.managers[b]['acc']) and held[a] & held[b]:
                    raise Ambiguous('R3.3 would break: %s and %s' % (a, b))

    # ---- R6: authorization -----------------------------------------------------------

    def principal(self, name):
        return self.principals.get(name.translate(LOWER))

    def write_roles(self, name, tenant):
        p = self.principal(name)
        if p is None:
            return []
        return [s for r, s in p['roles'] if r in WRITE_ROLES and s[1] == tenant]

    def may_write(self, name, loc):
        """R6.1: network write on a location, through a role at or above it in its tenant.
        A location ('path', sub, path) under an unknown subscription: no role can be there.
        A location ('mg', tenant, mg) must exist (the caller makes sure)."""
        p = self.principal(name)
        if p is None:
            return False
        if loc[0] == 'path':
            sub = self.subs.get(loc[1])
            if sub is None:
                return False
            tenant = sub['tenant']
        else:
            tenant = loc[1]
        for scope in self.write_roles(name, tenant):
            if scope[0] == 'mg':
                if self.covers(('mg', scope[1], scope[2]), loc):
                    return True
            elif loc[0] == 'path' and (loc[2] == scope[2] or loc[2].startswith(scope[2] + '/')):
                return True
        return False

    def may_write_items(self, name, tenant, items):
        """R6.2, R6.3: network write at or above every scope item in `tenant`. Items that do
        not exist there: unless the principal has no write in that tenant at all, whether
        a role covers an unknown item is not said (decision 9 decides from ids alone, but
        no id places an unknown group), so Ambiguous."""
        if not self.write_roles(name, tenant):
            return False
        known = [i for i in items if self.item_exists(i) and self.item_tenant(i) == tenant]
        if not all(self.may_write(name, self.item_loc(i)) for i in known):
            return False
        if len(known) != len(items):
            raise Ambiguous('authorization over scope items that do not exist in the tenant')
        return True


def manager_loc(res):
    return ('path', res.sub, res.path)


def rg_loc(res):
    return ('path', res.sub, '/'.join(res.path.split('/')[:5]))


# ---------------------------------------------------------------------------------------
# Commands

KEYS = {'name', 'parent', 'mg', 'region', 'home', 'tenant', 'access', 'scope', 'manager',
        'member-type'}


class Stmt:
    """One command line split as the scenario language does: positionals, key=value
    arguments and tag.K=V arguments."""

    def __init__(self, line):
        toks = line.split()
        self.verb = toks[0].translate(LOWER)
        self.pos, self.key, self.tags = [], {}, []
        for t in toks[1:]:
            if '=' in t:
                k, v = t.split('=', 1)
                if k.translate(LOWER).startswith('tag.'):
                    self.tags.append((k[4:], v))
                else:
                    assert k.translate(LOWER) in KEYS, 'unknown key ' + k
                    self.key[k.translate(LOWER)] = v
            else:
                self.pos.append(t)


class Model:
    """The world and the principal commands run as (`as`; None: the system)."""

    def __init__(self):
        self.w = World()
        self.as_ = None

    # ---- running commands -------------------------------------------------------------

    def run(self, line):
        """Run one command line (variables already expanded). Returns "ok" or an R7 error
        code; raises Ambiguous (and changes nothing) for a case the rules leave open."""
        st = Stmt(line)
        if st.verb == 'as':
            self.as_ = None if st.pos[0].translate(LOWER) == 'system' else st.pos[0]
            return 'ok'
        handler = getattr(self, 'do_' + st.verb.replace('-', '_'))
        work = copy.deepcopy(self.w)
        try:
            code = handler(work, st)
        except Invalid:
            code = 'invalid-argument'
        except Limit:
            code = 'limit'
        if code is None:
            self.w = work
            return 'ok'
        return code

    def _deny(self, w, loc):
        """Authorization: False when the caller may write loc (or is the system)."""
        return self.as_ is not None and not w.may_write(self.as_, loc)

    # ---- the directory (R2, R6.1): never authorization-checked (R6.6) --------------------

    def do_tenant(self, w, st):
        t = guid(st.pos[0])
        if t in w.tenants:
            return 'exists'
        w.tenants[t] = st.key.get('name')
        w.mgs[(t, t)] = None                    # R2.1: the root's id is the tenant id
        w.settle()

    def do_mg(self, w, st):
        t, mg = guid(st.pos[0]), parse_mg_ref(st.pos[1])
        parent = parse_mg_ref(st.key['parent']) if 'parent' in st.key else t
        f = Faults()
        if t not in w.tenants:
            f.add('not-found', 'tenant')
        else:
            if (t, parent) not in w.mgs:
                f.add('not-found', 'parent')
            elif w.depth(t, parent) + 1 > MAX_MG_DEPTH:
                f.add('limit', 'depth')
            if (t, mg) in w.mgs:
                f.add('exists', 'group')
        if f:
            return f.resolve()
        w.mgs[(t, mg)] = parent
        w.settle()

    def do_mg_move(self, w, st):
        t, mg, parent = guid(st.pos[0]), parse_mg_ref(st.pos[1]), parse_mg_ref(st.key['parent'])
        f = Faults()
        if t not in w.tenants:
            if mg == t:
                # The root of a tenant that does not exist: no root, or no tenant?
                raise Ambiguous('moving the root of an unknown tenant')
            return 'not-found'
        if mg == t:
            f.add('invalid-argument', 'the root cannot move', semantic=True)
        if (t, mg) not in w.mgs:
            f.add('not-found', 'group')
        if (t, parent) not in w.mgs:
            f.add('not-found', 'parent')
        if not f:
            if mg in w.chain(t, parent):
                f.add('invalid-argument', 'cycle', semantic=True)
            elif w.depth(t, parent) + 1 + w.height(t, mg) > MAX_MG_DEPTH:
                f.add('limit', 'depth')
        if f:
            return f.resolve()
        w.mgs[(t, mg)] = parent
        w.settle()                              # R4.5a: implied consent may change

    def do_sub(self, w, st):
        t, sub = guid(st.pos[0]), parse_sub_ref(st.pos[1])
        mg = parse_mg_ref(st.key['mg']) if 'mg' in st.key else t
        f = Faults()
        if t not in w.tenants:
            f.add('not-found', 'tenant')
        elif (t, mg) not in w.mgs:
            f.add('not-found', 'group')
        if sub in w.subs:
            f.add('exists', 'subscription')     # in any tenant (R2.7)
        if f:
            return f.resolve()
        w.subs[sub] = {'tenant': t, 'mg': mg}
        w.settle()

    def do_sub_move(self, w, st):
        sub, mg = parse_sub_ref(st.pos[0]), parse_mg_ref(st.key['mg'])
        if sub not in w.subs:
            return 'not-found'
        t = w.subs[sub]['tenant']
        if (t, mg) not in w.mgs:
            return 'not-found'
        w.subs[sub]['mg'] = mg
        w.settle()                              # R4.5a

    def do_vnet(self, w, st):
        r = parse_id(st.pos[0])
        if r.kind != 'vnet':
            raise Invalid('not a virtual network')
        tags = {}
        for k, v in st.tags:
            if k.translate(LOWER) in tags:
                raise Invalid('duplicate tag key')  # choices.md "Tags"
            tags[k.translate(LOWER)] = v
        if r.sub not in w.subs:
            return 'not-found'
        if r.path in w.vnets:
            return 'exists'
        w.vnets[r.path] = {'sub': r.sub, 'tags': tags}

    def do_principal(self, w, st):
        name = st.pos[0]
        if not PRINCIPAL_NAME.fullmatch(name):
            raise Invalid('principal name')
        home = guid(st.key['home'])
        f = Faults()
        if home not in w.tenants:
            f.add('not-found', 'tenant')
        if name.translate(LOWER) in w.principals:
            f.add('exists', 'principal')
        if f:
            return f.resolve()
        w.principals[name.translate(LOWER)] = {'home': home, 'guests': set(), 'roles': set()}

    def do_guest(self, w, st):
        name = st.pos[0]
        if not PRINCIPAL_NAME.fullmatch(name):
            raise Invalid('principal name')
        t = guid(st.pos[1])
        p = w.principal(name)
        f = Faults()
        if p is None:
            f.add('not-found', 'principal')
        if t not in w.tenants:
            f.add('not-found', 'tenant')
        if p is not None and (t == p['home'] or t in p['guests']):
            f.add('exists', 'account')          # choices.md "Guest accounts"
        if f:
            return f.resolve()
        p['guests'].add(t)

    def do_role(self, w, st):
        name = st.pos[0]
        if st.pos[1].translate(LOWER) not in ROLES:
            raise Invalid('role')
        role = ROLES[st.pos[1].translate(LOWER)]
        if not PRINCIPAL_NAME.fullmatch(name):
            raise Invalid('principal name')
        r = parse_id(st.pos[2])
        given = guid(st.key['tenant']) if 'tenant' in st.key else None
        p = w.principal(name)
        f = Faults()
        key = None
        if r.kind == 'mg':
            if given is not None:
                if given not in w.tenants or (given, r.mg) not in w.mgs:
                    f.add('not-found', 'group in the tenant given')
                else:
                    key = ('mg', given, r.mg)
            else:
                ts = w.tenants_with_mg(r.mg)
                if not ts:
                    f.add('not-found', 'group')
                elif len(ts) > 1:
                    f.add('invalid-argument', 'ambiguous group (R2.7)', semantic=True)
                else:
                    key = ('mg', ts[0], r.mg)
        else:
            if given is not None:
                raise Ambiguous('tenant= with a scope that is no management group')
            if r.sub not in w.subs:
                f.add('not-found', 'subscription')
            else:
                key = ('path', w.subs[r.sub]['tenant'], r.path)
        if p is None:
            f.add('not-found', 'principal')
        elif key is not None:
            if key[1] != p['home'] and key[1] not in p['guests']:
                f.add('not-found', 'no account in the tenant (R6.1)')
            elif (role, key) in p['roles']:
                f.add('exists', 'assignment')
        if f:
            return f.resolve()
        p['roles'].add((role, key))

    # ---- network managers (R3) --------------------------------------------------------

    def _local_scope(self, w, f, home, value):
        """The local scope given, resolved in the home tenant (R3.1); faults into f."""
        items = set()
        for text in split_list(value):
            r = parse_item(text)
            if home is None:
                raise Ambiguous('a local scope for a manager of an unknown subscription: '
                                'is a known item foreign or not found?')
            if r.kind == 'sub':
                if r.sub not in w.subs:
                    f.add('not-found', 'scope item')
                elif w.subs[r.sub]['tenant'] != home:
                    f.add('invalid-argument', 'foreign item (R3.1)', semantic=True)
                else:
                    items.add(('sub', r.sub))
            else:
                if (home, r.mg) not in w.mgs:
                    f.add('not-found', 'group in the home tenant')
                else:
                    items.add(('mg', home, r.mg))
        return frozenset(items)

    def _manager_args(self, st):
        """Parse order of the CLI: accesses, the scope items, then the id."""
        acc = parse_accesses(st.key['access']) if 'access' in st.key else None
        scope_value(split_list(st.key.get('scope', '')))
        return acc, parse_manager_id(st.pos[0])

    def do_manager(self, w, st):
        acc, r = self._manager_args(st)
        acc = acc or frozenset()
        f = Faults()
        if self._deny(w, rg_loc(r)):
            f.add('forbidden', 'R6.6: write on the resource group')
        home = w.subs[r.sub]['tenant'] if r.sub in w.subs else None
        if home is None:
            f.add('not-found', "the manager's subscription")
        local = self._local_scope(w, f, home, st.key.get('scope', ''))
        if r.path in w.managers:
            f.add('exists', 'manager')
        if not f:
            if w.conflicts(r.path, acc, local):
                f.add('conflict', 'R3.3')
        if f:
            return f.resolve()
        w.managers[r.path] = {'home': home, 'sub': r.sub, 'acc': acc, 'local': local,
                              'groups': {}}
        w.settle()                              # R4.11: hub connections naming it

    def do_manager_update(self, w, st):
        acc, r = self._manager_args(st)
        f = Faults()
        if self._deny(w, manager_loc(r)):
            f.add('forbidden', 'R6.6: write on the manager')
        m = w.managers.get(r.path)
        if m is None:
            f.add('not-found', 'manager')
        home = w.subs[r.sub]['tenant'] if r.sub in w.subs else None
        local = self._local_scope(w, f, home, st.key['scope']) if 'scope' in st.key else None
        if f:
            return f.resolve()
        new_acc = m['acc'] if acc is None else acc
        new_local = m['local'] if local is None else local
        # R3.3 over what it would hold: the new local scope and its Connected connections.
        # Which of those are implied (hold nothing) depends on the local scope; the rules
        # do not say whether the check sees the old or the new one, so both must agree.
        after_held = w.holdings(r.path, local=new_local)
        before_held = w.holdings(r.path, local=new_local, judge=m['local'])

        def clash(held):
            return bool(w.conflicts(r.path, new_acc, held))
        if clash(after_held) != clash(before_held):
            raise Ambiguous('an update that changes which connections hold their items, '
                            'and R3.3 depends on it')
        if clash(after_held):
            return 'conflict'
        m['acc'], m['local'] = new_acc, new_local
        w.settle()                              # R4.5a

    def do_manager_delete(self, w, st):
        r = parse_manager_id(st.pos[0])
        force = len(st.pos) > 1
        f = Faults()
        if self._deny(w, manager_loc(r)):
            f.add('forbidden', 'R6.6')
        m = w.managers.get(r.path)
        if m is None:
            f.add('not-found', 'manager')
        elif not force and (m['groups'] or any(k[0] == r.path for k in w.scs)):
            f.add('busy', 'R3.5')
        if f:
            return f.resolve()
        # R3.5, choices.md: its scope connections and groups go with it; hub connections
        # naming it stay and react in settle().
        for k in [k for k in w.scs if k[0] == r.path]:
            del w.scs[k]
        del w.managers[r.path]
        w.settle()

    # ---- connections (R4) ------------------------------------------------------------

    def _conn_scope(self, w, f, tenant, value):
        """A connection's scope resolved in its tenant (R4.10); faults into f."""
        items = set()
        for text in split_list(value):
            r = parse_item(text)
            if r.kind == 'sub':
                if r.sub not in w.subs:
                    f.add('not-found', 'scope item')
                elif tenant in w.tenants and w.subs[r.sub]['tenant'] != tenant:
                    f.add('invalid-argument', 'item of another tenant (R4.10)', semantic=True)
                items.add(('sub', r.sub))
            else:
                if tenant in w.tenants and (tenant, r.mg) not in w.mgs:
                    f.add('not-found', 'group in the tenant')
                items.add(('mg', tenant, r.mg))
        return frozenset(items)

    def _items_args(self, st):
        """The CLI builds the scope before the call: malformed items come first."""
        items = split_list(st.key['scope'])
        scope_value(items)
        return items

    def do_scope_connection(self, w, st):
        texts = self._items_args(st)
        r = parse_manager_id(st.pos[0])
        name = conn_name(st.pos[1])
        t = guid(st.key['tenant'])
        if not texts:
            raise Invalid('empty scope')
        f = Faults()
        scope = self._conn_scope(w, f, t, st.key['scope'])
        if self.as_ is not None:
            # R6.2: write on the manager, and an account in the target tenant with write
            # at or above every item (decision 9: from the ids alone).
            if (not w.may_write(self.as_, manager_loc(r)) or
                    not w.may_write_items(self.as_, t, scope)):
                f.add('forbidden', 'R6.2')
        if r.path not in w.managers:
            f.add('not-found', 'manager')
        if t not in w.tenants:
            f.add('not-found', 'tenant')
        if r.path in w.managers:
            if (r.path, name) in w.scs:
                f.add('exists', 'name (R4.11)')
            if any(k[0] == r.path and c['tenant'] == t and c['scope'] == scope
                   for k, c in w.scs.items()):
                f.add('exists', 'same manager, tenant and scope (R4.9)')
        if f:
            return f.resolve()
        w.scs[(r.path, name)] = {'tenant': t, 'scope': scope, 'state': None,
                                 'rejected': False, 'paired': False}
        w.settle(fresh={('sc', (r.path, name))})

    def _may_act_on_hub_side(self, w, tenant, scope):
        """R6.3 for a call naming a tenant and a connection that may not exist: with no
        write role in the tenant, forbidden whatever the connection; with write at the
        tenant's root, allowed whatever it is; otherwise it depends on a scope the caller
        did not name, and what a principal may learn then is not said."""
        if self.as_ is None:
            return True
        if scope is not None:
            return w.may_write_items(self.as_, tenant, scope)
        roles = w.write_roles(self.as_, tenant)
        if not roles:
            return False
        if ('mg', tenant, tenant) in roles:
            return True
        raise Ambiguous('a hub-side call about a connection that does not exist or is not '
                        "the tenant's, by a principal with write on part of the tenant")

    def do_scope_connection_delete(self, w, st):
        r = parse_manager_id(st.pos[0])
        name = conn_name(st.pos[1])
        if self._deny(w, manager_loc(r)):
            return 'forbidden'                  # R6.2, first half: from the id alone
        sc = w.scs.get((r.path, name))
        if sc is None:
            return 'not-found'
        if self.as_ is not None and not w.may_write_items(self.as_, sc['tenant'], sc['scope']):
            return 'forbidden'                  # R6.2, second half: its target
        del w.scs[(r.path, name)]
        w.settle()

    def do_hub_connection(self, w, st):
        texts = self._items_args(st)
        t = guid(st.pos[0])
        name = conn_name(st.pos[1])
        mr = parse_manager_id(st.key['manager'])
        if not texts:
            raise Invalid('empty scope')
        f = Faults()
        scope = self._conn_scope(w, f, t, st.key['scope'])
        if self.as_ is not None and not w.may_write_items(self.as_, t, scope):
            f.add('forbidden', 'R6.3')
        if t not in w.tenants:
            f.add('not-found', 'tenant')
        if (t, name) in w.hcs:
            f.add('exists', 'name (R4.11)')
        if any(c['tenant'] == t and c['scope'] == scope and c['manager'] == mr.path
               for c in w.hcs.values()):
            f.add('exists', 'same tenant, scope and manager (R4.9)')
        if f:
            return f.resolve()
        w.hcs[(t, name)] = {'tenant': t, 'scope': scope, 'manager': mr.path, 'state': None,
                            'paired': False}
        w.settle(fresh={('hc', (t, name))})

    def do_hub_connection_delete(self, w, st):
        t = guid(st.pos[0])
        name = conn_name(st.pos[1])
        hc = w.hcs.get((t, name))
        if not self._may_act_on_hub_side(w, t, hc['scope'] if hc else None):
            return 'forbidden'                  # R6.3
        if hc is None:
            return 'not-found'
        del w.hcs[(t, name)]
        w.settle()

    def do_hub_reject(self, w, st):
        t = guid(st.pos[0])
        r = parse_manager_id(st.pos[1])
        name = conn_name(st.pos[2])
        sc = w.scs.get((r.path, name))
        # choices.md: a tenant cannot see another tenant's scope connection: not-found.
        visible = sc is not None and sc['tenant'] == t
        f = Faults()
        if not self._may_act_on_hub_side(w, t, sc['scope'] if visible else None):
            f.add('forbidden', 'R6.3')
        if not visible:
            f.add('not-found', 'scope connection of this tenant')
        elif sc['state'] != PENDING:
            f.add('invalid-argument', 'not Pending (R4.8)', semantic=True)
        if f:
            return f.resolve()
        sc['rejected'] = True
        w.settle()

    def do_reevaluate(self, w, st):
        r = parse_manager_id(st.pos[0])
        name = conn_name(st.pos[1])
        if self._deny(w, manager_loc(r)):
            return 'forbidden'                  # R6.6
        if (r.path, name) not in w.scs:
            return 'not-found'
        w.settle(fresh={('sc', (r.path, name))})   # R4.6

    # ---- network groups (R5) ---------------------------------------------------------

    def _group_call(self, w, st):
        """Common checks of the group commands: R6.6, then the manager and the group."""
        r = parse_manager_id(st.pos[0])
        name = conn_name(st.pos[1])
        f = Faults()
        if self._deny(w, manager_loc(r)):
            f.add('forbidden', 'R6.6')
        m = w.managers.get(r.path)
        if m is None:
            f.add('not-found', 'manager')
        return r, name, m, f

    def do_group(self, w, st):
        mt = st.key.get('member-type', 'VirtualNetwork')
        if mt.translate(LOWER) not in MEMBER_TYPES:
            raise Invalid('member type')
        r, name, m, f = self._group_call(w, st)
        if m is not None and name in m['groups']:
            f.add('exists', 'group')
        if f:
            return f.resolve()
        m['groups'][name] = {'type': MEMBER_TYPES[mt.translate(LOWER)], 'members': set(), 'conds': []}

    def do_group_delete(self, w, st):
        r, name, m, f = self._group_call(w, st)
        if m is not None and name not in m['groups']:
            f.add('not-found', 'group')
        if f:
            return f.resolve()
        del m['groups'][name]

    def _member_args(self, st):
        res = parse_id(st.pos[2])
        if res.kind not in ('vnet', 'subnet'):
            raise Invalid('a member is a virtual network or a subnet')
        return res

    def do_member(self, w, st):
        res = self._member_args(st)
        r, name, m, f = self._group_call(w, st)
        vnet = res.path if res.kind == 'vnet' else res.vnet_path()
        denied = any(c == 'forbidden' for c, _, _ in f.items)
        if self.as_ is not None and not denied and not w.may_write(self.as_, ('path', res.sub, vnet)):
            f.add('forbidden', 'R6.4: linked authorization failed')
        g = m['groups'].get(name) if m else None
        if m is not None and g is None:
            f.add('not-found', 'group')
        if vnet not in w.vnets:
            f.add('not-found', 'virtual network (choices.md: registered)')
        if g is not None:
            want = 'vnet' if g['type'] == 'VirtualNetwork' else 'subnet'
            if res.kind != want:
                f.add('invalid-argument', 'member of the wrong type', semantic=True)
            elif res.path in g['members']:
                f.add('exists', 'member')
        if f:
            return f.resolve()
        g['members'].add(res.path)

    def do_member_delete(self, w, st):
        res = self._member_args(st)
        r, name, m, f = self._group_call(w, st)
        vnet = res.path if res.kind == 'vnet' else res.vnet_path()
        denied = any(c == 'forbidden' for c, _, _ in f.items)
        if self.as_ is not None and not denied and not w.may_write(self.as_, ('path', res.sub, vnet)):
            # R6.4 speaks of adding; whether removing needs the linked write too is not said.
            raise Ambiguous('member-delete by a principal without write on the network')
        g = m['groups'].get(name) if m else None
        if m is not None and g is None:
            f.add('not-found', 'group')
        if g is not None and res.path not in g['members']:
            f.add('not-found', 'member')
        if f:
            return f.resolve()
        g['members'].discard(res.path)

    def do_dynamic(self, w, st):
        cond = {}
        for k, v in st.tags:
            if k.translate(LOWER) in cond:
                raise Ambiguous('the same tag key twice in a condition')
            cond[k.translate(LOWER)] = v
        r, name, m, f = self._group_call(w, st)
        g = m['groups'].get(name) if m else None
        if m is not None and g is None:
            f.add('not-found', 'group')
        if g is not None and g['type'] != 'VirtualNetwork':
            f.add('invalid-argument', 'conditions are for VirtualNetwork groups', semantic=True)
        if f:
            return f.resolve()
        if cond in g['conds']:
            raise Ambiguous('the same condition twice')
        g['conds'].append(cond)

    # ---- questions (R3.2, R3.4, R4.3, R5.2) -------------------------------------------

    def _locate(self, text, tenant):
        """The location of the resource a question names; QueryError where the library
        answers with an error (R2.7: an ambiguous group; a group that does not exist)."""
        try:
            r = parse_id(text)
            t = guid(tenant) if tenant is not None else None
        except Invalid:
            raise QueryError('invalid-argument')
        if r.kind == 'mg':
            if t is None:
                ts = self.w.tenants_with_mg(r.mg)
                if len(ts) != 1:
                    raise QueryError('not-found' if not ts else 'invalid-argument')
                t = ts[0]
            if (t, r.mg) not in self.w.mgs:
                raise QueryError('not-found')
            return ('mg', t, r.mg)
        if t is not None:
            raise Ambiguous('tenant= with a resource that is no management group')
        return ('path', r.sub, r.path)

    def _manager(self, text):
        try:
            r = parse_manager_id(text)
        except Invalid:
            raise QueryError('invalid-argument')
        if r.path not in self.w.managers:
            raise QueryError('not-found')
        return r.path

    def _access(self, text):
        if text.translate(LOWER) not in ACCESSES:
            raise QueryError('invalid-argument')
        return ACCESSES[text.translate(LOWER)]

    def state_sc(self, manager, name):
        sc = self.w.scs.get((self._manager(manager), name.translate(LOWER)))
        if sc is None:
            raise QueryError('not-found')
        return sc['state']

    def state_hc(self, tenant, name):
        hc = self.w.hcs.get((tenant.translate(LOWER), name.translate(LOWER)))
        if hc is None:
            raise QueryError('not-found')
        return hc['state']

    def _precedence(self, manager, loc, access):
        """The depth of the highest effective item of manager covering loc, or None if it
        does not manage loc for access (R3.2, R3.4)."""
        w = self.w
        if access not in w.managers[manager]['acc']:
            return None
        depths = [w.item_depth(i) for i in w.effective(manager) if w.covers(i, loc)]
        return min(depths) if depths else None

    def can_manage(self, manager, resource, access, tenant=None):
        m, a = self._manager(manager), self._access(access)
        return self._precedence(m, self._locate(resource, tenant), a) is not None

    def managers_of(self, resource, access, tenant=None):
        a, loc = self._access(access), self._locate(resource, tenant)
        found = []
        for m in self.w.managers:
            d = self._precedence(m, loc, a)
            if d is not None:
                found.append((d, m))
        depths = [d for d, _ in found]
        if len(set(depths)) != len(depths):
            # Two managers covering it from the same item with a shared access: R3.3 keeps
            # that from happening; should it, their order is not said.
            raise Ambiguous('two managers of the same precedence')
        return [m for _, m in sorted(found)]

    def members(self, manager, group):
        w = self.w
        m = w.managers[self._manager(manager)]
        g = m['groups'].get(group.translate(LOWER))
        if g is None:
            raise QueryError('not-found')
        held = w.effective(self._manager(manager))

        def effective(path, sub):
            return any(w.covers(i, ('path', sub, path)) for i in held)   # R5.2
        out = set()
        for path in g['members']:
            if effective(path, path.split('/')[2]):
                out.add(path)
        for path, v in w.vnets.items():
            # R5.3: dynamic membership reaches the home tenant's networks only.
            if w.subs[v['sub']]['tenant'] != m['home'] or not effective(path, v['sub']):
                continue
            if any(all(v['tags'].get(k) == val for k, val in c.items()) for c in g['conds']):
                out.add(path)
        return sorted(out)

    def cross_tenant_scopes(self, manager):
        """R3.2 and choices.md: the items of Connected connections not Connected by implied
        consent, as resource ids (a group id connected in two tenants counts once)."""
        w = self.w
        m = self._manager(manager)
        items = set()
        for key, sc in w.scs.items():
            if key[0] == m and sc['state'] == CONNECTED and not w.sc_implied(key):
                items |= {item_text(i) for i in sc['scope']}
        return sorted(items)


# ---------------------------------------------------------------------------------------
# Scenario files: expanding variables as the scenario language does, and checking a
# file's expectations against the model (python3 model.py FILE...).

NAME_CHAR = re.compile(r'[A-Za-z0-9_]*')


def expand(token, env):
    """Each $NAME replaced, NAME the longest run of letters, digits and '_' (SCENARIOS.md)."""
    out, i = [], 0
    while True:
        j = token.find('$', i)
        if j < 0:
            out.append(token[i:])
            return ''.join(out)
        out.append(token[i:j])
        name = NAME_CHAR.match(token, j + 1).group()
        if name not in env:
            raise KeyError('undefined variable $' + name)
        out.append(env[name])
        i = j + 1 + len(name)


def logical_lines(text):
    """(line number, tokens expanded) of the commands of a scenario file; `let` applied."""
    env = {}
    for n, raw in enumerate(text.split('\n'), 1):
        # A token that starts with '#' starts a comment.
        toks = raw.split()
        for k, t in enumerate(toks):
            if t.startswith('#'):
                toks = toks[:k]
                break
        if not toks:
            continue
        if toks[0].translate(LOWER) == 'let':
            env[toks[1]] = expand(toks[2], env)
            continue
        yield n, [expand(t, env) for t in toks]


def canonical(text):
    try:
        return parse_id(text).path
    except Invalid:
        return text


def answer(model, toks):
    """The model's answer to an expectation line (tokens after `expect`), as the line
    that would state it, or raise QueryError / Ambiguous."""
    kind = toks[0].translate(LOWER)
    pos = [t for t in toks[1:] if '=' not in t]
    keys = dict(t.split('=', 1) for t in toks[1:] if '=' in t)
    tenant = keys.get('tenant')
    if kind == 'state':
        if toks[1].translate(LOWER) == 'scope-connection':
            return model.state_sc(pos[1], pos[2])
        return model.state_hc(pos[1], pos[2])
    if kind == 'manage':
        return 'allow' if model.can_manage(pos[0], pos[1], pos[2], tenant) else 'deny'
    if kind == 'managers':
        return model.managers_of(pos[0], pos[1], tenant)
    if kind == 'members':
        return model.members(pos[0], pos[1])
    if kind == 'cross-tenant-scopes':
        return model.cross_tenant_scopes(pos[0])
    raise ValueError('unknown expectation ' + kind)


def expected(toks):
    """What an expectation line states, comparable with answer()."""
    kind = toks[0].translate(LOWER)
    pos = [t for t in toks[1:] if '=' not in t]
    if kind == 'state':
        return pos[-1].capitalize()
    if kind == 'manage':
        return pos[3].translate(LOWER)
    if kind == 'managers':
        return [canonical(t) for t in pos[2:]]
    if kind == 'members':
        return sorted(set(canonical(t) for t in pos[2:]))
    if kind == 'cross-tenant-scopes':
        return sorted(set(canonical(t) for t in pos[1:]))
    raise ValueError(kind)


def check_text(text, name='-'):
    """Run a scenario through the model; the list of (line, message) where the file's
    expectations differ from the model's answers. Ambiguous cases are reported as such."""
    model = Model()
    out = []
    last = None        # (line, result) of the last action
    for n, toks in logical_lines(text):
        verb = toks[0].translate(LOWER)
        if verb == 'expect':
            what = toks[1].translate(LOWER)
            if what in ('ok', 'error'):
                want = 'ok' if what == 'ok' else toks[2].translate(LOWER)
                if last is None:
                    out.append((n, 'expect without a command'))
                elif last[1] != want:
                    out.append((n, 'file expects %s, model says %s (line %d)' %
                                (want, last[1], last[0])))
                last = None
                continue
            try:
                got = answer(model, toks[1:])
            except (QueryError, Ambiguous) as e:
                out.append((n, 'model cannot answer: %s: %s' % (type(e).__name__, e)))
                continue
            if isinstance(got, list):
                got = [canonical(g) for g in got]
                if toks[1].translate(LOWER) != 'managers':
                    got = sorted(set(got))
            if got != expected(toks[1:]):
                out.append((n, 'file expects %s, model says %s' % (expected(toks[1:]), got)))
            continue
        if last is not None and last[1] != 'ok':
            out.append((last[0], 'model says %s, the file expects nothing' % last[1]))
        try:
            result = model.run(' '.join(toks))
        except Ambiguous as e:
            out.append((n, 'ambiguous for the model: %s' % e))
            result = 'ambiguous'
        last = (n, result) if verb != 'as' else last
    if last is not None and last[1] != 'ok':
        out.append((last[0], 'model says %s, the file expects nothing' % last[1]))
    return out


def main(argv):
    bad = 0
    for path in argv:
        with open(path, encoding='utf-8') as f:
            problems = check_text(f.read(), path)
        for n, msg in problems:
            print('%s:%d: %s' % (path, n, msg))
        bad += bool(problems)
        print('%s: %s' % (path, 'agrees' if not problems else '%d differences' % len(problems)))
    return 1 if bad else 0


if __name__ == '__main__':
    import sys
    sys.exit(main(sys.argv[1:]))
