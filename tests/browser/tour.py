"""A reader's tour of the site in one interface language at one width (tests/browser/test_tour.py):
the browser that speaks the language, the words the interface should show in it, and the checks
every stop of the tour makes.

The words come from the site's own message catalogs (web/translations, compiled), so a stop
asserts that the page shows the catalog's translation of a label; and every stop looks for
English interface text left in a page that is not English (an element whose whole text, or
whose aria-label, placeholder or title, is a message the catalog translates differently).
"""

from __future__ import annotations

from pathlib import Path

from babel.support import Translations

from .conftest import ARTIFACTS, DESKTOP, PHONE, TIMEOUT_MS, Watched

CATALOGS = Path(__file__).resolve().parents[2] / "web" / "translations"

# interface -> (the browser's locale, which sends it as Accept-Language; the html lang
# attribute; the Babel catalog). zh-TW is how a Taiwanese reader's browser asks for zh-Hant.
LANGS = {"en": ("en-US", "en", None),
         "zh": ("zh-CN", "zh-Hans", "zh"),
         "zh-Hant": ("zh-TW", "zh-Hant", "zh_Hant"),
         "vi": ("vi-VN", "vi", "vi")}
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}
SHOT_SCREENS = 3

# the texts of a page's interface elements and the labels of its controls; record data
# (titles, names, notes) is left out by the callers' exclusions below
TEXTS = """() => {
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest("script, style, [lang]:not(html)")) continue;
    if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    if (el.children.length === 0) out.push(el.textContent.trim());
  }
  for (const el of document.querySelectorAll("[aria-label], [placeholder], [title]"))
    for (const a of ["aria-label", "placeholder", "title"])
      if (el.getAttribute(a)) out.push(el.getAttribute(a).trim());
  return out; }"""
# decoration around an interface word ("‹ Back to results", "Sort:", "Series: …")
TRIM = " \u2039\u203a:\uff1a\u00b7()"


class Tour:
    """One reader: a new browser context (nothing shared with any other tour) speaking
    ``lang`` at ``width``; ``stop`` checks and photographs each page the tour reaches."""

    def __init__(self, browser, lang: str, width: str):
        self.lang, self.width = lang, width
        locale, self.html_lang, catalog = LANGS[lang]
        self.viewport = WIDTHS[width]
        self.catalog = (Translations.load(str(CATALOGS), [catalog]) if catalog
                        else Translations())
        self.context = browser.new_context(viewport=self.viewport, locale=locale,
                                           accept_downloads=True)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.set_default_navigation_timeout(TIMEOUT_MS)
        self.watched = Watched(self.context.new_page())
        self.page = self.watched.page
        self.leftovers = {m for m in self.catalog._catalog
                          if isinstance(m, str) and m and "%(" not in m
                          and self.catalog.gettext(m) != m} if catalog else set()

    def close(self) -> None:
        self.context.close()

    def t(self, message: str, **args) -> str:
        """The interface's word for ``message`` (the English msgid), formatted."""
        text = self.catalog.gettext(message)
        if self.lang != "en":
            assert text != message, f"{message!r} has no {self.lang} translation"
        return text % args if args else text

    def n(self, singular: str, plural: str, num: int, **args) -> str:
        return self.catalog.ngettext(singular, plural, num) % {"num": num, **args}

    def stop(self, name: str, *labels: str) -> None:
        """The page is in the tour's language (its html lang, each of ``labels`` shown in
        the catalog's words, no interface text left in English), nothing sticks out to the
        side at phone width, and no script error so far; then its screenshot,
        ``test-artifacts/browser/tour-<lang>-<width>-<name>.png``."""
        p = self.page
        assert p.locator("html").get_attribute("lang") == self.html_lang, name
        text = p.locator("body").inner_text()
        for label in labels:
            assert self.t(label) in text, (name, label, self.t(label))
        english = sorted({s for s in p.evaluate(TEXTS) if s.strip(TRIM) in self.leftovers})
        assert english == [], (name, english)
        if self.viewport is PHONE:
            assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), \
                name
        assert self.watched.errors == [], (name, self.watched.errors)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        # the page from its top, at most three screens long (a whole results page takes
        # half a second to encode, and the tour stops 17 times)
        height = min(p.evaluate("document.documentElement.scrollHeight"),
                     SHOT_SCREENS * self.viewport["height"])
        p.screenshot(path=str(ARTIFACTS / f"tour-{self.lang}-{self.width}-{name}.png"),
                     full_page=True, timeout=TIMEOUT_MS,
                     clip={"x": 0, "y": 0, "width": self.viewport["width"], "height": height})
