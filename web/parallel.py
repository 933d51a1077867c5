"""A record's fields in both scripts, in the order its reader reads them.

A field with a linked 880 has two forms: the field's own (romanized: ``Chengdu Shi``)
and the 880's (the record's original script: ``成都市``). The record page shows them
as two labelled lines and a result line one beside the other. Which leads
(:func:`vernacular_leads`): in the Chinese interfaces always the 880's; in the
English and Vietnamese ones the form in the script the record's language is written
in, so a Chinese or Hebrew record leads with its Han or Hebrew and an English record
with an 880 leads with its English.

The pairs come from the mapping (:func:`indexer.marc21.linked_forms`, through
:func:`discovery.vernacular.paired`); the record page maps the stored record when
it is shown, so it needs no index.
"""

from __future__ import annotations

from flask_babel import gettext

from discovery.results import Parallel
from discovery.vernacular import paired
from indexer import tables

from .display import bcp47
from .i18n import CHINESE, choose

# record page field -> (the mapped list, its pairs)
FIELDS = {"responsibility": ("responsibility", "responsibility_forms"),
          "edition": ("edition", "edition_forms"),
          "series": ("series", "series_forms"),
          "notes": ("notes", "note_forms"),
          "subjects": ("subjects", "subject_forms")}


def _latin(languages) -> bool:
    """Whether the record's (first) language is written in Latin script."""
    return bool(languages) and tables.language_script(languages[0]) == "Latn"


def vernacular_leads(languages) -> bool:
    """Whether a record's 880 form comes first in this interface."""
    return choose() in CHINESE or not _latin(languages)


def script_labels(languages) -> tuple[str, str]:
    """(the 880 form's label, the field's own form's label) of a record's lines."""
    if _latin(languages):
        return gettext("Other script"), gettext("Latin script")
    return gettext("Original script"), gettext("Romanized")


def forms(p: Parallel | None, languages) -> list[dict]:
    """A value's forms in reading order, each {'text', 'spans' (what the query matched),
    'vernacular' (the 880's), 'label' (its script), 'lang' (html lang, or None)}."""
    if p is None or not p.text and not p.vernacular:
        return []
    code, latin = bcp47(languages), _latin(languages)
    vernacular_label, own_label = script_labels(languages)
    own = {"text": p.text, "spans": p.spans, "vernacular": False, "label": own_label,
           "lang": code if latin else (f"{code}-Latn" if code and p.vernacular else code)}
    if not p.vernacular:
        return [own]
    other = {"text": p.vernacular, "spans": p.vernacular_spans, "vernacular": True,
             "label": vernacular_label, "lang": None if latin else code}
    return [other, own] if vernacular_leads(languages) else [own, other]


def _statement(places: list[Parallel], publishers: list[Parallel], year, vernacular: bool):
    """One script's imprint as ISBD writes it: ``成都市 : 四川辞书出版社, 1999``."""
    def form(p: Parallel) -> str:
        return (p.vernacular or p.text) if vernacular else p.text

    text = " ; ".join(map(form, places))
    names = " ; ".join(map(form, publishers))
    text = f"{text} : {names}" if text and names else text or names
    return f"{text}, {year}" if text and year else text or (str(year) if year else "")


def imprint(rec: dict) -> Parallel | None:
    """Place, publisher and year, one statement per script."""
    places = paired(rec.get("places"), rec.get("place_forms"))
    publishers = paired(rec.get("publishers"), rec.get("publisher_forms"))
    if not (places or publishers or rec.get("year")):
        return None
    own = _statement(places, publishers, rec.get("year"), False)
    other = _statement(places, publishers, rec.get("year"), True)
    return Parallel(own, other if other != own else None)


def names(rec: dict) -> list[dict]:
    """The record's names as {'forms': a Parallel of the heading and its 880's, 'roles'}:
    an 880 name that its romanized heading pairs with is no entry of its own."""
    pairs = {p["heading"]: p["vernacular"] for p in rec.get("name_forms", ())}
    shown = set(pairs.values())
    return [{"forms": Parallel(c["name"], pairs.get(c["name"])), "roles": c.get("roles", [])}
            for c in rec.get("contributors", ())
            if not (c.get("vernacular") and c["name"] in shown)]


def _title(rec: dict) -> Parallel:
    """The title and its 880; a CNMARC title (in Han) with its pinyin (200 $9) as the
    romanized form."""
    title, vernacular = rec.get("title") or "", rec.get("title_vernacular")
    if vernacular:
        return Parallel(title, vernacular) if title else Parallel(vernacular)
    if rec.get("title_romanized") and title:
        return Parallel(rec["title_romanized"], title)
    return Parallel(title)


def record_fields(rec: dict) -> dict:
    """The record page's fields in both scripts: title, imprint, and each of FIELDS."""
    out = {name: paired(rec.get(key), rec.get(forms)) for name, (key, forms) in FIELDS.items()}
    out["title"] = _title(rec)
    out["imprint"] = imprint(rec)
    out["names"] = names(rec)
    return out


def beside_text(p: Parallel, languages) -> str:
    """A value's forms one beside the other as plain text, in reading order (``四川辞书出版社
    = Sichuan ci shu chu ban she``): the result line's ``beside`` for feeds."""
    return " = ".join(f["text"] for f in forms(p, languages))


def line_text(hit) -> dict[str, str]:
    """A result line's authors, imprint (places : publishers), edition and series as plain
    text, each value in both scripts, absent parts left out: what a feed entry says."""
    det, langs = hit.details, hit.languages

    def each(name: str) -> list[str]:
        return [beside_text(p, langs) for p in det.get(name, ())]

    places, publishers = " ; ".join(each("places")), " ; ".join(each("publishers"))
    out = {"authors": "; ".join(each("authors")) or "; ".join(hit.authors),
           "imprint": " : ".join(x for x in (places, publishers) if x),
           "edition": " ".join(each("edition")), "series": " ; ".join(each("series"))}
    return {k: v for k, v in out.items() if v}


def init_app(app) -> None:
    app.jinja_env.globals.update(parallel_forms=forms, record_fields=record_fields,
                                 vernacular_leads=vernacular_leads, result_line_text=line_text)
    app.jinja_env.filters.update(beside_text=beside_text)
