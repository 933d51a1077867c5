"""Why records are one cluster, and why look-alikes are not: the merge report's facts.

The explanation is the clustering itself run again with a trace
(:func:`indexer.cluster.cluster_sorted` with ``trace``): every merge it made is
a *link* naming the evidence that made it (an OCLC number, an LCCN, an ISBN,
the exact title/author/year/format key, a title a few edits from another with
the edit distance and the allowance, or a librarian's join), and every merge a
guard refused is a *near miss* naming the guard (year, format, edition, pages,
language ... or a librarian's split). Records that share a title and author but
never met (title evidence needs the same year and format, so a later edition
never becomes a candidate) are near misses too, with the guard that would have
refused them. No rule is repeated here: the words come from the tests that
decide.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .cluster import (ISBN, JOIN, LCCN, OCLC, TITLE, MatchKeys, cluster_sorted,
                      guard_between, id_keys, title_keys)
from .cluster_keys import tolerance, within

EVIDENCE = {OCLC: "OCLC", LCCN: "LCCN", ISBN: "ISBN", TITLE: "title", JOIN: "join"}
GUARDS = {
    "year": "different years", "format": "different formats",
    "edition": "different edition numbers", "title numbers": "different numbers in the title",
    "ISSN": "no ISSN in common", "OCLC number": "different OCLC numbers",
    "LCCN": "different LCCNs", "pages": "page counts more than 2 apart",
    "edition statement": "different edition statements", "language": "different languages",
    "ISBN": "different ISBNs", "unlike": "a shared ISBN but unlike titles or authors",
    "linkage": "a title that does not match every member's",
    "split": "split by a librarian", "": "no year or format to compare titles by",
}
MAX_LOOK_ALIKE = 50       # records under one title and author compared for near misses


@dataclass
class Explanation:
    """Per cluster id: its members, links and near misses (see the module docstring)."""

    assignment: dict[str, str]
    links: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    near: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    by_cluster: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        for r in sorted(self.assignment):
            self.by_cluster[self.assignment[r]].append(r)

    def members(self, cluster_id: str) -> list[str]:
        return self.by_cluster.get(cluster_id, [])


def _describe(level: int, key) -> dict:
    """What a merge's key says: kind, value and, for a fuzzy title, its score."""
    if level == JOIN:
        return {"evidence": "join", "key": "a librarian's join"}
    if level < TITLE:
        return {"evidence": EVIDENCE[level], "key": key[1:]}
    if isinstance(key, tuple):                      # two exact keys a few edits apart
        (y, f, author, t1), (_y, _f, _a, t2) = (k[1:].split("\x1f", 3) for k in key)
        allowed = min(tolerance(t1, author), tolerance(t2, author))
        edits = next(k for k in range(allowed + 1) if within(t1, t2, k))
        kind = "fuzzy pinyin title" if t1.startswith("~") else "fuzzy title"
        return {"evidence": kind,
                "key": f"{t1.lstrip('~')} ~ {t2.lstrip('~')} / {author} / {y} / {f}",
                "score": {"edits": edits, "allowed": allowed}}
    y, f, author, title = key[1:].split("\x1f", 3)
    kind = "pinyin title" if title.startswith("~") else "title"
    return {"evidence": kind, "key": f"{title.lstrip('~')} / {author or '-'} / {y} / {f}"}


def _strongest(k: MatchKeys) -> dict:
    """The evidence two records with identical keys share (the first the rules try)."""
    ids = id_keys(k)
    if ids:
        level = {"o": OCLC, "l": LCCN, "i": ISBN}[ids[0][0]]
        return _describe(level, ids[0])
    titles = title_keys(k)
    return _describe(TITLE, titles[0][0]) if titles else {"evidence": "keys", "key": ""}


def explain(items, decisions=None) -> Explanation:
    """Cluster ``items`` ((record id, MatchKeys)) as a rebuild does, tracing every merge."""
    by_id = dict(items)
    ids = sorted(by_id)
    keys = [by_id[r] for r in ids]
    trace: list = []
    assignment, _blocking, node = cluster_sorted(ids, keys, decisions, trace)
    out = Explanation(assignment)
    first: dict[int, str] = {}
    for rid, n in zip(ids, node):
        if n in first and assignment[rid] == assignment[first[n]]:
            out.links[assignment[rid]].append(
                {"a": first[n], "b": rid, "identical": True, **_strongest(by_id[rid])})
        first.setdefault(n, rid)
    seen = set()
    for joined, a, b, level, key, guard in trace:
        ra, rb = first[a], first[b]
        ca, cb = assignment[ra], assignment[rb]
        if joined:
            out.links[ca].append({"a": ra, "b": rb, **_describe(level, key)})
        elif ca != cb and (ca, cb) not in seen:
            seen.update(((ca, cb), (cb, ca)))
            _near(out, ra, rb, {**_describe(level, key), "guard": guard})
    _look_alikes(out, by_id, decisions, seen)
    return out


def _near(out: Explanation, ra: str, rb: str, what: dict) -> None:
    what = {**what, "why": GUARDS.get(what["guard"], what["guard"])}
    out.near[out.assignment[ra]].append({"record": ra, "other": rb,
                                         "other_cluster": out.assignment[rb], **what})
    out.near[out.assignment[rb]].append({"record": rb, "other": ra,
                                         "other_cluster": out.assignment[ra], **what})


def _look_alikes(out: Explanation, by_id: dict, decisions, seen: set) -> None:
    """Records under one title and author key in different clusters that never met."""
    groups: dict[tuple, list[str]] = defaultdict(list)
    for rid, k in by_id.items():
        for pair in k.pairs():
            groups[pair].append(rid)
    named = decisions.records() if decisions else set()
    for (title, author), rids in sorted(groups.items()):
        if len(rids) > MAX_LOOK_ALIKE:
            continue
        for i, x in enumerate(sorted(rids)):
            for y in sorted(rids)[i + 1:]:
                cx, cy = out.assignment[x], out.assignment[y]
                if cx == cy or (cx, cy) in seen:
                    continue
                seen.update(((cx, cy), (cy, cx)))
                guard = (guard_between([by_id[x]], [by_id[y]], TITLE)
                         or guard_between([by_id[r] for r in out.members(cx)],
                                          [by_id[r] for r in out.members(cy)], TITLE)
                         or ("split" if {x, y} & named else ""))
                _near(out, x, y, {"evidence": "same title", "guard": guard,
                                  "key": f"{title} / {author or '-'}"})
