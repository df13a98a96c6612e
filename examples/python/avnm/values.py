"""Values handed out by the library, copied into plain Python objects."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import List, Optional, Tuple, Union

from . import _native
from .enums import EventKind, PartKind, ReasonCode, State, enum_or_int

__all__ = ["Reason", "Decision", "Event"]

_lib = _native.lib


def _text(raw: Optional[bytes]) -> Optional[str]:
    return None if raw is None else raw.decode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class Reason:
    """Why a connection is in its state, or why a question got its answer.

    Attributes:
        code: the stable reason code.
        text: one English sentence naming everything involved.
        parts: the names involved, in order, as (kind, value) pairs; for a conflict,
            per conflicting item: ITEM, MANAGER, ACCESS...
    """

    code: Union[ReasonCode, int]
    text: str
    parts: List[Tuple[Union[PartKind, int], str]] = field(default_factory=list)

    def values(self, kind: PartKind) -> List[str]:
        """The values of the parts of one kind, in order."""
        return [value for k, value in self.parts if k == kind]

    def __str__(self) -> str:
        return self.text

    @classmethod
    def _take(cls, ptr: Optional[int]) -> "Reason":
        """Copy an avnm_reason into a Reason and free it (also on failure)."""
        if not ptr:
            return cls(ReasonCode.NONE, "", [])
        try:
            code = enum_or_int(ReasonCode, _lib.avnm_reason_get_code(ptr))
            text = _text(_lib.avnm_reason_text(ptr)) or ""
            parts = []
            kind = ctypes.c_int()
            value = ctypes.c_char_p()
            for i in range(_lib.avnm_reason_part_count(ptr)):
                if _lib.avnm_reason_part(ptr, i, ctypes.byref(kind), ctypes.byref(value)) == 0:
                    parts.append((enum_or_int(PartKind, kind.value), _text(value.value) or ""))
            return cls(code, text, parts)
        finally:
            _lib.avnm_reason_free(ptr)


@dataclass(frozen=True)
class Decision:
    """The answer to can_manage or authorize: a deny is an answer, not an error.

    A Decision is true when allowed, so ``if ctx.can_manage(...):`` reads naturally."""

    allowed: bool
    reason: Reason

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(frozen=True)
class Event:
    """One change reported to the Context.on_event callback (struct avnm_event).

    Fields that do not apply to the kind are None or State.NONE."""

    kind: Union[EventKind, int]
    manager: Optional[str] = None
    connection: Optional[str] = None
    tenant: Optional[str] = None
    item: Optional[str] = None
    group: Optional[str] = None
    resource: Optional[str] = None
    old_state: Union[State, int] = State.NONE
    new_state: Union[State, int] = State.NONE

    @classmethod
    def _copy(cls, ev: _native.EventStruct) -> "Event":
        return cls(kind=enum_or_int(EventKind, ev.kind), manager=_text(ev.manager),
                   connection=_text(ev.connection), tenant=_text(ev.tenant),
                   item=_text(ev.item), group=_text(ev.group), resource=_text(ev.resource),
                   old_state=enum_or_int(State, ev.old_state),
                   new_state=enum_or_int(State, ev.new_state))


def take_list(ptr: Optional[int]) -> List[Tuple[str, Optional[str]]]:
    """Copy an avnm_list into [(entry, tenant or None)] and free it."""
    if not ptr:
        return []
    try:
        return [(_text(_lib.avnm_list_get(ptr, i)) or "", _text(_lib.avnm_list_tenant(ptr, i)))
                for i in range(_lib.avnm_list_count(ptr))]
    finally:
        _lib.avnm_list_free(ptr)
