"""Harvesting one OAI-PMH source into the record store, incrementally and crash-safely.

One call of :func:`harvest_oai_source` is one *run* (a row of the store's
``harvests`` table):

1. If the source's last run was interrupted (killed, or failed after some
   pages), it is resumed at its saved resumptionToken; otherwise a new run
   starts, its window beginning at the responseDate of the last successful
   open-ended harvest (``full`` starts from the beginning).
2. Identify gives the granularity the window is trimmed to and the
   deletedRecord policy.
3. ListRecords pages (or, for servers whose ListRecords is broken,
   ListIdentifiers pages plus GetRecord) are written page by page: each
   page's records and the token of the next request are one transaction.
   ``noRecordsMatch`` means nothing new; ``badResumptionToken`` restarts the
   window once.
4. Optionally, a ListIdentifiers sweep marks records the server no longer
   lists as deleted (for servers that keep no deletions).

Deletions are guarded (:mod:`harvest.guard`) both ways they arrive: a sweep
that would delete too much deletes nothing, and deleted headers that add up,
over the pages of one run, to more than ``delete_guard_share`` of the records
the source had when the run began stop the run before the page that crosses
the line is written. That run is ``refused`` and keeps its resumptionToken, so
the next run (with ``--allow-deletions`` once a librarian has confirmed)
resumes at that page.

Failures end the run as ``failed`` with the reason; the report says so and
the next run resumes where this one stopped.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Callable, Iterator

from ..config import Home, Source
from ..errors import ConfigError, HarvestError
from ..guard import DeletionRefused, check_deletions
from ..importer import RejectLog
from ..records import ImportSummary, RawRecord, Rejected
from ..runs import HarvestRun
from ..store import RecordStore
from ..xml_guard import refusal
from .client import HttpTransport, OaiClient, RetryPolicy
from .errors import (BadDate, BadPage, BadResumptionToken, BadVerb, CannotDisseminateFormat,
                     HarvestBusy, IdDoesNotExist, NoRecordsMatch, ServerUnavailable)
from .protocol import SECONDS, Identify, Page, Record, datestamp
from .report import BadPageLog, HarvestProgress, HarvestReport

MARC_PREFIXES = frozenset({"marc21", "marcxml", "marc", "usmarc", "marc21_slim", "marcxml_slim"})


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def stored_format(prefix: str) -> str:
    """The store's format name for records of a metadataPrefix."""
    return "marcxml" if prefix.lower() in MARC_PREFIXES else prefix


@contextmanager
def source_lock(home: Home, code: str) -> Iterator[None]:
    """One harvest per source at a time; the lock dies with its process (kill -9 too)."""
    path = home.path / "locks" / f"harvest-{code}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+", encoding="ascii")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            pid = fh.read().strip()
            raise HarvestBusy(f"a harvest of {code} is already running"
                              + (f" (pid {pid})" if pid else "")) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield
    finally:
        fh.close()


def harvest_oai_source(home: Home, store: RecordStore, source: Source, *, full: bool = False,
                       from_: str | None = None, until: str | None = None,
                       progress: Callable[[HarvestProgress], None] | None = None,
                       on_reject: Callable[[Rejected], None] | None = None,
                       sweep_deletions: bool | None = None,
                       client: OaiClient | None = None,
                       allow_deletions: bool = False) -> HarvestReport:
    """Harvest one ``oai`` source; see the module docstring.

    ``from_``/``until`` (``YYYY-MM-DD`` or ``YYYY-MM-DDThh:mm:ssZ``) select a
    window; ``full`` ignores the last harvest. ``sweep_deletions`` forces
    (True) or forbids (False) the deletion sweep; by default it follows the
    source's ``sweep_deletions`` setting and runs when the server does not
    keep deletions persistently. Raises :class:`HarvestBusy` if the source is
    being harvested, ConfigError/BadDate for bad arguments; a harvest that
    starts and fails returns a report with status ``failed``, and one whose
    sweep would delete more than ``delete_guard_share`` of the source's
    records (unless ``allow_deletions``) one with status ``refused``.
    """
    if source.kind != "oai":
        raise ConfigError(f"source {source.code!r} is not an OAI-PMH source")
    for name, value in (("from", from_), ("until", until)):
        if value is not None:
            try:
                datestamp(value)
            except ValueError:
                raise BadDate(f"--{name} {value!r} is not a date (use YYYY-MM-DD or"
                              " YYYY-MM-DDThh:mm:ssZ)") from None
    settings = home.settings
    bad_pages = BadPageLog(home, source.code, keep_bytes=int(settings["bad_page_keep_kb"]) << 10,
                           run_bytes=int(settings["bad_pages_run_mb"]) << 20)
    if client is None:
        transport = HttpTransport(max_bytes=int(settings["harvest_max_page_mb"]) << 20)
        client = OaiClient(source.url, RetryPolicy.for_source(source), transport=transport)
    if client.on_bad_page is None:
        client.on_bad_page = bad_pages
    with source_lock(home, source.code):
        job = _Harvest(home, store, source, client, progress, on_reject)
        job.allow_deletions = allow_deletions
        report = job.run(full, from_, until, sweep_deletions)
    report.bad_pages = bad_pages.paths
    return report


class _Harvest:
    def __init__(self, home, store, source, client, progress, on_reject):
        self.home = home
        self.store: RecordStore = store
        self.source: Source = source
        self.client: OaiClient = client
        self.progress = progress
        self.on_reject = on_reject
        self.rejects = RejectLog(home, source.code)
        self.rejected: list[Rejected] = []
        self.identify: Identify | None = None
        self.clock = time.monotonic
        self.t0 = self.clock()
        self.records_now = 0
        self.allow_deletions = False
        self.live_at_start = 0      # the source's live records when the run began
        self.deleting = 0           # live records this run's deleted headers removed

    # -- the run -----------------------------------------------------------

    def run(self, full, from_, until, sweep) -> HarvestReport:
        run, resumed = self._open_run(full, from_, until)
        # a resumed run has already deleted run.deleted of the records it began with
        self.deleting = run.deleted
        self.live_at_start = (self.store.counts().get(self.source.code, {}).get("records", 0)
                              + run.deleted)
        try:
            self.identify = self.client.identify()
            run = self._list(run)
            if self._wants_sweep(sweep):
                run = self._sweep(run)
            run = self.store.update_harvest(run.id, status="ok", finished=_now(), token=None)
        except HarvestError as exc:
            run = self.store.update_harvest(run.id, status="failed", finished=_now(),
                                            message=str(exc), errors=1)
        except DeletionRefused as exc:
            # the pages before are kept; a refused page keeps its token (the run resumes
            # there), a refused sweep has none (every page is in)
            run = self.store.harvest_run(run.id)
            token = run.token if exc.resumable else None
            run = self.store.update_harvest(run.id, status="refused", finished=_now(),
                                            token=token, message=str(exc), errors=1)
        finally:
            self.rejects.close()
        return HarvestReport.from_run(run, resumed=resumed, retries=self.client.retries,
                                      seconds=self.clock() - self.t0,
                                      rejected=self.rejected)

    def _open_run(self, full, from_, until) -> tuple[HarvestRun, bool]:
        src, store = self.source, self.store
        old = store.interrupted_harvest(src.code)
        if old is not None:
            same_target = (old.prefix, old.set_spec) == (src.prefix, src.set_spec)
            plain = not full and from_ is None and until is None
            same_args = (old.full, old.window_from, old.window_until) == (full, from_, until)
            if same_target and (plain or same_args):
                note = f"resumed after an interruption at page {old.pages}"
                return store.update_harvest(old.id, status="running", finished=None,
                                            message=note), True
            store.update_harvest(old.id, status="abandoned", finished=_now(),
                                 message="abandoned: a harvest with other options replaced it")
        if from_ is None and not full:
            last = store.last_good_harvest(src.code, src.prefix, src.set_spec)
            from_ = last.response_date if last is not None else None
        method = "identifiers" if src.list_method == "identifiers" else "records"
        return store.start_harvest(src.code, prefix=src.prefix, set_spec=src.set_spec,
                                   window_from=from_, window_until=until, full=full,
                                   method=method), False

    def _window(self, run: HarvestRun) -> dict[str, str | None]:
        granularity = self.identify.granularity if self.identify else SECONDS
        return {"metadataPrefix": self.source.prefix, "set": self.source.set_spec,
                "from": datestamp(run.window_from, granularity) if run.window_from else None,
                "until": (datestamp(run.window_until, granularity, end_of_day=True)
                          if run.window_until else None)}

    def _list(self, run: HarvestRun) -> HarvestRun:
        restarted = False
        while True:
            verb = "ListRecords" if run.method == "records" else "ListIdentifiers"
            try:
                if run.token:
                    pages = self.client.pages(verb, token=run.token)
                else:
                    pages = self.client.pages(verb, **self._window(run))
                for page in pages:
                    self._commit(run, page, verb)
                return self.store.harvest_run(run.id)
            except NoRecordsMatch as exc:
                run = self.store.harvest_run(run.id)
                if run.response_date is None and exc.response_date:
                    run = self.store.update_harvest(run.id, response_date=exc.response_date)
                return run
            except BadResumptionToken as exc:
                run = self.store.harvest_run(run.id)
                if restarted:
                    raise BadResumptionToken(
                        f"{exc.message} (again after restarting the harvest window; gave up)",
                        url=exc.url) from None
                restarted = True
                run = self.store.update_harvest(
                    run.id, token=None, restarts=run.restarts + 1,
                    message=f"restarted the harvest window after {exc}")
            except (BadPage, ServerUnavailable, BadVerb) as exc:
                # a ListRecords that is broken (500s, unreadable pages), not one that is busy
                broken = not isinstance(exc, ServerUnavailable) or exc.status == 500
                if verb != "ListRecords" or self.source.list_method != "auto" or not broken:
                    raise
                run = self.store.update_harvest(
                    run.id, token=None, method="identifiers",
                    message=f"ListRecords failed ({exc}); using ListIdentifiers + GetRecord")

    def _commit(self, run: HarvestRun, page: Page, verb: str) -> None:
        errors_before = len(self.rejected)
        if verb == "ListRecords":
            records = list(self._from_records(page))
        else:
            records = list(self._from_headers(page))
        self._guard_deleted_headers(records)
        self.store.put_page(run.id, self.source.code, records, page.next_token,
                            page.response_date, errors=len(self.rejected) - errors_before)
        self.records_now += len(records)
        if self.progress is not None:
            now = self.store.harvest_run(run.id)
            self.progress(HarvestProgress(
                self.source.code, now.pages, now.records, now.new, now.changed, now.deleted,
                now.errors, self.clock() - self.t0, self.records_now, page.complete_list_size))

    def _guard_deleted_headers(self, records: list[RawRecord]) -> None:
        """Refuse the page whose deleted headers take the run past the guard's share."""
        code = self.source.code
        deleting = sum(1 for r in records if r.deleted and
                       (stored := self.store.get(code, r.local_id)) is not None
                       and not stored.deleted)
        if not deleting:
            return
        if not self.allow_deletions:
            try:
                check_deletions(self.home, code, self.live_at_start, self.deleting + deleting,
                                "deleted headers of this harvest")
            except DeletionRefused as exc:
                exc.resumable = True
                raise
        self.deleting += deleting

    # -- records of a page ------------------------------------------------

    def _reject(self, page: Page, position: str, reason: str, data: bytes = b"") -> None:
        rejected = Rejected(page.url, position, reason, data)
        self.rejected.append(rejected)
        self.rejects(rejected)
        if self.on_reject is not None:
            self.on_reject(rejected)

    def _raw(self, record: Record, page: Page, position: str) -> RawRecord | None:
        header = record.header
        if not header.identifier:
            self._reject(page, position, "header without an identifier", record.element_bytes())
            return None
        if header.deleted or record.marc_deleted():
            return RawRecord(local_id=header.identifier, format=stored_format(self.source.prefix),
                             data=b"", deleted=True, datestamp=header.datestamp,
                             position=position)
        if record.metadata is None:
            self._reject(page, position, f"{header.identifier}: no metadata and not deleted",
                         record.element_bytes())
            return None
        hostile = refusal(record.metadata)
        if hostile:
            self._reject(page, position, f"{header.identifier}: {hostile}", record.element_bytes())
            return None
        return RawRecord(local_id=header.identifier,
                         format=record.metadata_format(self.source.prefix),
                         data=record.metadata_bytes(), datestamp=header.datestamp,
                         position=position)

    def _from_records(self, page: Page) -> Iterator[RawRecord]:
        for n, record in enumerate(page.records(), start=1):
            raw = self._raw(record, page, f"record {n} of the page")
            if raw is not None:
                yield raw

    def _from_headers(self, page: Page) -> Iterator[RawRecord]:
        """ListIdentifiers mode: GetRecord for each header not already stored at its datestamp."""
        prefix = self.source.prefix
        for n, header in enumerate(page.headers(), start=1):
            position = f"header {n} of the page"
            if not header.identifier:
                self._reject(page, position, "header without an identifier")
                continue
            if header.deleted:
                yield RawRecord(local_id=header.identifier, format=stored_format(prefix),
                                data=b"", deleted=True, datestamp=header.datestamp,
                                position=position)
                continue
            stored = self.store.get(self.source.code, header.identifier)
            if stored is not None and not stored.deleted and header.datestamp \
                    and stored.datestamp == header.datestamp:
                yield RawRecord(local_id=stored.local_id, format=stored.format, data=stored.data,
                                datestamp=stored.datestamp, position=position)
                continue
            try:
                record = self.client.get_record(header.identifier, prefix)
            except (IdDoesNotExist, CannotDisseminateFormat) as exc:
                self._reject(page, position, f"GetRecord {header.identifier}: {exc}")
                continue
            raw = self._raw(record, page, position)
            if raw is not None:
                yield raw

    # -- deletions the server does not report ----------------------------

    def _wants_sweep(self, sweep: bool | None) -> bool:
        if sweep is not None:
            return sweep
        policy = self.identify.deleted_record if self.identify else None
        return self.source.sweep_deletions and policy != "persistent"

    def _sweep(self, run: HarvestRun) -> HarvestRun:
        """List every identifier; records of the source the server no longer has are deleted."""
        store, code = self.store, self.source.code
        store.clear_seen(run.id)
        listed = 0
        try:
            pages = self.client.pages("ListIdentifiers", metadataPrefix=self.source.prefix,
                                      set=self.source.set_spec)
            for page in pages:
                ids = [h.identifier for h in page.headers() if h.identifier and not h.deleted]
                store.mark_seen(run.id, ids)
                listed += len(ids)
        except NoRecordsMatch:
            pass
        except HarvestError as exc:
            store.clear_seen(run.id)
            return store.update_harvest(run.id, errors=1, message=(
                f"deletion sweep failed, no record marked deleted: {exc}"))
        live = store.counts().get(code, {}).get("records", 0)
        if listed == 0 and live:
            store.clear_seen(run.id)
            return store.update_harvest(run.id, message=(
                f"deletion sweep: the server listed no identifiers; {live} stored records"
                " left alone"))
        if not self.allow_deletions:
            try:
                check_deletions(self.home, code, live, store.count_unseen(run.id, code),
                                "the deletion sweep")
            except DeletionRefused:
                store.clear_seen(run.id)
                raise
        gone = store.tombstone_unseen(run.id, code, ImportSummary())
        return store.update_harvest(run.id, message=(
            f"deletion sweep: {listed} identifiers listed, {gone.deleted} vanished records"
            " marked deleted"))
