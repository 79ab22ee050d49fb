"""Request bodies of the pages (forms) and of the JSON API, and their conversion to the shared models."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from assistant.models import DraftOptions, Proposal

_LIST_SPLIT = re.compile(r"[\n、,，;；]+")


class ProposalFields(BaseModel):
    """The proposal as the second step of the new-draft form shows it, every field editable."""

    title: str = ""
    number: str = ""
    session: str = ""
    proposer: str = ""
    proposer_type: Literal["member", "deputy", "body", "unknown"] = "unknown"
    kind: Literal["proposal", "suggestion"] = "proposal"
    date: str = ""
    suggestions: str = Field("", description="One suggestion a line")
    body: str = ""

    def to_proposal(self) -> Proposal:
        suggestions = [s.strip() for s in self.suggestions.splitlines() if s.strip()]
        return Proposal(title=self.title.strip(), number=self.number.strip(), session=self.session.strip(),
                        proposer=self.proposer.strip(), proposer_type=self.proposer_type, kind=self.kind,
                        date=self.date.strip(), suggestions=suggestions, body=self.body)

    @classmethod
    def from_proposal(cls, p: Proposal) -> ProposalFields:
        return cls(title=p.title, number=p.number, session=p.session, proposer=p.proposer,
                   proposer_type=p.proposer_type, kind=p.kind, date=p.date, suggestions="\n".join(p.suggestions),
                   body=p.body)


class DraftForm(ProposalFields):
    layout: Literal["thematic", "per_suggestion"] = "thematic"
    category: Literal["", "A", "B", "C"] = ""
    disclosure: Literal["主动公开", "依申请公开", "不予公开"] = "主动公开"
    reply_date: str = ""
    contact_person: str = ""
    contact_phone: str = ""
    co_handlers: str = Field("", description="Units separated by 、 , ; or new lines")
    communication: str = ""
    communication_date: str = ""
    engine: Literal["compose", "llm"] = "compose"

    def to_options(self) -> DraftOptions:
        return DraftOptions(
            layout=self.layout, category=self.category or None, disclosure=self.disclosure,
            reply_date=self.reply_date.strip(), contact_person=self.contact_person.strip(),
            contact_phone=self.contact_phone.strip(),
            co_handlers=[u.strip() for u in _LIST_SPLIT.split(self.co_handlers) if u.strip()],
            communication=self.communication.strip(), communication_date=self.communication_date.strip(),
            engine=self.engine,
        )


class CreateDraft(BaseModel):
    proposal: Proposal
    options: DraftOptions = Field(default_factory=DraftOptions)


class ParseText(BaseModel):
    text: str = Field(description="The proposal's full text")


class TextEdit(BaseModel):
    text: str = Field(description="The letter as plain text with [n] citation markers")
    base_version: int | None = Field(None, description="The version the edit started from (conflict check)")


class AssignmentIn(BaseModel):
    owner: str | None = Field(None, description="User name of the new owner (负责人; admins only); null: unchanged")
    editors: list[str] = Field(default_factory=list, description="User names of the assigned editors (协办人)")


class ReviewIn(BaseModel):
    source_id: int
    decision: Literal["accepted", "rejected"]
    comment: str = ""


class LoginIn(BaseModel):
    username: str
    password: str


class PasswordIn(BaseModel):
    old_password: str
    new_password: str


class UserIn(BaseModel):
    username: str
    role: Literal["drafter", "reviewer", "admin"]
    password: str
    display_name: str = ""
    bureau: str | None = Field(None, description="Bureau key (see the user page's list); default: the admin's own")


class UserPatch(BaseModel):
    role: Literal["drafter", "reviewer", "admin"] | None = None
    active: bool | None = None
    password: str | None = None
    display_name: str | None = None
