"""Session fixtures. One small real index is built once and shared, read-only."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvest.config import Home, Source
from harvest.importer import import_files
from harvest.store import RecordStore
from indexer import build
from discovery.engines import open_index

from .support import BUILT_SOURCES, FIXTURES, expected_counts


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def built_home(tmp_path_factory) -> Home:
    """A home with three member libraries, imported and indexed once per session.

    Read-only for tests: a test that changes a home builds its own.
    """
    path = tmp_path_factory.mktemp("built-home")
    home = Home.init(path)
    for code, (name, files) in BUILT_SOURCES.items():
        home.add_source(Source(code=code, name=name, kind="marc", path=str(FIXTURES / files[0])))
    with RecordStore(home.store_path) as store:
        for code, (_name, files) in BUILT_SOURCES.items():
            summary = import_files(home, store, code, [str(FIXTURES / f) for f in files])
            assert summary.rejected == [], summary.rejected
        report = build.rebuild(home, store, open_index(home))
    assert report.failed == [], report.failed
    assert report.records == sum(expected_counts().values())
    return Home.load(path)
