"""What every engine builds its answers from: a hit out of a display record, facet values
out of counts, the decades of the year histogram. Engine-neutral, so that a result reads
the same whichever engine counted it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from harvest.config import Home
from indexer.name_pairs import without_dates
from indexer.online import access_links

from .highlight import Highlighter
from .labels import facet_label, library_name
from .results import FacetValue, Hit, Holding, Parallel, SearchRequest
from .vernacular import details_of

if TYPE_CHECKING:
    from indexer.suggest import SuggestStore


def hit_of(home: Home, cluster_id: str, display: dict, score: float,
           highlighter: Highlighter, terms) -> Hit:
    """The hit of one cluster, with the spans of its titles and of its result line's
    fields (authors, place, publisher, edition, series) that the query matched."""
    highlights = {}
    for key in ("title", "title_vernacular"):
        spans = highlighter.spans(display.get(key) or "", terms)
        if spans:
            highlights[key] = spans
    details = {name: [Parallel(p.text, p.vernacular, tuple(highlighter.spans(p.text, terms)),
                               tuple(highlighter.spans(p.vernacular or "", terms)))
                      for p in values]
               for name, values in details_of(display).items()}
    return Hit(
        id=cluster_id,
        title=display.get("title", ""),
        title_vernacular=display.get("title_vernacular"),
        authors=list(display.get("authors", [])),
        year=display.get("year"),
        languages=list(display.get("languages", [])),
        format=display.get("format"),
        holdings=[Holding(source=h["source"], record_id=h["record_id"],
                          name=library_name(home, h["source"]),
                          call_number=h.get("call_number"), location=h.get("location"))
                  for h in display.get("holdings", [])],
        members=list(display.get("members", [])),
        highlights=highlights,
        score=float(score),
        details=details,
        links=[dict(e) for e in access_links(display.get("links"))],
    )


CHECK_EVERY = 256   # facet values between two looks at the deadline


def facet_values(home: Home, request: SearchRequest, facet: str,
                 counted: Iterable[tuple[str, int]],
                 names: SuggestStore | None = None,
                 deadline=None) -> list[FacetValue]:
    """A facet's values as shown: ``counted`` is (value, count), most frequent first;
    ``names`` (the generation's :class:`indexer.suggest.SuggestStore`) gives an author's
    name in its own script, which leads the label (楊渡 (Yang, Du)).

    The request's facet search keeps the values whose code or label contains its text;
    a selected or excluded value stays visible with its count, 0 when nothing has it.
    The names whose own-script form contains the text are asked of the store once, and
    only the values kept are looked up one by one (each value's lookup made a search for
    text no value has take 2-4 s over the 50,000 LC records' authors); ``deadline``
    (discovery.budget) is checked every :data:`CHECK_EVERY` values.
    """
    selected = {f.value: f.exclude for f in request.filters if f.facet == facet}
    needle = None
    if request.facet_search and request.facet_search[0] == facet:
        needle = request.facet_search[1].casefold()
    names = names if facet == "author" else None
    by_vernacular = names.names_by_vernacular(needle) if names and needle else set()
    values = []
    for n, (label, count) in enumerate(counted):
        if count == 0 and label not in selected:
            break
        if deadline is not None and n % CHECK_EVERY == CHECK_EVERY - 1:
            deadline.check("facet search")
        shown = facet_label(home, facet, label, request.lang)
        if needle and needle not in label.casefold() and needle not in shown.casefold() \
                and without_dates(label) not in by_vernacular:
            continue
        other = names.vernacular_of(label) if names else None
        shown = f"{other} ({shown})" if other else shown
        if needle and needle not in label.casefold() and needle not in shown.casefold():
            continue   # its 880s disagree on one form, which the label then leaves out
        values.append(FacetValue(value=label, count=int(count), label=shown,
                                 selected=label in selected and not selected[label],
                                 excluded=selected.get(label, False)))
        if len(values) >= request.facet_limit:
            break
    for value, exclude in selected.items():  # a selected value with no hits stays visible
        if all(v.value != value for v in values):
            values.append(FacetValue(value=value, count=0,
                                     label=facet_label(home, facet, value, request.lang),
                                     selected=not exclude, excluded=exclude))
    return values


def decades(year_counts: Iterable[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(first year, last year, clusters) per decade that has any, from (year, clusters)."""
    out: dict[int, int] = {}
    for year, count in year_counts:
        if year > 0 and count:
            out[year // 10 * 10] = out.get(year // 10 * 10, 0) + int(count)
    return [(start, start + 9, out[start]) for start in sorted(out)]
