"""The SolrCloud engine: for consortia that outgrow one machine.

Solr 9 in SolrCloud mode holds the index (shards and replicas managed by
Solr); Sheaf keeps everything else (the record store, the cluster and
autocomplete stores, the generation directories) and its own language
analysis: documents reach Solr pre-analysed (:mod:`.documents`, :mod:`.schema`)
and queries are Sheaf's plans rendered for Solr (:mod:`.query`). Index side:
:mod:`.index`; search side: :mod:`.search`; HTTP: :mod:`.client`. A local
cluster for tests and trials: ``scripts/solr.sh``.
"""
