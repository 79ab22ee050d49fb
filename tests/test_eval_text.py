"""The text measures behind the metrics: LCS / ROUGE-L, bigrams, figures, keywords."""

from __future__ import annotations

import random
import time

import pytest

from eval.text import (
    bigram_jaccard,
    content,
    figure_in,
    figures,
    keywords,
    lcs_length,
    lcs_length_dp,
    rouge_l,
    strip_markers,
    unigram_f1_bound,
)


def test_lcs_of_the_textbook_pair_is_4() -> None:
    assert lcs_length("ABCBDAB", "BDCABA") == 4
    assert lcs_length_dp("ABCBDAB", "BDCABA") == 4
    assert lcs_length("", "ABC") == 0
    assert lcs_length("ABC", "ABC") == 3
    assert lcs_length("中试平台建设", "建设中试平台") == 4


def test_bit_parallel_lcs_agrees_with_the_table() -> None:
    rng = random.Random(7)
    for _ in range(400):
        a = "".join(rng.choice("甲乙丙丁AB") for _ in range(rng.randint(0, 40)))
        b = "".join(rng.choice("甲乙丙丁AB") for _ in range(rng.randint(0, 40)))
        assert lcs_length(a, b) == lcs_length_dp(a, b), (a, b)


def test_lcs_is_fast_enough_for_whole_letters() -> None:
    rng = random.Random(1)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 600)]
    a = "".join(rng.choice(alphabet) for _ in range(3000))
    b = "".join(rng.choice(alphabet) for _ in range(3000))
    started = time.perf_counter()
    lcs_length(a, b)
    assert time.perf_counter() - started < 1.0


def test_rouge_l_f1_of_known_strings() -> None:
    # LCS 4, precision 4/7, recall 4/6 → F1 = 8/13
    assert rouge_l("ABCBDAB", "BDCABA") == pytest.approx(8 / 13)
    assert rouge_l("相同的句子。", "相同的句子") == 1.0  # punctuation is not content
    assert rouge_l("甲乙丙[1]", "甲乙丙") == 1.0  # nor are citation markers
    assert rouge_l("", "甲") == 0.0
    assert unigram_f1_bound("ABCBDAB", "BDCABA") >= rouge_l("ABCBDAB", "BDCABA")


def test_markers_and_content() -> None:
    assert strip_markers("建成中试平台6家。[1][2]") == "建成中试平台6家。"
    assert strip_markers("见前文[3，4]") == "见前文"
    assert content("（一）建成 6家，共 88.5%。") == "一建成6家共88.5%"


def test_bigram_jaccard() -> None:
    assert bigram_jaccard("甲乙丙", "甲乙丙") == 1.0
    assert bigram_jaccard("甲乙丙", "丁戊己") == 0.0
    assert bigram_jaccard("甲乙丙", "乙丙丁") == pytest.approx(1 / 3)


def test_figures_are_numbers_with_units() -> None:
    text = "2023年，全市82家企业获得贷款超7亿元，兑现1,200万元，服务300多家、360余次，占88.32%，第114号提案。"
    assert figures(text) == ["2023年", "82家", "7亿元", "1200万元", "300余家", "360余次", "88.32%"]


def test_a_figure_must_not_be_the_tail_of_a_longer_number() -> None:
    assert figure_in("6家", "建成中试平台6家")
    assert not figure_in("6家", "建成中试平台16家")
    assert not figure_in("6家", "建成中试平台2.6家")
    assert figure_in("1200万", "兑现1,200万元")
    assert figure_in("300余家", "服务300多家企业")


def test_keywords_drop_stopwords_and_numbers() -> None:
    kws = keywords("我局积极推进中试平台建设，建成中试平台6家，2023年")
    assert "中试平台" in kws
    assert "积极" not in kws and "推进" not in kws
    assert not any(k.isdigit() for k in kws)
