"""Exceptions of the indexer layer."""

from harvest.errors import SheafError


class IndexerError(SheafError):
    """The index cannot be built, opened or updated."""


class RebuildNeeded(IndexerError):
    """The index was built with another schema, analysis or mapping version."""


class IndexDamaged(IndexerError):
    """A file of the live index cannot be read (truncated, emptied, overwritten); the store
    is intact, so ``sheaf index --rebuild`` recovers. ``path`` is the file (or generation)."""

    def __init__(self, message: str, path=None):
        super().__init__(message)
        self.path = path


class GenerationRefused(IndexerError):
    """A new index generation failed its search probe; the live one stays."""


class MappingError(SheafError):
    """One record could not be mapped; it is reported and skipped."""


class NotBibliographic(MappingError):
    """An authority, holdings, classification or community record (leader/06) in a member's
    delivery: kept in the store, reported, and not indexed as a work. ``kind`` names it."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


class TooLongForIso2709(MappingError):
    """A record (stored as MARCXML or Dublin Core) with a field over 9,999 bytes, or over
    99,999 bytes in all: an ISO 2709 directory cannot describe it; MARCXML can."""


class MappingWarning(UserWarning):
    """A data problem in one record that mapping worked around (named record and rule)."""
