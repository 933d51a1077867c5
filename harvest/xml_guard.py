"""Markup a record may not carry, whichever reader parsed it: XML that asks its reader to
expand or fetch something.

Sheaf's parsers never do (entities, DTDs, network and XInclude all off), so such markup
is inert here; but a record stored with it would be served again by ``/oai`` and
``/api/record?marc=xml`` to other people's tools, and an entity reference left
unexpanded makes the record unmappable later. The record is refused with the reason.
"""

from __future__ import annotations

from lxml import etree

XINCLUDE_NS = "http://www.w3.org/2001/XInclude"


def refusal(element) -> str | None:
    """Why ``element`` (an lxml element) cannot be kept, or None when it can."""
    for node in element.iter(etree.Entity):
        return f"entity reference {node.text} in the record (Sheaf never expands entities)"
    for node in element.iter(f"{{{XINCLUDE_NS}}}*"):
        return (f"XInclude <{etree.QName(node).localname}> in the record"
                " (Sheaf never fetches what it names)")
    return None
