"""The objects at the discovery boundary: one request in, one result out.

Every rendering (HTML page, JSON API, CLI ``--json``) starts from the same
:class:`SearchResult`; :meth:`SearchResult.to_dict` is the JSON shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import QueryError


@dataclass(frozen=True)
class SearchRequest:
    query: str = ""
    page: int = 1
    limit: int = 20

    def validate(self, max_limit: int, max_depth: int) -> "SearchRequest":
        if self.page < 1:
            raise QueryError("page must be 1 or more")
        if not 1 <= self.limit <= max_limit:
            raise QueryError(f"limit must be between 1 and {max_limit}")
        if self.page * self.limit > max_depth:
            raise QueryError(
                f"page {self.page} is too deep: results are available up to number {max_depth};"
                " narrow the search instead")
        return self


@dataclass(frozen=True)
class Holding:
    source: str
    record_id: str
    name: str = ""

    def to_dict(self) -> dict:
        return {"source": self.source, "record_id": self.record_id, "name": self.name}


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    title_vernacular: str | None
    authors: list[str]
    year: int | None
    languages: list[str]
    holdings: list[Holding]
    score: float = 0.0

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "title_vernacular": self.title_vernacular,
                "authors": self.authors, "year": self.year, "languages": self.languages,
                "holdings": [h.to_dict() for h in self.holdings]}


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    label: str = ""

    def to_dict(self) -> dict:
        return {"value": self.value, "count": self.count, "label": self.label or self.value}


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.limit))

    def to_dict(self) -> dict:
        return {
            "query": self.request.query,
            "total": self.total,
            "page": self.request.page,
            "limit": self.request.limit,
            "results": [h.to_dict() for h in self.hits],
            "facets": {name: [v.to_dict() for v in values]
                       for name, values in self.facets.items()},
        }
