"""Writing OAI-PMH 2.0 responses: the envelope, headers, records, tokens and errors.

Responses are written as text (metadata elements are spliced in as the bytes
they were rendered to), which keeps a 200-record page cheap. Every string
from the store or the request goes through :func:`text` or :func:`attr`:
escaped, and characters XML 1.0 cannot carry replaced by U+FFFD.
"""

from __future__ import annotations

from datetime import datetime, timezone
from xml.sax.saxutils import escape, quoteattr

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"


def _clean(value: str) -> str:
    if value.isprintable():
        return value
    return "".join(c if (c >= " " or c in "\t\n\r") and not "\ud800" <= c <= "\udfff"
                   and c not in "\ufffe\uffff" else "\ufffd" for c in value)


def text(value: str) -> str:
    return escape(_clean(value))


def attr(value: str) -> str:
    return quoteattr(_clean(value))


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(base_url: str, request_args: dict[str, str] | None, body: list[bytes]) -> bytes:
    """A whole response. ``request_args`` None: the request element gives the base URL
    only (as the protocol wants after badVerb and badArgument)."""
    attrs = "".join(f" {k}={attr(v)}" for k, v in (request_args or {}).items())
    head = (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="{XSI_NS}"'
            f' xsi:schemaLocation="{OAI_NS} {OAI_SCHEMA}">\n'
            f"<responseDate>{now()}</responseDate>\n"
            f"<request{attrs}>{text(base_url)}</request>\n")
    return b"".join([head.encode("utf-8"), *body, b"</OAI-PMH>\n"])


def error(code: str, message: str) -> bytes:
    return f"<error code={attr(code)}>{text(message)}</error>\n".encode("utf-8")


def header(identifier: str, datestamp: str, set_specs: list[str], deleted: bool) -> bytes:
    status = ' status="deleted"' if deleted else ""
    sets = "".join(f"<setSpec>{text(s)}</setSpec>" for s in set_specs)
    return (f"<header{status}><identifier>{text(identifier)}</identifier>"
            f"<datestamp>{datestamp}</datestamp>{sets}</header>").encode("utf-8")


def record(head: bytes, metadata: bytes | None) -> bytes:
    if metadata is None:
        return b"<record>" + head + b"</record>\n"
    return b"<record>" + head + b"<metadata>" + metadata + b"</metadata></record>\n"


def token(value: str, cursor: int, size: int, expires: str | None) -> bytes:
    expiry = f" expirationDate={attr(expires)}" if expires else ""
    return (f"<resumptionToken{expiry} completeListSize=\"{size}\" cursor=\"{cursor}\">"
            f"{text(value)}</resumptionToken>\n").encode("utf-8")


def element(name: str, children: list[tuple[str, str]]) -> bytes:
    """A simple element of text children, e.g. ``<set><setSpec>..</setSpec>..</set>``."""
    inner = "".join(f"<{k}>{text(v)}</{k}>" for k, v in children)
    return f"<{name}>{inner}</{name}>\n".encode("utf-8")
