"""The SolrCloud engine's index side (:class:`indexer.engine.IndexEngine`).

A generation is a collection, ``<alias>_<generation>`` (``sheaf_gen-20261206T...``),
named in the generation directory's ``solr.json`` beside Sheaf's own stores:

* a rebuild creates the collection (the configset uploaded first if this
  schema's is not there yet) with one replica of each shard, and the workers
  post their shares of the documents to it; the commit is one hard commit, and
  only then are the other replicas added (``ADDREPLICA``, each on a node that
  holds no copy of its shard yet): they copy the committed index files from the
  leader instead of parsing and indexing every document again (on 50,000 works
  in 1 shard of 2 replicas, the Solr nodes' CPU for the build fell from 32-61 s to 15-19 s,
  the copy included);
* an update writes the collection of the live generation (the clone of the
  live generation shares its ``solr.json``), as SolrCloud cannot copy a
  collection cheaply: the documents of the update are readable once the batch
  commits, before the probe. A killed update leaves the store sequence of the
  live generation where it was, so the next run writes the same documents
  again (puts and deletes by id are idempotent);
* going live moves the collection alias the site reads
  (``CREATEALIAS``, atomic in ZooKeeper) and drops the collections no
  generation directory names any more; the one the alias pointed at before
  stays while its generation is kept (one round).

Shards and replicas come from ``solr_shards`` and ``solr_replicas``. A work is
one document (its cluster), so facet counts are cluster counts on every shard
and no routing is needed.
"""

from __future__ import annotations

import json
from pathlib import Path

from discovery.errors import EngineUnavailable
from indexer.engine import Batch, BulkWriter, IndexEngine, ShareWriter
from indexer.errors import IndexerError

from .client import SolrClient, SolrError
from .documents import display_of, solr_document
from .schema import configset, versions

STATE_NAME = "solr.json"
POST_BATCH = 500


def collection_of(gen_path: Path) -> str:
    try:
        return json.loads((Path(gen_path) / STATE_NAME).read_text(encoding="utf-8"))["collection"]
    except (FileNotFoundError, ValueError, KeyError):
        raise IndexerError(f"index generation {Path(gen_path).name} names no Solr collection;"
                           " run `sheaf index --rebuild`") from None


class _Poster:
    """Documents posted in batches to one collection (never committed here)."""

    def __init__(self, client: SolrClient, collection: str):
        self.client, self.collection = client, collection
        self.pending: list = []
        self.posted = 0

    def add(self, command) -> None:
        self.pending.append(command)
        if len(self.pending) >= POST_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        docs = [c for c in self.pending if "delete" not in c]
        if len(docs) == len(self.pending):
            self.client.post_json(f"/{self.collection}/update", docs, {"wt": "json"},
                                  timeout=600)
        else:   # deletes and puts in their order: one update request of commands
            body = "{" + ",".join(
                ('"delete":' + json.dumps(c["delete"])) if "delete" in c
                else ('"add":' + json.dumps({"doc": c}, ensure_ascii=False))
                for c in self.pending) + "}"
            self.client.post_bytes(f"/{self.collection}/update", body.encode("utf-8"),
                                   {"wt": "json"}, "application/json", timeout=600)
        self.posted += len(docs)
        self.pending = []


class SolrShare(ShareWriter):
    def __init__(self, url: str, timeout: float, collection: str):
        self.poster = _Poster(SolrClient(url, timeout), collection)

    def add(self, doc: dict) -> None:
        self.poster.add(solr_document(doc))

    def finish(self) -> int:
        self.poster.flush()
        return self.poster.posted

    def cancel(self) -> None:
        self.poster.pending = []   # the collection itself is dropped with its generation


class SolrBulk(BulkWriter):
    def __init__(self, url: str, timeout: float, collection: str, replicas: int):
        self.url, self.timeout, self.collection = url, timeout, collection
        self.replicas = replicas

    def share_writer(self) -> ShareWriter:
        return SolrShare(self.url, self.timeout, self.collection)

    def commit(self, shares: list) -> None:
        client = SolrClient(self.url, self.timeout)
        client.get(f"/{self.collection}/update", {"commit": "true", "wt": "json"}, timeout=600)
        add_replicas(client, self.collection, self.replicas)


def add_replicas(client: SolrClient, collection: str, replicas: int) -> None:
    """Bring every shard of ``collection`` up to ``replicas`` replicas, each new one on a
    node without a copy of that shard while there is one, and wait until they are active."""
    status = client.cluster_status()
    live = sorted(status.get("live_nodes", []))
    shards = status.get("collections", {}).get(collection, {}).get("shards", {})
    for shard, state in sorted(shards.items()):
        holding = [r.get("node_name") for r in state.get("replicas", {}).values()]
        for _ in range(replicas - len(holding)):
            free = [n for n in live if n not in holding]
            node = free[0] if free else None
            try:
                client.collections(action="ADDREPLICA", collection=collection, shard=shard,
                                   waitForFinalState="true", **({"node": node} if node else {}))
            except SolrError as exc:
                raise IndexerError(f"SolrCloud did not add a replica of {collection}/{shard}:"
                                   f" {exc.solr_message}") from None
            holding.append(node)


class SolrBatch(Batch):
    def __init__(self, client: SolrClient, collection: str):
        self.client, self.collection = client, collection
        self.poster = _Poster(client, collection)

    def stored(self, cluster_id: str) -> dict | None:
        # real-time get: the document as it is, committed or not
        found = self.client.get(f"/{self.collection}/get", {"id": cluster_id, "fl": "display",
                                                            "wt": "json"}).get("doc")
        return display_of(found) if found else None

    def put(self, doc: dict) -> None:
        self.poster.add(solr_document(doc))   # the same id replaces the document

    def delete(self, cluster_id: str) -> None:
        self.poster.add({"delete": {"id": cluster_id}})

    def commit(self) -> None:
        self.poster.flush()
        self.client.get(f"/{self.collection}/update", {"commit": "true", "wt": "json"},
                        timeout=600)

    def cancel(self) -> None:
        self.poster.pending = []


class SolrIndex(IndexEngine):
    name = "solr"

    def __init__(self, settings: dict):
        self.url = str(settings["solr_url"])
        self.alias = str(settings["solr_alias"])
        self.shards = int(settings["solr_shards"])
        self.replicas = int(settings["solr_replicas"])
        self.timeout = float(settings["engine_timeout"])
        self.client = SolrClient(self.url, self.timeout)

    def versions(self) -> dict:
        return versions()

    def _configset(self) -> str:
        name, data = configset()
        if name not in self.client.configsets():
            self.client.post_bytes("/admin/configs", data, {"action": "UPLOAD", "name": name,
                                                            "wt": "json"}, timeout=120)
        return name

    def create(self, gen_path: Path) -> None:
        collection = f"{self.alias}_{Path(gen_path).name}"
        config = self._configset()
        if collection in self.client.collection_names():   # a killed rebuild's leftover
            self.client.collections(action="DELETE", name=collection)
        try:
            # one replica each while the documents are written; the others are added
            # after the commit (SolrBulk.commit)
            self.client.collections(action="CREATE", name=collection, numShards=self.shards,
                                    replicationFactor=1,
                                    **{"collection.configName": config,
                                       "router.name": "compositeId",
                                       "waitForFinalState": "true"})
        except SolrError as exc:
            raise IndexerError(f"SolrCloud did not create collection {collection}:"
                               f" {exc.solr_message}") from None
        (Path(gen_path) / STATE_NAME).write_text(
            json.dumps({"collection": collection, "url": self.url, "alias": self.alias,
                        "configset": config}), encoding="utf-8")

    def bulk(self, gen_path: Path) -> BulkWriter:
        return SolrBulk(self.url, self.timeout, collection_of(gen_path), self.replicas)

    def batch(self, gen_path: Path) -> Batch:
        return SolrBatch(self.client, collection_of(gen_path))

    def document_count(self, gen_path: Path) -> int:
        found = self.client.get(f"/{collection_of(gen_path)}/select",
                                {"q": "*:*", "rows": 0, "wt": "json"})
        return int(found["response"]["numFound"])

    def describe(self, gen_path: Path) -> dict:
        collection = collection_of(gen_path)
        state = self.client.collections(action="CLUSTERSTATUS", collection=collection)
        shards = state.get("cluster", {}).get("collections", {}).get(collection, {}) \
            .get("shards", {})
        return {"documents": self.document_count(gen_path), "collection": collection,
                "shards": len(shards),
                "replicas": sum(len(s.get("replicas", {})) for s in shards.values())}

    def go_live(self, gen_path: Path) -> None:
        collection = collection_of(gen_path)
        self.client.collections(action="CREATEALIAS", name=self.alias, collections=collection)
        self.prune(Path(gen_path).parent)

    def prune(self, index_path: Path) -> list[str]:
        """Drop this alias's collections that no generation directory names any more."""
        named = set()
        for state in Path(index_path).glob(f"gen-*/{STATE_NAME}"):
            try:
                named.add(json.loads(state.read_text(encoding="utf-8"))["collection"])
            except (ValueError, KeyError):
                continue
        live = self.client.aliases().get(self.alias)
        dropped = []
        for name in self.client.collection_names():
            if name.startswith(self.alias + "_gen-") and name not in named and name != live:
                try:
                    self.client.collections(action="DELETE", name=name)
                    dropped.append(name)
                except (SolrError, EngineUnavailable):
                    continue   # tried again at the next switch
        return dropped
