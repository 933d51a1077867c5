"""Request handling shared by the pages and the API: one place turns args into a search."""

from __future__ import annotations

from flask import current_app, request

from discovery.backend import WhooshBackend
from discovery.errors import QueryError
from discovery.results import SearchRequest, SearchResult
from harvest.config import Home


def home() -> Home:
    return current_app.extensions["sheaf.home"]


def backend() -> WhooshBackend:
    return current_app.extensions["sheaf.backend"]


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise QueryError(f"{name} must be a whole number, not {raw[:20]!r}") from None


def search_from_args() -> SearchResult:
    req = SearchRequest(query=request.args.get("q", ""),
                        page=_int_arg("page", 1),
                        limit=_int_arg("limit", int(home().settings["page_size"])))
    return backend().search(req)
