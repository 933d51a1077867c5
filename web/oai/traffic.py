"""What the provider answered: requests per verb and error responses per code.

One :class:`Traffic` per process (each server worker counts its own); read it
with :func:`web.oai.traffic`. Requests without a valid verb count under
``(none)``.
"""

from __future__ import annotations

import threading
from collections import Counter


class Traffic:
    def __init__(self):
        self._lock = threading.Lock()
        self._verbs: Counter[str] = Counter()
        self._errors: Counter[str] = Counter()
        self._records = 0

    def count(self, verb: str | None, error: str | None = None, records: int = 0) -> None:
        with self._lock:
            self._verbs[verb or "(none)"] += 1
            if error:
                self._errors[error] += 1
            self._records += records

    def snapshot(self) -> dict:
        """``{"requests": {verb: n}, "errors": {code: n}, "records": n}`` (records and
        headers sent), sorted by name."""
        with self._lock:
            return {"requests": dict(sorted(self._verbs.items())),
                    "errors": dict(sorted(self._errors.items())),
                    "records": self._records}
