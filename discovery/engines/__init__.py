"""The engines behind the two interfaces, chosen by ``settings.engine``.

* :func:`open_search`: a :class:`discovery.service.SearchService` over the
  engine's :class:`discovery.engine.SearchEngine`;
* :func:`open_index`: the engine's :class:`indexer.engine.IndexEngine`, for
  :mod:`indexer.build`.

Each engine is a package of its own here (:mod:`.whoosh`, the embedded
default; :mod:`.solr`, SolrCloud); nothing outside it imports the engine's
library or speaks its protocol. An engine is imported only when chosen.
"""

from __future__ import annotations

from harvest.config import Home
from harvest.errors import ConfigError
from indexer.engine import IndexEngine
from indexer.generations import Generation, IndexDir, versions

from ..service import SearchService

ENGINES = ("whoosh", "solr")


def engine_name(home: Home) -> str:
    name = str(home.settings["engine"])
    if name not in ENGINES:
        raise ConfigError(f"unknown engine {name!r} in settings (engines: {', '.join(ENGINES)})")
    return name


def open_index(home: Home) -> IndexEngine:
    if engine_name(home) == "solr":
        from .solr.index import SolrIndex
        return SolrIndex(home.settings)
    from .whoosh.index import WhooshIndex
    return WhooshIndex()


def open_search(home: Home, check_interval: float = 1.0,
                generation: Generation | None = None) -> SearchService:
    """The search service of ``home``'s engine. ``generation``: search that one only (a new
    one before it goes live) instead of following ``CURRENT``."""
    if engine_name(home) == "solr":
        from .solr.search import SolrSearch
        engine = SolrSearch(home, check_interval=check_interval, generation=generation)
    else:
        from .whoosh.search import WhooshSearch
        engine = WhooshSearch(home, check_interval=check_interval, generation=generation)
    return SearchService(home, engine)


def index_dir(home: Home) -> IndexDir:
    """``HOME/index`` as the chosen engine reads it (its versions compared)."""
    return IndexDir(home.index_path, versions(open_index(home).versions()))
