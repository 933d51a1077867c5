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
from typing import Callable

from .config import Home, Source
from .marcfile import expand_paths, read_file, resolve
from .marcxml import MARCXML_NS
from .records import ImportSummary, ReadWarning, Rejected
from .store import RecordStore


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


def import_files(home: Home, store: RecordStore, source_code: str, patterns: list[str],
                 fmt: str | None = None,
                 on_reject: Callable[[Rejected], None] | None = None, *,
                 flavour: str | None = None, encoding: str | None = None,
                 on_warning: Callable[[ReadWarning], None] | None = None) -> ImportSummary:
    """Read every file matching ``patterns`` into the store under one source.

    ``fmt`` (``iso2709``, ``marcxml``, or a flavour for ISO 2709) forces the
    file format; otherwise MARCXML is recognised by its first bytes.
    ``flavour`` forces MARC 21 or UNIMARC; otherwise each record's tags
    decide, and the source's flavour covers records they leave open.
    ``encoding`` overrides the source's ``encoding`` setting.
    """
    source = home.source(source_code)
    resolve(fmt, flavour)  # unknown values are a ConfigError before anything is read
    files = [f for pattern in patterns for f in expand_paths(pattern)]
    summary = ImportSummary()
    rejects = RejectLog(home, source.code)

    def reject(rejected: Rejected) -> None:
        summary.rejected.append(rejected)
        rejects(rejected)
        if on_reject is not None:
            on_reject(rejected)

    def warn(warning: ReadWarning) -> None:
        summary.warnings.append(warning)
        if on_warning is not None:
            on_warning(warning)

    default_flavour = source.flavour if source.kind == "marc" else "marc21"
    try:
        for path in files:
            records = read_file(path, fmt, reject, flavour=flavour,
                                encoding=encoding or source.encoding,
                                default_flavour=default_flavour, on_warning=warn)
            store.put_many(source.code, records, summary)
    finally:
        rejects.close()
    summary.reject_files = rejects.paths
    return summary


def harvest_marc_source(home: Home, store: RecordStore, source: Source,
                        on_reject: Callable[[Rejected], None] | None = None,
                        on_warning: Callable[[ReadWarning], None] | None = None) -> ImportSummary:
    """A ``marc`` source's harvest: read the files its path names."""
    return import_files(home, store, source.code, [source.path], on_reject=on_reject,
                        on_warning=on_warning)
