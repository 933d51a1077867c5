"""The mapped record: the plain dict every flavour's rules give, and how it is finished.

:data:`FIELDS` is the contract between the mapping rules (:mod:`indexer.marc21`,
:mod:`indexer.unimarc`, :mod:`indexer.dublincore`) and the documents built from
them (:mod:`indexer.document`). Absent values are absent keys, never None or [].
"""

from __future__ import annotations

import warnings
from typing import Callable

from .errors import MappingWarning

# The contract with the documents: key -> (shape, meaning). Shapes: "str", "int", "bool"
# (single values), "list" (of str) and "list of dict" (its keys in the meaning).
# Sources are given as MARC 21; UNIMARC; Dublin Core.
FIELDS = {
    "local_id": ("str", "the record's id in its library: 001 (oai_dc: the store's local id)"),
    "title": ("str", "main title as the record gives it: 245abnp (romanized when there is an"
                     " 880); 200aehi with ISBD punctuation; dc:title"),
    "title_vernacular": ("str", "the title in the original script: the 880 linked to 245"),
    "title_romanized": ("str", "a romanized title beside a vernacular one: CNMARC 200 $9"),
    "title_alt": ("list", "other titles, 880s included: 130 240 246 730 740; 200d 454 500"
                          " 510-517 532; further dc:title"),
    "responsibility": ("list", "statement of responsibility as transcribed: 245c; 200fg"),
    "authors": ("list", "names of persons, bodies, meetings as headings, role words cut off:"
                        " 100 110 111 700 710 711; 700-712; dc:creator, dc:contributor"),
    "authors_vernacular": ("list", "the same names in the original script: their 880s"),
    "authors_romanized": ("list", "romanized names beside vernacular ones: CNMARC 7XX $9"),
    "contributors": ("list of dict", "every name as {'name', 'type' (person, organization,"
                                     " meeting; unknown for DC), 'roles' (relator codes such as aut, trl, edt,"
                                     " else the record's own term; tables.relator_label names"
                                     " them), 'vernacular' (bool)}"),
    "name_forms": ("list of dict", "names with a form in another script: {'heading' (as in"
                                   " authors), 'vernacular' (its 880, paired by $6)}"),
    "subject_forms": ("list of dict", "subjects with a form in another script, the same"),
    "responsibility_forms": ("list of dict", "the statement of responsibility and its 880's:"
                                             " 245c, the same shape"),
    "edition_forms": ("list of dict", "the edition statement and its 880's: 250ab"),
    "place_forms": ("list of dict", "each 260/264 field's places (' ; ' between two) and its"
                                    " 880's: 260a, 264a"),
    "publisher_forms": ("list of dict", "each 260/264 field's publishers (' : ' between two)"
                                        " and its 880's: 260b, 264b"),
    "series_forms": ("list of dict", "series statements and their 880's: 490a 440 8XX"),
    "note_forms": ("list of dict", "notes and their 880's: the 5XX of notes"),
    "subjects": ("list", "subject headings, subdivisions after ' -- ': 600-655; 600-608, 610;"
                         " dc:subject"),
    "publishers": ("list", "publishers: 260b, 264b; 210c, 214c; dc:publisher"),
    "places": ("list", "places of publication: 260a, 264a; 210a, 214a"),
    "year": ("int", "year of publication: 008/07-10, else 264c/260c (also when 008/06 is b or n,"
                    " or 008 has a century placeholder that $c makes concrete);"
                    " 100a/9-12, else 210d; dc:date"),
    "edition": ("str", "edition statement: 250ab; 205a"),
    "extent": ("str", "physical description: 300abc; 215acde"),
    "languages": ("list", "MARC language codes (chi, vie, eng): 008/35-37 and 041ad; 101a;"
                          " dc:language; tables.language_name gives en/zh/vi names"),
    "format": ("str", "material type, a code of data/formats.tsv (book, serial, article, score,"
                      " map, video, sound, music, image, software, ...): leader/06-07; leader,"
                      " 200b; dc:type"),
    "online": ("bool", "True when the resource is online: 007 'cr', 008 form o; 200b;"
                       " a URL in dc:identifier"),
    "isbns": ("list", "valid ISBNs, each as ISBN-13 then its ISBN-10 if it has one: 020a; 010a"),
    "isbns_invalid": ("list", "ISBNs with a wrong check digit or cancelled, as given: 020az;"
                              " 010az"),
    "issns": ("list", "valid ISSNs as NNNN-NNNC: 022a; 011a"),
    "issns_invalid": ("list", "ISSNs with a wrong check digit, incorrect or cancelled, as given"),
    "lccn": ("list", "LC control numbers, normalised: 010a"),
    "oclc": ("list", "OCLC numbers, digits only: 035a with an (OCoLC) prefix"),
    "lcc": ("list", "Library of Congress class numbers: 050ab; 680ab"),
    "lcc_facet": ("list", "LCC class letters (PL): data/lcc.tsv captions them"),
    "ddc": ("list", "Dewey numbers without prime marks: 082a; 676a"),
    "ddc_facet": ("list", "the Dewey hundred (900): data/ddc.tsv captions it"),
    "clc": ("list", "Chinese Library Classification numbers: 084a with $2 clc; 690a, 686a"
                    " with $2 clc"),
    "clc_facet": ("list", "the CLC top class letter (I): data/clc.tsv captions it"),
    "udc": ("list", "UDC numbers: 080a; 675a"),
    "series": ("list", "series and sets the record belongs to: 490a 440 8XX; 225a 410 461"),
    "notes": ("list", "general notes: 5XX but 505 and 520; 3XX but 327 and 330; dc:source,"
                      " dc:coverage, dc:rights"),
    "summary": ("list", "summaries and abstracts: 520ab; 330a; dc:description"),
    "contents": ("list", "contents notes: 505agrt; 327a"),
    "links": ("list of dict", "online copies as {'url', 'label' (if any), 'kind'}: 856u,"
                              " label $y/$3/$z, kind by ind2 (0 resource, 1 version, 2 related,"
                              " else resource) or 'iiif' for a IIIF manifest; only http(s)"
                              " URLs (indexer.online); URLs in dc:identifier"),
    "holdings": ("list of dict", "copies as {'library', 'call_number', 'location', 'barcode'},"
                                 " empty keys left out: 852, 952 (Koha); 995 (Koha), 905"
                                 " (CNMARC); without such fields, one entry for the source"
                                 " library (call number from 090/050)"),
}

SINGLE_VALUED = tuple(k for k, (shape, _) in FIELDS.items() if shape in ("str", "int", "bool"))

OnWarning = Callable[[str], None]


def finish(out: dict) -> dict:
    """Single-valued keys to their first value, list keys without duplicates."""
    for key, values in out.items():
        if key in SINGLE_VALUED:
            out[key] = values[0]
        elif values and not isinstance(values[0], dict):
            out[key] = list(dict.fromkeys(values))
    return out


def report(problems: list[str], record_id: str | None, on_warning: OnWarning | None) -> None:
    for problem in problems:
        message = f"record {record_id or '(no id)'}: {problem}"
        if on_warning is not None:
            on_warning(message)
        else:
            warnings.warn(MappingWarning(message), stacklevel=3)
