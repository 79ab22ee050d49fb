"""Reading proposals: fields, suggestions, proposer type, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.proposal import ProposalError, extract_suggestions, load_proposal, parse_proposal
from conftest import SAMPLE_KB

PROPOSALS = SAMPLE_KB / "proposals"


def test_member_proposal_from_text() -> None:
    p = load_proposal(PROPOSALS / "proposal_2025_ta088.txt")
    assert (p.number, p.session, p.proposer, p.proposer_type, p.kind) == ("88", "市政协十届五次会议", "刘某某", "member", "proposal")
    assert p.title == "关于推动中试平台建设加快科技成果转化的提案"
    assert p.date == "2025-01-12"
    assert len(p.suggestions) == 4 and p.suggestions[0].startswith("加大中试平台布局建设力度")
    assert not any("一是" in s or "【" in s for s in p.suggestions)


def test_deputy_suggestion_with_arabic_numbering() -> None:
    p = load_proposal(PROPOSALS / "proposal_2025_jy121.txt")
    assert (p.proposer_type, p.kind, p.number) == ("deputy", "suggestion", "121")
    assert len(p.suggestions) == 4 and p.suggestions[2].startswith("发挥政府引导基金作用")


def test_body_proposer() -> None:
    p = load_proposal(PROPOSALS / "proposal_2025_ta143.txt")
    assert (p.proposer, p.proposer_type) == ("民进示例市委", "body")


def test_json_and_docx_inputs(tmp_path: Path) -> None:
    p = load_proposal(PROPOSALS / "demo_proposal.json")
    assert p.number == "88" and len(p.suggestions) == 4
    import docx

    d = docx.Document()
    for line in (PROPOSALS / "proposal_2025_ta088.txt").read_text(encoding="utf-8").splitlines():
        d.add_paragraph(line)
    d.save(str(tmp_path / "p.docx"))
    assert load_proposal(tmp_path / "p.docx").suggestions == load_proposal(PROPOSALS / "proposal_2025_ta088.txt").suggestions
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"suggestions": "not a list"}), encoding="utf-8")
    with pytest.raises(ProposalError, match="不是有效的提案 JSON（字段有误：suggestions）"):
        load_proposal(bad)


def test_missing_fields_stay_empty_not_invented() -> None:
    p = parse_proposal("关于加强科普工作的建议\n建议：一是建设科普基地。二是培育科普人才。")
    assert p.number == "" and p.session == "" and p.proposer == "" and p.proposer_type == "unknown"
    assert p.title == "关于加强科普工作的建议"
    assert p.suggestions == ["建设科普基地", "培育科普人才"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("建议：\n（一）加大投入；\n（二）完善机制。", ["加大投入", "完善机制"]),
        ("对策建议\n1.加大投入。\n2.完善机制。\n3.加强宣传。", ["加大投入", "完善机制", "加强宣传"]),
        ("一、加大财政投入力度\n二、完善评价机制", ["加大财政投入力度", "完善评价机制"]),
        ("现状：问题很多。建议市科技局加大中试平台投入，并完善评价机制。", ["建议市科技局加大中试平台投入，并完善评价机制"]),
    ],
)
def test_suggestion_forms(text: str, expected: list[str]) -> None:
    assert extract_suggestions(text) == expected


def test_bad_proposals_are_explained() -> None:
    with pytest.raises(ProposalError, match="为空"):
        parse_proposal("   \n ")
    with pytest.raises(ProposalError, match="过长"):
        parse_proposal("关于中试平台的提案。" * 5000)
