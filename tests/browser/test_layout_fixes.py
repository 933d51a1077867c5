"""What the review found broken on narrow and wide screens, in a real Chromium: holdings
cells keep their column's label on a phone, the autocomplete's kind ("Title") stays on one
line, and the holdings headers never break inside a word on a desktop."""

from __future__ import annotations

import pytest

from .conftest import DESKTOP, PHONE, in_language

pytestmark = pytest.mark.browser

# how many lines an element's text takes (distinct tops of its line boxes)
LINES = """el => { const r = document.createRange(); r.selectNodeContents(el);
  return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"""
# for each word of an element's text (split at spaces), how many lines it takes
WORD_LINES = """el => { const node = el.firstChild, text = node.textContent, out = [];
  let at = 0;
  for (const word of text.split(/\\s+/)) {
    if (!word) continue;
    const start = text.indexOf(word, at); at = start + word.length;
    const r = document.createRange(); r.setStart(node, start); r.setEnd(node, at);
    out.push([word, new Set([...r.getClientRects()].map(x => Math.round(x.top))).size]);
  }
  return out; }"""
BEFORE = "el => getComputedStyle(el, '::before').content"


def open_record(p, server: str) -> None:
    p.goto(server + "/?q=Caoshan")
    p.locator("li.hit h3 a").first.click()
    p.wait_for_url("**/record/**")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_holdings_cells_keep_their_labels_on_a_phone(page, server, lang):
    p = in_language(page, server, lang)
    open_record(p, server)
    headers = [h.strip() for h in p.locator("table.holdings thead th").all_inner_texts()]
    p.set_viewport_size(PHONE)
    assert p.locator("table.holdings thead").is_hidden()
    row = p.locator("tr.holding-row").first
    cells = row.locator("td")
    assert cells.count() == len(headers) - 1
    for i in range(cells.count()):
        # the label shown before the value is the header of the cell's own column
        assert cells.nth(i).evaluate(BEFORE) == f'"{headers[i + 1]}: "'
    page.shot(f"holdings-phone-{lang}")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_holdings_headers_do_not_break_inside_a_word_on_a_desktop(page, server, lang):
    p = in_language(page, server, lang)
    p.set_viewport_size(DESKTOP)
    open_record(p, server)
    heads = p.locator("table.holdings thead th")
    words = [w for i in range(heads.count()) for w in heads.nth(i).evaluate(WORD_LINES)]
    assert len(words) >= 4
    assert [w for w, lines in words if lines != 1] == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_suggestion_kind_stays_on_one_line(page, server, lang, viewport):
    p = in_language(page, server, lang)
    p.set_viewport_size(viewport)
    p.goto(server + "/")
    p.locator("#q").press_sequentially("Caoshan xiao she yu Min jin")
    p.wait_for_selector("#q-suggestions li")
    kinds = p.locator("#q-suggestions li .kind")
    assert kinds.count() >= 1
    for i in range(kinds.count()):
        assert kinds.nth(i).evaluate(LINES) == 1, kinds.nth(i).inner_text()
