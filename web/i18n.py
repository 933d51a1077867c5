"""The interface language: English, Chinese (simplified) or Vietnamese.

Chosen, in order, by a ``lang`` argument (this request only), the
``sheaf_lang`` cookie that the language switch sets (remembered for a
year), the browser's Accept-Language, else English. Message catalogs live
in ``web/translations/<lang>/LC_MESSAGES/messages.po`` (compiled to ``.mo``
beside them; ``scripts/translations.sh`` extracts, updates and compiles).
"""

from __future__ import annotations

from flask import g, request
from flask_babel import Babel

LANGUAGES = {"en": "English", "zh": "中文", "vi": "Tiếng Việt"}
# what an html lang attribute says for each (the Chinese interface is simplified)
HTML_LANG = {"en": "en", "zh": "zh-Hans", "vi": "vi"}
COOKIE = "sheaf_lang"
COOKIE_AGE = 365 * 24 * 3600


def choose() -> str:
    """The interface language of this request (one of LANGUAGES)."""
    cached = g.get("ui_lang")
    if cached:
        return cached
    lang = request.args.get("lang", "")
    if lang not in LANGUAGES:
        lang = request.cookies.get(COOKIE, "")
    if lang not in LANGUAGES:
        lang = request.accept_languages.best_match(list(LANGUAGES), default="en")
    g.ui_lang = lang
    return lang


def init_app(app) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    Babel(app, locale_selector=choose, default_translation_directories="translations")

    @app.after_request
    def vary(response):
        if response.mimetype == "text/html":
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        return response

    @app.context_processor
    def languages():
        lang = choose()
        return {"ui_lang": lang, "html_lang": HTML_LANG[lang], "ui_languages": LANGUAGES}
