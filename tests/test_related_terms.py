"""The related-terms table: a suggestion's words widen its search to the measures that usually answer them."""

import pytest

from assistant.evidence import _related_table, related_terms


@pytest.mark.parametrize(("suggestion", "expected"), [
    ("探索成果形成新机制，邀请企业全程参与科技研发全过程", {"创新联合体", "揭榜挂帅", "链主"}),
    ("打通研究成果的最初一公里和最后一公里，设立成果转化概念验证中心", {"原始创新", "基础研究", "科技金融"}),
    ("加大对港澳科研人员的服务保障", {"子女入学", "人才服务"}),
])
def test_a_suggestion_is_widened_to_the_measures_that_answer_it(suggestion: str, expected: set[str]) -> None:
    assert expected <= set(related_terms(suggestion))


def test_terms_the_suggestion_already_has_are_not_added_again() -> None:
    got = related_terms("建设概念验证中心")
    assert "概念验证" not in got and "验证中心" not in got and "熟化" in got
    assert len(got) == len(set(got))


def test_a_suggestion_of_no_listed_subject_is_not_widened() -> None:
    assert related_terms("加强科普宣传") == []


def test_every_entry_has_keys_and_terms() -> None:
    table = _related_table()
    assert table and all(keys and terms for keys, terms in table)
