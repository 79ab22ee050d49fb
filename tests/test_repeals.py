"""A rule repealed by the closing article of the one that replaced it is never cited as in force."""

from __future__ import annotations

import pytest

from assistant.drafting import Drafter
from assistant.models import DraftOptions, Proposal
from assistant.repeals import known_repeals
from assistant.rules.flags import FlagCode
from assistant.rules.validity import Repeal, names_repealed, policy_name, repealed_at, repeals_in
from assistant.settings import Settings, make_kb_config
from assistant.verify import verify
from vectorstore.embed import HashingEmbedder
from vectorstore.kb import KnowledgeBase
from vectorstore.types import DocMeta


@pytest.mark.parametrize(("text", "expected"), [
    ("第十二条 本办法自2022年10月1日起施行，有效期至2027年9月30日。《甲市科技创新券管理暂行办法》（甲科规〔2019〕2号）同时废止。",
     [Repeal("甲市科技创新券管理暂行办法", "甲科规〔2019〕2号", "2022-10-01")]),
    ("七、本措施自印发之日起施行。《甲市孵化器管理办法》（甲科委规〔2017〕2号）同时废止。",
     [Repeal("甲市孵化器管理办法", "甲科委规〔2017〕2号", "2022-05-10")]),
    ("本办法自2023年7月1日起施行。《甲市自然科学基金管理办法（试行）》同时废止。",
     [Repeal("甲市自然科学基金管理办法（试行）", "", "2023-07-01")]),
    # A document's note on itself names the rule that repealed it, which is not repealed.
    ("（本办法已由《甲市科技成果转化专项资金管理办法》（甲科规〔2022〕2号）废止，自2022年3月1日起失效。）", []),
    ("【本文件已废止】根据《甲市人才计划实施细则》（甲科规〔2023〕1号），本办法自2023年3月1日起废止。", []),
    ("原办法同时废止。", []),
    ("对认定的市级孵化器给予30万元奖励。", []),
])
def test_the_repeals_a_closing_article_states(text: str, expected: list[Repeal]) -> None:
    assert repeals_in(text, "2022-05-10") == expected


REPEAL = Repeal("甲市科技创新券管理暂行办法", "甲科规〔2019〕2号", "2022-10-01")


def _meta(title: str, number: str = "") -> DocMeta:
    return DocMeta(kind="policy", title=title, doc_number=number, date="2019-05-01")


def test_a_repealed_rule_is_known_by_its_number_or_its_name_from_the_repeal_on() -> None:
    notice = _meta("甲市科学技术局关于印发《甲市科技创新券管理暂行办法》的通知")
    assert repealed_at(notice, [REPEAL], "2024-07-01") == REPEAL
    assert repealed_at(_meta("创新券办法", "甲科规〔2019〕2号"), [REPEAL], "2024-07-01") == REPEAL
    assert repealed_at(notice, [REPEAL], "2022-06-30") is None  # a letter before the repeal may cite it
    assert repealed_at(_meta("甲市科技创新券管理办法"), [REPEAL], "2024-07-01") is None  # its successor
    assert policy_name("关于印发《甲市科技创新券管理暂行办法》的通知") == "甲市科技创新券管理暂行办法"


def test_a_sentence_naming_a_repealed_rule() -> None:
    said = "按照《甲市科技创新券管理暂行办法》（甲科规〔2019〕2号），按服务费用的40%给予补助，最高10万元。"
    assert names_repealed(said, [REPEAL], "2024-07-01") == REPEAL
    assert names_repealed("按照甲科规〔2019〕2号，给予补助。", [REPEAL], "2024-07-01") == REPEAL
    assert names_repealed(said, [REPEAL], "2022-06-30") is None
    assert names_repealed("按照《甲市科技创新券管理办法》，给予补助。", [REPEAL], "2024-07-01") is None


OLD_RULE = """甲市科学技术局关于印发《甲市科技创新券管理暂行办法》的通知
甲科规〔2019〕2号
第一条 为降低中小企业创新成本，制定本办法。
第五条 企业使用科技创新券购买检验检测服务的，按服务费用的40%给予补助，每家企业每年最高10万元。
"""
NEW_RULE = """甲市科学技术局关于印发《甲市科技创新券管理办法》的通知
甲科规〔2022〕3号
第一条 为降低中小企业创新成本，制定本办法。
第五条 企业使用科技创新券购买研发设计服务的，按服务费用的50%给予补助，每家企业每年最高20万元。
第十二条 本办法自2022年10月1日起施行。《甲市科技创新券管理暂行办法》（甲科规〔2019〕2号）同时废止。
"""
REPLY = """甲市科学技术局关于市政协十四届二次会议第21号提案答复的函
一、工作开展情况
我局按照《甲市科技创新券管理暂行办法》（甲科规〔2019〕2号），对企业使用科技创新券购买检验检测服务的，按服务费用的40%给予补助。
2022年，全市发放科技创新券3200万元，服务中小企业860家。
"""
MANIFEST = """file\tkind\tissuer\tregion\tdate\ttitle
old.txt\tpolicy\t甲市科学技术局\t乙省甲市\t2019-05-01\t甲市科学技术局关于印发《甲市科技创新券管理暂行办法》的通知
new.txt\tpolicy\t甲市科学技术局\t乙省甲市\t2022-09-20\t甲市科学技术局关于印发《甲市科技创新券管理办法》的通知
reply.txt\treply\t甲市科学技术局\t乙省甲市\t2022-07-20\t甲市科学技术局关于市政协十四届二次会议第21号提案答复的函
"""


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    root = tmp_path_factory.mktemp("repeals")
    docs = root / "docs"
    docs.mkdir()
    for name, text in (("old.txt", OLD_RULE), ("new.txt", NEW_RULE), ("reply.txt", REPLY)):
        (docs / name).write_text(text, encoding="utf-8")
    (docs / "MANIFEST.tsv").write_text(MANIFEST, encoding="utf-8")
    kb = KnowledgeBase(make_kb_config(root / "kb", embedding_model="hashing"), embedder=HashingEmbedder())
    assert not kb.ingest([docs], manifest=docs / "MANIFEST.tsv").failed
    return kb


def test_the_knowledge_base_knows_what_its_policies_repealed(kb: KnowledgeBase) -> None:
    assert known_repeals(kb) == [Repeal("甲市科技创新券管理暂行办法", "甲科规〔2019〕2号", "2022-10-01")]


def _draft_text(kb: KnowledgeBase, reply_date: str) -> str:
    settings = Settings(_env_file=None, bureau_name="甲市科学技术局", region="乙省甲市")  # type: ignore[call-arg]
    proposal = Proposal(title="关于扩大科技创新券使用范围的提案", number="35",
                        suggestions=["提高科技创新券补助比例，扩大科技创新券的使用范围"])
    draft = Drafter(settings, kb).draft(proposal, DraftOptions(reply_date=reply_date))
    return draft.letter.sections[0].model_dump_json()


def test_a_letter_cites_the_rule_in_force_not_the_one_it_repealed(kb: KnowledgeBase) -> None:
    text = _draft_text(kb, "2023-07-01")
    assert "50%" in text
    assert "40%" not in text and "10万元" not in text  # neither from the old rule nor from the reply naming it


def test_verification_flags_a_sentence_naming_a_repealed_rule(kb: KnowledgeBase) -> None:
    settings = Settings(_env_file=None, bureau_name="甲市科学技术局", region="乙省甲市")  # type: ignore[call-arg]
    proposal = Proposal(title="关于扩大科技创新券使用范围的提案", number="35",
                        suggestions=["提高科技创新券补助比例，扩大科技创新券的使用范围"])
    draft = Drafter(settings, kb).draft(proposal, DraftOptions(reply_date="2023-07-01"))
    sentence = next(s for sec in draft.letter.sections for it in sec.items for s in it.sentences if s.citations)
    sentence.text = "我局按照《甲市科技创新券管理暂行办法》（甲科规〔2019〕2号）给予补助。"
    verify(draft, kb, settings)
    assert FlagCode.REPEALED in {f.code for f in sentence.flags}
