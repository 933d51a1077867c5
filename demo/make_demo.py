"""How the demo collection in this folder was cut from ../shared/data (kept for provenance).

Run from the repository root: ``python demo/make_demo.py ../shared/data``.
Records are cut at the ISO 2709 record terminator and written unchanged.
"""

import sys
from pathlib import Path

LOC = "loc-booksall-2016-part01"


def records(path: Path) -> list[bytes]:
    data = path.read_bytes()
    return [chunk + b"\x1d" for chunk in data.split(b"\x1d") if chunk.strip()]


def main(shared: str) -> None:
    loc = Path(shared) / LOC
    out = Path(__file__).parent
    chinese = records(loc / "booksall2016p01_chi_880_sample.mrc")
    vietnamese = records(loc / "booksall2016p01_vie.mrc")
    multi = records(loc / "booksall2016p01_rec080000-089999.mrc")
    # a Chinese university library: the first 400 Chinese records with Han 880s
    (out / "hanlib.mrc").write_bytes(b"".join(chinese[:400]))
    # a Vietnamese provincial library: every Vietnamese record
    (out / "vnlib.mrc").write_bytes(b"".join(vietnamese))
    # a research library: 900 multilingual records, plus 40 of the Chinese
    # library's records (positions 0, 10, ..., 390) so some works are held twice
    (out / "intl.mrc").write_bytes(b"".join(multi[:900] + chinese[0:400:10]))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
