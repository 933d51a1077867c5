"""Exceptions of the discovery layer."""

from harvest.errors import SheafError


class QueryError(SheafError):
    """A search request that cannot be answered as asked (a 400, never a 500)."""


class QueryTooLarge(QueryError):
    """A query past one of the caps (discovery.budget's settings, or the parser's own
    ceilings, :data:`discovery.query.MAX_CLAUSES` and ``MAX_QUERY_CHARS``). ``limit``
    names the cap (``chars``, ``words``, ``clauses``, ``token``, ``prefix``,
    ``prefix_terms``) and ``value`` its setting, so that each front end can say it in
    its own words (a translated message, an SRU diagnostic); ``str()`` is the English
    message."""

    def __init__(self, limit: str, value: int, message: str, details: str = ""):
        super().__init__(message)
        self.limit = limit
        self.value = value
        self.details = details


class IndexUnavailable(SheafError):
    """There is no usable index to search."""


class EngineUnavailable(IndexUnavailable):
    """The search engine did not answer (a SolrCloud down or too slow): try again later."""


class IndexUnreadable(IndexUnavailable):
    """The live index is damaged (a file of it cannot be read): readers get a 503 until
    ``sheaf index --rebuild`` makes a new one from the store."""
