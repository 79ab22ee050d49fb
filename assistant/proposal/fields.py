"""The header of a proposal: its title, number, session, who proposed it, and whether 政协 or 人大.

Only what is written is recovered: a field the text does not give stays empty (and the reader warns),
never a guess. Numbers and sessions are read from the header only, so "地铁3号线" in the body is not a
proposal number.
"""

from __future__ import annotations

import re

from assistant.proposal.layout import Layout
from vectorstore.reply import parse_date, parse_session_number
from vectorstore.structure import CN_NUM

_SUFFIX = r"(?:提案|建议|议案)"
TITLE_MAX = 80
_TITLE_LINE = re.compile(rf"(关于.{{2,100}}?{_SUFFIX})(?:\s*[（(][^）)]{{0,12}}[）)])?$")
_TITLE_START = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+[.、]|\d{4}\s*年\s*第[^\s关]{1,8}期)?\s*")
_TITLE_IN_TEXT = re.compile(rf"关于[^。；！？\n“”《》]{{2,60}}?的{_SUFFIX}")
_QUOTED_TITLE = re.compile(rf"《(关于[^》]{{2,100}}?{_SUFFIX})》")
_SESSION = re.compile(
    rf"(?:[\u4e00-\u9fff]{{0,24}}?)(?:第?[{CN_NUM}]+届)[\u4e00-\u9fff]{{0,16}}?第?[{CN_NUM}]+次(?:全体)?会议"
)
_NUMBER_FIELD = re.compile(r"(?:编\s*号|案\s*号|提案号|建议号|议案号)\s*[:：]?\s*([A-Za-z]?\d{1,10})")
_NUMBER_HEAD = re.compile(r"第\s*([A-Za-z]?\d{1,8})\s*号|^[^\n]{0,30}?(\d{1,6})\s*号(?:提案|建议|议案)?$")
_BODY_NAME = re.compile(
    r"民革|民盟|民建|民进|农工党|致公党|九三学社|台盟|工商联|中共|共青团|妇联|侨联|科协|委员会|专委会|[^委]委$|界别|界$|"
    r"小组|党派|支部|联络组|工作组|办公室|协会|学会|商会|组$"
)
_PERSON = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
_GROUP_TOKEN = re.compile(r"代表团|代表组|界别|组$|村$|镇$|乡$|街道")
_NPC = re.compile(r"人大|人民代表大会|议案|代表")
_CPPCC = re.compile(r"政协|政治协商|提案|委员")
_DATE = re.compile(r"(?:提交日期|提出日期|提交时间|提出时间|日期|时间)[:：]\s*([^\n]{6,20})")


def title(layout: Layout, text: str) -> str:
    for ln in layout.fields("title"):
        # a 案由 written as sentences is a summary, not the title
        if ln.value and len(ln.value) <= TITLE_MAX and not re.search(r"[。；]", ln.value):
            return _clean_title(ln.value)
    head = [ln for ln in layout.header if ln.kind == "text"]
    for n, ln in enumerate(head):
        line = _TITLE_START.sub("", ln.text)
        m = _TITLE_LINE.search(line)
        if m and line.startswith("关于"):
            return _clean_title(m.group(1))
        # a title wrapped over two lines
        if line.startswith("关于") and n + 1 < len(head) and head[n + 1].index == ln.index + 1:
            m = _TITLE_LINE.search(line + head[n + 1].text)
            if m:
                return _clean_title(m.group(1))
    m = _QUOTED_TITLE.search(text) or _TITLE_IN_TEXT.search(text)
    return _clean_title(m.group(1) if m.groups() else m.group(0)) if m else ""


def _clean_title(value: str) -> str:
    value = re.sub(r"\s*[（(]\s*第?\s*\d+\s*号?\s*[）)]\s*$", "", value.strip())
    return value.strip("《》 ")


def session_number(layout: Layout) -> tuple[str, str]:
    head = _header_text(layout)
    session = ""
    for ln in layout.fields("session"):
        session = ln.value
    candidates = [m.group(0) for m in _SESSION.finditer(head)]
    if not session and candidates:
        session = max(candidates, key=len)
    number = ""
    for ln in layout.fields("number"):
        m = re.search(r"[A-Za-z]?\d{1,10}", ln.value)
        if m:
            number = m.group(0)
            break
    if not number:
        m = _NUMBER_FIELD.search(head)
        number = m.group(1) if m else ""
    if not number:
        number = parse_session_number(head)[1]
    if not number:
        for line in head.split("\n"):
            m = _NUMBER_HEAD.search(line.strip())
            if m:
                number = m.group(1) or m.group(2)
                break
    if not number:
        m = re.search(r"[（(]\s*(\d{1,6})\s*号\s*[）)]", title_line(layout))
        number = m.group(1) if m else ""
    return session.strip(), number


def title_line(layout: Layout) -> str:
    return next((ln.text for ln in layout.header if ln.kind == "text" and "关于" in ln.text), "")


def _header_text(layout: Layout) -> str:
    """The header lines, a session split over two lines joined again (…人民代表大会 / 第五次会议…)."""
    lines = [ln.text for ln in layout.header]
    out: list[str] = []
    for line in lines:
        if out and re.search(r"(?:人民代表大会|委员会|政协)$", out[-1]) and re.match(rf"^第?[{CN_NUM}]+次", line):
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def proposer(layout: Layout, text: str) -> tuple[str, str]:
    """(name, label kind) where the label kind is member/deputy/body/'' from how the proposer is introduced."""
    for ln in layout.fields("proposer"):
        if ln.value:
            return _name(ln.value, ln.label)
    head = "\n".join(ln.text for ln in layout.header)
    opening = head + "\n" + "\n".join(ln.text for ln in layout.lines[layout.body_start : layout.body_start + 2])
    m = re.search(r"[（(]\s*(?:[\u4e00-\u9fff]{0,8}?)(代表|委员)([\u4e00-\u9fff·]{2,4})提[）)]", opening)
    if m:
        return m.group(2), _type_of_label(m.group(1))
    m = re.search(r"[（(]\s*据([^（）()]{2,30}?)(委员|代表)(?:提供|反映)[）)]", opening)
    if m:
        return m.group(1), _type_of_label(m.group(2))
    m = re.search(r"^[^\s|｜]{0,12}?(委员|代表)([\u4e00-\u9fff·]{2,4})[:：]$", head, re.M)
    if m:
        return m.group(2), _type_of_label(m.group(1))
    after = _line_after_title(layout)
    if after:
        return _name(after, "")
    m = re.search(rf"([^，。；：、\s]{{2,16}})提出(?:了)?(?:《)?关于[^。]{{2,80}}?的{_SUFFIX}", text)
    if m and _BODY_NAME.search(m.group(1)):
        return m.group(1), "body"
    return "", ""


def _line_after_title(layout: Layout) -> str:
    """A short name line right under the title: 冬梅 / 市政协文史委 / 北浴乡政协工作联络组."""
    head = layout.header
    for n, ln in enumerate(head[:-1]):
        if ln.kind == "text" and "关于" in ln.text and _TITLE_LINE.search(ln.text):
            nxt = head[n + 1]
            if nxt.kind == "text" and 2 <= len(nxt.text) <= 16 and not re.search(r"[\d：:，。（(]", nxt.text):
                return nxt.text
    return ""


def _name(value: str, label: str) -> tuple[str, str]:
    value = value.strip()
    tokens = [t for t in re.split(r"\s+", value) if t]
    people = [t for t in tokens if not _GROUP_TOKEN.search(t)]
    if len(tokens) > 1:
        value = " ".join(tokens) if all(_PERSON.match(t) for t in tokens) else (people[0] if people else tokens[0])
    kind = _type_of_label(label)
    value = re.sub(r"等(?:\d+人|[一二三四五六七八九十]+人|人)?$", "", value)
    m = re.match(r"^([\u4e00-\u9fff·]{2,4})[（(][^）)]*[）)]$", value)
    if m:  # 张某某（示例中学校长）: the name without the affiliation
        value = m.group(1)
    for suffix, k in (("委员", "member"), ("代表", "deputy")):
        if value.endswith(suffix) and len(value) > len(suffix) + 1:
            value, kind = value[: -len(suffix)].rstrip("等"), k
    if _BODY_NAME.search(re.sub(r"[（(].*?[）)]", "", value)) or "单位" in label:
        kind = "body"
    return value, kind


def _type_of_label(label: str) -> str:
    if "委员" in label:
        return "member"
    if "代表" in label or label in ("建议人", "提议案人", "见案人", "提议人"):
        return "deputy"
    if "单位" in label:
        return "body"
    return ""


def kind(layout: Layout, title_text: str, label_kind: str) -> tuple[str, bool]:
    """(proposal | suggestion, whether the text says so) from the header's own words, the proposer, the title.

    A title ending in 建议 is used by both bodies, so a kind read only from it is not certain.
    """
    words = [ln.text for ln in layout.header] + [ln.label for ln in layout.lines if ln.kind in ("field", "heading")]
    head = " ".join(words)
    npc, cppcc = bool(re.search(r"人大|人民代表大会", head)), bool(re.search(r"政协|政治协商", head))
    if npc != cppcc:
        return ("suggestion" if npc else "proposal"), True
    if label_kind in ("member", "deputy"):
        return ("proposal" if label_kind == "member" else "suggestion"), True
    if title_text.endswith("提案"):
        return "proposal", True
    if title_text.endswith("议案") or _NPC.search(head):
        return "suggestion", True
    if _CPPCC.search(head) or label_kind == "body":
        return "proposal", True
    return ("suggestion" if title_text.endswith("建议") else "proposal"), False


def proposer_type(label_kind: str, name: str, kind_: str, certain: bool) -> str:
    """From how the proposer is introduced; else a person of a 政协 text is a member, of a 人大 text a deputy."""
    if label_kind:
        return label_kind
    if not name and not certain:
        return "unknown"
    return "member" if kind_ == "proposal" else "deputy"


def date(text: str) -> str:
    m = _DATE.search(text[:800])
    return parse_date(m.group(1)) if m else ""

