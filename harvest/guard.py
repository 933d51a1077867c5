"""The deletion guard: a delivery that would delete too much of a member's records is refused.

A member whose export lost half its records (a truncated file, a wrong set, a
broken server) must not silently delete half of the union catalog. Before an
``import --replace``, an OAI-PMH deletion sweep or a page of OAI-PMH deleted
headers writes its tombstones, the number it would delete (for a harvest: so far
in the run) is compared with the source's live records; more than
the ``delete_guard_share`` setting (and more than ``delete_guard_min`` records) is
:class:`DeletionRefused`, and nothing more is deleted until a librarian confirms
(``--allow-deletions``).
"""

from __future__ import annotations

from .config import Home
from .errors import SheafError


class DeletionRefused(SheafError):
    """A run would delete more than ``delete_guard_share`` of a source's records."""

    def __init__(self, message: str, source: str):
        super().__init__(message)
        self.source = source
        self.resumable = False     # True: a harvest run stopped at a page, and resumes there


def check_deletions(home: Home, source: str, live: int, deleting: int, what: str) -> None:
    """Raise :class:`DeletionRefused` when ``deleting`` of ``live`` records is too many."""
    share = float(home.settings["delete_guard_share"])
    if live <= 0 or deleting <= share * live or deleting <= int(home.settings["delete_guard_min"]):
        return
    raise DeletionRefused(
        f"{what} would delete {deleting} of the {live} records of {source}"
        f" ({deleting / live:.0%}; delete_guard_share allows {share:.0%}): nothing deleted."
        " If the member really withdrew them, run it again with --allow-deletions", source)
