"""Exports of one record or of several at once, in every format, built in one place.

``/export/<format>/<id>`` is one record; ``/export/<format>?id=…&id=…`` (or
``/export?format=…&id=…``, what the results page's form sends) is up to
:func:`export_limit` records in one file: MARC as one ISO 2709 file (the records
one after another), MARCXML as one ``collection``, RIS and BibTeX one reference
after another, the citations (APA, GB/T 7714) one to a line. An id names a member
record (a result's id is its cluster's smallest member id, so it does too).

Ids that name no record are not an error: the file holds the others and the
``Sheaf-Missing`` header lists them (percent-encoded, space-separated); records
a format cannot hold (a MARC record longer than ISO 2709 allows) are listed in
``Sheaf-Refused``, and ``Sheaf-Exported`` counts what the file holds. No id at all,
or more than :func:`export_limit`, is a 400; nothing found is a 404 naming them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext, ngettext

from discovery.errors import QueryError
from harvest.store import RecordStore
from indexer.errors import MappingError, TooLongForIso2709
from indexer.record import MARCXML_NS

from . import bibfiles, citations
from .common import home, records
from .security import header_value

bp = Blueprint("exports", __name__)

MAX_EXPORT_IDS = 100
MAX_ID_CHARS = 500
FORMATS = {   # name -> (content type, file name extension)
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
    "marcxml": ("application/marcxml+xml; charset=utf-8", "xml"),
    "marc": ("application/marc", "mrc"),
    "apa": ("text/plain; charset=utf-8", "txt"),
    "gbt7714": ("text/plain; charset=utf-8", "txt"),
}
LABELS = {"ris": "RIS", "bibtex": "BibTeX", "marcxml": "MARCXML", "marc": "MARC 21",
          "apa": "APA", "gbt7714": "GB/T 7714"}
_XML_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def record_url(record_id: str) -> str:
    return url_for("records.record", record_id=record_id, _external=True)


def body_of(fmt: str, member) -> bytes:
    """One record in ``fmt`` (raises TooLongForIso2709 or MappingError for MARC it cannot
    write): the file of one record, and each piece of a file of several."""
    rec, rid = member.mapped, member.record_id
    if fmt == "ris":
        return bibfiles.ris(rec, rid, record_url(rid)).encode("utf-8")
    if fmt == "bibtex":
        return bibfiles.bibtex(rec, rid, record_url(rid)).encode("utf-8")
    if fmt == "apa":
        return (citations.apa(rec) + "\n").encode("utf-8")
    if fmt == "gbt7714":
        return (citations.gbt7714(rec) + "\n").encode("utf-8")
    if fmt == "marcxml":
        return member.marcxml() + b"\n"
    return member.iso2709()


def export_limit() -> int:
    """How many records one export or list may hold: :data:`MAX_EXPORT_IDS`, or a results
    page's largest size (the ``max_page_size`` setting) when that is larger, so that
    "Export this page" always works."""
    return max(MAX_EXPORT_IDS, int(home().settings["max_page_size"]))


def ids_arg(args) -> list[str]:
    """The ``id`` arguments, in order, each once; a QueryError (a 400) for none or too many."""
    ids = list(dict.fromkeys(i.strip() for i in args.getlist("id") if i.strip()))
    if not ids:
        raise QueryError(gettext("Choose at least one record to export (id=…)."))
    if len(ids) > export_limit():
        raise QueryError(gettext("At most %(limit)s records at once (%(num)s were asked for).",
                                 limit=export_limit(), num=len(ids)))
    return ids


@dataclass
class Found:
    """The records some ids name, in their order, and the ids that name none."""

    members: list = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def find(ids: list[str]) -> Found:
    found = Found()
    with RecordStore(home().store_path) as store:
        for rid in ids:
            member = records().member(rid, store) if len(rid) <= MAX_ID_CHARS else None
            if member is None:
                found.missing.append(rid)
            else:
                found.members.append(member)
    return found


def _listed(ids: list[str]) -> str:
    return header_value(" ".join(quote(i, safe=":") for i in ids), limit=8000)


def _attachment(body: bytes, fmt: str, name: str, headers: dict | None = None) -> Response:
    mimetype, ext = FORMATS[fmt]
    safe = "".join(c if c.isascii() and c.isalnum() else "-" for c in name)
    return Response(body, content_type=mimetype, headers={
        "Content-Disposition": header_value(f'attachment; filename="{safe}.{ext}"'),
        **(headers or {})})


def _not_found(missing: list[str]):
    message = ngettext("No record has the id %(ids)s.", "No record has any of the ids %(ids)s.",
                       len(missing), ids=", ".join(missing))
    return render_template("error.html", error=message, status=404), 404


def _too_long(marcxml_link: str):
    """MARC that ISO 2709 cannot hold: a 422 offering the MARCXML export, which holds it."""
    return render_template("error.html", status=422, error=gettext(
        "This record has a field longer than 9,999 bytes or is longer than 99,999"
        " bytes in all, more than a MARC (ISO 2709) file can describe. Its MARCXML"
        " export holds all of it."),
        link=marcxml_link, link_text=gettext("Export as MARCXML")), 422


def _cannot(reason: str):
    return render_template("error.html", status=422, error=gettext(
        "This record cannot be exported: %(reason)s", reason=reason)), 422


def export_many(fmt: str):
    ids = ids_arg(request.args)
    found = find(ids)
    pieces, refused = [], []
    for member in found.members:
        try:
            pieces.append(body_of(fmt, member))
        except (TooLongForIso2709, MappingError):
            refused.append(member.record_id)
    if not pieces and not refused:
        return _not_found(found.missing)
    if not pieces:   # every record found is one this format cannot hold
        if fmt == "marc":
            return _too_long(url_for("exports.export", fmt="marcxml", id=refused))
        return _cannot(", ".join(refused))
    count = len(pieces)
    if fmt == "marcxml":
        pieces = [_XML_HEAD + b'<collection xmlns="' + MARCXML_NS.encode() + b'">\n',
                  *pieces, b"</collection>\n"]
    elif fmt == "gbt7714":   # 顺序编码制: the list numbered in its order
        pieces = [f"[{n}] ".encode() + p for n, p in enumerate(pieces, 1)]
    headers = {"Sheaf-Exported": str(count)}
    if found.missing:
        headers["Sheaf-Missing"] = _listed(found.missing)
    if refused:
        headers["Sheaf-Refused"] = _listed(refused)
    return _attachment(b"".join(pieces), fmt, f"sheaf-{count}-records", headers)


@bp.get("/export")
@bp.get("/export/<fmt>")
def export(fmt: str | None = None):
    """Several records in one file (see the module's docstring)."""
    fmt = fmt or request.args.get("format", "")
    if fmt not in FORMATS:
        raise QueryError(gettext("Unknown export format %(format)s: use one of %(formats)s.",
                                 format=fmt[:40], formats=", ".join(FORMATS)))
    return export_many(fmt)


def export_one(fmt: str, member):
    """One record as its own file; MARC that ISO 2709 cannot hold is a 422 offering MARCXML."""
    try:
        body = body_of(fmt, member)
    except TooLongForIso2709:
        return _too_long(url_for("records.export", fmt="marcxml", record_id=member.record_id))
    except MappingError as exc:
        return _cannot(str(exc))
    if fmt == "marcxml":
        body = _XML_HEAD + body
    return _attachment(body, fmt, member.record_id)
