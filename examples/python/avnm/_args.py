"""Converting Python arguments to what the C API takes (private)."""

from __future__ import annotations

import ctypes
from typing import Iterable, Mapping, Optional, Tuple, Union

from . import _native
from .enums import Access, MemberType, Role
from .errors import InvalidArgument

_lib = _native.lib

AccessLike = Union[Access, int, str, Iterable[Union[Access, int, str]]]
RoleLike = Union[Role, int, str]
MemberTypeLike = Union[MemberType, int, str]


def text(value: object, what: str) -> bytes:
    """A str argument as the NUL-terminated UTF-8 the C API takes.

    Lone surrogates (as os.fsdecode makes of invalid bytes) go through as those bytes,
    so the library's own check rejects invalid UTF-8 (R1.4). A NUL character cannot be
    passed through a C string at all and would silently cut the value short: it is
    refused here, as the library refuses an embedded NUL."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    raw = value.encode("utf-8", "surrogateescape")
    if b"\0" in raw:
        raise InvalidArgument(f"{what} {value!r} contains a NUL character")
    return raw


def opt_text(value: object, what: str) -> Optional[bytes]:
    """As text(), with None passed as NULL."""
    return None if value is None else text(value, what)


def uint(value: object, what: str) -> int:
    """An unsigned int argument; the C side would silently wrap anything outside."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if not 0 <= value <= 0xFFFFFFFF:
        raise InvalidArgument(f"{what} {value} is not an unsigned 32-bit value")
    return int(value)


def _one_access(value: object) -> int:
    if isinstance(value, str):
        out = ctypes.c_uint()
        if _lib.avnm_access_parse(ctypes.byref(out), text(value, "access")) != 0:
            raise InvalidArgument(f"unknown access {value!r} (Connectivity, SecurityAdmin, "
                                  "SecurityUser, Routing)")
        return out.value
    return uint(value, "access")


def accesses(value: AccessLike) -> int:
    """Access bits from an Access/int, one access name (parsed by the library,
    case-insensitive), or an iterable of those (combined)."""
    if isinstance(value, (str, int)):
        return _one_access(value)
    bits = 0
    for v in value:
        bits |= _one_access(v)
    return bits


def role(value: RoleLike) -> int:
    if isinstance(value, str):
        out = ctypes.c_int()
        if _lib.avnm_role_parse(ctypes.byref(out), text(value, "role")) != 0:
            raise InvalidArgument(f"unknown role {value!r}")
        return out.value
    return uint(value, "role")


def member_type(value: MemberTypeLike) -> int:
    if isinstance(value, str):
        out = ctypes.c_int()
        if _lib.avnm_member_type_parse(ctypes.byref(out), text(value, "member type")) != 0:
            raise InvalidArgument(f"unknown member type {value!r} (VirtualNetwork, Subnet)")
        return out.value
    return uint(value, "member type")


def tags(mapping: Optional[Mapping[str, str]]) -> Tuple[object, int]:
    """A (avnm_tag array or None, count) pair. The array keeps its bytes alive."""
    if not mapping:
        return None, 0
    items = list(mapping.items())
    array = (_native.Tag * len(items))()
    for i, (k, v) in enumerate(items):
        array[i].key = text(k, "tag key")
        array[i].value = text(v, "tag value")
    return array, len(items)


def items(scope: object) -> list:
    """A scope argument as a list of item strings (one str is one item, not its letters)."""
    if isinstance(scope, str):
        return [scope]
    if scope is None:
        return []
    return list(scope)  # type: ignore[call-overload]
