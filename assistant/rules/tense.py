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
PLAN_CUES = ("将", "下一步", "持续", "继续", "进一步", "力争", "拟", "着力", "探索", "争取", "推动", "加快")
# 计划 is a plan only as a verb (计划于/到/年内…); 英才计划, 行动计划 are names.
_PLAN_HEAD = re.compile(r"下一步|将|力争|拟|计划(?=[于在到年今明全\d])|争取|预计")
# 将 as 把 (将X纳入Y), not as "will": the disposal sense carries no tense.
_DISPOSAL = re.compile(r"将[^，。；将]{1,24}?(?:纳入|列入|作为|确定为|认定为|列为|转化为|打造成|改造为|整合为|提高到|扩大至|扩大到|由)")
_DONE_STRONG = re.compile(
    r"已|累计|截至|建成|出台|印发|获批|兑现|完成|共\S{0,6}\d|\d{4}年(?:以来)?[，,]|今年以来|目前|先后|"
    r"入选|获评|荣获|新认定|新入选|新增\S{0,8}\d|近年来|近年|以来|"
    # 今年首次…试行 (a first done), 218家企业无需申报即获得补助 (a counted result)
    r"首次|\d+(?:家|名|个|项|人)\S{0,12}获得|"
    # a budget line (…类资金6200万元，用于…): money allocated
    r"(?:资金|经费)\d[\d.]*(?:万元|亿元)[，,]?用于|"
    # a status under way (修订后的《细则》正在履行审查程序)
    r"正在履行|正在(?:审查|审核|报批|修订)|"
    # a counted batch put out (首批30个人工智能应用场景集中发布)
    r"\d+(?:个|家|项|批)[^，。；]{0,16}(?:集中|正式)(?:发布|启动|揭牌|授牌|上线)"
)
# Cues that only ever look forward (推动/加快/持续 also describe work done, so they decide nothing alone).
_PLAN_ONLY = re.compile(r"力争|拟|争取|预计|着力|将")
_COUNTED = re.compile(r"\d+(?:\.\d+)?(?:个|家|项|名|人|所|支|亿元|万元)")
_OWN_ACCOUNT = re.compile(r"^据市[^，。]{1,12}介绍|我市|全市|我局")
# Looking back even inside a plan or a speech: 这一年/过去一年/一年来 tell what was done.
_LOOKING_BACK = re.compile(r"^(?:这一年|过去一年|过去的一年|一年来|去年|上年|刚刚过去的)")


def classify_tense(sentence: str, part: str, kind: str = "") -> Tense:
    """done, plan or neutral for ``sentence`` found in reply part ``part`` of a document of ``kind``."""
    # Names (《…计划》, “启明人才计划”) and 将 as 把 say nothing about tense.
    sentence = re.sub(r"《[^》]*》|“[^”]*”", "X", sentence)
    head = _DISPOSAL.sub("", sentence)[:14]
    if _LOOKING_BACK.search(sentence):
        return "done"
    if _PLAN_HEAD.search(head):
        return "plan"
    if part == "plan" and not re.search(r"已|累计|截至", sentence):
        return "plan"
    if part in ("work", "suggestion"):
        return "done"
    if kind == "plan" and not re.search(r"已|累计|截至", sentence):
        return "plan"
    if _DONE_STRONG.search(sentence):
        return "done"
    if any(c in sentence for c in DONE_CUES):
        return "done"
    if kind == "news" and _COUNTED.search(sentence) and _OWN_ACCOUNT.search(sentence) and not _PLAN_ONLY.search(sentence):
        # The city's own counted account in a report (据市科学技术局介绍，…其中政府部门开放场景11个): what was done,
        # as of the report; not a scene or an anecdote (活动现场…签订…, 这家企业…获得了1200万元贷款).
        return "done"
    if _PLAN_ONLY.search(head):
        return "plan"
    return "neutral"
