"""The hostile queries of issue 17, timed through the search service of any Sheaf tree.

    python bench/bench_budget.py --home HOME [--tree PATH]

``--tree`` is the Sheaf checkout whose code searches (default: this one), so the same
home can be timed on main and on a branch. Each query gets at most 60 s (SIGALRM).
Prints one line per query: seconds and the result count or the error. Numbers only.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

QUERIES = {
    "48 two-letter prefixes ORed": " OR ".join(f"{a}{b}*" for a in "abcdefgh" for b in "aeiouy"),
    "64-word OR": " OR ".join(["history", "china", "war", "science", "art", "music", "law",
                               "life"] * 8),
    "the x 249": " ".join(["the"] * 249),
    "1000-char token": "a" * 1000,
    "1000 digits": "7" * 1000,
    "250 common words": " ".join((["the", "of", "and", "in", "a", "to", "history", "new"]
                                  * 32)[:250]),
    "32 words": " ".join(["the", "of", "and", "in", "a", "to", "history", "new"] * 4),
    "16 OR": " OR ".join(["history", "china", "war", "science", "art", "music", "law",
                          "life"] * 2),
    "normal": "history of china",
}


class Alarm(Exception):
    pass


def _ring(*_args):
    raise Alarm("over 60 s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", required=True)
    parser.add_argument("--tree", default=str(ROOT))
    args = parser.parse_args()
    sys.path.insert(0, args.tree)
    from discovery.engines import open_search
    from discovery.results import SearchRequest
    from harvest.config import Home
    service = open_search(Home.load(Path(args.home)))
    signal.signal(signal.SIGALRM, _ring)
    for name, query in QUERIES.items():
        t = time.perf_counter()
        signal.alarm(60)
        try:
            out = f"{service.search(SearchRequest(query=query)).total} results"
        except Exception as exc:   # what the budget says (or the alarm)
            out = f"{type(exc).__name__}: {str(exc)[:90]}"
        signal.alarm(0)
        print(f"{name:30} {time.perf_counter() - t:7.3f} s  {out}", flush=True)


if __name__ == "__main__":
    main()
