"""The knowledge base seen through langchain: a retriever and an embeddings object.

Offsets stay visible: every langchain ``Document`` carries ``doc_id``, ``chunk_id``, ``start`` and ``end``
in its metadata, and ``page_content`` is exactly the stored document text at ``[start:end]``, so a chain
built on this retriever can still cite passages a reviewer can open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from vectorstore.embed import Embedder
from vectorstore.types import Hit, SearchFilters

if TYPE_CHECKING:
    from vectorstore.kb import KnowledgeBase


def hit_to_document(hit: Hit) -> LCDocument:
    meta = hit.model_dump(exclude={"text"})
    meta["channels"] = dict(hit.channels)
    return LCDocument(page_content=hit.text, metadata=meta, id=hit.chunk_id)


class KnowledgeBaseRetriever(BaseRetriever):
    """Hybrid search of a ``KnowledgeBase`` as a langchain retriever (``invoke(query)`` → documents)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    kb: Any = Field(description="The KnowledgeBase to search")
    k: int = Field(8, description="How many passages to return")
    filters: SearchFilters = Field(default_factory=SearchFilters)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        kb: KnowledgeBase = self.kb
        return [hit_to_document(h) for h in kb.search(query, k=self.k, filters=self.filters)]


class EmbedderEmbeddings(Embeddings):
    """Our ``Embedder`` as langchain ``Embeddings``, e.g. for langchain's own vector stores."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[float(x) for x in row] for row in self.embedder.embed_documents(texts)]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self.embedder.embed_query(text)]
