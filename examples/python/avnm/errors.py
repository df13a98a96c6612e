"""AvnmError and one subclass per avnm_error code (R7)."""

from __future__ import annotations

from typing import Dict, Optional, Type

__all__ = [
    "AvnmError",
    "InvalidArgument",
    "NotFound",
    "Exists",
    "Conflict",
    "Forbidden",
    "Busy",
    "LimitExceeded",
    "StorageError",
    "Corrupt",
    "OutOfMemory",
    "StaleHandle",
    "Unsupported",
    "error_for_code",
]


class AvnmError(Exception):
    """A libavnm call failed.

    Attributes:
        code: the negative avnm_error value (e.g. -2).
        name: its R7 name (e.g. "not-found"), as avnm_error_name() gives it.
        message: what the library said went wrong (avnm_errmsg of the context, or the
            error buffer of avnm_ctx_open / avnm_journal_open).
    """

    code: int = 0
    name: str = "unknown"

    def __init__(self, message: str = "", code: Optional[int] = None,
                 name: Optional[str] = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        if name is not None:
            self.name = name
        self.message = message

    def __str__(self) -> str:
        return f"{self.name}: {self.message}" if self.message else self.name

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code}, message={self.message!r})"


class InvalidArgument(AvnmError):
    """Malformed input: ids, names, flags, options (AVNM_E_INVALID_ARGUMENT)."""
    code, name = -1, "invalid-argument"


class NotFound(AvnmError):
    """A named object does not exist (AVNM_E_NOT_FOUND)."""
    code, name = -2, "not-found"


class Exists(AvnmError):
    """The object to create exists already (AVNM_E_EXISTS)."""
    code, name = -3, "exists"


class Conflict(AvnmError):
    """The change would break a rule of the world, R3.3 or R2.4 (AVNM_E_CONFLICT)."""
    code, name = -4, "conflict"


class Forbidden(AvnmError):
    """The principal lacks a permission, R6 (AVNM_E_FORBIDDEN)."""
    code, name = -5, "forbidden"


class Busy(AvnmError):
    """The object is still in use, or a journal is locked (AVNM_E_BUSY)."""
    code, name = -6, "busy"


class LimitExceeded(AvnmError):
    """A size or depth limit would be exceeded (AVNM_E_LIMIT)."""
    code, name = -7, "limit"


class StorageError(AvnmError):
    """The storage backend failed (AVNM_E_STORAGE)."""
    code, name = -8, "storage"


class Corrupt(AvnmError):
    """Stored data is damaged (AVNM_E_CORRUPT)."""
    code, name = -9, "corrupt"


class OutOfMemory(AvnmError):
    """An allocation in the library failed (AVNM_E_NO_MEMORY).

    Named so that it does not shadow Python's built-in MemoryError."""
    code, name = -10, "no-memory"


class StaleHandle(AvnmError):
    """The object a handle was opened on was deleted (AVNM_E_STALE_HANDLE)."""
    code, name = -11, "stale-handle"


class Unsupported(AvnmError):
    """Not supported by this build or backend (AVNM_E_UNSUPPORTED)."""
    code, name = -12, "unsupported"


_BY_CODE: Dict[int, Type[AvnmError]] = {
    cls.code: cls
    for cls in (InvalidArgument, NotFound, Exists, Conflict, Forbidden, Busy, LimitExceeded,
                StorageError, Corrupt, OutOfMemory, StaleHandle, Unsupported)
}


def error_for_code(code: int, message: str = "", name: Optional[str] = None) -> AvnmError:
    """The exception for an avnm_error code: the matching subclass, or a plain
    AvnmError for a code this binding does not know (newer library)."""
    cls = _BY_CODE.get(code)
    if cls is None:
        return AvnmError(message, code=code, name=name or "unknown")
    return cls(message)
