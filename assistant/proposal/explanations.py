"""What a proposal says under each suggestion's heading.

A common layout puts a short heading over a paragraph that spells the ask out:

    （二）发挥科创母基金引导作用，加大早期投资
    优化子基金遴选和考核机制，提高对投向种子期、初创期企业的让利比例……

The heading is the suggestion (the letter answers it by name), but the paragraph says what is asked, and the
evidence search needs its words (遴选, 让利). This finds that paragraph again in the proposal's text at drafting
time, so a list edited by hand still works: a suggestion that cannot be found has no explanation.
"""

from __future__ import annotations

import re

from assistant.proposal.items import is_bare_heading
from assistant.proposal.markers import find_markers

# An explanation is a paragraph or two; beyond this it is the next part of the proposal (or its signature).
MAX_CHARS = 300
_SPACE = re.compile(r"\s+")
# The enumerators that open a new item (the reader's own, assistant/proposal/markers.py).
_ITEM_FAMILIES = ("cn", "pcn", "ar", "par", "shi")
# Where an explanation stops when no next suggestion follows: a blank line, a signature or date line, a field
# (联系人：…, 承办单位：…).
_END_LINE = re.compile(r"^\s*$|^.{0,20}(?:委员会|委|代表|委员|\d{4}年\d{1,2}月\d{1,2}日)\s*$|^[^，。：:]{2,10}[：:]")


def explanations(body: str, suggestions: list[str]) -> list[str]:
    """For each suggestion, the text that follows it in ``body`` up to the next suggestion (at most a couple
    of paragraphs); "" when the suggestion is not found there or is followed by nothing of its own."""
    flat, where = _flatten(body)
    starts: list[int | None] = []
    cursor = 0
    for s in suggestions:
        key = _SPACE.sub("", s)
        at = flat.find(key, cursor) if key else -1
        starts.append(at if at >= 0 else None)
        if at >= 0:
            cursor = at + len(key)
    out = []
    for i, s in enumerate(suggestions):
        found = starts[i]
        if found is None or not is_bare_heading(s):  # a full sentence is its own explanation
            out.append("")
            continue
        end_flat = found + len(_SPACE.sub("", s))
        following = next((x for x in starts[i + 1 :] if x is not None), None)
        begin = where[end_flat - 1] + 1  # right after the suggestion's last character
        stop = where[following] if following is not None else len(body)
        out.append(_explanation(body[begin:stop], last=following is None))
    return out


def _flatten(text: str) -> tuple[str, list[int]]:
    """``text`` without whitespace, and where each of its characters sits in ``text``."""
    chars, where = [], []
    for i, ch in enumerate(text):
        if not ch.isspace():
            chars.append(ch)
            where.append(i)
    return "".join(chars), where


def _explanation(rest: str, last: bool) -> str:
    lines = rest.split("\n")
    # The suggestion's own line ends here; a one-line item (1. 加大…。具体是…) has nothing more of its own.
    lines = lines[1:] if len(lines) > 1 else []
    kept: list[str] = []
    for ln in lines:
        if last and _END_LINE.match(ln) and (kept or ln.strip()):
            break
        if ln.strip():
            kept.append(ln.strip())
        elif kept and last:
            break
    # A numbered next item that was not recognised as a suggestion still ends this one: on a line of its own,
    # or after the end of a sentence.
    text = "\n".join(kept)
    marks = find_markers(text, _ITEM_FAMILIES)
    if marks:
        text = text[: marks[0].start]
    return text.replace("\n", "").strip()[:MAX_CHARS]
