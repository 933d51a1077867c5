"""Importing MARC files into the store: the `import` and marc-source `harvest` jobs.

An import reads every file it is given, keeps every good record, reports
every bad one (file, position, reason) and ends with a summary: read, new,
changed, unchanged, deleted, skipped (with reasons) and warnings. Skipped
records are kept in ``HOME/rejects/`` so a librarian can fix and re-import
them; ``--strict`` (the CLI's) turns any skip into a failing exit status.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from .config import Home, Source
from .errors import SheafError
from .marcfile import expand_paths, read_file, resolve
from .marcxml import MARCXML_NS
from .records import ImportSummary, RawRecord, ReadWarning, Rejected
from .store import RecordStore
from .upkeep import _now


class RejectLog:
    """Keeps skipped records for a librarian to fix and re-import.

    ``HOME/rejects/<source>-<time>.txt`` says where each skipped record came
    from and why; its bytes go to ``.mrc`` (ISO 2709, exactly as received)
    or ``.xml`` (MARCXML record elements inside a ``collection``), files
    that can be imported again once fixed. Files are created only when
    something is rejected; :meth:`close` finishes the XML file.
    """

    def __init__(self, home: Home, source: str):
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        self.base = home.path / "rejects" / f"{source}-{stamp}"
        self.count = 0
        self._xml_open = False

    def __call__(self, rejected: Rejected) -> None:
        self.base.parent.mkdir(parents=True, exist_ok=True)
        with open(self.base.with_suffix(".txt"), "a", encoding="utf-8") as log:
            log.write(f"{rejected}\n")
        data = rejected.data
        if data:
            if data.lstrip()[:1] == b"<":
                with open(self.base.with_suffix(".xml"), "ab") as xml:
                    if not self._xml_open:
                        xml.write(b'<?xml version="1.0" encoding="UTF-8"?>\n'
                                  b'<collection xmlns="' + MARCXML_NS.encode() + b'">\n')
                        self._xml_open = True
                    xml.write(data.strip() + b"\n")
            else:
                with open(self.base.with_suffix(".mrc"), "ab") as raw:
                    raw.write(data)
        self.count += 1

    def close(self) -> None:
        if self._xml_open:
            with open(self.base.with_suffix(".xml"), "ab") as xml:
                xml.write(b"</collection>\n")
            self._xml_open = False

    @property
    def paths(self) -> list[Path]:
        return [p for p in (self.base.with_suffix(s) for s in (".txt", ".mrc", ".xml"))
                if p.exists()]


class ExportReader:
    """The records of the files an import names, with their rejects and warnings.

    Iterating yields every readable record of every file in order; skipped
    records go to ``summary.rejected`` and ``HOME/rejects/``, warnings to
    ``summary.warnings``. ``progress`` is called every ``every`` records.
    """

    def __init__(self, home: Home, source_code: str, patterns: list[str],
                 fmt: str | None = None, on_reject: Callable[[Rejected], None] | None = None, *,
                 flavour: str | None = None, encoding: str | None = None,
                 on_warning: Callable[[ReadWarning], None] | None = None,
                 progress: Callable[[int], None] | None = None, every: int = 1000):
        self.source = home.source(source_code)
        resolve(fmt, flavour)  # unknown values are a ConfigError before anything is read
        self.files = [f for pattern in patterns for f in expand_paths(pattern)]
        self.fmt, self.flavour = fmt, flavour
        self.encoding = encoding or self.source.encoding
        self.summary = ImportSummary()
        self.rejects = RejectLog(home, self.source.code)
        self.on_reject, self.on_warning = on_reject, on_warning
        self.progress, self.every = progress, every
        self.count = 0

    def _reject(self, rejected: Rejected) -> None:
        self.summary.rejected.append(rejected)
        self.rejects(rejected)
        if self.on_reject is not None:
            self.on_reject(rejected)

    def _warn(self, warning: ReadWarning) -> None:
        self.summary.warnings.append(warning)
        if self.on_warning is not None:
            self.on_warning(warning)

    def __iter__(self) -> Iterator[RawRecord]:
        source = self.source
        default_flavour = source.flavour if source.kind == "marc" else "marc21"
        try:
            for path in self.files:
                for record in read_file(path, self.fmt, self._reject, flavour=self.flavour,
                                        encoding=self.encoding, default_flavour=default_flavour,
                                        on_warning=self._warn):
                    yield record
                    self.count += 1
                    if self.progress is not None and self.count % self.every == 0:
                        self.progress(self.count)
        finally:
            self.rejects.close()
            self.summary.reject_files = self.rejects.paths


def import_files(home: Home, store: RecordStore, source_code: str, patterns: list[str],
                 fmt: str | None = None,
                 on_reject: Callable[[Rejected], None] | None = None, *,
                 flavour: str | None = None, encoding: str | None = None,
                 on_warning: Callable[[ReadWarning], None] | None = None,
                 progress: Callable[[int], None] | None = None,
                 kind: str = "import") -> ImportSummary:
    """Read every file matching ``patterns`` into the store under one source.

    ``fmt`` (``iso2709``, ``marcxml``, or a flavour for ISO 2709) forces the
    file format; otherwise MARCXML is recognised by its first bytes.
    ``flavour`` forces MARC 21 or UNIMARC; otherwise each record's tags
    decide, and the source's flavour covers records they leave open.
    ``encoding`` overrides the source's ``encoding`` setting. ``progress``
    receives the number of records read so far, every thousand records.
    The import is recorded in the store's import history as ``kind``.
    """
    started = _now()
    home.source(source_code)  # an unknown source is an error, not a failed import
    try:
        reader = ExportReader(home, source_code, patterns, fmt, on_reject, flavour=flavour,
                              encoding=encoding, on_warning=on_warning, progress=progress)
        store.put_many(reader.source.code, reader, reader.summary)
    except SheafError as exc:
        store.log_import(source_code, kind, started, "failed", messages=[str(exc)])
        raise
    summary = reader.summary
    store.log_import(reader.source.code, kind, started, "ok", summary, messages=problems(summary))
    return summary


def problems(summary: ImportSummary, limit: int = 20) -> list[str]:
    """Report lines for an import's history: skipped records and warnings, most frequent first."""
    lines = [f"skipped {n}: {reason}" for reason, n in summary.reasons()]
    lines += [f"warning {n}: {reason}" for reason, n in summary.reasons(summary.warnings)]
    return lines[:limit]


def harvest_marc_source(home: Home, store: RecordStore, source: Source,
                        on_reject: Callable[[Rejected], None] | None = None,
                        on_warning: Callable[[ReadWarning], None] | None = None,
                        progress: Callable[[int], None] | None = None) -> ImportSummary:
    """A ``marc`` source's harvest: read the files its path names."""
    return import_files(home, store, source.code, [source.path], on_reject=on_reject,
                        on_warning=on_warning, progress=progress, kind="harvest")
