"""Citation review as the API shows it: the state, the decision on each cited passage, the trail."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class CitationReviewOut(BaseModel):
    source_id: int = Field(description="The source's number in the current version ([n])")
    source_key: str = Field(description="The passage itself (document:start:end); decisions follow it")
    decision: Literal["accepted", "rejected"] | None = Field(description="null: not reviewed yet")
    comment: str
    reviewer: str | None = Field(description="User name of the reviewer")
    reviewer_name: str | None
    updated_at: datetime | None


class ReviewEventOut(BaseModel):
    at: datetime
    who: str = Field(description="User name")
    who_name: str
    action: str = Field(description="created, edited, restored, accepted, rejected or assigned")
    action_name: str = Field(description="The action in Chinese")
    version: int
    source_id: int | None
    comment: str


class ReviewOut(BaseModel):
    status: str = Field(description="pending, in_review, approved or changes")
    status_name: str = Field(description="The review status in Chinese")
    citations: list[CitationReviewOut] = Field(description="One per passage the current version cites")
    trail: list[ReviewEventOut] = Field(description="Who did what when, oldest first")
