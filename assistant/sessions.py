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


# A term (届) has five annual sittings (次会议): the count runs on one a year.
SITTINGS_PER_TERM = 5
# How far back a past session may be to count on from it (a longer run is likely to have drifted).
MAX_YEARS_BACK = 5
_DIGITS = "零一二三四五六七八九"


def _number(numeral: str) -> int:
    """十五 → 15, 二 → 2, 12 → 12 (the numerals sessions use, up to 99)."""
    if numeral.isdigit():
        return int(numeral)
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        return (_DIGITS.index(tens) if tens else 1) * 10 + (_DIGITS.index(ones) if ones else 0)
    return _DIGITS.index(numeral) if numeral in _DIGITS else 0


def _numeral(n: int) -> str:
    tens, ones = divmod(n, 10)
    if not tens:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def counted_on(body: str, year: int, past: list[tuple[str, str]]) -> str:
    """The session of ``body`` (人大/政协) sitting in ``year``, counted on from the nearest earlier session the
    bureau's past replies name ((session, reply date) pairs), one sitting a year; written as that reply writes
    it. Empty when no past session of the body is close enough to count from."""
    known = [(int(d[:4]), s, p) for s, d in past if d[:4].isdigit() and (p := parse_session(s)) and p.body == body
             and 0 <= year - int(d[:4]) <= MAX_YEARS_BACK]
    if not known:
        return ""
    y0, example, p = max(known, key=lambda k: k[0])
    index = _number(p.term) * SITTINGS_PER_TERM + _number(p.sitting) - 1 + (year - y0)
    term, sitting = divmod(index, SITTINGS_PER_TERM)
    form = _form(example)
    return form[1].format(term=_numeral(term), sitting=_numeral(sitting + 1)) if form else ""
