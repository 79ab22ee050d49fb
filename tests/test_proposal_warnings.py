"""The reader says where it is unsure, in Chinese, so the clerk checks those places first."""

from __future__ import annotations

from assistant.proposal import load_proposal, parse_proposal
from conftest import SAMPLE_KB

HEAD = "示例市政协十届三次会议第18号提案\n提案人：李某某委员\n案由：关于加强示例市科普工作的提案\n"


def _warned(text: str, *fragments: str) -> list[str]:
    warnings = parse_proposal(text).warnings
    for fragment in fragments:
        assert any(fragment in w for w in warnings), (fragment, warnings)
    return warnings


def test_a_complete_numbered_proposal_has_no_warnings() -> None:
    assert load_proposal(SAMPLE_KB / "proposals" / "proposal_2025_ta088.txt").warnings == []
    assert parse_proposal(HEAD + "建议：\n一是建设科普基地。\n二是培育科普人才。\n").warnings == []


def test_one_numbered_item_only() -> None:
    p = parse_proposal(HEAD + "建议：\n1.建设一批科普基地。\n")
    assert p.suggestions == ["建设一批科普基地"]
    assert any("只识别出一条" in w for w in p.warnings)


def test_no_enumeration_in_the_suggestion_section() -> None:
    _warned(HEAD + "建议：\n将科普经费列入年度预算并逐年增加。\n", "没有编号", "整段作为一条建议")


def test_unnumbered_paragraphs_are_split_and_said_so() -> None:
    _warned(HEAD + "建议：\n将科普经费列入年度预算。\n按标准配齐科普辅导员。\n", "按段落分为 2 条")


def test_request_buried_in_the_body() -> None:
    _warned(HEAD + "我市科普场馆少。因此建议新建一座科技馆。\n", "提出请求的句子", "起止位置")


def test_nothing_that_reads_as_a_request() -> None:
    _warned(HEAD + "示例公园路灯损坏多日，夜间散步的居民很多。\n", "正文最后一段")


def test_very_long_item_is_probably_merged() -> None:
    long_item = "完善科普设施，" * 70 + "逐步提升。"
    warnings = _warned(HEAD + f"建议：\n一是{long_item}\n二是培育科普人才。\n", "第1条建议长达")
    assert not any("第2条建议长达" in w for w in warnings)


def test_item_that_states_a_problem() -> None:
    _warned(HEAD + "建议：\n一是科普经费投入明显不足。\n二是培育科普人才。\n", "第1条“科普经费投入明显不足”读起来像问题")


def test_items_outside_a_suggestion_section() -> None:
    _warned("关于整治示例河的建议\n示例河有异味。\n1、加快截污管网建设。\n2、建立河长巡查制度。\n", "不在“建议”部分内")


def test_missing_header_fields_are_named() -> None:
    warnings = _warned("我市科普场馆少。建议：一是新建科技馆；二是改造少年宫。\n", "未识别出标题、编号、提出人")
    assert len(warnings) == 1
    assert not any("未识别出" in w for w in parse_proposal(HEAD + "建议：一是甲；二是乙。").warnings)


def test_unnumbered_ask_paragraphs_after_a_lead_in_are_split_and_said_so() -> None:
    text = HEAD + "科普场馆少。为此，建议：\n加快建设一批科普基地。\n完善科普人才培养机制。\n"
    assert parse_proposal(text).suggestions == ["加快建设一批科普基地", "完善科普人才培养机制"]
    _warned(text, "没有编号", "按段落分为 2 条")
