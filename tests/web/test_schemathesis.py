"""schemathesis against a real server: every operation of /api/openapi.json, with
generated valid and invalid parameters, over HTTP on 127.0.0.1 (``sheaf serve`` on the
session index). Each response must not be a 5xx and must conform to the published
document (status code, content type, body schema); invalid parameters must be refused
(a 4xx) and valid ones accepted (2xx, or 404 for a record that does not exist).

Bounded: :data:`EXAMPLES` per operation and mode, derandomized, no example database.
"""

from __future__ import annotations

import json

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (content_type_conformance, negative_data_rejection,
                                                positive_data_acceptance,
                                                response_schema_conformance,
                                                status_code_conformance)

from ..support import running_server

EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection, positive_data_acceptance]
# what a valid request may get: an answer, "no such record" for a generated record id, or
# the HTTP server's 414 for a URL past its request line (documented: characters outside
# ASCII make a valid q of 1,000 characters up to 12,000 bytes)
ACCEPTED = ["2xx", "404", "414"]
# what an invalid one may get: the API's 400, a 404 for an id, the HTTP server's 414
REFUSED = ["400", "404", "414"]
CONFIG = {"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED},
                     "negative_data_rejection": {"expected-statuses": REFUSED}}}


@pytest.fixture(scope="module")
def server(built_home, tmp_path_factory):
    with running_server(built_home.path, tmp_path_factory.mktemp("schemathesis")) as base:
        yield base


@pytest.fixture(scope="module")
def schema(server):
    config = schemathesis.Config.from_dict(CONFIG)
    return schemathesis.openapi.from_url(f"{server}/api/openapi.json", config=config)


def _int(value, default: int) -> int:
    return value if isinstance(value, int) else default


def operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


def test_every_data_operation_is_tested(schema):
    # (schemathesis leaves out the document's own URL, /openapi.json, when loaded from it)
    assert {op.label for op in operations(schema)} >= {
        "GET /libraries", "GET /record/{id}", "GET /search", "GET /suggest"}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_its_schema_says(schema, server, built_home, mode):
    session = requests.Session()
    depth = int(built_home.settings["max_results_depth"])
    page_size = int(built_home.settings["page_size"])
    ran: dict[str, int] = {}
    found: dict[str, str] = {}   # what failed -> one request that showed it
    for operation in operations(schema):
        ran[operation.label] = 0

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(operation.as_strategy(mode))
        def answers_as_documented(case):
            if mode == GenerationMode.POSITIVE:
                # page × limit past max_results_depth is refused: a limit the document states
                # in words (a JSON schema cannot compare two parameters)
                query = case.query or {}
                assume(_int(query.get("page"), 1) * _int(query.get("limit"), page_size) <= depth)
            ran[operation.label] += 1
            try:
                case.call_and_validate(base_url=f"{server}/api", session=session, checks=CHECKS,
                                       timeout=30)
            except FailureGroup as group:
                # every disagreement is listed at the end, not only the first one met
                response = case.call(base_url=f"{server}/api", session=session, timeout=30)
                for failure in group.exceptions:
                    found.setdefault(f"{operation.label}: {failure.title}: {failure.message}",
                                     f"{response.status_code} {response.text[:300]}\n    "
                                     + case.as_curl_command(base_url=f"{server}/api"))

        answers_as_documented()
    # every operation had generated requests (openapi.json has no parameters to vary)
    print(f"schemathesis {mode.value}: {sum(ran.values())} requests:", json.dumps(ran))
    assert all(ran.values()), ran
    for what, curl in found.items():
        print(f"{what}\n    {curl[:3000]}")
    assert list(found) == []


# What schemathesis found the server accepting or refusing against the document, each
# request as it found it (shortened), now answered as the document says.
REFUSED_NOW = [
    ("/libraries", "lang="),                       # an empty enum value was read as "en"
    ("/search", "field="),
    ("/search", "field=%20title"),                 # a padded one as "title"
    ("/search", "sort="),
    ("/record/loc:00409591", "marc="),
    ("/suggest", "q=x&kinds="),                    # no kind at all was read as every kind
    ("/suggest", "q=x&kinds=title,"),
    ("/search", "row_field=nonsense"),             # row values beyond the rows' words
    ("/search", "row_op=&row_text=null"),          #   were not checked
    ("/search", "row_text=a&" + "&".join(["row_field=all"] * 11)),   # 11 rows
    ("/search", "facet_search="),                  # an empty facet_search was ignored
    ("/search", "limit="),                         # an empty number was the default
    ("/search", "page=%201"),
    ("/search", "filter=%20language:vie"),         # padding around a filter was stripped
    ("/search", "filter=year:%2B1990"),            # int() read +1990 as a year
    ("/search", "facets=%20language"),
    ("/search", "year_from=%201990"),
    ("/search", "q=" + "(" * 40 + "history"),      # the parser recursed (fuzzing found it)
]


@pytest.mark.parametrize("path, query", REFUSED_NOW)
def test_what_the_document_does_not_allow_is_a_400_with_a_reason(server, path, query):
    response = requests.get(f"{server}/api{path}?{query}", timeout=30)
    assert response.status_code == 400, response.text[:300]
    assert response.json()["error"]["message"].strip()


@pytest.mark.parametrize("query", ["year_from=&year_to=", "facets=", "facets=language,,year",
                                   "filter=year:1990-1999", "filter=language:-eng",
                                   "q=" + "(" * 32 + "history"])
def test_what_the_document_allows_is_answered(server, query):
    response = requests.get(f"{server}/api/search?{query}", timeout=30)
    assert response.status_code == 200, response.text[:300]


def test_a_url_past_the_request_line_is_the_documented_414(server, schema):
    documented = schema.raw_schema["components"]["responses"]["UriTooLong"]
    assert "8190 bytes" in documented["description"]
    # a filter value of 600 Han characters is 5,400 bytes in the URL: past gunicorn's
    # default 4,094 but within the 8,190 Sheaf sets; 1,000 (the most a filter has) is past
    near = requests.get(f"{server}/api/search", params={"filter": "subject:" + "书" * 600},
                        timeout=30)
    assert near.status_code == 200, near.text[:300]
    past = requests.get(f"{server}/api/search", params={"filter": "subject:" + "书" * 1000},
                        timeout=30)
    assert past.status_code == 414


def test_the_search_page_refuses_parentheses_too_deep_with_the_reason(server):
    response = requests.get(f"{server}/", params={"q": "(" * 40 + "history"}, timeout=30)
    assert response.status_code == 400
    assert "nested deeper than 32" in response.text
