"""The deletion guard: a delivery that would delete too much of a member's records is refused.

A member whose export lost half its records (a truncated file, a wrong set, a
broken server) must not silently delete half of the union catalog. Before an
``import --replace`` or an OAI-PMH deletion sweep writes its tombstones, the
number it would delete is compared with the source's live records; more than
the ``delete_guard_share`` setting is :class:`DeletionRefused`, and nothing is
deleted until a librarian confirms (``--allow-deletions``).
"""

from __future__ import annotations

from .config import Home
from .errors import SheafError


class DeletionRefused(SheafError):
    """A run would delete more than ``delete_guard_share`` of a source's records."""

    def __init__(self, message: str, source: str):
        super().__init__(message)
        self.source = source


def check_deletions(home: Home, source: str, live: int, deleting: int, what: str) -> None:
    """Raise :class:`DeletionRefused` when ``deleting`` of ``live`` records is too many."""
    share = float(home.settings["delete_guard_share"])
    if live <= 0 or deleting <= share * live:
        return
    raise DeletionRefused(
        f"{what} would delete {deleting} of the {live} records of {source}"
        f" ({deleting / live:.0%}; delete_guard_share allows {share:.0%}): nothing deleted."
        " If the member really withdrew them, run it again with --allow-deletions", source)
