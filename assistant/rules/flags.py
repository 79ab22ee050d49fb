"""Typed flags: a stable code for programs, a Chinese message for people.

Every rule reports problems as :class:`Flag` values. Code compares ``code`` (never the message), the
pages and exports show ``message``. Drafts saved before flags were typed carry plain strings; they are
read back as flags with the code guessed from the message, so old drafts still open.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class FlagCode(StrEnum):
    # traceability
    MISSING_EVIDENCE = "missing_evidence"
    NO_CITATION = "no_citation"
    CITATION_UNKNOWN = "citation_unknown"
    QUOTE_CHANGED = "quote_changed"
    LOW_SUPPORT = "low_support"
    FIGURE_UNTRACED = "figure_untraced"
    FOREIGN_SOURCE = "foreign_source"
    MODEL_CITATION = "model_citation"
    # letter-worthiness
    NEWS_LEAD = "news_lead"
    EVENT = "event"
    SPEECH = "speech"
    PREAMBLE = "preamble"
    DEFINITION = "definition"
    THIS_EVENT = "this_event"
    OTHER_BODY = "other_body"
    REPEALED = "repealed"
    DRAFT_POLICY = "draft_policy"
    EXPIRED = "expired"
    STALE = "stale"
    GENERIC = "generic"
    PAST_IN_PLAN = "past_in_plan"
    PROBLEM = "problem"
    ADDRESSED = "addressed"
    OTHER = "other"


# Codes that say a sentence does not belong in a reply, as opposed to a traceability problem.
WORTHINESS_CODES = frozenset({
    FlagCode.NEWS_LEAD, FlagCode.EVENT, FlagCode.SPEECH, FlagCode.PREAMBLE, FlagCode.DEFINITION,
    FlagCode.THIS_EVENT, FlagCode.OTHER_BODY, FlagCode.REPEALED, FlagCode.DRAFT_POLICY, FlagCode.EXPIRED,
    FlagCode.STALE, FlagCode.GENERIC, FlagCode.PAST_IN_PLAN, FlagCode.PROBLEM, FlagCode.ADDRESSED,
})

# Flags raised while drafting (not by verification); verification keeps them when it recomputes the rest.
DRAFTING_CODES = frozenset({FlagCode.MISSING_EVIDENCE, FlagCode.MODEL_CITATION})


class Flag(BaseModel):
    """One problem found in a sentence."""

    code: FlagCode = Field(description="Stable machine code, e.g. figure_untraced")
    message: str = Field(description="What is wrong, in Chinese, for the drafter and the reviewer")

    def __str__(self) -> str:
        return self.message


def flag(code: FlagCode, detail: str = "") -> Flag:
    """The flag ``code`` with its standard message (``detail`` fills the message's blank)."""
    return Flag(code=code, message=MESSAGES[code].format(detail))


MESSAGES: dict[FlagCode, str] = {
    FlagCode.MISSING_EVIDENCE: "缺少本地依据{}",
    FlagCode.NO_CITATION: "无引用来源{}",
    FlagCode.CITATION_UNKNOWN: "引用[{}]不存在",
    FlagCode.QUOTE_CHANGED: "引用[{}]与原文不一致",
    FlagCode.LOW_SUPPORT: "依据支撑度低（{}）",
    FlagCode.FIGURE_UNTRACED: "数字“{}”在引用原文中找不到",
    FlagCode.FOREIGN_SOURCE: "引用了外地材料，不能写作本局工作{}",
    FlagCode.MODEL_CITATION: "模型引用了不存在的依据{}",
    FlagCode.NEWS_LEAD: "新闻导语或记者署名，不宜写入答复{}",
    FlagCode.EVENT: "会议、活动过程描述，不宜写入答复{}",
    FlagCode.SPEECH: "领导讲话、调研或引语，不宜写入答复{}",
    FlagCode.PREAMBLE: "政策文件的制定目的（序言），不宜写入答复{}",
    FlagCode.DEFINITION: "政策文件的定义、适用或程序条款，不宜写入答复{}",
    FlagCode.THIS_EVENT: "指代原文上下文（此次、上述、其中等），脱离原文无法理解{}",
    FlagCode.OTHER_BODY: "其他单位的发言或意见，不是本局工作{}",
    FlagCode.REPEALED: "引用的文件已失效或废止{}",
    FlagCode.DRAFT_POLICY: "引用的是征求意见稿或讨论稿，不能写作已出台{}",
    FlagCode.EXPIRED: "引用的规划或方案期限已过{}",
    FlagCode.STALE: "事项时间过久，不宜作为近期工作{}",
    FlagCode.GENERIC: "空泛表述，没有具体举措、文件或数据{}",
    FlagCode.PAST_IN_PLAN: "已完成的事项或活动，不应写在下一步工作打算中{}",
    FlagCode.PROBLEM: "问题分析，不是已开展的工作{}",
    FlagCode.ADDRESSED: "针对原提案人或原函的语句，不能移用{}",
    FlagCode.OTHER: "{}",
}

# Legacy string flags (drafts saved before codes existed) → their code, by the message's opening words.
_LEGACY_PREFIXES: tuple[tuple[str, FlagCode], ...] = (
    ("缺少本地依据", FlagCode.MISSING_EVIDENCE), ("无引用来源", FlagCode.NO_CITATION),
    ("依据支撑度低", FlagCode.LOW_SUPPORT), ("数字“", FlagCode.FIGURE_UNTRACED),
    ("引用了外地材料", FlagCode.FOREIGN_SOURCE), ("模型引用", FlagCode.MODEL_CITATION),
)


def from_legacy(message: str) -> Flag:
    """A flag for a message saved as a plain string."""
    for prefix, code in _LEGACY_PREFIXES:
        if message.startswith(prefix):
            return Flag(code=code, message=message)
    if message.startswith("引用["):
        code = FlagCode.CITATION_UNKNOWN if message.endswith("不存在") else FlagCode.QUOTE_CHANGED
        return Flag(code=code, message=message)
    return Flag(code=FlagCode.OTHER, message=message)
