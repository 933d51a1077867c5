"""The Whoosh search backend: the one place in discovery that knows Whoosh.

A backend keeps one searcher open and reuses it across requests. Before a
search it checks, at most every ``check_interval`` seconds, whether the
live generation was switched (a rebuild) or updated (an incremental
index run), and reopens or refreshes the searcher then, so running web
workers follow the index without a restart.
"""

from __future__ import annotations

import threading
import time

from whoosh import sorting
from whoosh.collectors import FacetCollector, TopCollector

from harvest.config import Home
from indexer.analysis import warm_up
from indexer.build import Generation, IndexDir
from indexer.errors import IndexerError

from .errors import IndexUnavailable
from .query import parse
from .whoosh_query import QueryCompiler
from .results import FacetValue, Hit, Holding, SearchRequest, SearchResult

FACETS = {"library": "source", "language": "language"}
FACET_LIMIT = 30


class WhooshBackend:
    def __init__(self, home: Home, check_interval: float = 1.0):
        self.home = home
        self.index_dir = IndexDir(home.index_path)
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._generation: Generation | None = None
        self._index = None
        self._searcher = None
        self._compiler: QueryCompiler | None = None
        self._checked = 0.0
        warm_up()

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._searcher = self._index = self._generation = None

    def _current_searcher(self):
        now = time.monotonic()
        if self._searcher is not None and now - self._checked < self.check_interval:
            return self._searcher
        self._checked = now
        try:
            gen = self.index_dir.current()
        except IndexerError as exc:
            raise IndexUnavailable(str(exc)) from None
        if gen is None:
            self._close()
            raise IndexUnavailable("there is no index yet: run `sheaf index`")
        if self._generation is None or gen.path != self._generation.path:
            self._close()
            self._index = gen.open()
            self._searcher = self._index.searcher()
            self._generation = gen
            self._compiler = QueryCompiler(self._index.schema)
        elif not self._searcher.up_to_date():
            self._searcher = self._searcher.refresh()
        return self._searcher

    @property
    def generation(self) -> str | None:
        return self._generation.name if self._generation else None

    def search(self, request: SearchRequest) -> SearchResult:
        settings = self.home.settings
        request.validate(int(settings["max_page_size"]), int(settings["max_results_depth"]))
        tree = parse(request.query)
        with self._lock:
            searcher = self._current_searcher()
            q = self._compiler.compile(tree)
            top = TopCollector(limit=request.page * request.limit, usequality=False)
            facets = {name: sorting.FieldFacet(field, allow_overlap=field == "language")
                      for name, field in FACETS.items()}
            collector = FacetCollector(top, facets)
            searcher.search_with_collector(q, collector)
            results = collector.results()
            total = top.count()
            start = (request.page - 1) * request.limit
            hits = [self._hit(results[i]) for i in range(start, min(len(results.top_n), start + request.limit))]
            groups = {name: results.groups(name) for name in facets}
        return SearchResult(request=request, total=total, hits=hits,
                            facets={name: self._facet_values(name, g) for name, g in groups.items()})

    def _hit(self, doc) -> Hit:
        fields = doc.fields()
        display = fields.get("display", {})
        source = fields["source"]
        src = self.home.sources.get(source)
        return Hit(
            id=fields["id"],
            title=display.get("title", ""),
            title_vernacular=display.get("title_vernacular"),
            authors=list(display.get("authors", [])),
            year=display.get("year"),
            languages=list(display.get("languages", [])),
            holdings=[Holding(source=source, record_id=fields["id"],
                              name=src.name if src else source)],
            score=float(doc.score or 0.0),
        )

    def _facet_values(self, name: str, groups: dict) -> list[FacetValue]:
        counted = sorted(((k, len(v) if isinstance(v, list) else int(v))
                          for k, v in groups.items() if k not in (None, "", b"")),
                         key=lambda kv: (-kv[1], str(kv[0])))[:FACET_LIMIT]
        out = []
        for key, count in counted:
            value = key.decode("utf-8") if isinstance(key, bytes) else str(key)
            label = value
            if name == "library" and value in self.home.sources:
                label = self.home.sources[value].name
            out.append(FacetValue(value=value, count=count, label=label))
        return out
