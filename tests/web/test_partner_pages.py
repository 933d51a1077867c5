"""What a partner site gets, over HTTP from a real ``sheaf serve`` (issue 18): feeds of
filters alone titled by their filters in the reader's language, and the iframe page's
result lines without dangling separators (a record without author)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from lxml import etree

from ..support import running_server
from .pages_support import css, ok

ATOM = {"a": "http://www.w3.org/2005/Atom"}
SEPARATORS = ("·", ";", ",", ":")


@pytest.fixture(scope="module")
def site(built_home, tmp_path_factory):
    with running_server(built_home.path, tmp_path_factory.mktemp("partner-server")) as base:
        yield base


def fetch(site: str, path: str, **args) -> bytes:
    query = urllib.parse.urlencode(args, doseq=True)
    with urllib.request.urlopen(f"{site}{path}?{query}", timeout=20) as response:
        return response.read()


def feed_title(site: str, **args) -> str:
    return etree.fromstring(fetch(site, "/feed.atom", **args)).findtext("a:title",
                                                                        namespaces=ATOM)


def chips(site: str, lang: str, filters: list[str]) -> list[str]:
    """The search page's filter chips ("Language: Vietnamese"), without their ×."""
    doc = ok(site, "/", filter=filters, lang=lang)
    return [" ".join(chip.text_content().replace("×", "").split())
            for chip in css(doc, "ul.chips li.chip") if "clear" not in chip.get("class")]


@pytest.mark.parametrize("lang", ["en", "zh", "vi"])
def test_a_feed_of_filters_alone_is_titled_by_them_in_the_readers_language(site, lang):
    filters = ["library:vn", "language:vie"]
    shown = chips(site, lang, filters)
    assert len(shown) == 2 and all(": " in chip for chip in shown)
    assert feed_title(site, filter=filters, lang=lang) == " · ".join(shown)
    excluded = chips(site, lang, ["library:-loc"])
    assert feed_title(site, filter="library:-loc", lang=lang) == excluded[0]
    if lang == "en":
        assert shown == ["Library: Thư viện Quốc gia Việt Nam", "Language: Vietnamese"]
    else:  # the facet names and the language are translated, the library keeps its name
        assert not any(word in " ".join(shown) for word in ("Library", "Language", "Vietnamese"))


def test_a_feed_of_words_keeps_them_after_the_site_name(site):
    assert feed_title(site, q="Taiwan") == "Sheaf: Taiwan"
    title = feed_title(site, q="Taiwan", filter="language:chi", lang="en")
    assert title == " · ".join(["Sheaf: Taiwan", *chips(site, "en", ["language:chi"])])
    assert feed_title(site) == "Sheaf"


def authorless(site: str) -> list[dict]:
    """Hits of the session index without an author but with a year (from the API)."""
    data = json.loads(fetch(site, "/api/search", limit=100, facets=""))
    found = [r for r in data["results"] if not r["authors"] and r["year"]]
    assert found, "the session index should hold a record without author"
    return found


def test_the_iframe_page_joins_only_the_parts_a_hit_has(site):
    hit = authorless(site)[0]
    doc = ok(site, "/embed", q=hit["title"], lang="vi")
    lines = {urllib.parse.unquote(a.get("href")).rsplit("/", 1)[-1]: li
             for li in css(doc, "li.hit") for a in css(li, "a")[:1]}
    line = lines[hit["id"]]
    assert [m.text_content() for m in css(line, "span.meta")] == [str(hit["year"])]
    # and no line of any result starts or ends with a separator
    for q in (hit["title"], "history", "ngoai hoi"):
        for span in css(ok(site, "/embed", q=q), "li.hit span"):
            text = span.text_content().strip()
            assert text and not text.startswith(SEPARATORS) and not text.endswith(SEPARATORS)


def test_the_iframe_page_loads_its_sizing_script_from_the_site(site):
    doc = ok(site, "/embed")
    scripts = [s.get("src") for s in css(doc, "script")]
    assert any(src.split("?")[0].endswith("/static/frame.js") for src in scripts)
    source = fetch(site, scripts[0].split("?")[0]).decode("utf-8")
    assert "postMessage" in source and "embed-height" in source
