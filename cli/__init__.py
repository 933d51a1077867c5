"""The ``sheaf`` command line: the application layer, above every other package.

:mod:`cli.main` parses the arguments; each group of commands has its module
(:mod:`cli.sources`, :mod:`cli.indexing`, :mod:`cli.reading`,
:mod:`cli.maintenance`). The engine is chosen by ``settings.engine`` through
:mod:`discovery.engines`; no command knows which one it is.
"""
