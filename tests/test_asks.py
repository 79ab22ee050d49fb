"""The asks of a suggestion a letter passes over are listed in the draft's warnings."""

from __future__ import annotations

import pytest

from assistant.asks import split_asks, unaddressed


@pytest.mark.parametrize(("suggestion", "asks"), [
    # A lead sentence names the item; the asks are what follows it.
    ("降低中小企业算力使用成本。探索发放算力券，支持中小企业使用公共算力平台开展模型训练和应用开发。",
     ["探索发放算力券", "支持中小企业使用公共算力平台开展模型训练和应用开发"]),
    # Three or more in one sentence: the first names the whole.
    ("建立“孵化+投资”联动机制，扩大孵化种子基金规模，引导孵化器对在孵企业开展持股孵化。",
     ["扩大孵化种子基金规模", "引导孵化器对在孵企业开展持股孵化"]),
    ("加快建设联合实验室，推动更多合作平台争创省级国际科技合作基地。",
     ["加快建设联合实验室", "推动更多合作平台争创省级国际科技合作基地"]),
    # One ask is the suggestion itself: its item answers it, or says 【待补充】.
    ("加强科技型企业梯度培育与金融支持联动", []),
    ("在住房、子女入学等方面给予便利", []),  # no clause opens with an act
])
def test_the_asks_of_a_suggestion(suggestion: str, asks: list[str]) -> None:
    assert split_asks(suggestion) == asks


def test_an_ask_no_sentence_speaks_to_is_passed_over() -> None:
    suggestion = "降低中小企业算力使用成本。探索发放算力券，支持中小企业使用公共算力平台开展模型训练和应用开发。"
    said = ["2026年3月，我局起草《促进人工智能应用场景建设若干措施（征求意见稿）》，明确探索发放算力券。"]
    assert unaddressed(suggestion, said) == ["支持中小企业使用公共算力平台开展模型训练和应用开发"]
    assert unaddressed(suggestion, [*said, "我局支持中小企业使用公共算力平台开展模型训练。"]) == []


def test_a_cited_rule_ending_within_the_year_is_pointed_out_once() -> None:
    from assistant.drafting import _expiring
    from assistant.engines.base import Body
    from assistant.models import Item, Section, Sentence, Source

    def source(n: int, title: str, until: str, own: bool = True) -> Source:
        return Source(id=n, doc_id=f"d{n}", chunk_id=f"d{n}-0", title=title, issuer="示例市科学技术局", region="示例省示例市",
                      date="2019-04-01", quote="……", start=0, end=2, own=own, kind="policy", valid_until=until)

    rule = "示例市人民政府办公厅关于印发《示例市科技特派员管理办法》的通知"
    sources = [source(1, rule, "2025-12-31"), source(2, rule, "2025-12-31"), source(3, "《示例市孵化器办法》", "2030-01-01"),
               source(4, "《东川省中试平台行动方案》", "2025-12-31", own=False), source(5, "《示例市未引办法》", "2025-10-01")]
    body = Body(sections=[Section(heading="一、工作开展情况", items=[Item(sentences=[
        Sentence(text="……", citations=[1, 2]), Sentence(text="……", citations=[3, 4])])])], sources=sources)
    assert _expiring(body, "2025-07-08") == ["所引《示例市科技特派员管理办法》有效期至2025年12月，请在下一步工作打算中说明续期或修订安排。"]


def test_a_rule_taken_from_an_older_reply_asks_the_signer_to_confirm_it() -> None:
    from assistant.drafting import _restated_rules
    from assistant.engines.base import Body
    from assistant.models import Item, Section, Sentence, Source
    from assistant.rules.worthiness import Recency

    def reply(n: int, date: str) -> Source:
        return Source(id=n, doc_id=f"r{n}", chunk_id=f"r{n}-0", title="示例市科学技术局关于第12号提案答复的函",
                      issuer="示例市科学技术局", region="示例省示例市", date=date, quote="……", start=0, end=2,
                      kind="reply")

    rule = "按照《示例市科普基地认定管理办法》（示科规〔2021〕3号），对新认定的市级科普基地给予一次性补助10万元。"
    body = Body(sections=[Section(heading="一、工作开展情况", items=[Item(sentences=[
        Sentence(text=rule, citations=[1]), Sentence(text=rule.replace("科普基地认定", "孵化器认定"), citations=[2])])])],
        sources=[reply(1, "2024-07-10"), reply(2, "2026-07-10")])
    # The 2024 reply is past the two-year window of a 2027 letter: confirm; the 2026 one is recent: no notice.
    assert _restated_rules(body, "2027-07-15", Recency(2)) == [
        "《示例市科普基地认定管理办法》的标准引自2024年的答复，知识库中没有该政策原文，请核实仍然有效。"]


def test_a_cited_policy_the_knowledge_base_holds_only_part_of_is_pointed_out() -> None:
    from assistant.drafting import _partial_policies
    from assistant.engines.base import Body
    from assistant.models import Item, Section, Sentence, Source

    def policy(n: int, completeness: str) -> Source:
        return Source(id=n, doc_id=f"p{n}", chunk_id=f"p{n}-0", title=f"关于印发《示例市办法{n}》的通知",
                      issuer="示例市人民政府办公厅", region="示例省示例市", date="2024-04-22", quote="……", start=0, end=2,
                      kind="policy", completeness=completeness)

    body = Body(sections=[Section(heading="一、工作开展情况", items=[Item(sentences=[
        Sentence(text="……", citations=[1, 2, 3])])])],
        sources=[policy(1, "truncated at end (stops in 一（一）)"), policy(2, "whole"), policy(3, ""), policy(4, "节选")])
    assert _partial_policies(body) == ["知识库中的《示例市办法1》只是节选，其余条款未能引用，请对照全文核实各条建议的答复。"]
