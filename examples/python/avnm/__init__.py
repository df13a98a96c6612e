"""avnm: Python binding of libavnm (ctypes, standard library only).

libavnm decides, for Azure Virtual Network Manager style cross-tenant management, who
may manage what: a manager in one tenant manages another tenant's virtual networks only
after two-way consent (a scope connection on the manager side and a hub connection from
the target tenant with exactly equal scope).

    import avnm
    with avnm.Context() as ctx:
        ctx.tenant("11111111-1111-1111-1111-111111111111", name="Contoso")
        ...

The shared library is found through $AVNM_LIBRARY, $AVNM_BUILD_DIR, a build*/ directory
above this package, or the dynamic loader (see avnm._native).
"""

from . import _native
from .context import Context, canonical_id, canonical_scope, scopes_equal
from .enums import (Access, Action, ErrorCode, EventKind, MemberType, PartKind, ReasonCode,
                    Role, State)
from .errors import (AvnmError, Busy, Conflict, Corrupt, Exists, Forbidden, InvalidArgument,
                     LimitExceeded, NotFound, OutOfMemory, StaleHandle, StorageError,
                     Unsupported, error_for_code)
from .resources import HubConnection, Manager, NetworkGroup, ScopeConnection
from .storage import Journal, MemoryStore, Storage
from .values import Decision, Event, Reason

LibraryNotFoundError = _native.LibraryNotFoundError
#: Path or name the shared library was loaded from.
library_path: str = _native.library_path
#: Version of the loaded library, e.g. "0.1.0", and its packed number 0xMMmmpp.
library_version: str = _native.lib.avnm_version_string().decode()
library_version_number: int = _native.lib.avnm_version_number()
__version__ = "0.1.0"

__all__ = [
    "Access", "Action", "AvnmError", "Busy", "Conflict", "Context", "Corrupt", "Decision",
    "ErrorCode", "Event", "EventKind", "Exists", "Forbidden", "HubConnection",
    "InvalidArgument", "Journal", "LibraryNotFoundError", "LimitExceeded", "Manager",
    "MemberType", "MemoryStore", "NetworkGroup", "NotFound", "OutOfMemory", "PartKind",
    "Reason", "ReasonCode", "Role", "ScopeConnection", "StaleHandle", "State", "Storage",
    "StorageError", "Unsupported", "canonical_id", "canonical_scope", "error_for_code",
    "library_path", "library_version", "library_version_number", "scopes_equal",
]
