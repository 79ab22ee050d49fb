"""Whether a letter has its parts, in order: title, salutation, opening (收悉), body, next steps, closing,
signature, date. Both layouts count (工作开展情况 or one section per suggestion, then 下一步), and so do
sections of another name whose heading says what they are (工作进展, 下一步工作安排)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.models import Letter, Section
from assistant.rules.figures import strip_markers

PARTS = ("title", "salutation", "opening", "body", "plan", "closing", "signature", "date")
LABELS = {"title": "标题", "salutation": "称谓", "opening": "开头（收悉）", "body": "工作开展情况",
          "plan": "下一步工作打算", "closing": "结束语", "signature": "落款", "date": "日期"}
WORK_ROLES = ("work", "suggestion")
_WORK_HEADING = re.compile(r"工作开展|开展情况|基本情况|工作进展|办理情况|工作情况|[“\"].+[”\"].*(?:建议|回复|答复)")
_PLAN_HEADING = re.compile(r"下一步|工作打算|工作计划|工作安排|今后")


@dataclass(frozen=True)
class Problem:
    part: str
    label: str


def is_body(section: Section) -> bool:
    return section.role in WORK_ROLES or (section.role == "other" and bool(_WORK_HEADING.search(section.heading)))


def is_plan(section: Section) -> bool:
    return section.role == "plan" or (section.role == "other" and bool(_PLAN_HEADING.search(section.heading)))


def problems(letter: Letter, text: str = "") -> list[Problem]:
    """Parts absent, empty or out of order, in reading order (order judged on ``text`` when given)."""
    filled = [s for s in letter.sections if any(x.text.strip() for i in s.items for x in i.sentences)]
    body = [i for i, s in enumerate(filled) if is_body(s)]
    plan = [i for i, s in enumerate(filled) if is_plan(s)]
    anchors = {
        "title": letter.title, "salutation": letter.salutation, "opening": letter.opening,
        "body": filled[body[0]].heading if body else "", "plan": filled[plan[-1]].heading if plan else "",
        "closing": letter.closing, "signature": letter.signature, "date": letter.date,
    }
    out: list[Problem] = []
    plain = strip_markers(text)
    cursor = 0
    for part in PARTS:
        anchor = anchors[part].strip()
        if not anchor:
            out.append(Problem(part, LABELS[part]))
            continue
        if part == "plan" and body and plan[-1] < body[-1]:
            out.append(Problem(part, "顺序：下一步工作打算应在工作开展情况之后"))
            continue
        if part == "opening" and "收悉" not in anchor:
            out.append(Problem(part, "开头应写明“收悉”"))
        pos = plain.find(anchor, cursor) if plain else -1
        if pos >= 0:
            cursor = pos + len(anchor)
        elif plain and anchor in plain:
            out.append(Problem(part, f"顺序：{LABELS[part]}位置不对"))
    if any(not s.items or not any(i.sentences for i in s.items) for s in letter.sections):
        out.append(Problem("body", "有空的部分"))
    return out


def share_in_order(letter: Letter, text: str = "") -> float:
    """Share of the eight parts present and in order (what eval reports)."""
    bad = {p.part for p in problems(letter, text) if p.label != "有空的部分"}
    return (len(PARTS) - len(bad)) / len(PARTS)
