"""Proposal and Draft: the one JSON contract shared by the CLI, the API, the web pages and eval."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from assistant.rules.flags import Flag, from_legacy

PLACEHOLDER = "【请填写】"
TO_FILL = "【待补充】"

ProposerType = Literal["member", "deputy", "body", "unknown"]
Layout = Literal["thematic", "per_suggestion"]
Category = Literal["A", "B", "C"]
Disclosure = Literal["主动公开", "依申请公开", "不予公开"]


class Proposal(BaseModel):
    """A CPPCC proposal (提案) or NPC suggestion (建议) to be answered."""

    title: str = Field("", description="Title without book-title marks, e.g. 关于……的提案")
    number: str = Field("", description="Number alone, e.g. 114")
    session: str = Field("", description="Session, e.g. 市政协九届三次会议")
    proposer: str = Field("", description="Name of the member/deputy, or of the body")
    proposer_type: ProposerType = "unknown"
    kind: Literal["proposal", "suggestion"] = Field("proposal", description="提案 (CPPCC) or 建议 (NPC)")
    body: str = Field("", description="Full text of the proposal")
    suggestions: list[str] = Field(default_factory=list, description="The individual suggestions, in order")
    date: str = Field("", description="ISO date the proposal was submitted, if known")
    warnings: list[str] = Field(default_factory=list, description="What the reader was unsure of, in Chinese: check these first")


class DraftOptions(BaseModel):
    """How the reply should be drafted."""

    bureau_name: str = Field("", description="Full name of the replying bureau; defaults to the settings profile")
    bureau_short: str = Field("", description="How the bureau calls itself (我局/我委); defaults to settings")
    region: str = Field("", description="The bureau's region; defaults to settings")
    city_short: str = Field("", description="How the letter calls the city (我市); defaults to settings")
    reply_date: str = Field("", description="ISO date of the reply; only sources dated on or before it are used")
    layout: Layout = "thematic"
    category: Category | None = Field(None, description="Answer category A/B/C; placeholder when unset")
    disclosure: Disclosure = "主动公开"
    contact_person: str = ""
    contact_phone: str = ""
    co_handlers: list[str] = Field(default_factory=list, description="会办单位 consulted")
    communication: str = Field("", description="How the bureau talked with the proposer, e.g. 电话沟通")
    communication_date: str = Field("", description="ISO date of that communication")
    engine: Literal["compose", "llm"] = "compose"
    exclude_doc_ids: list[str] = Field(default_factory=list, description="Documents never to cite (evaluation)")


class Sentence(BaseModel):
    text: str
    citations: list[int] = Field(default_factory=list, description="Ids into Draft.sources")
    support: float | None = Field(None, description="0..1 support of the sentence by its cited passages")
    flags: list[Flag] = Field(default_factory=list, description="Problems found by verification (code + Chinese message)")

    @field_validator("flags", mode="before")
    @classmethod
    def _legacy_flags(cls, value: object) -> object:
        # Drafts saved before flags had codes hold plain strings.
        if isinstance(value, list):
            return [from_legacy(v) if isinstance(v, str) else v for v in value]
        return value

    def flag_messages(self) -> list[str]:
        return [f.message for f in self.flags]


class Item(BaseModel):
    heading: str = Field("", description="e.g. （一）以平台为支撑打造转化服务体系")
    sentences: list[Sentence] = Field(default_factory=list)
    suggestion_index: int | None = Field(None, description="Which suggestion this item answers, if any")


class Section(BaseModel):
    heading: str = Field(description="e.g. 一、工作开展情况")
    role: Literal["work", "plan", "suggestion", "other"] = "work"
    items: list[Item] = Field(default_factory=list)


class Letter(BaseModel):
    doc_number: str = ""
    title: str
    salutation: str
    opening: str
    sections: list[Section] = Field(default_factory=list)
    closing: str
    signature: str
    date: str = Field(description="Chinese date line, e.g. 2024年7月29日")
    contact: str = ""
    category: str = ""
    disclosure: str = ""


class Source(BaseModel):
    """A cited passage. ``quote`` equals the stored document text at ``[start:end]``."""

    id: int
    doc_id: str
    chunk_id: str
    title: str
    issuer: str
    region: str
    date: str
    quote: str
    start: int
    end: int
    own: bool = Field(True, description="True when the source is of this bureau or its region")
    kind: str = Field("", description="Document kind: reply, policy, news, summary, plan")
    section: str = Field("", description="Headings above the quote in its document (e.g. 一、2024年工作总结 > （一）…)")
    status: str = Field("", description="in_force, repealed or draft, as the knowledge base records it")
    valid_until: str = Field("", description="ISO date after which the document is no longer in force")
    completeness: str = Field("", description="How much of the document the knowledge base holds (manifest), "
                              "e.g. truncated at end")


class Checks(BaseModel):
    structure: bool = False
    structure_missing: list[str] = Field(default_factory=list)
    citations_valid: float = 0.0
    numbers_traceable: float = 0.0
    coverage: list[bool] = Field(default_factory=list, description="Per suggestion: answered or not")
    jurisdiction: bool = Field(False, description="No 工作开展情况 sentence cites another region's source")
    mean_support: float = 0.0
    flagged_sentences: int = 0
    unworthy_sentences: int = Field(0, description="Sentences that do not belong in a reply (news, speech, event, "
                                    "preamble, repealed or draft policy, stale, generic)")

    @property
    def passed(self) -> bool:
        return (
            self.structure and self.citations_valid == 1.0 and self.numbers_traceable == 1.0
            and self.jurisdiction and all(self.coverage) and self.unworthy_sentences == 0
        )


class Reference(BaseModel):
    """Another region's practice, shown to reviewers only."""

    source_id: int
    region: str
    text: str


class Draft(BaseModel):
    proposal: Proposal
    options: DraftOptions
    letter: Letter
    sources: list[Source] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list, description="Reference practices elsewhere")
    text: str = Field("", description="The plain letter with [n] citation markers")
    checks: Checks = Field(default_factory=Checks)
    warnings: list[str] = Field(default_factory=list)
    engine: str = "compose"
