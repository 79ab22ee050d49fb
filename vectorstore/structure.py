"""Heading hierarchy of Chinese official documents, line by line, with offsets.

Levels (smaller is outer): 第X编/章 → 1, 第X节 → 2, 一、 → 3, （一） → 4,
第X条 → 5, 1. → 6, （1） → 7. A line is a heading when it carries such a
marker and is short and has no sentence inside it; a marker that leads a long
paragraph ("1.加大…力度。2021年…") is an inline heading: its first sentence
names the item and the paragraph is the item's body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CN_NUM = "一二三四五六七八九十百零〇两"

_MARKERS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(rf"^第[{CN_NUM}\d]+[编章](?:\s|$|[\u4e00-\u9fff])")),
    (2, re.compile(rf"^第[{CN_NUM}\d]+节(?:\s|$|[\u4e00-\u9fff])")),
    (3, re.compile(rf"^[{CN_NUM}]+(?:、|[．.](?!\d))")),
    (4, re.compile(rf"^[（(][{CN_NUM}]+[）)]")),
    (5, re.compile(rf"^第[{CN_NUM}\d]+条(?:\s|[\u4e00-\u9fff]|$)")),
    (6, re.compile(r"^\d{1,2}(?:[、．]|\.(?!\d))")),
    (7, re.compile(r"^[（(]\d{1,2}[）)]")),
]
_ORDINAL = re.compile(rf"^[{CN_NUM}]+是")
_SENTENCE_END = re.compile(r"[。！？；]")
HEADING_MAX_CHARS = 60


@dataclass
class Line:
    start: int
    end: int
    text: str
    level: int | None = None  # heading level when the line carries a marker
    inline: bool = False  # marker leads a paragraph rather than standing alone
    label: str = ""  # the heading text (the whole line, or the lead sentence when inline)


@dataclass
class Block:
    """A paragraph of body text with the headings above it."""

    start: int
    end: int
    text: str
    path: list[str] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)


def split_lines(text: str, offset: int = 0) -> list[Line]:
    lines: list[Line] = []
    pos = 0
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        stripped = raw.strip()
        if not stripped:
            continue
        lead = len(raw) - len(raw.lstrip())
        s = start + lead
        lines.append(Line(start=s + offset, end=s + len(stripped) + offset, text=stripped))
    return lines


def heading_level(text: str) -> int | None:
    for level, pattern in _MARKERS:
        if pattern.match(text):
            return level
    return None


def classify(line: Line) -> Line:
    level = heading_level(line.text)
    if level is None:
        return line
    line.level = level
    first = _SENTENCE_END.search(line.text)
    # Articles are content, and so is any marked line that contains a sentence.
    if len(line.text) <= HEADING_MAX_CHARS and first is None and level != 5:
        line.label = line.text.rstrip("：:")
    else:
        line.inline = True
        cut = first.end() if first else min(len(line.text), HEADING_MAX_CHARS)
        # Articles (第X条) have no title of their own; name them by their marker.
        if level == 5:
            line.label = re.match(rf"^第[{CN_NUM}\d]+条", line.text).group(0)  # type: ignore[union-attr]
        else:
            line.label = line.text[:cut].rstrip("。；，：")
    return line


def blocks(text: str, lines: list[Line] | None = None, base_path: list[str] | None = None) -> list[Block]:
    """Body paragraphs of ``text`` with their heading paths (standalone headings are not blocks)."""
    stack: list[tuple[int, str]] = []
    out: list[Block] = []
    base = list(base_path or [])
    for line in lines if lines is not None else [classify(x) for x in split_lines(text)]:
        if line.level is not None:
            while stack and stack[-1][0] >= line.level:
                stack.pop()
            if not line.inline:
                stack.append((line.level, line.label))
                continue
            # An inline heading leads its own paragraph and any that follow it.
            stack.append((line.level, line.label))
            out.append(Block(line.start, line.end, line.text, base + [lb for _, lb in stack], [lv for lv, _ in stack]))
            continue
        out.append(Block(line.start, line.end, line.text, base + [label for _, label in stack], [lvl for lvl, _ in stack]))
    return out


def ordinal_items(text: str) -> list[tuple[int, int]]:
    """Offsets of 一是/二是… items inside a paragraph (relative to ``text``), if any."""
    starts = [m.start() for m in re.finditer(rf"(?:(?<=^)|(?<=[。；]))[{CN_NUM}]+是", text)]
    if len(starts) < 2:
        return []
    bounds = [*starts, len(text)]
    head = [(0, starts[0])] if starts[0] > 0 else []
    return head + [(bounds[i], bounds[i + 1]) for i in range(len(starts))]


def is_ordinal_lead(text: str) -> bool:
    return bool(_ORDINAL.match(text))
