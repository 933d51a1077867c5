"""The search service: the one object callers search through.

It validates a request against the site's limits, parses its query into the
tree every engine compiles (:mod:`discovery.query`), holds the query to its
budget (:mod:`discovery.budget`: size caps, and a deadline the engine
checks) and asks the engine
(:class:`discovery.engine.SearchEngine`) chosen by ``settings.engine``. The
site, the API, the widget, the feeds, the CLI, the probe and the benchmarks
hold a service, never an engine.
"""

from __future__ import annotations

from harvest.config import Home
from indexer.analysis import warm_up

from .budget import Deadline, Limits, check_text, check_tree
from . import preferred
from .engine import Cluster, SearchEngine, ValuesPage
from .query import Node, parse
from .errors import unknown_choice
from .results import Hit, SearchRequest, SearchResult

SUGGEST_KINDS = ("title", "author", "subject")


class SearchService:
    def __init__(self, home: Home, engine: SearchEngine):
        self.home = home
        self.engine = engine
        # the analysers' dictionaries (jieba, OpenCC, pypinyin) now, whatever the engine:
        # loaded by the first search that needs them, they cost that reader half a second
        warm_up()

    @property
    def limits(self) -> Limits:
        return Limits.from_settings(self.home.settings)

    def parse(self, query: str) -> Node:
        """A reader's query as a tree, held to the caps (a QueryTooLarge past one)."""
        limits = self.limits
        check_text(query, limits)
        return parse(query, max_words=limits.words)

    def search(self, request: SearchRequest, deadline: Deadline | None = None) -> SearchResult:
        """``deadline``: the request's, when it does more than this (a record page)."""
        return self.search_tree(request, self.parse(request.query), deadline)

    def search_tree(self, request: SearchRequest, tree: Node,
                    deadline: Deadline | None = None) -> SearchResult:
        """A request whose query was parsed elsewhere (SRU's CQL, :mod:`discovery.cql_tree`)
        into the same tree; ``request.query`` is then only what did-you-mean reads.
        The search stops with SearchTimeout past ``search_deadline`` (or ``deadline``)."""
        settings = self.home.settings
        request.validate(int(settings["max_page_size"]), int(settings["max_results_depth"]))
        if request.prefer and request.prefer not in self.home.sources:
            raise unknown_choice("prefer", request.prefer, tuple(self.home.sources))
        limits = self.limits
        check_tree(tree, limits)
        deadline = deadline or self.deadline()
        if request.prefer:   # one library's records first, by searches every engine answers
            return preferred.search(self.engine, request, tree, deadline=deadline,
                                    limits=limits)
        return self.engine.search(request, tree, deadline=deadline, limits=limits)

    def deadline(self) -> Deadline:
        return Deadline(float(self.home.settings["search_deadline"]))

    def turn(self, deadline: Deadline):
        """The engine's searcher held for a block of several calls under one deadline
        (a record page's): they wait for their turn once, not once each."""
        return self.engine.turn(deadline)

    def count(self, query: str) -> int:
        tree = self.parse(query)
        check_tree(tree, self.limits)
        return self.engine.count(tree)

    def suggest(self, typed: str, kinds: tuple[str, ...] = SUGGEST_KINDS,
                limit: int = 10) -> list[dict]:
        return self.engine.suggest(typed[:200], kinds, limit)

    def similar(self, cluster_id: str, limit: int = 6,
                deadline: Deadline | None = None) -> list[Hit]:
        """``deadline``: the request's, when it does more than this (a record page)."""
        return self.engine.similar(cluster_id, limit, deadline=deadline or self.deadline())

    def cluster(self, any_id: str, deadline: Deadline | None = None) -> Cluster | None:
        return self.engine.cluster(any_id, deadline=deadline or self.deadline())

    def document_count(self) -> int:
        return self.engine.document_count()

    def has_cluster(self, cluster_id: str) -> bool:
        return self.engine.has_cluster(cluster_id)

    def values_page(self, request: SearchRequest, tree: Node, field: str, order: str,
                    offset: int, limit: int, prefix: str = "",
                    own_facet: str | None = None) -> ValuesPage:
        """A page of a values field's values (:mod:`discovery.browse` validates the
        request and holds it to the budget)."""
        return self.engine.values_page(request, tree, field, order, offset, limit, prefix,
                                       own_facet)

    def values_between(self, field: str, low: str, high: str, limit: int) -> list[str]:
        return self.engine.values_between(field, low, high, limit)

    def shelf(self, field: str, start: str, forward: bool, limit: int) -> list[tuple[str, Hit]]:
        return self.engine.shelf(field, start, forward, limit)

    def vernacular_names(self, names: list[str]) -> dict[str, str]:
        return self.engine.vernacular_names(names)

    @property
    def generation(self) -> str | None:
        return self.engine.generation

    def close(self) -> None:
        self.engine.close()
