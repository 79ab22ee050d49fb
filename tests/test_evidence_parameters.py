"""Evidence for an ask to change a parameter: sentences stating today's parameter rank higher."""

from __future__ import annotations

from pathlib import Path

from assistant.evidence import PARAMETER_BONUS, gather
from assistant.models import DraftOptions, Proposal
from assistant.rules.jurisdiction import Jurisdiction
from vectorstore.kb import KnowledgeBase

POLICY = ("示例市中试平台建设与运营管理办法\n"
          "第六条 对运营良好的市级中试平台，按其上年度对外服务收入的20%给予运营补助，每家每年最高100万元。\n"
          "第七条 市级中试平台运营补助资金由市财政统筹安排，专项用于中试平台运营服务。\n")


def _scores(kb: KnowledgeBase, suggestion: str) -> dict[str, float]:
    options = DraftOptions(bureau_name="示例市科学技术局", region="示例省示例市", reply_date="2025-07-01")
    evidence = gather(kb, Proposal(title="关于加大中试平台支持力度的提案", suggestions=[suggestion]), options,
                      Jurisdiction("示例市科学技术局", "示例省示例市"))
    return {c.text[:4]: c.score for c in evidence.own}


def test_a_parameter_ask_ranks_the_sentence_stating_the_parameter(kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "policy.txt").write_text(POLICY, encoding="utf-8")
    (folder / "MANIFEST.tsv").write_text(
        "file\tkind\tissuer\tregion\tdate\tproposal_number\ttitle\tsource\n"
        "policy.txt\tpolicy\t示例市科学技术局\t示例省示例市\t2024-03-01\t\t示例市中试平台建设与运营管理办法\ttest\n",
        encoding="utf-8")
    assert not kb.ingest([folder], manifest=folder / "MANIFEST.tsv").failed
    asked = _scores(kb, "适当提高中试平台运营补助标准")
    plain = _scores(kb, "完善中试平台运营补助管理")
    stated, other = "对运营良", "市级中试"
    assert {stated, other} <= asked.keys() and {stated, other} <= plain.keys()
    # The ask lifts the sentence that states the parameter, not the one that merely shares its words.
    assert asked[stated] - plain[stated] > asked[other] - plain[other] + PARAMETER_BONUS / 2
