"""ISBN and ISSN normalisation and validation.

Every valid ISBN is indexed as ISBN-13 and, when it starts with 978, as
ISBN-10 too, so a reader finds the book by either. A value with an ISBN's
shape but a wrong check digit is kept apart, as the record gives it, for
display (``isbns_invalid``). ISSNs are checked the same way.
"""

from __future__ import annotations

import re

_CANDIDATE = re.compile(r"(?<![0-9Xx])((?:97[89][\s-]?)?(?:[0-9][\s-]?){9}[0-9Xx])(?![0-9Xx])")
_ISSN = re.compile(r"(?<![0-9Xx-])(\d{4})[\s-]?(\d{3}[\dXx])(?![0-9Xx])")


def _isbn10_ok(d: str) -> bool:
    if not d[:9].isdigit() or not (d[9].isdigit() or d[9] in "Xx"):
        return False
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


def _check(candidate: str) -> tuple[str | None, str | None]:
    digits = re.sub(r"[\s-]", "", candidate).upper()
    if len(digits) == 10 and _isbn10_ok(digits):
        return to_isbn13(digits), digits
    if (len(digits) == 13 and digits.isdigit() and digits[:3] in ("978", "979")
            and _isbn13_check(digits[:12]) == digits[12]):
        return digits, to_isbn10(digits)
    return None, None


def parse_all(text: str) -> list[tuple[str, str | None]]:
    """(ISBN-13, ISBN-10 or None) for every valid ISBN in ``text``."""
    out = []
    for m in _CANDIDATE.finditer(text):
        isbn13, isbn10 = _check(m.group(1))
        if isbn13:
            out.append((isbn13, isbn10))
    return out


def invalid_candidates(text: str, include_valid: bool = False) -> list[str]:
    """ISBN-shaped values in ``text`` that fail their check (all of them if ``include_valid``)."""
    return [m.group(1).strip() for m in _CANDIDATE.finditer(text)
            if include_valid or _check(m.group(1))[0] is None]


def normalize(text: str) -> tuple[str | None, str | None]:
    """(ISBN-13, ISBN-10) for the first valid ISBN in ``text``; Nones if there is none."""
    found = parse_all(text)
    return found[0] if found else (None, None)


def search_forms(text: str) -> list[str]:
    """Index terms for an ISBN typed by a user or found in a record: 13 and 10 forms."""
    isbn13, isbn10 = normalize(text)
    return [v for v in (isbn13, isbn10) if v]


def issn(text: str) -> str | None:
    """The first valid ISSN in ``text`` as NNNN-NNNC; None if there is none."""
    for m in _ISSN.finditer(text):
        digits = (m.group(1) + m.group(2)).upper()
        total = sum((8 - i) * int(c) for i, c in enumerate(digits[:7]))
        check = (11 - total % 11) % 11
        if digits[7] == ("X" if check == 10 else str(check)):
            return f"{digits[:4]}-{digits[4:]}"
    return None


def looks_like_issn(text: str) -> bool:
    return bool(_ISSN.search(text))
