"""Every reader and parser, fed a few hundred damaged real inputs each: read, or refused
with Sheaf's own error and a reason, within time and memory bounds (tests/fuzz/targets.py).

Derandomized and without an example database, so CI runs the same inputs every time;
bench/fuzz.py runs the same targets for minutes with fresh randomness. An input that
fails here or there belongs in tests/fixtures/fuzz-corpus/<target>/ (test_corpus.py).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from .targets import TARGETS, bounded

EXAMPLES = {"iso2709": 300, "marc8": 200, "unimarc": 200, "marcxml": 200, "oai": 200,
            "query": 300, "cql": 300}
CI = dict(deadline=None, derandomize=True, database=None, print_blob=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_damaged_input_is_read_or_refused_with_a_reason(name):
    target = TARGETS[name]

    @settings(max_examples=EXAMPLES[name], **CI)
    @given(st.data())
    def property_holds(data):
        bounded(target, data.draw(target.inputs(), label=name))

    property_holds()


def test_every_target_runs_in_the_suite():
    assert set(EXAMPLES) == set(TARGETS)
