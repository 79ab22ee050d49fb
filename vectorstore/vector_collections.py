"""Which Chroma collections belong to which knowledge base.

Several knowledge bases may share one Chroma server: the bureaus of one deployment, or separate
deployments pointed at the same server. Each knowledge base therefore has an id of its own (kept in
its SQLite store, so in its kb_dir). Its collections carry that id in their metadata (``kb_id``) and
in their name, and it only ever deletes collections that carry its id. A collection without the tag
is never deleted, whoever made it.

Collections made before knowledge bases had ids are untagged and named without the id
(``KBConfig.legacy_collection_name``). When a knowledge base finds no collection under its new name,
it adopts the untagged one under its old name (renaming and tagging it, so nothing is embedded
again) only when every vector in it is one of its own chunks. Any other legacy collection may be
another knowledge base's, so it is left alone and the vectors are rebuilt (``assistant check --repair``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from vectorstore.config import KBConfig
from vectorstore.vector_index import ChromaIndex

log = logging.getLogger(__name__)
OWNER_KEY = "kb_id"


def owner_tag(config: KBConfig, kb_id: str) -> dict[str, str]:
    """Metadata every collection of this knowledge base carries (the folder only helps a person reading it)."""
    return {OWNER_KEY: kb_id, "kb_dir": str(config.kb_dir), "tenant": config.tenant}


def open_owned(client: Any, config: KBConfig, kb_id: str, embedder_identity: str,
               own_chunk_ids: Callable[[], set[str]], describe: str) -> ChromaIndex:
    """This knowledge base's collection for the embedder, created (or adopted from a legacy one) when absent."""
    name = config.collection_name(embedder_identity, kb_id)
    tag = owner_tag(config, kb_id)
    if _get(client, name) is None:
        adopt_legacy(client, config.legacy_collection_name(embedder_identity), name, tag, own_chunk_ids)
    return ChromaIndex(client, name, describe=describe, metadata=tag)


def adopt_legacy(client: Any, legacy: str, name: str, tag: dict[str, str],
                 own_chunk_ids: Callable[[], set[str]]) -> bool:
    """Rename and tag the untagged collection ``legacy`` as ``name`` when it holds only our chunks."""
    col = _get(client, legacy)
    if col is None or (col.metadata or {}).get(OWNER_KEY):
        return False
    ids = _all_ids(col)
    # An empty one saves no embedding and may be another knowledge base's that has not synced yet.
    if not ids:
        return False
    foreign = ids - own_chunk_ids()
    if foreign:
        log.warning("Chroma collection %s predates knowledge-base ids and holds %d vectors of chunks this "
                    "knowledge base does not have; it is left alone and the vectors are rebuilt", legacy, len(foreign))
        return False
    try:
        col.modify(name=name, metadata={**(col.metadata or {}), **tag})
    except Exception:
        # Another process of this knowledge base renamed it first; anything else is a real error.
        if _get(client, name) is None:
            raise
    log.info("adopted legacy Chroma collection %s as %s", legacy, name)
    return True


def drop_other_collections(client: Any, keep: str, owner: str) -> list[str]:
    """Delete collections tagged with ``owner`` other than ``keep`` (vectors of a previous embedder)."""
    dropped = []
    for col in client.list_collections():
        if col.name != keep and owner and (col.metadata or {}).get(OWNER_KEY) == owner:
            client.delete_collection(col.name)
            dropped.append(col.name)
    return dropped


def _get(client: Any, name: str) -> Any:
    try:
        return client.get_collection(name, embedding_function=None)
    except Exception as err:
        if type(err).__name__ == "NotFoundError" or "does not exist" in str(err).lower():
            return None
        raise


def _all_ids(col: Any, page: int = 5000) -> set[str]:
    out: set[str] = set()
    offset = 0
    while True:
        got = col.get(include=[], limit=page, offset=offset)["ids"]
        out.update(got)
        if len(got) < page:
            return out
        offset += page
