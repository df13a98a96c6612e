"""Python objects for a manager, its connections and groups.

Manager, ScopeConnection and HubConnection wrap library handles
(avnm_*_open/_close): when the object behind one is deleted, using the handle raises
StaleHandle, even if an object of the same name is created again. NetworkGroup has no
handle in the C API; it holds the ids and asks by them.
"""

from __future__ import annotations

from ctypes import byref, c_char_p, c_int, c_uint, c_void_p
from typing import TYPE_CHECKING, Callable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _args, _native
from ._args import AccessLike, MemberTypeLike
from .enums import Access, MemberType, State, enum_or_int
from .values import Decision, Reason

if TYPE_CHECKING:
    from .context import Context

__all__ = ["Manager", "ScopeConnection", "HubConnection", "NetworkGroup"]

_lib = _native.lib


class _Handle:
    """A library handle registered with its Context, closed by close(), by the
    Context's close(), or when the object is garbage collected."""

    _token: Optional[int] = None

    def __init__(self, ctx: "Context", open_fn: Callable[..., int],
                 close_fn: Callable[[int], None], *args: bytes) -> None:
        self._ctx = ctx
        out = c_void_p()
        rc = open_fn(byref(out), ctx._ptr, *args)
        if rc:
            ctx._check(rc)
        self._token = ctx._add_handle(out.value, close_fn)

    @property
    def _h(self) -> int:
        if self._token is None:
            raise ValueError("the handle is closed")
        return self._ctx._handle(self._token)

    def close(self) -> None:
        """Release the handle (not the object). Idempotent."""
        token, self._token = self._token, None
        if token is not None:
            self._ctx._close_handle(token)

    @property
    def closed(self) -> bool:
        try:
            self._h
        except ValueError:
            return True
        return False

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def _get_state(self, fn: Callable[..., int]) -> Tuple[State, Reason]:
        state = c_int()
        reason = c_void_p()
        rc = fn(byref(state), byref(reason), self._h)
        if rc:
            _lib.avnm_reason_free(reason)
            self._ctx._check(rc)
        return enum_or_int(State, state.value), Reason._take(reason.value)  # type: ignore


class Manager(_Handle):
    """A network manager (a handle on it). Create with Context.manager() or open an
    existing one with Context.open_manager().

    Attributes:
        id: the manager's id as first registered (R1.3 display form).
    """

    def __init__(self, ctx: "Context", manager_id: str) -> None:
        super().__init__(ctx, _lib.avnm_manager_open, _lib.avnm_manager_close,
                         _args.text(manager_id, "manager id"))
        raw = c_char_p()
        rc = _lib.avnm_manager_get_id(byref(raw), self._h)
        if rc:
            self.close()
            ctx._check(rc)
        self.id: str = (raw.value or b"").decode()

    def __repr__(self) -> str:
        return f"<avnm.Manager {self.id}>"

    @property
    def accesses(self) -> Access:
        """Its scope accesses now. StaleHandle once deleted."""
        out = c_uint()
        rc = _lib.avnm_manager_get_accesses(byref(out), self._h)
        if rc:
            self._ctx._check(rc)
        return Access(out.value)

    @property
    def scope(self) -> List[str]:
        """Its local scope now, canonical items, sorted. StaleHandle once deleted."""
        out = c_void_p()
        rc = _lib.avnm_manager_get_scope(byref(out), self._h)
        if rc:
            self._ctx._check(rc)
        try:
            return [(_lib.avnm_scope_item(out, i) or b"").decode()
                    for i in range(_lib.avnm_scope_count(out))]
        finally:
            _lib.avnm_scope_free(out)

    def update(self, accesses: Optional[AccessLike] = None,
               scope: Optional[Union[str, Sequence[str]]] = None,
               as_: Optional[str] = None) -> None:
        """Context.update_manager for this manager."""
        self._ctx.update_manager(self.id, accesses, scope, as_=as_)

    def delete(self, force: bool = False, as_: Optional[str] = None) -> None:
        """Context.delete_manager for this manager; the handle goes stale."""
        self._ctx.delete_manager(self.id, force=force, as_=as_)

    def scope_connection(self, name: str, tenant: str, scope: Union[str, Sequence[str]],
                         as_: Optional[str] = None) -> "ScopeConnection":
        """Context.scope_connection for this manager."""
        return self._ctx.scope_connection(self.id, name, tenant, scope, as_=as_)

    def group(self, name: str, member_type: MemberTypeLike = MemberType.VIRTUAL_NETWORK,
              as_: Optional[str] = None) -> "NetworkGroup":
        """Context.group for this manager."""
        return self._ctx.group(self.id, name, member_type, as_=as_)

    def can_manage(self, resource_id: str, access: AccessLike,
                   tenant: Optional[str] = None) -> Decision:
        """Context.can_manage for this manager."""
        return self._ctx.can_manage(self.id, resource_id, access, tenant)

    def cross_tenant_scopes(self) -> List[Tuple[str, Optional[str]]]:
        """Context.cross_tenant_scopes for this manager."""
        return self._ctx.cross_tenant_scopes(self.id)


class _Connection(_Handle):
    _get_state_fn: Callable[..., int]

    def status(self) -> Tuple[State, Reason]:
        """State and reason, read together. StaleHandle once deleted."""
        return self._get_state(type(self)._get_state_fn)

    @property
    def state(self) -> State:
        """Its state now. StaleHandle once deleted."""
        return self.status()[0]

    @property
    def reason(self) -> Reason:
        """Why it is in its state. StaleHandle once deleted."""
        return self.status()[1]


class ScopeConnection(_Connection):
    """Manager side of a cross-tenant connection (a handle on it).

    Attributes:
        manager_id, name: its ids. tenant: the target tenant when known (None when
            opened by id).
    """

    _get_state_fn = staticmethod(_lib.avnm_scope_connection_get_state)

    def __init__(self, ctx: "Context", manager_id: str, name: str,
                 tenant: Optional[str] = None) -> None:
        super().__init__(ctx, _lib.avnm_scope_connection_open, _lib.avnm_scope_connection_close,
                         _args.text(manager_id, "manager id"), _args.text(name, "connection name"))
        self.manager_id = manager_id
        self.name = name
        self.tenant = tenant

    def __repr__(self) -> str:
        return f"<avnm.ScopeConnection {self.name} of {self.manager_id}>"

    def delete(self, as_: Optional[str] = None) -> None:
        """Delete it (its counterpart reacts); the handle goes stale."""
        self._ctx.delete_scope_connection(self.manager_id, self.name, as_=as_)

    def reject(self, as_: Optional[str] = None, tenant: Optional[str] = None) -> None:
        """The target tenant declines it while Pending (R4.8)."""
        target = tenant if tenant is not None else self.tenant
        if target is None:
            raise TypeError("reject() needs the target tenant of a connection opened by id")
        self._ctx.reject_scope_connection(target, self.manager_id, self.name, as_=as_)

    def reevaluate(self, as_: Optional[str] = None) -> None:
        """Re-evaluate it and its pair (R4.6)."""
        self._ctx.reevaluate(self.manager_id, self.name, as_=as_)


class HubConnection(_Connection):
    """Target side of a cross-tenant connection (a handle on it).

    Attributes:
        tenant, name: its ids. manager_id: the manager it names, when known.
    """

    _get_state_fn = staticmethod(_lib.avnm_hub_connection_get_state)

    def __init__(self, ctx: "Context", tenant: str, name: str,
                 manager_id: Optional[str] = None) -> None:
        super().__init__(ctx, _lib.avnm_hub_connection_open, _lib.avnm_hub_connection_close,
                         _args.text(tenant, "tenant"), _args.text(name, "connection name"))
        self.tenant = tenant
        self.name = name
        self.manager_id = manager_id

    def __repr__(self) -> str:
        return f"<avnm.HubConnection {self.name} in {self.tenant}>"

    def delete(self, as_: Optional[str] = None) -> None:
        """Delete it (its counterpart reacts); the handle goes stale."""
        self._ctx.delete_hub_connection(self.tenant, self.name, as_=as_)


class NetworkGroup:
    """A network group of a manager, by its ids (the C API has no group handle)."""

    def __init__(self, ctx: "Context", manager_id: str, name: str) -> None:
        self._ctx = ctx
        self.manager_id = manager_id
        self.name = name

    def __repr__(self) -> str:
        return f"<avnm.NetworkGroup {self.name} of {self.manager_id}>"

    def add_member(self, resource_id: str, as_: Optional[str] = None) -> None:
        """Add a static member (R5.2)."""
        self._ctx.add_member(self.manager_id, self.name, resource_id, as_=as_)

    def remove_member(self, resource_id: str, as_: Optional[str] = None) -> None:
        """Remove a static member."""
        self._ctx.remove_member(self.manager_id, self.name, resource_id, as_=as_)

    def add_condition(self, tags: Mapping[str, str], as_: Optional[str] = None) -> None:
        """Add a dynamic membership condition (all these tags, R5.3)."""
        self._ctx.add_condition(self.manager_id, self.name, tags, as_=as_)

    def members(self) -> List[str]:
        """The effective members now."""
        return self._ctx.group_members(self.manager_id, self.name)

    def delete(self, as_: Optional[str] = None) -> None:
        """Delete the group with its member records and conditions."""
        self._ctx.delete_group(self.manager_id, self.name, as_=as_)
