"""Whether a sentence tells what was done or what will be done.

推动/加快/持续 serve both tenses, so they mark a plan only where the source itself was a plan section
(or a plan document); strong cues (将, 下一步, 已, 累计, 截至) decide first.
"""

from __future__ import annotations

import re
from typing import Literal

Tense = Literal["done", "plan", "neutral"]

DONE_CUES = ("已", "累计", "建成", "出台", "印发", "制定", "设立", "开展了", "截至", "目前", "近年来", "今年以来",
             "先后", "共", "达到", "获批", "认定", "兑现", "完成", "实现", "发放", "支持", "新增", "培育")
PLAN_CUES = ("将", "下一步", "持续", "继续", "进一步", "力争", "拟", "计划", "着力", "探索", "争取", "推动", "加快")
_PLAN_HEAD = re.compile(r"下一步|将|力争|拟|计划|争取|预计")
# 将 as 把 (将X纳入Y), not as "will": the disposal sense carries no tense.
_DISPOSAL = re.compile(r"将[^，。；将]{1,24}?(?:纳入|列入|作为|确定为|认定为|列为|转化为|打造成|改造为|整合为|提高到|扩大至|扩大到|由)")
_DONE_STRONG = re.compile(
    r"已|累计|截至|建成|出台|印发|获批|兑现|完成|共\S{0,6}\d|\d{4}年(?:以来)?[，,]|今年以来|目前|先后"
)


def classify_tense(sentence: str, part: str, kind: str = "") -> Tense:
    """done, plan or neutral for ``sentence`` found in reply part ``part`` of a document of ``kind``."""
    # Names (《…计划》, “启明人才计划”) and 将 as 把 say nothing about tense.
    sentence = re.sub(r"《[^》]*》|“[^”]*”", "X", sentence)
    head = _DISPOSAL.sub("", sentence)[:14]
    if _PLAN_HEAD.search(head):
        return "plan"
    if (part == "plan" or kind == "plan") and not re.search(r"已|累计|截至", sentence):
        return "plan"
    if _DONE_STRONG.search(sentence):
        return "done"
    if part in ("work", "suggestion"):
        return "done"
    if any(c in head for c in PLAN_CUES):
        return "plan"
    if any(c in sentence for c in DONE_CUES):
        return "done"
    return "neutral"
