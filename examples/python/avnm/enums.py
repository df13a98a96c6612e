"""The enumerations of avnm.h as Python enums (values exactly as in the header)."""

from __future__ import annotations

import enum
from typing import Type, TypeVar, Union

__all__ = [
    "Access",
    "Action",
    "ErrorCode",
    "EventKind",
    "MemberType",
    "PartKind",
    "ReasonCode",
    "Role",
    "State",
]


class ErrorCode(enum.IntEnum):
    """Status codes (avnm_error). Negative; AVNM_OK is 0."""

    OK = 0
    INVALID_ARGUMENT = -1
    NOT_FOUND = -2
    EXISTS = -3
    CONFLICT = -4
    FORBIDDEN = -5
    BUSY = -6
    LIMIT = -7
    STORAGE = -8
    CORRUPT = -9
    NO_MEMORY = -10
    STALE_HANDLE = -11
    UNSUPPORTED = -12


class Access(enum.IntFlag):
    """Scope accesses of a network manager (avnm_access, R3.1): a bit set."""

    CONNECTIVITY = 1 << 0
    SECURITY_ADMIN = 1 << 1
    SECURITY_USER = 1 << 2
    ROUTING = 1 << 3
    ALL = 0xF

    def __str__(self) -> str:
        names = [_ACCESS_NAMES[bit] for bit in _ACCESS_NAMES if self & bit]
        return ",".join(names)


# The names avnm_access_name() gives, in bit order (used for display only; parsing
# goes through the library so that it accepts exactly what the C API accepts).
_ACCESS_NAMES = {
    Access.CONNECTIVITY: "Connectivity",
    Access.SECURITY_ADMIN: "SecurityAdmin",
    Access.SECURITY_USER: "SecurityUser",
    Access.ROUTING: "Routing",
}


class State(enum.IntEnum):
    """Connection states (avnm_state, R4.3). NONE: no such resource."""

    NONE = 0
    PENDING = 1
    CONNECTED = 2
    CONFLICT = 3
    REVOKED = 4
    REJECTED = 5

    def __str__(self) -> str:
        return self.name.capitalize()


class ReasonCode(enum.IntEnum):
    """Why a connection is in its state, or why a question got its answer."""

    NONE = 0
    CONNECTED = 1
    CONNECTED_IMPLIED = 2
    PENDING_NO_COUNTERPART = 3
    PENDING_NO_MANAGER = 4
    PENDING_REJECTED = 5
    CONFLICT = 6
    REVOKED = 7
    REVOKED_IMPLIED_LAPSED = 8
    REJECTED = 9
    ALLOW_LOCAL_SCOPE = 20
    ALLOW_CONNECTION = 21
    DENY_NO_ACCESS = 22
    DENY_NOT_COVERED = 23
    DENY_NOT_CONNECTED = 24
    DENY_UNKNOWN_SUBSCRIPTION = 25
    ALLOW_SYSTEM = 40
    ALLOW_ROLE = 41
    DENY_NO_ACCOUNT = 42
    DENY_NO_ROLE = 43
    DENY_LINKED = 44


class PartKind(enum.IntEnum):
    """What a named part of a reason is (avnm_part_kind)."""

    MANAGER = 1
    ITEM = 2
    ACCESS = 3
    CONNECTION = 4
    TENANT = 5
    PRINCIPAL = 6
    ROLE = 7
    RESOURCE = 8
    SUBSCRIPTION = 9


class Role(enum.IntEnum):
    """Built-in roles (avnm_role, R6.1)."""

    OWNER = 1
    CONTRIBUTOR = 2
    NETWORK_CONTRIBUTOR = 3
    READER = 4


class Action(enum.IntEnum):
    """Actions a principal may be authorized for (avnm_action)."""

    READ = 1
    NETWORK_WRITE = 2


class MemberType(enum.IntEnum):
    """Member types of a network group (avnm_member_type, R5.1)."""

    VIRTUAL_NETWORK = 1
    SUBNET = 2


class EventKind(enum.IntEnum):
    """What a change event tells (avnm_event_kind)."""

    SCOPE_CONNECTION_STATE = 1
    HUB_CONNECTION_STATE = 2
    SCOPE_ENTERED = 3
    SCOPE_LEFT = 4
    MEMBER_EFFECTIVE = 5
    MEMBER_INEFFECTIVE = 6


E = TypeVar("E", bound=enum.IntEnum)


def enum_or_int(cls: Type[E], value: int) -> Union[E, int]:
    """cls(value), or the plain int when a newer library hands out a value this
    binding does not know yet (the header only ever appends values)."""
    try:
        return cls(value)
    except ValueError:
        return value
