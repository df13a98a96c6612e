"""Storage backends a Context can keep its world in: Journal (a file) and MemoryStore.

Lifetimes: a backend must outlive every context opened on it. Closing a backend
therefore first closes the contexts still open on it (and their handles).
"""

from __future__ import annotations

import ctypes
import os
from typing import Callable, Dict, Optional, Union

from . import _native
from .errors import error_for_code

__all__ = ["Storage", "Journal", "MemoryStore"]

_lib = _native.lib


class _StorageNative:
    """The C backend and the contexts open on it, as plain data: kept apart from the
    Python objects so that it is freed in the right order whatever order the garbage
    collector finalizes objects in."""

    __slots__ = ("ptr", "free", "contexts")

    def __init__(self, ptr: int, free: Callable[[int], None]) -> None:
        self.ptr: Optional[int] = ptr
        self.free = free
        self.contexts: Dict[int, object] = {}  # token -> context._Native

    def close(self) -> None:
        for native in list(self.contexts.values()):
            native.close()  # type: ignore[attr-defined]
        ptr, self.ptr = self.ptr, None
        if ptr:
            self.free(ptr)


class Storage:
    """Base class of the backends. Usable as a context manager (closes on exit)."""

    _native: Optional[_StorageNative] = None

    @property
    def closed(self) -> bool:
        """True once close() was called."""
        return self._native is None or self._native.ptr is None

    def close(self) -> None:
        """Close the contexts still open on this backend, then the backend. Idempotent."""
        if self._native is not None:
            self._native.close()

    def _require_open(self) -> _StorageNative:
        if self._native is None or self._native.ptr is None:
            raise ValueError(f"{type(self).__name__} is closed")
        return self._native

    def __enter__(self) -> "Storage":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: nothing sensible left to do
            pass


class Journal(Storage):
    """The built-in journal file backend (avnm_journal_open).

    Args:
        path: the journal file; created if missing.
        sync: fsync at each commit (False passes AVNM_JOURNAL_NO_SYNC: faster, and a
            crash may lose the last commits, never tear one).

    Raises:
        Busy: another process (or another open Journal) holds the file's lock.
        StorageError, Corrupt, InvalidArgument, OutOfMemory: with the library's message.
    """

    def __init__(self, path: Union[str, "os.PathLike[str]", bytes], sync: bool = True) -> None:
        self.path = path
        raw = os.fsencode(path)
        if b"\0" in raw:
            raise error_for_code(-1, "the journal path contains a NUL character")
        out = ctypes.c_void_p()
        errbuf = ctypes.create_string_buffer(1024)
        flags = 0 if sync else _native.JOURNAL_NO_SYNC
        rc = _lib.avnm_journal_open(ctypes.byref(out), raw, flags, errbuf, len(errbuf))
        if rc:
            raise error_for_code(rc, errbuf.value.decode("utf-8", "replace"))
        self._native = _StorageNative(out.value, _lib.avnm_journal_close)

    def __repr__(self) -> str:
        return f"Journal({self.path!r}{', closed' if self.closed else ''})"


class MemoryStore(Storage):
    """A backend that keeps the records in memory (avnm_memstore_new): a context
    reopened on it gets the same world back."""

    def __init__(self) -> None:
        out = ctypes.c_void_p()
        rc = _lib.avnm_memstore_new(ctypes.byref(out))
        if rc:
            raise error_for_code(rc, _lib.avnm_strerror(rc).decode())
        self._native = _StorageNative(out.value, _lib.avnm_memstore_free)

    def __repr__(self) -> str:
        return f"MemoryStore({'closed' if self.closed else 'open'})"
