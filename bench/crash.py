"""A kill -9 campaign: import, incremental index and rebuild killed at random moments.

    python bench/crash.py [--trials 54] [--records 1500] [--seed 17] [--marc FILE]
                          [--kinds import,index,rebuild]

From a slice of LC's records (``bench/data/lc-10000.mrc``, the first ``--records``)
three starting homes are made with the CLI: ``old`` (most of the slice imported and
indexed), ``imported`` (the rest imported too, with a tenth of the old records
changed, and not yet indexed) and ``done`` (that indexed). Each trial copies one of
them, starts the command a user would run next, ``kill -9``s it after a random part of
the time that command takes unkilled, and checks:

* the store: every record is there once, byte for byte the old or the new version,
  and nothing that was never imported;
* the live index, as it is after the kill: it opens and searches, and holds exactly
  the records and clusters of the state before the command or after it;
* recovery: the next ``sheaf import``/``sheaf index`` as a user would run them
  complete, after which the store equals the one an unkilled run makes (source, id
  and digest of every row) and the index equals a clean ``index --rebuild`` of that
  store: the same clusters with the same stored fields, record for record, and the
  same totals and facet counts for a query mix (bench/bench_search.py's).

Printed: each trial (command, when it was killed, how far it had got, what was
wrong), then trials, failures, runs that finished before their kill, and the time.
``--seed`` fixes the moments, so a failure can be run again. The suite's short version
is tests/ops/test_kill.py (an update and a rebuild killed at chosen moments); a trial
here takes 10-50 s of CLI runs, too long for the suite. Numbers only; nothing asserts
them here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "bench" / "data"
SOURCE = "lc"
KINDS = ("import", "index", "rebuild")


def sheaf(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "cli", "--home", str(home), *args],
                          capture_output=True, text=True, cwd=ROOT, stdin=subprocess.DEVNULL)
    if check and done.returncode != 0:
        raise RuntimeError(f"sheaf {' '.join(args)}: {done.returncode}\n{done.stderr[-2000:]}")
    return done


def records_of(path: Path, n: int) -> list[bytes]:
    out = []
    for chunk in path.read_bytes().split(b"\x1d"):
        if len(out) == n:
            break
        if chunk.strip():
            out.append(chunk + b"\x1d")
    return out


def changed(record: bytes) -> bytes:
    """The same record with its 245 $a revised (a library's correction)."""
    import pymarc

    rec = next(iter(pymarc.MARCReader(record, to_unicode=True, force_utf8=True)))
    for field in rec.get_fields("245"):
        for i, sub in enumerate(field.subfields):
            if sub.code == "a":
                field.subfields[i] = pymarc.Subfield("a", "Revised " + sub.value)
                break
    rec.force_utf8 = True
    return rec.as_marc()


class Files:
    """The slice cut in two: ``old.mrc`` first, then ``new.mrc`` (new records and
    changed versions of a tenth of the old ones)."""

    def __init__(self, marc: Path, n: int, work: Path):
        recs = records_of(marc, n)
        cut = n * 4 // 5
        old, new = recs[:cut], recs[cut:]
        new = new + [changed(r) for r in old[::10]]
        self.old, self.new = work / "old.mrc", work / "new.mrc"
        self.old.write_bytes(b"".join(old))
        self.new.write_bytes(b"".join(new))
        self.counts = (len(old), len(new))


def store_rows(home: Path) -> dict[str, tuple[bytes, int]]:
    """local id -> (digest, deleted) of every row, refusing duplicates."""
    db = sqlite3.connect(f"file:{home / 'store.sqlite'}?mode=ro", uri=True, timeout=30)
    try:
        rows = db.execute("SELECT local_id, digest, deleted FROM records WHERE source=?",
                          (SOURCE,)).fetchall()
    finally:
        db.close()
    out = {}
    for local_id, digest, deleted in rows:
        if local_id in out:
            raise AssertionError(f"store: {local_id} twice")
        out[local_id] = (digest, deleted)
    return out


def file_digests(path: Path) -> dict[str, bytes]:
    from harvest.marcfile import read_file

    return {r.local_id: hashlib.sha1(r.data).digest()
            for r in read_file(path, "marc21", lambda r: None)}


class Picture:
    """An index as comparable data: cluster -> digest of its stored fields (which hold
    its holdings, so every record's place), and for a query mix totals and facets."""

    def __init__(self, home: Path, queries: list[str]):
        from discovery.engines import open_search
        from discovery.engines.whoosh.index import open_index
        from discovery.results import SearchRequest
        from harvest.config import Home
        from indexer.generations import IndexDir

        live = IndexDir(home / "index").current()
        ix = open_index(live.path)
        try:
            with ix.searcher() as s:
                fields = list(s.all_stored_fields())
        finally:
            ix.close()
        self.clusters = {f["id"]: hashlib.sha1(json.dumps(f, sort_keys=True, default=str)
                                               .encode()).hexdigest() for f in fields}
        held = [h["record_id"] for f in fields for h in f["display"]["holdings"]]
        self.records = set(held)
        self.duplicated = len(held) - len(self.records)
        backend = open_search(Home.load(home))
        try:
            self.searches = {}
            for q in queries:
                r = backend.search(SearchRequest(query=q, limit=1))
                facets = {name: sorted((v.value, v.count) for v in values)
                          for name, values in r.facets.items()}
                self.searches[q] = (r.total, facets)
        finally:
            backend.close()

    def differences(self, other: "Picture") -> list[str]:
        out = []
        if self.duplicated:
            out.append(f"{self.duplicated} records in two clusters")
        if self.records != other.records:
            out.append(f"records: {len(self.records - other.records)} extra,"
                       f" {len(other.records - self.records)} missing")
        changed_clusters = [c for c in self.clusters.keys() | other.clusters.keys()
                            if self.clusters.get(c) != other.clusters.get(c)]
        if changed_clusters:
            out.append(f"{len(changed_clusters)} clusters differ, e.g. {changed_clusters[0]}")
        searches = [q for q in self.searches if self.searches[q] != other.searches.get(q)]
        if searches:
            out.append(f"{len(searches)} searches differ, e.g. {searches[0]!r}")
        return out


class Campaign:
    def __init__(self, files: Files, work: Path, queries: list[str]):
        self.files, self.work, self.queries = files, work, queries
        self.old_digests = file_digests(files.old)
        self.new_digests = file_digests(files.new)
        self.homes = {}
        self.seconds = {}
        home = work / "old"
        sheaf(home, "init")
        sheaf(home, "source", "add", SOURCE, "--name", "Library of Congress",
              "--marc", str(files.old))
        sheaf(home, "import", "--source", SOURCE, str(files.old))
        sheaf(home, "index")
        self.homes["import"] = home
        home = self._copy(work / "old", work / "imported")
        self._timed("import", home, "import", "--source", SOURCE, str(files.new))
        self.homes["index"] = home
        home = self._copy(work / "imported", work / "done")
        self._timed("index", home, "index")
        self.homes["rebuild"] = home
        self._timed("rebuild", self._copy(home, work / "rebuilt"), "index", "--rebuild")
        self.before = {"import": Picture(work / "old", queries),
                       "index": Picture(work / "old", queries)}
        self.after = Picture(work / "done", queries)
        self.expected_store = store_rows(work / "done")
        clean = Picture(work / "rebuilt", queries)   # the campaign's yardstick
        problems = self.after.differences(clean)
        if problems:
            raise SystemExit(f"an unkilled update differs from a rebuild: {problems}")
        self.after = clean

    def _timed(self, kind: str, home: Path, *args: str) -> None:
        """Run the command a trial of ``kind`` kills, unkilled, and keep its time."""
        t = time.perf_counter()
        sheaf(home, *args)
        self.seconds[kind] = time.perf_counter() - t

    @staticmethod
    def _copy(src: Path, dst: Path) -> Path:
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.lock", "logs"))
        return dst

    def command(self, kind: str) -> tuple[str, ...]:
        return {"import": ("import", "--source", SOURCE, str(self.files.new)),
                "index": ("index",), "rebuild": ("index", "--rebuild")}[kind]

    def trial(self, kind: str, delay: float, n: int, written: int = 0) -> list[str]:
        """Kill ``kind`` after ``delay`` seconds, or (``written``) as soon as the store
        shows that many of the new records: a moment between two of the store's batches,
        which a random moment seldom hits (the writes are a small part of an import)."""
        home = self._copy(self.homes[kind], self.work / f"trial-{n}")
        try:
            proc = subprocess.Popen([sys.executable, "-m", "cli", "--home", str(home),
                                     *self.command(kind)], cwd=ROOT, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if written:
                while proc.poll() is None and self._written(home) < written:
                    time.sleep(0.005)
            else:
                time.sleep(delay)
            finished = proc.poll() is not None
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            self.moment = "finished before the kill" if finished else self._moment(kind, home)
            problems = self._after_kill(kind, home)
            problems += self._recover(kind, home)
            return (["(finished before the kill)"] if finished else []) + problems
        finally:
            shutil.rmtree(home, ignore_errors=True)

    def _moment(self, kind: str, home: Path) -> str:
        """How far the killed command had got: records written, or generations."""
        from indexer.generations import IndexDir

        if kind == "import":
            return f"{self._written(home)} of {len(self.new_digests)} records written"
        index = IndexDir(home / "index")
        before = IndexDir(self.homes[kind] / "index").current().name
        live = index.current().name
        unfinished = len([p for p in index.generations() if p.name > before]) - (live != before)
        return ("new generation live" if live != before else
                "new generation being written" if unfinished else "no new generation yet")

    def _written(self, home: Path) -> int:
        """New records (or new versions) the store holds."""
        try:
            rows = store_rows(home)
        except sqlite3.Error:
            return 0        # not there yet
        return sum(1 for i, d in self.new_digests.items() if rows.get(i, (None,))[0] == d)

    def _after_kill(self, kind: str, home: Path) -> list[str]:
        problems = []
        rows = store_rows(home)
        for local_id, (digest, _deleted) in rows.items():
            versions = {self.old_digests.get(local_id), self.new_digests.get(local_id)} - {None}
            if digest not in versions:
                problems.append(f"store: {local_id} is neither version")
        lost = set(self.old_digests) - set(rows)
        if lost:
            problems.append(f"store: {len(lost)} old records lost")
        try:
            live = Picture(home, self.queries)
        except Exception as exc:   # the live index must open and search after any kill
            return problems + [f"live index after the kill: {type(exc).__name__}: {exc}"]
        states = [self.after] if kind == "rebuild" else [self.before[kind], self.after]
        if all(live.differences(s) for s in states):
            problems.append("live index after the kill is neither the state before nor after: "
                            + "; ".join(live.differences(states[0])))
        return problems

    def _recover(self, kind: str, home: Path) -> list[str]:
        """What a user runs next: the killed command again, then ``sheaf index``."""
        for args in ([self.command("import")] if kind == "import" else []) + [("index",)]:
            done = sheaf(home, *args, check=False)
            if done.returncode != 0:
                return [f"recovery: sheaf {' '.join(args)} exit {done.returncode}:"
                        f" {done.stderr.strip()[-300:]}"]
        problems = []
        if store_rows(home) != self.expected_store:
            problems.append("store after recovery differs from an unkilled run's")
        problems += [f"after recovery: {p}"
                     for p in Picture(home, self.queries).differences(self.after)]
        return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=54)
    ap.add_argument("--records", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--marc", type=Path, default=DATA / "lc-10000.mrc")
    ap.add_argument("--queries", type=int, default=120)
    ap.add_argument("--kinds", default=",".join(KINDS),
                    help="the commands to kill, in turn (import,index,rebuild); an import of"
                         " more than 1,000 records (the store's batch) can be killed between"
                         " batches: --kinds import --records 10000")
    args = ap.parse_args()
    started = time.perf_counter()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="sheaf-crash-") as tmp:
        work = Path(tmp)
        files = Files(args.marc, args.records, work)
        from bench_search import query_mix
        queries = [q for _g, q in query_mix(files.old, args.queries, seed=args.seed)]
        queries += ["", "Revised"]
        campaign = Campaign(files, work, queries)
        print(f"{args.records} records of {args.marc.name}: {files.counts[0]} imported and"
              f" indexed first, then {files.counts[1]} new or changed;"
              f" {len(queries)} searches compared")
        print("unkilled: " + ", ".join(f"{k} {s:.1f} s" for k, s in campaign.seconds.items()))
        failures = early = 0
        moments: dict[str, int] = {}
        kinds = [k for k in args.kinds.split(",") if k in KINDS] or list(KINDS)
        per_kind = {k: [0, 0] for k in kinds}
        for n in range(args.trials):
            kind = kinds[n % len(kinds)]
            # a moment of the run; the last tenth is left out, where a loaded machine's
            # run may already have finished (still a trial, counted apart)
            delay = rng.uniform(0, 0.9 * campaign.seconds[kind])
            # every other import is killed once the store shows its first records
            written = 1 if kind == "import" and n // len(kinds) % 2 else 0
            t = time.perf_counter()
            problems = campaign.trial(kind, delay, n, written)
            early += problems[:1] == ["(finished before the kill)"]
            real = [p for p in problems if p != "(finished before the kill)"]
            failures += bool(real)
            per_kind[kind][0] += 1
            per_kind[kind][1] += bool(real)
            bucket = re.sub(r"^(\d+) of (\d+)", lambda m: "none" if m[1] == "0" else
                            "all" if m[1] == m[2] else "some", campaign.moment)
            moments[f"{kind}: {bucket}"] = moments.get(f"{kind}: {bucket}", 0) + 1
            real_text = "; ".join(real) or "ok"
            when = "at the first write" if written else f"at {delay:5.2f} s"
            print(f"trial {n + 1:>3} {kind:<8} killed {when} ({campaign.moment};"
                  f" trial {time.perf_counter() - t:4.1f} s): {real_text}", flush=True)
    took = time.perf_counter() - started
    print(f"trials: {args.trials}  failures: {failures}  finished before the kill: {early}"
          f"  time: {took:.0f} s")
    print("by command: " + ", ".join(f"{k} {t} trials {f} failures"
                                     for k, (t, f) in per_kind.items()))
    print("killed when: " + ", ".join(f"{m}: {c}" for m, c in sorted(moments.items())))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
