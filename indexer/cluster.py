"""Clustering: the records of one edition, held by several libraries, as one result.

:func:`match_keys` (:mod:`indexer.cluster_keys`) reduces a mapped record to
what matching reads; :func:`cluster_all` groups many records at once;
:mod:`indexer.cluster_store` keeps the groups current record by record;
:func:`richest` picks a cluster's display record.

Evidence, strongest first:

1. a shared OCLC number, then a shared LCCN, then a shared ISBN-13;
2. the same title key and main-author key (in any script the two records
   share, or as pinyin for Chinese), year and format;
3. title keys a few edits apart (:func:`indexer.cluster_keys.tolerance`),
   with the same author key, year and format.

Guards, "when unsure, keep them apart". Every merge is refused when the two
clusters hold different known years, formats, edition numbers or title
numbers (volumes, parts), or ISSN sets with nothing in common. Weaker
evidence must also pass the stronger checks:

* LCCN evidence: no disjoint OCLC numbers; ISBN evidence: no disjoint OCLC
  numbers or LCCNs (a set or series ISBN on different records), page counts
  within 2 of each other, and titles and authors alike where they share a
  script (:func:`indexer.cluster_keys.look_alike`);
* title evidence: all of that, no disjoint ISBNs, the same language and
  edition statement numbers (unknown counts as a value here: "2nd ed." does
  not meet a record without an edition statement), and complete linkage:
  every member of one cluster matches every member of the other on title and
  author, or shares no script with it, so A~B and B~C do not pull A and C
  together when they are too far apart.

Records are taken in record id order and evidence in the order above, so the
outcome does not depend on the order records arrive in. A record matching two
clusters that conflict with each other joins the first it is compared with
(stronger evidence first, then the lower record id); the two stay apart.
Records whose keys are equal are one cluster from the start (nothing can
keep them apart), unless their keys offer no evidence at all.

Librarians' decisions (:mod:`harvest.overrides`) come last in the rules and
first in force: no merge crosses a split, and a join merges its records past
every guard but a split. For the merge report every merge tried can be traced
with the evidence and the guard that decided it (:mod:`indexer.cluster_explain`).

Cluster ids: the smallest record id among the members (plain string order).
It stays while that record stays; when it leaves, the next smallest member's
id takes over; when two clusters merge, the smaller id survives and the other
disappears. ClusterStore reports every id whose membership changed.

Blocking keeps the work linear: ids, exact titles and title prefixes and
suffixes are dictionary keys, and edit distances are computed only between
distinct titles sharing a block. An id or exact title shared by more than
:data:`MAX_GROUP` records (a bogus number) is not evidence; blocks with more
than :data:`MAX_BLOCK` distinct titles get exact matching only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable, Iterator

from .cluster_display import description_score, richest
from .cluster_keys import (MatchKeys, candidate_keys, comparable, id_keys, look_alike,
                           match_keys, pair_match, title_keys, title_match)

__all__ = ["CLUSTER_VERSION", "MatchKeys", "match_keys", "candidate_keys", "cluster_all",
           "cluster_sorted", "Blocking", "guard_between", "richest", "description_score"]

# Bump when match keys, their stored form or the rules change: a generation's
# clusters.sqlite built with another version needs a rebuild.
CLUSTER_VERSION = 2   # 2: pinyin of Han titles read word by word (indexer.pinyin.han_to_pinyin)

MAX_GROUP = 500           # an id or exact title shared by more records is not evidence
MAX_BLOCK = 200           # blocks with more distinct titles get exact matching only
MAX_LINKAGE = 2500        # member pairs compared for complete linkage; more: keep apart
# Evidence levels, strongest first: an id key's first letter gives its level.
OCLC, LCCN, ISBN, TITLE = range(4)
JOIN = 4                  # not evidence: a librarian's join (harvest.overrides)
_ID_LEVEL = {"o": OCLC, "l": LCCN, "i": ISBN}
_NO_SPLIT: frozenset = frozenset()


# -- clustering ---------------------------------------------------------------

@dataclass(slots=True)
class _Summary:
    """What the guards read of a whole cluster (sets of the members' values)."""

    year: int | None
    format: str
    editions: set
    numbers: set
    languages: set
    pages: set
    issns: set
    isbns: set
    lccn: set
    oclc: set
    members: list
    apart: frozenset        # (split override number, side) of the members, usually empty

    @classmethod
    def of(cls, k: MatchKeys, index: int, apart: frozenset = _NO_SPLIT) -> "_Summary":
        return cls(k.year, k.format, {k.edition}, {k.numbers}, {k.language},
                   set() if k.pages is None else {k.pages}, set(k.issns), set(k.isbns),
                   set(k.lccn), set(k.oclc), [index], apart)

    def absorb(self, o: "_Summary") -> None:
        if self.year is None:
            self.year = o.year
        self.format = self.format or o.format
        self.editions |= o.editions
        self.numbers |= o.numbers
        self.languages |= o.languages
        self.pages |= o.pages
        self.issns |= o.issns
        self.isbns |= o.isbns
        self.lccn |= o.lccn
        self.oclc |= o.oclc
        self.members += o.members
        if o.apart:
            self.apart = self.apart | o.apart


def _disjoint(a: set, b: set) -> bool:
    return bool(a) and bool(b) and a.isdisjoint(b)


def _known_differ(a: set, b: set) -> bool:
    """Two different known values ("" is unknown) among the two clusters' values."""
    return a != b and len((a | b) - {""}) > 1


def _pages_differ(a: set, b: set) -> bool:
    return a != b and any(p * q < 0 or abs(p - q) > 2 for p in a for q in b)


def conflict(a: _Summary, b: _Summary, level: int) -> str:
    """The guard that keeps clusters ``a`` and ``b`` apart when joined on ``level`` evidence
    ("" if none does); the merge report names it (:mod:`indexer.cluster_explain`)."""
    if a.year != b.year and a.year is not None and b.year is not None:
        return "year"
    if a.format != b.format and a.format and b.format:
        return "format"
    if _known_differ(a.editions, b.editions):
        return "edition"
    if _known_differ(a.numbers, b.numbers):
        return "title numbers"
    if _disjoint(a.issns, b.issns):
        return "ISSN"
    if level > OCLC and _disjoint(a.oclc, b.oclc):
        return "OCLC number"
    if level > LCCN and _disjoint(a.lccn, b.lccn):
        return "LCCN"
    if level >= ISBN and _pages_differ(a.pages, b.pages):
        return "pages"
    if level == TITLE:
        if a.editions != b.editions:
            return "edition statement"
        if a.languages != b.languages:
            return "language"
        if _disjoint(a.isbns, b.isbns):
            return "ISBN"
    return ""


def guard_between(x: list[MatchKeys], y: list[MatchKeys], level: int) -> str:
    """The guard keeping two groups of records apart on ``level`` evidence ("" if none):
    the merge report's word for a near miss, from the same test the merges pass."""
    def summed(group: list[MatchKeys]) -> _Summary:
        s = _Summary.of(group[0], 0)
        for k in group[1:]:
            s.absorb(_Summary.of(k, 0))
        return s
    return conflict(summed(x), summed(y), level)


def _split(a: _Summary, b: _Summary) -> bool:
    """A librarian's split puts one side of ``a`` against the other side in ``b``."""
    return any((n, 1 - side) in b.apart for n, side in a.apart)


class _Clusters:
    """Union-find over record positions, each merge guarded by the cluster summaries.

    ``apart``: position -> the sides of librarians' splits it is on (a frozenset). ``trace``: a list
    to which every merge tried between two clusters is appended as (joined, a, b, level,
    key, guard), for the merge report; None (a rebuild) costs one test per merge."""

    def __init__(self, keys: list[MatchKeys], apart: dict[int, frozenset] | None = None,
                 trace: list | None = None):
        self.keys = keys
        self.parent = list(range(len(keys)))
        self.info: dict[int, _Summary] = {}
        self.apart = apart or {}
        self.trace = trace

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def summary(self, root: int) -> _Summary:
        s = self.info.get(root)
        return s if s is not None else _Summary.of(self.keys[root], root,
                                                   self.apart.get(root, _NO_SPLIT))

    def union(self, a: int, b: int, level: int, key=None, forced: bool = False) -> bool:
        """Merge the clusters of records ``a`` and ``b``, which share ``level`` evidence
        (``key``), unless a guard says no; True if they are (now) one cluster. A
        ``forced`` merge (a librarian's join) passes every guard but a split."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        sa, sb = self.summary(ra), self.summary(rb)
        guard = "split" if self.apart and _split(sa, sb) else "" if forced else (
            conflict(sa, sb, level)
            or level == ISBN and not look_alike(self.keys[a], self.keys[b]) and "unlike"
            or level == TITLE and not self._linked(sa, sb) and "linkage" or "")
        if self.trace is not None:
            self.trace.append((not guard, a, b, level, key, guard))
        if guard:
            return False
        if len(sa.members) < len(sb.members):
            ra, rb, sa, sb = rb, ra, sb, sa
        self.parent[rb] = ra
        self.info.pop(rb, None)
        sa.absorb(sb)
        self.info[ra] = sa
        return True

    def _linked(self, sa: _Summary, sb: _Summary) -> bool:
        """Complete linkage: every member of one matches every member of the other, or
        has no title in a script the other has (vernacular only against romanized only)."""
        if len(sa.members) * len(sb.members) > MAX_LINKAGE:
            return False
        keys = self.keys
        return all(title_match(keys[x], keys[y]) or not comparable(keys[x], keys[y])
                   for x in sa.members for y in sb.members)

    def join_group(self, members: list[int], level: int, key: str) -> None:
        """Records sharing one key: each joins the first earlier cluster that accepts it."""
        find = self.find
        if len({find(m) for m in members}) == 1:
            return
        firsts: list[int] = []          # the first group member of each cluster formed here
        for m in members:
            if not any(self.union(f, m, level, key) for f in firsts):
                firsts.append(m)


class Blocking:
    """Records side by side under each key they share (one linear pass).

    ``ids``: id key -> record positions; ``exact``: exact title key ->
    positions; ``blocks``: blocking key -> exact title keys. Each maps a key
    to its first value; ``more_*`` holds the rest, for the few keys shared.
    """

    def __init__(self, keys: list[MatchKeys]):
        self.ids: dict[str, int] = {}
        self.exact: dict[str, int] = {}
        self.blocks: dict[str, str] = {}
        self.more_ids: dict[str, list[int]] = defaultdict(list)
        self.more_exact: dict[str, list[int]] = defaultdict(list)
        self.more_blocks: dict[str, set[str]] = defaultdict(set)
        ids, exact, blocks = self.ids, self.exact, self.blocks
        for i, k in enumerate(keys):
            for key in id_keys(k):
                if ids.setdefault(key, i) != i:
                    self.more_ids[key].append(i)
            for e, _title, block_keys in title_keys(k):
                if exact.setdefault(e, i) != i:
                    self.more_exact[e].append(i)
                for b in block_keys:
                    if blocks.setdefault(b, e) != e:
                        self.more_blocks[b].add(e)

    def id_members(self, key: str) -> list[int]:
        return [self.ids[key], *self.more_ids.get(key, ())]

    def exact_members(self, e: str) -> list[int]:
        return list(dict.fromkeys((self.exact[e], *self.more_exact.get(e, ()))))

    def fuzzy_pairs(self) -> list[tuple[str, str]]:
        """Pairs of exact keys whose titles are within tolerance, compared block by block."""
        found = set()
        for b, more in self.more_blocks.items():
            if len(more) >= MAX_BLOCK:
                continue
            items = sorted((e, e.split("\x1f", 3)) for e in {self.blocks[b], *more})
            for i, (e1, (_y, _f, author, t1)) in enumerate(items):
                for e2, (_y2, _f2, _a2, t2) in items[i + 1:]:
                    if pair_match(t1, author, t2, author):
                        found.add((e1, e2))
        return sorted(found)

    def candidates(self) -> Iterator[tuple[str, int]]:
        """(candidate key, record position) for every id and blocking key of every record
        (a record may come twice under one key)."""
        yield from self.ids.items()
        for key, more in self.more_ids.items():
            for i in more:
                yield key, i
        exact, more_exact = self.exact, self.more_exact
        for b, e in self.blocks.items():
            yield b, exact[e]
        for b, es in self.more_blocks.items():
            for e in es:
                yield b, exact[e]
        for b, e in self.blocks.items():
            if e in more_exact:
                for i in more_exact[e]:
                    yield b, i
        for b, es in self.more_blocks.items():
            for e in es:
                for i in more_exact.get(e, ()):
                    yield b, i


def distinct(keys: list[MatchKeys], own: list[bool] | None = None
             ) -> tuple[list[MatchKeys], list[int]]:
    """The distinct keys (in order of first appearance) and each record's index among them.
    Records marked in ``own`` (named in a librarian's decision) get an index of their own."""
    if own is None:
        first: dict[MatchKeys, int] = {}
        node = [first.setdefault(k, len(first)) for k in keys]
        return list(first), node
    seen: dict = {}
    unique: list[MatchKeys] = []
    node = []
    for i, k in enumerate(keys):
        n = seen.setdefault((k, i) if own[i] else k, len(unique))
        if n == len(unique):
            unique.append(k)
        node.append(n)
    return unique, node


def cluster_sorted(ids: list[str], keys: list[MatchKeys], decisions=None,
                   trace: list | None = None) -> tuple[dict[str, str], Blocking, list[int]]:
    """cluster_all for records in id order. Records with equal keys are clustered as one
    (they cannot conflict), so a catalogue held by four libraries costs little more than
    one; equal keys with no evidence at all (no id, no usable title) stay apart. Also
    returns the Blocking over the distinct keys and each record's index among them.

    ``decisions`` (:class:`harvest.overrides.Decisions`): librarians' splits, which no
    merge crosses, and joins, merged last past every guard but a split; ids they name
    that are not among ``ids`` are left out. ``trace``: see :class:`_Clusters`."""
    named = decisions.records() & set(ids) if decisions else set()
    unique, node = distinct(keys, [rid in named for rid in ids] if named else None)
    at = {rid: node[i] for i, rid in enumerate(ids) if rid in named} if named else {}
    apart: dict[int, set] = defaultdict(set)
    for n, sides in enumerate(decisions.splits if named else ()):
        for side, group in enumerate(sides):
            for rid in group:
                if rid in at:
                    apart[at[rid]].add((n, side))
    clusters = _Clusters(unique, {i: frozenset(s) for i, s in apart.items()}, trace)
    blocking = Blocking(unique)
    shared = [key for key, more in blocking.more_ids.items() if len(more) < MAX_GROUP]
    for key in sorted(shared, key=lambda s: (_ID_LEVEL[s[0]], s)):
        clusters.join_group(blocking.id_members(key), _ID_LEVEL[key[0]], key)
    for e in sorted(e for e, more in blocking.more_exact.items() if len(more) < MAX_GROUP):
        clusters.join_group(blocking.exact_members(e), TITLE, e)
    for e1, e2 in blocking.fuzzy_pairs():
        for x in blocking.exact_members(e1):
            for y in blocking.exact_members(e2):
                clusters.union(x, y, TITLE, (e1, e2))
    for group in decisions.joins if named else ():
        present = [at[rid] for rid in group if rid in at]
        for x in present[1:]:
            clusters.union(present[0], x, JOIN, "join", forced=True)

    alone = set()                          # repeated keys that give nothing to match on
    if len(unique) < len(keys):
        repeated = {u for u, n in Counter(node).items() if n > 1}
        alone = {u for u in repeated if not candidate_keys(unique[u])}
    cluster_id: dict[int, str] = {}
    out = {}
    find = clusters.find
    for rid, u in zip(ids, node):          # ids are sorted: a root's first member is its smallest
        out[rid] = rid if u in alone else cluster_id.setdefault(find(u), rid)
    return out, blocking, node


def cluster_all(items: Iterable[tuple[str, MatchKeys]], decisions=None) -> dict[str, str]:
    """Cluster many records at once: record id -> cluster id (its smallest member id)."""
    by_id = dict(items)
    ids = sorted(by_id)
    return cluster_sorted(ids, [by_id[rid] for rid in ids], decisions)[0]
