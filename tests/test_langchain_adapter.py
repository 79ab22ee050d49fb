"""The langchain retriever returns the same passages as the knowledge base, with their offsets."""

from __future__ import annotations

import numpy as np

from vectorstore.embed import HashingEmbedder
from vectorstore.kb import KnowledgeBase
from vectorstore.langchain_adapter import EmbedderEmbeddings, KnowledgeBaseRetriever
from vectorstore.types import SearchFilters


def test_retriever_matches_search_and_keeps_offsets(sample_kb_session: KnowledgeBase) -> None:
    query = "中试平台建设"
    retriever = KnowledgeBaseRetriever(kb=sample_kb_session, k=5, filters=SearchFilters(kinds=["reply"]))
    docs = retriever.invoke(query)
    hits = sample_kb_session.search(query, k=5, filters=SearchFilters(kinds=["reply"]))
    assert [d.metadata["chunk_id"] for d in docs] == [h.chunk_id for h in hits] and docs
    for d in docs:
        stored = sample_kb_session.get(d.metadata["doc_id"])
        assert stored is not None
        assert stored.text[d.metadata["start"] : d.metadata["end"]] == d.page_content
        assert d.metadata["kind"] == "reply"


def test_embeddings_adapter_agrees_with_the_embedder() -> None:
    embedder = HashingEmbedder(dim=64)
    adapter = EmbedderEmbeddings(embedder)
    rows = adapter.embed_documents(["科技成果转化", "中试平台"])
    assert len(rows) == 2 and len(rows[0]) == 64
    assert np.allclose(rows[1], embedder.embed_documents(["中试平台"])[0])
    assert np.allclose(adapter.embed_query("中试平台"), embedder.embed_query("中试平台"))
