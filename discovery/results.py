"""The objects at the discovery boundary: one request in, one result out.

Every rendering (HTML page, JSON API, widget, feeds, CLI ``--json``) starts
from the same :class:`SearchResult`; :meth:`SearchResult.to_dict` is the JSON
shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.fields import FACET_NAMES, SORT_NAMES

from .errors import N_, QueryError, out_of_range, unknown_choice

FACETS = FACET_NAMES      # (indexer.fields declares them)
SORTS = SORT_NAMES
UI_LANGUAGES = ("en", "zh", "zh-Hant", "vi")
_YEAR_RANGE = re.compile(r"([0-9]+)?(-([0-9]+)?)?")


@dataclass(frozen=True)
class Filter:
    facet: str
    value: str
    exclude: bool = False

    @classmethod
    def parse(cls, facet: str, value: str) -> "Filter":
        """``language=chi`` selects, ``language=-chi`` excludes."""
        if facet not in FACETS:
            raise unknown_choice("facet", facet, FACETS)
        exclude = value.startswith("-")
        value = value[1:] if exclude else value
        if not value:
            raise QueryError(N_("empty value for facet %(facet)s"), facet=repr(facet))
        if facet == "year" and not _year_range(value):
            raise QueryError(N_("year filter %(value)s must look like 1990-1999, 1990- or"
                                " -1900"), value=repr(value[:40]))
        return cls(facet, value, exclude)

    def to_param(self) -> str:
        return ("-" if self.exclude else "") + self.value


def _year_range(value: str) -> tuple[int | None, int | None] | None:
    """``1990``, ``1990-1999``, ``1990-`` or ``-1900`` in ASCII digits (what the OpenAPI
    document's pattern says; ``int()`` alone would take `` 1990``, ``+1990`` and ``١٩٩٠``)."""
    m = _YEAR_RANGE.fullmatch(value)
    if m is None or not (m.group(1) or m.group(3)):
        return None
    lo = int(m.group(1)) if m.group(1) else None
    hi = int(m.group(3)) if m.group(3) else (lo if not m.group(2) else None)
    return lo, hi


@dataclass(frozen=True)
class SearchRequest:
    query: str = ""
    page: int = 1
    limit: int = 20
    sort: str = "relevance"
    filters: tuple[Filter, ...] = ()
    facets: tuple[str, ...] = FACETS
    facet_limit: int = 30
    facet_search: tuple[str, str] | None = None   # (facet, text): values containing text
    lang: str = "en"
    prefer: str = ""     # a library code: its records first (discovery.preferred)

    def validate(self, max_limit: int, max_depth: int) -> "SearchRequest":
        if self.page < 1:
            raise QueryError(N_("page must be 1 or more"))
        if not 1 <= self.limit <= max_limit:
            raise out_of_range("limit", 1, max_limit)
        if self.page * self.limit > max_depth:
            raise QueryError(N_("page %(page)s is too deep: results are available up to number"
                                " %(depth)s; narrow the search instead"),
                             page=self.page, depth=max_depth)
        if self.sort not in SORTS:
            raise unknown_choice("sort", self.sort, SORTS)
        unknown = [f for f in self.facets if f not in FACETS]
        if unknown:
            raise unknown_choice("facet", unknown[0], FACETS)
        if not 1 <= self.facet_limit <= 1000:
            raise out_of_range("facet_limit", 1, 1000)
        if self.lang not in UI_LANGUAGES:
            raise unknown_choice("lang", self.lang, UI_LANGUAGES)
        return self

    def year_ranges(self, exclude: bool = False) -> list[tuple[int | None, int | None]]:
        return [_year_range(f.value) for f in self.filters
                if f.facet == "year" and f.exclude == exclude]


@dataclass(frozen=True)
class Holding:
    source: str
    record_id: str
    name: str = ""
    call_number: str | None = None
    location: str | None = None

    def to_dict(self) -> dict:
        out = {"source": self.source, "record_id": self.record_id, "name": self.name}
        if self.call_number:
            out["call_number"] = self.call_number
        if self.location:
            out["location"] = self.location
        return out


@dataclass(frozen=True)
class Parallel:
    """One value of a record in its two scripts: the field's own form (romanized where the
    record has an 880) and its linked 880's, each with the spans a query matched in it."""

    text: str
    vernacular: str | None = None
    spans: tuple[tuple[int, int], ...] = ()
    vernacular_spans: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict:
        out: dict = {"text": self.text}
        if self.vernacular:
            out["vernacular"] = self.vernacular
        if self.spans:
            out["highlights"] = [list(s) for s in self.spans]
        if self.vernacular_spans:
            out["vernacular_highlights"] = [list(s) for s in self.vernacular_spans]
        return out


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    title_vernacular: str | None
    authors: list[str]
    year: int | None
    languages: list[str]
    holdings: list[Holding]
    format: str | None = None
    members: list[str] = field(default_factory=list)
    highlights: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    score: float = 0.0
    # what a reader judges a hit by, each value in both scripts: authors, places,
    # publishers, edition, series (:mod:`discovery.vernacular`)
    details: dict[str, list[Parallel]] = field(default_factory=dict)
    # its online copies, access links only ({url, label, kind}; indexer.online)
    links: list[dict] = field(default_factory=list)

    @property
    def libraries(self) -> list[str]:
        return list(dict.fromkeys(h.source for h in self.holdings))

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "title_vernacular": self.title_vernacular,
                "authors": self.authors, "year": self.year, "languages": self.languages,
                "format": self.format,
                "holdings": [h.to_dict() for h in self.holdings],
                "highlights": {k: [list(span) for span in v] for k, v in self.highlights.items()},
                "details": {k: [p.to_dict() for p in v] for k, v in self.details.items()},
                "links": self.links}


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    label: str = ""
    selected: bool = False
    excluded: bool = False

    def to_dict(self) -> dict:
        out = {"value": self.value, "count": self.count, "label": self.label or self.value}
        if self.selected:
            out["selected"] = True
        if self.excluded:
            out["excluded"] = True
        return out


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    year_histogram: list[tuple[int, int, int]] = field(default_factory=list)
    suggestion: str | None = None
    partial: bool = False   # part of the index did not answer (an engine's shard down)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.limit))

    def to_dict(self) -> dict:
        return {
            "query": self.request.query,
            "total": self.total,
            "page": self.request.page,
            "limit": self.request.limit,
            "sort": self.request.sort,
            "filters": [{"facet": f.facet, "value": f.value, "exclude": f.exclude}
                        for f in self.request.filters],
            "results": [h.to_dict() for h in self.hits],
            "facets": {name: [v.to_dict() for v in values]
                       for name, values in self.facets.items()},
            "year_histogram": [{"start": s, "end": e, "count": c}
                               for s, e, c in self.year_histogram],
            "suggestion": self.suggestion,
            "partial": self.partial,
            **({"prefer": self.request.prefer} if self.request.prefer else {}),
        }
