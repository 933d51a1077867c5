"""The deletion guard on an OAI-PMH deletion sweep: a server that suddenly lists too few
identifiers does not delete the rest of the source (recorded Zenodo responses on 127.0.0.1)."""

from __future__ import annotations

import pytest

from harvest.config import Home
from harvest.records import RawRecord
from harvest.store import RecordStore

from .oai_support import Reply, ReplayServer, fixture, token_of
from .test_oai_harvester import harvest, headers_of, source

IDS = ["zenodo_list_identifiers_page1.xml", "zenodo_list_identifiers_page2_deleted.xml",
       "zenodo_list_identifiers_page3_last.xml"]


@pytest.fixture
def sweeping_server():
    """Identify, nothing new to list, and the three real ListIdentifiers pages."""
    with ReplayServer() as server:
        server.route(Reply(fixture("zenodo_identify.xml")), verb="Identify")
        server.route(Reply(fixture("zenodo_no_records_match_422.xml"), 422), verb="ListRecords")
        server.route(Reply(fixture(IDS[0])), verb="ListIdentifiers", resumptionToken=None)
        for before, page in zip(IDS, IDS[1:]):
            server.route(Reply(fixture(page)), verb="ListIdentifiers",
                         resumptionToken=token_of(before))
        yield server


def test_a_sweep_that_would_delete_too_much_is_refused_until_allowed(sweeping_server, tmp_path):
    home = Home.init(tmp_path / "home")
    listed = [h.findtext("{*}identifier") for h in headers_of(*IDS) if not h.get("status")]
    # as many records again as the server lists: the sweep would delete half the source
    vanished = [f"oai:zenodo.org:gone-{n}" for n in range(len(listed))]
    with RecordStore(home.store_path) as store:
        store.put_many("zen", [RawRecord(local_id=i, format="oai_dc", data=i.encode())
                               for i in listed + vanished])
        src = source(sweeping_server, sweep_deletions=True)

        refused = harvest(home, store, src)

        assert refused.status == "refused" and not refused.ok
        assert refused.deleted == 0
        assert not any(store.get("zen", i).deleted for i in vanished)
        assert refused.messages[-1].startswith(
            f"the deletion sweep would delete {len(vanished)} of the {2 * len(vanished)}"
            " records of zen (50%; delete_guard_share allows 25%): nothing deleted.")
        assert store.harvest_history("zen", 1)[0].status == "refused"

        allowed = harvest(home, store, src, allow_deletions=True)

        assert allowed.ok and allowed.deleted == len(vanished)
        assert all(store.get("zen", i).deleted for i in vanished)
        assert not any(store.get("zen", i).deleted for i in listed)
