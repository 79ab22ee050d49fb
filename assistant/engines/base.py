"""The engine contract: what an engine is given and what it returns."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from assistant.evidence import Evidence
from assistant.models import DraftOptions, Proposal, Reference, Section, Source
from assistant.rules.jurisdiction import Jurisdiction


class EngineInput(BaseModel):
    """Everything an engine may use: the proposal, the resolved options, the evidence, whose work is whose."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    proposal: Proposal
    options: DraftOptions
    evidence: Evidence
    jurisdiction: Jurisdiction
    stale_years: int = Field(2, description="Facts older than this (years before the reply) are not reported as current work")

    @property
    def suggestions(self) -> list[str]:
        return self.proposal.suggestions or [self.proposal.title or "提案所提事项"]


class Body(BaseModel):
    """The letter's body as an engine wrote it; the fixed parts (title, salutation…) are not the engine's."""

    sections: list[Section] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list, description="Cited passages, numbered from 1")
    references: list[Reference] = Field(default_factory=list, description="Practice elsewhere, for reviewers only")
    warnings: list[str] = Field(default_factory=list)


class Engine(Protocol):
    name: str

    def write(self, job: EngineInput) -> Body: ...
