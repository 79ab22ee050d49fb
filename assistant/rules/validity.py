"""Whether a document may be cited as in force on the reply date.

A repealed rule (失效/废止) is never cited as current, though a reply dated before its repeal may cite it;
a consultation draft (征求意见稿/讨论稿) is never cited as adopted; a plan or rule whose period or 有效期
has ended is history, not policy. The knowledge base records what a document says of itself (or what the
manifest's ``status`` column says) as ``status`` and ``valid_until``; this module decides at a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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


# How soon after the reply a cited rule's end is worth telling the signer about.
EXPIRY_NOTICE_MONTHS = 12


def expiring(meta: HasValidity, at: str, months: int = EXPIRY_NOTICE_MONTHS) -> bool:
    """In force on ``at`` but ending less than ``months`` after it: the letter may cite it, and its 下一步 should
    say what comes after it."""
    until = meta.valid_until or ""
    if validity(meta, at) != "in_force" or not until[:7] or not at[:7]:
        return False
    ends = int(until[:4]) * 12 + int(until[5:7])
    now = int(at[:4]) * 12 + int(at[5:7])
    return ends - now < months


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
_DRAFT_IN_PROGRESS = re.compile(r"^(?:\d{4}年\d{1,2}月，)?我局(?:已)?起草《[^》]+(?:征求意见稿|讨论稿)）?》，并"
                                r"(?:于\d{4}年\d{1,2}月\d{1,2}日至(?:\d{4}年)?\d{1,2}月\d{1,2}日)?公开征求意见。$")
# The window a consultation notice gives (公众可于2026年3月20日至2026年4月19日…反馈意见).
_WINDOW = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日(?:起)?至(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")


def consultation_window(text: str) -> str:
    """The consultation window a notice states, as a letter writes it (2026年3月20日至4月19日), else empty."""
    m = _WINDOW.search(text)
    if m is None:
        return ""
    end_year = "" if not m.group(4) or m.group(4) == m.group(1) else f"{m.group(4)}年"
    return f"{m.group(1)}年{int(m.group(2))}月{int(m.group(3))}日至{end_year}{int(m.group(5))}月{int(m.group(6))}日"


def draft_in_progress(title: str, date: str, window: str = "") -> str:
    """The sentence that says a consultation draft of the bureau's is out for comment (and when, if known)."""
    name = title if re.search(r"[（(](?:征求意见稿|讨论稿)[）)]$", title) else f"{title}（征求意见稿）"
    when = f"{int(date[:4])}年{int(date[5:7])}月，" if re.match(r"\d{4}-\d{2}", date) else ""
    return f"{when}我局起草《{name}》，并{'于' + window if window else ''}公开征求意见。"


# And in 下一步, the plan to finish it: 下一步，我局将抓紧修改完善征求意见稿，按程序出台《…》，….
_DRAFT_TO_FINISH = re.compile(r"^(?:下一步，)?我局将抓紧修改完善(?:征求意见稿|讨论稿)，按程序出台《[^》]+》")


def draft_to_finish(title: str) -> str:
    """The plan's act for a policy the bureau has out for comment: finish the draft and issue the policy."""
    kind = "讨论稿" if "讨论稿" in title else "征求意见稿"
    name = re.sub(r"[（(](?:征求意见稿|讨论稿)[）)]$", "", title)
    return f"抓紧修改完善{kind}，按程序出台《{name}》"


def states_draft_in_progress(text: str) -> bool:
    """Whether the sentence speaks of a consultation draft as what it is: out for comment, or to be finished."""
    return bool(_DRAFT_IN_PROGRESS.match(text) or _DRAFT_TO_FINISH.match(text))


# A later document's closing article repeals an earlier one: 《…暂行办法》（青科规〔2019〕2号）同时废止. Not a
# document's note on itself (本办法已由《…》废止 / 根据《…》，本办法…废止), which names the repealing one.
_REPEAL = re.compile(r"(?<![由被据照])《(?P<title>[^》]{4,60})》(?:[（(](?P<number>[^）)]{0,20}〔\d{4}〕\d+号)[）)])?"
                     r"(?:[^。；，《》]{0,6})?(?:同时|予以|即行|一并)?(?:废止|停止执行|不再执行)")
_IN_FORCE_FROM = re.compile(r"自(\d{4})年(\d{1,2})月(\d{1,2})日起(?:施行|实施|执行)")
_SELF = re.compile(r"^(?:本|原)?(?:办法|措施|细则|规定|意见|方案|指引)")


@dataclass(frozen=True)
class Repeal:
    """A document a later one repealed, named by its title and, when given, its 文号; from ``since`` on."""

    title: str
    number: str
    since: str


def repeals_in(text: str, date: str) -> list[Repeal]:
    """The documents ``text`` (a document dated ``date``) repeals, from the date it takes effect (its 自…起施行,
    else its own date)."""
    found = _IN_FORCE_FROM.search(text)
    since = f"{found[1]}-{int(found[2]):02d}-{int(found[3]):02d}" if found else date
    return [Repeal(m["title"], m["number"] or "", since) for m in _REPEAL.finditer(text)
            if not _SELF.match(m["title"])]


def repealed_at(meta: HasTitle, repeals: list[Repeal], at: str) -> Repeal | None:
    """The repeal of this document (by its 文号, or its title's 《name》) in force on ``at``, if any."""
    name = policy_name(meta.title)
    for r in repeals:
        named = (r.number and r.number == meta.doc_number) or (name and r.title == name)
        if named and _in_effect(r, at):
            return r
    return None


def _in_effect(repeal: Repeal, at: str) -> bool:
    return not at or not repeal.since or repeal.since <= at


def names_repealed(text: str, repeals: list[Repeal], at: str) -> Repeal | None:
    """A repealed document the sentence names as if current (《…》 or its 文号), on ``at``."""
    for r in repeals:
        if _in_effect(r, at) and (f"《{r.title}》" in text or (r.number and r.number in text)):
            return r
    return None


# What a manifest says of a document the knowledge base holds only part of (truncated at end, excerpt, 节选).
_PARTIAL = re.compile(r"^(?:excerpt|truncated|partial|abridged)|节选|摘录|截断|不完整|部分", re.IGNORECASE)


def partial(completeness: str) -> bool:
    """Whether the knowledge base holds only part of the document (its manifest's ``completeness``)."""
    return bool(_PARTIAL.search(completeness.strip()))


def policy_name(title: str, issuer: str = "") -> str:
    """The name a letter quotes in 《》: the inner 《…》 of a 关于印发 notice, else the title without its issuer,
    its 关于印发…的通知 frame and its 文号 (鹭川市人民政府办公室关于印发鹭川市企业研发费用后补助实施细则的通知
    （鹭政办规〔2018〕6号） → 鹭川市企业研发费用后补助实施细则)."""
    t = re.sub(r"[（(][^（）()]*(?:〔|\[|；|;|[A-Za-z])[^（）()]*[）)]", "", title).strip()
    inner = re.search(r"《([^》]+)》", t)
    if inner:
        return inner.group(1)
    t = re.sub(r"^.*?关于印发", "", t)
    t = re.sub(r"的通知$", "", t)
    for name in (issuer, re.sub(r"[（(][^）)]*[）)]", "", issuer)):
        if name and t.startswith(name + "关于"):
            t = t[len(name):]
    return t.strip("《》 ")


class HasTitle(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def doc_number(self) -> str: ...
