"""ISBN normalisation: every valid ISBN is indexed as both ISBN-13 and ISBN-10."""

from __future__ import annotations

import re

_CANDIDATE = re.compile(r"(?<![0-9Xx])((?:97[89][\s-]?)?(?:[0-9][\s-]?){9}[0-9Xx])(?![0-9Xx])")


def _isbn10_ok(d: str) -> bool:
    total = sum((10 - i) * (10 if c in "Xx" else int(c)) for i, c in enumerate(d))
    return total % 11 == 0


def _isbn13_check(d12: str) -> str:
    total = sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(d12))
    return str((10 - total % 10) % 10)


def to_isbn13(isbn10: str) -> str:
    core = "978" + isbn10[:9]
    return core + _isbn13_check(core)


def to_isbn10(isbn13: str) -> str | None:
    if not isbn13.startswith("978"):
        return None
    core = isbn13[3:12]
    total = sum((10 - i) * int(c) for i, c in enumerate(core))
    check = (11 - total % 11) % 11
    return core + ("X" if check == 10 else str(check))


def normalize(text: str) -> tuple[str | None, str | None]:
    """(ISBN-13, ISBN-10) for the first valid ISBN in ``text``; Nones if there is none."""
    for m in _CANDIDATE.finditer(text):
        digits = re.sub(r"[\s-]", "", m.group(1)).upper()
        if len(digits) == 10 and _isbn10_ok(digits):
            return to_isbn13(digits), digits
        if len(digits) == 13 and digits.isdigit() and _isbn13_check(digits[:12]) == digits[12]:
            return digits, to_isbn10(digits)
    return None, None


def search_forms(text: str) -> list[str]:
    """Index terms for an ISBN typed by a user or found in a record: 13 and 10 forms."""
    isbn13, isbn10 = normalize(text)
    return [v for v in (isbn13, isbn10) if v]
