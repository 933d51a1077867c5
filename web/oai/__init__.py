"""The OAI-PMH 2.0 provider at ``/oai``: the member records of the store, for harvesters.

The blueprint reads the arguments of a GET query or a POST form
(:mod:`.args`), answers them from the record store (:mod:`.verbs`: never the
index, so a harvester sees a change as soon as the store has it) and writes
the response (:mod:`.response`). Every protocol error is an OAI-PMH
``<error>`` with HTTP 200, logged on the ``web.oai`` logger; a store that
cannot be read is a 503 with ``Retry-After``. :func:`traffic` gives this
process's counts of requests per verb and errors per code.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException

from harvest.errors import StoreError
from harvest.oai.errors import BadArgument, OaiError
from harvest.store import RecordStore

from ..admin import secret_key
from ..common import home
from . import response as xml
from .args import parse_request
from .tokens import TokenSigner
from .traffic import Traffic
from .verbs import Provider

bp = Blueprint("oai", __name__)
log = logging.getLogger(__name__)
TRAFFIC = Traffic()
_SIGNER_LOCK = threading.Lock()
_ECHO_LIMIT = 200       # characters of a bad request quoted in the log


def traffic() -> dict:
    """This process's OAI-PMH traffic: requests per verb, errors per code, records sent."""
    return TRAFFIC.snapshot()


def _signer() -> TokenSigner:
    signer = current_app.extensions.get("sheaf.oai.signer")
    if signer is None:
        with _SIGNER_LOCK:
            signer = current_app.extensions.get("sheaf.oai.signer")
            if signer is None:
                key = ""
                for _ in range(50):     # another worker may be writing the new key file
                    key = secret_key(home())
                    if key:
                        break
                    time.sleep(0.02)
                if not key:
                    raise StoreError("the home's secret_key is empty")
                hours = int(home().settings["oai_token_hours"])
                signer = TokenSigner(("oai-pmh resumption token:" + key).encode(), hours * 3600)
                current_app.extensions["sheaf.oai.signer"] = signer
    return signer


def _pairs() -> list[tuple[str, str]]:
    pairs = list(request.args.items(multi=True))
    if request.method == "POST":
        pairs += list(request.form.items(multi=True))
    return pairs


def _xml(body: bytes) -> Response:
    return Response(body, content_type="text/xml; charset=utf-8")


@bp.route("/oai", methods=["GET", "POST"])
def endpoint():
    base_url = request.base_url
    verb, echo = None, None
    try:
        try:
            pairs = _pairs()
        except HTTPException as exc:    # a form too large or unreadable
            raise BadArgument(f"the request cannot be read ({exc.name})") from None
        req = parse_request(pairs)
        verb, echo = req.verb, {"verb": req.verb, **req.args}
        with RecordStore(home().store_path) as store:
            provider = Provider(home(), store, base_url, _signer())
            body = provider.answer(req)
    except OaiError as exc:
        if exc.code in ("badVerb", "badArgument"):
            echo = None
        TRAFFIC.count(verb, exc.code)
        log.warning("OAI-PMH %s: %s (request: %s)", exc.code, exc.message,
                    request.query_string[:_ECHO_LIMIT].decode("ascii", "replace")
                    or request.method)
        return _xml(xml.envelope(base_url, echo, [xml.error(exc.code, exc.message)]))
    except (StoreError, sqlite3.Error) as exc:
        TRAFFIC.count(verb, "storeUnavailable")
        log.error("OAI-PMH %s: the record store cannot be read: %s", verb, exc)
        return Response("The record store cannot be read just now; try again later.\n",
                        status=503, content_type="text/plain; charset=utf-8",
                        headers={"Retry-After": "60"})
    TRAFFIC.count(verb, None, provider.sent)
    return _xml(xml.envelope(base_url, echo, body))
