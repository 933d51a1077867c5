"""The ranking rules of the title: optional clauses that only reorder what a query matches.

Each rule adds fixed scores (:class:`discovery.plan.Constant`) over the title
keys the index document carries (:func:`indexer.document.title_keys`), so both
engines rank alike:

* an exact title (the whole title, or the title proper) first:
  :data:`EXACT_TITLE_BOOST`; then a title that starts with the query:
  :data:`TITLE_START_BOOST`. A year typed beside title words names the edition
  (``Poems 1900``: the title ``Poems``);
* a Han query's share of the title: among the titles a run of Han characters
  matches, the one it is the larger part of comes first (``宗仁`` names
  ``李宗仁传`` before ``李宗仁回忆录的研究``). A known-item reader who types part of
  a title types the distinguishing part of a short title more often than a
  small part of a long one. The score is :data:`SHARE_BOOST` times the share,
  query characters over the Han characters of the title proper (the ``#n``
  keys), for titles up to :data:`SHARE_MAX_TIMES` the query's length (a
  smaller share scores nothing); below the exact-title and title-start rules,
  so a whole title still wins. Measured with ``bench/known_items.py`` on the
  tuning sets (LC 80,000-89,999 and the Chinese and Vietnamese samples; with
  and without ``--han-in-245``) before the held-out set.
"""

from __future__ import annotations

import re

from indexer.document import title_match_key
from indexer.segmenters import HAN_CLASS
from indexer.textnorm import HAN_JOINER, close_han_gaps

from . import plan as p
from . import query as q

EXACT_TITLE_BOOST = 12.0
TITLE_START_BOOST = 5.0
SHARE_BOOST = 3.0
SHARE_MAX_TIMES = 6
SHARE_MAX_LENGTH = 80   # keys asked for at most (a longer title gets no share score)
_YEAR = re.compile(r"1[5-9][0-9][0-9]|20[0-9][0-9]")
_HAN_ONLY = re.compile(f"^[{HAN_CLASS}]+$")


def _title_nodes(tree) -> tuple | None:
    """The plain title (or any-field) words of a query, or None where it has other parts."""
    nodes = tree.items if isinstance(tree, q.And) else (tree,)
    if not all(isinstance(n, q.Text) and n.field in (None, "title") and not n.prefix
               for n in nodes):
        return None
    return nodes


def title_boosts(tree) -> list:
    """An exact title match, then a match at the title's start, rank first."""
    nodes = _title_nodes(tree)
    if nodes is None:
        return []
    texts = [" ".join(n.text for n in nodes)]
    # the title beside a year typed to name its edition (Poems 1900: the title Poems)
    undated = [n.text for n in nodes if n.field is not None or not _YEAR.fullmatch(n.text)]
    if 0 < len(undated) < len(nodes):
        texts.append(" ".join(undated))
    boosts = []
    for key in filter(None, map(title_match_key, texts)):
        boosts += [p.Constant(p.Key("title_keys", "=" + key), score=EXACT_TITLE_BOOST),
                   p.Constant(p.Key("title_keys", "^" + key), score=TITLE_START_BOOST)]
    return boosts + share_boosts(nodes)


def share_boosts(nodes) -> list:
    """For a query of Han characters only: the titles it is the larger share of first."""
    text = close_han_gaps("".join(n.text for n in nodes if not n.phrase))
    text = text.replace(HAN_JOINER, "").replace(" ", "")
    if len(nodes) != sum(not n.phrase for n in nodes) or not _HAN_ONLY.match(text):
        return []
    typed = len(text)
    longest = min(typed * SHARE_MAX_TIMES, SHARE_MAX_LENGTH)
    return [p.Constant(p.Key("title_keys", f"#{n}"), score=SHARE_BOOST * typed / n)
            for n in range(typed, longest + 1)]
