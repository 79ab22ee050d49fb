"""Item headings: a complete phrase (an action on the suggestion's object), never a fragment.

Real suggestions open with a heading sentence (建立健全科技成果转化激励机制。…) or a pair of clauses
(通过开放共享，建设成果中试和熟化基地). The heading is that sentence when short (clauses and all), a
means-clause joined to its action (通过开放共享建设成果中试和熟化基地), or the first action clause of a long
one — always ending where a phrase ends.
"""

from __future__ import annotations

import re

MAX_HEADING = 36  # a short suggestion heads its item whole (33 characters are common)
MAX_QUOTED = 40
_LEAD = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、|\d{1,2}[.．、](?!\d))\s*"
)
_ASK = re.compile(r"^(?:建议|希望|恳请|请求|要求)?(?:市政府|政府|有关部门|相关部门|市科技局|科技局)?(?:要|应|应当|应该|需要|需|可|要求)?")
_MEANS = re.compile(r"^(?:通过|依托|借助|利用|围绕|聚焦|以|结合|立足|坚持|按照|针对|对标|借鉴)")
_GOAL = re.compile(r"^(?:为了?|为进一步)")


def _clean(text: str) -> str:
    s = _LEAD.sub("", text.strip())
    s = _ASK.sub("", s, count=1)
    return s.strip(" ，,：:；;。")


def item_heading(suggestion: str, limit: int = MAX_HEADING) -> str:
    """The heading of the item answering ``suggestion``."""
    s = _clean(suggestion)
    first = re.split(r"[。；;！？!?\n]", s)[0].strip(" ，,：:")
    if not first:
        return s[:limit] if len(s) <= limit else s
    clauses = [c.strip() for c in re.split(r"[，,：:]", first) if c.strip()]
    if len(first) <= limit and len(clauses) == 1:
        return first
    if len(clauses) >= 2 and _MEANS.match(clauses[0]) and len(clauses[0]) + len(clauses[1]) <= limit:
        return clauses[0] + clauses[1]
    # A short opening sentence is the heading whole: its second clause often carries the ask
    # (探索成果形成新机制，邀请企业全程参与科技研发全过程).
    # (Not across a colon: what follows one is a list or a claim, not the ask.)
    if len(first) <= limit and not _GOAL.match(clauses[0]) and not re.search(r"[：:]", first):
        return first
    actions = [c for c in clauses if not _MEANS.match(c) and not _GOAL.match(c) and len(c) >= 4]
    for clause in actions:
        if len(clause) <= limit:
            return clause
    # No clause short enough: the first action clause whole, longer than the limit but never cut.
    return actions[0] if actions else first


def inner_quotes(text: str) -> str:
    """Text to be put inside “…”: its own double quotes become single (‘…’)."""
    return text.replace("“", "‘").replace("”", "’")


def quoted_suggestion(suggestion: str) -> str:
    """What goes between the quotes of 对“…”建议的回复: the suggestion itself when short, else its heading."""
    s = _clean(suggestion)
    one = re.split(r"[。；;\n]", s)[0].strip(" ，,")
    quoted = one if len(one) <= MAX_QUOTED else item_heading(suggestion)
    # Quotes inside quotes take single marks: 对“建立‘验证—中试—投资’衔接机制”建议的回复.
    return inner_quotes(quoted)
