"""Atom feeds of any search: ``/feed.atom`` takes the search page's arguments.

"New Vietnamese titles at library X" is
``/feed.atom?filter=language:vie&filter=library:x`` (newest arrivals first). Each entry is
a result with its permanent link; its ``updated`` time is the latest change
of its member records in the store.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import gettext

from discovery.errors import N_, QueryError
from discovery.labels import facet_label

from . import i18n
from .common import SearchForm, backend, home, records, search_form
from .display import facet_names, search_url, store_time

bp = Blueprint("feeds", __name__)

MAX_ENTRIES = 50


def _iso(stamp: str | None) -> str:
    """A store timestamp as RFC 3339 (Atom's date format); now when there is none."""
    moment = store_time(stamp) or datetime.now(timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def feed_title(form: SearchForm, lang: str) -> str:
    """What a feed reader lists the feed as: the words searched (after the site's name) and
    the filters, each as its facet and value in the reader's language ("Library: Hanoi
    Library · Language: Vietnamese"), so that feeds of filters alone are told apart."""
    names = facet_names()
    shown = []
    for f in form.request.filters:
        value = facet_label(home(), f.facet, f.value, lang)
        if f.exclude:
            value = f"{gettext('not')} {value}"
        shown.append(f"{names.get(f.facet, f.facet)}: {value}")
    site = current_app.config["SITE_NAME"]
    if form.typed.strip():
        return " · ".join([f"{site}: {form.typed.strip()}", *shown])
    return " · ".join(shown) or site


@bp.get("/feed.atom")
def atom():
    lang = i18n.choose()
    form = search_form(lang=lang, facets=())
    req = form.request
    if "sort" not in request.args:  # a feed is read newest arrivals first
        req = replace(req, sort="new")
        form = replace(form, request=req)
    if req.limit > MAX_ENTRIES:
        raise QueryError(N_("limit must be between 1 and %(high)s for a feed"),
                         high=MAX_ENTRIES)
    result = backend().search(req)
    entries = []
    for hit in result.hits:
        view = records().cluster(hit.id)
        changed = max((m.last_changed for m in view.members), default=None) if view else None
        main = view.main.record_id if view and view.main else hit.id
        entries.append({"hit": hit, "updated": _iso(changed),
                        "url": url_for("records.record", record_id=main, _external=True)})
    updated = max((e["updated"] for e in entries), default=_iso(None))
    self_url = request.url
    html_url = search_url(form.args(), _external=True)
    body = render_template("feed.xml", result=result, title=feed_title(form, lang),
                           entries=entries, updated=updated, self_url=self_url,
                           html_url=html_url)
    response = Response(body, content_type="application/atom+xml; charset=utf-8")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
