"""Read a proposal (提案) or suggestion (建议) from pasted text, a file, or JSON.

Only what is written is recovered: a field the text does not give stays empty
and later shows as a visible placeholder in the letter, never a guess.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import ValidationError

from assistant.models import Proposal
from vectorstore.normalize import normalize_text
from vectorstore.readers import ReadError, read_file
from vectorstore.reply import parse_date, parse_session_number
from vectorstore.structure import CN_NUM

MAX_PROPOSAL_CHARS = 30000
_TITLE = re.compile(r"《(关于[^》]{2,80}?(?:提案|建议|议案))》|(?:^|\n)(?:案由|题目|标题|提案名称|建议名称)[:：]\s*(.+)")
_TITLE_LINE = re.compile(r"^关于.{2,80}(?:提案|建议|议案)$")
_PROPOSER = re.compile(r"(?:提案人|提案者|领衔代表|领衔人|建议人|代表|委员|提案单位|提出单位)[:：]\s*([^\n]{2,40})")
_BODY_NAME = re.compile(r"(?:民革|民盟|民建|民进|农工党|致公党|九三学社|台盟|工商联|委员会|专委会|界别|小组|党派|市委|区委|县委)")
_SUGGEST_HEAD = re.compile(r"^(?:[一二三四五六七八九十]+、)?\s*(?:具体)?(?:建议|对策建议|意见建议|几点建议|措施建议|办法|对策)(?:[:：]|\s*$)")
_ENUM = re.compile(
    rf"(?:^|(?<=[。；\n]))\s*(?:[{CN_NUM}]+是|[{CN_NUM}]+、|[（(][{CN_NUM}\d]+[）)]|\d{{1,2}}[.．、](?!\d))\s*"
)


class ProposalError(ValueError):
    """The proposal cannot be used; the message says what to fix."""


def load_proposal(path: Path) -> Proposal:
    """A proposal from a .txt/.md/.docx file or a .json file with Proposal fields."""
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
            return Proposal.model_validate(data)
        except (OSError, ValueError, ValidationError) as err:
            raise ProposalError(f"{path}: not a valid proposal JSON ({err})") from err
    try:
        text = read_file(path, max_bytes=5 * 1024 * 1024)
    except ReadError as err:
        raise ProposalError(f"{path}: {err}") from err
    return parse_proposal(text)


def parse_proposal(text: str) -> Proposal:
    text = normalize_text(text)
    if len(re.sub(r"\s", "", text)) < 10:
        raise ProposalError("提案内容为空或过短：请粘贴提案全文（至少包括标题和建议）")
    if len(text) > MAX_PROPOSAL_CHARS:
        raise ProposalError(f"提案过长（{len(text)} 字，上限 {MAX_PROPOSAL_CHARS} 字）：请只粘贴提案正文")
    session, number = parse_session_number(text[:400])
    if not number:
        m = re.search(r"第\s*(\d{1,8})\s*号", text[:300])
        number = m.group(1) if m else ""
    proposer, ptype = _proposer(text)
    kind = "suggestion" if re.search(r"人大|代表|建议$", text[:200].split("\n")[0] + text[:300]) and "政协" not in text[:200] else "proposal"
    return Proposal(
        title=_title(text), number=number, session=session, proposer=proposer, proposer_type=ptype,  # type: ignore[arg-type]
        kind=kind, body=text, suggestions=extract_suggestions(text), date=_date(text),
    )


def _title(text: str) -> str:
    m = _TITLE.search(text)
    if m:
        return (m.group(1) or m.group(2)).strip().strip("《》")
    for line in text.split("\n")[:8]:
        if _TITLE_LINE.match(line.strip()):
            return line.strip()
    return ""


def _proposer(text: str) -> tuple[str, str]:
    head = text[:600]
    m = _PROPOSER.search(head)
    if not m:
        return "", "unknown"
    raw = re.split(r"[，,；;（(\s]", m.group(1).strip())[0]
    label = head[m.start() : m.start() + 6]
    if raw.endswith("委员") or ("委员" in label and not _BODY_NAME.search(raw)):
        return raw.removesuffix("委员").rstrip("等"), "member"
    if raw.endswith("代表") or "代表" in label:
        return raw.removesuffix("代表").rstrip("等"), "deputy"
    if "单位" in label or _BODY_NAME.search(raw):
        return raw, "body"
    return raw, "unknown"


def _date(text: str) -> str:
    m = re.search(r"(?:提交日期|提出日期|日期|时间)[:：]\s*([^\n]{6,20})", text[:800])
    return parse_date(m.group(1)) if m else ""


def extract_suggestions(text: str) -> list[str]:
    """The numbered suggestions after a 建议 heading; else any enumeration; else 建议… sentences."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if _SUGGEST_HEAD.match(line.strip())), None)
    region = text
    if start is not None:
        head = _SUGGEST_HEAD.match(lines[start].strip())
        rest = lines[start].strip()[head.end() :] if head else ""
        region = "\n".join([rest, *lines[start + 1 :]]).strip()
    items = _enumerated(region)
    if len(items) < 2 and start is not None:
        items = [s for s in re.split(r"(?<=[。；])", region) if len(s.strip()) >= 8]
    if len(items) < 2:
        items = _enumerated(text)
    if len(items) < 2:
        items = [s for s in re.split(r"(?<=[。！？])", text) if re.search(r"建议|应当|应该|要加快|加大", s) and len(s) > 10]
    return [_clean(s) for s in items if _clean(s)][:12]


def _enumerated(text: str) -> list[str]:
    marks = list(_ENUM.finditer(text))
    if len(marks) < 2:
        return []
    out = []
    for m, nxt in zip(marks, [*marks[1:], None], strict=False):
        end = nxt.start() if nxt else len(text)
        body = text[m.end() : end].split("\n【")[0]
        out.append(body)
    return out


def _clean(s: str) -> str:
    s = re.sub(r"\s+", "", s.split("\n")[0] if "\n" in s.strip() else s)
    s = re.sub(r"【示例数据[^】]*】", "", s)
    return s.strip("；;。 ")
