"""A knowledge base deletes only Chroma collections it created, on a shared `chroma run` server and embedded.

Each knowledge base has an id of its own (kept in its kb_dir) and tags its collections with it. Before
that, the clean-up after an ingest dropped every collection whose name began with ``kb_``, so two
knowledge bases on one server deleted each other's vectors and the victim's searches quietly fell
back to keywords.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.settings import make_kb_config
from tests.test_store_contract import ChromaServer, shared_server  # noqa: F401  (the module's server fixture)
from vectorstore.embed import HashingEmbedder
from vectorstore.kb import VECTORS_EMPTY, VECTORS_GONE, KnowledgeBase
from vectorstore.vector_collections import OWNER_KEY
from vectorstore.vector_index import ChromaIndex, make_client

TEXTS = {
    "a": "甲市量子计算中试平台建设方案。甲市已认定量子中试平台3家，给予最高500万元补助。",
    "b": "乙市氢能产业园建设方案。乙市已认定氢能燃料电池中试平台7家，给予最高300万元补助。",
}

Opener = Callable[..., KnowledgeBase]


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, counting the texts it embeds for storage."""

    def __init__(self, dim: int = 256) -> None:
        super().__init__(dim)
        self.embedded = 0

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        self.embedded += len(texts)
        return super().embed_documents(texts)


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def where(request: pytest.FixtureRequest) -> str:
    """'' for embedded Chroma (under each kb_dir), else the URL of the module's real server."""
    if request.param == "embedded":
        return ""
    server: ChromaServer = request.getfixturevalue("shared_server")
    return server.url


def opener(url: str) -> Opener:
    def open_kb(kb_dir: Path, tenant: str = "", embedder: HashingEmbedder | None = None, **kw: Any) -> KnowledgeBase:
        cfg = make_kb_config(kb_dir, embedding_model="hashing", chroma_url=url, tenant=tenant)
        return KnowledgeBase(cfg, embedder=embedder or HashingEmbedder(), **kw)
    return open_kb


def client_of(kb: KnowledgeBase) -> Any:
    return make_client(kb.config.chroma_path, kb.config.chroma_url)


def names(client: Any) -> dict[str, dict[str, Any]]:
    return {c.name: dict(c.metadata or {}) for c in client.list_collections()}


def ingest(kb: KnowledgeBase, tmp: Path, key: str) -> str:
    path = tmp / f"{key}-{kb.kb_id}.txt"
    path.write_text(TEXTS[key], encoding="utf-8")
    report = kb.ingest([path])
    assert not report.failed, report.failed
    return report.files[0].doc_id


def test_the_id_is_kept_in_the_kb_dir(tmp_path: Path) -> None:
    open_kb = opener("")
    first = open_kb(tmp_path / "one").kb_id
    assert open_kb(tmp_path / "one").kb_id == first
    assert open_kb(tmp_path / "two").kb_id != first


@pytest.mark.server
@pytest.mark.parametrize("tenants", [("bureau_b", ""), ("", ""), ("bureau_b", "bureau_a")])
def test_two_knowledge_bases_on_one_server_keep_their_vectors(tmp_path: Path, shared_server: ChromaServer,  # noqa: F811
                                                              tenants: tuple[str, str]) -> None:
    """The reported case is ("bureau_b", ""): B ingests with a tenant, a tenant-less KB ingests after it."""
    open_kb = opener(shared_server.url)
    b = open_kb(tmp_path / "b", tenant=tenants[0])
    b_doc = ingest(b, tmp_path, "b")
    a = open_kb(tmp_path / "a", tenant=tenants[1])
    a_doc = ingest(a, tmp_path, "a")
    assert a.check(repair=True)["vectors_missing"] == 0  # a repair runs the same clean-up
    on_server = names(client_of(a))
    assert b.collection_name() in on_server and a.collection_name() in on_server
    assert on_server[b.collection_name()][OWNER_KEY] == b.kb_id != a.kb_id
    for kb, doc, own, other in ((b, b_doc, "b", "a"), (a, a_doc, "a", "b")):
        reopened = open_kb(kb.config.kb_dir, tenant=kb.config.tenant)  # as a new process would
        assert reopened.stats()["vectors"] == reopened.counts().chunks > 0
        result = reopened.search(TEXTS[other], k=10)
        assert not result.warnings
        assert {h.doc_id for h in result} == {doc}, "a knowledge base never reaches the other's vectors"
        assert "vector" in reopened.search(TEXTS[own], k=3)[0].channels


def test_untagged_collections_are_never_deleted_but_our_old_ones_are(tmp_path: Path, where: str) -> None:
    open_kb = opener(where)
    kb = open_kb(tmp_path / "kb")
    ingest(kb, tmp_path, "a")
    client = client_of(kb)
    stranger = f"kb_{tmp_path.name[-20:]}_stranger"  # looks like ours by name, carries no tag
    ChromaIndex(client, stranger).add(["x:0"], np.ones((1, 4), dtype=np.float32))
    old = kb.collection_name()
    changed = open_kb(tmp_path / "kb", embedder=HashingEmbedder(128))  # another embedder: a new collection
    assert changed.kb_id == kb.kb_id and changed.collection_name() != old
    changed.sync_vectors()
    left = names(client)
    assert old not in left, "the previous embedder's collection of this knowledge base is dropped"
    assert stranger in left and client.get_collection(stranger).count() == 1
    assert changed.stats()["vectors"] == changed.counts().chunks


def test_a_legacy_collection_of_ours_is_adopted_without_embedding_again(tmp_path: Path, where: str) -> None:
    open_kb = opener(where)
    cfg_dir = tmp_path / "kb"
    probe = open_kb(cfg_dir)
    legacy = probe.config.legacy_collection_name(probe.embedder.identity)
    # The state an older version left: vectors in an untagged collection named without the id.
    old = open_kb(cfg_dir, vector_index=ChromaIndex(client_of(probe), legacy))
    ingest(old, tmp_path, "a")
    chunks = old.counts().chunks

    counting = CountingEmbedder()
    kb = open_kb(cfg_dir, embedder=counting)
    assert kb.sync_vectors() == (0, 0) and counting.embedded == 0
    left = names(client_of(kb))
    assert legacy not in left and left[kb.collection_name()][OWNER_KEY] == kb.kb_id
    assert kb.stats()["vectors"] == chunks
    assert not kb.search(TEXTS["a"], k=3).warnings


def test_a_legacy_collection_holding_other_vectors_is_left_alone(tmp_path: Path, where: str) -> None:
    open_kb = opener(where)
    probe = open_kb(tmp_path / "kb")
    legacy = probe.config.legacy_collection_name(probe.embedder.identity)
    old = open_kb(tmp_path / "kb", vector_index=ChromaIndex(client_of(probe), legacy))
    ingest(old, tmp_path, "a")
    # Another tenant-less knowledge base with the same embedder shared that name before ids existed.
    ChromaIndex(client_of(probe), legacy).add(["other-1234:0"], np.ones((1, 256), dtype=np.float32))
    held = client_of(probe).get_collection(legacy).count()

    counting = CountingEmbedder()
    kb = open_kb(tmp_path / "kb", embedder=counting)
    assert kb.search(TEXTS["a"], k=3).warnings == [VECTORS_EMPTY.format(chunks=kb.counts().chunks)]
    counting.embedded = 0  # (queries are embedded through embed_documents too)
    kb.check(repair=True)
    assert counting.embedded == kb.counts().chunks, "our vectors are rebuilt in a collection of our own"
    assert client_of(kb).get_collection(legacy).count() == held, "the shared legacy collection is untouched"
    assert not kb.search(TEXTS["a"], k=3).warnings


@pytest.mark.server
def test_a_collection_deleted_under_a_running_kb_is_reported_then_repaired(tmp_path: Path,
                                                                            shared_server: ChromaServer) -> None:  # noqa: F811
    kb = opener(shared_server.url)(tmp_path / "kb", tenant="bureau_b")
    doc = ingest(kb, tmp_path, "b")
    assert not kb.search(TEXTS["b"], k=3).warnings
    client_of(kb).delete_collection(kb.collection_name())  # what the old clean-up of another KB did

    gone = kb.search(TEXTS["b"], k=3)
    assert gone.warnings == [VECTORS_GONE] and [h.doc_id for h in gone] == [doc], "keywords still answer"
    assert all("vector" not in h.channels for h in gone)
    chunks = kb.counts().chunks
    assert kb.search(TEXTS["b"], k=3).warnings == [VECTORS_EMPTY.format(chunks=chunks)]
    assert kb.index_warnings() == [VECTORS_EMPTY.format(chunks=chunks)]
    assert kb.stats()["vectors"] == 0
    assert kb.check(repair=True)["vectors_missing"] == chunks
    repaired = kb.search(TEXTS["b"], k=3)
    assert not repaired.warnings and "vector" in repaired[0].channels
    assert kb.index_warnings() == []
