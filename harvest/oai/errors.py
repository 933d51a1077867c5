"""What can go wrong talking to an OAI-PMH repository, named for what happened.

Two families under :class:`harvest.errors.HarvestError`:

* :class:`OaiError` — the repository answered with an OAI-PMH ``<error>``.
  One class per protocol code (``badResumptionToken`` is
  :class:`BadResumptionToken` ...), so callers catch the case they handle.
  :class:`NoRecordsMatch` is not a failure: it means "nothing new".
* :class:`FetchFailed` — no usable answer after the source's tries
  (server unavailable, network down, pages that are not OAI-PMH XML).
"""

from __future__ import annotations

from ..errors import HarvestError


class OaiError(HarvestError):
    """An OAI-PMH error response. ``code`` is the protocol's error code."""

    code = ""

    def __init__(self, message: str = "", *, url: str = "", response_date: str | None = None,
                 code: str | None = None):
        self.message = message.strip()
        self.url = url
        self.response_date = response_date
        if code is not None:
            self.code = code
        super().__init__(f"{self.code}: {self.message}" + (f" ({url})" if url else ""))


class BadArgument(OaiError):
    code = "badArgument"


class BadResumptionToken(OaiError):
    code = "badResumptionToken"


class BadVerb(OaiError):
    code = "badVerb"


class CannotDisseminateFormat(OaiError):
    code = "cannotDisseminateFormat"


class IdDoesNotExist(OaiError):
    code = "idDoesNotExist"


class NoRecordsMatch(OaiError):
    """Nothing in the requested window: an empty result, not a failure."""

    code = "noRecordsMatch"


class NoMetadataFormats(OaiError):
    code = "noMetadataFormats"


class NoSetHierarchy(OaiError):
    code = "noSetHierarchy"


class UnknownOaiError(OaiError):
    """An ``<error>`` whose code the protocol does not define."""


ERRORS_BY_CODE: dict[str, type[OaiError]] = {
    cls.code: cls for cls in (BadArgument, BadResumptionToken, BadVerb, CannotDisseminateFormat,
                              IdDoesNotExist, NoRecordsMatch, NoMetadataFormats, NoSetHierarchy)}


def oai_error(code: str, message: str, **where) -> OaiError:
    """The exception for an OAI-PMH error code."""
    cls = ERRORS_BY_CODE.get(code)
    if cls is None:
        return UnknownOaiError(message, code=code or "(no code)", **where)
    return cls(message, **where)


class FetchFailed(HarvestError):
    """A request got no usable answer in ``tries`` tries; ``reason`` is the last failure."""

    def __init__(self, url: str, tries: int, reason: str, status: int | None = None):
        self.url = url
        self.tries = tries
        self.reason = reason
        self.status = status    # the last HTTP status, if there was a response
        super().__init__(f"gave up on {url} after {tries} {'try' if tries == 1 else 'tries'}:"
                         f" {reason}")


class ServerUnavailable(FetchFailed):
    """The server kept answering 5xx, 429 or 408."""


class ConnectionFailed(FetchFailed):
    """The server could not be reached, dropped the connection or timed out."""


class BadPage(FetchFailed):
    """The answers were not OAI-PMH XML (HTML, truncated, hostile or broken beyond repair)."""


class HttpStatusError(HarvestError):
    """An HTTP error that retrying will not cure (404, 403 ...) and no OAI-PMH body."""

    def __init__(self, url: str, status: int):
        self.url = url
        self.status = status
        super().__init__(f"HTTP {status} from {url}")


class RepeatedResumptionToken(HarvestError):
    """The server handed back a resumptionToken it had already given: paging would loop."""


class HarvestBusy(HarvestError):
    """Another harvest of the same source is running."""


class BadDate(HarvestError):
    """A from/until value that is not an OAI-PMH datestamp."""
