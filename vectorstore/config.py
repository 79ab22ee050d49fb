"""What the knowledge base needs to know, typed for the vectorstore layer.

The defaults and descriptions live in one place only, the application ``Settings``
(``assistant/settings.py``): ``Settings.kb()`` fills every field here from the setting of the
same name, and these fields have no defaults of their own, so the two cannot drift apart.
Tests and benchmarks build one with ``assistant.settings.make_kb_config(kb_dir, **overrides)``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel

from vectorstore.chunker import CHUNKER_VERSION
from vectorstore.hybrid import FusionMethod


class KBConfig(BaseModel):
    kb_dir: Path
    embedding_model: str
    chroma_url: str
    tenant: str
    chunk_max_chars: int
    chunk_min_chars: int
    max_file_bytes: int
    ingest_workers: int
    static_time_budget_s: float
    static_min_chunks: int
    retrain_fraction: float
    fusion: FusionMethod
    rrf_k: int | None  # None: the embedder in use decides (KnowledgeBase.rrf_k)
    keyword_weight: float
    vector_weight: float | None  # None: the embedder in use decides (KnowledgeBase.fusion_weights)
    candidates: int
    max_per_doc: int
    diversity_after: int

    @property
    def sqlite_path(self) -> Path:
        return self.kb_dir / "kb.sqlite3"

    @property
    def chroma_path(self) -> Path:
        return self.kb_dir / "chroma"

    @property
    def keyword_dir(self) -> Path:
        return self.kb_dir / "keyword"

    @property
    def models_dir(self) -> Path:
        return self.kb_dir / "models"

    def shape_digest(self, embedder_identity: str) -> str:
        """What the vectors depend on: the embedder and how documents are cut into chunks."""
        shape = f"{embedder_identity}|chunker{CHUNKER_VERSION}|{self.chunk_max_chars}|{self.chunk_min_chars}"
        return hashlib.sha1(shape.encode()).hexdigest()[:16]

    def _tenant_part(self) -> str:
        return hashlib.sha1(self.tenant.encode()).hexdigest()[:6] + "_" if self.tenant else ""

    def collection_name(self, embedder_identity: str, kb_id: str) -> str:
        """The Chroma collection of this knowledge base (``kb_id``) for this embedder and chunking.

        The knowledge base's own id is part of the name, so two knowledge bases on one Chroma
        server never share a collection, even with the same tenant (or none) and the same embedder.
        """
        return f"kb_{self._tenant_part()}{kb_id}_{self.shape_digest(embedder_identity)}"

    def legacy_collection_name(self, embedder_identity: str) -> str:
        """The name collections had before knowledge bases had ids (adopted once, see vector_collections)."""
        return f"kb_{self._tenant_part()}{self.shape_digest(embedder_identity)}"
