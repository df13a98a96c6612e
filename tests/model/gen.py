#!/usr/bin/env python3
"""Random scenario files whose expectations are the reference model's (model.py).

    python3 gen.py SEED [N]     write N files (default 1) for seeds SEED.. to standard output

A file builds a small world (2-3 tenants with a short management-group chain, a few
subscriptions and virtual networks, 2-4 network managers with random accesses and local
scopes, principals with guest accounts and roles), then runs 30-80 random commands drawn
from the whole scenario language, sometimes with wrong input (malformed or unknown ids,
unknown tenants, duplicate names, missing rights). After each command comes the model's
`expect ok` or `expect error CODE`, and often an `expect` question answered by the model.

A command or question for which the model raises Ambiguous (a case the rules leave open)
is dropped and another one drawn: no file depends on an unmade decision.

The file is a list of units: ('act', LINE) for a command (or `as`), ('ask', TOKENS) for a
question without its answer. render() runs the units through a fresh model and writes
the answers; the shrinker (check.py) re-renders shorter unit lists the same way.
"""

import random
import string
import sys

import model as M

# ---------------------------------------------------------------------------------------
# The fixed pool of names a file may use; `let` lines name them.

TENANTS = ['11111111-1111-1111-1111-111111111111', '22222222-2222-2222-2222-222222222222',
           '33333333-3333-3333-3333-333333333333']
UNKNOWN_TENANT = '44444444-4444-4444-4444-444444444444'
SUB_PREFIX = ['a', 'b', 'c']          # subscriptions of tenant i: A1.., B1.., C1..
UNKNOWN_SUB = 'e0000000-0000-0000-0000-00000000000e'
MG_NAMES = ['mg-a', 'mg-b', 'platform', 'prod', 'dev']
CONN_NAMES = ['c1', 'c2', 'c3', 'to-b', 'hub', 'x']
GROUP_NAMES = ['g1', 'g2', 'nets']
PRINCIPALS = ['alice', 'bob', 'carol']
ACCESS_NAMES = ['Connectivity', 'SecurityAdmin', 'SecurityUser', 'Routing']
ROLE_NAMES = ['Owner', 'Contributor', 'NetworkContributor', 'Reader']
TAGS = [('env', ['prod', 'dev']), ('team', ['net', 'app'])]

MG = '/providers/Microsoft.Management/managementGroups'
ASCII = set(string.ascii_letters)
NET = 'providers/Microsoft.Network'


def sub_var(t, k):
    return '%s%d' % (SUB_PREFIX[t].upper(), k + 1)


def sub_guid(t, k):
    return '%s0000000-0000-0000-0000-00000000000%d' % (SUB_PREFIX[t], k + 1)


# ---------------------------------------------------------------------------------------
# Rendering: units -> file text, with the model's answers

def answer_line(m, toks, env):
    """The `expect` line for question toks (unexpanded), or raise QueryError/Ambiguous."""
    ex = [M.expand(t, env) for t in toks]
    got = M.answer(m, ex)
    kind = toks[0]
    if kind == 'state':
        return ['expect'] + toks + [got]
    if kind == 'manage':
        pos = [t for t in toks[1:] if '=' not in t]
        keys = [t for t in toks[1:] if '=' in t]
        return ['expect', 'manage'] + pos + [got] + keys
    pos = [t for t in toks[1:] if '=' not in t]
    keys = [t for t in toks[1:] if '=' in t]
    return ['expect', kind] + pos + list(got) + keys


class Renderer:
    """Runs units through a fresh model and keeps the lines of the file."""

    def __init__(self, lets, header=()):
        self.m = M.Model()
        self.env = {}
        self.lines = list(header)
        for name, value in lets:
            self.env[name] = M.expand(value, self.env)
            self.lines.append('let %s %s' % (name, value))
        self.units = []
        self.ambiguous = {}

    def _note(self, e):
        key = str(e).split(':')[0]
        self.ambiguous[key] = self.ambiguous.get(key, 0) + 1

    def act(self, line):
        """Run a command; False (and nothing written) if the model finds it ambiguous."""
        try:
            result = self.m.run(' '.join(M.expand(t, self.env) for t in line.split()))
        except M.Ambiguous as e:
            self._note(e)
            return False
        self.lines.append(line)
        if line.split()[0] != 'as':
            self.lines.append('expect ok' if result == 'ok' else 'expect error ' + result)
        self.units.append(('act', line))
        return True

    def ask(self, toks):
        try:
            out = answer_line(self.m, list(toks), self.env)
        except M.QueryError:
            return False
        except M.Ambiguous as e:
            self._note(e)
            return False
        self.lines.append(' '.join(out))
        self.units.append(('ask', tuple(toks)))
        return True

    def text(self):
        return '\n'.join(self.lines) + '\n'


def render(lets, units, header=()):
    """The file for a list of units, or None if a command is ambiguous for the model."""
    r = Renderer(lets, header)
    for kind, u in units:
        if kind == 'act':
            if not r.act(u):
                return None
        else:
            r.ask(u)           # a question that cannot be answered any more is left out
    return r.text()


def parse_file(text):
    """(lets, units) of a generated file: the inverse of render()."""
    lets, units = [], []
    for raw in text.split('\n'):
        toks = raw.split()
        if not toks or toks[0].startswith('#'):
            continue
        if toks[0] == 'let':
            lets.append((toks[1], toks[2]))
        elif toks[0] != 'expect':
            units.append(('act', ' '.join(toks)))
        elif toks[1] in ('ok', 'error'):
            continue
        elif toks[1] == 'state':
            units.append(('ask', tuple(toks[1:5])))
        elif toks[1] == 'manage':
            pos = [t for t in toks[2:] if '=' not in t]
            keys = [t for t in toks[2:] if '=' in t]
            units.append(('ask', tuple(['manage'] + pos[:3] + keys)))
        else:
            keep = {'managers': 2, 'members': 2, 'cross-tenant-scopes': 1}[toks[1]]
            pos = [t for t in toks[2:] if '=' not in t]
            keys = [t for t in toks[2:] if '=' in t]
            units.append(('ask', tuple([toks[1]] + pos[:keep] + keys)))
    return lets, units


# ---------------------------------------------------------------------------------------
# The generator

class Gen:
    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random(seed)
        rng = self.rng
        self.nt = rng.choice([2, 3, 3])
        self.nsubs = [rng.randint(1, 3) for _ in range(self.nt)]
        lets = [('T%d' % (i + 1), TENANTS[i]) for i in range(self.nt)]
        lets.append(('TX', UNKNOWN_TENANT))
        for t in range(self.nt):
            lets += [(sub_var(t, k), sub_guid(t, k)) for k in range(self.nsubs[t])]
        lets += [('SX', UNKNOWN_SUB), ('MG', MG), ('NET', NET)]
        # Managers: a pool of ids in random subscriptions, one of an unknown subscription.
        self.mgr_vars = []
        all_subs = [(t, k) for t in range(self.nt) for k in range(self.nsubs[t])]
        for i in range(rng.randint(3, 5)):
            t, k = rng.choice(all_subs)
            rg = rng.choice(['rg-avnm', 'rg-net', 'rg-avnm', 'rg-net', 'rg-café'])
            lets.append(('NM%d' % (i + 1), '/subscriptions/$%s/resourceGroups/%s/$NET/'
                         'networkManagers/nm-%d' % (sub_var(t, k), rg, i + 1)))
            self.mgr_vars.append(('$NM%d' % (i + 1), t))
        lets.append(('NMX', '/subscriptions/$SX/resourceGroups/rg/$NET/networkManagers/nm-x'))
        # Virtual networks: one or two per subscription (not all registered).
        self.vnet_vars = []
        for t, k in all_subs:
            for j in range(rng.randint(1, 2)):
                name = 'V%s%d' % (sub_var(t, k), j + 1)
                lets.append((name, '/subscriptions/$%s/resourceGroups/rg-net/$NET/'
                             'virtualNetworks/vnet-%d' % (sub_var(t, k), j + 1)))
                self.vnet_vars.append(('$' + name, t))
        lets.append(('VX', '/subscriptions/$SX/resourceGroups/rg-net/$NET/virtualNetworks/vnet-x'))
        self.lets = lets
        header = ['# Generated by tests/model/gen.py, seed %s: the expectations are the '
                  'reference model\'s (tests/model/model.py).' % seed]
        self.r = Renderer(lets, header)
        self.tenant_var = {TENANTS[i]: '$T%d' % (i + 1) for i in range(self.nt)}
        self.sub_var = {sub_guid(t, k): '$' + sub_var(t, k) for t, k in all_subs}
        self.mgr_path = {v: M.parse_id(M.expand(v, self.r.env)).path
                         for v, _ in self.mgr_vars + [('$NMX', None)]}
        self.mgr_var = {p: v for v, p in self.mgr_path.items()}
        self.as_ = None
        self.as_left = 0

    # ---- random choices -----------------------------------------------------------------

    def chance(self, p):
        return self.rng.random() < p

    def pick(self, seq):
        return self.rng.choice(list(seq))

    @property
    def w(self):
        return self.r.m.w

    def vary(self, token):
        """The same id in another letter case, now and then (R1.3)."""
        if self.chance(0.04) and M.expand(token, self.r.env).startswith('/'):
            return M.expand(token, self.r.env)[1:]       # R1.2: the '/' is optional
        if not self.chance(0.08):
            return token
        text = M.expand(token, self.r.env)
        return ''.join(c.upper() if c in ASCII and self.chance(0.5) else c for c in text)

    def tenant(self, bad=0.05):
        if self.chance(bad):
            return self.pick(['$TX', 'not-a-guid', '{%s}' % TENANTS[0], TENANTS[0][:-1]])
        return self.vary('$T%d' % (self.rng.randrange(self.nt) + 1))

    def tenant_index(self, var):
        try:
            return int(var[2:]) - 1 if var.startswith('$T') and var != '$TX' else None
        except ValueError:
            return None

    def mgs_of(self, t):
        """The management groups of tenant index t, the root first."""
        g = TENANTS[t]
        return [g] + sorted(m for (tt, m) in self.w.mgs if tt == g and m != g)

    def mg_token(self, t, mg):
        return '$MG/$T%d' % (t + 1) if mg == TENANTS[t] else '$MG/' + mg

    BAD_IDS = [
        '/subscriptions/$A1/resourceGroups/rg/$NET/virtualNetworks/vnet-1/extra',
        '/subscriptions/$A1/resourceGroups', 'subscriptions', '/Subscriptions/not-a-guid',
        '/subscriptions/$A1/resourceGroups/rg/$NET/networkManagers/nm/scopeConnections/c',
        '/subscriptions/$A1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm',
        '/subscriptions/$A1/resourceGroups/rg/$NET/virtualNetworks/vnet-1/subnets/',
        '/subscriptions/$A1/resourceGroups/rg/$NET/virtualNetworks/vnet-1/subnets/sn-',
        '/subscriptions/$A1//resourceGroups/rg', '/subscriptions/$A1/resourceGroups/../rg',
        '/providers/Microsoft.Management/managementGroups', '$MG/x/', '$MG/a%2fb',
        '/providers/Microsoft.Nope/managementGroups/x', '/subscriptions/{$A1}',
    ]

    def bad_id(self):
        return self.pick(self.BAD_IDS)

    def mg_ref(self, t, mg):
        """A management group where the argument is one: bare id or full id."""
        if self.chance(0.01):
            return self.pick(['$MG/x/', '/providers/Microsoft.Nope/managementGroups/x',
                              'mg%41', '$MG/$A1'])
        if self.chance(0.02):
            # Another tenant's root: group ids resolve in the tenant at hand (R2.7).
            return '$T%d' % ((t + 1) % self.nt + 1)
        if mg == TENANTS[t]:
            return self.vary('$T%d' % (t + 1) if self.chance(0.7) else '$MG/$T%d' % (t + 1))
        return mg if self.chance(0.7) else self.vary('$MG/' + mg)

    def subs_of(self, t):
        return [g for g, s in sorted(self.w.subs.items()) if s['tenant'] == TENANTS[t]]

    def sub_item(self, g):
        return self.vary('/subscriptions/' + self.sub_var.get(g, g))

    def item_token(self, item):
        if item[0] == 'sub':
            return self.sub_item(item[1])
        t = TENANTS.index(item[1])
        return self.vary(self.mg_token(t, item[2]))

    def scope_items(self, t, bad=0.06):
        """A scope of tenant index t, as tokens: a subscription, a group, two subscriptions,
        the root; sometimes with an item that does not exist or belongs to another tenant."""
        subs = self.subs_of(t)
        mgs = self.mgs_of(t)
        kind = self.rng.random()
        if kind < 0.4 and subs:
            items = [('sub', self.pick(subs))]
        elif kind < 0.55 and len(subs) > 1:
            items = [('sub', s) for s in self.rng.sample(subs, 2)]
        elif kind < 0.65:
            items = [('mg', TENANTS[t], TENANTS[t])]
        elif kind < 0.72 and subs and len(mgs) > 1:
            # A group and a subscription, below it or beside it.
            items = [('mg', TENANTS[t], self.pick(mgs[1:])), ('sub', self.pick(subs))]
        else:
            items = [('mg', TENANTS[t], self.pick(mgs))]
        toks = [self.item_token(i) for i in items]
        if self.chance(0.05):
            toks.append(self.item_token(self.pick(items)))     # R1.6: a duplicate
        if self.chance(bad):
            toks.append(self.pick([
                '/subscriptions/$SX', '$MG/mg-none',
                '/subscriptions/' + self.sub_var.get(self.pick(self.w.subs) if self.w.subs
                                                      else UNKNOWN_SUB, '$SX')]))
        if self.chance(0.004):
            # choices.md "Scope size": at most 1000 distinct items (these do not exist).
            n = self.pick([1000, 1001])
            toks = ['/subscriptions/%08x-0000-0000-0000-00000000000f' % i for i in range(n)]
            if self.chance(0.5):
                toks.insert(self.rng.randrange(n), toks[0].upper())
        if self.chance(0.03):
            toks = [self.pick(['/subscriptions/$SX/', '//subscriptions/$SX', '$T1',
                               '/subscriptions/$SX/resourceGroups/rg', '$MG/bad.',
                               '/providers/Microsoft.Nope/managementGroups/x'])]
        return toks

    def manager(self, existing=0.85):
        """A manager id token: mostly one that exists."""
        have = [self.mgr_var[p] for p in sorted(self.w.managers) if p in self.mgr_var]
        r = self.rng.random()
        if have and r < existing:
            tok = self.vary(self.pick(have))
            if self.chance(0.05):
                text = M.expand(tok, self.r.env)
                if 'é' in text:
                    # R1.3: only ASCII letters fold: another resource group, another id.
                    return text.replace('é', 'É')
            return tok
        if r < 0.97:
            return self.pick([v for v, _ in self.mgr_vars] + ['$NMX'])
        return self.pick(['/subscriptions/$SX/resourceGroups/rg/$NET/networkManagers/nm-',
                          '/subscriptions/$SX/resourceGroups/rg/providers/Microsoft.Compute/'
                          'networkManagers/nm'])

    def home_of(self, mvar):
        for v, t in self.mgr_vars:
            if v == mvar:
                return t
        return None

    def name(self, pool, bad=0.03):
        if self.chance(bad):
            return self.pick(['bad/name', '-x', 'x-', ''.join(['n'] * 81)])
        n = self.pick(pool)
        return n.upper() if self.chance(0.05) else n

    def accesses(self):
        if self.chance(0.03):
            return 'access=Teleport'
        k = self.pick([0, 1, 1, 1, 2, 2, 3])
        names = self.rng.sample(ACCESS_NAMES, k)
        names = [n.lower() if self.chance(0.1) else n for n in names]
        return 'access=' + ','.join(names)

    def local_scope(self, t):
        """A local scope for a manager of tenant index t (sometimes empty or foreign)."""
        if t is None:
            return '' if self.chance(0.5) else 'scope='
        r = self.rng.random()
        if r < 0.2:
            return 'scope=' if self.chance(0.5) else ''
        if r < 0.9:
            return 'scope=' + ','.join(self.scope_items(t))
        other = self.rng.randrange(self.nt)
        return 'scope=' + ','.join(self.scope_items(other))

    def resource(self, near=None):
        """(token, tenant= token or None) of a resource to ask about; near: a manager
        path whose effective scope it is often chosen from."""
        w = self.w
        if near is not None and self.chance(0.6):
            items = sorted(w.effective(near))
            if items:
                item = self.pick(items)
                subs = [g for g in sorted(w.subs) if w.covers(item, ('path', g, ''))]
                if subs and self.chance(0.7):
                    g = self.pick(subs)
                    vnets = [v for v, _ in self.vnet_vars
                             if M.expand(v, self.r.env).lower().startswith('/subscriptions/' + g)]
                    if vnets and self.chance(0.7):
                        v = self.pick(vnets)
                        return (v + '/subnets/default' if self.chance(0.15) else v), None
                    return self.sub_item(g), None
                if item[0] == 'mg':
                    t = TENANTS.index(item[1])
                    return self.mg_tok_tenant(t, item[2])
        r = self.rng.random()
        if r < 0.35 and self.vnet_vars:
            v, _ = self.pick(self.vnet_vars)
            return (v + '/subnets/default' if self.chance(0.15) else v), None
        if r < 0.55 and w.subs:
            g = self.pick(sorted(w.subs))
            if self.chance(0.3):
                return '/subscriptions/%s/resourceGroups/rg-x' % self.sub_var.get(g, g), None
            return self.sub_item(g), None
        if r < 0.6:
            return '$VX', None
        if r < 0.63 and w.subs:
            g = self.pick(sorted(w.subs))
            return '/subscriptions/%s/resourceGroups/rg-Über/$NET/virtualNetworks/v2' % (
                self.sub_var.get(g, g)), None
        t = self.rng.randrange(self.nt)
        return self.mg_tok_tenant(t, self.pick(self.mgs_of(t)))

    def mg_tok_tenant(self, t, mg):
        tok = self.mg_token(t, mg)
        if len(self.w.tenants_with_mg(mg)) > 1 or self.chance(0.3):
            return tok, 'tenant=$T%d' % (t + 1)
        return tok, None

    # ---- questions ----------------------------------------------------------------------

    def access_of(self, mp):
        """An access, often one the manager has."""
        acc = sorted(self.w.managers[mp]['acc']) if mp in self.w.managers else []
        a = self.pick(acc) if acc and self.chance(0.7) else self.pick(ACCESS_NAMES)
        return a.upper() if self.chance(0.05) else a

    def question(self):
        w = self.w
        r = self.rng.random()
        if r < 0.35 and (w.scs or w.hcs):
            if w.scs and (not w.hcs or self.chance(0.5)):
                mp, n = self.pick(sorted(w.scs))
                return ('state', 'scope-connection', self.vary(self.mgr_var.get(mp, mp)),
                        self.vary_name(n))
            t, n = self.pick(sorted(w.hcs))
            return ('state', 'hub-connection', self.vary(self.tenant_var.get(t, t)),
                    self.vary_name(n))
        mgrs = [self.mgr_var.get(p, p) for p in sorted(w.managers)]
        if r < 0.55 and mgrs:
            mp = self.pick(sorted(w.managers))
            res, tk = self.resource(near=mp)
            return tuple(['manage', self.vary(self.mgr_var.get(mp, mp)), self.vary(res),
                          self.access_of(mp)] +
                         ([tk] if tk else []))
        if r < 0.75:
            mp = self.pick(sorted(w.managers)) if w.managers else None
            res, tk = self.resource(near=mp)
            return tuple(['managers', self.vary(res), self.access_of(mp)] +
                         ([tk] if tk else []))
        groups = [(self.mgr_var.get(p, p), g) for p, m in sorted(w.managers.items())
                  for g in sorted(m['groups'])]
        if r < 0.85 and groups:
            mv, g = self.pick(groups)
            return ('members', self.vary(mv), self.vary_name(g))
        if mgrs:
            return ('cross-tenant-scopes', self.vary(self.pick(mgrs)))
        return None

    def vary_name(self, name):
        return name.upper() if self.chance(0.08) else name

    def related_question(self, line):
        """A question about what the last command named: did it change what it should, and
        nothing when it failed (R7)?"""
        w = self.w
        toks = [M.expand(t, self.r.env) for t in line.split()]
        verb, args = toks[0], [t for t in toks[1:] if '=' not in t]
        try:
            if verb in ('scope-connection', 'scope-connection-delete', 'reevaluate'):
                mp = M.parse_id(args[0]).path
                if (mp, args[1].translate(M.LOWER)) in w.scs and self.chance(0.7):
                    return ('state', 'scope-connection', self.mgr_var.get(mp, mp), args[1])
                hub = [(t, n) for (t, n), h in sorted(w.hcs.items()) if h['manager'] == mp]
                if hub and self.chance(0.5):
                    t, n = self.pick(hub)
                    return ('state', 'hub-connection', self.tenant_var.get(t, t), n)
                if mp in w.managers:
                    return ('cross-tenant-scopes', self.mgr_var.get(mp, mp))
            elif verb in ('hub-connection', 'hub-connection-delete'):
                key = (args[0].translate(M.LOWER), args[1].translate(M.LOWER))
                if key in w.hcs:
                    return ('state', 'hub-connection', self.tenant_var.get(key[0], key[0]),
                            args[1])
                scs = [k for k, s in sorted(w.scs.items()) if s['tenant'] == key[0]]
                if scs:
                    mp, n = self.pick(scs)
                    return ('state', 'scope-connection', self.mgr_var.get(mp, mp), n)
            elif verb == 'hub-reject':
                mp = M.parse_id(args[1]).path
                if (mp, args[2].translate(M.LOWER)) in w.scs:
                    return ('state', 'scope-connection', self.mgr_var.get(mp, mp), args[2])
            elif verb in ('manager', 'manager-update', 'manager-delete', 'group', 'member',
                          'member-delete', 'dynamic', 'group-delete'):
                mp = M.parse_id(args[0]).path
                if mp in w.managers:
                    groups = sorted(w.managers[mp]['groups'])
                    if verb not in ('manager', 'manager-update', 'manager-delete') and \
                            groups and self.chance(0.7):
                        return ('members', self.mgr_var.get(mp, mp), self.pick(groups))
                    if self.chance(0.5):
                        res, tk = self.resource(near=mp)
                        return tuple(['manage', self.mgr_var.get(mp, mp), res,
                                      self.access_of(mp)] + ([tk] if tk else []))
                    return ('cross-tenant-scopes', self.mgr_var.get(mp, mp))
            elif verb in ('mg-move', 'sub-move'):
                if w.managers:
                    mp = self.pick(sorted(w.managers))
                    res, tk = self.resource(near=mp)
                    return tuple(['managers', res, self.access_of(mp)] + ([tk] if tk else []))
        except (M.Invalid, IndexError):
            pass
        return None

    # ---- commands -----------------------------------------------------------------------

    def cmd_scope_connection(self):
        mv = self.manager()
        home = self.home_of(mv)
        if home is not None and self.chance(0.3):
            t = home                             # implied consent (R4.5)
            tv = self.vary('$T%d' % (t + 1))
        else:
            tv = self.tenant()
            t = self.tenant_index(tv if tv.startswith('$') else '')
        items = self.scope_items(t if t is not None else self.rng.randrange(self.nt))
        held = sorted(i for p in sorted(self.w.managers) if p != self.mgr_path.get(mv)
                      for i in self.w.holdings(p))
        if held and self.chance(0.25):
            # An item another manager holds: Conflict if they share an access (R3.3).
            item = self.pick(held)
            t = TENANTS.index(self.w.item_tenant(item))
            tv = self.vary('$T%d' % (t + 1))
            items = [self.item_token(item)]
        if self.chance(0.03):
            items = []
        return 'scope-connection %s %s tenant=%s scope=%s' % (
            mv, self.name(CONN_NAMES), tv, ','.join(items))

    def cmd_hub_connection(self):
        w = self.w
        if w.scs and self.chance(0.6):
            # The other side of an existing scope connection, items in any order.
            (mp, n), sc = self.pick(sorted(w.scs.items()))
            items = [self.item_token(i) for i in sorted(sc['scope'])]
            self.rng.shuffle(items)
            t = TENANTS.index(sc['tenant']) if sc['tenant'] in TENANTS else None
            tv = self.vary('$T%d' % (t + 1)) if t is not None else self.tenant()
            mv = self.vary(self.mgr_var.get(mp, mp))
        else:
            tv = self.tenant()
            t = self.tenant_index(tv if tv.startswith('$') else '')
            items = self.scope_items(t if t is not None else self.rng.randrange(self.nt))
            mv = self.manager(existing=0.7)
        if self.chance(0.03):
            items = []
        return 'hub-connection %s %s scope=%s manager=%s' % (
            tv, self.name(CONN_NAMES), ','.join(items), mv)

    def cmd_scope_connection_delete(self):
        w = self.w
        if w.scs and self.chance(0.85):
            mp, n = self.pick(sorted(w.scs))
            return 'scope-connection-delete %s %s' % (self.vary(self.mgr_var.get(mp, mp)), n)
        return 'scope-connection-delete %s %s' % (self.manager(), self.name(CONN_NAMES))

    def cmd_hub_connection_delete(self):
        w = self.w
        if w.hcs and self.chance(0.85):
            t, n = self.pick(sorted(w.hcs))
            return 'hub-connection-delete %s %s' % (self.vary(self.tenant_var.get(t, t)), n)
        return 'hub-connection-delete %s %s' % (self.tenant(), self.name(CONN_NAMES))

    def cmd_hub_reject(self):
        w = self.w
        if w.scs and self.chance(0.85):
            (mp, n), sc = self.pick(sorted(w.scs.items()))
            tv = self.tenant_var.get(sc['tenant'], sc['tenant'])
            if self.chance(0.1):
                tv = self.tenant()
            return 'hub-reject %s %s %s' % (tv, self.vary(self.mgr_var.get(mp, mp)), n)
        return 'hub-reject %s %s %s' % (self.tenant(), self.manager(), self.name(CONN_NAMES))

    def cmd_reevaluate(self):
        w = self.w
        if w.scs and self.chance(0.85):
            mp, n = self.pick(sorted(w.scs))
            return 'reevaluate %s %s' % (self.vary(self.mgr_var.get(mp, mp)), n)
        return 'reevaluate %s %s' % (self.manager(), self.name(CONN_NAMES))

    def cmd_manager(self):
        mv = self.manager(existing=0.15)
        home = self.home_of(mv)
        parts = ['manager', mv]
        if self.chance(0.9):
            parts.append(self.accesses())
        scope = self.local_scope(home)
        if scope:
            parts.append(scope)
        return ' '.join(parts)

    def cmd_manager_update(self):
        mv = self.manager()
        home = self.home_of(mv)
        parts = ['manager-update', mv]
        if self.chance(0.5):
            parts.append(self.accesses())
        if self.chance(0.7) or (len(parts) == 2 and self.chance(0.95)):
            scope = self.local_scope(home) or 'scope='
            parts.append(scope)
        return ' '.join(parts)

    def cmd_manager_delete(self):
        return 'manager-delete %s%s' % (self.manager(), ' force' if self.chance(0.5) else '')

    def cmd_mg(self):
        t = self.rng.randrange(self.nt)
        parent = self.pick(self.mgs_of(t))
        mg = self.pick(MG_NAMES + ['d7', 'deep']) if self.chance(0.9) else self.pick(
            ['bad.', 'mg(1)', 'a.b_c-d', 'm' * 90, 'm' * 91, 'mg-é', 'mg%41', '.'])
        mgs = self.mgs_of(t)
        if self.chance(0.3):
            parent = max(mgs, key=lambda x: self.w.depth(TENANTS[t], x))
        return 'mg %s %s parent=%s' % (self.vary('$T%d' % (t + 1)), mg, self.mg_ref(t, parent))

    def cmd_mg_move(self):
        t = self.rng.randrange(self.nt)
        mgs = self.mgs_of(t)
        mg = self.pick(mgs[1:]) if len(mgs) > 1 and self.chance(0.95) else self.pick(mgs)
        outside = [p for p in mgs if mg not in self.w.chain(TENANTS[t], p)]
        if outside and self.chance(0.9):
            parent = self.pick(outside)
        else:
            parent = self.pick(mgs) if self.chance(0.9) else 'mg-none'
        return 'mg-move %s %s parent=%s' % (self.vary('$T%d' % (t + 1)), self.mg_ref(t, mg),
                                             self.mg_ref(t, parent))

    def cmd_sub(self):
        t = self.rng.randrange(self.nt)
        k = self.rng.randrange(self.nsubs[t])
        mg = self.pick(self.mgs_of(t))
        sub = self.pick(['$%s' % sub_var(t, k), '/subscriptions/$%s' % sub_var(t, k),
                         '{$%s}' % sub_var(t, k), '$SX'])
        return 'sub %s %s mg=%s' % (self.vary('$T%d' % (t + 1)), self.vary(sub),
                                    self.mg_ref(t, mg))

    def cmd_sub_move(self):
        subs = sorted(self.w.subs)
        if not subs or self.chance(0.05):
            return 'sub-move $SX mg=mg-a'
        g = self.pick(subs)
        t = TENANTS.index(self.w.subs[g]['tenant'])
        mg = self.pick(self.mgs_of(t)) if self.chance(0.95) else 'mg-none'
        sv = self.sub_var.get(g, g)
        tok = sv if self.chance(0.7) else '/subscriptions/' + sv
        return 'sub-move %s mg=%s' % (self.vary(tok), self.mg_ref(t, mg))

    def tags(self, k):
        keys = self.rng.sample(TAGS, k)
        return ' '.join('tag.%s=%s' % (key.upper() if self.chance(0.1) else key,
                                       self.pick(vals)) for key, vals in keys)

    ODD_VNET = ['v', 'vnet_', '-vnet', 'vnet.', 'vnet-', 'v' * 64, 'v' * 65, 'a.b_c-d',
                'vnet%41', 'vnet\x01']

    def cmd_vnet(self):
        v, _ = self.pick(self.vnet_vars + [('$VX', None)])
        if self.chance(0.15):
            g = self.pick(sorted(self.w.subs)) if self.w.subs else UNKNOWN_SUB
            rg = self.pick(['rg-net', 'rg-Über', 'rg.', 'rg(1)', 'r' * 90, 'r' * 91])
            name = self.pick(self.ODD_VNET)
            v = '/subscriptions/%s/resourceGroups/%s/$NET/virtualNetworks/%s' % (
                self.sub_var.get(g, g), rg, name)
        return ('vnet %s region=westeurope %s' % (v, self.tags(self.rng.randint(0, 2)))).strip()

    def cmd_group(self):
        mv = self.manager()
        line = 'group %s %s' % (mv, self.name(GROUP_NAMES))
        if self.chance(0.3):
            line += ' member-type=' + self.pick(['Subnet', 'subnet', 'VirtualNetwork',
                                                 'Subnet', 'Router'])
        return line

    def existing_group(self):
        groups = [(self.mgr_var.get(p, p), g) for p, m in sorted(self.w.managers.items())
                  for g in sorted(m['groups'])]
        if groups and self.chance(0.9):
            mv, g = self.pick(groups)
            return self.vary(mv), g
        return self.manager(), self.name(GROUP_NAMES)

    def cmd_group_delete(self):
        mv, g = self.existing_group()
        return 'group-delete %s %s' % (mv, g)

    def member_token(self):
        v, _ = self.pick(self.vnet_vars + [('$VX', None)])
        r = self.rng.random()
        if r < 0.35:
            return v + '/subnets/' + self.pick(['default', 'sn1'])
        if r < 0.38:
            return '/subscriptions/$SX/resourceGroups/rg-net'
        if r < 0.41:
            return self.bad_id()
        return self.vary(v)

    def cmd_member(self):
        mv, g = self.existing_group()
        return 'member %s %s %s' % (mv, g, self.member_token())

    def cmd_member_delete(self):
        mv, g = self.existing_group()
        path = None
        m = self.w.managers.get(M.parse_id(M.expand(mv, self.r.env)).path) \
            if mv.startswith('$') else None
        if m and g.lower() in m['groups'] and m['groups'][g.lower()]['members'] and \
                self.chance(0.7):
            path = self.pick(sorted(m['groups'][g.lower()]['members']))
        return 'member-delete %s %s %s' % (mv, g, path or self.member_token())

    def cmd_dynamic(self):
        mv, g = self.existing_group()
        return 'dynamic %s %s %s' % (mv, g, self.tags(self.rng.randint(1, 2)))

    def cmd_principal(self):
        name = self.pick(PRINCIPALS + ['dave', 'dave@contoso.com', 'Eve.O_Neil-2', 'bad!name',
                                        'x' * 128, 'x' * 129])
        return 'principal %s home=%s' % (name, self.tenant())

    def cmd_guest(self):
        return 'guest %s %s' % (self.principal_tok(), self.tenant())

    def role_scope(self):
        """(scope token, tenant= or None) for a role assignment."""
        if self.chance(0.03):
            return self.bad_id(), None
        r = self.rng.random()
        if r < 0.3:
            t = self.rng.randrange(self.nt)
            mg = self.pick(self.mgs_of(t))
            tok = self.mg_token(t, mg)
            if (len(self.w.tenants_with_mg(mg)) > 1 and self.chance(0.8)) or self.chance(0.2):
                return tok, 'tenant=$T%d' % (t + 1)
            return tok, None
        if r < 0.55 and self.w.subs:
            return self.sub_item(self.pick(sorted(self.w.subs))), None
        if r < 0.75:
            mv = self.pick([v for v, _ in self.mgr_vars])
            if self.chance(0.5):
                return '/'.join(M.expand(mv, self.r.env).split('/')[:5]), None
            return mv, None
        v, _ = self.pick(self.vnet_vars)
        return v, None

    def cmd_role(self, write=0.6):
        scope, tk = self.role_scope()
        role = self.pick(ROLE_NAMES[:3] if self.chance(write) else ROLE_NAMES)
        if self.chance(0.03):
            role = 'Janitor'
        if self.chance(0.1):
            role = role.lower()
        line = 'role %s %s %s' % (self.principal_tok(), role, scope)
        return line + (' ' + tk if tk else '')

    def principal_tok(self):
        p = self.pick(PRINCIPALS + ['ghost'])
        return p.upper() if self.chance(0.1) else p

    def cmd_as(self):
        if self.as_ is not None:
            self.as_ = None
            return 'as system'
        self.as_ = self.pick(PRINCIPALS + ['ghost'] if self.chance(0.1) else PRINCIPALS)
        self.as_left = self.rng.randint(1, 5)
        return 'as ' + (self.as_.upper() if self.chance(0.1) else self.as_)

    WEIGHTS = [
        ('scope_connection', 14), ('hub_connection', 14), ('scope_connection_delete', 5),
        ('hub_connection_delete', 5), ('hub_reject', 4), ('reevaluate', 4), ('manager', 5),
        ('manager_update', 6), ('manager_delete', 4), ('mg', 1), ('mg_move', 4), ('sub', 1),
        ('sub_move', 4), ('vnet', 1), ('group', 4), ('group_delete', 1), ('member', 7),
        ('member_delete', 2), ('dynamic', 3), ('principal', 1), ('guest', 2), ('role', 3),
        ('as', 3),
    ]

    # ---- R7: malformed input first -----------------------------------------------------

    FREE = {'name', 'region'}            # text the library does not judge

    def mutate(self, line, malformed=True):
        """The command with one argument malformed (R1.4, R1.5, an unknown access, role or
        member type) and, now and then, another naming something that does not exist: R7
        says invalid-argument, whatever else is wrong. Not malformed: only the one naming
        something that does not exist (R7: forbidden, then not-found, then the rest)."""
        toks = line.split()
        spots = []
        for i, t in enumerate(toks[1:], 1):
            if '=' in t:
                k, v = t.split('=', 1)
                if k.lower().startswith('tag.') or k in self.FREE or v == '':
                    continue
            elif t == 'force':
                continue
            spots.append(i)
        if not spots:
            return None
        i = self.pick(spots)
        bad = self.pick(['%41', '/', 'x!'])
        if not malformed:
            pass
        elif '=' in toks[i]:
            k, v = toks[i].split('=', 1)
            items = v.split(',')
            j = self.rng.randrange(len(items))
            items[j] = M.expand(items[j], self.r.env) + bad
            toks[i] = k + '=' + ','.join(items)
        else:
            toks[i] = M.expand(toks[i], self.r.env) + bad
        others = [k for k in spots if k != i or not malformed]
        if others and (self.chance(0.7) or not malformed):
            k = self.pick(others)
            t = toks[k]
            if t.startswith('$T') or t.startswith('tenant=$T'):
                toks[k] = t.replace(t[t.index('$T'):t.index('$T') + 3], '$TX')
            elif '$NM' in t:
                toks[k] = t.replace(t[t.index('$NM'):t.index('$NM') + 4], '$NMX')
            elif '=' not in t and '/' not in t and '$' not in t:
                toks[k] = 'nosuch'
        return ' '.join(toks)

    # ---- a whole file -------------------------------------------------------------------

    def act(self, line):
        return self.r.act(line)

    def setup(self):
        rng = self.rng
        for t in range(self.nt):
            self.act('tenant $T%d' % (t + 1) + (' name=Tenant%d' % (t + 1)
                                                 if self.chance(0.5) else ''))
        for t in range(self.nt):
            if self.chance(0.25):
                # A chain near the depth limit (R2.3).
                for d in range(1, rng.randint(4, 6) + 1):
                    self.act('mg $T%d d%d parent=%s' % (t + 1, d, 'd%d' % (d - 1) if d > 1
                                                          else '$T%d' % (t + 1)))
            for _ in range(rng.randint(0, 3)):
                parent = self.pick(self.mgs_of(t))
                self.act('mg $T%d %s parent=%s' % (t + 1, self.pick(MG_NAMES),
                                                   self.mg_ref(t, parent)))
        for t in range(self.nt):
            for k in range(self.nsubs[t]):
                mg = self.pick(self.mgs_of(t))
                self.act('sub $T%d $%s%s' % (t + 1, sub_var(t, k),
                                              '' if self.chance(0.3) else
                                              ' mg=' + self.mg_ref(t, mg)))
        for v, _ in self.vnet_vars:
            if self.chance(0.85):
                self.act(('vnet %s %s' % (v, self.tags(rng.randint(0, 2)))).strip())
        for i, p in enumerate(PRINCIPALS):
            self.act('principal %s home=$T%d' % (p, (i % self.nt) + 1))
        for p in PRINCIPALS:
            for t in range(self.nt):
                if self.chance(0.5):
                    self.act('guest %s $T%d' % (p, t + 1))
        for i, p in enumerate(PRINCIPALS):
            # Some principals get broad rights, so that they get past R6 too.
            home = i % self.nt
            for t in range(self.nt):
                if self.chance(0.45 if t == home else 0.3):
                    mg = self.pick(self.mgs_of(t)) if self.chance(0.3) else TENANTS[t]
                    self.act('role %s %s %s' % (p, self.pick(ROLE_NAMES[:3]),
                                                self.mg_token(t, mg)) +
                             (' tenant=$T%d' % (t + 1)
                              if len(self.w.tenants_with_mg(mg)) > 1 else ''))
        for _ in range(rng.randint(2, 8)):
            self.act(self.cmd_role(write=0.85))
        for v, t in self.rng.sample(self.mgr_vars, rng.randint(2, min(4, len(self.mgr_vars)))):
            scope = self.local_scope(t)
            self.act('manager %s %s%s' % (v, self.accesses(), ' ' + scope if scope else ''))

    def generate(self):
        rng = self.rng
        self.setup()
        kinds = [k for k, _ in self.WEIGHTS]
        weights = [n for _, n in self.WEIGHTS]
        for _ in range(rng.randint(30, 80)):
            if self.as_ is not None:
                self.as_left -= 1
                if self.as_left < 0:
                    self.as_ = None
                    self.act('as system')
            for _attempt in range(20):
                kind = rng.choices(kinds, weights)[0]
                saved_as = self.as_
                line = getattr(self, 'cmd_' + kind)()
                if line and kind != 'as' and self.chance(0.12):
                    line = self.mutate(line, malformed=self.chance(0.6))
                if line and self.act(line):
                    break
                self.as_ = saved_as
            if self.chance(0.5):
                q = self.related_question(line)
                if q:
                    self.r.ask(q)
            while self.chance(0.4):
                q = self.question()
                if q:
                    self.r.ask(q)
        if self.as_ is not None:
            self.act('as system')
        # A last look at everything: every connection, every manager's cross-tenant scopes,
        # every group's members.
        w = self.w
        for mp, n in sorted(w.scs):
            self.r.ask(('state', 'scope-connection', self.mgr_var.get(mp, mp), n))
        for t, n in sorted(w.hcs):
            self.r.ask(('state', 'hub-connection', self.tenant_var.get(t, t), n))
        for mp, m in sorted(w.managers.items()):
            self.r.ask(('cross-tenant-scopes', self.mgr_var.get(mp, mp)))
            for g in sorted(m['groups']):
                self.r.ask(('members', self.mgr_var.get(mp, mp), g))
        return self.r.text()


def generate(seed):
    """(file text, Gen) for one seed."""
    g = Gen(seed)
    return g.generate(), g


if __name__ == '__main__':
    first = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    for s in range(first, first + n):
        sys.stdout.write(generate(s)[0])
