"""Vietnamese minimal pairs: does a word typed with diacritics rank its own spelling first?

    python bench/vi_minimal_pairs.py [MARC_FILE ...] [--most N]

With no file it uses the LC sets in ../shared/data (the 92 Vietnamese records
among the 10,000-record multilingual slice). For every word with diacritics
in a Vietnamese title that has a *folded twin* in another Vietnamese title
(the same letters with other diacritics or none: đường / dương, thư / thứ /
thu) in some record, the word alone is the query. The records that have the
word as typed anywhere (title, names, subjects, places ...) are relevant;
those that have only a twin are the twins. Printed:

* ``exact@1``: the first result is relevant;
* ``ordered``: every relevant record ranks above every twin (in the first 100);
* ``twins above``: the mean number of twins ranked above the last relevant record.

It prints numbers only; no test asserts them.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from discovery.engines import open_search  # noqa: E402
from discovery.results import SearchRequest  # noqa: E402
from indexer.analysis import warm_up  # noqa: E402
from indexer.textnorm import fold, looks_vietnamese, normalize, place_tone  # noqa: E402

from known_items import DEFAULT_FILES, load  # noqa: E402

WORD = re.compile(r"[^\W\d_]+")


def pairs(records: dict) -> dict[str, tuple[set[str], set[str]]]:
    """word -> (records that have it, records that have only a folded twin of it)."""
    by_word: dict[str, set[str]] = defaultdict(set)     # in any text of the record
    queries: set[str] = set()                            # words of Vietnamese titles
    for rid, m in records.items():
        text = " ".join(_strings(m))
        for word in WORD.findall(normalize(text).lower()):
            by_word[place_tone(unicodedata.normalize("NFC", word))].add(rid)
        title = m.get("title") or ""
        if "vie" in m.get("languages", []) and looks_vietnamese(title):
            queries.update(place_tone(unicodedata.normalize("NFC", w))
                           for w in WORD.findall(normalize(title).lower()))
    by_fold: dict[str, set[str]] = defaultdict(set)
    for word in by_word:
        by_fold[fold(word)].add(word)
    out = {}
    for word in sorted(queries):
        rids = by_word[word]
        if word.isascii() or len(word) < 2:
            continue
        twins = set().union(*(by_word[w] for w in by_fold[fold(word)] if w != word)) - rids
        if twins:
            out[word] = (rids, twins)
    return out


def _strings(value) -> list[str]:
    """Every string in a mapped record (titles, names, subjects, places, notes ...)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--most", type=int, default=300)
    args = ap.parse_args()
    warm_up(vietnamese=True)
    with tempfile.TemporaryDirectory(prefix="sheaf-pairs-") as tmp:
        home, records = load(args.files or DEFAULT_FILES, str(Path(tmp) / "home"))
        backend = open_search(home)
        found = sorted(pairs(records).items())[:args.most]
        first = ordered = 0
        above = 0.0
        for word, (relevant, twins) in found:
            # a hit is a cluster: relevant if one of its member records is
            hits = [set(h.members) | {h.id} for h in
                    backend.search(SearchRequest(query=word, limit=100)).hits]
            first += bool(hits) and bool(hits[0] & relevant)
            last = max((i for i, h in enumerate(hits) if h & relevant), default=len(hits))
            ahead = sum(1 for h in hits[:last] if h & twins and not h & relevant)
            ordered += ahead == 0 and any(h & relevant for h in hits)
            above += ahead
        backend.close()
    n = len(found) or 1
    print(f"{'queries':>8}{'exact@1':>10}{'ordered':>10}{'twins above':>13}")
    print(f"{len(found):>8}{first / n:>10.3f}{ordered / n:>10.3f}{above / n:>13.2f}")


if __name__ == "__main__":
    main()
