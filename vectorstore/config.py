"""What the knowledge base needs to know; built from the application Settings."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel, Field

from vectorstore.chunker import CHUNKER_VERSION
from vectorstore.hybrid import FusionMethod


class KBConfig(BaseModel):
    kb_dir: Path = Field(Path("var/kb"), description="Knowledge-base directory (SQLite, Chroma, BM25, trained model)")
    embedding_model: str = Field(
        "", description="sentence-transformers model name or local path; '' trains a static model on the KB; 'hashing' uses the hashing fake"
    )
    chroma_url: str = Field("", description="Chroma server URL (http://127.0.0.1:8000); '' uses the embedded PersistentClient")
    chunk_max_chars: int = Field(400, description="Longest chunk before it is split at items or sentences")
    chunk_min_chars: int = Field(80, description="Chunks shorter than this merge with a neighbour under the same heading")
    ingest_workers: int = Field(
        0, description="Processes that read and tokenize files for a large ingest (200 files or more); 0: one per CPU",
    )
    max_file_bytes: int = Field(20 * 1024 * 1024, description="Larger files are refused at ingest")
    static_time_budget_s: float = Field(60.0, description="Seconds the static model may fine-tune for (vocabulary and initial vectors are not counted)")
    static_min_chunks: int = Field(40, description="Below this many chunks the static model is not trained (hashing is used)")
    retrain_fraction: float = Field(0.2, description="Retrain the static model when this share of chunks changed")
    fusion: FusionMethod = Field(
        "rrf", description="How keyword and vector candidates are merged: 'rrf' (reciprocal rank, uses rrf_k) or "
        "'minmax' (each channel's scores scaled to 0..1, then a weighted sum); 'max' scales by the top score only",
    )
    rrf_k: int | None = Field(
        None, description="Reciprocal-rank-fusion constant; None: 30 with the self-trained static model (ranked best "
        "with it on the staff-query tuning half), 60 with other embedders (as before)",
    )
    keyword_weight: float = Field(1.0, description="Weight of the keyword channel in fusion")
    vector_weight: float | None = Field(
        None, description="Weight of the vector channel in fusion; None: 0.2 with the self-trained static model "
        "(it adds noise at the top of keyword rankings), 1.0 with a pretrained model or the hashing fake",
    )
    candidates: int = Field(50, description="Candidates taken from each channel before fusion")
    max_per_doc: int = Field(2, description="Most hits one document may have in a result list (diversity)")
    diversity_after: int = Field(
        5, description="The first this many hits are taken as ranked; max_per_doc applies from there on "
        "(capping the top cost passages staff asked for; measured on the staff queries)",
    )
    tenant: str = Field("", description="Tenant (bureau) name; separates collections when several share a Chroma server")

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

    def collection_name(self, embedder_identity: str) -> str:
        shape = f"{embedder_identity}|chunker{CHUNKER_VERSION}|{self.chunk_max_chars}|{self.chunk_min_chars}"
        digest = hashlib.sha1(shape.encode()).hexdigest()[:16]
        tenant = hashlib.sha1(self.tenant.encode()).hexdigest()[:6] + "_" if self.tenant else ""
        return f"kb_{tenant}{digest}"
