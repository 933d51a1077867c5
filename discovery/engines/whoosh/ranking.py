"""The relevance order of a result list, kept by Whoosh's collector itself.

Sheaf ranks matches by score (rounded to 6 places, so that float noise between
segments does not decide), then by the number of holding libraries (among
equals, the widely held work first), then by document number. Whoosh's
``TopCollector`` keeps the best N by raw score alone; re-sorting its N by
Sheaf's order afterwards made the page depend on N: a work tied at the edge of
page 1 could be dropped from a deeper request's heap for one with more
holdings, and then page 2 showed it again while another was never shown. Here
the heap itself compares by Sheaf's order, so every depth cuts the one order.

The collector also keeps the search's deadline (:class:`discovery.budget.Deadline`):
it looks at the clock every :data:`CHECK_EVERY` matches it scores, so a query
matching much of the catalogue stops in time. (Whoosh's own
``TimeLimitCollector`` cannot wrap it: it would bypass the ``FilterCollector``
of the selected facet values, and its SIGALRM is for the main thread only.)
"""

from __future__ import annotations

from heapq import heappush, heapreplace

from whoosh.collectors import TopCollector

PLACES = 6
CHECK_EVERY = 256
# a raw score at or below (a rounded score) - BELOW rounds below it, one at or below
# (a rounded score) + ABOVE rounds to it or below
BELOW = 6 * 10 ** -(PLACES + 1)
ABOVE = 4.9 * 10 ** -(PLACES + 1)


def order_key(score: float, holdings: int, docnum: int) -> tuple:
    """Greater is better."""
    return round(score, PLACES), holdings, -docnum


class RankedCollector(TopCollector):
    def __init__(self, holdings, limit: int, prune: bool = True, deadline=None):
        """``holdings``: holding libraries by document number; ``prune``: let Whoosh skip
        blocks and drop clauses that cannot reach the lowest score kept (else every match
        is scored); ``deadline``: checked every CHECK_EVERY matches."""
        super().__init__(limit=limit, usequality=prune, replace=10 if prune else 0)
        self.holdings = holdings
        self.deadline = deadline
        self.most = int(holdings.max()) if len(holdings) else 0

    def _collect(self, global_docnum, score):
        items = self.items
        self.total += 1
        if self.deadline is not None and not self.total % CHECK_EVERY:
            self.deadline.check("ranking")
        key = order_key(score, int(self.holdings[global_docnum]), global_docnum)
        if len(items) < self.limit:
            heappush(items, (key, score))
        elif key > items[0][0]:
            heapreplace(items, (key, score))
        else:
            return 0
        if len(items) >= self.limit:
            # what a match must score to enter (Whoosh skips blocks that cannot): while
            # a match tied with the lowest kept could still beat it on holdings, a tie is
            # enough; once the lowest has the most holdings any work has, only a better
            # rounded score is (later matches have higher document numbers), and blocks
            # of matches tied with it are skipped as Whoosh skips them
            lowest, held, _ = items[0][0]
            self.minscore = max(0.0, lowest - BELOW) if held < self.most else lowest + ABOVE
        return 0 - score

    def remove(self, global_docnum):   # (Whoosh's, for its own heap layout)
        raise NotImplementedError("RankedCollector does not remove documents")

    def ranked(self) -> list[tuple[int, float]]:
        """(document number, score), best first."""
        return [(-key[2], score) for key, score in sorted(self.items, reverse=True)]
