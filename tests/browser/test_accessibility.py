"""Every kind of page checked with axe-core (Deque's engine, injected into the page) in a
real Chromium, at desktop and phone widths and in each interface language: no violation
of any rule axe runs by default (WCAG 2.x A and AA, and its best practices), exactly one
h1 and headings in order. ``scripts/setup.sh`` installs axe-core from npm into .venv/axe."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import DESKTOP, PHONE, TIMEOUT_MS

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / ".venv/axe/node_modules/axe-core/axe.min.js"

PAGES = {
    "search": "/",
    "results": "/?q=history",
    "zero-results": "/?q=ngoai+hoi&filter=language:jpn&filter=library:vn",
    "record": "/record/loc:00409591",
    "staff": "/staff/loc:00409591",
    "advanced": "/advanced",
    "browse-facet": "/browse/facet/subject?q=history",
    "browse-authors": "/browse/authors",
    "browse-shelf": "/browse/shelf",
    "library": "/library/loc",
    "list": "/list",
    "embed": "/embed?q=history",
    "not-found": "/no/such/page",
    "bad-request": "/?q=history&page=x",
    "admin-sign-in": "/admin/login",
}

# what each violation says: the rule, and the first few elements it found
REPORT = """r => r.violations.map(v => v.id + " (" + v.impact + "): "
    + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "))"""
HEADINGS = """() => [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
    .filter(h => h.getClientRects().length || h.classList.contains("visually-hidden"))
    .map(h => Number(h.tagName[1]))"""


def violations(p) -> list[str]:
    p.add_script_tag(path=str(AXE))
    return p.evaluate("() => axe.run(document).then(r => (" + REPORT + ")(r))")


def check(p) -> None:
    levels = p.evaluate(HEADINGS)
    assert levels.count(1) == 1, levels
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels
    assert violations(p) == []


@pytest.fixture(scope="module")
def axe_context(fresh_browser):
    """A context that lets axe in: the site's Content-Security-Policy allows no inline
    script, and Playwright injects axe.min.js as one (the policy is tested elsewhere)."""
    context = fresh_browser.new_context(viewport=DESKTOP, locale="en-US", bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.mark.skipif(not AXE.exists(), reason=f"no {AXE}: scripts/setup.sh installs axe-core"
                    " with npm (npm was not available)")
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh", "vi", "zh-Hant"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_axe_violations(axe_context, server, name, lang, viewport):
    axe_context.clear_cookies()
    axe_context.add_cookies([{"name": "sheaf_lang", "value": lang, "url": server}])
    p = axe_context.new_page()
    errors = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    try:
        p.set_viewport_size(viewport)
        p.goto(server + PAGES[name])
        check(p)
        assert errors == []
    finally:
        p.close()
