"""The Whoosh searcher's idf cache, bounded (worker memory flat under a stream of new words)."""

from __future__ import annotations

# (field, word) pairs whose idf a searcher keeps. Whoosh's own cache is a dict that grows
# with every distinct word ever searched for (typed words not in the index too) for as
# long as the searcher lives, which is until the index changes; this one starts again
# when full (an idf is one lookup of a term's document frequency to make again)
IDF_TERMS = 50_000


class IdfCache(dict):
    """Whoosh's searcher idf cache, bounded: emptied when it holds ``size`` terms."""

    def __init__(self, size: int = IDF_TERMS):
        super().__init__()
        self.size = size

    def __setitem__(self, key, value) -> None:
        if len(self) >= self.size:
            self.clear()
        super().__setitem__(key, value)


def bound_idf_cache(searcher, size: int = IDF_TERMS):
    """Give a searcher and its per-segment searchers (which share their parent's cache)
    one :class:`IdfCache`."""
    if not isinstance(searcher._idf_cache, IdfCache):
        cache = IdfCache(size)
        searcher._idf_cache = cache
        for sub, _offset in searcher.subsearchers or ():
            sub._idf_cache = cache
    return searcher
