"""A session of the people's congress or the CPPCC, written as the bureau writes it in its letters.

A proposal's header may give its session in full (政协澄江市第十二届委员会第四次会议) while the bureau's own
letters say 市政协十二届四次会议, and another bureau says 政协十四届广州市委员会第三次会议. The form is read from
the bureau's past replies in its knowledge base: the letter's title uses it for the new session.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_NUMERAL = r"[一二三四五六七八九十\d]+"
_PARTS = re.compile(rf"第?({_NUMERAL})届.*?第?({_NUMERAL})次")


@dataclass(frozen=True)
class Session:
    body: str  # 人大 or 政协
    term: str  # 十二
    sitting: str  # 四


def parse_session(text: str) -> Session | None:
    """The body, term and sitting a session names, however it is written; None when it names no session."""
    m = _PARTS.search(text)
    body = "人大" if re.search(r"人大|人民代表大会", text) else "政协" if "政协" in text else ""
    return Session(body, m.group(1), m.group(2)) if m and body else None


def same_session(a: str, b: str) -> bool:
    """The same session written in full or short (市十八届人大二次会议 = 青岚市第十八届人民代表大会第二次会议)."""
    key = parse_session(a)
    return key is not None and key == parse_session(b)


def _form(example: str) -> tuple[str, str] | None:
    """(body, a template with {term} and {sitting}) of a session as written, e.g. 市政协{term}届{sitting}次会议."""
    session = parse_session(example)
    m = _PARTS.search(example)
    if session is None or m is None:
        return None
    template = (example[: m.start(1)].replace("{", "").replace("}", "") + "{term}" + example[m.end(1) : m.start(2)]
                + "{sitting}" + example[m.end(2) :])
    return session.body, template


def in_house_form(session: str, examples: list[str]) -> str:
    """``session`` in the form the bureau's own past letters use most for that body, else as it is."""
    parsed = parse_session(session)
    if parsed is None:
        return session
    forms = Counter(f[1] for e in examples if (f := _form(e)) is not None and f[0] == parsed.body)
    if not forms:
        return session
    return forms.most_common(1)[0][0].format(term=parsed.term, sitting=parsed.sitting)


def session_of(proposal_number: str) -> str:
    """The session part of a stored reply's proposal number (市政协十一届三次会议第86号 → 市政协十一届三次会议)."""
    m = re.match(r"(.+?会议)", proposal_number)
    return m.group(1) if m and parse_session(m.group(1)) else ""
