"""Enumeration markers (一是 / 一、 / （一） / 1. / （1） / ①) and the top-level list of a passage.

A marker counts only where an item can start: at the start of a line or after 。；！？：, and for the
paragraph-internal 一是/一要, 第一， and 首先/其次/最后 also after a comma. The top-level list is the earliest family of markers
that counts 1, 2, 3 … in order; markers of other families inside its items are sub-points and stay there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CN = "一二三四五六七八九十"
_CN_VALUE = {c: i for i, c in enumerate(_CN, start=1)}
_BOUNDARY = r"(?:^|(?<=[。；;！!？?：:\n]))[ \t]*"
_SOFT_BOUNDARY = r"(?:^|(?<=[。；;！!？?：:，,\n]))[ \t]*"

# family → pattern; the group "n" holds the number.
FAMILIES: dict[str, re.Pattern[str]] = {
    "shi": re.compile(rf"{_SOFT_BOUNDARY}(?P<n>[{_CN}]{{1,3}})(?:是|要|则)(?![是要则])"),
    "di": re.compile(rf"{_SOFT_BOUNDARY}第(?P<n>[{_CN}]{{1,3}})(?:[，,、：:]|是)"),
    "cn": re.compile(rf"{_BOUNDARY}(?P<n>[{_CN}]{{1,3}})\s*(?:、|[.．](?!\d))"),
    "pcn": re.compile(rf"{_BOUNDARY}[（(](?P<n>[{_CN}]{{1,3}})[)）][、.．]?"),
    "ar": re.compile(rf"{_BOUNDARY}(?P<n>\d{{1,2}})\s*(?:[、.．，,](?!\d)|[)）])"),
    "par": re.compile(rf"{_BOUNDARY}[（(](?P<n>\d{{1,2}})[)）][、.．]?"),
    "circ": re.compile(rf"{_BOUNDARY}(?P<n>[①-⑳])"),
    "seq": re.compile(rf"{_SOFT_BOUNDARY}(?P<n>首先|其次|再次|最后)(?:[，,：:]|要|是)"),
}
_SEQ_VALUE = {"首先": 1, "其次": 2, "再次": 3}
LAST = 99  # 最后: closes a 首先/其次 list whatever its length
# Outer to inner, as official documents nest them; used to rank section headings.
LEVEL = {"cn": 1, "di": 1, "pcn": 2, "shi": 3, "seq": 3, "ar": 4, "par": 5, "circ": 6}


@dataclass(frozen=True)
class Marker:
    family: str
    value: int
    start: int  # where the marker starts (after any leading spaces)
    end: int  # where the item's own text starts


def cn_value(s: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20; 0 when ``s`` is not a small Chinese number."""
    if s in _SEQ_VALUE or s == "最后":
        return _SEQ_VALUE.get(s, LAST)
    if len(s) == 1 and "①" <= s <= "⑳":
        return ord(s) - ord("①") + 1
    if s.isascii() and s.isdigit():
        return int(s)
    if not s or any(c not in _CN_VALUE for c in s):
        return 0
    if "十" not in s:
        return _CN_VALUE[s] if len(s) == 1 else 0
    tens, _, ones = s.partition("十")
    if len(s) > 3 or (tens and tens not in "二三四五六七八九") or (ones and ones == "十"):
        return 0
    return (_CN_VALUE[tens] if tens else 1) * 10 + (_CN_VALUE[ones] if ones else 0)


def find_markers(text: str, families: tuple[str, ...] | None = None) -> list[Marker]:
    out = []
    for family, pattern in FAMILIES.items():
        if families is not None and family not in families:
            continue
        for m in pattern.finditer(text):
            value = cn_value(m.group("n"))
            if value:
                out.append(Marker(family, value, m.start("n") - (1 if family in ("pcn", "par", "di") else 0), m.end()))
    return sorted(out, key=lambda mk: mk.start)


def line_marker(line: str) -> Marker | None:
    """The marker a line starts with, if any."""
    marks = [m for m in find_markers(line) if m.start == len(line) - len(line.lstrip())]
    return marks[0] if marks else None


def sequence(marks: list[Marker], family: str) -> list[Marker]:
    """Markers of ``family`` counting 1, 2, 3 … in order from its first 1."""
    seq: list[Marker] = []
    for m in marks:
        if m.family != family:
            continue
        if not seq or m.start >= seq[-1].end:
            if m.value == len(seq) + 1:
                seq.append(m)
            elif m.value == LAST and len(seq) >= 2:
                seq.append(m)
                break
    return seq


def top_level_list(text: str) -> list[Marker]:
    """The outermost numbered list of ``text``: the earliest family that counts from 1.

    A family with a single item counts only when that item opens the passage (a lone "1、"); a
    lone marker further in is more likely a stray number than a list.
    """
    marks = find_markers(text)
    lead = len(text) - len(text.lstrip())
    best: list[Marker] = []
    for family in FAMILIES:
        seq = sequence(marks, family)
        if not seq or (len(seq) == 1 and seq[0].start > lead):
            continue
        if not best or seq[0].start < best[0].start or (seq[0].start == best[0].start and len(seq) > len(best)):
            best = seq
    return best
