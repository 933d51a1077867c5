"""Helpers of the OAI-PMH provider tests: the fixtures read with pymarc (not with Sheaf),
responses parsed safely, and whole lists paged through by hand."""

from __future__ import annotations

import io
import unicodedata
from urllib.parse import quote

import pymarc
from lxml import etree

from harvest.oai.protocol import safe_parser

from ..support import BUILT_SOURCES, FIXTURES

NS = {"o": "http://www.openarchives.org/OAI/2.0/", "m": "http://www.loc.gov/MARC21/slim",
      "dc": "http://purl.org/dc/elements/1.1/",
      "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/"}


def pymarc_records(name: str) -> list[pymarc.Record]:
    """A fixture's records as pymarc reads them (MARC-8 converted to Unicode by pymarc)."""
    path = FIXTURES / name
    if path.suffix == ".xml":
        return pymarc.parse_xml_to_array(str(path))
    with open(path, "rb") as fh:
        return [r for r in pymarc.MARCReader(fh, to_unicode=True) if r is not None]


def fixture_ids(sources: dict = BUILT_SOURCES) -> dict[str, pymarc.Record]:
    """``<source>:<001>`` -> the pymarc record, for every record of the given sources."""
    out = {}
    for code, (_name, files) in sources.items():
        for name in files:
            for record in pymarc_records(name):
                out[f"{code}:{record['001'].data.strip()}"] = record
    return out


def oai_id(record_id: str, repository: str = "sheaf") -> str:
    source, _, local = record_id.partition(":")
    return f"oai:{repository}:{source}:{quote(local, safe=chr(39) + '-_.!~*();/?:@&=+$,')}"


def fields(record: pymarc.Record) -> list[tuple]:
    """A record's fields as plain tuples: (tag, data) or (tag, ind1, ind2, subfields), text
    in Unicode NFC (Sheaf's decoder gives NFC; LC's UTF-8 records are often NFD)."""
    def nfc(text):
        return unicodedata.normalize("NFC", text)
    out = []
    for f in record.fields:
        if f.is_control_field():
            out.append((f.tag, nfc(f.data)))
        else:
            out.append((f.tag, f.indicator1, f.indicator2,
                        tuple((s.code, nfc(s.value)) for s in f.subfields)))
    return out


def marcxml_record(elem) -> pymarc.Record:
    """A MARCXML record element read back with pymarc."""
    data = etree.tostring(elem, encoding="utf-8")
    return pymarc.parse_xml_to_array(io.BytesIO(data))[0]


def parse(response):
    """A provider response: HTTP 200, XML, parsed with entities and network off."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.content_type == "text/xml; charset=utf-8"
    return etree.fromstring(response.get_data(), safe_parser())


def error_code(root) -> str | None:
    errors = root.findall("o:error", NS)
    return errors[0].get("code") if errors else None


def list_all(client, verb: str, **args) -> tuple[list, list]:
    """Every item of a list request (``record`` or ``header`` elements), following tokens;
    also the (cursor, completeListSize, token text) of each page's token."""
    item = "o:record" if verb == "ListRecords" else "o:header"
    items, tokens = [], []
    root = parse(client.get("/oai", query_string={"verb": verb, **args}))
    while True:
        assert error_code(root) is None, etree.tostring(root)[:500]
        payload = root.find(f"o:{verb}", NS)
        items += payload.findall(item, NS)
        token = payload.find("o:resumptionToken", NS)
        if token is None:
            return items, tokens
        tokens.append((int(token.get("cursor")), int(token.get("completeListSize")),
                       token.text or ""))
        if not token.text:
            return items, tokens
        root = parse(client.get("/oai", query_string={"verb": verb,
                                                      "resumptionToken": token.text}))


class _Evaluator:
    """lxml's XPathEvaluator with the ``evaluate`` method lxml 5 removed."""

    def __init__(self, *args, **kwargs):
        self._evaluate = etree.XPathEvaluator(*args, **kwargs)

    def evaluate(self, *args, **kwargs):
        return self._evaluate(*args, **kwargs)

    __call__ = evaluate


def pyoai_client(url: str):
    """pyoai's OAI-PMH client (``oaipmh.client.Client``) with an oai_dc reader.

    pyoai 2.5 calls ``XPathEvaluator.evaluate``, which current lxml no longer has
    (infrae/pyoai#59, open): its modules are given an ``etree`` whose XPathEvaluator
    has the method again; everything else is pyoai's own code.
    """
    import types

    from oaipmh import client, metadata

    if not isinstance(client.etree.XPathEvaluator, type) or \
            client.etree.XPathEvaluator is not _Evaluator:
        shim = types.ModuleType("lxml.etree (with XPathEvaluator.evaluate)")
        shim.__dict__.update({k: v for k, v in vars(etree).items() if not k.startswith("__")})
        shim.XPathEvaluator = _Evaluator
        client.etree = shim
        metadata.etree = shim
    registry = metadata.MetadataRegistry()
    registry.registerReader("oai_dc", metadata.oai_dc_reader)
    return client.Client(url, registry)
