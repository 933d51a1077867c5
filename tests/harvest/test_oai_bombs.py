"""Compressed replies that expand without bound (issue 17: a 2 MB gzip reply from a
member's server grew to 6.3 GB of memory and wrote 2 x 2 GiB into ``bad-pages/``).

Real sockets to a replay server on 127.0.0.1; the memory test harvests in its own
process (``harvest_child.py``, as ``sheaf harvest`` does) and reads its peak RSS.
"""

from __future__ import annotations

import gzip
import random
import subprocess
import sys
import zlib

import pytest

from harvest.config import Home, Source
from harvest.oai import OaiClient, RetryPolicy
from harvest.oai import errors
from harvest.oai.client import HEAD_BYTES, HttpTransport
from harvest.oai.report import BadPageLog
from harvest.store import RecordStore

from ..ops.helpers import set_setting
from .oai_support import HERE, Reply, ReplayServer, Waits, fixture

IDENTIFY = fixture("zenodo_identify.xml")
PAGE = fixture("alma_marc21_list_records_100.xml")
BOMB_MIB = 512


def compressed(size_mib: int, wbits: int) -> bytes:
    """An OAI page start followed by ``size_mib`` MiB of zeros, compressed in pieces."""
    engine = zlib.compressobj(9, zlib.DEFLATED, wbits)
    parts = [engine.compress(PAGE[:200])]
    zeros = bytes(1 << 20)
    parts += [engine.compress(zeros) for _ in range(size_mib)]
    parts.append(engine.flush())
    return b"".join(parts)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return compressed(BOMB_MIB, 16 + zlib.MAX_WBITS)


@pytest.fixture
def server():
    with ReplayServer() as s:
        yield s


def client_for(server, max_bytes, kept=None):
    waits = Waits()
    return OaiClient(server.url, RetryPolicy(max_tries=3, timeout=5),
                     transport=HttpTransport(max_bytes=max_bytes), sleep=waits.sleep,
                     clock=waits.clock, rng=random.Random(1),
                     on_bad_page=None if kept is None else lambda *a: kept.append(a))


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
def test_deflate_bodies_are_read_both_wrapped_and_raw(server, wbits):
    engine = zlib.compressobj(6, zlib.DEFLATED, wbits)
    body = engine.compress(IDENTIFY) + engine.flush()
    server.route(Reply(body, 200, {"Content-Encoding": "deflate"}), verb="Identify")

    assert client_for(server, 1 << 20).identify().granularity == "YYYY-MM-DDThh:mm:ssZ"


@pytest.mark.parametrize("encoding, wbits", [("gzip", 16 + zlib.MAX_WBITS),
                                             ("deflate", zlib.MAX_WBITS)])
def test_a_page_inflating_past_the_cap_is_refused_at_once_with_its_start_kept(
        server, encoding, wbits):
    body = compressed(64, wbits)
    assert len(body) < 1 << 20          # under the cap as sent: only the inflated size is over
    server.route(Reply(IDENTIFY), verb="Identify")
    server.route(Reply(body, 200, {"Content-Encoding": encoding}), verb="ListRecords")
    kept = []

    with pytest.raises(errors.BadPage, match="larger than 4194304 bytes once decompressed"):
        list(client_for(server, 4 << 20, kept).list_records("marc21"))

    assert server.verbs() == ["ListRecords"]          # not retried: it would come again
    [(url, head, reason)] = kept
    assert url.startswith(server.url) and encoding in reason
    assert head.startswith(PAGE[:200]) and len(head) == HEAD_BYTES


def test_a_plain_page_over_the_cap_is_refused(server):
    server.route(Reply(PAGE), verb="Identify")

    with pytest.raises(errors.BadPage, match=f"page larger than {len(PAGE) - 1} bytes"):
        client_for(server, len(PAGE) - 1).identify()
    assert len(server.requests) == 1


def test_a_page_just_under_the_cap_once_decompressed_is_read(server):
    server.route(Reply(gzip.compress(IDENTIFY), 200, {"Content-Encoding": "gzip"}),
                 verb="Identify")

    assert client_for(server, len(IDENTIFY)).identify().granularity == "YYYY-MM-DDThh:mm:ssZ"


def test_bad_pages_are_kept_within_a_bound_per_page_and_per_run(tmp_path):
    home = Home.init(tmp_path / "home")
    log = BadPageLog(home, "zen", keep_bytes=100_000, run_bytes=250_000)
    pages = [bytes([65 + n]) * 1_000_000 for n in range(4)]
    for n, page in enumerate(pages):
        log(f"http://example.org/oai?page={n}", page, "not well-formed")

    assert [p.stat().st_size for p in log.paths] == [100_000, 100_000, 50_000]
    assert [p.read_bytes() for p in log.paths] == [pages[0][:100_000], pages[1][:100_000],
                                                  pages[2][:50_000]]
    lines = log.index.read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[0] for line in lines] == [p.name for p in log.paths] + ["-"]
    assert "kept the first 100000 of 1000000 bytes" in lines[0]
    assert "page=3" in lines[3] and "not kept" in lines[3]
    assert sum(p.stat().st_size for p in (home.path / "bad-pages").glob("*.xml")) == 250_000


def test_a_gzip_bomb_harvest_fails_clearly_in_bounded_memory_and_disk(server, bomb, tmp_path):
    """A 512 MiB page sent as ~0.5 MB of gzip: the harvest process's peak memory stays
    far below the page and bad-pages/ gets only its start; the run says why it failed."""
    assert len(bomb) < 1 << 20
    home = Home.init(tmp_path / "home")
    set_setting(home.path, "harvest_max_page_mb", 16)
    home = Home.load(home.path)
    home.add_source(Source(code="zen", name="Zenodo", kind="oai", url=server.url,
                           prefix="marc21", list_method="records", max_tries=2))
    server.route(Reply(IDENTIFY), verb="Identify")
    server.route(Reply(bomb, 200, {"Content-Encoding": "gzip"}), verb="ListRecords")

    child = subprocess.run([sys.executable, str(HERE / "harvest_child.py"), str(home.path), "zen"],
                           capture_output=True, text=True, timeout=120)

    assert child.returncode == 1, child.stderr
    peak_mib = int(child.stderr.split("peak_rss_kb ")[1].split()[0]) / 1024
    assert peak_mib < 16 + 150, peak_mib           # the cap plus the interpreter, not 512 MiB
    with RecordStore(home.store_path) as store:
        [run] = store.harvest_history("zen")
    assert run.status == "failed"
    assert "larger than 16777216 bytes once decompressed (gzip" in run.messages
    assert "once decompressed" in child.stdout          # the report the librarian reads
    kept = list((home.path / "bad-pages").glob("zen-*.xml"))
    assert len(kept) == 1 and kept[0].stat().st_size <= HEAD_BYTES
    [index] = (home.path / "bad-pages").glob("zen-*.txt")
    assert "once decompressed" in index.read_text(encoding="utf-8")
