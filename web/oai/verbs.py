"""The six OAI-PMH verbs over the record store.

A :class:`Provider` answers one checked request (:class:`.args.OaiRequest`)
with the body of its response, or raises the protocol's error. Identifiers
are ``oai:<repository id>:<source>:<local id>`` (the local id percent-encoded
where the oai-identifier syntax needs it); datestamps are the store's
last-changed times; sets are ``library`` (every member library) and
``library:<code>`` (one). Lists come in pages of ``oai_list_size`` with
signed, stateless resumption tokens (:mod:`.tokens`).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, unquote

from harvest.config import Home
from harvest.listing import HIGHEST, LOWEST
from harvest.oai.errors import (BadResumptionToken, CannotDisseminateFormat, IdDoesNotExist,
                                NoRecordsMatch, NoSetHierarchy)
from harvest.store import RecordStore
from indexer.errors import MappingError

from . import response as xml
from .args import OaiRequest
from .formats import FORMATS, Renderer, formats_of, selection
from .tokens import ListState, TokenSigner

log = logging.getLogger("web.oai")

_LOCAL_SAFE = "-_.!~*'();/?:@&=+$,"       # oai-identifier's local part, besides %-escapes


def oai_identifier(repository: str, source: str, local_id: str) -> str:
    """The OAI-PMH identifier of one member record: ``oai:<repository>:<source>:<local id>``."""
    return f"oai:{repository}:{source}:{quote(local_id, safe=_LOCAL_SAFE)}"
_DOMAIN = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z][a-zA-Z0-9-]*)+")
OAI_ID_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
SET_ROOT = "library"


class Provider:
    def __init__(self, home: Home, store: RecordStore, base_url: str, signer: TokenSigner):
        self.home = home
        self.store = store
        self.base_url = base_url
        self.signer = signer
        self.repository = str(home.settings["oai_repository_id"])
        self.page_size = max(1, int(home.settings["oai_list_size"]))
        self.sent = 0       # records and headers in this response

    def answer(self, req: OaiRequest) -> list[bytes]:
        handler = {"Identify": self.identify, "ListMetadataFormats": self.list_metadata_formats,
                   "ListSets": self.list_sets, "GetRecord": self.get_record,
                   "ListIdentifiers": self.list_items, "ListRecords": self.list_items}[req.verb]
        return handler(req)

    # -- identifiers and sets ----------------------------------------------

    def identifier(self, source: str, local_id: str) -> str:
        return oai_identifier(self.repository, source, local_id)

    def record_key(self, identifier: str) -> tuple[str, str]:
        prefix = f"oai:{self.repository}:"
        source, sep, local = identifier[len(prefix):].partition(":")
        if not identifier.startswith(prefix) or not sep or not local or not source:
            raise IdDoesNotExist(f"{identifier[:80]!r} is not an identifier of this repository"
                                 f" (they look like {prefix}<library>:<record id>)")
        return source, unquote(local)

    def _stored(self, identifier: str):
        source, local_id = self.record_key(identifier)
        rec = self.store.get(source, local_id)
        if rec is None:
            raise IdDoesNotExist(f"no record {identifier[:120]!r} in this repository")
        return rec

    def sets(self) -> list[tuple[str, str]]:
        libraries = sorted(self.home.sources.items())
        if not libraries:
            return []
        return [(SET_ROOT, "Member libraries")] + [
            (f"{SET_ROOT}:{code}", src.name) for code, src in libraries]

    def _set_sources(self, set_spec: str | None) -> tuple[str, ...] | None:
        if set_spec is None:
            return None
        if not self.home.sources:
            raise NoSetHierarchy("this repository has no sets (no member library is configured)")
        if set_spec == SET_ROOT:
            return None
        root, sep, code = set_spec.partition(":")
        if root == SET_ROOT and sep and code in self.home.sources:
            return (code,)
        return ()       # no such set: nothing matches

    # -- the verbs -----------------------------------------------------------

    def identify(self, req: OaiRequest) -> list[bytes]:
        earliest = self.store.earliest_change() or xml.now()
        parts = [("repositoryName", str(self.home.settings["site_name"])),
                 ("baseURL", self.base_url), ("protocolVersion", "2.0"),
                 ("adminEmail", str(self.home.settings["oai_admin_email"])),
                 ("earliestDatestamp", earliest), ("deletedRecord", "persistent"),
                 ("granularity", "YYYY-MM-DDThh:mm:ssZ")]
        body = "".join(f"<{k}>{xml.text(v)}</{k}>" for k, v in parts)
        if _DOMAIN.fullmatch(self.repository):
            sample = self.identifier(next(iter(sorted(self.home.sources)), "lib"), "12345")
            body += (f'<description><oai-identifier xmlns="{OAI_ID_NS}"'
                     f' xsi:schemaLocation="{OAI_ID_NS} {OAI_ID_NS}.xsd">'
                     f"<scheme>oai</scheme><repositoryIdentifier>{xml.text(self.repository)}"
                     f"</repositoryIdentifier><delimiter>:</delimiter><sampleIdentifier>"
                     f"{xml.text(sample)}</sampleIdentifier></oai-identifier></description>")
        return [f"<Identify>{body}</Identify>\n".encode("utf-8")]

    def list_metadata_formats(self, req: OaiRequest) -> list[bytes]:
        identifier = req.get("identifier")
        if identifier is None:
            formats = list(FORMATS.values())
        else:
            rec = self._stored(identifier)
            formats = formats_of(self.home, rec.source, rec.format)
        items = [xml.element("metadataFormat", [("metadataPrefix", f.prefix),
                                                ("schema", f.schema),
                                                ("metadataNamespace", f.namespace)])
                 for f in formats]
        return [b"<ListMetadataFormats>\n", *items, b"</ListMetadataFormats>\n"]

    def list_sets(self, req: OaiRequest) -> list[bytes]:
        if req.get("resumptionToken") is not None:
            raise BadResumptionToken("ListSets is answered in one response; this repository"
                                     " issued no token for it")
        sets = self.sets()
        if not sets:
            raise NoSetHierarchy("this repository has no sets (no member library is configured)")
        items = [xml.element("set", [("setSpec", spec), ("setName", name)])
                 for spec, name in sets]
        return [b"<ListSets>\n", *items, b"</ListSets>\n"]

    def get_record(self, req: OaiRequest) -> list[bytes]:
        prefix = req.get("metadataPrefix")
        if prefix not in FORMATS:
            raise CannotDisseminateFormat(f"unknown metadataPrefix {prefix[:40]!r}"
                                          f" (this repository has {', '.join(FORMATS)})")
        rec = self._stored(req.get("identifier"))
        if FORMATS[prefix] not in formats_of(self.home, rec.source, rec.format):
            raise CannotDisseminateFormat(f"{req.get('identifier')[:120]} is not available"
                                          f" as {prefix}")
        metadata = None
        if not rec.deleted:
            try:
                metadata = Renderer(self.home, prefix)(rec.source, rec.local_id, rec.format,
                                                       rec.data)
            except MappingError as exc:
                log.warning("GetRecord %s as %s: the stored record cannot be read: %s",
                            rec.id, prefix, exc)
                raise CannotDisseminateFormat(f"the stored record cannot be given as {prefix}"
                                              ) from None
        head = xml.header(self.identifier(rec.source, rec.local_id), rec.last_changed,
                          [f"{SET_ROOT}:{rec.source}"], rec.deleted)
        self.sent = 1
        return [b"<GetRecord>", xml.record(head, metadata), b"</GetRecord>\n"]

    def list_items(self, req: OaiRequest) -> list[bytes]:
        verb = req.verb
        token = req.get("resumptionToken")
        if token is not None:
            state = self.signer.read(token, verb)
            if state.prefix not in FORMATS:
                raise BadResumptionToken("the resumptionToken names an unknown format")
            key, cursor, size = state.key, state.cursor, state.size
        else:
            prefix = req.get("metadataPrefix")
            if prefix not in FORMATS:
                raise CannotDisseminateFormat(f"unknown metadataPrefix {prefix[:40]!r}"
                                              f" (this repository has {', '.join(FORMATS)})")
            after, until = req.window
            state = ListState(verb, prefix, req.get("set"), after or LOWEST, until or HIGHEST,
                              ("", "", ""), 0, 0)
            key, cursor, size = None, 0, 0
        chosen = selection(self.home, state.prefix, after=state.after, until=state.until,
                           sources=self._set_sources(state.set_spec))
        if token is None:
            size = self.store.count_listed(chosen)
            if not size:
                raise NoRecordsMatch("no records match the request")
        records = verb == "ListRecords"
        render = Renderer(self.home, state.prefix) if records else None
        items, consumed = [], 0
        while True:     # a page whose records all fail to render reads on (never empty)
            rows = self.store.list_changed(chosen, key, self.page_size + 1, with_data=records)
            more = len(rows) > self.page_size
            rows = rows[:self.page_size]
            for row in rows:
                item = self._item(row, render, state.prefix)
                if item is not None:
                    items.append(item)
            consumed += len(rows)
            key = rows[-1].key if rows else key
            if items or not more:
                break
        if not items:
            raise NoRecordsMatch("no records remain in this list")
        self.sent = len(items)
        done = cursor + consumed
        size = max(size, done + (1 if more else 0))
        if more:
            value, expires = self.signer.issue(ListState(
                verb, state.prefix, state.set_spec, state.after, state.until, key, done, size))
            items.append(xml.token(value, cursor, size, expires))
        elif token is not None:
            items.append(xml.token("", cursor, size, None))
        return [f"<{verb}>\n".encode(), *items, f"</{verb}>\n".encode()]

    def _item(self, row, render: Renderer | None, prefix: str) -> bytes | None:
        """A list's header (``render`` None) or record; None for a record that cannot be
        given in the format (logged)."""
        head = xml.header(self.identifier(row.source, row.local_id), row.last_changed,
                          [f"{SET_ROOT}:{row.source}"], row.deleted)
        if render is None:
            return head + b"\n"
        metadata = None
        if not row.deleted:
            try:
                metadata = render(row.source, row.local_id, row.format, row.data)
            except MappingError as exc:
                log.warning("ListRecords: %s:%s left out, it cannot be given as %s: %s",
                            row.source, row.local_id, prefix, exc)
                return None
        return xml.record(head, metadata)
