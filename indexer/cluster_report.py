"""The merge report: the live generation's clusters explained, and the librarians' decisions.

One data function per view (:func:`report` for every cluster of more than one
member and every near miss, :func:`show` for one cluster), rendered by the
CLI (``sheaf clusters``) and the admin pages alike. Membership is read from the
live generation's cluster store, the evidence from :func:`indexer.cluster_explain.explain`
over the same match keys; ``differs`` marks a cluster whose stored membership
is not what clustering gives now (the index is behind a decision or a record
change: ``sheaf index`` settles it).
"""

from __future__ import annotations

from collections import defaultdict

from harvest.config import Home
from harvest.store import RecordStore

from .cluster_explain import Explanation, explain
from .cluster_store import ClusterStore
from .errors import IndexerError
from .generations import IndexDir


class ClusterNotFound(IndexerError):
    """No cluster or record of the live index has that id."""


def live_clusters(home: Home) -> ClusterStore:
    gen = IndexDir(home.index_path).current()
    if gen is None:
        raise IndexerError("no index yet: run `sheaf index`")
    return ClusterStore(gen.clusters_path)


def _member(rid: str, k) -> dict:
    return {"id": rid, "source": rid.partition(":")[0], "title": k.title
            or k.title_vernacular, "author": k.author, "year": k.year, "format": k.format,
            "edition": k.edition}


def _decisions(store: RecordStore, present) -> list[dict]:
    """Every decision, each with the records it names that no longer exist."""
    out = []
    for o in store.overrides():
        d = o.to_dict()
        d["missing"] = [r for r in o.named if not present(r)]
        out.append(d)
    return out


def decisions(home: Home, store: RecordStore) -> list[dict]:
    """Every decision, with the records it names that the live index no longer has."""
    with live_clusters(home) as clusters:
        return _decisions(store, lambda r: clusters.cluster_of(r) is not None)


def _entry(cid: str, rids: list[str], keys: dict, exp: Explanation, decisions: list[dict],
           stored: list[str]) -> dict:
    named = set(rids)
    return {"id": cid, "members": [_member(r, keys[r]) for r in rids],
            "links": exp.links.get(cid, []), "near_misses": exp.near.get(cid, []),
            "decisions": [d for d in decisions if named & set(d["records"] + d["others"])],
            "differs": stored != rids}


def report(home: Home, store: RecordStore, code: str | None = None) -> dict:
    """Every cluster of more than one member and every cluster with a near miss (only
    those with a member from ``code`` if given), and every decision."""
    with live_clusters(home) as clusters:
        items = clusters.items()
        stored = dict(clusters.clusters())
    keys = dict(items)
    exp = explain(items, store.cluster_decisions())
    decisions = _decisions(store, lambda r: r in keys)
    entries = []
    for cid in sorted(exp.by_cluster):
        rids = exp.members(cid)
        if code is not None and not any(r.startswith(code + ":") for r in rids):
            continue
        if len(rids) > 1 or exp.near.get(cid):
            entries.append(_entry(cid, rids, keys, exp, decisions, stored.get(cid, [])))
    evidence = defaultdict(int)
    for e in entries:
        for link in e["links"]:
            evidence[link["evidence"]] += 1
    return {"records": len(items), "clusters": len(exp.by_cluster),
            "merged": sum(len(e["members"]) > 1 for e in entries),
            "with_near_misses": sum(bool(e["near_misses"]) for e in entries),
            "evidence": dict(sorted(evidence.items())), "source": code,
            "entries": entries, "decisions": decisions}


def show(home: Home, store: RecordStore, ident: str) -> dict:
    """One cluster, named by its id or any member's record id, explained over its region
    (the records its re-clustering reads)."""
    with live_clusters(home) as clusters:
        members = clusters.members(ident)
        if not members:
            cid = clusters.cluster_of(ident)
            if cid is None:
                raise ClusterNotFound(f"no cluster or record {ident!r} in the index")
            members = clusters.members(cid)
        seeds = set(members) | clusters.same_title(
            [k for _r, k in clusters.items(members)])
        items = clusters.items(clusters.region(seeds))
        present = {r for d in store.overrides() for r in d.named
                   if clusters.cluster_of(r) is not None}
    keys = dict(items)
    exp = explain(items, store.cluster_decisions())
    cid = exp.assignment[members[0]]
    rids = exp.members(cid)
    found = _decisions(store, lambda r: r in present)
    return _entry(cid, rids, keys, exp, found, members)
