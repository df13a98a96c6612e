"""Finding and loading libavnm.so.0, and the C prototypes of avnm.h (private).

Search order:
  1. $AVNM_LIBRARY: the full path of the library; when set, nothing else is tried.
  2. $AVNM_BUILD_DIR/lib/libavnm.so.0 (a meson build directory).
  3. build*/lib/libavnm.so.0 in the package's directory and each directory above it
     (an in-tree meson build such as /work/main/build).
  4. ctypes.util.find_library("avnm"), then "libavnm.so.0" through the dynamic loader.
A candidate is only taken if avnm_version_number() has the major version this binding
was written for.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
from ctypes import CFUNCTYPE, POINTER, Structure, c_char_p, c_int, c_size_t, c_uint, c_void_p
from typing import List, Tuple

SONAME = "libavnm.so.0"
EXPECTED_MAJOR = 0

OPTIONS_VERSION = 1
OPT_STRICT_HIERARCHY = 1 << 0
OPT_CROSS_TENANT_DYNAMIC_MEMBERSHIP = 1 << 1
UPDATE_ACCESSES = 1 << 0
UPDATE_SCOPE = 1 << 1
DELETE_FORCE = 1 << 0
JOURNAL_NO_SYNC = 1 << 0


class LibraryNotFoundError(ImportError):
    """No usable libavnm.so.0 was found (the message lists what was tried)."""


class Options(Structure):
    """struct avnm_options, version 1."""
    _fields_ = [
        ("version", c_uint),
        ("flags", c_uint),
        ("max_mg_depth", c_uint),
        ("max_mgs_per_tenant", c_uint),
        ("allocator", c_void_p),
    ]


class Tag(Structure):
    """struct avnm_tag."""
    _fields_ = [("key", c_char_p), ("value", c_char_p)]


class EventStruct(Structure):
    """struct avnm_event (C enums are int-sized)."""
    _fields_ = [
        ("kind", c_int),
        ("manager", c_char_p),
        ("connection", c_char_p),
        ("tenant", c_char_p),
        ("item", c_char_p),
        ("group", c_char_p),
        ("resource", c_char_p),
        ("old_state", c_int),
        ("new_state", c_int),
    ]


EVENT_FN = CFUNCTYPE(None, c_void_p, POINTER(EventStruct))

_P = POINTER(c_void_p)  # out-parameter for any opaque object
_S = c_char_p
_PROTOTYPES = {
    # version, errors, enumerations
    "avnm_version_number": (c_uint, []),
    "avnm_version_string": (c_char_p, []),
    "avnm_error_name": (c_char_p, [c_int]),
    "avnm_strerror": (c_char_p, [c_int]),
    "avnm_access_parse": (c_int, [POINTER(c_uint), _S]),
    "avnm_access_name": (c_char_p, [c_uint]),
    "avnm_role_parse": (c_int, [POINTER(c_int), _S]),
    "avnm_member_type_parse": (c_int, [POINTER(c_int), _S]),
    # reasons and lists
    "avnm_reason_get_code": (c_int, [c_void_p]),
    "avnm_reason_text": (c_char_p, [c_void_p]),
    "avnm_reason_part_count": (c_size_t, [c_void_p]),
    "avnm_reason_part": (c_int, [c_void_p, c_size_t, POINTER(c_int), POINTER(c_char_p)]),
    "avnm_reason_free": (None, [c_void_p]),
    "avnm_list_count": (c_size_t, [c_void_p]),
    "avnm_list_get": (c_char_p, [c_void_p, c_size_t]),
    "avnm_list_tenant": (c_char_p, [c_void_p, c_size_t]),
    "avnm_list_free": (None, [c_void_p]),
    # context
    "avnm_ctx_new": (c_int, [_P, POINTER(Options)]),
    "avnm_ctx_free": (None, [c_void_p]),
    "avnm_errmsg_copy": (c_size_t, [c_void_p, c_void_p, c_size_t]),
    "avnm_errcode": (c_int, [c_void_p]),
    "avnm_ctx_open": (c_int, [_P, POINTER(Options), c_void_p, c_void_p, c_size_t]),
    "avnm_ctx_dump": (c_int, [_P, POINTER(c_size_t), c_void_p]),
    "avnm_free": (None, [c_void_p, c_void_p]),
    "avnm_ctx_set_event_callback": (c_int, [c_void_p, EVENT_FN, c_void_p]),
    # storage
    "avnm_journal_open": (c_int, [_P, _S, c_uint, c_void_p, c_size_t]),
    "avnm_journal_close": (None, [c_void_p]),
    "avnm_memstore_new": (c_int, [_P]),
    "avnm_memstore_free": (None, [c_void_p]),
    # ids and scopes
    "avnm_id_canonical": (c_int, [c_void_p, c_size_t, c_void_p, _S]),
    "avnm_scope_new": (c_int, [_P, c_void_p]),
    "avnm_scope_add": (c_int, [c_void_p, _S]),
    "avnm_scope_count": (c_size_t, [c_void_p]),
    "avnm_scope_item": (c_char_p, [c_void_p, c_size_t]),
    "avnm_scope_equal": (c_int, [c_void_p, c_void_p]),
    "avnm_scope_free": (None, [c_void_p]),
    # directory
    "avnm_tenant_create": (c_int, [c_void_p, _S, _S]),
    "avnm_mg_create": (c_int, [c_void_p, _S, _S, _S]),
    "avnm_mg_move": (c_int, [c_void_p, _S, _S, _S]),
    "avnm_subscription_create": (c_int, [c_void_p, _S, _S, _S]),
    "avnm_subscription_move": (c_int, [c_void_p, _S, _S]),
    "avnm_vnet_create": (c_int, [c_void_p, _S, _S, POINTER(Tag), c_size_t]),
    "avnm_principal_create": (c_int, [c_void_p, _S, _S]),
    "avnm_guest_add": (c_int, [c_void_p, _S, _S]),
    "avnm_role_assign": (c_int, [c_void_p, _S, c_int, _S, _S]),
    "avnm_authorize": (c_int, [POINTER(c_int), _P, c_void_p, _S, c_int, _S, _S]),
    # managers
    "avnm_manager_create": (c_int, [c_void_p, _S, _S, c_uint, c_void_p]),
    "avnm_manager_update": (c_int, [c_void_p, _S, _S, c_uint, c_uint, c_void_p]),
    "avnm_manager_delete": (c_int, [c_void_p, _S, _S, c_uint]),
    # connections
    "avnm_scope_connection_create": (c_int, [c_void_p, _S, _S, _S, _S, c_void_p]),
    "avnm_scope_connection_delete": (c_int, [c_void_p, _S, _S, _S]),
    "avnm_scope_connection_reject": (c_int, [c_void_p, _S, _S, _S, _S]),
    "avnm_scope_connection_reevaluate": (c_int, [c_void_p, _S, _S, _S]),
    "avnm_scope_connection_state": (c_int, [POINTER(c_int), _P, c_void_p, _S, _S]),
    "avnm_hub_connection_create": (c_int, [c_void_p, _S, _S, _S, c_void_p, _S]),
    "avnm_hub_connection_delete": (c_int, [c_void_p, _S, _S, _S]),
    "avnm_hub_connection_state": (c_int, [POINTER(c_int), _P, c_void_p, _S, _S]),
    # questions
    "avnm_can_manage": (c_int, [POINTER(c_int), _P, c_void_p, _S, _S, c_uint, _S]),
    "avnm_managers_of": (c_int, [_P, c_void_p, _S, c_uint, _S]),
    "avnm_can_manage_many": (c_int, [POINTER(c_int), POINTER(c_int), c_void_p, c_size_t,
                                     POINTER(_S), POINTER(_S), POINTER(c_uint), POINTER(_S)]),
    "avnm_managers_of_many": (c_int, [POINTER(c_void_p), POINTER(c_int), c_void_p, c_size_t,
                                      POINTER(_S), POINTER(c_uint), POINTER(_S)]),
    "avnm_manager_cross_tenant_scopes": (c_int, [_P, c_void_p, _S]),
    # handles
    "avnm_manager_open": (c_int, [_P, c_void_p, _S]),
    "avnm_manager_get_id": (c_int, [POINTER(c_char_p), c_void_p]),
    "avnm_manager_get_accesses": (c_int, [POINTER(c_uint), c_void_p]),
    "avnm_manager_get_scope": (c_int, [_P, c_void_p]),
    "avnm_manager_close": (None, [c_void_p]),
    "avnm_scope_connection_open": (c_int, [_P, c_void_p, _S, _S]),
    "avnm_scope_connection_get_state": (c_int, [POINTER(c_int), _P, c_void_p]),
    "avnm_scope_connection_close": (None, [c_void_p]),
    "avnm_hub_connection_open": (c_int, [_P, c_void_p, _S, _S]),
    "avnm_hub_connection_get_state": (c_int, [POINTER(c_int), _P, c_void_p]),
    "avnm_hub_connection_close": (None, [c_void_p]),
    # network groups
    "avnm_group_create": (c_int, [c_void_p, _S, _S, _S, c_int]),
    "avnm_group_delete": (c_int, [c_void_p, _S, _S, _S]),
    "avnm_member_add": (c_int, [c_void_p, _S, _S, _S, _S]),
    "avnm_member_remove": (c_int, [c_void_p, _S, _S, _S, _S]),
    "avnm_group_condition_add": (c_int, [c_void_p, _S, _S, _S, POINTER(Tag), c_size_t]),
    "avnm_group_members": (c_int, [_P, c_void_p, _S, _S]),
}


def _candidates() -> Tuple[List[str], bool]:
    """Paths or names to try, and whether they were given explicitly."""
    explicit = os.environ.get("AVNM_LIBRARY")
    if explicit:
        return [explicit], True
    found: List[str] = []
    build_dir = os.environ.get("AVNM_BUILD_DIR")
    if build_dir:
        found.append(os.path.join(build_dir, "lib", SONAME))
    here = os.path.dirname(os.path.abspath(__file__))
    while True:
        found.extend(sorted(glob.glob(os.path.join(glob.escape(here), "build*", "lib", SONAME))))
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    by_loader = ctypes.util.find_library("avnm")
    if by_loader:
        found.append(by_loader)
    found.append(SONAME)
    return found, False


def _bind(lib: ctypes.CDLL) -> None:
    for name, (restype, argtypes) in _PROTOTYPES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


def load() -> Tuple[ctypes.CDLL, str]:
    """The first usable library and the path or name it was loaded from."""
    candidates, explicit = _candidates()
    tried: List[str] = []
    for path in candidates:
        if os.sep in path and not os.path.exists(path):
            tried.append(f"{path}: no such file")
            continue
        try:
            lib = ctypes.CDLL(path)
            lib.avnm_version_number.restype = c_uint
            lib.avnm_version_number.argtypes = []
            number = lib.avnm_version_number()
            if number >> 16 != EXPECTED_MAJOR:
                raise OSError(f"major version {number >> 16}, this binding needs "
                              f"{EXPECTED_MAJOR}")
            _bind(lib)
        except (OSError, AttributeError) as e:
            tried.append(f"{path}: {e}")
            continue
        return lib, path
    how = "$AVNM_LIBRARY" if explicit else "the search"
    raise LibraryNotFoundError(f"no usable {SONAME} found by {how}; tried:\n  " +
                               "\n  ".join(tried))


lib, library_path = load()
