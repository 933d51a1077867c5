"""The kill -9 campaign of bench/crash.py, short: every command a user runs that writes
(import, incremental index, rebuild, OAI-PMH harvest from a real repository process,
``import --replace``) killed at chosen moments (two for each command that writes the
store, one for each index run), each followed by the checks of the
campaign (store and index agree record for record with the state before or after, nothing
lost or duplicated, the next run completes and ends where an unkilled run ends).

The homes and the runs the kills are compared with are made in this process (the same
CLI, without a start-up per command); the killed commands and nothing else run as
processes of their own. The long campaign, at random moments on LC records, is
``python bench/crash.py``.
"""

from __future__ import annotations

import contextlib
import io
import subprocess

import pytest

from bench.crash import Campaign, Files, repository
from bench.bench_search import query_mix
from cli import main as cli

from .helpers import DEMO, set_setting

pytestmark = pytest.mark.slow

RECORDS = 50        # of the demo's research library: 40 first, then 10 new and 4 changed
PAGE = 4            # records per OAI-PMH page, each page answered in PAGE_DELAY s
PAGE_DELAY = 0.1


def in_process(home, *args, check: bool = True) -> subprocess.CompletedProcess:
    """``sheaf --home HOME ARGS`` by cli.main in this process, answered as a run's result."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["--home", str(home), *args])
    if check and code != 0:
        raise AssertionError(f"sheaf {' '.join(args)}: {code}\n{err.getvalue()}")
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    work = tmp_path_factory.mktemp("crash")
    files = Files(DEMO / "intl.mrc", RECORDS, work)
    queries = [q for _group, q in query_mix(files.old, 8, seed=17)] + ["", "Revised"]
    with repository(work, PAGE, PAGE_DELAY) as oai:
        yield Campaign(files, work, queries, oai=oai, run=in_process,
                       after_init=lambda home: set_setting(home, "index_procs", 1))


def test_the_unkilled_runs_change_what_the_kills_must_keep_or_finish(campaign):
    """A trial is only as good as its yardstick: every command has something to do."""
    assert set(campaign.commands) == {"import", "index", "rebuild", "harvest", "replace"}
    for kind in ("import", "harvest", "replace"):
        assert campaign._changes(kind) > 0, kind
    replaced = campaign.commands["replace"].end_rows
    assert any(deleted for _digest, deleted in replaced.values())   # withdrawn: tombstones
    assert campaign.commands["index"].live[0].records != campaign.commands["index"].after.records


def check(outcome) -> None:
    assert not outcome.finished, f"{outcome.kind} finished before its kill"
    assert outcome.problems == [], (outcome.kind, outcome.moment, outcome.problems)
    assert (outcome.lost, outcome.duplicated, outcome.recovered) == (0, 0, True)


def at_the_first_write(campaign, kind: str):
    """A trial killed at the first write. An import of 14 records writes one batch and is
    done a few milliseconds later, so the kill can come too late: tried up to 3 times
    (each such run is still checked)."""
    for n in range(1, 4):
        outcome = campaign.trial(kind, 0, n, written=1)
        if not outcome.finished:
            return outcome
        assert outcome.problems == [] and outcome.recovered, (kind, outcome.problems)
    return outcome


@pytest.mark.parametrize("kind", ["import", "harvest", "replace"])
def test_kill_at_the_first_write_and_just_before_it(campaign, kind):
    first = at_the_first_write(campaign, kind)
    check(first)
    assert not first.moment.startswith("0 of"), first.moment
    # the same command killed a little before it got there: reading, staging, asking
    check(before_the_first_write(campaign, kind, first.killed_at))


def before_the_first_write(campaign, kind: str, first_write: float):
    """A trial killed before the moment an earlier run first wrote. How long a command
    takes to get there varies with the machine's load (a run of ``import --replace`` in
    CI was done before 0.8 of it), so earlier moments are tried too (each such run is
    still checked)."""
    for n, share in enumerate((0.8, 0.5, 0.3), start=4):
        outcome = campaign.trial(kind, share * first_write, n)
        if not outcome.finished:
            return outcome
        assert outcome.problems == [] and outcome.recovered, (kind, outcome.problems)
    return outcome


@pytest.mark.parametrize("kind", ["index", "rebuild"])
def test_kill_while_a_generation_is_being_written(campaign, kind):
    """(tests/ops/test_kill.py kills them at the moment the generation appears, and checks
    what the next run cleans up; this is the campaign's check of the same commands.)"""
    outcome = campaign.trial(kind, 0.3, 1, generation=True)
    check(outcome)
    assert outcome.moment in ("new generation being written", "new generation live"), \
        outcome.moment
