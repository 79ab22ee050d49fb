"""Drafts as the API shows them: the record (who, which bureau, review state), versions, diffs, cited passages."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from assistant.models import Draft


class EditorOut(BaseModel):
    username: str
    name: str = Field(description="Display name (the user name when none is set)")


class DraftRecordOut(BaseModel):
    """A stored draft without its letter: what lists show."""

    id: int
    title: str
    number: str = Field(description="The proposal's number")
    session: str
    proposer: str
    author: str = Field(description="User name of who created the draft")
    author_name: str
    owner: str = Field(description="User name of who answers for the draft (负责人)")
    owner_name: str
    editors: list[EditorOut] = Field(description="Colleagues assigned to co-edit it (协办人)")
    bureau: str = Field(description="The bureau the draft belongs to, as stored")
    current_version: int
    review_status: str = Field(description="pending, in_review, approved or changes")
    review_status_name: str = Field(description="The review status in Chinese")
    created_at: datetime
    updated_at: datetime
    can_edit: bool = Field(description="Whether the asking user may edit it and restore its versions")


class DraftOut(DraftRecordOut):
    """The record with its current version's draft and the letter as plain text (with [n] markers)."""

    draft: Draft
    text: str = Field(description="The letter as plain text with [n] citation markers, as an edit submits it")


class VersionOut(BaseModel):
    number: int
    note: str = Field(description="What made the version (生成, 保存修改, 恢复自第 n 版)")
    editor: str = Field(description="User name of who made it")
    editor_name: str
    created_at: datetime


class VersionDetailOut(VersionOut):
    """A version with its full draft."""

    draft: Draft


class DiffOut(BaseModel):
    a: int = Field(description="The older version")
    b: int = Field(description="The newer version")
    html: str = Field(description="One <p> a paragraph, class same, changed, added or removed; changes in <del>/<ins>")


class SourceContextOut(BaseModel):
    """A cited passage inside its document's text, read from the draft's bureau's knowledge base."""

    id: int = Field(description="The source's number in the draft ([n])")
    doc_id: str
    title: str
    issuer: str
    region: str
    date: str
    own: bool = Field(description="Whether the source is of the bureau's own region")
    before: str = Field(description="Text before the passage (up to 300 characters)")
    passage: str
    after: str = Field(description="Text after the passage (up to 300 characters)")
    found: bool = Field(description="False when the document or the passage is no longer in the knowledge base")
    note: str = Field(description="Why the passage is shown as quoted, or was re-located (Chinese); empty if not")
    start: int
    end: int
    doc_title: str = Field("", description="The document's current title (when found)")
    url: str = Field(description="The document page with the passage highlighted")
