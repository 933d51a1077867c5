"""The widget's iframe mode sizing itself to its content on a partner page from another
origin (issue 18), at desktop and phone widths; a spoofed size message from the partner
page is ignored; the shadow-root widget joins only the parts a hit has."""

from __future__ import annotations

import time
import urllib.parse

import pytest

from .conftest import DESKTOP, PHONE, api, partner_site

PAGE = """<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Thư viện đối tác</title><link rel="icon" href="data:,"></head>
<body>
<h1>Thư viện đối tác</h1>
<div id="framed" data-sheaf-search data-sheaf-mode="iframe"></div>
<p id="after">Giờ mở cửa: 8:00–17:00</p>
<div id="box" data-sheaf-search data-sheaf-limit="10"></div>
<script src="{base}/embed.js" async></script>
</body>
</html>
"""
INITIAL = 420   # embed.js's height before /embed has told it its own


@pytest.fixture(scope="module")
def framed_partner(server, tmp_path_factory):
    with partner_site(tmp_path_factory.mktemp("partner-frame"), PAGE.format(base=server)) as url:
        yield url


def sizes(iframe, frame) -> tuple[int, int, int]:
    """The iframe's height on the partner page, its content's height and scroll height."""
    return (iframe.evaluate("f => f.clientHeight"),
            frame.evaluate("() => Math.ceil(document.documentElement"
                           ".getBoundingClientRect().height)"),
            frame.evaluate("() => document.documentElement.scrollHeight"))


def fitted(iframe, frame, timeout: float = 10.0) -> int:
    """Wait until the iframe is as tall as its content (no inner scroll bar, no empty space
    below); its height."""
    deadline = time.monotonic() + timeout
    while True:
        outer, content, scroll = sizes(iframe, frame)
        if abs(outer - content) <= 1 and scroll <= outer:
            return outer
        assert time.monotonic() < deadline, (outer, content, scroll)
        time.sleep(0.1)


def test_the_iframe_sizes_itself_to_its_content(page, server, framed_partner):
    p = page.page
    p.goto(framed_partner)
    iframe = p.locator("#framed iframe")
    iframe.wait_for()
    frame = iframe.element_handle().content_frame()
    frame.locator("input[name=q]").wait_for()
    assert urllib.parse.urlsplit(frame.url).netloc != urllib.parse.urlsplit(p.url).netloc
    empty = fitted(iframe, frame)
    assert empty < INITIAL                       # the search box alone: shorter than at first
    frame.locator("input[name=q]").fill("history")
    frame.locator("button").click()
    frame.locator("li.hit").first.wait_for()
    assert frame.locator("li.hit").count() > 1
    desktop = fitted(iframe, frame)
    assert desktop > empty
    # the partner's text below the widget follows the iframe's new bottom edge
    bottom = iframe.bounding_box()["y"] + iframe.bounding_box()["height"]
    assert p.locator("#after").bounding_box()["y"] >= bottom
    page.shot("partner-frame")
    p.set_viewport_size(PHONE)                   # lines wrap: taller, and still fitted
    phone = fitted(iframe, frame)
    assert phone > desktop
    p.set_viewport_size(DESKTOP)
    assert fitted(iframe, frame) == desktop
    # a size message from anywhere but the catalog's origin (here the partner page itself)
    p.evaluate("window.postMessage({sheaf: 'embed-height', height: 77}, '*')")
    p.wait_for_timeout(300)
    assert iframe.evaluate("f => f.clientHeight") == desktop


def test_the_widget_shows_no_dangling_separator(page, server, framed_partner):
    found = api(server, "/api/search", limit=100, facets="")["results"]
    hit = next(r for r in found if not r["authors"] and r["year"])
    p = page.page
    p.goto(framed_partner)
    host = p.locator("#box")
    box = host.locator("input[type=search]")
    box.fill(hit["title"])
    box.press("Enter")
    host.locator("ol li").first.wait_for()
    line = host.locator("ol li").filter(has_text=hit["title"]).first
    assert line.locator(".m").first.inner_text() == str(hit["year"])
    for text in host.locator("ol li .m").all_inner_texts():
        assert text.strip() and not text.strip().startswith(("·", ";", ",", ":"))
        assert not text.strip().endswith(("·", ";", ",", ":"))


LANG_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Partner</title><link rel="icon" href="data:,"></head>
<body>
<div lang="zh-TW"><div id="tw" data-sheaf-search></div></div>
<div lang="zh-Hant-HK"><div id="hant" data-sheaf-search></div></div>
<div lang="zh-Hans-TW"><div id="hans" data-sheaf-search></div></div>
<div lang="zh-CN"><div id="cn" data-sheaf-search></div></div>
<div id="mo" data-sheaf-search data-sheaf-lang="zh-MO"></div>
<div lang="zh-HK"><div id="framed" data-sheaf-search data-sheaf-mode="iframe"></div></div>
<script src="{base}/embed.js" async></script>
</body>
</html>
"""


def test_a_traditional_chinese_page_gets_the_traditional_widget(page, server, tmp_path):
    """zh-TW, zh-HK, zh-MO and zh-Hant pages get the widget's zh-Hant texts, as the
    catalog's own pages pick zh-Hant for them (web/i18n.py); the texts are the ones the
    catalog's zh_Hant translations give."""
    from pathlib import Path

    from babel.support import Translations

    catalogs = Path(__file__).resolve().parents[2] / "web" / "translations"
    hant = Translations.load(str(catalogs), ["zh_Hant"])
    hans = Translations.load(str(catalogs), ["zh"])
    assert hant.gettext("Search the catalog") != hans.gettext("Search the catalog")
    want = {"tw": hant, "hant": hant, "mo": hant, "hans": hans, "cn": hans}
    p = page.page
    with partner_site(tmp_path, LANG_PAGE.format(base=server)) as url:
        p.goto(url)
        for box, translations in want.items():
            label = p.locator(f"#{box} label")
            label.wait_for()
            assert label.inner_text() == translations.gettext("Search the catalog"), box
        total = api(server, "/api/search", q="history", facets="")["total"]
        assert total > 1
        p.locator("#tw input[type=search]").fill("history")
        p.locator("#tw input[type=search]").press("Enter")
        p.locator("#tw ol li").first.wait_for()
        counted = hant.ngettext("%(num)s result", "%(num)s results", total) % {"num": total}
        assert p.locator("#tw .status").inner_text() == counted
        frame = p.locator("#framed iframe")
        frame.wait_for()
        src = urllib.parse.urlsplit(frame.get_attribute("src"))
        assert urllib.parse.parse_qs(src.query)["lang"] == ["zh-Hant"]
        inner = frame.element_handle().content_frame()
        inner.locator("input[name=q]").wait_for()
        assert inner.evaluate("() => document.documentElement.lang") == "zh-Hant"
