"""Every input that ever broke a fuzz target, replayed: tests/fixtures/fuzz-corpus/<target>/<name>,
each named for what broke (see the README there). Plain parametrised tests, no Hypothesis."""

from __future__ import annotations

import pytest

from ..support import FIXTURES
from .targets import TARGETS, bounded

CORPUS = FIXTURES / "fuzz-corpus"
ENTRIES = sorted(p for p in CORPUS.glob("*/*") if p.is_file())


@pytest.mark.parametrize("path", ENTRIES, ids=[f"{p.parent.name}/{p.name}" for p in ENTRIES])
def test_an_input_that_once_failed_is_read_or_refused_with_a_reason(path):
    bounded(TARGETS[path.parent.name], path.read_bytes())


def test_the_corpus_has_entries_only_for_known_targets():
    assert ENTRIES
    assert {p.parent.name for p in ENTRIES} <= set(TARGETS)
