"""Evidence for an ask to change a parameter: sentences stating today's parameter rank higher."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.engines.compose.select import MIN_RELEVANCE
from assistant.evidence import PARAMETER_BONUS, gather
from assistant.models import DraftOptions, Proposal
from assistant.rules.jurisdiction import Jurisdiction
from vectorstore.kb import KnowledgeBase

POLICY = ("示例市中试平台建设与运营管理办法\n"
          "第六条 对运营良好的市级中试平台，按其上年度对外服务收入的20%给予运营补助，每家每年最高100万元。\n"
          "第七条 市级中试平台运营补助资金由市财政统筹安排，专项用于中试平台运营服务。\n")


def _ingest(kb: KnowledgeBase, folder: Path, docs: list[tuple[str, str, str, str, str]]) -> None:
    """Store (file, kind, date, title, text) documents of 示例市科学技术局 with their manifest."""
    folder.mkdir()
    rows = ["file\tkind\tissuer\tregion\tdate\tproposal_number\ttitle\tsource"]
    for file, kind, date, title, text in docs:
        (folder / file).write_text(text, encoding="utf-8")
        rows.append(f"{file}\t{kind}\t示例市科学技术局\t示例省示例市\t{date}\t\t{title}\ttest")
    (folder / "MANIFEST.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert not kb.ingest([folder], manifest=folder / "MANIFEST.tsv").failed


def _scores(kb: KnowledgeBase, suggestion: str) -> dict[str, float]:
    options = DraftOptions(bureau_name="示例市科学技术局", region="示例省示例市", reply_date="2025-07-01")
    evidence = gather(kb, Proposal(title="关于加大中试平台支持力度的提案", suggestions=[suggestion]), options,
                      Jurisdiction("示例市科学技术局", "示例省示例市"))
    return {c.text[:4]: c.score for c in evidence.own}


def test_a_parameter_ask_ranks_the_sentence_stating_the_parameter(kb: KnowledgeBase, tmp_path: Path) -> None:
    _ingest(kb, tmp_path / "docs", [("policy.txt", "policy", "2024-03-01", "示例市中试平台建设与运营管理办法", POLICY)])
    asked = _scores(kb, "适当提高中试平台运营补助标准")
    plain = _scores(kb, "完善中试平台运营补助管理")
    stated, other = "对运营良", "市级中试"
    assert {stated, other} <= asked.keys() and {stated, other} <= plain.keys()
    # The ask lifts the sentence that states the parameter, not the one that merely shares its words.
    assert asked[stated] - plain[stated] > asked[other] - plain[other] + PARAMETER_BONUS / 2


def test_the_lead_sentence_of_a_suggestion_names_what_is_asked() -> None:
    """加大研发费用后补助力度。适当提高…比例，简化申报流程…: the words of the opening sentence weigh more than
    those that explain it, so a sentence on 后补助 is not diluted by everything the explanation names."""
    from assistant.evidence import lead_sentence, term_weights

    ask = "提高科技创新券额度并扩大使用范围。适当提高单家企业的创新券年度最高额度，将中试验证等服务纳入支持范围。"
    assert lead_sentence(ask) == "提高科技创新券额度并扩大使用范围"
    assert lead_sentence("提高科技创新券额度并扩大使用范围") == ""
    flat = term_weights(ask, set())
    led = term_weights(ask, set(), heading=lead_sentence(ask))
    assert led["科技创新券"] / led["试验"] > flat["科技创新券"] / flat["试验"]


def test_aims_degrees_and_single_characters_weigh_nothing_special() -> None:
    """高水平, 争创 and the 更/多 of 更多 are rare words of every ask; the subject is what it asks about."""
    from assistant.evidence import term_weights

    weights = term_weights("加快建设一批高水平国际联合实验室，推动更多合作平台争创省级国际科技合作基地", set())
    assert not any(len(t) < 2 for t in weights)
    assert weights["高水平"] < weights["实验室"] and weights["争创"] < weights["基地"]


def test_the_short_form_a_suggestion_goes_on_to_use_is_its_subject_too() -> None:
    from assistant.evidence import subject_terms

    subject = subject_terms("提高科技创新券额度并扩大使用范围。适当提高单家企业的创新券年度最高额度。", set())
    assert {"科技创新券", "创新券"} <= subject
    assert "年度" not in subject  # words of the explanation stay out


@pytest.mark.parametrize(("suggestion", "names"), [
    ("提升示例科技大市场服务功能，推动线上线下融合", ["示例科技大市场服务功能", "示例科技大市场服务", "示例科技大市场"]),
    ("支持示例市企业开展研发", []),  # the city itself is no named thing of it
    ("加强科技大市场建设", []),  # without the city's name a common phrase is no name
])
def test_the_city_s_own_named_things_in_a_suggestion(suggestion: str, names: list[str]) -> None:
    from assistant.evidence import local_names

    assert local_names(suggestion, "示例市") == names


def test_a_sentence_naming_the_city_s_platform_the_suggestion_names_is_on_its_subject(kb: KnowledgeBase,
                                                                                      tmp_path: Path) -> None:
    """示例科技大市场 is made of common words (示例, 科技, 市场): named whole, it is what the ask is about."""
    summary = ("示例市科学技术局2024年工作总结\n一、2024年工作总结\n"
               "示例科技大市场线上平台累计发布科技成果3800余项、技术需求1100余项。\n")
    # The words of the name are everywhere in a bureau's archive; what else the ask says (功能, 常态, 融合) is rare.
    news = "".join(f"示例市第{n}场科技服务市场对接活动举办，示例科技企业{n * 3}家参加，推动示例市场主体融合发展。\n"
                   for n in range(1, 30)) + "示例市推动产学研常态化对接，完善科技服务功能。\n"
    _ingest(kb, tmp_path / "docs", [("summary.txt", "summary", "2025-01-20", "示例市科学技术局2024年工作总结", summary),
                                    ("news.txt", "news", "2024-10-20", "示例市科技服务市场对接活动", news)])
    scores = _scores(kb, "提升示例科技大市场服务功能，推动线上线下融合，建立与高校院所的常态化对接机制")
    # Above the floor a sentence must clear to be written, and above the reports that only share its words.
    assert scores["示例科技"] >= MIN_RELEVANCE["work"] and scores["示例科技"] > scores["示例市第"]


def test_a_provision_is_about_what_its_policy_is_titled_for(kb: KnowledgeBase, tmp_path: Path) -> None:
    """第七条 对按期还本付息的企业…给予贴息 does not say 知识产权质押 again; its policy's title does."""
    clause = "对按期还本付息的企业，按其实际支付贷款利息的50%给予贴息，每家企业每年最高30万元。\n"
    title = "示例市知识产权质押融资风险补偿资金管理办法"
    _ingest(kb, tmp_path / "docs", [("policy.txt", "policy", "2024-03-01", title, f"{title}\n第七条　{clause}"),
                                    ("news.txt", "news", "2024-05-01", "示例市举办银企对接会", "示例市举办银企对接会\n" + clause)])
    options = DraftOptions(bureau_name="示例市科学技术局", region="示例省示例市", reply_date="2025-07-01")
    evidence = gather(kb, Proposal(title="关于缓解科技企业融资难的提案",
                                   suggestions=["拓宽知识产权质押融资渠道，扩大风险补偿资金池规模"]), options,
                      Jurisdiction("示例市科学技术局", "示例省示例市"))
    by_kind = {c.meta.kind: c.score for c in evidence.own if "贴息" in c.text}
    assert by_kind.get("policy", 0.0) >= MIN_RELEVANCE["work"]
    assert by_kind.get("policy", 0.0) > by_kind.get("news", 0.0)
