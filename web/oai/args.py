"""An OAI-PMH request's arguments, checked as the protocol says (section 3.1 and each verb's).

:func:`parse_request` takes the (key, value) pairs of a GET query or a POST
form and returns an :class:`OaiRequest`, or raises the protocol's error:
``badVerb`` for a missing, repeated or unknown verb; ``badArgument`` for a
repeated, unknown, missing or malformed argument, an exclusive
``resumptionToken`` given with others, or ``from`` after ``until`` (or the
two at different granularities).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from harvest.oai.errors import BadArgument, BadVerb

# verb -> (required, optional, exclusive)
VERBS = {
    "Identify": ((), (), None),
    "ListMetadataFormats": ((), ("identifier",), None),
    "ListSets": ((), (), "resumptionToken"),
    "GetRecord": (("identifier", "metadataPrefix"), (), None),
    "ListIdentifiers": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
}
MAX_VALUE_CHARS = 2000
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


@dataclass(frozen=True)
class OaiRequest:
    verb: str
    args: dict[str, str] = field(default_factory=dict)   # every argument but the verb

    def get(self, name: str) -> str | None:
        return self.args.get(name)

    @property
    def window(self) -> tuple[str | None, str | None]:
        """``from`` and ``until`` as store datestamps (a day is its first or last second)."""
        lo, hi = self.args.get("from"), self.args.get("until")
        return (None if lo is None else (lo + "T00:00:00Z" if len(lo) == 10 else lo),
                None if hi is None else (hi + "T23:59:59Z" if len(hi) == 10 else hi))


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[:n] + "..."


def _datestamp(name: str, value: str) -> str:
    fmt = "%Y-%m-%d" if _DAY.fullmatch(value) else \
        "%Y-%m-%dT%H:%M:%SZ" if _SECOND.fullmatch(value) else None
    if fmt is not None:
        try:
            datetime.strptime(value, fmt)
            return value
        except ValueError:
            pass
    raise BadArgument(f"{name} {_short(value)!r} is not a datestamp (YYYY-MM-DD or"
                      " YYYY-MM-DDThh:mm:ssZ)")


def parse_request(pairs: list[tuple[str, str]]) -> OaiRequest:
    verbs = [v for k, v in pairs if k == "verb"]
    if not verbs:
        raise BadVerb("the request has no verb argument")
    if len(verbs) > 1:
        raise BadVerb("the verb argument is repeated")
    verb = verbs[0]
    if verb not in VERBS:
        raise BadVerb(f"{_short(verb)!r} is not an OAI-PMH verb ({', '.join(VERBS)})")
    required, optional, exclusive = VERBS[verb]
    args: dict[str, str] = {}
    for key, value in pairs:
        if key == "verb":
            continue
        if key in args:
            raise BadArgument(f"the argument {_short(key)!r} is repeated")
        if key not in required and key not in optional and key != exclusive:
            raise BadArgument(f"{verb} takes no argument {_short(key)!r}")
        if len(value) > MAX_VALUE_CHARS and key != exclusive:
            raise BadArgument(f"the argument {key} is too long (at most {MAX_VALUE_CHARS}"
                              " characters)")
        args[key] = value
    if exclusive is not None and exclusive in args:
        others = sorted(k for k in args if k != exclusive)
        if others:
            raise BadArgument(f"{exclusive} is exclusive: {verb} with a {exclusive} takes no"
                              f" {', '.join(others)}")
        return OaiRequest(verb, args)
    missing = [name for name in required if name not in args]
    if missing:
        raise BadArgument(f"{verb} needs {' and '.join(missing)}")
    for name, value in args.items():
        if not value.strip():
            raise BadArgument(f"the argument {name} is empty")
    for name in ("from", "until"):
        if name in args:
            _datestamp(name, args[name])
    if "from" in args and "until" in args:
        if len(args["from"]) != len(args["until"]):
            raise BadArgument("from and until must have the same granularity")
        if args["from"] > args["until"]:
            raise BadArgument("from is later than until")
    return OaiRequest(verb, args)
