"""How well the proposal reader recovers real proposals: suggestion lists against a hand-made gold file.

The gold file (``gold.jsonl`` beside a ``texts/`` folder) holds one object per published text: ``file``,
``title``, ``number``, ``session``, ``proposer``, ``proposer_type``, ``kind``, ``suggestions`` and a free-text
``format``. A text is right when its suggestion list is right:

- several gold suggestions: the same number of items, each equal to its gold item after dropping
  whitespace and punctuation (``eval.text.content``);
- one gold suggestion: where a request buried in the body starts is a judgement call, so one predicted
  item that *loosely* matches is right: one contains the other and the shorter is at least a third of
  the longer, or their longest common subsequence covers 80 % of the longer.

Title, number, proposer, session, proposer type and kind are secondary figures.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from assistant.models import Proposal
from assistant.sessions import same_session
from eval.text import content, lcs_length

LOOSE_MIN_SHARE = 1 / 3
LOOSE_MIN_LCS = 0.8
FIELDS = ("title", "number", "proposer", "session", "proposer_type", "kind")


class GoldProposal(BaseModel):
    file: str
    title: str = ""
    number: str = ""
    session: str = ""
    proposer: str = ""
    proposer_type: str = "unknown"
    kind: str = "proposal"
    suggestions: list[str] = Field(default_factory=list)
    format: str = ""


class FileScore(BaseModel):
    file: str
    format: str = ""
    mode: Literal["exact", "loose"]
    ok: bool
    problem: str = Field("", description="What differs, in Chinese; empty when the list is right")
    expected: list[str]
    got: list[str]
    warnings: list[str] = Field(default_factory=list)
    fields: dict[str, bool] = Field(default_factory=dict, description="Secondary fields right or not")
    error: str = Field("", description="Why the text could not be read at all")


class Share(BaseModel):
    right: int
    n: int
    accuracy: float


class Totals(BaseModel):
    suggestions: Share = Field(description="Texts whose suggestion list is right")
    by_mode: dict[str, Share] = Field(description="exact (several suggestions) and loose (one suggestion)")
    fields: dict[str, float] = Field(description="Share of texts with each secondary field right")


class ParseScore(BaseModel):
    files: list[FileScore]

    @property
    def failures(self) -> list[FileScore]:
        return [f for f in self.files if not f.ok]

    def totals(self) -> Totals:
        n = len(self.files)
        return Totals(
            suggestions=_share(self.files),
            by_mode={mode: _share([f for f in self.files if f.mode == mode]) for mode in ("exact", "loose")},
            fields={name: round(sum(f.fields.get(name, False) for f in self.files) / n, 4) if n else 0.0
                    for name in FIELDS},
        )


def _share(rows: list[FileScore]) -> Share:
    right = sum(r.ok for r in rows)
    return Share(right=right, n=len(rows), accuracy=round(right / len(rows), 4) if rows else 0.0)


def same_item(got: str, gold: str) -> bool:
    return content(got) == content(gold)


def loose_match(got: str, gold: str) -> bool:
    """One buried request: the same passage give or take where it starts and ends."""
    a, b = content(got), content(gold)
    if not a or not b:
        return False
    short, long_ = sorted((a, b), key=len)
    if short in long_ and len(short) >= LOOSE_MIN_SHARE * len(long_):
        return True
    return lcs_length(a, b) >= LOOSE_MIN_LCS * len(long_)


def compare_lists(got: list[str], gold: list[str]) -> tuple[bool, str]:
    """(right, what differs) for one text's suggestion list."""
    if len(gold) == 1:
        if len(got) != 1:
            return False, f"应为 1 条，识别出 {len(got)} 条"
        return (True, "") if loose_match(got[0], gold[0]) else (False, "唯一一条建议的范围不对")
    if len(got) != len(gold):
        return False, f"应为 {len(gold)} 条，识别出 {len(got)} 条"
    for i, (g, e) in enumerate(zip(got, gold, strict=True), start=1):
        if not same_item(g, e):
            return False, f"第 {i} 条不同"
    return True, ""


def _number_key(value: str) -> str:
    m = re.search(r"(\d+)\s*号", value)
    if m:
        return m.group(1)
    digits = re.findall(r"\d+", value)
    return digits[-1] if digits else content(value)


def _loosely_same(got: str, gold: str) -> bool:
    a, b = content(got), content(gold)
    if not a or not b:
        return a == b
    return a in b or b in a


def field_scores(p: Proposal, gold: GoldProposal) -> dict[str, bool]:
    return {
        "title": content(p.title) == content(gold.title),
        "number": _number_key(p.number) == _number_key(gold.number),
        "proposer": _loosely_same(p.proposer, gold.proposer),
        "session": _loosely_same(p.session, gold.session) or same_session(p.session, gold.session),
        "proposer_type": p.proposer_type == gold.proposer_type,
        "kind": p.kind == gold.kind,
    }


def load_gold(folder: Path) -> list[GoldProposal]:
    path = folder / "gold.jsonl"
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip() and not line.lstrip().startswith("#"):
                try:
                    rows.append(GoldProposal.model_validate_json(line))
                except ValueError as err:
                    raise ValueError(f"{path} 第 {n} 行不是有效的标注：{err}") from err
    return rows


def score_folder(folder: Path, reader: Callable[[Path], Proposal] | None = None) -> ParseScore:
    """Read every text the gold file lists with ``reader`` (default: the assistant's reader) and score it."""
    if reader is None:
        from assistant.proposal import load_proposal

        reader = load_proposal
    files = []
    for gold in load_gold(folder):
        mode: Literal["exact", "loose"] = "loose" if len(gold.suggestions) == 1 else "exact"
        try:
            p = reader(folder / gold.file)
        except (OSError, ValueError) as err:
            files.append(FileScore(file=gold.file, format=gold.format, mode=mode, ok=False, problem="无法读取",
                                   expected=gold.suggestions, got=[], error=str(err)))
            continue
        ok, problem = compare_lists(p.suggestions, gold.suggestions)
        files.append(FileScore(file=gold.file, format=gold.format, mode=mode, ok=ok, problem=problem,
                               expected=gold.suggestions, got=p.suggestions, warnings=p.warnings,
                               fields=field_scores(p, gold)))
    return ParseScore(files=files)


def to_json(score: ParseScore) -> str:
    return json.dumps({"totals": score.totals().model_dump(), "files": [f.model_dump() for f in score.files]},
                      ensure_ascii=False, indent=2)
