"""Read a proposal (提案) or suggestion (建议) from pasted text, a file, or JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import ValidationError

from assistant.models import Proposal
from assistant.proposal import checks, fields
from assistant.proposal.items import Reading, read_suggestions
from assistant.proposal.layout import classify
from assistant.proposal.sections import sections
from vectorstore.normalize import normalize_text
from vectorstore.readers import SUPPORTED, ReadError, read_file

MAX_PROPOSAL_CHARS = 30000
MAX_FILE_BYTES = 5 * 1024 * 1024


class ProposalError(ValueError):
    """The proposal cannot be used; the message says what to fix."""


def load_proposal(path: Path) -> Proposal:
    """A proposal from a .txt/.md/.docx file (or another format the knowledge base reads) or a .json file
    with Proposal fields. Errors say, in Chinese, what is wrong with the file."""
    if path.is_dir():
        raise ProposalError(f"{path}：这是一个文件夹，请给出提案文件")
    if not path.is_file():
        raise ProposalError(f"{path}：找不到该文件，请检查路径")
    if path.suffix.lower() == ".json":
        return _load_json(path)
    if path.suffix.lower() not in SUPPORTED:
        raise ProposalError(f"{path}：不支持的文件类型“{path.suffix or '无扩展名'}”，请使用 .txt、.md、.docx 或 .json 文件")
    try:
        text = read_file(path, max_bytes=MAX_FILE_BYTES)
    except ReadError as err:
        raise ProposalError(f"{path}：{_reason(str(err))}") from err
    return parse_proposal(text)


def _load_json(path: Path) -> Proposal:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as err:
        raise ProposalError(f"{path}：无法读取（{err}），JSON 文件应为 UTF-8 编码") from err
    except json.JSONDecodeError as err:
        raise ProposalError(f"{path}：不是有效的提案 JSON（第{err.lineno}行第{err.colno}列格式有误）") from err
    try:
        return Proposal.model_validate(data)
    except ValidationError as err:
        where = "、".join(".".join(str(x) for x in e["loc"]) or "整体" for e in err.errors())
        raise ProposalError(f"{path}：不是有效的提案 JSON（字段有误：{where}），字段见 README 的 Proposal 说明") from err


_REASONS = (
    ("file is empty", "文件是空的"),
    ("binary content", "不是文本文件，请另存为 .txt 或 .docx"),
    ("file too large", f"文件过大（上限 {MAX_FILE_BYTES // (1024 * 1024)} MB），请只保留提案正文"),
    ("docx", "Word 文件已损坏或不是 .docx 格式，请用 Word 重新另存为 .docx"),
    ("GB18030", "文件编码无法识别，请另存为 UTF-8 编码的文本"),
    ("UTF-16", "文件编码无法识别，请另存为 UTF-8 编码的文本"),
    ("PDF", "PDF 中没有可提取的文字（可能是扫描件），请先做文字识别或粘贴正文"),
    ("cannot read file", "无法读取该文件，请检查文件权限"),
)


def _reason(message: str) -> str:
    """The reader's reason in Chinese (the original kept in brackets for support staff)."""
    for key, chinese in _REASONS:
        if key in message:
            return f"{chinese}（{message}）"
    return f"无法读取（{message}）"


def parse_proposal(text: str) -> Proposal:
    text = normalize_text(text)
    if len(re.sub(r"\s", "", text)) < 10:
        raise ProposalError("提案内容为空或过短：请粘贴提案全文（至少包括标题和建议）")
    if len(text) > MAX_PROPOSAL_CHARS:
        raise ProposalError(f"提案过长（{len(text)} 字，上限 {MAX_PROPOSAL_CHARS} 字）：请只粘贴提案正文")
    layout = classify(text.split("\n"))
    title = fields.title(layout, text)
    session, number = fields.session_number(layout)
    name, label_kind = fields.proposer(layout, text)
    kind, certain = fields.kind(layout, title, label_kind)
    reading = read_suggestions(sections(layout))
    p = Proposal(
        title=title, number=number, session=session, proposer=name,
        proposer_type=fields.proposer_type(label_kind, name, kind, certain),  # type: ignore[arg-type]
        kind=kind,  # type: ignore[arg-type]
        body=text, suggestions=reading.items, date=fields.date(text),
    )
    p.warnings = checks.warnings(p, reading)
    return p


def extract_suggestions(text: str) -> list[str]:
    """The suggestions of a proposal's text, in order (see ``assistant.proposal.items``)."""
    return read(text).items


def read(text: str) -> Reading:
    return read_suggestions(sections(classify(normalize_text(text).split("\n"))))
