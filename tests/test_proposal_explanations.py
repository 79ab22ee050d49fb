"""A suggestion's heading and the paragraph under it: the paragraph says what is asked, and evidence uses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evidence import gather
from assistant.models import DraftOptions, Proposal
from assistant.proposal.explanations import explanations
from assistant.proposal.reader import parse_proposal
from assistant.rules.jurisdiction import Jurisdiction
from vectorstore.kb import KnowledgeBase

HEADINGS = """关于完善科技金融服务的提案
提案单位：示例市委员会
近年来，我市科技金融服务体系初步建立，但仍有不足。为此，提出以下建议。
（一）扩大科技信贷风险补偿覆盖面
进一步扩大资金池规模和合作银行范围，对首次获得银行贷款的企业提高风险补偿比例。
（二）发挥科创母基金引导作用
优化子基金遴选和考核机制，提高对投向种子期企业的让利比例。
（三）加强企业梯度培育与金融联动
将培育库企业名单定期推送给合作银行。
示例市委员会
2025年1月10日
"""


def test_each_heading_gets_the_paragraph_under_it_and_the_signature_is_not_one() -> None:
    p = parse_proposal(HEADINGS)
    assert p.suggestions == ["扩大科技信贷风险补偿覆盖面", "发挥科创母基金引导作用", "加强企业梯度培育与金融联动"]
    assert explanations(p.body, p.suggestions) == [
        "进一步扩大资金池规模和合作银行范围，对首次获得银行贷款的企业提高风险补偿比例。",
        "优化子基金遴选和考核机制，提高对投向种子期企业的让利比例。",
        "将培育库企业名单定期推送给合作银行。",
    ]


@pytest.mark.parametrize(("body", "suggestions"), [
    # One line each: the item says it all; what follows is the next item.
    ("为此建议：一是加大研发投入补助力度。二是扩大创新券使用范围。", ["加大研发投入补助力度", "扩大创新券使用范围"]),
    ("建议如下：\n1. 加大研发投入补助力度，简化申报流程。\n2. 扩大创新券使用范围。\n联系人：张三",
     ["加大研发投入补助力度，简化申报流程", "扩大创新券使用范围"]),
    # The last heading is followed by fields and a signature only.
    ("建议：\n（一）加大研发投入补助\n（二）扩大创新券使用范围\n领衔代表：张三\n附议代表：李四", ["加大研发投入补助", "扩大创新券使用范围"]),
    # A list edited by hand: a suggestion not in the text has no explanation.
    ("（一）加大研发投入补助\n简化申报流程。", ["推行免申即享"]),
])
def test_no_explanation_where_the_item_has_none(body: str, suggestions: list[str]) -> None:
    assert explanations(body, suggestions) == [""] * len(suggestions)


def test_the_paragraph_stops_at_an_unrecognised_next_item_and_is_bounded() -> None:
    body = "（一）优化子基金遴选\n提高让利比例。（二）另一项\n" + "很长的说明。" * 100
    assert explanations(body, ["优化子基金遴选"]) == ["提高让利比例。"]
    assert len(explanations("（一）优化子基金遴选\n" + "很长的说明" * 100, ["优化子基金遴选"])[0]) == 300


def test_evidence_for_a_heading_uses_the_words_of_its_paragraph(kb: KnowledgeBase, tmp_path: Path) -> None:
    """遴选 and 让利 are only in the paragraph under （二）: the sentence on them must be found for （二）,
    and rank there above a sentence that shares only the heading's words with another suggestion."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "news.txt").write_text(
        "示例市科创母基金运作情况\n2024年，母基金优化了子基金遴选办法，对投向种子期企业的子基金提高让利比例。\n"
        "截至2024年底，科技信贷风险补偿资金池累计支持企业800家。\n", encoding="utf-8")
    (folder / "MANIFEST.tsv").write_text(
        "file\tkind\tissuer\tregion\tdate\tproposal_number\ttitle\tsource\n"
        "news.txt\tnews\t示例市科学技术局\t示例省示例市\t2025-01-20\t\t示例市科创母基金运作情况\ttest\n",
        encoding="utf-8")
    assert not kb.ingest([folder], manifest=folder / "MANIFEST.tsv").failed
    options = DraftOptions(bureau_name="示例市科学技术局", region="示例省示例市", reply_date="2025-07-01")
    jurisdiction = Jurisdiction("示例市科学技术局", "示例省示例市")
    with_body = parse_proposal(HEADINGS)
    headings_only = with_body.model_copy(update={"body": ""})

    def fit(p: Proposal, idx: int) -> float:
        found = [c for c in gather(kb, p, options, jurisdiction).own if c.suggestion_index == idx and "遴选" in c.text]
        return max((c.fit for c in found), default=0.0)

    assert fit(with_body, 1) > fit(headings_only, 1)
    assert fit(with_body, 1) > fit(with_body, 0)
