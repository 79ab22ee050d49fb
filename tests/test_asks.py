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
