"""The Whoosh engine: the embedded default, one index in the generation directory.

Search side: :mod:`.search` (the :class:`discovery.engine.SearchEngine`),
compiling query trees (:mod:`.query`), match sets (:mod:`.sets`), facet
arrays (:mod:`.facets`), title keys (:mod:`.keys`) and highlighting
(:mod:`.highlight`). Index side: :mod:`.index` (the
:class:`indexer.engine.IndexEngine`), the schema built from
:mod:`indexer.fields` (:mod:`.schema`), Sheaf's codec and segment builder
(:mod:`.codec`, :mod:`.segwriter`) and the facet and key files written beside
each segment (:mod:`.facetfiles`, :mod:`.keyfiles`). Sheaf's analyzers reach
Whoosh through one adapter (:mod:`.analysis`), the path pickled into every index.
"""
