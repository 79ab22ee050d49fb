"""Read an edited plain-text letter (the form ``plain_text`` writes) back into the draft's structure.

Reviewers edit the letter as text with ``[n]`` markers. The edit keeps the draft's sources; the letter is
rebuilt from the text: fixed parts are recognised by their form (称谓 ends with a colon, the date line, the
contact and disclosure lines…), ``一、`` lines open sections, ``（一）`` lines open items, and every other body
line is a paragraph whose sentences carry the markers that follow them. Nothing is guessed: a part the
reviewer deleted stays empty, and verification then reports it.
"""

from __future__ import annotations

import difflib
import re

from assistant.models import Draft, Item, Letter, Section, Sentence
from assistant.render import plain_text
from vectorstore.sentences import split_sentences

MAX_EDIT_CHARS = 200_000

_SECTION = re.compile(r"^[一二三四五六七八九十]{1,3}、")
_ITEM = re.compile(r"^（[一二三四五六七八九十]{1,3}）")
_MARKER = re.compile(r"\[(\d{1,4})\]")
_LEADING_MARKERS = re.compile(r"^(?:\[\d{1,4}\])+")
_DATE = re.compile(r"^(?:\d{4}|【[^】]*】)年.*日$|^【请填写】$")
_CONTACT = re.compile(r"^（?\s*联系人")
_DISCLOSURE = re.compile(r"^（?此件.*公开）?$|^（?(?:主动|依申请|不予)公开）?$|^以上.*公开")
_CATEGORY = re.compile(r"^[ABC]类$|^【请选择答复类别|^答复类别")
_DOC_NUMBER = re.compile(r"〔\d{4}〕\s*\d+\s*号$")
_CLOSING = re.compile(r"感谢|谢意|谢谢")
_SENTENCE_END = re.compile(r"[。！？；]")

_TAIL_FIELDS = ("closing", "signature", "date", "disclosure", "contact")
_HEAD_FIELDS = ("category", "doc_number", "title", "salutation", "opening")


class EditError(ValueError):
    """The edited text cannot be read back as a letter; the message says what to fix."""


def apply_text_edit(draft: Draft, text: str) -> Draft:
    """A copy of ``draft`` whose letter is read from ``text``; sources, proposal and options are kept.

    Checks are not recomputed here: run ``verify`` on the result, which flags any citation that names no
    source and any figure its sources do not contain.
    """
    if len(text) > MAX_EDIT_CHARS:
        raise EditError(f"正文过长（{len(text)} 字），上限为 {MAX_EDIT_CHARS} 字。")
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if ln.strip()]
    if not lines:
        raise EditError("正文为空。")
    first = next((i for i, ln in enumerate(lines) if _is_section(ln)), None)
    if first is None:
        raise EditError("找不到正文的部分标题（以“一、”开头的行，如“一、工作开展情况”），请保留各部分标题。")
    tail_start = _tail_start(lines, first, draft.letter)
    new = draft.model_copy(deep=True)
    letter = new.letter
    head = _assign_head(lines[:first])
    tail = _assign_tail(lines[tail_start:], draft.letter)
    for name in _HEAD_FIELDS:
        setattr(letter, name, head.get(name, ""))
    for name in _TAIL_FIELDS:
        setattr(letter, name, tail.get(name, ""))
    letter.sections = _body(lines[first:tail_start], draft.letter)
    new.text = plain_text(new)
    return new


def _is_section(line: str) -> bool:
    # A section heading is short; a long 一、 line is a paragraph that happens to be numbered.
    return bool(_SECTION.match(line)) and len(line) <= 80 and not _MARKER.search(line)


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio() if a and b else 0.0


def _tail_kind(line: str, old: Letter) -> str | None:
    """Which tail part ``line`` is, by its form or its likeness to the old letter's part."""
    if _MARKER.search(line) or _SECTION.match(line) or _ITEM.match(line):
        return None
    if _DATE.match(line):
        return "date"
    if _CONTACT.match(line):
        return "contact"
    if _DISCLOSURE.match(line):
        return "disclosure"
    if line == old.signature.strip() or (len(line) <= 30 and _similar(line, old.signature) >= 0.75):
        return "signature"
    if _CLOSING.search(line) or _similar(line, old.closing) >= 0.6:
        return "closing"
    if len(line) <= 30 and not _SENTENCE_END.search(line) and line.endswith(("局", "委", "委员会", "办公室", "厅")):
        return "signature"
    return None


def _tail_start(lines: list[str], first: int, old: Letter) -> int:
    """Index of the first tail line: walk back from the end while lines look like closing parts."""
    start = len(lines)
    seen: set[str] = set()
    for i in range(len(lines) - 1, first, -1):
        kind = _tail_kind(lines[i], old)
        if kind is None or kind in seen:
            break
        seen.add(kind)
        start = i
    return start


def _assign_tail(lines: list[str], old: Letter) -> dict[str, str]:
    return {kind: line for line in lines if (kind := _tail_kind(line, old))}


def _head_kind(line: str) -> str:
    if _CATEGORY.match(line):
        return "category"
    if _DOC_NUMBER.search(line) and len(line) <= 30:
        return "doc_number"
    if "收悉" in line or "现答复如下" in line:
        return "opening"
    if line.endswith(("：", ":")) and len(line) <= 60:
        return "salutation"
    if "关于" in line and line.endswith(("函", "答复", "复函")):
        return "title"
    return "opening"


def _assign_head(lines: list[str]) -> dict[str, str]:
    parts: dict[str, str] = {}
    for line in lines:
        kind = _head_kind(line)
        # Two opening lines (a reviewer split the acknowledgement) are one paragraph again.
        parts[kind] = parts[kind] + line if kind == "opening" and kind in parts else line
    return parts


def _body(lines: list[str], old: Letter) -> list[Section]:
    old_sections = {s.heading.strip(): s for s in old.sections}
    old_items = {i.heading.strip(): i for s in old.sections for i in s.items if i.heading.strip()}
    sections: list[Section] = []
    for line in lines:
        if _is_section(line):
            sections.append(Section(heading=line, role=_role(line, len(sections), old, old_sections)))
            continue
        section = sections[-1]
        if _ITEM.match(line):
            heading, rest = _split_item(line)
            previous = old_items.get(heading)
            index = previous.suggestion_index if previous else _suggestion_index(section, sections)
            section.items.append(Item(heading=heading, suggestion_index=index))
            if not rest:
                continue
            line = rest
        if not section.items:
            section.items.append(Item(heading="", suggestion_index=_suggestion_index(section, sections)))
        section.items[-1].sentences.extend(parse_paragraph(line, old))
    return sections


def _role(heading: str, index: int, old: Letter, old_sections: dict[str, Section]) -> str:
    if heading in old_sections:
        return old_sections[heading].role
    if "下一步" in heading or "打算" in heading or "计划" in heading:
        return "plan"
    if "建议" in heading and ("对" in heading or "关于" in heading):
        return "suggestion"
    if "工作开展" in heading or "办理情况" in heading or "工作情况" in heading:
        return "work"
    return old.sections[index].role if index < len(old.sections) else "other"


def _suggestion_index(section: Section, sections: list[Section]) -> int | None:
    # In the per-suggestion layout the n-th suggestion section answers the n-th suggestion.
    if section.role != "suggestion":
        return None
    return sum(1 for s in sections if s.role == "suggestion") - 1


def _split_item(line: str) -> tuple[str, str]:
    """``（一）标题。正文……`` → (``（一）标题。``, ``正文……``); a short heading line stays whole."""
    if not _MARKER.search(line) and len(line) <= 60 and not _SENTENCE_END.search(line[:-1]):
        return line, ""
    match = _SENTENCE_END.search(line)
    if match is None:
        return line, ""
    return line[: match.end()], line[match.end() :].strip()


def parse_paragraph(line: str, old: Letter | None = None) -> list[Sentence]:
    """Sentences of one paragraph, each with the ``[n]`` markers written after it (or inside it)."""
    known = {}
    if old is not None:
        known = {(s.text, tuple(s.citations)): s for sec in old.sections for i in sec.items for s in i.sentences}
    sentences: list[Sentence] = []
    for span in split_sentences(line):
        chunk = span.text
        lead = _LEADING_MARKERS.match(chunk)
        if lead and sentences:
            # Markers after the full stop were split off with the next sentence; they belong to this one.
            sentences[-1].citations.extend(int(n) for n in _MARKER.findall(lead.group()))
            chunk = chunk[lead.end() :].strip()
        if not chunk:
            continue
        cites = [int(n) for n in _MARKER.findall(chunk)]
        sentences.append(Sentence(text=_MARKER.sub("", chunk).strip(), citations=cites))
    result = []
    for s in sentences:
        s.citations = list(dict.fromkeys(s.citations))
        if not s.text:
            continue
        previous = known.get((s.text, tuple(s.citations)))
        # An unchanged sentence keeps what drafting knew about it (e.g. that local evidence was missing).
        result.append(previous.model_copy(deep=True) if previous else s)
    return result
