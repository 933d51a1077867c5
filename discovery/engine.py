"""The search interface: what the site, the API, the protocols, the CLI and the benchmarks
search through, whichever engine holds the index.

An engine answers a :class:`~discovery.results.SearchRequest` together with its
parsed query tree (:mod:`discovery.query`) with one
:class:`~discovery.results.SearchResult`; it compiles the tree into its own
queries and never shows them to its callers. Clusters come back as
:class:`Cluster` objects, not as an engine's stored fields. Callers do not
hold an engine directly: :class:`discovery.service.SearchService` validates
and parses requests and asks it, and :func:`discovery.engines.open_search`
builds both as ``settings.engine`` says.

An engine follows the live generation by itself (a rebuild or an update goes
live without a restart), or searches the one generation it was opened on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from indexer.errors import IndexerError
from indexer.generations import Generation, IndexDir
from indexer.suggest import SuggestStore

from .budget import Deadline, Limits, Turns, take_turn
from .compiler import QueryCompiler
from .errors import IndexUnavailable
from .query import Node
from .results import Hit, SearchRequest, SearchResult
from .spelling import Speller


@dataclass(frozen=True)
class Cluster:
    """One work as the index holds it: its id and its display record
    (:func:`indexer.document.document_for`: title, names, holdings, members...)."""
    id: str
    display: dict

    @property
    def members(self) -> list[str]:
        return list(self.display.get("members", []))


@dataclass(frozen=True)
class ValuesPage:
    """One page of a values field's values, each with the clusters that have it:
    ``values`` (value, count) in the order asked, ``total`` how many values there are
    (with the prefix asked, and a count above 0)."""
    values: list[tuple[str, int]]
    total: int


VALUE_ORDERS = ("count", "index")   # most clusters first; the values' own order


class SearchEngine(ABC):
    name: str = ""
    _lock: Turns          # the searcher, which a worker's threads take in turns

    def turn(self, deadline: Deadline):
        """The searcher held for a block of several calls (a record page's), so that they
        queue once: waiting for it counts against ``deadline``, as in each call."""
        return take_turn(self._lock, deadline)

    @property
    @abstractmethod
    def generation(self) -> str | None:
        """The name of the generation searched (None before the first search)."""

    @abstractmethod
    def search(self, request: SearchRequest, tree: Node, deadline: Deadline | None = None,
               limits: Limits | None = None) -> SearchResult:
        """Hits, facets, histogram and did-you-mean for a validated request, stopped with
        :class:`~discovery.budget.SearchTimeout` past ``deadline``; a QueryTooLarge when
        the query's prefixes stand for more than ``limits.prefix_terms`` indexed words."""

    @abstractmethod
    def count(self, tree: Node) -> int:
        """Clusters the query matches, with no filter."""

    @abstractmethod
    def suggest(self, typed: str, kinds: tuple[str, ...], limit: int) -> list[dict]:
        """Autocomplete: titles, authors and subjects starting with what was typed."""

    @abstractmethod
    def similar(self, cluster_id: str, limit: int,
                deadline: Deadline | None = None) -> list[Hit]:
        """Clusters like this one ("more like this"), SearchTimeout past ``deadline``."""

    @abstractmethod
    def cluster(self, any_id: str, deadline: Deadline | None = None) -> Cluster | None:
        """The cluster with this id, or the one holding the member record with this id;
        SearchTimeout when the engine could not be had before ``deadline``."""

    @abstractmethod
    def document_count(self) -> int:
        """Cluster documents in the generation searched."""

    @abstractmethod
    def has_cluster(self, cluster_id: str) -> bool:
        """Whether a cluster has a live document under its own id."""

    @abstractmethod
    def values_page(self, request: SearchRequest, tree: Node, field: str, order: str,
                    offset: int, limit: int, prefix: str = "",
                    own_facet: str | None = None) -> ValuesPage:
        """The values of a values field (:data:`indexer.fields.VALUE_FIELDS`) over the
        clusters the query and the request's filters match (``own_facet``'s filters left
        out, as a facet is counted), from ``offset``: most clusters first (``count``, ties
        in the values' order) or in the values' order (``index``: a browse field's order
        is its headings' alphabetical order), only values starting with ``prefix``."""

    @abstractmethod
    def values_between(self, field: str, low: str, high: str, limit: int) -> list[str]:
        """At most ``limit`` values of a values field from ``low`` to ``high`` (both
        included) that some cluster of the index has, in the values' order."""

    @abstractmethod
    def shelf(self, field: str, start: str, forward: bool, limit: int) -> list[tuple[str, Hit]]:
        """Clusters on a shelf (a shelf-key field) near ``start``, with their values:
        forward, the ``limit`` first at or after it in the shelf's order; else the
        ``limit`` last before it, nearest first."""

    @abstractmethod
    def vernacular_names(self, names: list[str]) -> dict[str, str]:
        """The names (author headings) of ``names`` that the 880s paired with one form in
        another script, with that form (``Yang, Du``: 楊渡), as the author facet labels them."""

    @abstractmethod
    def close(self) -> None:
        """Release searchers, files and connections."""


def searchable(index_dir: IndexDir, pinned: Generation | None = None) -> Generation:
    """The generation an engine searches: ``pinned``, or the live one; IndexUnavailable,
    saying what to do, when there is none that this Sheaf and engine can read."""
    try:
        gen = pinned or index_dir.current()
    except IndexerError as exc:
        raise IndexUnavailable(str(exc)) from None
    if gen is None:
        raise IndexUnavailable("there is no index yet: run `sheaf index`")
    if gen.stale:
        raise IndexUnavailable("the index was built by another version of Sheaf or for another"
                               " engine and must be rebuilt: run `sheaf index --rebuild`")
    return gen


def generation_stores(gen: Generation) -> tuple[SuggestStore | None, Speller]:
    """The generation's autocomplete store (if it has one) and the speller reading it."""
    store = SuggestStore(gen.suggest_path) if gen.suggest_path.exists() else None
    speller = Speller(store.accented, store.starting_with_pinyin,
                      store.spelled) if store else Speller()
    return store, speller


def compiler_for(store: SuggestStore | None) -> QueryCompiler:
    """The query compiler of a generation: its names paired by 880s come from its store."""
    return QueryCompiler(names=store.names_paired if store is not None else None)


def vernacular_forms(store: SuggestStore | None, names: list[str]) -> dict[str, str]:
    """Each name's one form in another script the generation's 880s paired with it
    (:meth:`SearchEngine.vernacular_names`), for the names that have one."""
    if store is None:
        return {}
    found = ((name, store.vernacular_of(name)) for name in dict.fromkeys(names))
    return {name: other for name, other in found if other}
