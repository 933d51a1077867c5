"""Importing MARC files into the store: the `import` and marc-source `harvest` jobs."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from .config import Home, Source
from .errors import ConfigError
from .marcfile import FORMATS, detect_format, expand_paths, read_file
from .records import ImportSummary, Rejected
from .store import RecordStore


class RejectLog:
    """Keeps skipped records for a librarian to fix and re-import.

    ``HOME/rejects/<source>-<time>.mrc`` holds the raw bytes (ISO 2709
    records as received, other formats as-is) and ``.txt`` beside it says
    where each came from and why it was skipped. Files are created only
    when something is rejected.
    """

    def __init__(self, home: Home, source: str):
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        self.base = home.path / "rejects" / f"{source}-{stamp}"
        self.count = 0

    def __call__(self, rejected: Rejected) -> None:
        self.base.parent.mkdir(parents=True, exist_ok=True)
        with open(self.base.with_suffix(".txt"), "a", encoding="utf-8") as log:
            log.write(f"{rejected}\n")
        if rejected.data:
            with open(self.base.with_suffix(".raw"), "ab") as raw:
                raw.write(rejected.data)
        self.count += 1

    @property
    def paths(self) -> list[Path]:
        return [p for p in (self.base.with_suffix(".txt"), self.base.with_suffix(".raw"))
                if p.exists()]


def import_files(home: Home, store: RecordStore, source_code: str, patterns: list[str],
                 fmt: str | None = None,
                 on_reject: Callable[[Rejected], None] | None = None) -> ImportSummary:
    """Read every file matching ``patterns`` into the store under one source.

    ``fmt`` forces a format; otherwise MARCXML is recognised by its first
    bytes and ISO 2709 takes the source's flavour.
    """
    source = home.source(source_code)
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
    files = [f for pattern in patterns for f in expand_paths(pattern)]
    summary = ImportSummary()
    rejects = RejectLog(home, source.code)

    def reject(rejected: Rejected) -> None:
        summary.rejected.append(rejected)
        rejects(rejected)
        if on_reject is not None:
            on_reject(rejected)

    for path in files:
        file_fmt = fmt or _default_format(path, source)
        store.put_many(source.code, read_file(path, file_fmt, reject), summary)
    return summary


def _default_format(path: Path, source: Source) -> str:
    detected = detect_format(path)
    if detected == "marcxml":
        return "marcxml"
    return source.flavour if source.kind == "marc" else "marc21"


def harvest_marc_source(home: Home, store: RecordStore, source: Source,
                        on_reject: Callable[[Rejected], None] | None = None) -> ImportSummary:
    """A ``marc`` source's harvest: read the files its path names."""
    return import_files(home, store, source.code, [source.path], on_reject=on_reject)
