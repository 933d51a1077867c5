"""The OAI client's retry policy and paging, over real sockets to a replay server on 127.0.0.1.

Only the wait is injected (``Waits`` records what the policy asks for);
requests, HTTP statuses, dropped connections, timeouts and cut bodies are real.
"""

from __future__ import annotations

import gzip
import random
import socket
from email.utils import formatdate

import pytest
from lxml import etree

from harvest.oai import OaiClient, RetryPolicy
from harvest.oai import errors

from .oai_support import Drop, Hang, Reply, ReplayServer, Truncate, Waits, fixture, token_of

IDENTIFY = fixture("zenodo_identify.xml")


def client_for(server, waits, *, tries=4, timeout=2.0, cap=600.0, seed=7, bad_pages=None):
    policy = RetryPolicy(max_tries=tries, timeout=timeout, retry_cap=cap)
    return OaiClient(server.url, policy, sleep=waits.sleep, clock=waits.clock,
                     rng=random.Random(seed), on_bad_page=bad_pages)


@pytest.fixture
def server():
    with ReplayServer() as s:
        yield s


@pytest.fixture
def waits():
    return Waits()


@pytest.mark.parametrize("status", [503, 429])
def test_503_with_retry_after_seconds_is_honoured(server, waits, status):
    server.route([Reply(b"busy", status, {"Retry-After": "7"}), Reply(IDENTIFY)], verb="Identify")

    identify = client_for(server, waits).identify()

    assert identify.repository_name == "Zenodo"
    assert waits.waits == [7.0]
    assert server.verbs() == ["Identify", "Identify"]


def test_503_with_retry_after_as_an_http_date_is_honoured(server, waits):
    later = formatdate(waits.now + 90, usegmt=True)
    server.route([Reply(b"busy", 503, {"Retry-After": later}), Reply(IDENTIFY)], verb="Identify")

    client_for(server, waits).identify()

    assert waits.waits == [90.0]


def test_a_retry_after_longer_than_the_cap_waits_only_the_cap(server, waits):
    server.route([Reply(b"", 503, {"Retry-After": "86400"}), Reply(IDENTIFY)], verb="Identify")

    client_for(server, waits, cap=30).identify()

    assert waits.waits == [30.0]


def test_503_without_retry_after_backs_off_exponentially_with_jitter(server, waits):
    server.route([Reply(b"", 503), Reply(b"", 503), Reply(b"", 503), Reply(IDENTIFY)],
                 verb="Identify")
    client = client_for(server, waits, tries=4)

    client.identify()

    policy = client.policy
    bounds = [policy.backoff_bound(n) for n in (1, 2, 3)]
    assert bounds == sorted(bounds) and bounds[0] < bounds[2]
    assert len(waits.waits) == 3
    for wait, bound in zip(waits.waits, bounds):
        assert bound / 2 <= wait <= bound
    assert client.retries == 3


def test_jitter_spreads_the_waits_of_different_harvesters():
    policy = RetryPolicy()
    waits = {round(policy.backoff(3, random.Random(seed)), 6) for seed in range(20)}

    assert len(waits) > 10


@pytest.mark.parametrize("status", [500, 502, 504])
def test_other_5xx_are_retried_with_backoff(server, waits, status):
    server.route([Reply(b"<html>oops</html>", status), Reply(IDENTIFY)], verb="Identify")

    client_for(server, waits).identify()

    assert len(waits.waits) == 1 and waits.waits[0] > 0


def test_dropped_connections_are_retried(server, waits):
    server.route([Drop(), Drop(), Reply(IDENTIFY)], verb="Identify")

    assert client_for(server, waits).identify().repository_name == "Zenodo"
    assert len(waits.waits) == 2


def test_timeouts_are_retried(server, waits):
    server.route([Hang(1.0), Reply(IDENTIFY)], verb="Identify")

    assert client_for(server, waits, timeout=0.3).identify().repository_name == "Zenodo"
    assert len(waits.waits) == 1


def test_a_body_cut_short_of_its_content_length_is_retried(server, waits):
    server.route([Truncate(IDENTIFY, keep=300), Reply(IDENTIFY)], verb="Identify")

    assert client_for(server, waits).identify().repository_name == "Zenodo"
    assert len(waits.waits) == 1


def test_a_truncated_xml_page_is_retried(server, waits):
    page = fixture("zenodo_list_records_page3_last.xml")
    server.route([Reply(page[:len(page) // 2]), Reply(page)], verb="ListRecords")

    records = list(client_for(server, waits).list_records("oai_dc"))

    assert len(records) == len(etree.fromstring(page).findall(".//{*}record"))
    assert len(waits.waits) == 1


def test_a_page_cut_at_an_element_boundary_is_retried(server, waits):
    """Well-formed but without its payload (a proxy cut it after <request>): retried."""
    page = fixture("zenodo_list_records_page3_last.xml")
    cut = page[:page.index(b"<ListRecords>")] + b"</OAI-PMH>"
    server.route([Reply(cut), Reply(page)], verb="ListRecords")

    assert len(list(client_for(server, waits).list_records("oai_dc"))) == 3
    assert len(waits.waits) == 1


def test_gzip_bodies_are_read(server, waits):
    server.route(Reply(gzip.compress(IDENTIFY), 200, {"Content-Encoding": "gzip"}),
                 verb="Identify")

    assert client_for(server, waits).identify().granularity == "YYYY-MM-DDThh:mm:ssZ"


def test_giving_up_on_a_server_that_stays_unavailable_says_why(server, waits):
    server.route(Reply(b"", 503), verb="Identify")

    with pytest.raises(errors.ServerUnavailable) as caught:
        client_for(server, waits, tries=3).identify()

    assert len(server.requests) == 3 and len(waits.waits) == 2
    message = str(caught.value)
    assert "after 3 tries" in message and "HTTP 503" in message and server.url in message


def test_giving_up_on_a_server_that_cannot_be_reached(waits):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()   # nothing listens there now
    client = OaiClient(f"http://127.0.0.1:{port}/oai", RetryPolicy(max_tries=3, timeout=1),
                       sleep=waits.sleep, clock=waits.clock)

    with pytest.raises(errors.ConnectionFailed, match="after 3 tries: cannot connect"):
        client.identify()
    assert len(waits.waits) == 2


def test_pages_that_are_never_oai_xml_fail_as_bad_pages_and_are_kept(server, waits):
    html = fixture("httpbun_html_not_oai.xml")
    server.route(Reply(html), verb="Identify")
    kept = []

    with pytest.raises(errors.BadPage, match="not well-formed"):
        client_for(server, waits, tries=2, bad_pages=lambda *a: kept.append(a)).identify()

    assert len(server.requests) == 2
    assert [(url.startswith(server.url), raw) for url, raw, _ in kept] == [(True, html)]


@pytest.mark.parametrize("name, error", [
    ("zenodo_no_records_match_422.xml", errors.NoRecordsMatch),
    ("zenodo_bad_resumption_token_422.xml", errors.BadResumptionToken),
    ("zenodo_bad_argument_422.xml", errors.BadArgument),
    ("zenodo_id_does_not_exist_422.xml", errors.IdDoesNotExist),
])
def test_zenodo_errors_sent_with_http_422_are_read_as_oai_errors_and_not_retried(
        server, waits, name, error):
    server.route(Reply(fixture(name), 422), verb="ListRecords")

    with pytest.raises(error):
        client_for(server, waits).request("ListRecords", metadataPrefix="oai_dc")

    assert len(server.requests) == 1 and waits.waits == []


def test_a_404_without_an_oai_body_fails_at_once(server, waits):
    server.route(Reply(b"<html>Not Found</html>", 404), verb="Identify")

    with pytest.raises(errors.HttpStatusError, match="HTTP 404"):
        client_for(server, waits).identify()
    assert len(server.requests) == 1


def test_paging_follows_real_zenodo_resumption_tokens(server, waits):
    names = ["zenodo_list_records_page1.xml", "zenodo_list_records_page2_deleted.xml",
             "zenodo_list_records_page3_last.xml"]
    server.route(Reply(fixture(names[0])), verb="ListRecords", metadataPrefix="oai_dc")
    for before, page in zip(names, names[1:]):
        server.route(Reply(fixture(page)), verb="ListRecords", resumptionToken=token_of(before))

    records = list(client_for(server, waits).list_records("oai_dc"))

    expected = [h.findtext("{*}identifier") for name in names
                for h in etree.fromstring(fixture(name)).iter("{*}header")]
    assert [r.header.identifier for r in records] == expected
    assert [r.get("resumptionToken") for r in server.requests] == \
        [None, token_of(names[0]), token_of(names[1])]
    # a resumed request carries the token alone, as the protocol requires
    assert set(server.requests[1]) == {"verb", "resumptionToken"}


def test_a_server_that_hands_out_the_same_token_again_is_stopped(server, waits):
    page = fixture("sickle_list_records_1.xml")
    server.route(Reply(page), verb="ListRecords")   # every request: the same page and token

    with pytest.raises(errors.RepeatedResumptionToken, match=token_of("sickle_list_records_1.xml")):
        list(client_for(server, waits).list_records("oai_dc"))
    assert len(server.requests) == 2


def test_list_sets_pages_through_zenodo_sets(server, waits):
    server.route(Reply(fixture("zenodo_list_sets_page1.xml")), verb="ListSets",
                 resumptionToken=None)
    server.route(Reply(fixture("zenodo_list_sets_page2.xml")), verb="ListSets",
                 resumptionToken=token_of("zenodo_list_sets_page1.xml"))

    sets = list(client_for(server, waits).list_sets())

    expected = [s.findtext("{*}setSpec") for name in ("zenodo_list_sets_page1.xml",
                                                      "zenodo_list_sets_page2.xml")
                for s in etree.fromstring(fixture(name)).iter("{*}set")]
    assert [s.spec for s in sets] == expected and len(expected) == 10


def test_a_repository_without_sets_lists_none(server, waits):
    server.route(Reply(fixture("sickle_error_noSetHierarchy.xml")), verb="ListSets")

    assert list(client_for(server, waits).list_sets()) == []
