"""Exceptions of the harvest layer: one root per concern, named for what happened."""

import errno


class SheafError(Exception):
    """Root of every error Sheaf reports to a user as a one-line message."""


class ConfigError(SheafError):
    """The home directory or sheaf.toml is missing or wrong."""


class StoreError(SheafError):
    """The record store cannot be opened or written."""


class HarvestError(SheafError):
    """A source could not be read at all (as opposed to one bad record in it)."""


class SourceUnreadable(HarvestError):
    """A file named by a source or an import cannot be opened."""


class MarcError(HarvestError):
    """One MARC record is broken; the reader reports it and moves on."""


DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
SQLITE_FULL = 13


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` is a write that failed for want of space (an OSError, or SQLite's
    SQLITE_FULL, which is how SQLite reports ENOSPC)."""
    if isinstance(exc, OSError):
        return exc.errno in DISK_FULL_ERRNOS
    return (getattr(exc, "sqlite_errorcode", None) == SQLITE_FULL
            or "database or disk is full" in str(exc))


def describe_os_error(exc: OSError) -> str:
    """One line for a user about a failed file operation: a full disk and a home that
    cannot be written are named as such."""
    where = f": {exc.filename}" if exc.filename else ""
    reason = exc.strerror or str(exc)
    if disk_full(exc):
        return f"disk full ({reason}{where})"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write{where.replace(':', '', 1)} ({reason}): is the home read-only?"
    return f"{reason}{where}"
