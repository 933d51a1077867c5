"""Measure clustering: pair precision and recall on bench/cluster_set, then speed.

    python bench/cluster_eval.py [--set DIR] [--big MARC_FILE] [--no-scale] [--show N]

Quality: the four libraries' files of the evaluation set are imported with
Sheaf's own importer into a fresh home, every stored record is mapped
(``map_stored``) and keyed (``match_keys``), ``cluster_all`` groups them, and
the groups are compared with ``truth.tsv``: a pair of records is true when both
are the same edition. The set is then clustered again incrementally (three
libraries bulk-loaded into a ClusterStore, the fourth added record by record)
and compared with the batch result.

Speed: the 10,000-record LC slice is imported, mapped and keyed; its keys are
repeated 25 times as other records (ids suffixed, author key marked per copy,
so the copies stay apart) for about 250,000 records, and that corpus four times
over under four libraries for the 1,000,000-record stress case where every
record is in a cluster of four. It prints numbers only; no test asserts them.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harvest.config import Home, Source  # noqa: E402
from harvest.importer import import_files  # noqa: E402
from harvest.store import RecordStore  # noqa: E402
from indexer.analysis import warm_up  # noqa: E402
from indexer.cluster import MatchKeys, cluster_all, match_keys  # noqa: E402
from indexer.cluster_explain import explain  # noqa: E402
from indexer.cluster_store import ClusterStore  # noqa: E402
from indexer.mapping import map_stored  # noqa: E402

SET = ROOT / "bench/cluster_set"
BIG = ROOT.parent / "shared/data/loc-booksall-2016-part01/booksall2016p01_rec080000-089999.mrc"


def pairs(n: int) -> int:
    return n * (n - 1) // 2


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:9.0f} records/s  ({n} in {seconds:.2f} s)"


def import_and_key(files: dict[str, Path], tmp: str) -> tuple[dict[str, MatchKeys], dict, float]:
    """Import each library's file into a fresh store; map and key every record."""
    home = Home.init(tmp)
    for code, path in files.items():
        home.add_source(Source(code=code, name=code, kind="marc", path=str(path)))
    keys, mapped, key_seconds = {}, {}, 0.0
    with RecordStore(home.store_path) as store:
        for code, path in files.items():
            summary = import_files(home, store, code, [str(path)])
            if summary.rejected:
                print(f"  {code}: {len(summary.rejected)} rejected: {summary.rejected[:3]}")
        for rec in store.iter_records(include_deleted=False):
            m = map_stored(rec.data, rec.format, source=rec.source, on_warning=lambda w: None)
            t = time.perf_counter()
            keys[rec.id] = match_keys(m)
            key_seconds += time.perf_counter() - t
            mapped[rec.id] = m
    return keys, mapped, key_seconds


def read_truth(folder: Path) -> dict[str, dict]:
    with open(folder / "truth.tsv", encoding="utf-8", newline="") as f:
        return {row["record_id"]: row for row in csv.DictReader(f, delimiter="\t")}


def score(assignment: dict[str, str], truth: dict[str, dict]) -> dict[str, int]:
    predicted = Counter(assignment.values())
    true = Counter(truth[r]["edition"] for r in assignment)
    both = Counter((assignment[r], truth[r]["edition"]) for r in assignment)
    return {"predicted": sum(pairs(n) for n in predicted.values()),
            "true": sum(pairs(n) for n in true.values()),
            "both": sum(pairs(n) for n in both.values()),
            "clusters": len(predicted), "editions": len(true)}


def explain_errors(assignment: dict[str, str], truth: dict[str, dict], mapped: dict, show: int) -> None:
    """The false merges and the missed pairs, with what each copy lost."""
    by_cluster, by_edition = defaultdict(list), defaultdict(list)
    for r, c in assignment.items():
        by_cluster[c].append(r)
        by_edition[truth[r]["edition"]].append(r)
    wrong = [m for m in by_cluster.values() if len({truth[r]["edition"] for r in m}) > 1]
    split = [m for m in by_edition.values() if len({assignment[r] for r in m}) > 1]
    print(f"  clusters mixing editions: {len(wrong)}; editions split over clusters: {len(split)}")
    for label, groups in (("mixed", wrong), ("split", split)):
        for members in groups[:show]:
            print(f"  {label}:")
            for r in sorted(members):
                m = mapped[r]
                print(f"    {r:20} {truth[r]['edition']:14} cluster={assignment[r]:20}"
                      f" {m.get('year')} {truth[r]['variations']:28} {m.get('title', '')[:50]}")
    lost = Counter()
    for members in split:
        for r in members:
            lost[truth[r]["variations"]] += 1
    if lost:
        print("  variations of records in split editions:", dict(lost.most_common(8)))


def by_evidence(assignment: dict[str, str], truth: dict[str, dict],
                keys: dict[str, MatchKeys]) -> None:
    """Recall of the true pairs that share an id and of those that must meet on title."""
    editions = defaultdict(list)
    for r in assignment:
        editions[truth[r]["edition"]].append(r)
    found, total = Counter(), Counter()
    for members in editions.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                ka, kb = keys[a], keys[b]
                kind = ("shared id" if set(ka.isbns) & set(kb.isbns) or set(ka.lccn) & set(kb.lccn)
                        or set(ka.oclc) & set(kb.oclc) else "no shared id")
                total[kind] += 1
                found[kind] += assignment[a] == assignment[b]
    for kind in sorted(total):
        print(f"  true pairs with {kind}: {total[kind]}, found {found[kind]}"
              f" (recall {found[kind] / total[kind]:.4f})")
    # look-alikes of different editions: the same title and author key, or a shared ISBN
    alike = defaultdict(list)
    for r, k in keys.items():
        for t, a in k.pairs():
            alike[("title", t, a)].append(r)
        for isbn in k.isbns:
            alike[("isbn", isbn)].append(r)
    hard = {tuple(sorted((a, b))) for members in alike.values() for i, a in enumerate(members)
            for b in members[i + 1:] if truth[a]["edition"] != truth[b]["edition"]}
    merged = sum(assignment[a] == assignment[b] for a, b in hard)
    print(f"  look-alike pairs of different editions (same title and author, or ISBN):"
          f" {len(hard)}, merged {merged}")


def quality(folder: Path, show: int) -> None:
    truth = read_truth(folder)
    files = {code: folder / f"{code}.mrc" for code in ("alpha", "beta", "gamma", "delta")}
    with tempfile.TemporaryDirectory(prefix="sheaf-cluster-") as tmp:
        keys, mapped, key_seconds = import_and_key(files, tmp)
        missing = set(truth) - set(keys)
        print(f"imported {len(keys)} records ({len(missing)} of truth.tsv missing)"
              f"; match_keys {key_seconds / len(keys) * 1e6:.0f} us/record")
        t = time.perf_counter()
        assignment = cluster_all(keys.items())
        seconds = time.perf_counter() - t
        s = score(assignment, truth)
        precision = s["both"] / s["predicted"] if s["predicted"] else 1.0
        recall = s["both"] / s["true"] if s["true"] else 1.0
        print(f"cluster_all {seconds:.3f} s: {s['clusters']} clusters for {s['editions']} editions")
        print(f"pairs: true {s['true']}, predicted {s['predicted']}, correct {s['both']}")
        print(f"PAIR PRECISION {precision:.4f}   PAIR RECALL {recall:.4f}")
        by_evidence(assignment, truth, keys)
        explain_errors(assignment, truth, mapped, show)
        t = time.perf_counter()
        traced = explain(keys.items())
        print(f"explain (the merge report: clustering with a trace) {time.perf_counter() - t:.3f}"
              f" s: {sum(map(len, traced.links.values()))} links,"
              f" {sum(map(len, traced.near.values())) // 2} near misses;"
              f" same clusters: {traced.assignment == assignment}")

        with ClusterStore(Path(tmp) / "clusters.sqlite") as store:
            first = {r: k for r, k in keys.items() if not r.startswith("delta:")}
            store.load(first.items())
            t = time.perf_counter()
            rest = sorted(r for r in keys if r.startswith("delta:"))
            for r in rest:
                store.add_or_update(r, keys[r])
            per_op = (time.perf_counter() - t) / len(rest) * 1000
            incremental = {r: c for c, members in store.clusters() for r in members}
        differ = sum(incremental[r] != assignment[r] for r in assignment)
        print(f"incremental: {len(rest)} delta records added one by one, {per_op:.2f} ms each;"
              f" {differ} records clustered differently from cluster_all")


def replicas(keys: list[MatchKeys], copies: int) -> list[MatchKeys]:
    """Other records with the same shape: ids suffixed and the author key marked per copy."""
    out = list(keys)
    for r in range(1, copies):
        tag = f"#{r}"
        for k in keys:
            out.append(replace(
                k, isbns=tuple(v + tag for v in k.isbns), lccn=tuple(v + tag for v in k.lccn),
                oclc=tuple(v + tag for v in k.oclc), author=k.author + tag,
                author_vernacular=k.author_vernacular + tag if k.author_vernacular else "",
                author_pinyin=k.author_pinyin + tag if k.title_pinyin else ""))
    return out


def speed(big: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="sheaf-cluster-") as tmp:
        keys, _mapped, key_seconds = import_and_key({"lc": big}, tmp)
        print(f"10k file: match_keys {rate(len(keys), key_seconds)}")
        t = time.perf_counter()
        assignment = cluster_all(keys.items())
        print(f"cluster_all 10k     {rate(len(keys), time.perf_counter() - t)}"
              f"  -> {len(set(assignment.values()))} clusters")

        base = [keys[r] for r in sorted(keys)]
        corpus = replicas(base, 25)
        items = [(f"lc:{i:07d}", k) for i, k in enumerate(corpus)]
        t = time.perf_counter()
        assignment = cluster_all(items)
        print(f"cluster_all {len(items) // 1000}k   {rate(len(items), time.perf_counter() - t)}"
              f"  -> {len(set(assignment.values()))} clusters")
        with ClusterStore(Path(tmp) / "clusters.sqlite") as store:
            t = time.perf_counter()
            store.load(items, assignment)
            print(f"ClusterStore.load   {rate(len(items), time.perf_counter() - t)}"
                  f"  ({(Path(tmp) / 'clusters.sqlite').stat().st_size / 1e6:.0f} MB)")
            t = time.perf_counter()
            for i, (rid, k) in enumerate(items[:2000:2]):
                store.add_or_update(rid, replace(k, year=(k.year or 0) + 1))
            print(f"add_or_update at {len(items) // 1000}k: "
                  f"{(time.perf_counter() - t) / 1000 * 1000:.2f} ms per changed record")

        stress = [(f"{lib}:{i:07d}", k) for lib in "abcd" for i, k in enumerate(corpus)]
        t = time.perf_counter()
        assignment = cluster_all(stress)
        seconds = time.perf_counter() - t
        sizes = Counter(Counter(assignment.values()).values())
        print(f"cluster_all {len(stress) // 1000}k {rate(len(stress), seconds)}"
              f"  -> cluster sizes {dict(sorted(sizes.items()))}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", default=str(SET),
                    help="folder with the libraries' files and truth.tsv")
    ap.add_argument("--big", default=str(BIG), help="the 10,000-record file for the speed runs")
    ap.add_argument("--no-scale", action="store_true", help="quality only")
    ap.add_argument("--show", type=int, default=5, help="how many wrong groups to print")
    args = ap.parse_args()
    warm_up()
    quality(Path(args.set), args.show)
    if not args.no_scale:
        if Path(args.big).is_file():
            speed(Path(args.big))
        else:
            print(f"no {args.big}: speed runs skipped")


if __name__ == "__main__":
    main()
