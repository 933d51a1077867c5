"""Session fixtures. One small real index is built once and shared, read-only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from discovery.engines import open_index
from harvest.config import Home, Source
from harvest.importer import import_files
from harvest.store import RecordStore
from indexer import build

from .browse_support import build_browse_home
from .engines import ENGINES, SolrCloud, in_worker, stop_if_tests_started, use_engine
from .support import BUILT_SOURCES, FIXTURES, expected_counts


def pytest_collection_modifyitems(config, items):
    """A run narrowed to some engines (SHEAF_TEST_ENGINES) leaves out the Solr-only tests."""
    if "solr" in ENGINES:
        return
    kept = [item for item in items if "solr_cloud" not in getattr(item, "fixturenames", ())]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def pytest_sessionfinish(session):
    """The run's last word (a run on one process, or pytest-xdist's controller once its
    workers are done): the SolrCloud a test process started is stopped, unless
    ``SHEAF_TEST_KEEP_SOLR`` keeps it for the next run (scripts/test.sh's second)."""
    if not in_worker() and not os.environ.get("SHEAF_TEST_KEEP_SOLR"):
        stop_if_tests_started()


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def playwright():
    """Playwright, started once for the session: a second one in the same thread cannot
    start while the first runs (tests/browser and the widget test of tests/web share it)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def solr_cloud():
    """The project's local SolrCloud (scripts/solr.sh), up for the session."""
    cloud = SolrCloud()
    yield cloud
    cloud.clean()     # the cluster itself is stopped, if need be, by pytest_sessionfinish


@pytest.fixture(scope="session", params=ENGINES)
def engine(request) -> str:
    """The engine a search-behaviour test runs on: every such test runs on each."""
    if request.param == "solr":
        request.getfixturevalue("solr_cloud")
    return request.param


def engine_home(path: Path, engine: str, request) -> Home:
    """A new home at ``path`` on ``engine``."""
    home = Home.init(path)
    if engine == "whoosh":
        return home
    return use_engine(home, engine, request.getfixturevalue("solr_cloud"))


@pytest.fixture(scope="session")
def built_home(tmp_path_factory, engine, request) -> Home:
    """A home with three member libraries, imported and indexed once per session and engine.

    Read-only for tests: a test that changes a home builds its own.
    """
    return _built_home(engine_home(tmp_path_factory.mktemp(f"built-home-{engine}"), engine,
                                   request))


@pytest.fixture(scope="session")
def whoosh_home(tmp_path_factory) -> Home:
    """The session home on Whoosh only, for tests of Whoosh's own structures."""
    return _built_home(Home.init(tmp_path_factory.mktemp("built-home-whoosh-only")))


@pytest.fixture(scope="session")
def browse_home(tmp_path_factory, engine, request) -> Home:
    """Four libraries whose call numbers stand on every shelf (tests/browse_support.py),
    indexed once per session and engine; read-only for tests."""
    return build_browse_home(engine_home(tmp_path_factory.mktemp(f"browse-home-{engine}"),
                                         engine, request))


def _built_home(home: Home) -> Home:
    for code, (name, files) in BUILT_SOURCES.items():
        home.add_source(Source(code=code, name=name, kind="marc", path=str(FIXTURES / files[0])))
    with RecordStore(home.store_path) as store:
        for code, (_name, files) in BUILT_SOURCES.items():
            summary = import_files(home, store, code, [str(FIXTURES / f) for f in files])
            assert summary.rejected == [], summary.rejected
        report = build.rebuild(home, store, open_index(home))
    assert report.failed == [], report.failed
    assert report.records == sum(expected_counts().values())
    return Home.load(home.path)
