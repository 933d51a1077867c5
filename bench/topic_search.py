"""Topic search: nDCG@10 for topic queries judged by subject headings.

    python bench/topic_search.py [MARC_FILE ...] [--per-group N] [--seed S]

With no file it uses the LC sets of bench/known_items.py (the 10,000-record
multilingual slice, the 600 Chinese and 92 Vietnamese records), indexed
together. A query is the words of a subject heading's main part (``Insect
pests`` of ``Insect pests -- Biological control -- China``); the records
carrying a heading with that main part are relevant, grade 2 where it is the
record's first subject heading and 1 otherwise. Headings carried by at least
two records of the group's scope are sampled with a fixed seed.

Groups, by the records judged:

* ``eng``: headings of English-language records, searched over the whole
  collection, every record with the heading relevant;
* ``chi`` / ``vie``: headings of Chinese- / Vietnamese-language records (LC's
  English subject headings), searched with the language filter a reader of that
  language sets (language=chi, language=vie), relevant within it: English
  topic words finding Chinese and Vietnamese records;
* ``other``: headings of records in any other language, filtered the same way.

A result is a cluster; it gains the best grade among its holdings. Prints
nDCG@10 and the share of queries with a relevant record first (P@1).
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))
sys.path.insert(0, str(ROOT))

from known_items import DEFAULT_FILES, load  # noqa: E402
from discovery.engines import open_search  # noqa: E402
from discovery.results import Filter, SearchRequest  # noqa: E402
from indexer.analysis import warm_up  # noqa: E402
from indexer.textnorm import fold  # noqa: E402

GROUPS = ("eng", "chi", "vie", "other")
K = 10


def _main_part(heading: str) -> str:
    return " ".join(re.sub(r"[^\w\s'-]", " ", heading.split(" -- ")[0]).split())


def _key(text: str) -> str:
    return fold(text.lower())


def _group(record: dict) -> str:
    language = (record.get("languages") or [""])[0]
    return language if language in ("eng", "chi", "vie") else "other"


def judged(records: dict) -> dict[str, dict[str, int]]:
    """{heading key: {record id: grade}} over every record's subject headings."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for rid, m in records.items():
        for i, heading in enumerate(m.get("subjects") or []):
            key = _key(_main_part(heading))
            if key:
                out[key][rid] = max(out[key].get(rid, 0), 2 if i == 0 else 1)
    return out


def queries(records: dict, judgements: dict, rng: random.Random, per_group: int) -> dict:
    """{group: [(query text, {record id: grade})]}."""
    texts = {}
    for m in records.values():
        for heading in m.get("subjects") or []:
            texts.setdefault(_key(_main_part(heading)), _main_part(heading))
    out = {}
    for group in GROUPS:
        items = []
        for key in sorted(judgements):
            scope = {rid: g for rid, g in judgements[key].items()
                     if group == "eng" or _group(records[rid]) == group}
            if len(scope) >= 2 and any(_group(records[rid]) == group for rid in scope):
                items.append((texts[key], scope))
        rng.shuffle(items)
        out[group] = items[:per_group]
    return out


def ndcg(gains: list[int], ideal: list[int]) -> float:
    def dcg(values):
        return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(values[:K]))
    best = dcg(sorted(ideal, reverse=True))
    return dcg(gains) / best if best else 0.0


def evaluate(home, records: dict, groups: dict) -> None:
    backend = open_search(home)
    print(f"{'group':<8}{'queries':>8}{'nDCG@10':>9}{'P@1':>7}")
    for group, items in groups.items():
        total = first = 0.0
        for text, grades in items:
            filters = () if group == "eng" else (
                (Filter("language", group),) if group != "other" else
                tuple(Filter("language", code, exclude=True) for code in ("eng", "chi", "vie")))
            hits = backend.search(SearchRequest(query=text, limit=K, filters=filters)).hits
            gains = [max([grades.get(m, 0) for m in [h.id, *(x.record_id for x in h.holdings)]])
                     for h in hits]
            total += ndcg(gains, list(grades.values()))
            first += bool(gains and gains[0])
        n = len(items) or 1
        print(f"{group:<8}{len(items):>8}{total / n:>9.3f}{first / n:>7.3f}")
    backend.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--per-group", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20261207)
    args = ap.parse_args()
    files = args.files or DEFAULT_FILES
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        sys.exit(f"no such file: {', '.join(missing)}")
    warm_up(vietnamese=True)
    with tempfile.TemporaryDirectory(prefix="sheaf-topic-") as tmp:
        home, records = load(files, str(Path(tmp) / "home"))
        groups = queries(records, judged(records), random.Random(args.seed), args.per_group)
        evaluate(home, records, groups)


if __name__ == "__main__":
    main()
