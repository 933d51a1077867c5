"""A new generation goes live only when searching it works (issue 13).

The generation an update makes is deliberately broken between its commit
and the probe (its new segment's term file cut in half: the update writes
that segment itself, so no hard link shares it with the live generation).
The real probe then searches it, finds it broken and refuses it: ``CURRENT``
stays, the run exits 1 with the reason, and the log, ``REFUSED.json``,
``sheaf status``, ``/status.json`` and ``/healthz?deep=1`` say what happened.
"""

from __future__ import annotations

import contextlib
import io
import json
import time

import pytest

from cli import main as cli
from discovery import health
from harvest.config import Home
from harvest.records import RawRecord
from harvest.store import RecordStore
from indexer import build
from indexer.errors import GenerationRefused
from indexer.generations import IndexDir
from web import create_app
from discovery.engines import open_index, open_search

from ..support import FIXTURES
from .helpers import TOKEN, build_home, set_setting, sheaf


def _changed_record() -> RawRecord:
    import pymarc

    with open(FIXTURES / "vietnamese_nfd_titles.mrc", "rb") as fh:
        record = next(iter(pymarc.MARCReader(fh, to_unicode=True, force_utf8=True)))
    record["245"]["a"] = "Against the refused flood"
    return RawRecord(local_id=record["001"].data.strip(), format="marc21",
                     data=record.as_marc())


def _break(gen, live) -> list[str]:
    """Cut in half the term files the update wrote itself (in no other generation)."""
    linked = {p.name for p in live.path.iterdir()}
    cut = []
    for path in gen.path.glob("*.trm"):
        if path.name not in linked:
            data = path.read_bytes()
            path.write_bytes(data[:len(data) // 2])
            cut.append(path.name)
    assert cut, "the update wrote no segment of its own"
    return cut


@pytest.fixture
def home(tmp_path):
    path = build_home(tmp_path / "home", {"vn": ("Thư viện", FIXTURES / "vietnamese_nfd_titles.mrc")})
    with RecordStore(path / "store.sqlite") as store:
        store.put_many("vn", [_changed_record()])
    return path


def test_a_broken_update_is_refused_and_the_live_generation_stays(home):
    h = Home.load(home)
    index = IndexDir(h.index_path)
    live = index.current()

    def verify(gen, report):
        _break(gen, live)
        return health.check_generation(h, gen, tuple(report.written_ids)).problems

    with RecordStore(h.store_path) as store:
        with pytest.raises(GenerationRefused) as refused:
            build.update(h, store, open_index(h), verify=verify)
    assert live.name in str(refused.value) and "search failed" in str(refused.value)
    assert index.current().name == live.name
    assert [p.name for p in index.generations()] == [live.name]   # the broken one is gone
    record = index.refused()
    assert record["what"] == "update" and record["problems"], record
    assert build.status(h, RecordStore(h.store_path), open_index(h))["state"] == "behind"

    # the next update, not broken, goes live and clears the record of the refusal
    with RecordStore(h.store_path) as store:
        report = build.update(h, store, open_index(h), verify=lambda g, r: health.check_generation(
            h, g, tuple(r.written_ids)).problems)
    assert index.current().name == report.generation != live.name
    assert index.refused() is None


def test_the_cli_exits_1_and_every_status_says_why(home, monkeypatch, caplog):
    h = Home.load(home)
    live = IndexDir(h.index_path).current()
    probe = health.check_generation

    def broken_then_probed(home_, gen, expect=(), absent=()):
        _break(gen, live)
        return probe(home_, gen, expect, absent)

    monkeypatch.setattr(health, "check_generation", broken_then_probed)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = cli.main(["--home", str(home), "index"])
    assert code == cli.EXIT_ERROR
    assert "was refused" in err.getvalue() and f"the live one ({live.name}) stays" in err.getvalue()
    assert "Traceback" not in err.getvalue()
    log = (home / "logs" / "sheaf.log").read_text(encoding="utf-8")
    assert "ERROR" in log and "was refused" in log
    monkeypatch.undo()

    status = sheaf(home, "status")
    assert status.returncode == 0, status   # the live generation still searches
    assert "refused: the update of" in status.stdout and "search works" in status.stdout

    set_setting(home, "admin_token", TOKEN)
    client = create_app({"SHEAF_HOME": str(home), "TESTING": True,
                         "SHEAF_STATUS_TTL": 0}).test_client()
    admin = client.get("/admin/", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert "was refused before going live" in admin and "state-ok\">ok</span>" in admin
    data = client.get("/status.json").get_json()
    assert data["index"]["refused"]["what"] == "update"
    assert data["status"] == "error"
    assert any(e["status"] == "refused" for e in data["errors"])
    deep = client.get("/healthz?deep=1")
    assert deep.status_code == 200 and deep.get_json()["generation"] == live.name
    # searching still finds the record as it was before the refused update
    found = client.get("/api/search", query_string={"q": "Against the flood"}).get_json()
    assert found["total"] >= 1


def test_deep_health_fails_when_search_fails(home):
    client = create_app({"SHEAF_HOME": str(home), "TESTING": True,
                         "SHEAF_STATUS_TTL": 0}).test_client()
    assert client.get("/healthz?deep=1").get_json()["status"] == "ok"
    (home / "index" / "CURRENT").write_text("gen-that-is-not-there\n")
    time.sleep(1.1)   # a backend looks at CURRENT at most once a second
    assert client.get("/healthz").status_code == 200           # the process is alive
    deep = client.get("/healthz?deep=1")
    assert deep.status_code == 503
    assert deep.get_json()["status"] == "error" and deep.get_json()["problems"]
    status = sheaf(home, "status", "--json")
    assert json.loads(status.stdout)["index"]["state"] == "damaged"


def test_a_probe_of_the_live_site_across_a_switch_speaks_for_one_generation(home):
    """The live backend follows ``CURRENT``; when an update deleting a record goes live
    while ``/healthz?deep=1`` is probing, the probe's first answers come from the old
    generation and its later ones from the new. Read together they seemed to say the
    index was broken (browsing counted one more document than the new generation has,
    and the deleted record, browsed in the old one, "has no document"): the CI run of
    628f1c3 failed on exactly this. The probe runs again on the generation it ended in."""
    h = Home.load(home)
    with RecordStore(h.store_path) as store:
        build.update(h, store, open_index(h))          # the changed record goes live
    search = open_search(h, check_interval=0)        # follows CURRENT on every call
    before = search.document_count()
    with RecordStore(h.store_path) as store:
        gone = next(store.iter_records(source="vn", include_deleted=False))

    class SwitchedMidProbe:
        """The live service; the update goes live right after the probe's first call."""
        switched = False

        def __getattr__(self, name):
            return getattr(search, name)

        def document_count(self):
            count = search.document_count()
            if not self.switched:
                self.switched = True
                with RecordStore(h.store_path) as store:
                    store.put_many("vn", [RawRecord(gone.local_id, "marc21", b"", deleted=True)])
                    build.update(h, store, open_index(h))
            return count

    try:
        result = health.probe(SwitchedMidProbe())
        new = IndexDir(h.index_path).current().name
        assert result.ok, result.problems
        assert result.generation == new and result.documents == before - 1
    finally:
        search.close()
