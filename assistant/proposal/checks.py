"""What a clerk should check before drafting: the reader says where it was unsure, in Chinese."""

from __future__ import annotations

import re

from assistant.models import Proposal
from assistant.proposal.items import PROBLEM, REQUEST, Reading

LONG_ITEM = 400

_SOURCE_NOTES = {
    "paragraphs": "“建议”部分没有编号，已按段落分为 {n} 条，请核对是否应合并或再拆分。",
    "section_text": "“建议”部分没有编号，已把整段作为一条建议，请核对其中是否含有几条建议。",
    "leadin": "",
    "leadin_paragraphs": "“建议：”之后没有编号，已按段落分为 {n} 条，请核对是否应合并或再拆分。",
    "leadin_text": "“建议：”之后没有编号，已把其后的一段文字作为一条建议，请核对其中是否含有几条建议。",
    "body_list": "这些编号条目不在“建议”部分内（原文没有“建议：”“对策建议”等标题），请核对它们是建议，而不是问题或情况的罗列。",
    "ask": "原文没有编号的建议条目，已取正文中提出请求的句子（“建议……”“恳请……”“希望……”等）作为唯一建议，请核对起止位置。",
    "last_paragraph": "原文找不到“建议”标题、编号或请求语句，暂以正文最后一段作为建议，请核对后改写。",
    "none": "未能识别出建议，请在“建议”框中逐条填写。",
}


def warnings(p: Proposal, reading: Reading) -> list[str]:
    out = []
    note = _SOURCE_NOTES.get(reading.source, "")
    if note:
        out.append(note.format(n=len(p.suggestions)))
    if len(p.suggestions) == 1 and reading.source in ("section", "leadin", "body_list"):
        out.append("只识别出一条编号建议，请核对原文是否还有其他建议。")
    for n, item in enumerate(p.suggestions, start=1):
        if len(item) > LONG_ITEM:
            out.append(f"第{n}条建议长达{len(item)}字，可能把几条建议合在了一起，请核对拆分。")
        if looks_like_analysis(item):
            out.append(f"第{n}条“{_short(item)}”读起来像问题或情况描述，不像建议，请核对。")
    missing = [name for name, value in (("标题", p.title), ("编号", p.number), ("提出人", p.proposer)) if not value]
    if missing:
        out.append(f"未识别出{'、'.join(missing)}，请对照原文填写（原文没有的可留空，答复函中会留出待填位置）。")
    return out


def looks_like_analysis(item: str) -> bool:
    """States a problem and asks for nothing: a sentence of the analysis rather than a suggestion."""
    lead = re.split(r"[。；]", item, maxsplit=1)[0]
    return bool(PROBLEM.search(lead)) and not REQUEST.search(item)


def _short(item: str, limit: int = 20) -> str:
    return item if len(item) <= limit else item[:limit] + "……"
