"""Response headers every response gets: a Content-Security-Policy without
'unsafe-inline' (pages load only their own static script and style files),
a Referrer-Policy, no MIME sniffing, and no framing except where a view
allows it (the partner iframe) with :func:`allow_framing`.

A response that is data, not a page (XML: feeds, SRU, OAI, MARCXML; JSON; plain
text), gets :data:`DATA_CSP` instead: nothing may run or load from it at all
(``default-src 'none'``), and only the inline styles of the browser's own XML
viewer apply, so a record opened over SRU or OAI in a browser shows as a tree
rather than as a CSP violation (tests/browser/test_hostile.py).

Every redirect target and header value built from a request goes through
:func:`same_site_path` or :func:`header_value`: a same-site path only (no
scheme, host, backslash, control character or whitespace, in the path as
sent or in any of its percent-decoded forms, so ``/%09/evil``, which a
browser reads as ``//evil``, is refused), a header value without control
characters (CR/LF never split a header).
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from flask import g

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
       " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none';"
       " form-action 'self'; frame-ancestors {ancestors}")
DATA_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:;"
            " base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}")
# what the browser shows as a document that is not a page of the site
_DATA_TYPES = ("application/json", "text/plain", "text/xml", "application/xml")
REFERRER_POLICY = "strict-origin-when-cross-origin"


def _unsafe_char(c: str) -> bool:
    """Control, format, separator and whitespace characters: browsers strip or
    misread them (``/<TAB>/evil`` is ``//evil``), and CR/LF would split a header."""
    return c.isspace() or unicodedata.category(c)[0] in ("C", "Z")


# in a decoded form a space is harmless (the browser sees %20), a control character is not
_DECODED_UNSAFE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def _decoded_forms(text: str, rounds: int = 3):
    """``text`` and what it becomes percent-decoded, again and again (double encoding)."""
    yield text
    for _ in range(rounds):
        decoded = unquote(text)
        if decoded == text:
            return
        text = decoded
        yield text


def same_site_path(target: str | None) -> str | None:
    """``target`` when it is a path on this site (``/...``), else None."""
    if not target or len(target) > 2000 or any(_unsafe_char(c) for c in target):
        return None
    path = target.split("?", 1)[0].split("#", 1)[0]
    for form in _decoded_forms(path):
        if (not form.startswith("/") or form.startswith("//") or "\\" in form
                or urlsplit(form).netloc
                or any(unicodedata.category(c) in _DECODED_UNSAFE for c in form)):
            return None
    return target


def header_value(value: str, limit: int = 500) -> str:
    """``value`` fit to be a header value: control characters dropped, at most ``limit``."""
    return "".join(c for c in value if unicodedata.category(c) != "Cc")[:limit]


def allow_framing() -> None:
    """Let any site put this response in an iframe (the widget's iframe mode)."""
    g.allow_framing = True


def _is_data(mimetype: str) -> bool:
    return mimetype in _DATA_TYPES or mimetype.endswith(("+xml", "+json"))


def add_headers(response):
    framing = g.get("allow_framing", False)
    policy = DATA_CSP if _is_data(response.mimetype) else CSP
    response.headers.setdefault("Content-Security-Policy",
                                policy.format(ancestors="*" if framing else "'self'"))
    response.headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if not framing:
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    return response


def init_app(app) -> None:
    app.after_request(add_headers)
