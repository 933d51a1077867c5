"""The interface language: English, Chinese (simplified or traditional) or Vietnamese.

Chosen, in order, by a ``lang`` argument (this request only), the
``sheaf_lang`` cookie that the language switch sets (remembered for a
year), the browser's Accept-Language, else English. Chinese browsers of
Taiwan, Hong Kong and Macau (zh-TW, zh-HK, zh-MO) and those asking for
zh-Hant get the traditional interface; the others (zh-CN, zh-SG, zh,
zh-Hans) the simplified one. Message catalogs live in
``web/translations/<locale>/LC_MESSAGES/messages.po`` (compiled to ``.mo``
beside them; ``scripts/translations.sh`` extracts, updates and compiles,
and derives zh_Hant from zh).
"""

from __future__ import annotations

from flask import g, request
from flask_babel import Babel

# interface code -> its name, in itself; the switch offers them in this order
LANGUAGES = {"en": "English", "zh": "简体中文", "zh-Hant": "繁體中文", "vi": "Tiếng Việt"}
# what an html lang attribute says for each
HTML_LANG = {"en": "en", "zh": "zh-Hans", "zh-Hant": "zh-Hant", "vi": "vi"}
# the catalog (Babel locale) of each
BABEL_LOCALE = {"en": "en", "zh": "zh", "zh-Hant": "zh_Hant", "vi": "vi"}
CHINESE = frozenset({"zh", "zh-Hant"})
TRADITIONAL_REGIONS = frozenset({"tw", "hk", "mo"})
COOKIE = "sheaf_lang"
COOKIE_AGE = 365 * 24 * 3600


def from_tag(tag: str) -> str | None:
    """The interface for one Accept-Language tag ('zh-TW' -> 'zh-Hant'), or None."""
    parts = tag.strip().lower().replace("_", "-").split("-")
    if parts[0] == "zh":
        if "hant" in parts:
            return "zh-Hant"
        if "hans" in parts:
            return "zh"
        return "zh-Hant" if TRADITIONAL_REGIONS & set(parts[1:]) else "zh"
    return parts[0] if parts[0] in LANGUAGES else None


def _negotiated() -> str:
    # werkzeug keeps the values best first (by quality, then order)
    for tag, _quality in request.accept_languages:
        lang = from_tag(tag)
        if lang:
            return lang
    return "en"


def choose() -> str:
    """The interface language of this request (one of LANGUAGES)."""
    cached = g.get("ui_lang")
    if cached:
        return cached
    lang = request.args.get("lang", "")
    if lang not in LANGUAGES:
        lang = request.cookies.get(COOKIE, "")
    if lang not in LANGUAGES:
        lang = _negotiated()
    g.ui_lang = lang
    return lang


def init_app(app) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    Babel(app, locale_selector=lambda: BABEL_LOCALE[choose()],
          default_translation_directories="translations")

    @app.after_request
    def vary(response):
        if response.mimetype == "text/html":
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        return response

    @app.context_processor
    def languages():
        lang = choose()
        return {"ui_lang": lang, "html_lang": HTML_LANG[lang], "ui_languages": LANGUAGES,
                "html_langs": HTML_LANG}
