"""Whether a document may be cited as in force on the reply date.

A repealed rule (失效/废止) is never cited as current, though a reply dated before its repeal may cite it;
a consultation draft (征求意见稿/讨论稿) is never cited as adopted; a plan or rule whose period or 有效期
has ended is history, not policy. The knowledge base records what a document says of itself (or what the
manifest's ``status`` column says) as ``status`` and ``valid_until``; this module decides at a date.
"""

from __future__ import annotations

import re
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


# The one way a letter may speak of a consultation draft: as a draft, out for comment (2026年3月，我局起草
# 《…（征求意见稿）》，并公开征求意见。). It says the bureau is working on the ask, and claims nothing in force.
_DRAFT_IN_PROGRESS = re.compile(r"^(?:\d{4}年\d{1,2}月，)?我局(?:已)?起草《[^》]+(?:征求意见稿|讨论稿)）?》，并公开征求意见。$")


def draft_in_progress(title: str, date: str) -> str:
    """The sentence that says a consultation draft of the bureau's is out for comment."""
    name = title if re.search(r"[（(](?:征求意见稿|讨论稿)[）)]$", title) else f"{title}（征求意见稿）"
    when = f"{int(date[:4])}年{int(date[5:7])}月，" if re.match(r"\d{4}-\d{2}", date) else ""
    return f"{when}我局起草《{name}》，并公开征求意见。"


def states_draft_in_progress(text: str) -> bool:
    return bool(_DRAFT_IN_PROGRESS.match(text))
