"""Choosing an autocomplete suggestion in a real Chromium searches the suggestion's own
field (its kind from /api/suggest: title, author or subject), by keyboard on a desktop and
by tapping on a phone, in English and Chinese."""

from __future__ import annotations

import urllib.parse

import pytest

from .conftest import DESKTOP, PHONE, api, in_language

pytestmark = pytest.mark.browser

# typed, then the suggestion chosen among those /api/suggest gives for it
CASES = [("Taiwan", "subject", "Taiwan"),
         ("Taiwan", "title", "Taiwan de xin fan dui yun dong : xin min zhu zhi lu"),
         ("Nguy", "author", "Nguyễn, Văn Thâm")]


@pytest.mark.parametrize("typed,kind,text", CASES, ids=[c[1] for c in CASES])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_chosen_suggestion_searches_its_own_field(page, server, lang, viewport, typed,
                                                     kind, text):
    offered = api(server, "/api/suggest", q=typed, limit=8)["suggestions"]
    assert {"text": text, "kind": kind} in offered
    p = in_language(page, server, lang)
    p.set_viewport_size(viewport)
    p.goto(server + "/")
    p.locator("#q").press_sequentially(typed)
    p.wait_for_selector(f"#q-suggestions li[data-text='{text}']")
    if viewport is DESKTOP:
        shown = p.locator("#q-suggestions li").evaluate_all(
            "els => els.map(li => li.getAttribute('data-text'))")
        for _ in range(shown.index(text) + 1):
            p.keyboard.press("ArrowDown")
        p.keyboard.press("Enter")
    else:
        p.locator(f"#q-suggestions li[data-text='{text}']").click()
    p.wait_for_url("**field=*")
    args = urllib.parse.parse_qs(urllib.parse.urlsplit(p.url).query)
    assert args["field"] == [kind] and args["q"] == [text]
    assert p.locator("#field").input_value() == kind
    fielded = api(server, "/api/search", q=text, field=kind, limit=100)
    links = p.locator("li.hit h3 a").evaluate_all("els => els.map(a => a.pathname)")
    assert links and links == [f"/record/{r['id']}" for r in fielded["results"]][:len(links)]
    assert str(fielded["total"]) in p.locator("p.summary").inner_text()
