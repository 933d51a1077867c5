"""Discovery: query parsing, the search service and the engines behind it.

The ``sheaf`` command line, the application layer above every package, is
:mod:`cli`.
"""
