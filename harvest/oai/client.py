"""Talking to one OAI-PMH repository: HTTP transport, retry policy, paging.

:class:`OaiClient` sends a verb and returns a parsed :class:`Page`, or raises
an :mod:`harvest.oai.errors` exception. Every request runs under the
source's :class:`RetryPolicy`:

* 503 or 429 with ``Retry-After`` (seconds or an HTTP date): wait that
  long, never longer than ``retry_cap``;
* 503 without it, other 5xx, 408, connection errors, timeouts, truncated
  or non-XML pages: exponential backoff with full jitter;
* at most ``max_tries`` tries, then :class:`FetchFailed` saying what the
  last failure was.

Waiting goes through the injectable ``sleep``, ``clock`` and ``rng`` so that
tests drive the real retry code over real sockets without waiting.
:meth:`OaiClient.pages` hides resumption tokens; the ``list_*`` methods
hide pages too.
"""

from __future__ import annotations

import http.client
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass
from email.message import Message
from email.utils import parsedate_to_datetime
from typing import Callable, Iterator

from .errors import (BadPage, ConnectionFailed, HttpStatusError, NoSetHierarchy,
                     RepeatedResumptionToken, ServerUnavailable)
from .protocol import Identify, MetadataFormat, NotOaiXml, OaiSet, Page, Record, parse_page

USER_AGENT = "Sheaf/0.1 (OAI-PMH harvester)"
MAX_PAGE_BYTES = 256 << 20
RETRY_STATUSES = frozenset({408, 429})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one request. ``backoff(n)`` is the wait after the n-th failure."""

    max_tries: int = 6
    timeout: float = 60.0          # seconds for connecting and for each read
    retry_cap: float = 600.0       # longest Retry-After honoured
    backoff_first: float = 2.0     # upper bound of the first backoff
    backoff_max: float = 300.0     # upper bound of any backoff

    @classmethod
    def for_source(cls, source) -> "RetryPolicy":
        return cls(max_tries=source.max_tries, timeout=source.timeout,
                   retry_cap=source.retry_cap)

    def backoff_bound(self, failures: int) -> float:
        return min(self.backoff_max, self.backoff_first * 2 ** (failures - 1))

    def backoff(self, failures: int, rng: random.Random) -> float:
        """Full jitter: uniform between half the bound and the bound."""
        bound = self.backoff_bound(failures)
        return rng.uniform(bound / 2, bound)


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or HTTP-date), or None."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: Message
    body: bytes


class TransportFailure(Exception):
    """No complete HTTP response: refused, reset, timed out, cut short."""


class PageTooLarge(TransportFailure):
    """A page over the size cap, counted after decompression (a gzip bomb is one).

    Not retried: the server would send the same page again. ``head`` is the
    start of the page, kept in ``bad-pages/``."""

    def __init__(self, message: str, head: bytes):
        super().__init__(message)
        self.head = head


CHUNK = 64 << 10
HEAD_BYTES = 64 << 10
ENCODINGS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS,
             "deflate": zlib.MAX_WBITS}


class _Inflater:
    """Decompresses a body piece by piece, never more than ``room`` bytes at a time.

    ``deflate`` is zlib-wrapped by the RFC, but some servers send raw deflate:
    the first bytes decide."""

    def __init__(self, encoding: str):
        self.encoding = encoding
        self.wbits = ENCODINGS[encoding]
        self.engine = zlib.decompressobj(self.wbits)
        self.started = False

    def feed(self, data: bytes, room: int) -> Iterator[bytes]:
        if not self.started and self.encoding == "deflate" and data:
            self.started = True
            try:
                zlib.decompressobj(self.wbits).decompress(data[:CHUNK], 1)
            except zlib.error:
                self.engine = zlib.decompressobj(-zlib.MAX_WBITS)
        while data:
            out = self.engine.decompress(data, room + 1)
            yield out
            data = self.engine.unconsumed_tail
            if not out and data:  # pragma: no cover - zlib always progresses with room
                break

    def flush(self) -> bytes:
        return self.engine.flush()


class HttpTransport:
    """GET over urllib (stdlib only); every HTTP status comes back as a response.

    ``max_bytes`` caps a page as decompressed (gzip and deflate bodies are
    inflated as they arrive, so a page that would inflate past the cap is
    refused after reading only the cap) and, for bodies sent as they are,
    what is read from the socket."""

    def __init__(self, user_agent: str = USER_AGENT, max_bytes: int = MAX_PAGE_BYTES):
        self.user_agent = user_agent
        self.max_bytes = max_bytes

    def get(self, url: str, timeout: float) -> HttpResponse:
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent,
                                                       "Accept-Encoding":
                                                       "gzip, deflate, identity"})
        try:
            try:
                with urllib.request.urlopen(request, timeout=timeout) as resp:
                    status, headers = resp.status, resp.headers
                    body = self._read(resp, headers)
            except urllib.error.HTTPError as err:
                with err:
                    status, headers = err.code, err.headers
                    body = self._read(err, headers)
        except urllib.error.URLError as exc:
            raise TransportFailure(f"cannot connect: {exc.reason}") from None
        except (socket.timeout, TimeoutError):
            raise TransportFailure(f"no answer within {timeout:g} s") from None
        except http.client.IncompleteRead as exc:
            raise TransportFailure(f"connection closed after {len(exc.partial)} bytes of the"
                                   " page") from None
        except (http.client.HTTPException, OSError) as exc:
            raise TransportFailure(f"connection failed: {exc.__class__.__name__}: {exc}") from None
        return HttpResponse(status, headers, body)

    def _read(self, resp, headers) -> bytes:
        encoding = (headers.get("Content-Encoding") or "identity").strip().lower()
        if encoding not in ENCODINGS:
            body = resp.read(self.max_bytes + 1)
            if len(body) > self.max_bytes:
                raise PageTooLarge(f"page larger than {self.max_bytes} bytes",
                                   body[:HEAD_BYTES])
            return body
        inflater = _Inflater(encoding)
        parts: list[bytes] = []
        size = sent = 0
        try:
            while True:
                chunk = resp.read(CHUNK)
                sent += len(chunk)
                if sent > self.max_bytes:
                    raise PageTooLarge(f"{encoding} page larger than {self.max_bytes} bytes"
                                       " as sent", b"".join(parts)[:HEAD_BYTES])
                pieces = inflater.feed(chunk, self.max_bytes - size) if chunk \
                    else iter([inflater.flush()])
                for piece in pieces:
                    size += len(piece)
                    if size > self.max_bytes:
                        head = (b"".join(parts) + piece[:HEAD_BYTES])[:HEAD_BYTES]
                        raise PageTooLarge(
                            f"page larger than {self.max_bytes} bytes once decompressed"
                            f" ({encoding}, refused after {sent} bytes sent)", head)
                    parts.append(piece)
                if not chunk:
                    return b"".join(parts)
        except zlib.error as exc:
            raise TransportFailure(f"broken {encoding} body: {exc}") from None


@dataclass(frozen=True, slots=True)
class RetryNotice:
    """Told to ``on_retry`` before each wait."""

    url: str
    failures: int
    reason: str
    wait: float


class OaiClient:
    """One repository. ``on_bad_page(url, raw, reason)`` receives pages that needed repair
    or could not be read; ``on_retry(RetryNotice)`` each retry."""

    def __init__(self, base_url: str, policy: RetryPolicy | None = None, *,
                 transport: HttpTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time,
                 rng: random.Random | None = None,
                 on_retry: Callable[[RetryNotice], None] | None = None,
                 on_bad_page: Callable[[str, bytes, str], None] | None = None):
        self.base_url = base_url
        self.policy = policy or RetryPolicy()
        self.transport = transport or HttpTransport()
        self.sleep = sleep
        self.clock = clock
        self.rng = rng or random.Random()
        self.on_retry = on_retry
        self.on_bad_page = on_bad_page
        self.retries = 0

    def url_for(self, params: dict[str, str]) -> str:
        joiner = "&" if "?" in self.base_url else "?"
        return self.base_url + joiner + urllib.parse.urlencode(
            {k: v for k, v in params.items() if v is not None})

    def request(self, verb: str, **params: str | None) -> Page:
        """One verb, retried under the policy; OAI errors raise their own class."""
        url = self.url_for({"verb": verb, **params})
        policy = self.policy
        failure: type = ConnectionFailed
        for attempt in range(1, policy.max_tries + 1):
            wait = None
            raw = status = None
            try:
                response = self.transport.get(url, policy.timeout)
            except PageTooLarge as exc:
                if self.on_bad_page is not None:
                    self.on_bad_page(url, exc.head, str(exc))
                raise BadPage(url, attempt, str(exc)) from None
            except TransportFailure as exc:
                failure, reason = ConnectionFailed, str(exc)
            else:
                status = response.status
                if status == 503 or status in RETRY_STATUSES or status >= 500:
                    failure, reason = ServerUnavailable, f"HTTP {status}"
                    asked = retry_after(response.headers.get("Retry-After"), self.clock())
                    if asked is not None and status in (503, 429):
                        wait = min(asked, policy.retry_cap)
                        reason += f" with Retry-After {response.headers.get('Retry-After')}"
                else:
                    raw = response.body
                    try:
                        page = parse_page(raw, url)
                        if not page.errors:
                            page.payload(verb)   # a page cut before its payload is retried
                    except NotOaiXml as exc:
                        if 400 <= status < 500:
                            raise HttpStatusError(url, status) from None
                        failure, reason = BadPage, str(exc)
                    else:
                        if page.fixes and self.on_bad_page is not None:
                            self.on_bad_page(url, raw, "; ".join(page.fixes))
                        page.raise_for_error()
                        if status >= 400:
                            raise HttpStatusError(url, status)
                        return page
            if attempt == policy.max_tries:
                if raw is not None and self.on_bad_page is not None:
                    self.on_bad_page(url, raw, reason)
                raise failure(url, attempt, reason, status)
            if wait is None:
                wait = policy.backoff(attempt, self.rng)
            self.retries += 1
            if self.on_retry is not None:
                self.on_retry(RetryNotice(url, attempt, reason, wait))
            self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def pages(self, verb: str, token: str | None = None, **params: str | None) -> Iterator[Page]:
        """Every page of a list verb, following resumption tokens.

        With ``token`` the listing resumes there (``params`` are then not
        sent, as the protocol requires). Each page's ``next_token`` is the
        request that follows it, ``None`` on the last page.
        """
        seen: set[str] = set()
        while True:
            if token is not None:
                seen.add(token)
                page = self.request(verb, resumptionToken=token)
            else:
                page = self.request(verb, **params)
            following = page.token(verb)
            page.next_token = following.value if following else None
            page.cursor = following.cursor if following else None
            page.complete_list_size = following.complete_list_size if following else None
            if page.next_token is not None and page.next_token in seen:
                raise RepeatedResumptionToken(
                    f"{self.base_url} sent the resumptionToken {page.next_token!r} again;"
                    " stopped to avoid looping")
            yield page
            if page.next_token is None:
                return
            token = page.next_token

    # -- one method per verb, sickle-style ---------------------------------

    def identify(self) -> Identify:
        return self.request("Identify").identify()

    def list_metadata_formats(self, identifier: str | None = None) -> list[MetadataFormat]:
        return list(self.request("ListMetadataFormats", identifier=identifier).metadata_formats())

    def list_sets(self) -> Iterator[OaiSet]:
        try:
            for page in self.pages("ListSets"):
                yield from page.sets()
        except NoSetHierarchy:
            return

    def list_records(self, prefix: str, **params: str | None) -> Iterator[Record]:
        for page in self.pages("ListRecords", metadataPrefix=prefix, **params):
            yield from page.records()

    def list_identifiers(self, prefix: str, **params: str | None):
        for page in self.pages("ListIdentifiers", metadataPrefix=prefix, **params):
            yield from page.headers()

    def get_record(self, identifier: str, prefix: str) -> Record:
        return self.request("GetRecord", identifier=identifier, metadataPrefix=prefix).record()
