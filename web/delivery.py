"""How responses travel: HTML, CSS and JavaScript gzipped for clients that accept it,
and static files fingerprinted so browsers keep them for a year.

Every ``url_for('static', filename=...)`` gets ``?v=<hash of the file's bytes>`` (a
:meth:`Flask.url_defaults` hook, so templates need no change). A request whose ``v`` is
the file's current hash is answered ``Cache-Control: public, max-age=31536000,
immutable``: when the file changes, so does its URL, and pages ask for the new one. A
request without it (or with an old hash) gets a short max-age, since its bytes may change
under the same URL.

Compression uses the standard library's gzip (no package to install): only bodies
of at least :data:`MIN_SIZE` bytes (below that the gzip header outweighs the gain),
never a body already encoded, never a streamed one (its length is unknown and it may be
long-lived), except static files, which are small and read whole. Compressible
responses say ``Vary: Accept-Encoding`` whether or not this one was compressed, so a
shared cache keeps both forms apart.
"""

from __future__ import annotations

import gzip
import hashlib
import os

from flask import current_app, request

MIN_SIZE = 500
COMPRESSIBLE = frozenset({"text/html", "text/css", "text/javascript",
                          "application/javascript"})
# endpoints whose streamed body is a small file on disk, read whole to compress it
FILE_ENDPOINTS = frozenset({"static", "widget.embed_js"})
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
LEVEL = 6

_hashes: dict[str, tuple[tuple[int, int], str]] = {}


def fingerprint(filename: str) -> str | None:
    """The first 12 hex digits of the SHA-256 of a static file's bytes (None if there is no
    such file), computed again whenever its size or modification time changes."""
    folder = current_app.static_folder
    path = os.path.realpath(os.path.join(folder, filename))
    if not path.startswith(os.path.realpath(folder) + os.sep):
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    key = (stat.st_mtime_ns, stat.st_size)
    known = _hashes.get(path)
    if known and known[0] == key:
        return known[1]
    with open(path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()[:12]
    _hashes[path] = (key, digest)
    return digest


def _versioned(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        digest = fingerprint(values["filename"])
        if digest:
            values["v"] = digest


def _cache_static(response):
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return
    filename = (request.view_args or {}).get("filename", "")
    wanted = request.args.get("v")
    fresh = wanted is not None and wanted == fingerprint(filename)
    response.headers["Cache-Control"] = IMMUTABLE if fresh else SHORT


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def _compress(response):
    if response.mimetype not in COMPRESSIBLE:
        return
    response.vary.add("Accept-Encoding")
    if (response.status_code < 200 or response.status_code in (204, 206, 304)
            or "Content-Encoding" in response.headers
            or "Content-Range" in response.headers or not _accepts_gzip()):
        return
    if response.is_streamed:
        if request.endpoint not in FILE_ENDPOINTS:
            return
        response.direct_passthrough = False   # read the file into the body
    body = response.get_data()
    if len(body) < MIN_SIZE:
        return
    response.set_data(gzip.compress(body, compresslevel=LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag:   # the same resource, other bytes: no longer byte-for-byte what the tag named
        response.set_etag(etag, weak=True)


def init_app(app) -> None:
    """Register before the other after-request hooks: Flask runs them in reverse, so the
    body is compressed last, after every other hook has seen it."""
    app.url_defaults(_versioned)

    @app.after_request
    def deliver(response):
        _cache_static(response)
        _compress(response)
        return response
