"""Fuzzing the readers and parsers: mutations of real records, pages and queries
(tests/fuzz/mutations.py), one target per parser (tests/fuzz/targets.py), a bounded run
in the suite (test_fuzz.py), the inputs that ever failed replayed (test_corpus.py), and a
long run in bench/fuzz.py."""
