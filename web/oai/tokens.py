"""Resumption tokens that keep no state on the server: the list's whole position, signed.

A token is ``<payload>.<signature>``, both base64url: the payload is compact
JSON holding the verb, metadataPrefix, set, window, the key of the last
record sent (last-changed time, source, local id), the cursor, the list's
size and when the token was issued; the signature is an HMAC-SHA256 of the
payload with the home's ``secret_key``. Any worker, after any restart or
index switch, can go on from a token; a token that was altered, cut short,
made up or is older than ``oai_token_hours`` is refused as
``badResumptionToken``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from harvest.oai.errors import BadResumptionToken

MAX_TOKEN_CHARS = 2000
_SIGNATURE_BYTES = 18


@dataclass(frozen=True, slots=True)
class ListState:
    """Where a list request stands: what it lists and how far it has gone."""

    verb: str                       # ListRecords or ListIdentifiers
    prefix: str
    set_spec: str | None
    after: str                      # the window, as store datestamps (inclusive)
    until: str
    key: tuple[str, str, str]       # the last record sent
    cursor: int                     # records sent before the next page
    size: int                       # completeListSize, counted at the first request


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    def __init__(self, key: bytes, lifetime_seconds: int, clock=time.time):
        self.key = key
        self.lifetime = lifetime_seconds
        self.clock = clock

    def _sign(self, payload: str) -> str:
        digest = hmac.new(self.key, payload.encode("ascii"), hashlib.sha256).digest()
        return _b64(digest[:_SIGNATURE_BYTES])

    def issue(self, state: ListState) -> tuple[str, str]:
        """A token for ``state`` and its expirationDate (UTC, seconds)."""
        issued = int(self.clock())
        body = [state.verb, state.prefix, state.set_spec, state.after, state.until,
                list(state.key), state.cursor, state.size, issued]
        payload = _b64(json.dumps(body, ensure_ascii=False, separators=(",", ":"))
                       .encode("utf-8"))
        expires = datetime.fromtimestamp(issued + self.lifetime, timezone.utc)
        return f"{payload}.{self._sign(payload)}", expires.strftime("%Y-%m-%dT%H:%M:%SZ")

    def read(self, token: str, verb: str) -> ListState:
        """The state a token carries; :class:`BadResumptionToken` for any bad token."""
        if len(token) > MAX_TOKEN_CHARS or not token.isascii():
            raise BadResumptionToken("the resumptionToken is not one this repository issued")
        payload, dot, signature = token.partition(".")
        if not dot or not hmac.compare_digest(self._sign(payload), signature):
            raise BadResumptionToken("the resumptionToken is not one this repository issued"
                                     " (or it was altered)")
        try:
            (tverb, prefix, set_spec, after, until, key, cursor, size,
             issued) = json.loads(_unb64(payload).decode("utf-8"))
            state = ListState(str(tverb), str(prefix), None if set_spec is None else str(set_spec),
                              str(after), str(until), (str(key[0]), str(key[1]), str(key[2])),
                              int(cursor), int(size))
            issued = int(issued)
        except (ValueError, TypeError, IndexError, KeyError, binascii.Error,
                UnicodeDecodeError):
            raise BadResumptionToken("the resumptionToken cannot be read") from None
        if state.verb != verb:
            raise BadResumptionToken(f"the resumptionToken belongs to {state.verb}, not {verb}")
        if issued + self.lifetime < self.clock():
            raise BadResumptionToken("the resumptionToken has expired; start the list again")
        return state
