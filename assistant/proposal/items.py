"""The suggestion list: where the suggestions are, and one item per top-level enumerated suggestion.

In order of trust:
1. a suggestion section (【建议】, 三、对策建议, 具体建议（办法）：, 建议：…): its numbered list, else its
   paragraphs;
2. a lead-in inside a paragraph (……为此建议：一是……), the list or text after it;
3. a numbered list in the body that is not a list of problems (需要解决以下问题：1.…);
4. the request buried in the body (因此建议……, 恳请……, 希望……);
5. the body's last paragraph.
``Reading.source`` says which one gave the items, so the reader can warn where it was unsure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from assistant.proposal.markers import LEVEL, Marker, find_markers, top_level_list
from assistant.proposal.sections import Section

# Where a paragraph-internal list starts: a clause ending in "：" that asks for something.
LEADIN = re.compile(
    r"(?:^|(?<=[。；;！!？?\n]))[ \t]*(?P<lead>[^。；;！!？?：:\n]{0,40}?"
    r"(?:建议|对策|措施|办法|方案|恳请|呼吁|请求)[^。；;！!？?：:，,\n]{0,16}?)"
    r"(?:[：:]|[，,](?=\s*(?:[一二三四五六七八九十]{1,2}[是要]|第一[，,、]))|(?:(?<=以下建议)|(?<=如下建议)|(?<=建议如下)|(?<=几点建议))[。.])"
)
PROBLEM_LEAD = re.compile(r"问题|现象|表现|原因|不足|困难|短板|瓶颈|难题|弊端|隐患|情况|特点|需要解决")
PROBLEM = re.compile(
    r"存在|问题|不足|缺乏|缺少|滞后|薄弱|难以|不够|不高|较低|偏低|较少|偏少|制约|困难|隐患|短缺|不到位|不完善|不健全|"
    r"不均衡|不畅|突出|严重|有限"
)
REQUEST = re.compile(
    r"建议|应当?|要|需|请|加强|加大|加快|完善|建立|健全|推动|推进|提高|提升|设立|设置|实施|开展|出台|制定|鼓励|支持|"
    r"落实|强化|优化|增设|增加|扩大|引导|组织|统筹|整合|打造|培育|构建|探索|规范|尽快|给予|纳入|安排|修建|建设|成立|"
    r"设|取消|放宽|改善|改造|提供|保障|确保|做好|发挥|重视|采取|将|把"
)
# A request buried in a paragraph; "建议" as a noun (代表建议, 建议人, 的建议) does not count.
STRONG_ASK = re.compile(
    r"(?<![的条项点些该个])(?<!代表)(?<!委员)建议(?![人书号第的、和与及]|内容|全文|名称|批评)|恳请|希望(?![的])|呼吁|提请|"
    r"特此申请|请求"
)
WEAK_ASK = re.compile(r"要求|应当|应该|亟需|亟待|必须|需要")
_OPENING = re.compile(r"\s*(?:[一二三四五六七八九十]+[是要、.．]|[（(][一二三四五六七八九十\d]|\d|第一|首先|①)")
_CONCLUSION = re.compile(r"[。！？](?=(?:通过以上|通过上述|以上|综上|总之|总而言之))")
_SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]+[”’\"）)]*|[^。！？!?]+$")
PARAGRAPH_ITEM_MAX = 300
ITEM_HEADING_MAX = 40
_TERMINAL = "。；;！!？?：:，,、）)”\""


@dataclass
class Reading:
    items: list[str] = field(default_factory=list)
    # section | paragraphs | section_text | leadin | leadin_paragraphs | leadin_text | body_list | ask | last_paragraph |
    # none
    source: str = "none"


def read_suggestions(parts: list[Section]) -> Reading:
    suggestion = [s for s in parts if s.role == "suggestion"]
    for sec in suggestion:
        found = find_list(sec.text, trap="lead")
        # "三、对策建议\n当前…一是…二是…。为此建议：（一）…": the list after the lead-in, not the one before it
        later = [m for m in opening_leadins(sec.text) if found is None or m.start("lead") >= found.end]
        items = list_items(sec.text[later[0].end() :]) if later else []
        if not items and found:
            items = found.items
        if items:
            return Reading(items, "section")
    if suggestion:
        return _plain(suggestion[0].text)
    body = [s for s in parts if s.role == "body"]
    for sec in [*body, *(s for s in parts if s.role == "analysis")]:
        reading = _after_leadin(sec.text)
        if reading.items:
            return reading
    for sec in body:
        items = list_items(sec.text, trap="items")
        if items:
            return Reading(items, "body_list")
    ask = _buried_ask(body) or _buried_ask(parts)
    if ask:
        return Reading([ask], "ask")
    paragraphs = [ln for s in body for ln in s.lines if tidy(ln)]
    if paragraphs:
        return Reading([tidy(paragraphs[-1])], "last_paragraph")
    return Reading()


@dataclass
class FoundList:
    end: int  # where its last item ends
    items: list[str]


def list_items(text: str, trap: str = "") -> list[str]:
    found = find_list(text, trap)
    return found.items if found else []


def find_list(text: str, trap: str = "") -> FoundList | None:
    """The top-level numbered list of ``text`` (sub-points stay inside its items), or None.

    ``trap="lead"`` passes over a list introduced as problems (需要解决以下问题：1.…) to the next list;
    ``trap="items"`` also over one whose items state problems and ask for nothing.
    """
    offset = 0
    while True:
        rest = text[offset:]
        marks = top_level_list(rest)
        if not marks:
            return None
        spans = _item_spans(rest, marks)
        if not trap or not _is_problem_list(rest, marks, spans, by_items=trap == "items"):
            items = [s for s in (item_text(rest[a:b]) for a, b in spans) if s]
            return FoundList(offset + spans[-1][1], items) if items else None
        offset += spans[-1][1]


def _item_spans(text: str, marks: list[Marker]) -> list[tuple[int, int]]:
    spans = [(m.end, n.start) for m, n in pairwise(marks)]
    multi_line = any("\n" in text[a:b].strip() for a, b in spans)
    last = marks[-1]
    end = _last_item_end(text, last, multi_line)
    if not multi_line:
        # "……三是……。通过以上措施，……" or "……。为此建议：" after an inline list is not part of its last item
        m = _CONCLUSION.search(text, last.end, end)
        end = m.start() + 1 if m else end
        lead = next(iter(opening_leadins(text, last.end, end)), None)
        end = lead.start("lead") if lead else end
    return [*spans, (last.end, end)]


def _last_item_end(text: str, mark: Marker, multi_line: bool) -> int:
    """Items of one line each: the last ends with its line, plus any sub-point lines under it."""
    if multi_line:
        return len(text)
    end = text.find("\n", mark.end)
    while end != -1:
        nxt = text.find("\n", end + 1)
        line = text[end + 1 : nxt if nxt != -1 else len(text)]
        sub = [m for m in find_markers(line) if m.start == 0 and LEVEL[m.family] > LEVEL[mark.family]]
        if not sub:
            return end
        end = nxt
    return len(text)


def _is_problem_list(text: str, marks: list[Marker], spans: list[tuple[int, int]], by_items: bool) -> bool:
    """A numbered list of problems or needs (需要解决以下两个问题：1.…) is not the suggestion list."""
    before = text[: marks[0].start].rstrip()
    if before.endswith(("：", ":")):
        lead = re.split(r"[。；！？\n]", before[:-1])[-1]
        if PROBLEM_LEAD.search(lead) and not STRONG_ASK.search(lead):
            return True
    if not by_items:
        return False
    items = [text[a:b] for a, b in spans]
    problems = sum(bool(PROBLEM.search(s)) and not REQUEST.search(s) for s in items)
    return problems * 2 > len(items)


def _plain(text: str) -> Reading:
    """A suggestion section without numbers: one item, or one per paragraph when it has several."""
    paragraphs = _merge_short_heads([ln for ln in text.split("\n") if ln.strip()])
    if len(paragraphs) >= 2 and all(len(p) <= PARAGRAPH_ITEM_MAX for p in paragraphs):
        return Reading([item_text(p) for p in paragraphs], "paragraphs")
    return Reading([item_text(text)], "section_text")


def _merge_short_heads(lines: list[str]) -> list[str]:
    """An unnumbered short heading line belongs to the paragraph under it."""
    out: list[str] = []
    carry = ""
    for ln in lines:
        if is_bare_heading(ln.strip()):
            carry = f"{carry}\n{ln}" if carry else ln
            continue
        out.append(f"{carry}\n{ln}" if carry else ln)
        carry = ""
    if carry:
        out.append(carry)
    return out


def leadins(text: str, start: int = 0, end: int | None = None) -> list[re.Match[str]]:
    """"……为此建议：" clauses; one that names problems only (存在以下问题：) is not a lead-in."""
    found = LEADIN.finditer(text, start, len(text) if end is None else end)
    return [m for m in found if not (PROBLEM_LEAD.search(m.group("lead")) and not re.search(r"建议|对策", m.group("lead")))]


def opening_leadins(text: str, start: int = 0, end: int | None = None) -> list[re.Match[str]]:
    """Lead-ins followed at once by a first enumeration marker."""
    return [m for m in leadins(text, start, end) if _OPENING.match(text, m.end())]


def _after_leadin(text: str) -> Reading:
    """"……为此建议：" inside a paragraph: the list after it, else the text after it."""
    leads = leadins(text)
    if not leads:
        return Reading()
    opening = opening_leadins(text)
    lead = opening[0] if opening else leads[-1]
    rest = text[lead.end() :]
    items = list_items(rest)
    if items:
        return Reading(items, "leadin")
    paragraphs = _ask_paragraphs(rest)
    if paragraphs:
        return Reading(paragraphs, "leadin_paragraphs")
    first = tidy(rest.strip().split("\n")[0])
    return Reading([first], "leadin_text") if first else Reading()


# A paragraph that is an ask on its own opens with what is to be done (扩大…, 完善…, 加强…).
_ASK_OPENING = re.compile(r"(?:进一步|尽快|切实|着力)?(?:加强|加大|加快|扩大|完善|建立|健全|推动|推进|提高|提升|设立|实施|开展|"
                          r"出台|制定|鼓励|支持|落实|强化|优化|引导|统筹|整合|打造|培育|构建|探索|规范|降低|简化|拓宽|"
                          r"发挥|搭建|深化|创新|营造|做好|抓好|畅通|放宽)")
_CLOSING = re.compile(r"^(?:以上|上述|妥否|当否|特此|此致)")


def _ask_paragraphs(rest: str) -> list[str]:
    """"为此，建议：" ending its line, and under it paragraphs without numbers that each open with an ask:
    one suggestion a paragraph (a closing 以上建议妥否… is not one); none when any paragraph reads otherwise."""
    if not re.match(r"[ \t\u3000]*\n", rest):
        return []
    lines = [ln.strip() for ln in rest.split("\n") if ln.strip()]
    while lines and _CLOSING.match(lines[-1]):
        lines.pop()
    if len(lines) < 2 or not all(len(ln) <= PARAGRAPH_ITEM_MAX and _ASK_OPENING.match(ln) for ln in lines):
        return []
    return [item_text(ln) for ln in lines]


def _buried_ask(parts: list[Section]) -> str:
    """The request in the last paragraph that makes one: from its last run of asking sentences to the end."""
    paragraphs = [ln for s in parts if s.role in ("body", "analysis", "suggestion") for ln in s.lines]
    for cue in (STRONG_ASK, WEAK_ASK):
        for para in reversed(paragraphs):
            sentences = _SENTENCE.findall(para)
            asking = [i for i, s in enumerate(sentences) if cue.search(s)]
            if not asking:
                continue
            start = asking[-1]
            while start > 0 and cue.search(sentences[start - 1]):
                start -= 1
            return tidy("".join(sentences[start:]))
    return ""


def item_text(raw: str) -> str:
    """An item as written; a bare heading line over explanatory paragraphs ("（一）扩大…覆盖面" / "进一步…")
    is the suggestion itself, the paragraphs explain it."""
    lines = [ln.strip() for ln in raw.strip().split("\n") if ln.strip()]
    if len(lines) > 1 and is_bare_heading(lines[0]):
        return tidy(lines[0])
    return tidy(raw)


def is_bare_heading(line: str) -> bool:
    return len(line) <= ITEM_HEADING_MAX and not re.search(r"[。；;！!？?：:，,、]$|[。；！？]", line)


def tidy(item: str) -> str:
    """One line: spaces inside Chinese text dropped, lines joined, enumerators and end marks trimmed."""
    lines = [re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", ln).strip() for ln in item.split("\n")]
    out = ""
    for ln in filter(None, lines):
        out = ln if not out else out + ("" if out.endswith(tuple(_TERMINAL)) else " ") + ln
    return out.strip(" ；;，,。.、：:")
