"""Exceptions of the discovery layer."""

from harvest.errors import SheafError


def N_(message: str) -> str:
    """Marks an error message for the site's message catalogs (web/babel.cfg)."""
    return message


class QueryError(SheafError):
    """A search request that cannot be answered as asked (a 400, never a 500).

    Raised as ``QueryError(N_("unknown sort %(value)s (sorts: %(choices)s)"), value=...,
    choices=...)``: an English template and its values, so that the site can show it in
    the reader's language (``web.common.error_text`` translates ``template``) while
    ``str()`` stays the English message (logs, the CLI, SRU diagnostics)."""

    def __init__(self, template: str, **params):
        super().__init__(template % params if params else template)
        self.template = template
        self.params = params


def unknown_choice(name: str, value: str, choices, error=None) -> QueryError:
    """The one error of a value not among those an argument takes (a sort, a facet...),
    as ``error`` (a subclass of QueryError) if given."""
    return (error or QueryError)(N_("unknown %(name)s %(value)s (%(name)s: %(choices)s)"),
                      name=name, value=repr(value[:40]), choices=", ".join(choices))


def out_of_range(name: str, low: int, high: int, error=None) -> QueryError:
    return (error or QueryError)(N_("%(name)s must be between %(low)s and %(high)s"),
                      name=name, low=low, high=high)


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
