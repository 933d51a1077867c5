"""A record: the page, the staff MARC view, exports and citations, and its JSON.

``/record/<id>`` takes a cluster id or any member record's id (a member's
id is the permanent link: cluster ids follow membership, record ids stay).
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, abort, render_template, url_for

from discovery.errors import IndexUnavailable
from indexer.online import cluster_links

from discovery.vernacular import paired

from . import citations, i18n
from .parallel import record_fields
from .navigation import record_nav
from .common import backend, error_text, home, records
from .display import safe_url
from .exports import FORMATS, export_one
from .oai.verbs import oai_identifier

bp = Blueprint("records", __name__)

def catalog_link(source_code: str, record_id: str) -> str | None:
    """A link to the record in its library's own catalog, from the source's
    ``catalog_url`` template (``{local_id}``, ``{id}``), when it has one."""
    source = home().sources.get(source_code)
    template = getattr(source, "catalog_url", None) if source else None
    if not template:
        return None
    local_id = record_id.partition(":")[2]
    try:
        url = template.format(local_id=quote(local_id, safe=""), id=quote(record_id, safe=""))
    except (KeyError, IndexError, ValueError):
        return None
    return safe_url(url)


def permalink(view) -> str:
    main = view.main.record_id if view.main else view.id
    return url_for("records.record", record_id=main, _external=True)


def holdings_of(view) -> list[dict]:
    out = []
    for h in view.display.get("holdings", []):
        out.append({"source": h["source"], "record_id": h["record_id"],
                    "name": home().sources[h["source"]].name
                    if h["source"] in home().sources else h.get("name") or h["source"],
                    "call_number": h.get("call_number"), "location": h.get("location"),
                    "scheme": h.get("scheme"),
                    "catalog_url": catalog_link(h["source"], h["record_id"])})
    return out


def online_links(display: dict) -> list[dict]:
    """A cluster's online copies, access links first: its display record's links, checked
    again (an index built before links had kinds holds them without one)."""
    return cluster_links([display.get("links")])


PARALLEL_LISTS = ("responsibility", "edition", "series", "notes", "subjects")


def parallel_dict(rec: dict) -> dict:
    """The record page's fields in both scripts (:func:`web.parallel.record_fields`), as the
    API gives them: each value {'text', 'vernacular'?} (its linked 880's), names with their
    roles; absent values are absent keys."""
    fields = record_fields(rec)
    out = {"title": fields["title"].to_dict()} if fields["title"].text else {}
    if fields["imprint"] is not None:
        out["imprint"] = fields["imprint"].to_dict()
    lists = {name: fields[name] for name in PARALLEL_LISTS}
    lists["places"] = paired(rec.get("places"), rec.get("place_forms"))
    lists["publishers"] = paired(rec.get("publishers"), rec.get("publisher_forms"))
    for name, values in lists.items():
        if values:
            out[name] = [p.to_dict() for p in values]
    names = [{**n["forms"].to_dict(), "roles": n["roles"]} for n in fields["names"]]
    if names:
        out["names"] = names
    return out


def cluster_dict(view, with_marcxml: bool = False) -> dict:
    """The record API's answer: the cluster's display record, holdings and members, and
    the main record's fields in both scripts (``parallel``, as its page shows them)."""
    d = view.display
    out = {"id": view.id, "url": permalink(view),
           "title": d.get("title", ""), "title_vernacular": d.get("title_vernacular"),
           "authors": d.get("authors", []), "year": d.get("year"),
           "languages": d.get("languages", []), "format": d.get("format"),
           "holdings": [{k: v for k, v in h.items() if v is not None} for h in holdings_of(view)],
           "links": online_links(d),
           "parallel": parallel_dict(view.main.mapped) if view.main else {}, "members": []}
    for m in view.members:
        member = {"record_id": m.record_id, "source": m.source, "library": m.library,
                  "format": m.format, "first_seen": m.first_seen, "last_changed": m.last_changed,
                  "record": m.mapped}
        if with_marcxml:
            member["marcxml"] = m.marcxml().decode("utf-8")
        out["members"].append(member)
    return out


def _view_or_404(record_id: str, deadline=None):
    try:
        view = records().cluster(record_id[:500], deadline=deadline)
    except IndexUnavailable as exc:
        abort(503, error_text(exc))
    if view is None or view.main is None:
        abort(404)
    return view


@bp.get("/record/<path:record_id>")
def record(record_id: str):
    deadline = backend().deadline()     # one for the page: its record, neighbours, similar
    with backend().turn(deadline):      # and one turn of the searcher for all three
        view = _view_or_404(record_id, deadline)
        nav = record_nav(view.id, deadline)
        try:
            similar = backend().similar(view.id, limit=6, deadline=deadline)
        except IndexUnavailable:    # past its deadline, say: the record is still shown, alone
            similar = []
    main = view.main
    settings = home().settings
    protocols = {
        "sru": url_for("sru.sru", operation="searchRetrieve", version="1.2",
                       query=f'rec.identifier = "{view.id}"', recordSchema="marcxml"),
        "oai": url_for("oai.endpoint", verb="GetRecord", metadataPrefix="marc21",
                       identifier=oai_identifier(str(settings["oai_repository_id"]),
                                                 main.source, main.local_id))}
    return render_template("record.html", view=view, rec=main.mapped, main=main, nav=nav,
                           protocols=protocols, links=online_links(view.display),
                           holdings=holdings_of(view), similar=similar,
                           permalink=permalink(view), marc_fits=main.fits_iso2709(),
                           apa=citations.apa_html(main.mapped),
                           gbt=citations.gbt7714(main.mapped),
                           chinese_first=i18n.choose() in i18n.CHINESE)


@bp.get("/staff/<path:record_id>")
def staff(record_id: str):
    """The staff view: every member record in MARC, as its library sent it."""
    view = _view_or_404(record_id)
    return render_template("staff.html", view=view, permalink=permalink(view))


@bp.get("/export/<fmt>/<path:record_id>")
def export(fmt: str, record_id: str):
    """One record in one format (web.exports builds it, as it builds a file of several)."""
    if fmt not in FORMATS:
        abort(404)
    member = records().member(record_id[:500])
    if member is None:
        abort(404)
    return export_one(fmt, member)
