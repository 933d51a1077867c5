"""Web: the reader's site, the JSON API, the partner widget and feeds,
all rendering discovery's one SearchResult.

One blueprint per concern: ``pages`` (search, advanced search, language
switch), ``records`` (record page, staff MARC view, exports), ``api`` (JSON),
``widget`` (embed.js, the iframe page, OpenSearch), ``feeds`` (Atom), ``sru``
(SRU/CQL for partner library systems) and ``oai`` (the OAI-PMH provider).

``create_app(test_config=None)`` takes defaults, then the home named by
``SHEAF_HOME`` (or ``test_config["SHEAF_HOME"]``), then test overrides.
"""

from __future__ import annotations

import os

from flask import Flask, jsonify, request

from discovery.engines import open_search
from discovery.errors import IndexUnavailable, IndexUnreadable
from discovery.records import RecordService
from harvest.config import Home


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(SHEAF_HOME=os.environ.get("SHEAF_HOME") or None,
                            JSON_AS_ASCII=False)
    if test_config:
        app.config.update(test_config)
    home = Home.load(Home.locate(app.config["SHEAF_HOME"]))
    app.config["SITE_NAME"] = home.settings["site_name"]
    app.extensions["sheaf.home"] = home
    app.extensions["sheaf.search"] = open_search(home)
    app.extensions["sheaf.records"] = RecordService(home, app.extensions["sheaf.search"])
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    from . import (admin, admin_clusters, admin_reports, api, browse, delivery,  # noqa: F401
                   display, exports, feeds, i18n, libraries, lists, navigation, oai, pages,
                   parallel, records, security, sru, traffic, widget)
    delivery.init_app(app)   # first: its hook compresses after every other hook has run
    i18n.init_app(app)
    traffic.register("sru", lambda: traffic.sru_counts(sru.traffic()))
    traffic.register("oai", lambda: traffic.oai_counts(oai.traffic()))
    traffic.init_app(app)
    security.init_app(app)
    display.init_app(app)
    navigation.init_app(app)
    libraries.init_app(app)
    parallel.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(records.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(widget.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(sru.bp)
    app.register_blueprint(oai.bp)
    app.register_blueprint(browse.bp)
    app.register_blueprint(libraries.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(lists.bp)

    @app.get("/favicon.ico")
    def favicon():
        """The icon, where browsers look for it on documents that name none (a feed or
        an SRU answer shown as XML): not a 404 in the console and the log."""
        return app.send_static_file("favicon.svg")

    @app.get("/healthz")
    def healthz():
        """Liveness, and a 503 when the live index cannot be read (a damaged file);
        ``?deep=1`` also searches the live generation (503 when that fails)."""
        if request.args.get("deep") not in ("1", "true", "yes"):
            try:
                app.extensions["sheaf.search"].document_count()
            except IndexUnreadable as exc:
                return jsonify(status="error", problems=[str(exc)]), 503
            except IndexUnavailable:
                pass   # no index yet, or one to rebuild: the site is up and says so
            return jsonify(status="ok")
        from discovery.health import probe

        found = probe(app.extensions["sheaf.search"])
        return jsonify(found.to_dict()), (200 if found.ok else 503)

    return app
