"""Run the fuzz targets of the suite (tests/fuzz/targets.py) for longer, with fresh randomness.

    python bench/fuzz.py [MINUTES] [--targets iso2709,oai,...] [--save]

Each target runs for MINUTES (default 1) in batches of Hypothesis examples, each batch
with a new random seed. It prints, per target, the examples run, examples/s and the
failures found (each shrunk by Hypothesis); ``--save`` writes each failing input into
tests/fixtures/fuzz-corpus/<target>/found-<sha>, for tests/fuzz/test_corpus.py to replay
once it is fixed and renamed for what broke. No test asserts these numbers.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, seed, settings, strategies as st  # noqa: E402

from tests.fuzz.targets import TARGETS, Neighbours, bounded  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "fuzz-corpus"
BATCH = 200


def fuzz(name: str, seconds: float, save: bool) -> tuple[int, float, list[str]]:
    """(examples run, seconds taken, failures) of one target."""
    target = TARGETS[name]
    inputs = target.inputs()
    examples = 0
    failures: list[str] = []
    last: dict = {}
    started = time.monotonic()

    while time.monotonic() - started < seconds:
        @seed(random.getrandbits(64))
        @settings(max_examples=BATCH, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(st.data())
        def property_holds(data):
            nonlocal examples
            example = data.draw(inputs)
            examples += 1
            try:
                bounded(target, example)
            except Exception as exc:
                last["input"] = example.data if isinstance(example, Neighbours) else example
                last["error"] = exc
                raise

        try:
            property_holds()
        except Exception:
            error = last.get("error")
            where = traceback.extract_tb(error.__traceback__)[-1] if error else None
            line = (f"{type(error).__name__}: {str(error)[:160]}"
                    f" at {where.filename}:{where.lineno}" if error else "failure")
            if save and "input" in last:
                data = last["input"]
                path = CORPUS / name / f"found-{hashlib.sha256(data).hexdigest()[:12]}"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                line += f" -> {path.relative_to(ROOT)}"
            if line not in failures:
                failures.append(line)
            last.clear()
    return examples, time.monotonic() - started, failures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("minutes", nargs="?", type=float, default=1.0,
                        help="minutes per target (default 1)")
    parser.add_argument("--targets", default=",".join(TARGETS),
                        help=f"comma-separated, of: {', '.join(TARGETS)}")
    parser.add_argument("--save", action="store_true",
                        help="write failing inputs into tests/fixtures/fuzz-corpus")
    args = parser.parse_args(argv)
    names = [n for n in args.targets.split(",") if n]
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s): {', '.join(unknown)}")
    total_failures = 0
    print(f"{'target':<10} {'examples':>9} {'per s':>7} {'failures':>8}")
    for name in names:
        examples, took, failures = fuzz(name, args.minutes * 60, args.save)
        total_failures += len(failures)
        print(f"{name:<10} {examples:>9} {examples / took:>7.1f} {len(failures):>8}", flush=True)
        for line in failures:
            print(f"    {line}", flush=True)
    return 1 if total_failures else 0


if __name__ == "__main__":
    sys.exit(main())
