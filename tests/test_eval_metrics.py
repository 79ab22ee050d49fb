"""Each metric on hand-made drafts whose right values are known, including a deliberately bad draft."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.models import Checks, Draft, DraftOptions, Item, Letter, Proposal, Section, Sentence, Source
from assistant.rules.jurisdiction import Jurisdiction
from assistant.rules.worthiness import Recency
from eval.metrics import (
    DocCache,
    aggregate,
    citation_validity,
    coverage,
    evidence_findability,
    fact_recall,
    figure_traceability,
    jurisdiction,
    keyword_overlap,
    leakage,
    score_draft,
    structure,
    support,
    unworthy,
)
from eval.retrieval import gold_answers, retrieval_scores
from vectorstore.kb import KnowledgeBase
from vectorstore.types import SearchFilters

OWN = """示例市科学技术局关于中试平台建设情况的通报
2022年，全市建成市级中试平台8家，兑现补助1200万元。
下一步将继续支持中试平台建设，力争2025年达到20家。
示例市科学技术局
2023年1月10日
"""
OTHER = """样例市科学技术局2022年工作总结
2022年，样例市建成中试基地9家，服务企业300余家。
样例市科学技术局
2023年2月1日
"""
LATER = """示例市科学技术局2024年工作总结
2024年，全市市级中试平台达到14家。
示例市科学技术局
2024年9月1日
"""
MANIFEST = (
    "file\tkind\tissuer\tregion\tdate\n"
    "own.txt\tnews\t示例市科学技术局\t示例省示例市\t2023-01-10\n"
    "other.txt\tnews\t样例市科学技术局\t示例省样例市\t2023-02-01\n"
    "later.txt\tnews\t示例市科学技术局\t示例省示例市\t2024-09-01\n"
)
REGION = "示例省示例市"
RULE = Jurisdiction("示例市科学技术局", REGION)


@pytest.fixture
def small_kb(kb: KnowledgeBase, tmp_path: Path) -> KnowledgeBase:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in (("own.txt", OWN), ("other.txt", OTHER), ("later.txt", LATER)):
        (docs / name).write_text(text, encoding="utf-8")
    (docs / "MANIFEST.tsv").write_text(MANIFEST, encoding="utf-8")
    report = kb.ingest([docs], manifest=docs / "MANIFEST.tsv")
    assert not report.failed
    return kb


def _doc_id(kb: KnowledgeBase, marker: str) -> str:
    return next(r["doc_id"] for r in kb.store.meta_rows() if marker in r["title"])


def _source(kb: KnowledgeBase, sid: int, doc_marker: str, sentence: str, quote: str | None = None) -> Source:
    doc_id = _doc_id(kb, doc_marker)
    doc = kb.get(doc_id)
    assert doc is not None
    start = doc.text.index(sentence)
    return Source(id=sid, doc_id=doc_id, chunk_id="", title=doc.meta.title, issuer=doc.meta.issuer,
                  region=doc.meta.region, date=doc.meta.date, quote=sentence if quote is None else quote,
                  start=start, end=start + len(sentence))


def _letter(sections: list[Section]) -> Letter:
    return Letter(title="示例市科学技术局关于市政协十届二次会议第45号提案答复的函", salutation="王某某委员：",
                  opening="您提出的《关于加快中试平台建设的提案》（第45号）收悉。现答复如下：", sections=sections,
                  closing="感谢您对我市科技工作的关心和支持。", signature="示例市科学技术局", date="2023年6月28日")


def _sent(text: str, *cites: int, support: float | None = 0.9, flags: list[str] | None = None) -> Sentence:
    return Sentence(text=text, citations=list(cites), support=support, flags=flags or [])


def good_draft(kb: KnowledgeBase) -> Draft:
    s1 = _source(kb, 1, "通报", "2022年，全市建成市级中试平台8家，兑现补助1200万元。")
    s2 = _source(kb, 2, "通报", "下一步将继续支持中试平台建设，力争2025年达到20家。")
    sections = [
        Section(heading="一、工作开展情况", role="work",
                items=[Item(heading="（一）建设中试平台", suggestion_index=0,
                            sentences=[_sent("2022年，全市建成市级中试平台8家，兑现补助1200万元。", 1)])]),
        Section(heading="二、下一步工作打算", role="plan",
                items=[Item(sentences=[_sent("下一步，我局将继续支持中试平台建设，力争2025年达到20家。", 2)])]),
    ]
    return Draft(proposal=Proposal(title="关于加快中试平台建设的提案", suggestions=["加快中试平台建设"]),
                 options=DraftOptions(region=REGION, reply_date="2023-06-27"), letter=_letter(sections),
                 sources=[s1, s2], checks=Checks(structure=True, coverage=[True]))


def bad_draft(kb: KnowledgeBase) -> Draft:
    """An invented figure, another region's work written as ours, a misquoted source, no 下一步 section."""
    s1 = _source(kb, 1, "通报", "2022年，全市建成市级中试平台8家，兑现补助1200万元。")
    s2 = _source(kb, 2, "样例市", "2022年，样例市建成中试基地9家，服务企业300余家。")
    s3 = _source(kb, 3, "通报", "2022年，全市建成市级中试平台8家，兑现补助1200万元。",
                 quote="2022年，全市建成市级中试平台80家，兑现补助1200万元。")
    work = Section(heading="一、工作开展情况", role="work", items=[Item(heading="（一）建设中试平台", sentences=[
        _sent("全市累计建成市级中试平台15家。", 1, support=0.5, flags=["数字“15家”在引用原文中找不到"]),
        _sent("2022年，我市建成中试基地9家。", 2, support=0.7),
        _sent("2022年，全市建成市级中试平台80家。", 3, support=0.9),
    ])])
    return Draft(proposal=Proposal(title="关于加快中试平台建设的提案", suggestions=["加快中试平台建设", "完善政策"]),
                 options=DraftOptions(region=REGION, reply_date="2023-06-27"), letter=_letter([work]),
                 sources=[s1, s2, s3], checks=Checks(structure=False, coverage=[True, False]))


def test_a_good_draft_meets_every_hard_target(small_kb: KnowledgeBase) -> None:
    draft = good_draft(small_kb)
    docs = DocCache(small_kb)
    assert structure(draft) == (1.0, [])
    assert citation_validity(draft, docs) == (1.0, [])
    assert figure_traceability(draft, docs) == (1.0, [])
    assert jurisdiction(draft, docs, RULE) == (0.0, [])
    assert leakage(draft, docs, ["gold"], "2023-06-27") == (0, [])
    assert coverage(draft) == 1.0
    assert support(draft) == (pytest.approx(0.9), 0.0)


def test_the_bad_draft_is_caught_by_each_metric(small_kb: KnowledgeBase) -> None:
    draft = bad_draft(small_kb)
    docs = DocCache(small_kb)
    score, missing = structure(draft)
    assert score == 7 / 8 and missing == ["plan"]
    validity, invalid = citation_validity(draft, docs)
    assert validity == pytest.approx(2 / 3) and len(invalid) == 1 and "[3]" in invalid[0]
    # 15家 is invented; 80家 is only in the misquote, not in the stored text; 2022年 ×2 and 9家 trace.
    traced, untraced = figure_traceability(draft, docs)
    assert traced == pytest.approx(3 / 5)
    assert sorted(u.split(" ")[0] for u in untraced) == ["15家", "80家"]
    foreign, sentences = jurisdiction(draft, docs, RULE)
    assert foreign == pytest.approx(1 / 3) and "示例省样例市" in sentences[0]
    assert coverage(draft) == 0.5
    mean_support, flagged = support(draft)
    assert mean_support == pytest.approx(0.7) and flagged == pytest.approx(1 / 3)


def test_plan_before_the_work_section_is_out_of_order(small_kb: KnowledgeBase) -> None:
    draft = good_draft(small_kb)
    draft.letter.sections.reverse()
    score, missing = structure(draft)
    assert missing == ["plan"] and score == 7 / 8


def test_structure_order_is_checked_on_the_plain_text(small_kb: KnowledgeBase) -> None:
    draft = good_draft(small_kb)
    lt = draft.letter
    draft.text = "\n".join([lt.title, lt.salutation, lt.opening, "一、工作开展情况", "二、下一步工作打算",
                            lt.signature, lt.closing, lt.date])  # signature and closing swapped
    score, missing = structure(draft)
    assert score == 7 / 8 and missing == ["signature"]  # the closing comes first, so the signature is late


def test_leakage_counts_the_gold_and_later_documents(small_kb: KnowledgeBase) -> None:
    draft = good_draft(small_kb)
    later = _source(small_kb, 3, "2024年工作总结", "2024年，全市市级中试平台达到14家。")
    draft.sources.append(later)
    gold = draft.sources[0].doc_id
    n, why = leakage(draft, DocCache(small_kb), [gold], "2023-06-27")
    assert n == 2
    assert any("excluded" in w for w in why) and any("2024-09-01" in w for w in why)


def test_jurisdiction_is_the_drafters_own_rule() -> None:
    class M:
        def __init__(self, issuer: str, region: str) -> None:
            self.issuer, self.region = issuer, region

    assert RULE.is_own(M("示例市科学技术局", "示例省示例市"))
    assert RULE.is_own(M("示例市财政局", ""))
    # A provincial document is not another city's, but neither is it the bureau's work: same rule as drafting.
    assert not RULE.is_own(M("示例省科学技术厅", "示例省"))
    assert not RULE.is_own(M("样例市科学技术局", "示例省样例市"))


def test_unworthy_sentences_are_counted_with_the_drafting_rules(small_kb: KnowledgeBase) -> None:
    draft = good_draft(small_kb)
    assert unworthy(draft, DocCache(small_kb), Recency()) == (0.0, [])
    src = draft.sources[0].id
    draft.letter.sections[0].items[0].sentences.append(
        Sentence(text="会议介绍了全市中试平台建设情况。", citations=[src]))
    share, bad = unworthy(draft, DocCache(small_kb), Recency())
    assert share is not None and share > 0 and bad[-1].startswith("event")


def test_fact_recall_counts_figures_and_names() -> None:
    gold = "2022年，全市建成中试平台8家，印发《中试平台管理办法》，实施“启明计划”。"
    assert fact_recall(gold, gold) == (1.0, [])
    share, missed = fact_recall("全市建成中试平台8家。", gold)
    assert share == pytest.approx(1 / 4)
    assert missed == sorted(["2022年", "《中试平台管理办法》", "“启明计划”"])
    assert fact_recall("任何内容", "没有具体事实的答复。") == (None, [])


def test_keyword_overlap_and_findability() -> None:
    assert keyword_overlap("建设中试平台，培育科技企业", "建设中试平台，培育科技企业") == (1.0, 1.0)
    assert keyword_overlap("人工智能", "乡村振兴") == (0.0, 0.0)
    gold = "今年全市新建中试平台六家并投入使用。我们还组织了一次大型路演活动吸引投资。"
    found = ["据统计，今年全市新建中试平台六家并投入使用。其他内容无关。"]
    share, missed = evidence_findability(gold, found)
    assert share == 0.5 and missed == ["我们还组织了一次大型路演活动吸引投资。"]


GOLD = """示例市科学技术局关于市政协十届二次会议第45号提案答复的函
王某某委员：
您提出的《关于加快中试平台建设的提案》（第45号）收悉。现答复如下：
一、对“加快建设中试平台”建议的回复
2022年，全市建成市级中试平台8家，兑现补助1200万元。
二、对“完善人才政策”建议的回复
我局修订人才计划，新增青年人才专项。
三、下一步工作计划
继续加快建设。
感谢您对我市科技工作的关心和支持。
示例市科学技术局
2023年6月28日
"""


def test_gold_answers_follow_the_per_suggestion_sections() -> None:
    answers = gold_answers(GOLD, ["加快建设中试平台", "完善人才政策"])
    assert answers[0][0] == "加快建设中试平台"
    assert "2022年，全市建成市级中试平台8家，兑现补助1200万元。" in answers[0][1]
    assert answers[1][1][0] == "我局修订人才计划，新增青年人才专项。"


def test_retrieval_finds_the_answer_in_another_document(small_kb: KnowledgeBase) -> None:
    recall, mrr, per = retrieval_scores(small_kb, GOLD, ["加快建设中试平台", "完善人才政策"],
                                        SearchFilters(before="2023-06-27"))
    # The first answer is said by the bureau's earlier notice; nothing in the KB says the second.
    assert per[0].first_relevant_rank == 1 and per[1].first_relevant_rank is None
    assert recall == 0.5 and mrr == 0.5
    excluded = SearchFilters(before="2023-06-27", exclude_doc_ids=[_doc_id(small_kb, "通报")])
    assert retrieval_scores(small_kb, GOLD, ["加快建设中试平台"], excluded)[0] == 0.0


def test_score_draft_and_aggregate(small_kb: KnowledgeBase) -> None:
    good = score_draft(good_draft(small_kb), GOLD, small_kb, rule=RULE, excluded=[], reply_date="2023-06-27")
    bad = score_draft(bad_draft(small_kb), GOLD, small_kb, rule=RULE, excluded=[], reply_date="2023-06-27")
    assert good.values["citation_validity"] == 1.0 and good.values["figure_traceability"] == 1.0
    assert good.values["rouge_l"] is not None and 0 < good.values["rouge_l"] <= 1
    assert bad.details["untraceable_figures"] and bad.details["foreign_sentences"]
    agg = aggregate([good.values, bad.values])
    assert agg["citation_validity"]["mean"] == pytest.approx((1 + 2 / 3) / 2)
    assert agg["citation_validity"]["meets_target"] == 0.5
    assert agg["jurisdiction"]["meets_target"] == 0.5
    assert agg["recall_at_5"]["n"] == 0 and agg["recall_at_5"]["mean"] is None
