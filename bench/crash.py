"""A kill -9 campaign: import, incremental index, rebuild, OAI-PMH harvest and
``import --replace`` killed at random moments.

    python bench/crash.py [--trials 55] [--records 1500] [--seed 17] [--marc FILE]
                          [--kinds import,index,rebuild,harvest,replace]

From a slice of LC's records (``bench/data/lc-10000.mrc``, the first ``--records``)
starting homes are made with the CLI: ``old`` (most of the slice imported and
indexed), ``imported`` (the rest imported too, with a tenth of the old records
changed, and not yet indexed) and ``done`` (that indexed); ``replaced`` is ``done``
after a full re-export replaced the source's records (a fifteenth withdrawn, a twelfth
changed again). ``harvested-old`` holds the same old records harvested from a real
OAI-PMH repository (pyoai's server, tests/harvest/pyoai_server.py, on 127.0.0.1,
answering slowly enough that a harvest has many moments to kill) and indexed; then the
repository publishes the rest, and ``harvested`` is the incremental harvest of them.
Each trial copies the home a command starts from, starts the command a user would run
next, ``kill -9``s it after a random part of the time that command takes unkilled, and
checks:

* the store: every record is there once, as it was before the command or as the
  unkilled command leaves it, and nothing that was never imported or harvested;
* the live index, as it is after the kill: it opens and searches, and holds exactly
  the records and clusters of the state before the command or after it;
* recovery: the next ``sheaf import``/``harvest``/``index`` as a user would run them
  complete, after which the store equals the one an unkilled run makes (source, id,
  digest and deletion of every row) and the index equals a clean ``index --rebuild``
  of that store: the same clusters with the same stored fields, record for record, and
  the same totals and facet counts for a query mix (bench/bench_search.py's).

Printed: each trial (command, when it was killed, how far it had got, what was
wrong), then trials, failures, records lost and duplicated, runs that finished before
their kill, and the time. ``--seed`` fixes the moments, so a failure can be run again.
The suite's short version is tests/ops/test_crash_campaign.py (the same Campaign, on a
small slice of the demo, every command killed at chosen moments); a trial here takes
10-50 s of CLI runs. Numbers only; nothing asserts them here.
"""

from __future__ import annotations

import argparse
import contextlib
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "bench" / "data"
SOURCE = "lc"
KINDS = ("import", "index", "rebuild", "harvest", "replace")
OLD_STAMP = "2020-01-01T00:00:00Z"   # the repository's first records; the rest come later


def sheaf(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "cli", "--home", str(home), *args],
                          capture_output=True, text=True, cwd=ROOT, stdin=subprocess.DEVNULL)
    if check and done.returncode != 0:
        raise RuntimeError(f"sheaf {' '.join(args)}: {done.returncode}\n{done.stderr[-2000:]}")
    return done


Runner = Callable[..., subprocess.CompletedProcess]   # sheaf(home, *args, check=...)


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
    for fld in rec.get_fields("245"):
        for i, sub in enumerate(fld.subfields):
            if sub.code == "a":
                fld.subfields[i] = pymarc.Subfield("a", "Revised " + sub.value)
                break
    rec.force_utf8 = True
    return rec.as_marc()


class Files:
    """The slice cut in two: ``old.mrc`` first, then ``new.mrc`` (new records and
    changed versions of a tenth of the old ones); ``replace.mrc`` is the library's full
    re-export after both (a fifteenth of its records withdrawn, a twelfth changed)."""

    def __init__(self, marc: Path, n: int, work: Path):
        recs = records_of(marc, n)
        cut = n * 4 // 5
        old, new = recs[:cut], recs[cut:]
        revised = {i: changed(r) for i, r in enumerate(old) if i % 10 == 0}
        current = [revised.get(i, r) for i, r in enumerate(old)] + new
        new = new + list(revised.values())
        export = [changed(r) if j % 12 == 5 else r
                  for j, r in enumerate(current) if j % 15 != 7]
        self.old, self.new = work / "old.mrc", work / "new.mrc"
        self.replace = work / "replace.mrc"
        self.old.write_bytes(b"".join(old))
        self.new.write_bytes(b"".join(new))
        self.replace.write_bytes(b"".join(export))
        self.counts = (len(old), len(new), len(export))


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


@dataclass
class Command:
    """One command a trial kills: the home it starts from, what an unkilled run leaves
    (store rows, and the index a rebuild of that store makes), the states the live index
    may be in after a kill, and what a user runs next."""
    start: Path
    args: tuple[str, ...]
    live: list[Picture]
    after: Picture
    start_rows: dict
    end_rows: dict
    recovery: list[tuple[str, ...]]
    seconds: float


@dataclass
class Outcome:
    """What one trial found."""
    kind: str
    moment: str
    killed_at: float = 0.0          # seconds after the command's start
    finished: bool = False          # the command was done before the kill
    problems: list[str] = field(default_factory=list)
    lost: int = 0                   # records of the store before the command, gone
    duplicated: int = 0             # records the index holds twice
    recovered: bool = False         # the next run completed


def repository_records(path: Path) -> list[tuple[str, bytes]]:
    """(OAI identifier, MARCXML) for every record of an ISO 2709 file, as a repository
    publishes it."""
    from tests.harvest.oai_support import marcxml_records

    return [(f"oai:lc.example:{control}", xml) for control, xml in marcxml_records(path)]


class Campaign:
    """The starting homes and the unkilled runs, made once; then :meth:`trial`.

    ``run`` runs a CLI command on a home (default: a process of its own, as a user does);
    the suite passes one that runs it in its process, to spare the start-ups, and
    ``after_init`` changes the settings of each home made. ``oai`` is
    (catalog, base URL) of a running repository over ``tests.harvest.oai_support.Catalog``
    that publishes nothing yet; without it there is no harvest to kill."""

    def __init__(self, files: Files, work: Path, queries: list[str], *,
                 kinds: tuple[str, ...] = KINDS, oai=None, run: Runner = sheaf,
                 after_init: Callable[[Path], None] = lambda home: None):
        self.files, self.work, self.queries, self.run = files, work, queries, run
        self.after_init = after_init
        self.commands: dict[str, Command] = {}
        self.moment = ""
        pictures: dict[str, Picture] = {}

        def picture(name: str) -> Picture:
            if name not in pictures:
                pictures[name] = Picture(work / name, queries)
            return pictures[name]

        home = work / "old"
        self._init(home)
        run(home, "source", "add", SOURCE, "--name", "Library of Congress",
            "--marc", str(files.old))
        run(home, "import", "--source", SOURCE, str(files.old))
        run(home, "index")
        imported = ("import", "--source", SOURCE, str(files.new))
        replace = ("import", "--source", SOURCE, "--replace", "--yes", str(files.replace))
        seconds = {"import": self._timed(self._copy(home, work / "imported"), imported),
                   "index": self._timed(self._copy(work / "imported", work / "done"), ("index",)),
                   "rebuild": self._timed(self._copy(work / "done", work / "rebuilt"),
                                          ("index", "--rebuild"))}
        problems = picture("done").differences(picture("rebuilt"))
        if problems:
            raise SystemExit(f"an unkilled update differs from a rebuild: {problems}")
        rows = {name: store_rows(work / name) for name in ("old", "imported")}
        after = picture("rebuilt")   # the campaign's yardstick
        self._add("import", "old", imported, [picture("old")], after, rows["old"],
                  rows["imported"], [imported, ("index",)], seconds)
        self._add("index", "imported", ("index",), [picture("old"), after], after,
                  rows["imported"], rows["imported"], [("index",)], seconds)
        self._add("rebuild", "done", ("index", "--rebuild"), [after], after,
                  rows["imported"], rows["imported"], [("index",)], seconds)
        if "replace" in kinds:
            seconds["replace"] = self._timed(self._copy(work / "done", work / "replaced"),
                                             replace)
            self.run(self._copy(work / "replaced", work / "replaced-rebuilt"),
                     "index", "--rebuild")
            self._add("replace", "done", replace, [after], picture("replaced-rebuilt"),
                      rows["imported"], store_rows(work / "replaced"), [replace, ("index",)],
                      seconds)
        if "harvest" in kinds and oai is not None:
            self._harvests(*oai, seconds, picture)

    def _harvests(self, catalog, url: str, seconds: dict, picture) -> None:
        work, run = self.work, self.run
        for identifier, xml in repository_records(self.files.old):
            catalog.put(identifier, xml, datestamp=OLD_STAMP)
        home = work / "harvested-old"
        self._init(home)
        run(home, "source", "add", SOURCE, "--name", "Library of Congress (OAI-PMH)",
            "--oai", url)
        run(home, "harvest", SOURCE)
        run(home, "index")
        time.sleep(1.1)   # the rest is published after the first harvest's responseDate
        for identifier, xml in repository_records(self.files.new):
            catalog.put(identifier, xml)
        harvest = ("harvest", SOURCE)
        seconds["harvest"] = self._timed(self._copy(home, work / "harvested"), harvest)
        run(self._copy(work / "harvested", work / "harvested-rebuilt"), "index", "--rebuild")
        self._add("harvest", "harvested-old", harvest, [picture("harvested-old")],
                  picture("harvested-rebuilt"), store_rows(home), store_rows(work / "harvested"),
                  [harvest, ("index",)], seconds)

    def _init(self, home: Path) -> None:
        self.run(home, "init")
        self.after_init(home)

    def _add(self, kind, start, args, live, after, start_rows, end_rows, recovery, seconds):
        self.commands[kind] = Command(self.work / start, args, live, after, start_rows,
                                      end_rows, recovery, seconds[kind])

    def _timed(self, home: Path, args: tuple[str, ...]) -> float:
        """Run a command a trial kills, unkilled, and give its time."""
        t = time.perf_counter()
        self.run(home, *args)
        return time.perf_counter() - t

    @staticmethod
    def _copy(src: Path, dst: Path) -> Path:
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.lock", "logs"))
        return dst

    def trial(self, kind: str, delay: float, n: int, written: int = 0,
              generation: bool = False) -> Outcome:
        """Kill ``kind`` after ``delay`` seconds, counted from the moment the store shows
        ``written`` of the command's new record versions (a moment between two of the
        store's batches or pages, which a random moment seldom hits: the writes are a small
        part of an import) or, with ``generation``, from the moment a new index generation
        is being written."""
        cmd = self.commands[kind]
        home = self._copy(cmd.start, self.work / f"trial-{n}")
        try:
            started = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "cli", "--home", str(home),
                                     *cmd.args], cwd=ROOT, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while proc.poll() is None and (self._written(kind, home) < written or
                                           generation and not self._generations(kind, home)):
                time.sleep(0.005)
            try:
                proc.wait(timeout=delay)
                finished = True
                # a busy machine's unkilled run was slower than this one: the next
                # moments are drawn from this run's time
                cmd.seconds = time.perf_counter() - started
            except subprocess.TimeoutExpired:
                finished = False
            proc.send_signal(signal.SIGKILL)
            killed_at = time.perf_counter() - started
            proc.wait()
            self.moment = "finished before the kill" if finished else self._moment(kind, home)
            outcome = Outcome(kind, self.moment, killed_at, finished)
            self._after_kill(cmd, home, outcome)
            self._recover(cmd, home, outcome)
            return outcome
        finally:
            shutil.rmtree(home, ignore_errors=True)

    def _moment(self, kind: str, home: Path) -> str:
        """How far the killed command had got: records written, or generations."""
        from indexer.generations import IndexDir

        if kind in ("import", "harvest", "replace"):
            return f"{self._written(kind, home)} of {self._changes(kind)} records written"
        index = IndexDir(home / "index")
        before = IndexDir(self.commands[kind].start / "index").current().name
        live = index.current().name
        return ("new generation live" if live != before else
                "new generation being written" if self._generations(kind, home) else
                "no new generation yet")

    def _generations(self, kind: str, home: Path) -> int:
        """Generations newer than the live one the command started from, not yet live."""
        from indexer.generations import IndexDir

        index = IndexDir(home / "index")
        before = IndexDir(self.commands[kind].start / "index").current().name
        live = index.current().name
        return len([p for p in index.generations() if p.name > before]) - (live != before)

    def _changes(self, kind: str) -> int:
        cmd = self.commands[kind]
        return sum(1 for i, row in cmd.end_rows.items() if cmd.start_rows.get(i) != row)

    def _written(self, kind: str, home: Path) -> int:
        """Rows the store holds as the unkilled command leaves them, not as they were."""
        cmd = self.commands[kind]
        try:
            rows = store_rows(home)
        except sqlite3.Error:
            return 0        # not there yet
        return sum(1 for i, row in cmd.end_rows.items()
                   if row != cmd.start_rows.get(i) and rows.get(i) == row)

    def _after_kill(self, cmd: Command, home: Path, out: Outcome) -> None:
        rows = store_rows(home)
        for local_id, row in rows.items():
            if row not in (cmd.start_rows.get(local_id), cmd.end_rows.get(local_id)):
                out.problems.append(f"store: {local_id} is neither version")
        lost = set(cmd.start_rows) - set(rows)
        if lost:
            out.lost += len(lost)
            out.problems.append(f"store: {len(lost)} records lost")
        try:
            live = Picture(home, self.queries)
        except Exception as exc:   # the live index must open and search after any kill
            out.problems.append(f"live index after the kill: {type(exc).__name__}: {exc}")
            return
        out.duplicated += live.duplicated
        if all(live.differences(s) for s in cmd.live):
            out.problems.append("live index after the kill is neither the state before nor"
                                " after: " + "; ".join(live.differences(cmd.live[0])))

    def _recover(self, cmd: Command, home: Path, out: Outcome) -> None:
        """What a user runs next: the killed command again, then ``sheaf index``."""
        for args in cmd.recovery:
            done = self.run(home, *args, check=False)
            if done.returncode != 0:
                out.problems.append(f"recovery: sheaf {' '.join(args)} exit {done.returncode}:"
                                    f" {done.stderr.strip()[-300:]}")
                return
        out.recovered = True
        rows = store_rows(home)
        if rows != cmd.end_rows:
            out.lost += len(set(cmd.end_rows) - set(rows))
            out.problems.append("store after recovery differs from an unkilled run's")
        final = Picture(home, self.queries)
        out.lost += len(cmd.after.records - final.records)
        out.duplicated += final.duplicated
        out.problems += [f"after recovery: {p}" for p in final.differences(cmd.after)]


@contextlib.contextmanager
def repository(work: Path, batch: int, delay: float):
    """A real OAI-PMH repository (pyoai's server) over an empty catalog: (catalog, URL)."""
    from tests.harvest.oai_support import Catalog, pyoai_server

    catalog = Catalog(work / "repository.sqlite")
    with pyoai_server(catalog, batch=batch, delay=delay) as (url, _log):
        yield catalog, url


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=55)
    ap.add_argument("--records", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--marc", type=Path, default=DATA / "lc-10000.mrc")
    ap.add_argument("--queries", type=int, default=120)
    ap.add_argument("--page", type=int, default=20, help="records per OAI-PMH page")
    ap.add_argument("--page-delay", type=float, default=0.1,
                    help="seconds the repository takes per page")
    ap.add_argument("--kinds", default=",".join(KINDS),
                    help="the commands to kill, in turn (import,index,rebuild,harvest,replace);"
                         " an import of more than 1,000 records (the store's batch) can be"
                         " killed between batches: --kinds import --records 10000")
    args = ap.parse_args()
    started = time.perf_counter()
    rng = random.Random(args.seed)
    kinds = tuple(k for k in args.kinds.split(",") if k in KINDS) or KINDS
    with tempfile.TemporaryDirectory(prefix="sheaf-crash-") as tmp, \
            repository(Path(tmp), args.page, args.page_delay) as oai:
        work = Path(tmp)
        files = Files(args.marc, args.records, work)
        from bench_search import query_mix
        queries = [q for _g, q in query_mix(files.old, args.queries, seed=args.seed)]
        queries += ["", "Revised"]
        campaign = Campaign(files, work, queries, kinds=kinds, oai=oai)
        print(f"{args.records} records of {args.marc.name}: {files.counts[0]} imported and"
              f" indexed first, then {files.counts[1]} new or changed; a re-export of"
              f" {files.counts[2]}; {len(queries)} searches compared")
        print("unkilled: " + ", ".join(f"{k} {c.seconds:.1f} s"
                                       for k, c in campaign.commands.items()))
        outcomes: list[Outcome] = []
        moments: dict[str, int] = {}
        for n in range(args.trials):
            kind = kinds[n % len(kinds)]
            # a moment of the run; the last tenth is left out, where a loaded machine's
            # run may already have finished (still a trial, counted apart)
            delay = rng.uniform(0, 0.9 * campaign.commands[kind].seconds)
            # every other import and replace is killed once the store shows its first
            # records (a harvest's pages are slow enough for random moments to hit)
            written = 1 if kind in ("import", "replace") and n // len(kinds) % 2 else 0
            t = time.perf_counter()
            outcome = campaign.trial(kind, 0 if written else delay, n, written)
            outcomes.append(outcome)
            bucket = re.sub(r"^(\d+) of (\d+)", lambda m: "none" if m[1] == "0" else
                            "all" if m[1] == m[2] else "some", outcome.moment)
            moments[f"{kind}: {bucket}"] = moments.get(f"{kind}: {bucket}", 0) + 1
            when = "at the first write" if written else f"at {delay:5.2f} s"
            print(f"trial {n + 1:>3} {kind:<8} killed {when} ({outcome.moment};"
                  f" trial {time.perf_counter() - t:4.1f} s):"
                  f" {'; '.join(outcome.problems) or 'ok'}", flush=True)
    took = time.perf_counter() - started
    failures = sum(bool(o.problems) for o in outcomes)
    print(f"trials: {len(outcomes)}  kills: {sum(not o.finished for o in outcomes)}"
          f"  failures: {failures}"
          f"  records lost: {sum(o.lost for o in outcomes)}"
          f"  duplicated: {sum(o.duplicated for o in outcomes)}"
          f"  next run completed: {sum(o.recovered for o in outcomes)}"
          f"  finished before the kill: {sum(o.finished for o in outcomes)}"
          f"  time: {took:.0f} s")
    for kind in kinds:
        mine = [o for o in outcomes if o.kind == kind]
        print(f"  {kind:<8} {len(mine)} trials ({sum(not o.finished for o in mine)} killed),"
              f" {sum(bool(o.problems) for o in mine)} failures,"
              f" {sum(o.lost for o in mine)} lost, {sum(o.duplicated for o in mine)} duplicated,"
              f" next run completed {sum(o.recovered for o in mine)}")
    print("killed when: " + ", ".join(f"{m}: {c}" for m, c in sorted(moments.items())))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
