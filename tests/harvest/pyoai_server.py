"""A real OAI-PMH 2.0 repository for the harvester tests: pyoai's server, not ours.

    python tests/harvest/pyoai_server.py CATALOG.sqlite [--batch N] [--delay S]
        [--deleted-record persistent|no] [--break-list-records] [--log FILE]

pyoai (``oaipmh.server.BatchingServer``) does the protocol: argument checks,
resumption tokens, error responses, XML. This harness only gives it records
from a SQLite catalog (identifier, datestamp, deleted, sets, MARCXML), read
afresh on every request so a test can add, change and delete records between
harvests, and serves it over ``http.server`` on 127.0.0.1 at a free port,
printing ``PORT <n>`` when ready. ``--delay`` slows every answer (for the
kill -9 test); ``--break-list-records`` answers ListRecords with HTTP 500,
as a repository whose ListRecords is broken does.

pyoai 2.5 calls ``cgi.parse_qs``, removed from Python in 3.8 (and ``cgi``
itself in 3.13): it is restored here from ``urllib.parse``.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
import types
import urllib.parse
import warnings
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

warnings.simplefilter("ignore", DeprecationWarning)
try:
    import cgi
except ImportError:  # Python 3.13+
    cgi = types.ModuleType("cgi")
    sys.modules["cgi"] = cgi
cgi.parse_qs = urllib.parse.parse_qs
try:
    import pkg_resources  # noqa: F401  (pyoai imports it at load time)
except ImportError:
    sys.modules["pkg_resources"] = types.ModuleType("pkg_resources")

from lxml import etree  # noqa: E402
from oaipmh import common, error, metadata, server  # noqa: E402

MARC_NS = "http://www.loc.gov/MARC21/slim"
MARC_SCHEMA = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"


def stamp(when: datetime | None) -> str | None:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when is not None else None


def parse_stamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


class CatalogRepository:
    """pyoai's IBatchingOAI interface over the catalog."""

    def __init__(self, path: str, deleted_record: str):
        self.path = path
        self.deleted_record = deleted_record

    def _rows(self, sql: str, params=()):
        db = sqlite3.connect(self.path, timeout=30)
        try:
            return db.execute(sql, params).fetchall()
        finally:
            db.close()

    def identify(self):
        first = self._rows("SELECT min(datestamp) FROM records")[0][0]
        return common.Identify(
            repositoryName="Sheaf test repository (pyoai)", baseURL="http://127.0.0.1/oai",
            protocolVersion="2.0", adminEmails=["nobody@example.org"],
            earliestDatestamp=parse_stamp(first) if first else datetime(2000, 1, 1),
            deletedRecord=self.deleted_record, granularity="YYYY-MM-DDThh:mm:ssZ",
            compression=["identity"], toolkit_description=False)

    def listMetadataFormats(self, identifier=None):
        if identifier is not None and not self._rows(
                "SELECT 1 FROM records WHERE identifier=?", (identifier,)):
            raise error.IdDoesNotExistError(identifier)
        return [("marc21", MARC_SCHEMA, MARC_NS)]

    def listSets(self, cursor=0, batch_size=10):
        specs = sorted({s for (sets,) in self._rows("SELECT sets FROM records")
                        for s in sets.split()})
        if not specs:
            raise error.NoSetHierarchyError("this repository has no sets")
        return [(spec, f"Set {spec}", None) for spec in specs][cursor:cursor + batch_size]

    def _select(self, metadataPrefix, set=None, from_=None, until=None, cursor=0,
                batch_size=10):
        if metadataPrefix != "marc21":
            raise error.CannotDisseminateFormatError(metadataPrefix)
        where, params = ["1"], []
        if self.deleted_record == "no":
            where.append("deleted=0")
        if from_ is not None:
            where.append("datestamp >= ?")
            params.append(stamp(from_))
        if until is not None:
            where.append("datestamp <= ?")
            params.append(stamp(until))
        if set is not None:
            where.append("(' ' || sets || ' ') LIKE ?")
            params.append(f"% {set} %")
        return self._rows(
            f"SELECT identifier, datestamp, deleted, sets, xml FROM records WHERE"
            f" {' AND '.join(where)} ORDER BY datestamp, identifier LIMIT ? OFFSET ?",
            (*params, batch_size, cursor))

    @staticmethod
    def _header(row):
        identifier, datestamp, deleted, sets, _xml = row
        return common.Header(None, identifier, parse_stamp(datestamp), sets.split(),
                             bool(deleted))

    def _record(self, row):
        meta = None if row[2] else common.Metadata(None, {"xml": row[4]})
        return self._header(row), meta, None

    def listIdentifiers(self, **kw):
        return [self._header(row) for row in self._select(**kw)]

    def listRecords(self, **kw):
        return [self._record(row) for row in self._select(**kw)]

    def getRecord(self, metadataPrefix, identifier):
        if metadataPrefix != "marc21":
            raise error.CannotDisseminateFormatError(metadataPrefix)
        rows = self._rows("SELECT identifier, datestamp, deleted, sets, xml FROM records"
                          " WHERE identifier=?", (identifier,))
        if not rows or (rows[0][2] and self.deleted_record == "no"):
            raise error.IdDoesNotExistError(identifier)
        return self._record(rows[0])


def marc21_writer(element, meta) -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    element.append(etree.fromstring(meta.getField("xml"), parser))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("catalog")
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--deleted-record", default="persistent")
    ap.add_argument("--break-list-records", action="store_true")
    ap.add_argument("--log")
    args = ap.parse_args()

    registry = metadata.MetadataRegistry()
    registry.registerWriter("marc21", marc21_writer)
    oai = server.BatchingServer(CatalogRepository(args.catalog, args.deleted_record),
                                metadata_registry=registry, resumption_batch_size=args.batch)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            query = urllib.parse.urlsplit(self.path).query
            if args.log:
                with open(args.log, "a", encoding="utf-8") as log:
                    log.write(query + "\n")
            params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
            time.sleep(args.delay)
            if args.break_list_records and params.get("verb") == "ListRecords":
                body, status = b"<html><body>Internal Server Error</body></html>", 500
            else:
                body, status = oai.handleRequest(params), 200
            self.send_response(status)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    print(f"PORT {httpd.server_address[1]}", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
