"""Context: one world of tenants, managers and connections (avnm_ctx)."""

from __future__ import annotations

import ctypes
import itertools
import logging
import threading
import weakref
from ctypes import byref, c_char_p, c_int, c_size_t, c_uint, c_void_p
from typing import (Callable, Dict, List, Mapping, Optional, Sequence, Tuple,
                    TypeVar, Union)

from . import _args, _native
from ._args import AccessLike, MemberTypeLike, RoleLike
from .enums import Access, Action, MemberType, State, enum_or_int
from .errors import AvnmError, error_for_code
from .resources import HubConnection, Manager, NetworkGroup, ScopeConnection
from .storage import Storage
from .values import Decision, Event, Reason, take_list

__all__ = ["Context", "canonical_id", "scopes_equal", "canonical_scope"]

_lib = _native.lib
_log = logging.getLogger("avnm")
_tokens = itertools.count(1)

EventCallback = Callable[[Event], object]
F = TypeVar("F", bound=EventCallback)


def _strerror(code: int) -> str:
    raw = _lib.avnm_strerror(code)
    return raw.decode() if raw else "unknown error"


class _Native:
    """The C context and the handles open on it, as plain data (no references to
    Python objects), so that handles are closed before the context and the context
    before its storage whatever order the garbage collector finalizes objects in."""

    __slots__ = ("ptr", "handles", "storage", "token")

    def __init__(self, ptr: int, storage: Optional[object], token: int) -> None:
        self.ptr: Optional[int] = ptr
        self.handles: Dict[int, Tuple[int, Callable[[int], None]]] = {}
        self.storage = storage  # storage._StorageNative or None
        self.token = token

    def close(self) -> None:
        handles, self.handles = self.handles, {}
        for ptr, close in handles.values():
            close(ptr)
        ptr, self.ptr = self.ptr, None
        if ptr:
            _lib.avnm_ctx_free(ptr)
        if self.storage is not None:
            self.storage.contexts.pop(self.token, None)  # type: ignore[attr-defined]
            self.storage = None


def _c_texts(values: Sequence[Optional[str]], what: str, optional: bool = False) -> object:
    """A C array of strings (never empty: ctypes has no zero-length arrays) for the
    many-question calls; None becomes NULL where optional."""
    arr = (c_char_p * max(len(values), 1))()
    for i, v in enumerate(values):
        arr[i] = _args.opt_text(v, what) if optional else _args.text(v, what)
    return arr


def _c_accesses(values: Sequence[AccessLike]) -> object:
    """A C array of one access each, as _c_texts."""
    arr = (c_uint * max(len(values), 1))()
    for i, v in enumerate(values):
        arr[i] = _args.accesses(v)
    return arr


def _c_tenants(tenants: Optional[Sequence[Optional[str]]], n: int) -> object:
    """The tenants of n questions: NULL for None, else one (or None) per question."""
    if tenants is None:
        return None
    if len(tenants) != n:
        raise ValueError(f"{len(tenants)} tenants for {n} questions")
    return _c_texts(tenants, "tenant", optional=True)


class Context:
    """A world: tenants, management groups, subscriptions, virtual networks, principals,
    network managers, their connections and network groups.

    Args:
        strict_hierarchy: R3.4, any ancestor/descendant overlap with a shared access is
            a conflict too (AVNM_OPT_STRICT_HIERARCHY).
        cross_tenant_dynamic_membership: R5.3, dynamic membership also reaches connected
            cross-tenant virtual networks.
        max_mg_depth: management-group levels below the root; 0 is the default (6).
        max_mgs_per_tenant: 0 is the default (10,000).
        storage: a Journal or MemoryStore to load the world from and write every change
            to (avnm_ctx_open); None keeps the world in memory only.

    Every method raises an AvnmError subclass when the library refuses (a failing call
    changes nothing), ValueError when the context is closed, and TypeError for
    arguments of the wrong Python type. ``as_`` names the principal performing a change
    of a manager or what it owns; None is the trusted system caller (R6.5).

    Use it as a context manager, or call close(). close() also closes the handles
    (Manager, ScopeConnection, HubConnection) opened on it. The library is thread-safe,
    but close() must not race with other calls on the same context.
    """

    def __init__(self, strict_hierarchy: bool = False,
                 cross_tenant_dynamic_membership: bool = False, max_mg_depth: int = 0,
                 max_mgs_per_tenant: int = 0, storage: Optional[Storage] = None) -> None:
        self._native: Optional[_Native] = None
        self._storage = storage  # kept alive for as long as the context
        self._callback: Optional[EventCallback] = None
        self._event_fn: Optional[object] = None  # the ctypes trampoline C may call
        self._local = threading.local()
        flags = 0
        if strict_hierarchy:
            flags |= _native.OPT_STRICT_HIERARCHY
        if cross_tenant_dynamic_membership:
            flags |= _native.OPT_CROSS_TENANT_DYNAMIC_MEMBERSHIP
        opts = _native.Options(_native.OPTIONS_VERSION, flags,
                               _args.uint(max_mg_depth, "max_mg_depth"),
                               _args.uint(max_mgs_per_tenant, "max_mgs_per_tenant"), None)
        out = c_void_p()
        token = next(_tokens)
        if storage is None:
            rc = _lib.avnm_ctx_new(byref(out), byref(opts))
            if rc:
                raise error_for_code(rc, _strerror(rc))
            self._native = _Native(out.value, None, token)
            return
        if not isinstance(storage, Storage):
            raise TypeError(f"storage must be a Journal or MemoryStore, not "
                            f"{type(storage).__name__}")
        snative = storage._require_open()
        errbuf = ctypes.create_string_buffer(1024)
        rc = _lib.avnm_ctx_open(byref(out), byref(opts), snative.ptr, errbuf, len(errbuf))
        if rc:
            raise error_for_code(rc, errbuf.value.decode("utf-8", "replace") or _strerror(rc))
        self._native = _Native(out.value, snative, token)
        snative.contexts[token] = self._native

    # -- lifetime ------------------------------------------------------------------------

    def close(self) -> None:
        """Close the handles opened on this context, then free it. Idempotent."""
        if self._native is not None:
            self._native.close()
        self._event_fn = None
        self._callback = None

    @property
    def closed(self) -> bool:
        return self._native is None or self._native.ptr is None

    def __enter__(self) -> "Context":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def __repr__(self) -> str:
        return f"<avnm.Context {'closed' if self.closed else 'open'}>"

    # -- plumbing shared with resources.py -------------------------------------------------

    @property
    def _ptr(self) -> int:
        native = self._native
        if native is None or native.ptr is None:
            raise ValueError("the avnm.Context is closed")
        return native.ptr

    def _errmsg(self, code: int) -> str:
        ptr = self._native.ptr if self._native else None
        if ptr and _lib.avnm_errcode(ptr) == code:
            size = 512
            while True:
                buf = ctypes.create_string_buffer(size)
                n = _lib.avnm_errmsg_copy(ptr, buf, size)
                if n < size:
                    msg = buf.value.decode("utf-8", "replace")
                    if msg:
                        return msg
                    break
                size = n + 1
        return _strerror(code)

    def _error(self, code: int) -> AvnmError:
        return error_for_code(code, self._errmsg(code))

    def _check(self, rc: int) -> None:
        """Raise for a failed call; after a successful one, re-raise what the event
        callback raised while the library delivered this call's events."""
        errors = getattr(self._local, "errors", None)
        if errors:
            self._local.errors = []
        if rc:
            raise self._error(rc)
        if errors:
            for extra in errors[1:]:
                _log.error("avnm event callback raised another exception in the same call",
                           exc_info=extra)
            raise errors[0]

    def _add_handle(self, ptr: int, close: Callable[[int], None]) -> int:
        token = next(_tokens)
        native = self._native
        if native is None or native.ptr is None:
            close(ptr)
            raise ValueError("the avnm.Context is closed")
        native.handles[token] = (ptr, close)
        return token

    def _handle(self, token: int) -> int:
        native = self._native
        entry = native.handles.get(token) if native is not None else None
        if entry is None:
            raise ValueError("the handle is closed (or its avnm.Context is)")
        return entry[0]

    def _close_handle(self, token: int) -> None:
        native = self._native
        entry = native.handles.pop(token, None) if native is not None else None
        if entry is not None:
            entry[1](entry[0])

    def _scope(self, scope: object) -> "_ScopeArg":
        return _ScopeArg(self, scope)

    def _reason_and_flag(self, fn: Callable[..., int], *args: object) -> Decision:
        allowed = c_int()
        reason = c_void_p()
        rc = fn(byref(allowed), byref(reason), self._ptr, *args)
        if rc:
            _lib.avnm_reason_free(reason)
            self._check(rc)
        return Decision(bool(allowed.value), Reason._take(reason.value))

    def _list(self, fn: Callable[..., int], *args: object) -> List[Tuple[str, Optional[str]]]:
        out = c_void_p()
        rc = fn(byref(out), self._ptr, *args)
        if rc:
            _lib.avnm_list_free(out)
            self._check(rc)
        return take_list(out.value)

    # -- identifiers ------------------------------------------------------------------------

    def canonical_id(self, resource_id: str) -> str:
        """The canonical form of a resource id (R1): leading '/', ASCII lower case."""
        buf = ctypes.create_string_buffer(2050)
        rc = _lib.avnm_id_canonical(buf, len(buf), self._ptr,
                                    _args.text(resource_id, "resource id"))
        self._check(rc)
        return buf.value.decode()

    # -- directory (R2, R6.1) ---------------------------------------------------------------

    def tenant(self, tenant: str, name: Optional[str] = None) -> None:
        """A tenant (a GUID) with its root management group (R2.1)."""
        self._check(_lib.avnm_tenant_create(self._ptr, _args.text(tenant, "tenant"),
                                            _args.opt_text(name, "name")))

    def management_group(self, tenant: str, mg: str, parent: Optional[str] = None) -> None:
        """Management group mg of tenant under parent (None: the root)."""
        self._check(_lib.avnm_mg_create(self._ptr, _args.text(tenant, "tenant"),
                                        _args.text(mg, "management group"),
                                        _args.opt_text(parent, "parent")))

    def move_management_group(self, tenant: str, mg: str, parent: str) -> None:
        """Re-parent a management group (R2.4)."""
        self._check(_lib.avnm_mg_move(self._ptr, _args.text(tenant, "tenant"),
                                      _args.text(mg, "management group"),
                                      _args.text(parent, "parent")))

    def subscription(self, tenant: str, sub: str, mg: Optional[str] = None) -> None:
        """A subscription of tenant under management group mg (None: the root)."""
        self._check(_lib.avnm_subscription_create(self._ptr, _args.text(tenant, "tenant"),
                                                  _args.text(sub, "subscription"),
                                                  _args.opt_text(mg, "management group")))

    def move_subscription(self, sub: str, mg: str) -> None:
        """Move a subscription to management group mg of its own tenant."""
        self._check(_lib.avnm_subscription_move(self._ptr, _args.text(sub, "subscription"),
                                                _args.text(mg, "management group")))

    def vnet(self, vnet_id: str, region: Optional[str] = None,
             tags: Optional[Mapping[str, str]] = None) -> None:
        """Register a virtual network (R2.6) with optional region and tags."""
        array, n = _args.tags(tags)
        self._check(_lib.avnm_vnet_create(self._ptr, _args.text(vnet_id, "virtual network id"),
                                          _args.opt_text(region, "region"), array, n))

    def principal(self, name: str, home: str) -> None:
        """A user or service principal with its home tenant (R6.1)."""
        self._check(_lib.avnm_principal_create(self._ptr, _args.text(name, "principal"),
                                               _args.text(home, "home tenant")))

    def guest(self, name: str, tenant: str) -> None:
        """Give principal name a guest account in tenant."""
        self._check(_lib.avnm_guest_add(self._ptr, _args.text(name, "principal"),
                                        _args.text(tenant, "tenant")))

    def assign_role(self, name: str, role: RoleLike, scope_id: str,
                    tenant: Optional[str] = None) -> None:
        """Assign role (a Role or a name such as "NetworkContributor") to principal name
        at scope_id; tenant resolves an ambiguous management-group id (R2.7)."""
        self._check(_lib.avnm_role_assign(self._ptr, _args.text(name, "principal"),
                                          _args.role(role), _args.text(scope_id, "scope id"),
                                          _args.opt_text(tenant, "tenant")))

    def authorize(self, principal: Optional[str], action: Union[Action, int],
                  resource_id: str, tenant: Optional[str] = None) -> Decision:
        """May principal (None: the system) perform action on resource_id (R6)?"""
        return self._reason_and_flag(_lib.avnm_authorize, _args.opt_text(principal, "principal"),
                                     _args.uint(action, "action"),
                                     _args.text(resource_id, "resource id"),
                                     _args.opt_text(tenant, "tenant"))

    # -- network managers (R3) --------------------------------------------------------------

    def manager(self, manager_id: str, accesses: AccessLike = Access(0),
                scope: Union[str, Sequence[str]] = (), as_: Optional[str] = None) -> Manager:
        """Create a network manager with its accesses and local scope (items of its home
        tenant) and return a Manager handle on it."""
        bits = _args.accesses(accesses)
        with self._scope(scope) as s:
            self._check(_lib.avnm_manager_create(self._ptr, _args.opt_text(as_, "principal"),
                                                 _args.text(manager_id, "manager id"), bits, s))
        return Manager(self, manager_id)

    def open_manager(self, manager_id: str) -> Manager:
        """A Manager handle on an existing manager."""
        return Manager(self, manager_id)

    def update_manager(self, manager_id: str, accesses: Optional[AccessLike] = None,
                       scope: Optional[Union[str, Sequence[str]]] = None,
                       as_: Optional[str] = None) -> None:
        """Replace the accesses and/or the local scope (those given; None keeps them).
        The manager's connections are re-evaluated (R4.5a)."""
        what = 0
        bits = 0
        if accesses is not None:
            what |= _native.UPDATE_ACCESSES
            bits = _args.accesses(accesses)
        if scope is not None:
            what |= _native.UPDATE_SCOPE
        with self._scope(scope) as s:
            self._check(_lib.avnm_manager_update(self._ptr, _args.opt_text(as_, "principal"),
                                                 _args.text(manager_id, "manager id"), what,
                                                 bits, s))

    def delete_manager(self, manager_id: str, force: bool = False,
                       as_: Optional[str] = None) -> None:
        """Delete a manager; with force also its connections and groups (R3.5), else a
        manager that still has them raises Busy."""
        self._check(_lib.avnm_manager_delete(self._ptr, _args.opt_text(as_, "principal"),
                                             _args.text(manager_id, "manager id"),
                                             _native.DELETE_FORCE if force else 0))

    # -- connections (R4) -------------------------------------------------------------------

    def scope_connection(self, manager_id: str, name: str, tenant: str,
                         scope: Union[str, Sequence[str]],
                         as_: Optional[str] = None) -> ScopeConnection:
        """Manager side (R4.1): scope connection name of the manager to tenant for scope.
        Returns a ScopeConnection handle on it."""
        with self._scope(scope) as s:
            self._check(_lib.avnm_scope_connection_create(
                self._ptr, _args.opt_text(as_, "principal"), _args.text(manager_id, "manager id"),
                _args.text(name, "connection name"), _args.text(tenant, "tenant"), s))
        return ScopeConnection(self, manager_id, name, tenant)

    def open_scope_connection(self, manager_id: str, name: str) -> ScopeConnection:
        """A ScopeConnection handle on an existing scope connection."""
        return ScopeConnection(self, manager_id, name)

    def delete_scope_connection(self, manager_id: str, name: str,
                                as_: Optional[str] = None) -> None:
        """Delete a scope connection; its counterpart reacts (R4.4, R4.7)."""
        self._check(_lib.avnm_scope_connection_delete(
            self._ptr, _args.opt_text(as_, "principal"), _args.text(manager_id, "manager id"),
            _args.text(name, "connection name")))

    def reject_scope_connection(self, tenant: str, manager_id: str, name: str,
                                as_: Optional[str] = None) -> None:
        """The target tenant declines a Pending scope connection (R4.8)."""
        self._check(_lib.avnm_scope_connection_reject(
            self._ptr, _args.opt_text(as_, "principal"), _args.text(tenant, "tenant"),
            _args.text(manager_id, "manager id"), _args.text(name, "connection name")))

    def reevaluate(self, manager_id: str, name: str, as_: Optional[str] = None) -> None:
        """Re-evaluate a scope connection and its pair; clears a sticky Conflict that is
        gone (R4.6)."""
        self._check(_lib.avnm_scope_connection_reevaluate(
            self._ptr, _args.opt_text(as_, "principal"), _args.text(manager_id, "manager id"),
            _args.text(name, "connection name")))

    def scope_connection_state(self, manager_id: str, name: str) -> Tuple[State, Reason]:
        """State and reason of a scope connection, by its ids."""
        return self._state(_lib.avnm_scope_connection_state,
                           _args.text(manager_id, "manager id"),
                           _args.text(name, "connection name"))

    def hub_connection(self, tenant: str, name: str, scope: Union[str, Sequence[str]],
                       manager_id: str, as_: Optional[str] = None) -> HubConnection:
        """Target side (R4.1): hub connection name in tenant at scope, naming a manager
        that need not exist (R4.11). Returns a HubConnection handle on it."""
        with self._scope(scope) as s:
            self._check(_lib.avnm_hub_connection_create(
                self._ptr, _args.opt_text(as_, "principal"), _args.text(tenant, "tenant"),
                _args.text(name, "connection name"), s, _args.text(manager_id, "manager id")))
        return HubConnection(self, tenant, name, manager_id)

    def open_hub_connection(self, tenant: str, name: str) -> HubConnection:
        """A HubConnection handle on an existing hub connection."""
        return HubConnection(self, tenant, name)

    def delete_hub_connection(self, tenant: str, name: str, as_: Optional[str] = None) -> None:
        """Delete a hub connection; its counterpart reacts (R4.4, R4.7)."""
        self._check(_lib.avnm_hub_connection_delete(
            self._ptr, _args.opt_text(as_, "principal"), _args.text(tenant, "tenant"),
            _args.text(name, "connection name")))

    def hub_connection_state(self, tenant: str, name: str) -> Tuple[State, Reason]:
        """State and reason of a hub connection, by its ids."""
        return self._state(_lib.avnm_hub_connection_state, _args.text(tenant, "tenant"),
                           _args.text(name, "connection name"))

    def _state(self, fn: Callable[..., int], *args: object) -> Tuple[State, Reason]:
        state = c_int()
        reason = c_void_p()
        rc = fn(byref(state), byref(reason), self._ptr, *args)
        if rc:
            _lib.avnm_reason_free(reason)
            self._check(rc)
        return enum_or_int(State, state.value), Reason._take(reason.value)  # type: ignore

    # -- questions (R3.2, R3.4, R4.3) -------------------------------------------------------

    def can_manage(self, manager_id: str, resource_id: str, access: AccessLike,
                   tenant: Optional[str] = None) -> Decision:
        """May the manager manage resource_id for one access now?"""
        return self._reason_and_flag(_lib.avnm_can_manage, _args.text(manager_id, "manager id"),
                                     _args.text(resource_id, "resource id"),
                                     _args.accesses(access), _args.opt_text(tenant, "tenant"))

    def managers_of(self, resource_id: str, access: AccessLike,
                    tenant: Optional[str] = None) -> List[str]:
        """The managers that manage resource_id for one access, highest precedence first."""
        return [entry for entry, _ in self._list(_lib.avnm_managers_of,
                                                 _args.text(resource_id, "resource id"),
                                                 _args.accesses(access),
                                                 _args.opt_text(tenant, "tenant"))]

    def can_manage_many(self, questions: Sequence[Tuple[str, str, AccessLike]],
                        tenants: Optional[Sequence[Optional[str]]] = None) -> List[bool]:
        """Many can_manage questions, (manager_id, resource_id, access) each, in one call
        and against one state of the world; the answers without reasons, in order.
        tenants (one per question) resolves management groups. Raises for the first
        question that fails (its message begins "question <i>: ")."""
        n = len(questions)
        mgr = _c_texts([q[0] for q in questions], "manager id")
        res = _c_texts([q[1] for q in questions], "resource id")
        acc = _c_accesses([q[2] for q in questions])
        ten = _c_tenants(tenants, n)
        allowed = (c_int * max(n, 1))()
        self._check(_lib.avnm_can_manage_many(allowed, None, self._ptr, n, mgr, res, acc, ten))
        return [bool(allowed[i]) for i in range(n)]

    def managers_of_many(self, questions: Sequence[Tuple[str, AccessLike]],
                         tenants: Optional[Sequence[Optional[str]]] = None) -> List[List[str]]:
        """Many managers_of questions, (resource_id, access) each, in one call and against
        one state of the world; the answers in order. Raises for the first question that
        fails (its message begins "question <i>: ")."""
        n = len(questions)
        res = _c_texts([q[0] for q in questions], "resource id")
        acc = _c_accesses([q[1] for q in questions])
        ten = _c_tenants(tenants, n)
        out = (c_void_p * max(n, 1))()
        rc = _lib.avnm_managers_of_many(out, None, self._ptr, n, res, acc, ten)
        lists = [[entry for entry, _ in take_list(out[i])] for i in range(n)]
        self._check(rc)
        return lists

    def cross_tenant_scopes(self, manager_id: str) -> List[Tuple[str, Optional[str]]]:
        """The (item, tenant) pairs a manager holds through Connected connections."""
        return self._list(_lib.avnm_manager_cross_tenant_scopes,
                          _args.text(manager_id, "manager id"))

    # -- network groups (R5) ----------------------------------------------------------------

    def group(self, manager_id: str, name: str,
              member_type: MemberTypeLike = MemberType.VIRTUAL_NETWORK,
              as_: Optional[str] = None) -> NetworkGroup:
        """Create network group name of a manager."""
        self._check(_lib.avnm_group_create(self._ptr, _args.opt_text(as_, "principal"),
                                           _args.text(manager_id, "manager id"),
                                           _args.text(name, "group name"),
                                           _args.member_type(member_type)))
        return NetworkGroup(self, manager_id, name)

    def delete_group(self, manager_id: str, name: str, as_: Optional[str] = None) -> None:
        """Delete a group with its member records and conditions."""
        self._check(_lib.avnm_group_delete(self._ptr, _args.opt_text(as_, "principal"),
                                           _args.text(manager_id, "manager id"),
                                           _args.text(name, "group name")))

    def add_member(self, manager_id: str, group: str, resource_id: str,
                   as_: Optional[str] = None) -> None:
        """Add a static member (R5.2)."""
        self._check(_lib.avnm_member_add(self._ptr, _args.opt_text(as_, "principal"),
                                         _args.text(manager_id, "manager id"),
                                         _args.text(group, "group name"),
                                         _args.text(resource_id, "resource id")))

    def remove_member(self, manager_id: str, group: str, resource_id: str,
                      as_: Optional[str] = None) -> None:
        """Remove a static member."""
        self._check(_lib.avnm_member_remove(self._ptr, _args.opt_text(as_, "principal"),
                                            _args.text(manager_id, "manager id"),
                                            _args.text(group, "group name"),
                                            _args.text(resource_id, "resource id")))

    def add_condition(self, manager_id: str, group: str, tags: Mapping[str, str],
                      as_: Optional[str] = None) -> None:
        """Add a dynamic membership condition: virtual networks carrying all these tags."""
        array, n = _args.tags(tags)
        self._check(_lib.avnm_group_condition_add(self._ptr, _args.opt_text(as_, "principal"),
                                                  _args.text(manager_id, "manager id"),
                                                  _args.text(group, "group name"), array, n))

    def group_members(self, manager_id: str, group: str) -> List[str]:
        """The effective members of a group now, static and dynamic, each once."""
        return [entry for entry, _ in self._list(_lib.avnm_group_members,
                                                 _args.text(manager_id, "manager id"),
                                                 _args.text(group, "group name"))]

    # -- the whole world --------------------------------------------------------------------

    def dump(self) -> str:
        """The whole world as text, one record a line, sorted: equal worlds, equal dumps."""
        out = c_void_p()
        length = c_size_t()
        ptr = self._ptr
        rc = _lib.avnm_ctx_dump(byref(out), byref(length), ptr)
        if rc:
            self._check(rc)
        try:
            return ctypes.string_at(out.value, length.value).decode("utf-8", "surrogateescape")
        finally:
            _lib.avnm_free(ptr, out)

    # -- events -----------------------------------------------------------------------------

    def on_event(self, callback: Optional[F]) -> Optional[F]:
        """Call callback(event) with an Event for each change, in order, after each
        successful call that changes the world (None stops the calls). Returns callback,
        so it can be used as a decorator.

        Exceptions raised by the callback never cross into C: they are caught and the
        remaining events of the same call are still delivered. Once the library call
        returns, the first such exception is re-raised from the method that made the
        change (the change itself has been made and stays made); any further ones from
        the same call are logged on the "avnm" logger. The callback runs on the thread
        that made the change, after the library released its lock, so it may call back
        into the context.
        """
        ptr = self._ptr
        if callback is None:
            self._check(_lib.avnm_ctx_set_event_callback(ptr, _native.EVENT_FN(), None))
            self._event_fn = None
            self._callback = None
            return None
        if not callable(callback):
            raise TypeError("the event callback must be callable")
        # The trampoline holds the context weakly: no reference cycle through C.
        ref = weakref.ref(self)

        def trampoline(_opaque: Optional[int], event: "ctypes._Pointer") -> None:
            try:
                callback(Event._copy(event.contents))
            except BaseException as e:  # nothing may unwind into C
                ctx = ref()
                if ctx is None:
                    _log.error("avnm event callback raised", exc_info=e)
                    return
                errors = getattr(ctx._local, "errors", None)
                if errors is None:
                    errors = ctx._local.errors = []
                errors.append(e)

        fn = _native.EVENT_FN(trampoline)
        self._check(_lib.avnm_ctx_set_event_callback(ptr, fn, None))
        self._event_fn = fn
        self._callback = callback
        return callback


class _ScopeArg:
    """`with ctx._scope(items) as s`: an avnm_scope built from a sequence of ids (or
    NULL for None), freed on exit."""

    def __init__(self, ctx: Context, scope: object) -> None:
        self._ctx = ctx
        self._none = scope is None
        self._items = _args.items(scope)
        self._ptr: Optional[int] = None

    def __enter__(self) -> Optional[int]:
        if self._none:
            return None
        out = c_void_p()
        ctx = self._ctx
        rc = _lib.avnm_scope_new(byref(out), ctx._ptr)
        if rc:
            ctx._check(rc)
        self._ptr = out.value
        try:
            for item in self._items:
                rc = _lib.avnm_scope_add(self._ptr, _args.text(item, "scope item"))
                if rc:
                    ctx._check(rc)
        except BaseException:
            self.__exit__()
            raise
        return self._ptr

    def __exit__(self, *exc: object) -> None:
        ptr, self._ptr = self._ptr, None
        if ptr:
            _lib.avnm_scope_free(ptr)


# -- pure functions (no context) -----------------------------------------------------------


def canonical_id(resource_id: str) -> str:
    """The canonical form of a resource id (R1); InvalidArgument if malformed."""
    buf = ctypes.create_string_buffer(2050)
    rc = _lib.avnm_id_canonical(buf, len(buf), None, _args.text(resource_id, "resource id"))
    if rc:
        raise error_for_code(rc, f"{_strerror(rc)}: {resource_id!r}")
    return buf.value.decode()


class _PureScope:
    """A context-free avnm_scope for the pure helpers below."""

    def __init__(self, scope: Union[str, Sequence[str]]) -> None:
        self.ptr: Optional[int] = None
        out = c_void_p()
        rc = _lib.avnm_scope_new(byref(out), None)
        if rc:
            raise error_for_code(rc, _strerror(rc))
        self.ptr = out.value
        for item in _args.items(scope):
            rc = _lib.avnm_scope_add(self.ptr, _args.text(item, "scope item"))
            if rc:
                self.free()
                raise error_for_code(rc, f"{_strerror(rc)}: scope item {item!r}")

    def free(self) -> None:
        ptr, self.ptr = self.ptr, None
        if ptr:
            _lib.avnm_scope_free(ptr)

    def __enter__(self) -> "_PureScope":
        return self

    def __exit__(self, *exc: object) -> None:
        self.free()


def canonical_scope(scope: Union[str, Sequence[str]]) -> List[str]:
    """The distinct items of a scope in canonical form, sorted (R1.6)."""
    with _PureScope(scope) as s:
        return [(_lib.avnm_scope_item(s.ptr, i) or b"").decode()
                for i in range(_lib.avnm_scope_count(s.ptr))]


def scopes_equal(a: Union[str, Sequence[str]], b: Union[str, Sequence[str]]) -> bool:
    """R1.6 scope equality: the same set of canonical keys (order, duplicates and
    letter case do not matter)."""
    with _PureScope(a) as sa, _PureScope(b) as sb:
        return bool(_lib.avnm_scope_equal(sa.ptr, sb.ptr))
