"""Item headings are whole phrases: the short opening sentence, a means joined to its action, or an action clause."""

from __future__ import annotations

import pytest

from assistant.headings import item_heading, quoted_suggestion


@pytest.mark.parametrize(("suggestion", "heading"), [
    ("探索成果形成新机制，邀请企业全程参与科技研发全过程", "探索成果形成新机制，邀请企业全程参与科技研发全过程"),
    ("通过开放共享，建设成果中试和熟化基地", "通过开放共享建设成果中试和熟化基地"),
    ("整合创新资源，全要素加速成果转化服务", "整合创新资源，全要素加速成果转化服务"),
    ("一是建议市科技局要加大中试平台支持力度。对新建平台给予补助。", "加大中试平台支持力度"),
    ("扩大科技特派员选派规模，推动科技特派员服务从种养环节向加工、销售等全产业链延伸，更多以团队形式开展服务。",
     "扩大科技特派员选派规模"),
    ("为进一步激发创新活力，完善科技成果转化收益分配机制，提高科研人员奖励比例", "完善科技成果转化收益分配机制"),
])
def test_headings_are_whole_phrases(suggestion: str, heading: str) -> None:
    assert item_heading(suggestion) == heading


def test_a_long_suggestion_is_quoted_by_its_heading() -> None:
    long = "扩大科技特派员选派规模，推动科技特派员服务从种养环节向加工、销售等全产业链延伸，更多以团队形式开展服务。"
    assert quoted_suggestion(long) == "扩大科技特派员选派规模"
    assert quoted_suggestion("建立“验证—中试—投资”衔接机制。") == "建立‘验证—中试—投资’衔接机制"


def test_a_suggestion_of_two_asks_keeps_both() -> None:
    s = "打通研究成果的最初一公里和最后一公里，设立成果转化概念验证中心"
    assert item_heading(s) == s


def test_a_colon_ends_the_heading() -> None:
    assert item_heading("加大支持力度：对新建平台给予补助100万元") == "加大支持力度"
