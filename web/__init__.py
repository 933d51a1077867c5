"""Web: the reader's site and the JSON API, rendering discovery's SearchResult.

``create_app(test_config=None)`` takes defaults, then the home named by
``SHEAF_HOME`` (or ``test_config["SHEAF_HOME"]``), then test overrides.
"""

from __future__ import annotations

import os

from flask import Flask, jsonify

from discovery.backend import WhooshBackend
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
    app.extensions["sheaf.backend"] = WhooshBackend(home)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    from . import api, pages
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    return app
