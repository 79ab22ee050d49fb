"""Parse a reply letter (答复函) into its parts, each with offsets into the text.

Handles both layouts: thematic (一、工作开展情况 / 二、下一步工作打算) and
suggestion by suggestion (一、对“…”建议的回复), and letters scraped from web
pages with metadata lines above the title.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from vectorstore.structure import CN_NUM, Line, classify, split_lines
from vectorstore.types import Span

_TITLE_WORDS = re.compile(r"答复|复函|的函|办理|会办|协办|意见")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［【(（]\d{4}[〕\]］】)）]\s*\d+\s*号")
_CATEGORY = re.compile(r"^[（(]?\s*([ABC])\s*类\s*[）)]?$|^(?:答复|办理)?(?:类别|类型)[:：]\s*([ABC])\s*类?")
_SALUTATION = re.compile(r"^(?:尊敬的)?[\u4e00-\u9fff·、等（）()]{2,30}[:：]$")
_ACK = re.compile(r"收悉|收到")
_CLOSING = re.compile(r"^(?:最后，)?(?:再次|衷心|非常|十分)?感谢|感谢您|谢谢")
_SIGNATURE = re.compile(r"^[\u4e00-\u9fff（）()、\s]{2,40}(?:局|委员会|委|办公室|政府|中心|院|厅|部|处|管委会)$")
_DATE_CN = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_ISO = re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})$")
_DISCLOSURE = re.compile(r"主动公开|依申请公开|不予公开|不公开")
_CONTACT = re.compile(r"联系人|联系电话|联系方式")
_CC = re.compile(r"^抄送[:：]")
# Lines below the closing (signature, date, contact, disclosure, cc) are short; longer ones are body text.
_TAIL_LINE_MAX = 30
_BODY_LINE_MIN = 80
_WORK = re.compile(r"工作开展|开展情况|基本情况|工作进展|办理情况|工作情况|主要做法|已开展|落实情况|有关情况")
_PLAN = re.compile(r"下一步|工作打算|工作计划|工作安排|工作措施|今后")
_SUGGESTION = re.compile(r"^[一二三四五六七八九十]+、\s*(?:关于|对)?\s*[“\"「](.+?)[”\"」](?:的)?(?:建议|意见)?(?:的)?(?:回复|答复|办理情况)?")
_PLACE = r"(?:(?![局对于关的会委在向])[\u4e00-\u9fff]){0,4}?(?:市|区|县|省|州|旗)"
SESSION_NUMBER = re.compile(
    rf"(?P<session>(?:(?:{_PLACE})?(?:政协|人大)(?:{_PLACE})?|(?:市|区|县|省|州)(?=第?[{CN_NUM}]+届))?"
    rf"第?[{CN_NUM}]+届(?:[\u4e00-\u9fff]{{0,10}}?委员会)?(?:人大|政协)?"
    rf"第?[{CN_NUM}]+次(?:全体)?会议)(?:代表)?(?:建议|提案)?第?\s*[（(]?(?P<number>[A-Za-z]?\d+)[)）]?\s*号"
)


class ReplySection(BaseModel):
    heading: Span
    role: str = Field(description="work | plan | suggestion | other")
    suggestion: str = Field("", description="The quoted suggestion, for per-suggestion sections")
    items: list[Span] = Field(default_factory=list, description="Item headings: （一）…, 1.…, 一是…")
    body: Span | None = None


class ReplyParts(BaseModel):
    title: Span | None = None
    doc_number: Span | None = None
    category: str = ""
    session: str = ""
    number: str = ""
    salutation: Span | None = None
    addressee: str = ""
    acknowledgement: Span | None = None
    proposal_title: str = ""
    sections: list[ReplySection] = Field(default_factory=list)
    closing: Span | None = None
    signature: Span | None = None
    date: Span | None = None
    date_iso: str = ""
    contact: Span | None = None
    disclosure: Span | None = None
    cc: Span | None = None
    layout: str = Field("", description="thematic | per_suggestion | plain")

    def body_range(self, text_len: int) -> tuple[int, int]:
        start = self.acknowledgement.end if self.acknowledgement else (self.salutation.end if self.salutation else 0)
        end = min((s.start for s in (self.closing, self.signature, self.date) if s is not None), default=text_len)
        return start, end


def _span(line: Line) -> Span:
    return Span(start=line.start, end=line.end, text=line.text)


def parse_session_number(text: str) -> tuple[str, str]:
    m = SESSION_NUMBER.search(text)
    if not m:
        return "", ""
    session = re.sub(r"^(?:关于|对|于|答复|的|在|向)+", "", m.group("session"))
    return session, m.group("number").lstrip("(（")


def parse_date(text: str) -> str:
    """ISO date from a Chinese or ISO date line, or ''."""
    m = _DATE_CN.search(text)
    if not m:
        m = _DATE_ISO.match(text.strip())
    if not m:
        return ""
    y, mo, d = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31 and 1949 < y < 2100):
        return ""
    return f"{y:04d}-{mo:02d}-{d:02d}"


def parse_reply(text: str) -> ReplyParts:
    lines = [classify(x) for x in split_lines(text)]
    parts = ReplyParts()
    ack_idx = _find_header(lines, parts)
    body_start = ack_idx + 1 if ack_idx is not None else (_index_of(lines, parts.salutation) + 1 if parts.salutation else 0)
    tail_start = _find_tail(lines, parts, body_start)
    _find_sections(lines[body_start:tail_start], parts)
    parts.session, parts.number = _session_from(parts, text)
    roles = {s.role for s in parts.sections}
    if "suggestion" in roles:
        parts.layout = "per_suggestion"
    elif "work" in roles or "plan" in roles:
        parts.layout = "thematic"
    else:
        parts.layout = "plain"
    return parts


def _index_of(lines: list[Line], span: Span | None) -> int:
    for i, line in enumerate(lines):
        if span is not None and line.start == span.start:
            return i
    return -1


def _find_header(lines: list[Line], parts: ReplyParts) -> int | None:
    ack_idx = None
    for i, line in enumerate(lines[:25]):
        if _ACK.search(line.text) and ("提出的" in line.text or "建议" in line.text or "提案" in line.text):
            ack_idx = i
            parts.acknowledgement = _span(line)
            m = re.search(r"《(.+?)》", line.text)
            if m:
                parts.proposal_title = m.group(1)
            else:
                q = re.search(r"[“\"](.+?)[”\"]", line.text)
                if q:
                    parts.proposal_title = q.group(1)
            break
    head = lines[: ack_idx if ack_idx is not None else min(len(lines), 12)]
    for i, line in enumerate(head):
        if parts.category == "" and (m := _CATEGORY.match(line.text)):
            parts.category = m.group(1) or m.group(2)
        elif parts.doc_number is None and len(line.text) <= 40 and (m := _DOC_NUMBER.search(line.text)):
            start = line.start + m.start()
            parts.doc_number = Span(start=start, end=start + len(m.group(0)), text=m.group(0))
        elif parts.title is None and _looks_like_title(line.text):
            parts.title = _span(line)
        if _SALUTATION.match(line.text) and (ack_idx is None or i >= len(head) - 2):
            parts.salutation = _span(line)
    if parts.salutation is None and ack_idx is not None and ack_idx > 0:
        prev = lines[ack_idx - 1]
        if len(prev.text) <= 30 and prev.level is None and (parts.title is None or prev.start != parts.title.start):
            parts.salutation = _span(prev)
    if parts.salutation is not None:
        parts.addressee = re.sub(r"^尊敬的|[:：]$", "", parts.salutation.text)
    return ack_idx


def _looks_like_title(text: str) -> bool:
    return (
        len(text) <= 90 and bool(_TITLE_WORDS.search(text)) and not _ACK.search(text)
        and not re.search(r"您|你们|你提|现答复|[。：:]$", text)
    )


def _find_tail(lines: list[Line], parts: ReplyParts, body_start: int) -> int:
    """Locate closing, signature, date, disclosure, contact, cc; return where the body ends."""
    tail_start = len(lines)
    closing_idx = -1
    body_like = 0
    for i in range(len(lines) - 1, body_start - 1, -1):
        text = lines[i].text
        if _CLOSING.search(text) and len(text) < 200:
            parts.closing = _span(lines[i])
            tail_start = closing_idx = i
            break
        if len(text) > _TAIL_LINE_MAX and not _tail_like(text):
            # Past a body paragraph, a thank-you is a courtesy inside the body, not the closing; a long
            # line, or a second medium one, below a closing would be body text.
            body_like += 1
            if len(text) > _BODY_LINE_MIN or body_like > 1:
                break
    scan_from = closing_idx + 1 if parts.closing else max(body_start, len(lines) - 8)
    for i in range(scan_from, len(lines)):
        line, text = lines[i], lines[i].text
        if _DISCLOSURE.search(text) and len(text) < 40 and parts.disclosure is None:
            parts.disclosure = _span(line)
        elif _CONTACT.search(text) and parts.contact is None:
            parts.contact = _span(line)
        elif _CC.match(text):
            parts.cc = _span(line)
        elif (iso := parse_date(text)) and len(text) <= 20:
            parts.date, parts.date_iso = _span(line), iso
        elif re.fullmatch(r"\d{6,8}", text) and parts.date is None:
            parts.date = _span(line)  # a date whose 年月日 were lost when the page was scraped
        elif parts.signature is None and _SIGNATURE.match(text) and parts.date is None:
            parts.signature = _span(line)
        else:
            continue
        tail_start = min(tail_start, i)
    return tail_start


def _tail_like(text: str) -> bool:
    return bool(_CONTACT.search(text) or _DISCLOSURE.search(text) or _CC.match(text) or parse_date(text)
                or _SIGNATURE.match(text) or text.startswith(("附件", "特此")) or re.search(r"复函|函复|审签|签发", text))


def _find_sections(body: list[Line], parts: ReplyParts) -> None:
    top = min((line.level for line in body if line.level is not None and line.level in (3, 4)), default=None)
    if top is None:
        return
    current: ReplySection | None = None
    for line in body:
        if line.level == top and (top == 3 or current is None or _role_of(line.text) != "other"):
            role = _role_of(line.text)
            m = _SUGGESTION.match(line.text)
            current = ReplySection(heading=_span(line), role=role, suggestion=m.group(1) if m and role == "suggestion" else "")
            parts.sections.append(current)
            continue
        if current is None:
            continue
        if line.level is not None and line.level > (top or 0):
            label = line.label if line.inline else line.text
            current.items.append(Span(start=line.start, end=line.start + len(label), text=label))
        elif line.level is None and re.match(rf"^[{CN_NUM}]+是", line.text) and not _has_marker_items(current):
            m = re.match(r"^[^。；]{2,60}[。；]", line.text)
            label = m.group(0).rstrip("。；") if m else line.text[:30]
            current.items.append(Span(start=line.start, end=line.start + len(label), text=label))
    for section in parts.sections:
        section_end = _section_end(body, parts, section)
        if section_end > section.heading.end:
            start = section.heading.end + 1
            section.body = Span(start=start, end=section_end, text="")


def _has_marker_items(section: ReplySection) -> bool:
    return any(not re.match(rf"^[{CN_NUM}]+是", item.text) for item in section.items)


def _section_end(body: list[Line], parts: ReplyParts, section: ReplySection) -> int:
    idx = parts.sections.index(section)
    if idx + 1 < len(parts.sections):
        nxt = parts.sections[idx + 1].heading.start
        return max(line.end for line in body if line.start < nxt)
    return body[-1].end if body else section.heading.end


def _role_of(heading: str) -> str:
    if _SUGGESTION.match(heading) and ("建议" in heading or "回复" in heading or "答复" in heading):
        return "suggestion"
    if _PLAN.search(heading):
        return "plan"
    if _WORK.search(heading):
        return "work"
    return "other"


def _session_from(parts: ReplyParts, text: str) -> tuple[str, str]:
    for span in (parts.title, parts.acknowledgement):
        if span is not None:
            session, number = parse_session_number(span.text)
            if number:
                return session, number
    session, number = parse_session_number(text[:600])
    if not number and parts.acknowledgement is not None:
        m = re.search(r"[（(]第\s*(\d+)\s*号[）)]", parts.acknowledgement.text)
        if m:
            number = m.group(1)
    return session, number
