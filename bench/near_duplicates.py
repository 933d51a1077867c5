"""Near-duplicates: does a query that names one volume or edition find it among its siblings?

    python bench/near_duplicates.py [MARC_FILE ...] [--seed S] [--show-misses]

With no file it uses the LC sets of bench/known_items.py (the 10,000-record
multilingual slice, the 600 Chinese and 92 Vietnamese records), indexed
together. Sets are built from the records themselves: records whose title
proper (245 $a, folded, without punctuation) is the same. Each record of a
set is a query of one kind:

* ``volume``: siblings differ in 245 $n/$p (a volume or part of a multi-volume
  set: 中国濒危动物红皮书. 鸟类 / 鱼类); query = title proper + $n $p;
* ``volume-han``: the same, from the linked 880 (the Han title proper and part);
* ``edition``: siblings share the whole title (245 $a $b) and differ in 250;
  query = title proper + the edition statement;
* ``year``: siblings share the whole title and edition and differ in year;
  query = title proper + the year.

A query is answered at rank r when the r-th result is the record or one with
the same title proper, part, edition and year (another copy). Prints
success@1 and MRR (over the first 20 results) per kind, with a fixed seed for
the order of queries (and so of any ties in the sample).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import pymarc

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))
sys.path.insert(0, str(ROOT))

from known_items import DEFAULT_FILES, load  # noqa: E402
from discovery.engines import open_search  # noqa: E402
from discovery.results import SearchRequest  # noqa: E402
from indexer.analysis import warm_up  # noqa: E402
from indexer.segmenters import HAN_RUN  # noqa: E402
from indexer.textnorm import fold  # noqa: E402

KINDS = ("volume", "volume-han", "edition", "year")
LIMIT = 20


def _clean(text: str) -> str:
    """Catalogue text as a reader types it: ISBD punctuation out."""
    return " ".join(re.sub(r"[\[\]/:;=,.()\"]", " ", text).split())


def _key(text: str) -> str:
    return re.sub(r"\W+", "", fold(text.lower()))


def _linked(record: pymarc.Record, tag: str) -> pymarc.Field | None:
    for field in record.get_fields("880"):
        if field.get("6", "").startswith(tag):
            return field
    return None


def entries(files: list[Path]) -> list[dict]:
    """One entry per record: its id and the parts that tell siblings apart."""
    out = []
    for n, path in enumerate(files):
        with open(path, "rb") as fh:
            for record in pymarc.MARCReader(fh, to_unicode=True, force_utf8=True):
                if record is None or not record.get_fields("245") or not record["001"]:
                    continue
                t = record["245"]
                han = _linked(record, "245")
                year = (record["008"].data[7:11] if record["008"] else "").strip()
                out.append({
                    "id": f"s{n}:{record['001'].data.strip()}",
                    "a": _clean(t.get("a", "")), "b": _clean(t.get("b", "")),
                    "np": _clean(" ".join(t.get_subfields("n", "p"))),
                    "ed": _clean(record["250"].get("a", "")) if record.get_fields("250") else "",
                    "year": year if year.isdigit() else "",
                    "han_a": _clean(han.get("a", "")) if han else "",
                    "han_np": _clean(" ".join(han.get_subfields("n", "p"))) if han else "",
                })
    return out


def _item(e: dict) -> tuple:
    return _key(e["a"]), _key(e["np"]), _key(e["ed"]), e["year"]


def queries(all_entries: list[dict], rng: random.Random) -> dict[str, list]:
    """{kind: [(query, target entry)]} from sets of records sharing a title proper."""
    sets = defaultdict(list)
    for e in all_entries:
        if _key(e["a"]):
            sets[_key(e["a"])].append(e)
    out: dict[str, list] = defaultdict(list)
    for members in sets.values():
        if len(members) < 2:
            continue
        for e in members:
            others = [o for o in members if _item(o) != _item(e)]
            if not others:
                continue
            if e["np"] and any(_key(o["np"]) != _key(e["np"]) for o in others):
                out["volume"].append((f"{e['a']} {e['np']}", e))
                if e["han_a"] and e["han_np"] and HAN_RUN.search(e["han_a"]):
                    out["volume-han"].append((f"{e['han_a']} {e['han_np']}", e))
                continue
            whole = [o for o in others if _key(o["b"]) == _key(e["b"])
                     and _key(o["np"]) == _key(e["np"])]
            if e["ed"] and any(_key(o["ed"]) != _key(e["ed"]) for o in whole):
                out["edition"].append((f"{e['a']} {e['ed']}", e))
            elif e["year"] and any(_key(o["ed"]) == _key(e["ed"]) and o["year"] != e["year"]
                                   for o in whole):
                out["year"].append((f"{e['a']} {e['year']}", e))
    for items in out.values():
        rng.shuffle(items)
    return {kind: out[kind] for kind in KINDS}


def evaluate(home, by_id: dict, kinds: dict, show_misses: bool) -> dict:
    backend = open_search(home)
    table = {}
    print(f"{'kind':<14}{'queries':>8}{'success@1':>11}{'MRR':>8}")
    for kind, items in kinds.items():
        s1 = rr = 0.0
        for text, target in items:
            hits = backend.search(SearchRequest(query=text, limit=LIMIT)).hits
            rank = next((i for i, h in enumerate(hits, 1)
                         if any(_item(by_id[m]) == _item(target)
                                for m in [h.id, *(x.record_id for x in h.holdings)]
                                if m in by_id)), None)
            if rank:
                s1 += rank == 1
                rr += 1 / rank
            if rank != 1 and show_misses:
                first = by_id.get(hits[0].id) if hits else None
                print(f"  miss [{kind}] {text!r} -> rank {rank}; first: "
                      f"{first and (first['a'], first['np'], first['ed'], first['year'])}")
        n = len(items) or 1
        print(f"{kind:<14}{len(items):>8}{s1 / n:>11.3f}{rr / n:>8.3f}")
        table[kind] = (s1 / n, rr / n)
    backend.close()
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--seed", type=int, default=20261207)
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()
    files = args.files or DEFAULT_FILES
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        sys.exit(f"no such file: {', '.join(missing)}")
    warm_up(vietnamese=True)
    found = entries(files)
    by_id = {e["id"]: e for e in found}
    kinds = queries(found, random.Random(args.seed))
    with tempfile.TemporaryDirectory(prefix="sheaf-near-") as tmp:
        home, _records = load(files, str(Path(tmp) / "home"))
        evaluate(home, by_id, kinds, args.show_misses)


if __name__ == "__main__":
    main()
