"""The merge report and the librarians' decisions: ``sheaf clusters ...``.

``show ID`` and ``report [CODE]`` read the live index (:mod:`indexer.cluster_report`);
``split``, ``join`` and ``undo`` write a decision into the record store
(:mod:`harvest.overrides`) and then bring the index up to date, as a harvest
followed by ``sheaf index`` would, holding the writer lock for both; with
``--no-index`` the next ``sheaf index`` applies the decision.
"""

from __future__ import annotations

import json

from harvest.errors import ConfigError
from harvest.store import RecordStore

from .common import load, writing


def _print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


def _member_line(m: dict) -> str:
    return (f"  {m['id']:<24} {m['title'][:60]} / {m['author'] or '-'} / {m['year'] or '-'}"
            f" / {m['format'] or '-'}" + (f" / edition {m['edition']}" if m["edition"] else ""))


def _link_line(link: dict) -> str:
    score = link.get("score")
    extra = f" ({score['edits']} edits of {score['allowed']} allowed)" if score else ""
    same = " (identical match keys)" if link.get("identical") else ""
    return f"  {link['a']} + {link['b']}: {link['evidence']} {link['key']}{extra}{same}"


def _near_line(near: dict) -> str:
    return (f"  {near['record']} vs {near['other']} (cluster {near['other_cluster']}):"
            f" {near['evidence']} {near['key']}; kept apart: {near['why']}")


def decision_line(d: dict) -> str:
    what = (f"{', '.join(d['records'])} apart from {', '.join(d['others'])}"
            if d["kind"] == "split" else " + ".join(d["records"]))
    state = "active" if d["active"] else d["undone_why"] or "undone"
    line = f"  #{d['id']} {d['kind']} {what} [{state}] {d['created']}"
    if d["reason"]:
        line += f": {d['reason']}"
    if d.get("missing"):
        line += f" (no longer in the index: {', '.join(d['missing'])})"
    return line


def print_entry(e: dict) -> None:
    print(f"cluster {e['id']}: {len(e['members'])} record(s)"
          + (" (the index differs: run `sheaf index`)" if e["differs"] else ""))
    for m in e["members"]:
        print(_member_line(m))
    if e["links"]:
        print(" why they are one cluster:")
        for link in e["links"]:
            print(_link_line(link))
    if e["near_misses"]:
        print(" near misses:")
        for near in e["near_misses"]:
            print(_near_line(near))
    if e["decisions"]:
        print(" decisions:")
        for d in e["decisions"]:
            print(decision_line(d))


def cmd_show(args) -> int:
    from indexer.cluster_report import show

    home = load(args)
    with RecordStore(home.store_path) as store:
        entry = show(home, store, args.id)
    if args.json:
        _print_json(entry)
    else:
        print_entry(entry)
    return 0


def cmd_report(args) -> int:
    from indexer.cluster_report import report

    home = load(args)
    if args.code:
        home.source(args.code)
    with RecordStore(home.store_path) as store:
        data = report(home, store, args.code)
    if args.json:
        _print_json(data)
        return 0
    print(f"{data['records']} records in {data['clusters']} clusters; {data['merged']} of"
          f" more than one record, {data['with_near_misses']} with near misses")
    print("merges by evidence: " + ", ".join(f"{k} {n}" for k, n in data["evidence"].items()))
    for e in data["entries"]:
        print_entry(e)
    if data["decisions"]:
        print("decisions:")
        for d in data["decisions"]:
            print(decision_line(d))
    return 0


def cmd_overrides(args) -> int:
    from indexer.cluster_report import decisions

    home = load(args)
    with RecordStore(home.store_path) as store:
        found = decisions(home, store)
    if args.json:
        _print_json(found)
        return 0
    if not found:
        print("no cluster decisions")
    for d in found:
        print(decision_line(d))
    return 0


def _decide(args, what: str, make) -> int:
    """Write a decision (``make(store, clusters)`` returns it) and update the index."""
    from indexer.cluster_report import live_clusters

    from .indexing import index

    home = load(args)
    with writing(home, args, what), RecordStore(home.store_path) as store:
        with live_clusters(home) as clusters:
            decision = make(store, clusters)
        print(decision_line({**decision.to_dict(), "missing": []}).strip())
        if args.no_index:
            print("the next `sheaf index` applies it")
        else:
            print(index(home, store))
    return 0


def cmd_split(args) -> int:
    def make(store, clusters):
        cid = clusters.cluster_of(args.record)
        if cid is None:
            raise ConfigError(f"no record {args.record!r} in the index")
        others = [r for r in clusters.members(cid) if r != args.record]
        if not others:
            raise ConfigError(f"{args.record} is alone in its cluster already")
        return store.add_override("split", [args.record], others, args.reason or "")
    return _decide(args, f"clusters split {args.record}", make)


def cmd_join(args) -> int:
    if len(set(args.records)) < 2:
        raise ConfigError("join needs two or more record ids")

    def make(store, clusters):
        found = {r: clusters.cluster_of(r) for r in args.records}
        unknown = [r for r, c in found.items() if c is None]
        if unknown:
            raise ConfigError(f"no record {', '.join(unknown)} in the index")
        if len(set(found.values())) == 1:
            raise ConfigError(f"{', '.join(args.records)} are one cluster already")
        return store.add_override("join", args.records, (), args.reason or "")
    return _decide(args, "clusters join", make)


def cmd_undo(args) -> int:
    return _decide(args, f"clusters undo {args.id}",
                   lambda store, _clusters: store.undo_override(args.id))


def add_commands(sub) -> None:
    group = sub.add_parser("clusters", help="the merge report; split and join clusters")
    cmds = group.add_subparsers(dest="clusters_command", required=True, metavar="SUBCOMMAND")
    s = cmds.add_parser("show", help="one cluster: why its records merged, its near misses")
    s.add_argument("id", metavar="ID", help="a cluster id or any member's record id")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_show)
    s = cmds.add_parser("report", help="every merged cluster and near miss explained")
    s.add_argument("code", nargs="?", metavar="CODE", help="one member library (default: all)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_report)
    s = cmds.add_parser("overrides", help="the librarians' splits and joins")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_overrides)
    for name, helptext, func in (
            ("split", "take a record out of its cluster", cmd_split),
            ("join", "make records one cluster", cmd_join),
            ("undo", "undo a split or join (by its number)", cmd_undo)):
        s = cmds.add_parser(name, help=helptext)
        if name == "split":
            s.add_argument("record", metavar="RECORD_ID")
        elif name == "join":
            s.add_argument("records", nargs="+", metavar="RECORD_ID")
        else:
            s.add_argument("id", type=int, metavar="N")
        if name != "undo":
            s.add_argument("--reason", metavar="TEXT", help="why (kept with the decision)")
        s.add_argument("--no-index", action="store_true",
                       help="only record it; the next `sheaf index` applies it")
        s.set_defaults(func=func)
