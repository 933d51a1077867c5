"""Harvesting a source from recorded real responses replayed on 127.0.0.1, fault by fault:
incremental windows, tombstones, badResumptionToken, noRecordsMatch, repeated tokens,
repaired pages, retries, resuming a failed run, rejects, the deletion sweep, history."""

from __future__ import annotations

import random

import pytest
from lxml import etree

from harvest.config import Home, Source
from harvest.errors import HarvestError
from harvest.oai import OaiClient, RetryPolicy, check_source, harvest_oai_source, harvest_status
from harvest.oai.errors import HarvestBusy
from harvest.oai.harvester import source_lock
from harvest.records import RawRecord
from harvest.store import RecordStore

from .oai_support import Reply, ReplayServer, Truncate, Waits, canonical, fixture, token_of

ZENODO = ["zenodo_list_records_page1.xml", "zenodo_list_records_page2_deleted.xml",
          "zenodo_list_records_page3_last.xml"]


def headers_of(*names):
    return [h for name in names for h in etree.fromstring(fixture(name)).iter("{*}header")]


def response_date(name: str) -> str:
    return etree.fromstring(fixture(name)).findtext("{*}responseDate")


@pytest.fixture
def server():
    with ReplayServer() as s:
        yield s


@pytest.fixture
def home(tmp_path):
    return Home.init(tmp_path / "home")


@pytest.fixture
def store(home):
    with RecordStore(home.store_path) as s:
        yield s


def source(server, **options) -> Source:
    options.setdefault("prefix", "oai_dc")
    return Source(code="zen", name="Zenodo", kind="oai", url=server.url, **options)


def harvest(home, store, src, **kw):
    waits = Waits()
    client = OaiClient(src.url, RetryPolicy.for_source(src), sleep=waits.sleep,
                       clock=waits.clock, rng=random.Random(1))
    return harvest_oai_source(home, store, src, client=client, **kw)


def zenodo(server, identify="zenodo_identify.xml", **first_params):
    """Identify plus the three real Zenodo pages chained by their real tokens."""
    server.route(Reply(fixture(identify)), verb="Identify")
    server.route(Reply(fixture(ZENODO[0])), verb="ListRecords", resumptionToken=None,
                 **first_params)
    for before, page in zip(ZENODO, ZENODO[1:]):
        server.route(Reply(fixture(page)), verb="ListRecords", resumptionToken=token_of(before))
    return server


def test_a_harvest_stores_every_record_with_its_identifier_datestamp_and_bytes(server, home, store):
    zenodo(server, **{"from": None})

    report = harvest(home, store, source(server))

    assert report.ok and report.pages == 3
    live = [h for h in headers_of(*ZENODO) if h.get("status") != "deleted"]
    assert report.new == len(live) == 8
    for header in live:
        stored = store.get("zen", header.findtext("{*}identifier"))
        assert stored.format == "oai_dc" and stored.datestamp == header.findtext("{*}datestamp")
        sent = header.getparent().find("{*}metadata")[0]
        assert canonical(stored.data) == etree.tostring(sent, method="c14n", exclusive=True)
    assert report.response_date == response_date(ZENODO[0])
    assert report.window_from is None and not report.resumed


def test_deleted_headers_become_tombstones(server, home, store):
    zenodo(server)
    gone = [h.findtext("{*}identifier") for h in headers_of(*ZENODO) if h.get("status")]
    store.put_many("zen", [RawRecord(local_id=i, format="oai_dc", data=b"<dc/>") for i in gone])

    report = harvest(home, store, source(server))

    assert report.deleted == len(gone) == 1
    tomb = store.get("zen", gone[0])
    assert tomb.deleted and tomb.data is None


def test_the_next_harvest_starts_at_the_last_response_date(server, home, store):
    zenodo(server, **{"from": None})
    since = response_date(ZENODO[0])
    server.route(Reply(fixture("zenodo_no_records_match_422.xml"), 422), verb="ListRecords",
                 **{"from": since})

    first = harvest(home, store, source(server))
    second = harvest(home, store, source(server))

    assert first.ok and second.ok
    assert server.requests[-1]["from"] == since
    assert (second.new, second.changed, second.deleted, second.records) == (0, 0, 0, 0)
    assert second.window_from == since
    # noRecordsMatch moves the starting point on to that answer's responseDate
    assert second.response_date == response_date("zenodo_no_records_match_422.xml")


def test_the_window_is_trimmed_to_a_day_granularity_server(server, home, store):
    zenodo(server, identify="sickle_identify_day_granularity.xml", **{"from": None})
    day = response_date(ZENODO[0])[:10]
    server.route(Reply(fixture("zenodo_no_records_match_422.xml"), 422), verb="ListRecords",
                 **{"from": day})

    harvest(home, store, source(server))
    report = harvest(home, store, source(server))

    assert report.ok and server.requests[-1]["from"] == day


def test_full_re_harvests_everything(server, home, store):
    zenodo(server, **{"from": None})

    harvest(home, store, source(server))
    report = harvest(home, store, source(server), full=True)

    assert "from" not in server.requests[-3]
    assert report.ok and report.unchanged == 9 and report.new == 0


def test_an_explicit_window_is_sent_at_the_server_granularity_and_does_not_move_the_start(
        server, home, store):
    zenodo(server)

    bounded = harvest(home, store, source(server), from_="2026-04-01", until="2026-04-02")
    later = harvest(home, store, source(server))

    first = server.requests[1]
    assert (first["from"], first["until"]) == ("2026-04-01T00:00:00Z", "2026-04-02T23:59:59Z")
    assert bounded.ok and later.ok
    assert later.window_from is None   # a window with an end is no base for the next run


def test_a_bad_date_is_refused_before_anything_starts(server, home, store):
    with pytest.raises(HarvestError, match="not a date"):
        harvest(home, store, source(server), from_="last tuesday")
    assert server.requests == []


def test_no_records_match_on_the_first_request_means_nothing_new(server, home, store):
    server.route(Reply(fixture("zenodo_identify.xml")), verb="Identify")
    server.route(Reply(fixture("zenodo_no_records_match_422.xml"), 422), verb="ListRecords")

    report = harvest(home, store, source(server))

    assert report.ok and report.records == 0 and report.errors == 0


def test_a_bad_resumption_token_restarts_the_window_once(server, home, store):
    server.route(Reply(fixture("zenodo_identify.xml")), verb="Identify")
    server.route(Reply(fixture(ZENODO[0])), verb="ListRecords", resumptionToken=None)
    server.route([Reply(fixture("zenodo_bad_resumption_token_422.xml"), 422),
                  Reply(fixture(ZENODO[1]))],
                 verb="ListRecords", resumptionToken=token_of(ZENODO[0]))
    server.route(Reply(fixture(ZENODO[2])), verb="ListRecords", resumptionToken=token_of(ZENODO[1]))

    report = harvest(home, store, source(server))

    assert report.ok and report.restarts == 1
    assert [r.get("resumptionToken") is None for r in server.requests if r["verb"] == "ListRecords"
            ] == [True, False, True, False, False]
    assert report.new == 8
    assert any("restarted the harvest window" in m and "badResumptionToken" in m
               for m in report.messages)


def test_a_second_bad_resumption_token_gives_up_with_a_report(server, home, store):
    server.route(Reply(fixture("zenodo_identify.xml")), verb="Identify")
    server.route(Reply(fixture(ZENODO[0])), verb="ListRecords", resumptionToken=None)
    server.route(Reply(fixture("zenodo_bad_resumption_token_422.xml"), 422), verb="ListRecords",
                 resumptionToken=token_of(ZENODO[0]))

    report = harvest(home, store, source(server))

    assert report.status == "failed" and report.errors == 1
    assert "badResumptionToken" in report.messages[-1] and "gave up" in report.messages[-1]
    assert report.new == 3   # the pages read before are kept
    assert store.last_good_harvest("zen", "oai_dc", None) is None


def test_the_same_token_again_stops_the_harvest(server, home, store):
    server.route(Reply(fixture("sickle_identify_day_granularity.xml")), verb="Identify")
    server.route(Reply(fixture("sickle_list_records_1.xml")), verb="ListRecords")

    report = harvest(home, store, source(server))

    assert report.status == "failed"
    assert "sent the resumptionToken" in report.messages[-1]
    assert report.pages == 1 and store.get("zen", "oai:test.example.com:1585322") is not None


def test_a_header_without_identifier_is_rejected_and_kept_for_the_librarian(server, home, store):
    names = ["sickle_list_records_1.xml", "sickle_list_records_2.xml", "sickle_list_records_3.xml",
             "sickle_list_records_4_header_without_identifier.xml"]
    server.route(Reply(fixture("sickle_identify_day_granularity.xml")), verb="Identify")
    server.route(Reply(fixture(names[0])), verb="ListRecords", resumptionToken=None)
    for before, page in zip(names, names[1:]):
        server.route(Reply(fixture(page)), verb="ListRecords", resumptionToken=token_of(before))
    seen = []

    report = harvest(home, store, source(server), on_reject=seen.append)

    assert report.ok and report.pages == 4 and report.errors == 1
    assert [r.reason for r in report.rejected] == ["header without an identifier"] == \
        [r.reason for r in seen]
    assert b'status="deleted"' in report.rejected[0].data
    assert list((home.path / "rejects").glob("zen-*.txt"))


def test_a_page_with_bad_characters_is_repaired_and_the_raw_page_kept(server, home, store):
    raw = fixture("alma_marc21_list_records_100.xml")
    raw = raw.replace(b"<resumptionToken>fakeresumptiontoken</resumptionToken>", b"")
    raw = raw.replace(b"Abhandlung", b"Abh\xe4ndlung\x0c", 1)     # Latin-1 byte, form feed
    server.route(Reply(fixture("vufind_identify.xml")), verb="Identify")
    server.route(Reply(raw), verb="ListRecords")

    report = harvest(home, store, source(server, prefix="marc21"))

    assert report.ok and report.new == 100
    assert [p.read_bytes() for p in report.bad_pages] == [raw]
    index = (home.path / "bad-pages").glob("zen-*.txt")
    line = next(index).read_text()
    assert server.url in line and "U+FFFD" in line and "not allowed in XML" in line
    first = store.get("zen", "oai:urm_publish:9925821506101791")
    assert first.format == "marcxml" and "Abh\ufffdndlung".encode() in first.data


def test_a_truncated_page_in_the_middle_is_fetched_again(server, home, store):
    zenodo(server)
    page2 = fixture(ZENODO[1])
    server.routes.insert(1, ({"verb": "ListRecords", "resumptionToken": token_of(ZENODO[0])},
                             [Truncate(page2, keep=len(page2) // 3), Reply(page2)], [0]))

    report = harvest(home, store, source(server))

    assert report.ok and report.new == 8 and report.retries == 1


def test_a_failed_harvest_is_resumed_where_it_stopped(server, home, store):
    server.route(Reply(fixture("zenodo_identify.xml")), verb="Identify")
    server.route(Reply(fixture(ZENODO[0])), verb="ListRecords", resumptionToken=None)
    server.route([Reply(b"", 503)] * 3 + [Reply(fixture(ZENODO[1]))], verb="ListRecords",
                 resumptionToken=token_of(ZENODO[0]))
    server.route(Reply(fixture(ZENODO[2])), verb="ListRecords", resumptionToken=token_of(ZENODO[1]))
    src = source(server, max_tries=3)

    failed = harvest(home, store, src)
    resumed = harvest(home, store, src)

    assert failed.status == "failed" and "after 3 tries: HTTP 503" in failed.messages[-1]
    assert resumed.ok and resumed.resumed and resumed.run_id == failed.run_id
    assert resumed.new == 8 and resumed.pages == 3
    starts = [r for r in server.requests
              if r["verb"] == "ListRecords" and "resumptionToken" not in r]
    assert len(starts) == 1   # nothing was fetched twice from the start
    assert [r.status for r in store.harvest_history("zen")] == ["ok"]


def test_a_broken_list_records_fails_clearly_when_fallback_is_off(server, home, store):
    server.route(Reply(fixture("zenodo_identify.xml")), verb="Identify")
    server.route(Reply(fixture("httpbun_html_not_oai.xml")), verb="ListRecords")

    report = harvest(home, store, source(server, max_tries=2, list_method="records"))

    assert report.status == "failed" and "not well-formed" in report.messages[-1]
    assert [p.read_bytes() for p in report.bad_pages] == [fixture("httpbun_html_not_oai.xml")]
    assert "ListIdentifiers" not in server.verbs()


def test_a_source_being_harvested_is_busy(server, home, store):
    with source_lock(home, "zen"):
        with pytest.raises(HarvestBusy, match="already running"):
            harvest(home, store, source(server))
    assert server.requests == []


def test_the_sweep_marks_records_the_server_no_longer_lists(server, home, store):
    ids = ["zenodo_list_identifiers_page1.xml", "zenodo_list_identifiers_page2_deleted.xml",
           "zenodo_list_identifiers_page3_last.xml"]
    server.route(Reply(fixture("zenodo_identify.xml")), verb="Identify")
    server.route(Reply(fixture("zenodo_no_records_match_422.xml"), 422), verb="ListRecords")
    server.route(Reply(fixture(ids[0])), verb="ListIdentifiers", resumptionToken=None)
    for before, page in zip(ids, ids[1:]):
        server.route(Reply(fixture(page)), verb="ListIdentifiers", resumptionToken=token_of(before))
    listed = [h.findtext("{*}identifier") for h in headers_of(*ids) if not h.get("status")]
    store.put_many("zen", [RawRecord(local_id=i, format="oai_dc", data=i.encode())
                           for i in listed + ["oai:zenodo.org:vanished"]])

    report = harvest(home, store, source(server, sweep_deletions=True))

    assert report.ok and report.deleted == 1
    assert store.get("zen", "oai:zenodo.org:vanished").deleted
    assert not any(store.get("zen", i).deleted for i in listed)
    assert any("vanished records marked deleted" in m for m in report.messages)


def test_history_keeps_every_run_for_status(server, home, store):
    zenodo(server)
    harvest(home, store, source(server))
    server.routes.clear()
    server.route(Reply(b"", 503), verb="Identify")
    harvest(home, store, source(server, max_tries=1))

    status = harvest_status(store, ["zen", "other"])

    assert status["other"] is None
    assert status["zen"]["last"]["status"] == "failed"
    assert "HTTP 503" in status["zen"]["last"]["messages"]
    assert status["zen"]["last_ok"]["new"] == 8
    assert status["zen"]["last_ok"]["response_date"] == response_date(ZENODO[0])


def test_check_source_says_what_the_repository_offers(server):
    server.route(Reply(fixture("zenodo_identify.xml")), verb="Identify")
    server.route(Reply(fixture("zenodo_list_metadata_formats.xml")), verb="ListMetadataFormats")
    server.route(Reply(fixture("zenodo_list_sets_page1.xml")), verb="ListSets",
                 resumptionToken=None)
    server.route(Reply(fixture("zenodo_list_sets_page2.xml")), verb="ListSets",
                 resumptionToken=token_of("zenodo_list_sets_page1.xml"))

    good = check_source(source(server))
    wrong = check_source(source(server, prefix="mods", set_spec="no-such-set"))

    assert good.ok and len(good.sets) == 10 and "oai_dc" in [f.prefix for f in good.formats]
    assert any("sweep_deletions" in n for n in good.notes)   # Zenodo keeps no deletions
    text = str(good)
    assert "Zenodo" in text and "ready to harvest" in text
    assert not wrong.ok and len(wrong.problems) == 2
    assert good.as_dict()["identify"]["granularity"] == "YYYY-MM-DDThh:mm:ssZ"


def test_check_source_reports_an_endpoint_that_is_not_oai(server):
    server.route(Reply(fixture("httpbun_html_not_oai.xml")), verb="Identify")

    check = check_source(source(server, max_tries=1))

    assert not check.ok and check.problems[0].startswith("Identify failed")
    assert "not ready to harvest" in str(check)
