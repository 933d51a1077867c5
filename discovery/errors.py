"""Exceptions of the discovery layer."""

from harvest.errors import SheafError


class QueryError(SheafError):
    """A search request that cannot be answered as asked (a 400, never a 500)."""


class IndexUnavailable(SheafError):
    """There is no usable index to search."""


class EngineUnavailable(IndexUnavailable):
    """The search engine did not answer (a SolrCloud down or too slow): try again later."""


class IndexUnreadable(IndexUnavailable):
    """The live index is damaged (a file of it cannot be read): readers get a 503 until
    ``sheaf index --rebuild`` makes a new one from the store."""
