"""Whether a document may be cited as in force on the reply date.

A repealed rule (失效/废止) is never cited as current, though a reply dated before its repeal may cite it;
a consultation draft (征求意见稿/讨论稿) is never cited as adopted; a plan or rule whose period or 有效期
has ended is history, not policy. The knowledge base records what a document says of itself (or what the
manifest's ``status`` column says) as ``status`` and ``valid_until``; this module decides at a date.
"""

from __future__ import annotations

from typing import Literal, Protocol

from assistant.rules.flags import Flag, FlagCode, flag

Validity = Literal["in_force", "repealed", "draft", "expired"]


class HasValidity(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def valid_until(self) -> str: ...


def validity(meta: HasValidity, at: str) -> Validity:
    """The document's standing on ISO date ``at`` (empty: today's standing as recorded)."""
    status, until = meta.status or "", meta.valid_until or ""
    if status == "draft":
        return "draft"
    ended = bool(until) and (not at or at[: len(until)] > until[: len(at)])
    if status == "repealed":
        return "repealed" if not until or not at or ended else "in_force"
    return "expired" if ended else "in_force"


def validity_flag(meta: HasValidity, at: str) -> Flag | None:
    """The flag for citing this document on ``at`` as current, or None when it is in force."""
    state = validity(meta, at)
    if state == "repealed":
        return flag(FlagCode.REPEALED, f"（{meta.valid_until}起）" if meta.valid_until else "")
    if state == "draft":
        return flag(FlagCode.DRAFT_POLICY)
    if state == "expired":
        return flag(FlagCode.EXPIRED, f"（至{meta.valid_until}）")
    return None
