"""Progress output: a bar redrawn in place on a terminal, plain occasional lines otherwise."""

from __future__ import annotations

import io

from cli.progress import Progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_a_bar_redrawn_on_one_line():
    out = Terminal()
    progress = Progress(out)
    progress.update("indexing: 50 of 200 records read", 50, 200)
    progress.update("indexing: 200 of 200 records read", 200, 200)
    progress.done()
    assert out.getvalue() == (
        "\r[######..................]  25% indexing: 50 of 200 records read"
        "\r[########################] 100% indexing: 200 of 200 records read\n")


def test_a_log_gets_a_plain_line_at_most_every_interval(monkeypatch):
    # regression: the first line was measured from monotonic time 0, so on a machine up for
    # less than an hour (a fresh CI machine) it was never printed
    monkeypatch.setenv("SHEAF_PROGRESS_INTERVAL", "3600")
    out = io.StringIO()
    progress = Progress(out)
    for n in range(1, 5):
        progress.update(f"vn: {n * 1000} records read")
    progress.update("indexing: 50 of 200 records read", 50, 200)
    progress.done()
    assert out.getvalue() == "vn: 1000 records read\n"
    out = io.StringIO()
    progress = Progress(out, interval=0)
    progress.update("indexing: 50 of 200 records read", 50, 200)
    assert out.getvalue() == "25% indexing: 50 of 200 records read\n"
