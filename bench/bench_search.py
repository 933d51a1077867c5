"""Search at scale: build an index of N real LC records and time a realistic query mix.

    python bench/bench_search.py [--records 250000] [--libraries 1] [--queries 300]

The corpus is LC's "Books All 2016" part 1 (250,000 MARC 21 records), which
ships in the pymarc 5.4.0 source distribution; it is fetched with pip into
bench/data/ the first time. ``--libraries 4`` loads the records under four
member libraries (1,000,000 records at 250,000: every work held four times,
a clustering stress test).

Printed: import and build times (records/s), index size, then for the query
mix (title words, author surnames, subject words, Chinese fragments,
Vietnamese titles with and without diacritics) the p50/p95/max latency of a
full search request (five facets and the year histogram, highlighting,
clusters), and the process's memory: its anonymous (private) memory after
the queries, which is what each search worker adds, and its peak (which
includes the build when the build ran in this process; run again without
``--rebuild`` for a search-only figure). The last line, ``RESULT {...}``, has
the same numbers as JSON for ``bench/bench_growth.py``. Numbers only;
nothing asserts them.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from discovery.engines import open_index  # noqa: E402

DATA = ROOT / "bench" / "data"
CORPUS = DATA / "BooksAll.2016.part01.utf8"


def fetch_corpus() -> Path:
    if CORPUS.exists():
        return CORPUS
    DATA.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                    "--disable-pip-version-check", "-q", "-d", str(DATA), "pymarc==5.4.0"],
                   check=True)
    [sdist] = DATA.glob("pymarc-5.4.0.tar.gz")
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("BooksAll.2016.part01.utf8"))
        with tar.extractfile(member) as src, open(CORPUS, "wb") as out:
            while chunk := src.read(1 << 20):
                out.write(chunk)
    return CORPUS


def slice_corpus(n: int) -> Path:
    """The first n records of the corpus as a file of their own (cut at terminators)."""
    path = DATA / f"lc-{n}.mrc"
    if path.exists():
        return path
    count = 0
    with open(CORPUS, "rb") as src, open(path, "wb") as out:
        buf = b""
        while count < n:
            block = src.read(1 << 20)
            if not block:
                break
            buf += block
            parts = buf.split(b"\x1d")
            buf = parts.pop()
            for part in parts:
                if count >= n:
                    break
                out.write(part + b"\x1d")
                count += 1
    return path


RESULT: dict = {}


def build(n: int, libraries: int, procs: int, root: Path = DATA):
    """The home of n records under ``libraries`` libraries, in ``root`` (made once)."""
    from harvest.config import Home, Source
    from harvest.importer import import_files
    from harvest.store import RecordStore
    from indexer import build as index_build

    home_path = root / f"home-{n}x{libraries}"
    fresh = not (home_path / "sheaf.toml").exists()
    home = Home.init(home_path)
    marc = slice_corpus(n)
    if fresh:
        for i in range(libraries):
            home.add_source(Source(code=f"lib{i}", name=f"Library {i}", kind="marc", path=str(marc)))
        home = Home.load(home_path)
        with RecordStore(home.store_path) as store:
            t = time.perf_counter()
            for code in home.sources:
                import_files(home, store, code, [str(marc)])
            took = time.perf_counter() - t
            print(f"import: {n * libraries} records in {took:.1f} s ({n * libraries / took:.0f}/s)")
    with RecordStore(home.store_path) as store:
        if not index_build.IndexDir(home.index_path).current() or "--rebuild" in sys.argv:
            report = index_build.rebuild(home, store, open_index(home), procs=procs, on_warning=lambda m: None)
            print(f"build: {report}")
            RESULT.update(build_seconds=round(report.seconds, 1), clusters=report.clusters,
                          records_per_s=round(report.records / report.seconds))
            print(f"       {report.records / report.seconds:.0f} records/s; map "
                  f"{report.map_seconds:.1f} s, cluster {report.cluster_seconds:.1f} s, "
                  f"commit {report.commit_seconds:.1f} s")
    live = index_build.IndexDir(home.index_path).current().path
    size = sum(p.stat().st_size for p in live.rglob("*") if p.is_file())
    print(f"index size: {size / 2**20:.0f} MiB ({live.name})")
    RESULT.update(records=n * libraries, index_mib=round(size / 2**20))
    return Home.load(home_path), marc


def query_mix(marc: Path, count: int, seed: int = 7) -> list[tuple[str, str]]:
    from harvest.marcfile import read_file
    from indexer.segmenters import HAN_RUN
    from indexer.mapping import map_stored
    from indexer.textnorm import fold, looks_vietnamese

    rng = random.Random(seed)
    groups: dict[str, list[str]] = {"title": [], "author": [], "subject": [], "chinese": [],
                                    "vietnamese": [], "vietnamese-folded": []}
    for i, rec in enumerate(read_file(marc, "marc21", lambda r: None)):
        if i % 7:
            continue
        m = map_stored(rec.data, rec.format, on_warning=lambda w: None)
        words = [w for w in re.findall(r"[^\W\d_]{4,}", m.get("title", "")) if w.isascii()]
        if len(words) >= 2:
            groups["title"].append(" ".join(rng.sample(words, 2)))
        if m.get("authors"):
            surname = re.split(r"[,\s]", m["authors"][0])[0]
            if surname.isalpha():
                groups["author"].append(surname)
        if m.get("subjects"):
            groups["subject"].append(m["subjects"][0].split(" -- ")[0])
        vern = m.get("title_vernacular") or ""
        runs = [r for r in HAN_RUN.findall(vern) if len(r) >= 3]
        if runs:
            run = runs[0]
            start = rng.randrange(0, len(run) - 2)
            groups["chinese"].append(run[start:start + rng.randint(2, 4)])
        if "vie" in m.get("languages", []) and looks_vietnamese(m.get("title", "")):
            text = " ".join(m["title"].split()[:3])
            groups["vietnamese"].append(text)
            groups["vietnamese-folded"].append(fold(text))
    per = max(1, count // len(groups))
    out = []
    for name, items in groups.items():
        rng.shuffle(items)
        out.extend((name, q) for q in items[:per])
    rng.shuffle(out)
    return out


def time_queries(home, queries) -> None:
    from discovery.engines import open_search
    from discovery.results import SearchRequest

    backend = open_search(home)
    t = time.perf_counter()
    backend.search(SearchRequest(query="history"))
    first = (time.perf_counter() - t) * 1000
    print(f"first search (opens the searcher, builds facet arrays): {first:.0f} ms")
    for _group, q in queries[:20]:
        backend.search(SearchRequest(query=q))
    times: dict[str, list[float]] = {}
    totals = []
    for group, q in queries:
        t = time.perf_counter()
        result = backend.search(SearchRequest(query=q))
        times.setdefault(group, []).append((time.perf_counter() - t) * 1000)
        totals.append(result.total)
    every = sorted(x for v in times.values() for x in v)

    def pct(values, p):
        values = sorted(values)
        return values[min(len(values) - 1, int(p / 100 * len(values)))]

    print(f"{'group':<20}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for group, values in sorted(times.items()):
        print(f"{group:<20}{len(values):>8}{pct(values, 50):>9.1f}{pct(values, 95):>9.1f}"
              f"{max(values):>9.1f}")
    print(f"{'all':<20}{len(every):>8}{pct(every, 50):>9.1f}{pct(every, 95):>9.1f}"
          f"{max(every):>9.1f}")
    print(f"median hits per query: {sorted(totals)[len(totals) // 2]}")
    anon = _status_mib("RssAnon")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"memory of this process: {anon:.0f} MiB anonymous after the queries, peak RSS "
          f"{peak:.0f} MiB")
    RESULT.update(first_search_ms=round(first), p50_ms=round(pct(every, 50), 1),
                  p95_ms=round(pct(every, 95), 1), max_ms=round(max(every), 1),
                  anon_mib=round(anon), peak_rss_mib=round(peak),
                  p95_by_group={g: round(pct(v, 95), 1) for g, v in sorted(times.items())})


def _status_mib(name: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(name + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=250_000)
    ap.add_argument("--libraries", type=int, default=1)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--rebuild", action="store_true", help="rebuild even if an index exists")
    args = ap.parse_args()
    fetch_corpus()
    home, marc = build(args.records, args.libraries, args.procs)
    time_queries(home, query_mix(marc, args.queries))
    print("RESULT " + json.dumps(RESULT))


if __name__ == "__main__":
    main()
