"""Discovery: query parsing and the search service over the index.

Also the application layer: the ``sheaf`` command line (:mod:`discovery.cli`)
sits here because it is above both harvest and indexer.
"""
