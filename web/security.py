"""Response headers every response gets: a Content-Security-Policy without
'unsafe-inline' (pages load only their own static script and style files),
a Referrer-Policy, no MIME sniffing, and no framing except where a view
allows it (the partner iframe) with :func:`allow_framing`.
"""

from __future__ import annotations

from flask import g

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
       " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none';"
       " form-action 'self'; frame-ancestors {ancestors}")
REFERRER_POLICY = "strict-origin-when-cross-origin"


def allow_framing() -> None:
    """Let any site put this response in an iframe (the widget's iframe mode)."""
    g.allow_framing = True


def add_headers(response):
    framing = g.get("allow_framing", False)
    response.headers.setdefault("Content-Security-Policy",
                                CSP.format(ancestors="*" if framing else "'self'"))
    response.headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if not framing:
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    return response


def init_app(app) -> None:
    app.after_request(add_headers)
