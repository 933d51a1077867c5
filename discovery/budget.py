"""The budget of one search: caps on the size of a query, and a deadline.

A query is checked once, where it is parsed (:func:`check_text` on what was
typed, :func:`check_tree` on the tree every front end compiles: the site,
the API, the widget, OpenSearch, SRU's CQL and ``sheaf search``), so every
front end refuses the same queries with the same :class:`QueryTooLarge`, a
400 saying which limit was passed. The caps are settings
(``max_query_chars``, ``max_query_words``, ``max_query_clauses``,
``max_token_chars``, ``min_prefix_chars``, ``max_prefix_terms``); the last
one is counted by the engine, which alone knows how many indexed words a
prefix such as ``ab*`` stands for.

A :class:`Deadline` is made for every search (``search_deadline`` seconds)
and checked by the engine between and inside its stages (matching,
ranking, facets, highlighting, did-you-mean); past it the search stops
with :class:`SearchTimeout`, a 503, instead of holding a worker. The wait for the
engine's searcher, which a worker's threads take in turns, is inside the deadline
(:func:`take_turn`), and so are record lookups and "more like this".
"""

from __future__ import annotations

import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass

from . import query as q
# QueryTooLarge lives in .errors (the parser raises it too); callers import it from here
from .errors import IndexUnavailable, QueryTooLarge  # noqa: F401


class SearchTimeout(IndexUnavailable):
    """A search that ran past its deadline and was stopped: a 503 wherever the index
    being unavailable is one (try again, with a narrower query)."""

    def __init__(self, seconds: float, stage: str):
        super().__init__(f"the search took longer than {seconds:g} s and was stopped"
                         f" ({stage}); try fewer or more specific words")
        self.seconds = seconds
        self.stage = stage


@dataclass(frozen=True)
class Limits:
    """The caps of one query (see the settings of the same names)."""

    chars: int = 500
    words: int = 32
    clauses: int = 16
    token_chars: int = 64
    min_prefix: int = 3
    prefix_terms: int = 300

    @classmethod
    def from_settings(cls, settings: dict) -> "Limits":
        return cls(chars=int(settings["max_query_chars"]),
                   words=int(settings["max_query_words"]),
                   clauses=int(settings["max_query_clauses"]),
                   token_chars=int(settings["max_token_chars"]),
                   min_prefix=int(settings["min_prefix_chars"]),
                   prefix_terms=int(settings["max_prefix_terms"]))


def check_text(text: str, limits: Limits) -> None:
    """What was typed, before it is parsed: at most ``limits.chars`` characters."""
    if len(text or "") > limits.chars:
        raise QueryTooLarge("chars", limits.chars,
                            f"the query is too long: at most {limits.chars} characters")


def check_tree(tree, limits: Limits) -> None:
    """A parsed query: words, boolean operands, word length and prefix length."""
    words, clauses = 0, 0
    for node, operand in _leaves(tree):
        clauses += operand
        if isinstance(node, q.Text):
            parts = node.text.split()
        elif isinstance(node, q.Value):
            parts = [node.value]
        else:
            parts = []
        words += len(parts)
        for part in parts:
            if len(part) > limits.token_chars:
                raise QueryTooLarge("token", limits.token_chars,
                                    f"a word of the query is too long: at most"
                                    f" {limits.token_chars} characters", part[:40])
        if isinstance(node, q.Text) and node.prefix and len(node.text) < limits.min_prefix:
            raise QueryTooLarge("prefix", limits.min_prefix,
                                f"{node.text}* is too short to truncate: type at least"
                                f" {limits.min_prefix} letters before *", node.text)
    if words > limits.words:
        raise QueryTooLarge("words", limits.words,
                            f"the query has too many words: at most {limits.words}")
    if clauses > limits.clauses:
        raise QueryTooLarge("clauses", limits.clauses,
                            f"the query has too many OR and NOT parts: at most {limits.clauses}")


def _leaves(node, operand: int = 0):
    """(leaf, 1 if it is the first leaf of an OR operand or of a NOT else 0) for each leaf."""
    if isinstance(node, q.Or):
        for item in node.items:
            yield from _leaves(item, 1)
    elif isinstance(node, q.Not):
        yield from _leaves(node.item, 1)
    elif isinstance(node, q.And):
        for i, item in enumerate(node.items):
            yield from _leaves(item, operand if i == 0 else 0)
    elif node is not None:
        yield node, operand


def too_many_prefix_terms(limits: Limits) -> QueryTooLarge:
    """What an engine raises when the query's prefixes stand for more indexed words than
    ``limits.prefix_terms``."""
    return QueryTooLarge("prefix_terms", limits.prefix_terms,
                         f"the truncated words (*) of the query match too many words: at"
                         f" most {limits.prefix_terms}; type more letters before *")


class Deadline:
    """The time one search may take, checked by the engine between its stages."""

    def __init__(self, seconds: float, clock=time.monotonic):
        self.seconds = seconds
        self._clock = clock
        self.end = clock() + seconds

    def remaining(self) -> float:
        return self.end - self._clock()

    def expired(self) -> bool:
        return self._clock() >= self.end

    def check(self, stage: str) -> None:
        """SearchTimeout when the time is up, naming the stage that found it."""
        if self._clock() >= self.end:
            raise SearchTimeout(self.seconds, stage)


NO_DEADLINE = Deadline(float("inf"))


class Turns:
    """A reentrant lock whose waiters get it in the order they asked: the searcher a
    worker's threads take in turns. ``threading.RLock`` lets a thread that has just
    released it take it straight back, so a page that asks three times (its record, its
    neighbours, similar records) queued three times, and some requests waited far longer
    than the queue was long (issue 17: at 250,000 records and 32 readers, 14 of 27,285
    requests waited past the 2 s deadline while the median waited 0.6 s)."""

    def __init__(self):
        self._cond = threading.Condition(threading.Lock())
        self._owner: int | None = None
        self._depth = 0
        self._queue: deque[object] = deque()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        me = threading.get_ident()
        with self._cond:
            if self._owner == me:
                self._depth += 1
                return True
            if self._owner is None and not self._queue:
                self._owner, self._depth = me, 1
                return True
            if not blocking:
                return False
            ticket = object()
            self._queue.append(ticket)
            end = None if timeout < 0 else time.monotonic() + timeout
            while self._owner is not None or self._queue[0] is not ticket:
                left = None if end is None else end - time.monotonic()
                if left is not None and left <= 0:
                    self._queue.remove(ticket)
                    self._cond.notify_all()      # the one behind may be first now
                    return False
                self._cond.wait(left)
            self._queue.popleft()
            self._owner, self._depth = me, 1
            return True

    def release(self) -> None:
        with self._cond:
            if self._owner != threading.get_ident():
                raise RuntimeError("released by a thread that does not hold it")
            self._depth -= 1
            if not self._depth:
                self._owner = None
                self._cond.notify_all()

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


@contextmanager
def take_turn(lock, deadline: Deadline, stage: str = "waiting for the searcher"):
    """Hold ``lock`` (an engine's, which a worker's threads take in turns) for a block,
    waiting no longer than ``deadline`` allows: a request still waiting at its deadline
    stops with :class:`SearchTimeout`, instead of starting late (issue 17: with 16 threads
    a worker, a record page waited 13 s behind the searches of the others)."""
    wait = deadline.remaining()
    if wait >= threading.TIMEOUT_MAX:        # no deadline
        got = lock.acquire()
    elif wait > 0:
        got = lock.acquire(timeout=wait)
    else:
        got = lock.acquire(blocking=False)
    if not got:
        raise SearchTimeout(deadline.seconds, stage)
    try:
        yield
    finally:
        lock.release()
