"""Lists without accounts: the records a reader marked, on a page its URL names.

A reader marks records on the results and record pages; the browser keeps the
marks (``localStorage``, web/static/lists.js), so no account and nothing on the
server. ``/list?id=…&id=…`` shows the records its ids name, so the URL is the
list: it can be bookmarked, shared and opened anywhere, and the script sends a
bare ``/list`` on to the URL of the reader's own marks. The page exports the list
in every format (:mod:`web.exports`), prints it, and mails it (a ``mailto:``
link with the titles and the list's URL). Ids that name no record are listed as
missing; more than :func:`web.exports.export_limit` ids are a 400.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext, ngettext

from .exports import FORMATS, LABELS, export_limit, find, ids_arg, record_url

bp = Blueprint("lists", __name__)


def title_of(member) -> str:
    """A record's title as a list line and a mail give it: romanized, then its own script."""
    rec = member.mapped
    title = rec.get("title") or rec.get("title_vernacular") or member.record_id
    vernacular = rec.get("title_vernacular")
    return f"{title} {vernacular}" if vernacular and vernacular != title else title


def mailto(members, share_url: str) -> str:
    """A ``mailto:`` link whose message lists the titles, each with its record's URL, and
    ends with the list's own URL; every part percent-encoded (RFC 6068)."""
    subject = ngettext("%(site)s: %(num)s record", "%(site)s: %(num)s records", len(members),
                       site=current_app.config["SITE_NAME"])
    lines = [f"{n}. {title_of(m)}\n   {record_url(m.record_id)}" for n, m in enumerate(members, 1)]
    body = "\n".join(lines) + "\n\n" + gettext("The whole list: %(url)s", url=share_url)
    return f"mailto:?subject={quote(subject, safe='')}&body={quote(body, safe='')}"


@bp.app_context_processor
def list_context() -> dict:
    """What every page's list link, mark boxes and export links need."""
    return {"list_max": export_limit(), "export_formats": list(LABELS.items())}


@bp.get("/list")
def list_page():
    if not any(i.strip() for i in request.args.getlist("id")):
        return render_template("list.html", members=[], missing=[], ids=[])
    ids = ids_arg(request.args)
    found = find(ids)
    kept = [m.record_id for m in found.members]
    share_url = url_for("lists.list_page", id=ids, _external=True)
    exports = [(fmt, LABELS[fmt], url_for("exports.export", fmt=fmt, id=kept))
               for fmt in FORMATS] if kept else []
    return render_template("list.html", members=found.members, missing=found.missing, ids=ids,
                           share_url=share_url, exports=exports,
                           mail=mailto(found.members, share_url) if kept else None,
                           record_url=record_url)
