"""A Whoosh index whose files cannot be read (truncated, emptied, overwritten).

Whoosh reads its files without checking them, so a cut file surfaces as
whatever the read hit first (``OSError: Invalid argument`` from a seek past
the end, ``struct.error``, an unpickling error ...). :func:`reading` turns
any of those, while a generation is opened, into one
:class:`indexer.errors.IndexDamaged` naming the file (found in the failing
read's frames) and what to do: ``sheaf index --rebuild`` makes a new index
from the store.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from whoosh.filedb.structfile import StructFile

from indexer.errors import IndexDamaged, IndexerError


def damaged_file(exc: BaseException) -> str | None:
    """The name of the index file the innermost failing read was reading, if one was."""
    name = None
    tb = exc.__traceback__
    while tb is not None:
        local = tb.tb_frame.f_locals
        for value in (local.get("self"), local.get("dbfile"), local.get("f")):
            if isinstance(value, StructFile) and value._name:
                name = str(value._name)
        tb = tb.tb_next
    return name


def damage(gen_path: Path, exc: BaseException) -> IndexDamaged:
    name = damaged_file(exc)
    where = f"index file {gen_path.name}/{name}" if name else f"index {gen_path.name}"
    return IndexDamaged(f"{where} is unreadable ({type(exc).__name__}: {exc}): run"
                        " `sheaf index --rebuild` to rebuild the index from the store",
                        path=gen_path / name if name else gen_path)


@contextmanager
def reading(gen_path: Path):
    """Opening ``gen_path``'s index: a failure of its files is :class:`IndexDamaged`."""
    try:
        yield
    except IndexerError:
        raise
    except Exception as exc:  # noqa: BLE001 - a cut file fails in any way the read hits
        raise damage(gen_path, exc) from exc
