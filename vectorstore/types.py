"""The types every layer shares: documents, chunks, sentences, search hits.

Offsets always point into ``Document.text`` (the stored, normalized text), so
``doc.text[chunk.start:chunk.end] == chunk.text`` holds for every chunk.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field

Kind = Literal["reply", "policy", "news", "summary", "plan", "proposal"]
KINDS: tuple[str, ...] = ("reply", "policy", "news", "summary", "plan", "proposal")
Status = Literal["", "in_force", "repealed", "draft"]


class DocMeta(BaseModel):
    """Descriptive metadata of a document, from a manifest or inferred from its text."""

    kind: Kind = Field("news", description="reply (答复函), policy (政策文件), news (新闻), summary (工作总结), "
                       "plan (工作要点/工作计划/工作会议讲话), proposal (提案/建议)")
    title: str = Field("", description="Document title")
    issuer: str = Field("", description="Issuing body, e.g. 广州市科学技术局")
    region: str = Field("", description="Administrative region, e.g. 广东省广州市")
    date: str = Field("", description="ISO date (YYYY-MM-DD, YYYY-MM or YYYY); empty when unknown")
    proposal_number: str = Field("", description="Proposal/suggestion number with session, when a reply")
    doc_number: str = Field("", description="发文字号, e.g. 穗科函〔2024〕18号")
    source: str = Field("", description="Where the document came from (URL or note)")
    status: Status = Field("", description="in_force, repealed (失效/废止) or draft (征求意见稿/讨论稿); empty: in force as far as known")
    valid_until: str = Field("", description="ISO date after which the document is no longer in force (失效日期, 有效期, a plan's end year)")
    completeness: str = Field("", description="How much of the document the knowledge base holds, as the manifest says "
                              "(whole, excerpt, truncated at end …); empty: not stated")


class Span(BaseModel):
    """A sentence (or other span) with offsets into the document text."""

    start: int
    end: int
    text: str


class Chunk(BaseModel):
    """A retrievable unit: an item or paragraph of a document, split further only when long."""

    chunk_id: str
    doc_id: str
    seq: int = Field(description="Position of the chunk within its document")
    start: int
    end: int
    text: str
    section_path: list[str] = Field(default_factory=list, description="Headings above the chunk, outermost first")
    part: str = Field("body", description="Reply part the chunk belongs to (work, plan, suggestion, body, ...)")
    sentences: list[Span] = Field(default_factory=list)

    @property
    def section(self) -> str:
        return " > ".join(self.section_path)


class Document(BaseModel):
    """A stored document: normalized text plus metadata."""

    doc_id: str
    text: str
    meta: DocMeta
    content_hash: str
    source_path: str = ""


class Hit(BaseModel):
    """One search result. ``text`` equals the document text at ``[start:end]``."""

    doc_id: str
    chunk_id: str
    text: str
    start: int
    end: int
    title: str
    issuer: str
    region: str
    date: str
    kind: str
    status: str = Field("", description="in_force, repealed or draft (empty: in force as far as known)")
    valid_until: str = Field("", description="ISO date after which the document is no longer in force")
    completeness: str = Field("", description="How much of the document the knowledge base holds (manifest)")
    doc_number: str = Field("", description="发文字号 of the document, e.g. 穗府办〔2024〕7号")
    section: str
    score: float
    channels: dict[str, int] = Field(default_factory=dict, description="Rank (1-based) in each channel that found it")
    sentences: list[Span] = Field(default_factory=list, description="The chunk's sentences, offsets into the document text")


class SearchFilters(BaseModel):
    """Metadata filters applied to both retrieval channels."""

    kinds: list[str] = Field(default_factory=list)
    issuer: str = Field("", description="Substring of the issuer")
    region: str = Field("", description="Substring of the region")
    before: str = Field("", description="Only documents dated on or before this ISO date; undated ones are kept")
    after: str = Field("", description="Only documents dated on or after this ISO date")
    exclude_doc_ids: list[str] = Field(default_factory=list)
    include_doc_ids: list[str] | None = Field(None, description="Restrict to these documents when given")
    drop_undated: bool = Field(False, description="With before/after: also drop documents without a date")

    def is_empty(self) -> bool:
        return not (
            self.kinds or self.issuer or self.region or self.before or self.after
            or self.exclude_doc_ids or self.include_doc_ids is not None
        )


class SearchResult(list[Hit]):
    """The hits of one search, best first, and ``warnings`` about what the search could not use.

    A list, so every caller that wants only the hits keeps iterating, indexing and comparing it as
    before; a caller that shows results to a person also shows ``warnings`` (e.g. the vector index
    is empty, so only keywords were matched).
    """

    def __init__(self, hits: Iterable[Hit] = (), warnings: Iterable[str] = ()) -> None:
        super().__init__(hits)
        self.warnings: list[str] = list(warnings)

    @property
    def hits(self) -> list[Hit]:
        return list(self)


class DocFilter(BaseModel):
    """Which stored documents a listing shows; every condition given must hold."""

    text: str = Field("", description="Substring of the title or of the proposal number")
    kinds: list[str] = Field(default_factory=list)
    issuer: str = Field("", description="Substring of the issuer")
    region: str = Field("", description="Substring of the region")
    date_from: str = Field("", description="Dated on or after this (ISO, or a prefix such as 2024); undated documents are left out")
    date_to: str = Field("", description="Dated on or before this, compared at its own precision; undated documents are left out")
    limit: int | None = Field(None, ge=1, description="At most this many, newest first")
    offset: int = Field(0, ge=0)


class DocSummary(BaseModel):
    """A stored document without its text: what listings show."""

    doc_id: str
    kind: str
    title: str
    issuer: str
    region: str
    date: str
    proposal_number: str
    doc_number: str
    source: str
    status: str = Field("", description="in_force, repealed or draft (empty: in force as far as known)")
    valid_until: str = ""
    completeness: str = Field("", description="How much of the document the knowledge base holds (manifest)")
    source_path: str
    content_hash: str
    ingested_at: str
    n_chunks: int


class KBCounts(BaseModel):
    documents: int
    chunks: int
