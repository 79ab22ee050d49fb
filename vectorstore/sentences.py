"""Split Chinese text into sentences with exact offsets.

Sentences end at 。！？ (and their ASCII forms when a CJK character precedes),
at a line break, or at …… ; a closing quote or bracket right after the stop
stays with the sentence. Text inside “”, 《》, （）, 【】 is never split, and
neither are numbers such as 3.5 or 1,000.
"""

from __future__ import annotations

from vectorstore.types import Span

_STOPS = set("。！？!?")
_CLOSERS = set("”’」』）)】》\"'")
_OPEN_CLOSE = {"“": "”", "《": "》", "（": "）", "【": "】", "「": "」", "『": "』", "(": ")"}
# Quotes longer than this are treated as unbalanced so one stray mark cannot
# swallow the rest of a document.
_MAX_NEST_SPAN = 300


def split_sentences(text: str, offset: int = 0) -> list[Span]:
    """Return non-empty, whitespace-trimmed sentences of ``text``; offsets are shifted by ``offset``."""
    spans: list[Span] = []
    start = 0
    stack: list[tuple[str, int]] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if stack and i - stack[-1][1] > _MAX_NEST_SPAN:
            stack.clear()
        if ch == "\n":
            stack.clear()
            _emit(text, start, i, offset, spans)
            start = i + 1
        elif ch in _OPEN_CLOSE and not (ch == "(" and i + 1 < n and text[i + 1].isdigit()):
            stack.append((_OPEN_CLOSE[ch], i))
        elif stack and ch == stack[-1][0]:
            stack.pop()
        elif ch in _STOPS and not stack:
            j = i + 1
            while j < n and (text[j] in _STOPS or text[j] in _CLOSERS):
                j += 1
            _emit(text, start, j, offset, spans)
            start = j
            i = j
            continue
        elif ch == "…" and not stack and text[i : i + 2] == "……" and (i + 2 >= n or text[i + 2] in "\n"):
            _emit(text, start, i + 2, offset, spans)
            start = i + 2
            i += 2
            continue
        i += 1
    _emit(text, start, n, offset, spans)
    return spans


def _emit(text: str, start: int, end: int, offset: int, spans: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append(Span(start=start + offset, end=end + offset, text=text[start:end]))
