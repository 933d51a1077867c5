"""A small JSON client of SolrCloud's HTTP API (urllib only), failing over between nodes.

Every request goes to one node of the cluster; when it does not answer, the
next live node is tried, so one stopped node costs no request:

* the nodes are the URLs of ``solr_url`` (one, or several separated by commas)
  and the cluster's own ``live_nodes``, learned at the first answer and again
  after every failure, so the client can fail over even when the node of the
  first URL is the one that is down; what is learned is shared by every client
  of the same ``solr_url`` in the process. A process that starts while the
  first URL's node is down reaches the cluster through the next URL given;
  with only one, through what an earlier client of the process learned;
* a node that did not answer is tried last for :data:`RETRY_DOWN` seconds
  (a dead host costs one connect, or one timeout, not one per request), then
  in its place again; one that answers is back at once;
* a node that answers 502, 503 or 504 (up, but it cannot serve the request
  now: "no active servers hosting shard") is not marked, the next one is
  asked.

A cluster that no node serves is :class:`EngineUnavailable` (the site's 503),
naming what each node said; an answer Solr gives as an error is
:class:`SolrError` with Solr's own message.

One workaround of Solr itself lives here: a tolerant search
(``shards.tolerant=true``) with refined JSON facets fails with a 500 when a
shard has no live replica (Solr 9.10: a NullPointerException in
``FacetMerger.Context.setShard``, the refinement phase looking up the shard
that did not answer). Such a search is asked again once with the facets'
refinement off, and that answer is used when Solr says it is partial
(``responseHeader.partialResults``): the reader gets the results of the
shards that answered, marked partial, instead of an error.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import threading
import time
from contextlib import contextmanager
import time
import urllib.error
import urllib.parse
import urllib.request

from discovery.errors import EngineUnavailable

RETRY_DOWN = 30.0    # seconds a node that did not answer is tried after the others
LEARN_TIMEOUT = 5.0  # seconds the live nodes may take to be read


class SolrError(EngineUnavailable):
    """An error Solr answers with (a bad request, a missing collection): the cluster is up."""

    def __init__(self, status: int, message: str):
        super().__init__(f"Solr answered {status}: {message}")
        self.status = status
        self.solr_message = message


class _NoAnswer(Exception):
    """The node did not answer (refused, reset, timed out, not Solr's JSON)."""


class _Unserved(Exception):
    """The node answered 502/503/504: it is up but cannot serve this request now."""


class _Nodes:
    """What the clients of one ``solr_url`` know of its cluster (one per process)."""

    def __init__(self, seeds: list[str]):
        self.seeds = seeds
        self.urls = list(seeds)
        self.down: dict[str, float] = {}   # node -> when it last did not answer
        self.learned = False
        self.lock = threading.Lock()


_log = logging.getLogger("sheaf")
_KNOWN: dict[str, _Nodes] = {}
_KNOWN_LOCK = threading.Lock()


def _known(seeds: list[str]) -> _Nodes:
    with _KNOWN_LOCK:
        return _KNOWN.setdefault(" ".join(seeds), _Nodes(seeds))


def seed_urls(url: str) -> list[str]:
    """The node URLs of a ``solr_url`` setting: one, or several separated by commas or
    spaces (so a process starting while the first is down still reaches the cluster)."""
    seeds = [u.rstrip("/") for u in re.split(r"[,\s]+", url.strip()) if u]
    if not seeds:
        raise ValueError("solr_url names no node")
    return list(dict.fromkeys(seeds))


class SolrClient:
    def __init__(self, url: str, timeout: float = 10.0):
        seeds = seed_urls(url)
        self.base = seeds[0]
        self.timeout = float(timeout)
        self._known = _known(seeds)
        self._until = threading.local()   # this thread's end of time (within())

    @contextmanager
    def within(self, seconds: float):
        """Every request of this thread inside the block ends ``seconds`` from now, its
        failovers included: a search's deadline bounds the HTTP waits it causes, however
        many nodes hang (``engine_timeout`` alone bounds each attempt, not their sum)."""
        before = getattr(self._until, "end", None)
        end = time.monotonic() + seconds
        self._until.end = end if before is None else min(before, end)
        try:
            yield
        finally:
            self._until.end = before

    # -- requests -------------------------------------------------------------

    def get(self, path: str, params: dict | list | None = None, timeout: float | None = None):
        query = urllib.parse.urlencode(params or {}, doseq=True)
        return self._request("GET", path + ("?" + query if query else ""), None, None, timeout)

    def post_json(self, path: str, body, params: dict | None = None,
                  timeout: float | None = None):
        query = urllib.parse.urlencode(params or {}, doseq=True)
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return self._request("POST", path + ("?" + query if query else ""), data,
                             "application/json", timeout)

    def post_bytes(self, path: str, data: bytes, params: dict | None = None,
                   content_type: str = "application/octet-stream", timeout: float | None = None):
        query = urllib.parse.urlencode(params or {}, doseq=True)
        return self._request("POST", path + ("?" + query if query else ""), data, content_type,
                             timeout)

    def _request(self, method: str, path: str, data: bytes | None, content_type: str | None,
                 timeout: float | None):
        try:
            return self._failing_over(method, path, data, content_type, timeout)
        except SolrError as exc:
            unrefined = _without_refinement(method, path, data, exc)
            if unrefined is None:
                raise
            try:
                found = self._failing_over(method, path, unrefined, content_type, timeout)
            except EngineUnavailable:
                found = {}
            if not (found.get("responseHeader") or {}).get("partialResults"):
                raise exc from None   # not the missing-shard failure: Solr's own error stands
            return found

    def _failing_over(self, method: str, path: str, data: bytes | None,
                      content_type: str | None, timeout: float | None):
        failures: list[str] = []
        answered = False
        silent: set[str] = set()   # the nodes that did not answer this request
        for attempt in range(2):   # the known nodes, then the nodes the cluster names now
            for node in self._order():
                if node in silent:
                    continue
                end = getattr(self._until, "end", None)
                attempt_timeout = timeout or self.timeout
                if end is not None:
                    left = end - time.monotonic()
                    if left <= 0:
                        raise EngineUnavailable("SolrCloud did not answer within the time"
                                                " the search had")
                    attempt_timeout = min(attempt_timeout, left)
                try:
                    found = self._once(node, method, path, data, content_type, attempt_timeout)
                except _NoAnswer as exc:
                    self._mark(node, down=True)
                    silent.add(node)
                    failures.append(f"{node}: {exc}")
                    continue
                except _Unserved as exc:
                    answered = True
                    failures.append(f"{node}: {exc}")
                    continue
                self._mark(node, down=False)
                if not self._known.learned:
                    self._refresh_nodes()
                return found
            if attempt == 0 and not self._refresh_nodes(skip=silent):
                break
        # readers see what failed, not the cluster's internal addresses: those go to the log
        said = "; ".join(dict.fromkeys(f.split(": ", 1)[-1] for f in failures))
        _log.warning("SolrCloud request %s %s failed: %s", method, path.split("?", 1)[0],
                     "; ".join(failures))
        if answered:
            raise EngineUnavailable(f"SolrCloud cannot serve the request now ({said})")
        raise EngineUnavailable(f"SolrCloud does not answer ({said})")

    def _once(self, node: str, method: str, path: str, data: bytes | None,
              content_type: str | None, timeout: float | None):
        req = urllib.request.Request(node + path, data=data, method=method)
        if content_type:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout) as resp:
                body = resp.read()
        except urllib.error.HTTPError as exc:
            try:
                body = exc.read()
            except (OSError, http.client.HTTPException):
                body = b""
            try:
                message = json.loads(body)["error"]["msg"] or exc.reason
            except (ValueError, KeyError, TypeError):   # not Solr's JSON (a proxy's page)
                message = exc.reason or body[:120].decode("utf-8", "replace")
            if exc.code in (502, 503, 504):   # a node that is up but cannot serve: try another
                raise _Unserved(f"{exc.code} {message}") from None
            raise SolrError(exc.code, str(message)) from None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            # refused, reset, timed out (a ValueError: a URL urllib cannot open)
            reason = getattr(exc, "reason", None) or exc
            raise _NoAnswer(str(reason) or type(exc).__name__) from None
        try:
            return json.loads(body)
        except ValueError:
            raise _NoAnswer("the answer is not Solr's JSON: "
                            + repr(body[:80].decode("utf-8", "replace"))) from None

    # -- the nodes ------------------------------------------------------------

    def _order(self) -> list[str]:
        """The nodes to try: the base first, the others as the cluster named them, and
        those that did not answer lately last."""
        now = time.monotonic()
        known = self._known
        with known.lock:
            nodes = list(known.urls)
            down = {n: t for n, t in known.down.items() if now - t < RETRY_DOWN}
        return [n for n in nodes if n not in down] + sorted(
            (n for n in nodes if n in down), key=down.get)

    def _mark(self, node: str, down: bool) -> None:
        known = self._known
        with known.lock:
            if down:
                known.down[node] = time.monotonic()
            else:
                known.down.pop(node, None)

    def _refresh_nodes(self, skip: set[str] = frozenset()) -> bool:
        """Learn the live nodes from any node that answers (not asking those in ``skip``,
        which just did not); True if the list changed."""
        for node in self._order():
            if node in skip:
                continue
            try:
                state = self._once(node, "GET", "/admin/collections?action=CLUSTERSTATUS"
                                   "&wt=json", None, None, min(self.timeout, LEARN_TIMEOUT))
            except (_NoAnswer, _Unserved, SolrError):   # this node cannot tell: the next one
                continue
            live = (state.get("cluster") or {}).get("live_nodes") or []
            scheme = urllib.parse.urlsplit(self.base).scheme or "http"
            nodes = [_node_url(scheme, name) for name in live]
            known = self._known
            with known.lock:
                known.learned = True
                before = set(known.urls)
                known.urls = list(dict.fromkeys(known.seeds + nodes))
                return set(known.urls) != before
        return False

    # -- the Collections and Configsets APIs ----------------------------------

    def collections(self, **params):
        return self.get("/admin/collections", {"wt": "json", **params}, timeout=180)

    def cluster_status(self) -> dict:
        return self.collections(action="CLUSTERSTATUS").get("cluster", {})

    def collection_names(self) -> list[str]:
        return self.collections(action="LIST").get("collections", [])

    def aliases(self) -> dict[str, str]:
        return self.collections(action="LISTALIASES").get("aliases", {})

    def configsets(self) -> list[str]:
        return self.get("/admin/configs", {"action": "LIST", "wt": "json"}).get("configSets", [])


def _node_url(scheme: str, node_name: str) -> str:
    """``127.0.0.1:8983_solr`` (host:port, then the URL-encoded context) as a base URL."""
    address, _, context = node_name.partition("_")
    return f"{scheme}://{address}/{urllib.parse.unquote(context)}".rstrip("/")


def _without_refinement(method: str, path: str, data: bytes | None,
                        error: SolrError) -> bytes | None:
    """The body of a tolerant JSON-facet search that Solr failed with a 500, its facets'
    refinement turned off; None for any other request or error."""
    if error.status != 500 or method != "POST" or not data \
            or not path.split("?", 1)[0].endswith("/select"):
        return None
    try:
        body = json.loads(data)
        params = body["params"]
        if str(params.get("shards.tolerant", "")).lower() != "true" \
                or not params.get("json.facet"):
            return None
        facets = params["json.facet"]
        facets = json.loads(facets) if isinstance(facets, str) else facets
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not _drop_refine(facets):
        return None
    return json.dumps({**body, "params": {**params, "json.facet": json.dumps(facets)}},
                      ensure_ascii=False).encode("utf-8")


def _drop_refine(facets) -> bool:
    """Turn ``refine`` off in every facet and sub-facet; True if one had it on."""
    changed = False
    if isinstance(facets, dict):
        if facets.get("refine") not in (None, False, "false", "none"):
            facets["refine"] = False
            changed = True
        for value in facets.values():
            changed = _drop_refine(value) or changed
    return changed
