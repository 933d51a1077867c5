"""The Solr schema, written from the one declaration of fields (:mod:`indexer.fields`).

Every text field is a ``solr.PreAnalyzedField`` (JSON parser): Solr indexes
exactly the tokens Sheaf's analyzers give (:mod:`.documents`), with their
positions and offsets, and never analyses text itself. Queries are analysed
by the same analyzers and sent as whitespace-separated terms, which the query
side of the field type splits and nothing else. Keyword, facet and key fields
are strings (multi-valued, with docValues for facets and sorts), numbers are
point fields, the sort keys are strings of hex digits (the byte order of a
collation key is the order of its hex spelling), and ``display`` is the
cluster's display record as stored JSON.

The configset is this schema with :file:`solrconfig.xml`; its name carries
their digest, so a Sheaf with another schema uploads a configset of its own
and never changes the one a live collection was created with.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from indexer.fields import FACET_FIELDS, INDEX_FIELDS, SORTS, IndexField

SOLR_LAYOUT = 1
SOLRCONFIG = Path(__file__).with_name("solrconfig.xml")

TEXT_ANALYSES = ("words", "words+compounds", "ngrams", "pinyin", "stem")


def versions() -> dict:
    return {"engine": "solr", "solr_schema": SOLR_LAYOUT}


def _field(f: IndexField) -> str:
    """One <field> element (attributes quoted)."""
    if f.analysis in TEXT_ANALYSES:
        attrs = {"type": "sheaf_tokens", "indexed": "true", "stored": "false",
                 "multiValued": "false"}
    elif f.analysis == "id":
        attrs = {"type": "string", "indexed": "true", "stored": "true" if f.stored else "false",
                 "docValues": "true", "multiValued": "false",
                 **({"required": "true"} if f.name == "id" else {})}
    elif f.analysis in ("keyword", "keyword-lower", "values"):
        attrs = {"type": "string", "indexed": "true", "stored": "false", "docValues": "true",
                 "multiValued": "true"}
    elif f.analysis == "keys":
        attrs = {"type": "string", "indexed": "true", "stored": "false", "docValues": "false",
                 "multiValued": "true"}
    elif f.analysis == "year":
        attrs = {"type": "pint", "indexed": "true", "stored": "false", "docValues": "true"}
    elif f.analysis == "number":
        attrs = {"type": "plong" if f.wide else "pint", "indexed": "false", "stored": "false",
                 "docValues": "true"}
    elif f.analysis == "sort-key":
        attrs = {"type": "string", "indexed": "false", "stored": "false", "docValues": "true"}
    elif f.analysis == "shelf-key":   # sorted by, and searched by range
        attrs = {"type": "string", "indexed": "true", "stored": "false", "docValues": "true"}
    elif f.analysis == "stored":
        attrs = {"type": "string", "indexed": "false", "stored": "true", "docValues": "false"}
    else:
        raise ValueError(f"field {f.name}: no Solr field for analysis {f.analysis!r}")
    return "  <field name=" + quoteattr(f.name) + "".join(
        f" {k}={quoteattr(v)}" for k, v in attrs.items()) + "/>"


def schema_xml() -> str:
    fields = "\n".join(_field(f) for f in INDEX_FIELDS)
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<!-- Written by Sheaf (discovery/engines/solr/schema.py) from indexer/fields.py: do not edit. -->
<schema name="sheaf" version="1.6">
  <uniqueKey>id</uniqueKey>
  <fieldType name="sheaf_tokens" class="solr.PreAnalyzedField" parserImpl="json"
             storeOffsetsWithPositions="true">
    <analyzer type="query">
      <tokenizer class="solr.WhitespaceTokenizerFactory"/>
    </analyzer>
  </fieldType>
  <fieldType name="string" class="solr.StrField" sortMissingLast="true"/>
  <fieldType name="pint" class="solr.IntPointField" docValues="true" sortMissingLast="true"/>
  <fieldType name="plong" class="solr.LongPointField" docValues="true" sortMissingLast="true"/>
  <field name="_version_" type="plong" indexed="false" stored="false"/>
  <field name="_root_" type="string" indexed="true" stored="false" docValues="false"/>
{fields}
</schema>
"""


def warming_queries() -> str:
    """The queries a new searcher answers before it serves (solrconfig.xml's listeners):
    every facet field counted, every sort key sorted on, a word looked up in every field
    a search reads."""
    facets = {name: {"type": "terms", "field": field, "limit": 10}
              for name, field in FACET_FIELDS.items()}
    facets["year"] = {"type": "terms", "field": "year", "limit": 10}
    words = [f.name for f in INDEX_FIELDS if f.analysis in TEXT_ANALYSES]
    queries = [{"q": "*:*", "rows": "0", "json.facet": json.dumps(facets)},
               {"q": " ".join(f"{f}:a" for f in words), "rows": "10"}]
    queries += [{"q": "*:*", "rows": "10", "sort": f"{key} asc"}
                for key in dict.fromkeys(s.key for s in SORTS if s.key)]
    return "".join("<lst>" + "".join(f"<str name={quoteattr(k)}>{escape(v)}</str>"
                                     for k, v in q.items()) + "</lst>" for q in queries)


def configset() -> tuple[str, bytes]:
    """(name, zip) of the configset: schema.xml and solrconfig.xml at the zip's root."""
    schema = schema_xml().encode("utf-8")
    config = SOLRCONFIG.read_text(encoding="utf-8").replace(
        "<!--WARMING-->", warming_queries()).encode("utf-8")
    digest = hashlib.sha256(schema + b"\0" + config).hexdigest()[:12]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("schema.xml", schema)
        z.writestr("solrconfig.xml", config)
    return f"sheaf-{SOLR_LAYOUT}-{digest}", buf.getvalue()
