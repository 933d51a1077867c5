"""Writes indexer/data/wade_giles.tsv: each Hanyu Pinyin syllable of
indexer/data/pinyin_syllables.txt beside its Wade-Giles spelling.

    python scripts/make_wade_giles.py

The spellings follow the standard Wade-Giles <-> pinyin syllable correspondence
as the Library of Congress published it for its 2000 conversion ("Pinyin
Conversion Project: New Chinese Romanization Guidelines" and the syllable
table of the ALA-LC Chinese romanization table): initials and finals are
respelled by the rules below, with the syllables those rules do not cover
listed in EXCEPTIONS. Aspiration is written with U+02BB MODIFIER LETTER
TURNED COMMA, as LC's MARC records write it (Chʻing, Tʻang).
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "indexer" / "data"
A = "\u02bb"

INITIALS = [("zh", "ch"), ("ch", "ch" + A), ("sh", "sh"), ("b", "p"), ("p", "p" + A),
            ("m", "m"), ("f", "f"), ("d", "t"), ("t", "t" + A), ("n", "n"), ("l", "l"),
            ("g", "k"), ("k", "k" + A), ("h", "h"), ("j", "ch"), ("q", "ch" + A),
            ("x", "hs"), ("r", "j"), ("z", "ts"), ("c", "ts" + A), ("s", "s"),
            ("y", "y"), ("w", "w"), ("", "")]
# finals whose spelling changes after any initial (others are spelled alike)
FINALS = {"ong": "ung", "iong": "iung", "ian": "ien", "ie": "ieh", "er": "erh"}
# after j, q, x and y, pinyin u is ü
PALATAL = {"u": "ü", "un": "ün", "uan": "üan", "ue": "üeh"}
EXCEPTIONS = {
    # -i after retroflex and dental sibilants
    "zhi": "chih", "chi": "ch" + A + "ih", "shi": "shih", "ri": "jih",
    "zi": "tzu", "ci": "tz" + A + "u", "si": "ssu",
    # -e is -o after velars and alone, ê after the other initials
    "e": "o", "ge": "ko", "ke": "k" + A + "o", "he": "ho", "me": "mo",
    # -uo is -o except after velars and sh
    "guo": "kuo", "kuo": "k" + A + "uo", "huo": "huo", "shuo": "shuo", "wo": "wo",
    # -ui is -uei after velars
    "gui": "kuei", "kui": "k" + A + "uei",
    # zero initials
    "yi": "i", "you": "yu", "yu": "yü", "yue": "yüeh", "yuan": "yüan", "yun": "yün",
    "yan": "yen", "ye": "yeh", "yong": "yung", "wong": "weng",
    "lv": "lü", "lve": "lüeh", "nv": "nü", "nve": "nüeh",
}
# LC's romanization also lists szu beside ssu (四 ssu / szu)
VARIANTS = {"si": ["szu"]}


def wade_giles(syllable: str) -> str:
    if syllable in EXCEPTIONS:
        return EXCEPTIONS[syllable]
    for pin, wg in INITIALS:
        if syllable.startswith(pin):
            final = syllable[len(pin):]
            break
    if pin in ("j", "q", "x", "y") and final in PALATAL:
        final = PALATAL[final]
    elif final == "e":
        final = "ê"
    elif final == "uo":
        final = "o"
    else:
        final = FINALS.get(final, final)
    return wg + final


def main() -> None:
    syllables = [line.strip() for line in
                 (DATA / "pinyin_syllables.txt").read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.startswith("#")]
    lines = [
        "# Wade-Giles <TAB> Hanyu Pinyin, one syllable a line (toneless; pinyin ü as ü).",
        "# Written by scripts/make_wade_giles.py from the standard Wade-Giles <-> pinyin",
        "# syllable correspondence the Library of Congress published for its 2000",
        "# conversion (ALA-LC Chinese romanization): every syllable of",
        "# pinyin_syllables.txt. Aspiration is U+02BB as in LC's MARC records.",
    ]
    for syllable in syllables:
        pinyin = syllable.replace("v", "ü")
        for wg in [wade_giles(syllable)] + VARIANTS.get(syllable, []):
            lines.append(f"{wg}\t{pinyin}")
    (DATA / "wade_giles.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
