"""What a harvest tells its caller: progress while it runs, a report at the end, history after.

Plain objects only; the CLI renders them (a progress bar from
:class:`HarvestProgress`, a summary line per source from
:class:`HarvestReport`, the ``sheaf status`` table from :func:`harvest_status`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..config import Home
from ..records import Rejected
from ..runs import HarvestRun
from ..store import RecordStore


@dataclass(frozen=True, slots=True)
class HarvestProgress:
    """Sent to ``progress`` after every committed page."""

    source: str
    pages: int
    records: int
    new: int
    changed: int
    deleted: int
    errors: int
    seconds: float                          # since this invocation started
    fetched: int = 0                        # records read by this invocation
    complete_list_size: int | None = None   # as the server announces it, if it does

    @property
    def rate(self) -> float:
        """Records per second in this invocation."""
        return self.fetched / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        of = f" of {self.complete_list_size}" if self.complete_list_size else ""
        return (f"{self.source}: {self.records} records{of}, {self.pages} pages,"
                f" {self.rate:.0f} records/s (new {self.new}, changed {self.changed},"
                f" deleted {self.deleted}, errors {self.errors})")


@dataclass
class HarvestReport:
    """The outcome of one ``harvest_oai_source`` call (counts cover the whole run,
    including pages committed before an interruption it resumed)."""

    source: str
    status: str                        # "ok", "failed" or "refused" (harvest.guard)
    run_id: int
    started: str
    finished: str | None
    window_from: str | None
    window_until: str | None
    full: bool
    method: str                        # "records" or "identifiers" (ListIdentifiers+GetRecord)
    pages: int = 0
    records: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0
    errors: int = 0
    response_date: str | None = None
    resumed: bool = False
    restarts: int = 0
    retries: int = 0
    seconds: float = 0.0
    messages: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    bad_pages: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @classmethod
    def from_run(cls, run: HarvestRun, **extra) -> "HarvestReport":
        return cls(source=run.source, status=run.status, run_id=run.id, started=run.started,
                   finished=run.finished, window_from=run.window_from,
                   window_until=run.window_until, full=run.full, method=run.method,
                   pages=run.pages, records=run.records, new=run.new, changed=run.changed,
                   unchanged=run.unchanged, deleted=run.deleted, errors=run.errors,
                   response_date=run.response_date, restarts=run.restarts,
                   messages=[m for m in run.messages.splitlines() if m], **extra)

    def as_dict(self) -> dict:
        out = {k: getattr(self, k) for k in (
            "source", "status", "started", "finished", "window_from", "window_until", "full",
            "method", "pages", "records", "new", "changed", "unchanged", "deleted", "errors",
            "response_date", "resumed", "restarts", "retries", "seconds", "messages")}
        out["rejected"] = [str(r) for r in self.rejected]
        out["bad_pages"] = [str(p) for p in self.bad_pages]
        return out

    def __str__(self) -> str:
        head = "ok" if self.ok else self.status.upper()
        return (f"{head}: {self.records} records in {self.pages} pages: new {self.new},"
                f" changed {self.changed}, deleted {self.deleted}, unchanged {self.unchanged},"
                f" errors {self.errors}"
                + (f"; {self.messages[-1]}" if not self.ok and self.messages else "")
                + (f"; {len(self.bad_pages)} bad page(s) kept in bad-pages/"
                   if self.bad_pages else ""))


class BadPageLog:
    """Pages that needed repair or could not be read, kept as received, within bounds.

    ``HOME/bad-pages/<source>-<time>-NNNN.xml`` holds each raw body (its
    first ``keep_bytes``) and ``<source>-<time>.txt`` says for each file
    which URL sent it and what was wrong. A run writes at most ``run_bytes``
    of bodies; past that a bad page is only listed. Nothing is written unless
    a bad page arrives.
    """

    def __init__(self, home: Home, source: str, keep_bytes: int = 1 << 20,
                 run_bytes: int = 64 << 20):
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        self.dir = home.path / "bad-pages"
        self.stem = f"{source}-{stamp}"
        self.paths: list[Path] = []
        self.keep_bytes = keep_bytes
        self.run_bytes = run_bytes
        self.written = 0

    @property
    def index(self) -> Path:
        return self.dir / f"{self.stem}.txt"

    def __call__(self, url: str, raw: bytes, reason: str) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        room = max(0, min(self.keep_bytes, self.run_bytes - self.written))
        kept = raw[:room]
        note = ""
        if len(kept) < len(raw):
            note = (f" [kept the first {len(kept)} of {len(raw)} bytes]" if kept else
                    f" [not kept: the run's {self.run_bytes} bytes of bad pages are used]")
        name = "-"
        if kept:
            path = self._write(kept)
            self.written += len(kept)
            self.paths.append(path)
            name = path.name
        with open(self.index, "a", encoding="utf-8") as log:
            log.write(f"{name}\t{url}\t{reason}{note}\n")

    def _write(self, raw: bytes) -> Path:
        n = len(self.paths)
        while True:
            n += 1
            path = self.dir / f"{self.stem}-{n:04d}.xml"
            try:
                with open(path, "xb") as fh:
                    fh.write(raw)
                return path
            except FileExistsError:
                continue


def harvest_history(store: RecordStore, source: str | None = None,
                    limit: int = 20) -> list[HarvestRun]:
    """Harvest runs, newest first (``sheaf status --history``)."""
    return store.harvest_history(source, limit)


def harvest_status(store: RecordStore, codes) -> dict[str, dict | None]:
    """Per source code: its latest run and its latest successful one (for ``sheaf status``).

    ``{"last": {...run...}, "last_ok": {...run...} or None}``, or None for a
    source never harvested over OAI-PMH.
    """
    out: dict[str, dict | None] = {}
    for code in codes:
        runs = store.harvest_history(code, limit=50)
        if not runs:
            out[code] = None
            continue
        good = next((r for r in runs if r.status == "ok"), None)
        out[code] = {"last": runs[0].as_dict(), "last_ok": good.as_dict() if good else None}
    return out


def describe_run(run: HarvestRun) -> str:
    """One line about a run, for a librarian."""
    when = f"{run.started} - {run.finished or '...'}"
    counts = (f"{run.records} records, {run.pages} pages: new {run.new}, changed {run.changed},"
              f" deleted {run.deleted}, errors {run.errors}")
    since = f"; next harvest from {run.response_date}" if run.status == "ok" and \
        run.response_date else ""
    last = run.messages.strip().splitlines()[-1:] if run.status != "ok" else []
    return f"{run.status} {when}: {counts}{since}" + (f" ({last[0]})" if last else "")
