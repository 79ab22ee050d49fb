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
from vectorstore.readers import ReadError, read_file

MAX_PROPOSAL_CHARS = 30000
MAX_FILE_BYTES = 5 * 1024 * 1024


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
        text = read_file(path, max_bytes=MAX_FILE_BYTES)
    except ReadError as err:
        raise ProposalError(f"{path}: {err}") from err
    return parse_proposal(text)


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
    kind = fields.kind(layout, title, label_kind)
    reading = read_suggestions(sections(layout))
    p = Proposal(
        title=title, number=number, session=session, proposer=name,
        proposer_type=fields.proposer_type(label_kind, name, kind),  # type: ignore[arg-type]
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
