"""Build services from Settings, once; tests pass their own fakes instead."""

from __future__ import annotations

from assistant.settings import Settings
from vectorstore.embed import Embedder
from vectorstore.kb import KnowledgeBase


def open_kb(settings: Settings, embedder: Embedder | None = None, need_vectors: bool = True) -> KnowledgeBase:
    """Open the knowledge base the settings describe.

    ``need_vectors=False`` is for read-only commands (show, list) that must not
    wait for a Chroma server or a model.
    """
    return KnowledgeBase(settings.kb(), embedder=embedder)
