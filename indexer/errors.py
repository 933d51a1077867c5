"""Exceptions of the indexer layer."""

from harvest.errors import SheafError


class IndexerError(SheafError):
    """The index cannot be built, opened or updated."""


class RebuildNeeded(IndexerError):
    """The index was built with another schema, analysis or mapping version."""


class GenerationRefused(IndexerError):
    """A new index generation failed its search probe; the live one stays."""


class MappingError(SheafError):
    """One record could not be mapped; it is reported and skipped."""


class MappingWarning(UserWarning):
    """A data problem in one record that mapping worked around (named record and rule)."""
