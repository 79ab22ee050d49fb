"""The knowledge base as the API shows it: document listings, one document, upload jobs, counts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from vectorstore.types import DocMeta


class DocumentSummary(BaseModel):
    """A stored document without its text."""

    doc_id: str
    kind: str = Field(description="reply, policy, news, summary, plan or proposal")
    title: str
    issuer: str
    region: str
    date: str
    proposal_number: str
    doc_number: str
    status: str = Field(description="in_force, repealed or draft (empty: in force as far as known)")
    valid_until: str
    ingested_at: str
    n_chunks: int


class ChunkOut(BaseModel):
    chunk_id: str
    doc_id: str
    seq: int = Field(description="Position of the chunk within its document")
    start: int = Field(description="Character offset into the document text")
    end: int
    text: str
    section_path: list[str] = Field(description="Headings above the chunk, outermost first")
    part: str = Field(description="Reply part the chunk belongs to (work, plan, suggestion, body, ...)")


class DocumentOut(BaseModel):
    doc_id: str
    meta: DocMeta
    text: str
    chunks: list[ChunkOut]
    source_path: str = Field(description="The file it was read from")


class FileResultOut(BaseModel):
    name: str
    status: str = Field(description="waiting, added, updated, unchanged, duplicate, skipped or failed")
    status_name: str = Field(description="The status in Chinese")
    doc_id: str = Field(description="The stored document (empty until ingested, or when it failed)")
    reason: str = Field(description="Why it failed or was skipped (Chinese)")
    chunks: int | None = Field(None, description="Chunks stored; null until the file is ingested")


class JobOut(BaseModel):
    """An upload being ingested; poll until ``finished``."""

    id: int
    status: str = Field(description="queued, running, done, failed or interrupted")
    status_name: str
    stage: str = Field(description="read, embed or train while running")
    stage_name: str
    done: int
    total: int
    files: list[FileResultOut]
    error: str
    finished: bool
    created_at: datetime
    user: str = Field(description="User name of the uploader")
    user_name: str
    bureau: str = Field(description="Key of the bureau whose knowledge base the files went into")


class StatsOut(BaseModel):
    bureau: str = Field(description="The bureau's key")
    bureau_name: str
    documents: int
    chunks: int
    kinds: dict[str, int] = Field(description="Documents per kind")
    vectors: int
    keyword_chunks: int = Field(description="Chunks in the keyword index")
    embedder: str
    collection: str = Field(description="The Chroma collection")
    kb_id: str
    chroma: str = Field(description="The Chroma server URL or folder")
    kb_dir: str
