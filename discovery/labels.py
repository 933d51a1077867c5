"""Display labels for facet values, in the reader's language (en, zh, vi)."""

from __future__ import annotations

from harvest.config import Home
from indexer import tables


def facet_label(home: Home, facet: str, value: str, lang: str = "en") -> str:
    if facet == "library":
        source = home.sources.get(value)
        return source.name if source else value
    if facet == "language":
        return tables.language_name(value, lang) or value
    if facet == "format":
        return tables.format_label(value, lang) or value
    if facet == "online":
        return tables.online_label(value, lang)
    if facet == "class":
        scheme, _, code = value.partition(":")
        caption = tables.class_caption(scheme, code, lang)
        return f"{code} {caption}" if caption else code
    return value


def library_name(home: Home, code: str) -> str:
    source = home.sources.get(code)
    return source.name if source else code
