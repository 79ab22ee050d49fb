"""The rulebook, table by table: figures, jurisdiction, validity, tense, letter-worthiness, structure, flags."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from assistant.models import Item, Letter, Section, Sentence
from assistant.rules.figures import figures, normalize, occurs_in, traced
from assistant.rules.flags import Flag, FlagCode, from_legacy
from assistant.rules.jurisdiction import Jurisdiction, name_forms
from assistant.rules.parameters import (
    asked_parameters,
    asks_for_money,
    asks_parameter,
    speaks_of_money,
    states_asked_parameter,
    states_parameter,
)
from assistant.rules.structure import problems
from assistant.rules.tense import classify_tense
from assistant.rules.validity import consultation_window, draft_in_progress, expiring, validity
from assistant.rules.worthiness import Recency, is_generic, sentence_flags, source_flags, stale, text_flags


@dataclass
class Meta:
    issuer: str = ""
    region: str = ""
    kind: str = "news"
    date: str = ""
    status: str = ""
    valid_until: str = ""
    title: str = ""


@pytest.mark.parametrize(("text", "expected"), [
    ("全市认定高新技术企业1,200家，投入2.5亿元", ["1200家", "2.5亿元"]),
    ("服务企业300多家，占比12.5％", ["300余家", "12.5%"]),
    ("序号3规定", []),
    ("2024年新增平台[3]5家", ["2024年", "5家"]),
])
def test_figures_are_found_and_normalised(text: str, expected: list[str]) -> None:
    assert figures(text) == expected


def test_a_figure_is_traced_only_as_a_whole_number() -> None:
    assert occurs_in("12家", "共认定12家")
    assert not occurs_in("12家", "共认定112家")
    assert occurs_in(normalize("1,200万元"), "安排1200万元")
    assert traced("2024年", ["今年新增5家"], ["2024-03-01"])  # 今年 pinned to the source's own year
    assert not traced("2023年", ["今年新增5家"], ["2024-03-01"])


GZ = Jurisdiction("广州市科学技术局", "广东省广州市", former_names=["广州市科技创新委员会"], own_bodies=["中共广州市委"])


@pytest.mark.parametrize(("issuer", "region", "scope"), [
    ("广州市科学技术局", "广东省广州市", "bureau"),
    ("广州市科技创新委员会（现广州市科学技术局）", "广东省广州市", "bureau"),
    ("广州市人民政府办公厅", "广东省广州市", "city"),
    ("广州市番禺区人民政府", "广东省广州市番禺区", "city"),
    ("中共广州市委", "", "city"),
    ("广州市财政局", "", "city"),
    ("广东省科学技术厅", "广东省", "province"),
    ("成都市科学技术局", "四川省成都市", "elsewhere"),
    ("某某日报", "", "elsewhere"),
])
def test_scope_of_a_source(issuer: str, region: str, scope: str) -> None:
    assert GZ.scope(Meta(issuer=issuer, region=region)) == scope
    assert GZ.is_own(Meta(issuer=issuer, region=region)) == (scope in ("bureau", "city"))


def test_name_forms_cover_short_and_former_names() -> None:
    forms = GZ.bureau_forms
    for name in ("广州市科学技术局", "市科技局", "广州市科技局", "市科技创新委员会", "市科创委"):
        assert name in forms
    assert forms == sorted(forms, key=len, reverse=True)
    assert "科技局" not in name_forms("广州市科学技术局", "广州市")  # any city's, so never replaced


@pytest.mark.parametrize(("status", "until", "at", "expected"), [
    ("", "", "2024-07-25", "in_force"),
    ("repealed", "2022-02-22", "2024-07-25", "repealed"),
    ("repealed", "2022-02-22", "2021-06-01", "in_force"),  # a reply before the repeal may cite it
    ("repealed", "", "2024-07-25", "repealed"),
    ("draft", "", "2024-07-25", "draft"),
    ("", "2021-12-31", "2024-07-25", "expired"),
    ("", "2027-04-18", "2025-06-20", "in_force"),
])
def test_validity_at_the_reply_date(status: str, until: str, at: str, expected: str) -> None:
    assert validity(Meta(status=status, valid_until=until), at) == expected


RULE = "按照《示例市科普基地认定管理办法》（示科规〔2021〕3号），对新认定的市级科普基地给予一次性补助10万元。"


@pytest.mark.parametrize(("text", "kind", "date", "standing"), [
    (RULE, "reply", "2024-07-10", True),  # a past reply states a named policy's parameter: a rule, not an event
    (RULE, "reply", "2021-07-10", False),  # too long ago to count on
    ("2024年，对新认定的市级科普基地给予补助共计120万元。", "reply", "2024-07-10", False),  # money paid, no rule
    ("对新认定的市级科普基地给予一次性补助10万元。", "reply", "2024-07-10", False),  # no policy named
    (RULE, "news", "2024-07-10", False),  # a news report's account is no statement of the bureau's rule
    ("设立市级国际和港澳科技合作项目，每项最高支持100万元。", "reply", "2023-07-10", True),  # a programme's cap
    ("2022年共支持合作项目14项，安排经费1260万元。", "reply", "2023-07-10", False),  # a year's money, not a rule
])
def test_a_rule_a_past_reply_states_does_not_age_like_an_event(text: str, kind: str, date: str,
                                                                standing: bool) -> None:
    from assistant.rules.worthiness import stale, standing_rule

    sources = [Meta(kind=kind, date=date)]
    assert standing_rule(text, sources, 2027) is standing
    assert stale(text, sources, 2027) is (not standing)


@pytest.mark.parametrize(("completeness", "part"), [
    ("truncated at end (stops in 一（一）)", True), ("excerpt: the notice plus the opening", True), ("节选", True),
    ("whole", False), ("whole as stored (no title line)", False), ("", False),
])
def test_a_document_held_only_in_part(completeness: str, part: bool) -> None:
    from assistant.rules.validity import partial

    assert partial(completeness) is part


@pytest.mark.parametrize(("status", "until", "at", "soon"), [
    ("", "2025-12-31", "2025-07-08", True),  # in force today, over within the year
    ("", "2028-06-30", "2027-06-26", False),  # a year or more to run
    ("", "", "2025-07-08", False),  # no end recorded
    ("", "2025-06-30", "2025-07-08", False),  # already over: not in force, flagged elsewhere
    ("repealed", "2025-09-01", "2025-07-08", True),  # repealed from a date after the reply: it ends too
])
def test_a_rule_in_force_that_ends_within_the_year(status: str, until: str, at: str, soon: bool) -> None:
    assert expiring(Meta(status=status, valid_until=until), at) is soon


@pytest.mark.parametrize(("sentence", "part", "tense"), [
    ("下一步，我局将加快建设中试平台。", "body", "plan"),
    ("截至2023年底，全市已建成中试平台12家。", "plan", "done"),
    ("我局将中试工程师纳入“启明人才计划”支持范围，2023年有6名入选。", "work", "done"),  # 将 as 把
    ("根据《三年行动计划》，已建成平台5家。", "body", "done"),  # 计划 inside a name
    ("持续推动平台开放共享。", "plan", "plan"),
    ("持续推动平台开放共享。", "work", "done"),
    # A first done and a counted result are work done, in a news report too.
    ("今年首次对科技型中小企业试行后补助“免申即享”，218家企业无需申报即获得补助。", "body", "done"),
    ("力争首次实现国家级平台零的突破。", "body", "plan"),
    ("中试平台和概念验证类资金6200万元，用于中试平台建设补助。", "body", "done"),  # a budget line allocated
    ("修订后的《鹭川市企业研发费用后补助实施细则》正在履行审查程序。", "body", "done"),  # a status under way
    ("鼓励企业加大研发投入。", "body", "neutral"),
])
def test_tense(sentence: str, part: str, tense: str) -> None:
    assert classify_tense(sentence, part) == tense


@pytest.mark.parametrize(("sentence", "tense"), [
    # The city's own counted account in a news report is what was done.
    ("据市科学技术局介绍，首批场景中政府部门开放场景11个、国有企业开放场景8个。", "done"),
    ("我市对每名科技特派员安排工作经费每年2万元。", "done"),
    # A scene or an anecdote in the report is not.
    ("活动现场，3家中试平台与8家中小企业签订中试服务协议。", "neutral"),
    ("这家企业凭着17件发明专利，从银行获得了1200万元贷款。", "neutral"),
    ("全市力争新增高新技术企业100家。", "plan"),
])
def test_tense_in_a_news_report(sentence: str, tense: str) -> None:
    assert classify_tense(sentence, "body", "news") == tense


@pytest.mark.parametrize(("sentence", "code"), [
    ("信息时报讯（记者 张三）11月20日，成果发布会在南沙举行。", FlagCode.NEWS_LEAD),
    ("记者从市科技局获悉，全市技术合同成交额增长。", FlagCode.NEWS_LEAD),
    ("2月26日上午，由市科技局主办的成果转化座谈会在大学城举办。", FlagCode.EVENT),
    ("会议介绍了番禺区推动科技成果转化工作情况。", FlagCode.EVENT),
    ("相关负责人参加了会议。", FlagCode.EVENT),
    ("座谈中，双方围绕概念验证资金投入、中试平台共享等问题深入交流。", FlagCode.EVENT),
    ("王桂林一行赴黄埔区调研新型研发机构。", FlagCode.SPEECH),
    ("副校长兰平表示，学校将促进更多成果落地。", FlagCode.SPEECH),
    ("他建议完善创业者成长链。", FlagCode.SPEECH),
    ("“拿到第一笔投资，比拿到订单还难。”一家初创企业创始人告诉记者，企业获得1500万元投资。", FlagCode.SPEECH),
    ("一家初创企业负责人告诉记者，企业通过子基金获得1500万元投资。", FlagCode.SPEECH),
    ("为深入贯彻党的二十大精神，进一步促进科技成果转化，结合本市实际，制定本措施。", FlagCode.PREAMBLE),
    ("为深入贯彻创新驱动发展战略，进一步提升科技企业孵化器、众创空间的专业化服务能力和孵化绩效，加快培", FlagCode.PREAMBLE),
    ("本办法所称科技成果是指具有实用价值的成果。", FlagCode.DEFINITION),
    ("同一项目已获得其他财政资金支持的，不得重复申报。", FlagCode.DEFINITION),
    ("以此次论坛为契机，推动合作走深走实。", FlagCode.THIS_EVENT),
    ("其中，企业占比超过九成。", FlagCode.THIS_EVENT),
    ("三份榜单提及的三类主体，涵盖了从科学发现到产业发展的科创链条。", FlagCode.THIS_EVENT),
    ("2025年的申报有三个变化：一是新增“青年科技人才”类别；二是单列名额。", FlagCode.THIS_EVENT),
    ("区领导对若干措施提出了意见和建议。", FlagCode.OTHER_BODY),
    ("人民银行广州分行运用再贷款工具支持科技信贷。", FlagCode.OTHER_BODY),
    ("您提出的建议很有价值。", FlagCode.ADDRESSED),
    ("近年来，我市科技成果转化体系逐步形成，整体实力大幅提升。", FlagCode.GENERIC),
    ("成果转化仍然存在堵点。", FlagCode.PROBLEM),
    ("广东省技术转移智能匹配工程技术研究中心揭牌。", FlagCode.EVENT),
    ("《粤港澳大湾区发展规划纲要》明确提出：要发挥澳门与葡语国家的联系优势。", FlagCode.OTHER_BODY),
    ("实施过程中遇到的问题，请径向市科技局反映。", FlagCode.PREAMBLE),
    ("党的十九届五中全会提出，坚持创新在我国现代化建设全局中的核心地位。", FlagCode.PREAMBLE),
    ("（2021年3月18日广东省第十三届人民代表大会常务委员会第三十次会议批准）", FlagCode.PREAMBLE),
    ("广州市第十五届人民代表大会常务委员会公告（第75号）。", FlagCode.PREAMBLE),
    ("同时也要看到，我市研发投入强度与全省平均水平仍有差距。", FlagCode.PROBLEM),
    ("对标先进城市，我们的研发投入强度不够高，中试平台服务能力参差不齐。", FlagCode.PROBLEM),
    ("本指引自印发之日起试行，有效期两年。", FlagCode.DEFINITION),
    ("专项资金每年集中申报一次，实行网上受理、专家评审、结果公示。", FlagCode.DEFINITION),
    ("2024年，全市科技系统迎难而上、真抓实干，交出了一份有分量的答卷。", FlagCode.GENERIC),
    ("2024年，全局上下坚持把党的建设贯穿科技工作全过程，深化模范机关创建。", FlagCode.GENERIC),
    ("2024年，在市委、市政府的坚强领导下，我局加快建设创新平台和孵化载体，全市科技创新工作取得新成效。",
     FlagCode.GENERIC),
    ("2024年，科技金融更加活跃，“科信贷”累计放贷突破百亿元。", FlagCode.GENERIC),
    ("鼓励高校建设概念验证中心，建设主体应具备专业的项目管理团队，并配套不少于100万元的自有验证资金。",
     FlagCode.DEFINITION),
    ("概念验证中心是为上述活动提供资金、场地、专业服务的机构。", FlagCode.THIS_EVENT),
    ("至此，签约仪式圆满结束。", FlagCode.THIS_EVENT),
    ("《技术转移转化报告（2023年）蓝皮书》由我局指导，华南技术转移中心组织编写，省技术市场协会支持发布。", FlagCode.EVENT),
    ("提出概念验证中心是为验证活动提供资金和场地的机构。", FlagCode.DEFINITION),
    ("第一条 本办法适用于本市科技计划项目。", FlagCode.DEFINITION),
    ("我局每年对市级以上孵化载体开展绩效评价，评价结果分为优秀、良好、合格和不合格。", FlagCode.DEFINITION),
])
def test_what_never_goes_in_a_reply(sentence: str, code: FlagCode) -> None:
    assert [f.code for f in text_flags(sentence)][:1] == [code], text_flags(sentence)


@pytest.mark.parametrize("sentence", [
    "2023年，全市市级中试平台共提供中试服务360余次，服务企业210家。",
    "2024年4月，市政府办公厅印发《广州市进一步促进科技成果转移转化若干措施》，提出完善“揭榜挂帅”机制。",
    "我局将中试工程师纳入市“启明人才计划”支持范围，2023年有6名中试工程师入选。",
    "推动开放共享，全部平台在科技资源共享服务平台公开设备清单、服务项目和收费标准。",
    "征集市校院（企）联合资助专题指南建议案。",  # 建议案 is not 议案
    "2024年2月，正式启动广州大学城高校实验室共享平台。",
    "2022年，印发实施《科技创新走廊建设行动方案（2021—2023年）》，进一步细化穗澳协同创新合作。",
    "按照《条例》要求，2023年我局新认定市级中试平台4家。",
    # An article opening on 本市 is a provision, not the policy speaking of itself.
    "第七条 本市中小企业使用市级中试平台服务的，可使用科技创新券抵扣服务费用的50%，每家企业每年最高20万元。",
    "我局将建立技术经纪人分级评价制度。",  # a named 制度 is concrete
    "至此，市自然科学基金联合基金合作方达到13家，累计规模达到1.56亿元。",  # a running total, dated by the letter
    "我局将配合市委人才办优化港澳科研人员来青工作的服务保障。",  # who does it with whom is said
])
def test_reply_sentences_pass(sentence: str) -> None:
    assert text_flags(sentence) == []


def test_a_draft_policy_named_in_the_text_is_flagged() -> None:
    assert FlagCode.DRAFT_POLICY in {f.code for f in text_flags("对《若干措施》（讨论稿）进行了修改完善，促进成果转化5项。")}


def test_generic_needs_something_concrete() -> None:
    assert is_generic("科技创新活力全面激发，经济发展内生动力不断增强。")
    assert not is_generic("设立科技成果转化基金，规模5亿元。")
    assert not is_generic("推进华南技术转移中心建设。")


def test_stale_events_and_cumulative_statements() -> None:
    news = [Meta(kind="news", date="2021-03-01")]
    assert stale("2020年全市技术合同成交额2256亿元。", news, 2024)
    assert not stale("2023年全市技术合同成交额2550亿元。", [Meta(kind="news", date="2024-03-01")], 2024)
    assert not stale("截至2021年底，累计放贷300亿元。", [Meta(kind="news", date="2022-01-10")], 2024)
    assert stale("截至2020年底，累计放贷300亿元。", [Meta(kind="news", date="2021-01-10")], 2024)
    old_policy_in_force = [Meta(kind="policy", date="2019-05-01", valid_until="2029-05-01")]
    assert not stale("对新认定平台给予最高300万元补助。", old_policy_in_force, 2024)
    assert stale("2019年已印发。", [Meta(kind="news", date="2019-05-01")], 2024, Recency(years=2))


def test_source_rules_catch_repealed_draft_and_outdated_plans() -> None:
    repealed = Meta(kind="policy", date="2020-04-30", status="repealed", valid_until="2022-02-22")
    assert FlagCode.REPEALED in {f.code for f in source_flags("明确对登记成果给予奖励。", [repealed], "2024-07-25")}
    assert source_flags("明确对登记成果给予奖励。", [repealed], "2021-06-01") == []
    draft = Meta(kind="policy", date="2024-02-01", status="draft")
    assert FlagCode.DRAFT_POLICY in {f.code for f in source_flags("给予最高30万元奖励。", [draft], "2024-07-25")}
    last_year_plan = Meta(kind="plan", date="2023-02-01", title="2023年工作要点")
    assert FlagCode.PAST_IN_PLAN in {f.code for f in source_flags("我局将推进平台建设。", [last_year_plan], "2024-07-25", "plan")}
    this_year_plan = Meta(kind="plan", date="2023-12-20", title="2024年工作要点")
    assert source_flags("我局将推进平台建设。", [this_year_plan], "2024-07-25", "plan") == []
    old_reply = Meta(kind="reply", date="2022-06-01")
    assert source_flags("我局将力争到2025年底建成中试平台20家。", [old_reply], "2025-06-20", "plan") == []
    assert source_flags("我局将力争2023年建成中试平台10家。", [old_reply], "2024-06-20", "plan")


def test_past_facts_do_not_go_under_next_steps() -> None:
    codes = {f.code for f in sentence_flags("截至2023年底，已建成中试平台12家。", [Meta(date="2024-01-01")], "2024-07-25", "plan")}
    assert FlagCode.PAST_IN_PLAN in codes


def test_flags_keep_codes_and_read_old_strings() -> None:
    assert from_legacy("数字“12家”在引用原文中找不到").code == FlagCode.FIGURE_UNTRACED
    assert from_legacy("引用[9]不存在").code == FlagCode.CITATION_UNKNOWN
    assert from_legacy("引用[9]与原文不一致").code == FlagCode.QUOTE_CHANGED
    assert from_legacy("随便什么").code == FlagCode.OTHER
    sentence = Sentence.model_validate({"text": "x", "flags": ["缺少本地依据", {"code": "stale", "message": "旧"}]})
    assert [f.code for f in sentence.flags] == [FlagCode.MISSING_EVIDENCE, FlagCode.STALE]
    assert str(Flag(code=FlagCode.GENERIC, message="空泛")) == "空泛"


def _letter(sections: list[Section], opening: str = "您提出的提案收悉。") -> Letter:
    return Letter(title="标题", salutation="某委员：", opening=opening, sections=sections, closing="感谢。",
                  signature="某局", date="2024年7月1日")


def _section(heading: str, role: str) -> Section:
    return Section(heading=heading, role=role, items=[Item(sentences=[Sentence(text="句子。")])])  # type: ignore[arg-type]


def test_structure_parts_and_order() -> None:
    good = _letter([_section("一、工作开展情况", "work"), _section("二、下一步工作打算", "plan")])
    assert problems(good) == []
    swapped = _letter([_section("一、下一步工作打算", "plan"), _section("二、工作开展情况", "work")])
    assert [p.part for p in problems(swapped)] == ["plan"]
    no_plan = _letter([_section("一、工作开展情况", "work")], opening="现答复如下。")
    assert [p.part for p in problems(no_plan)] == ["opening", "plan"]
    per_suggestion = _letter([_section("一、对“加大投入”建议的回复", "suggestion"), _section("二、下一步工作计划", "plan")])
    assert problems(per_suggestion) == []


@pytest.mark.parametrize(("suggestion", "asks"), [
    ("适当提高中试平台运营补助和概念验证项目资助标准", True),
    ("扩大科技创新券的使用范围", True),
    ("加强农业科技成果转化平台建设", False),
])
def test_an_ask_to_change_a_parameter(suggestion: str, asks: bool) -> None:
    assert asks_parameter(suggestion) is asks


@pytest.mark.parametrize(("sentence", "states"), [
    ("对运营良好的市级中试平台，按其上年度对外服务收入的20%给予运营补助，每家每年最高100万元。", True),
    ("对认定的市级概念验证中心给予补助，最高200万元。", True),
    ("单个项目资助不超过50万元。", True),
    ("2024年，全市市级中试平台累计达到11家。", False),
    # A fixed amount each is a parameter too; money paid out is a result.
    ("对新认定的市级科技企业孵化器，一次性奖励30万元，其中属于专业孵化器的，奖励60万元。", True),
    ("对认定的市级国际（港澳）联合实验室给予50万元建设补助。", True),
    ("2024年，7家孵化器绩效评价优秀，兑现运营补助300万元。", False),
    ("2026年支持合作项目21项，安排经费1900万元。", False),
    ("青年项目资助数量原则上不低于当年市基金资助项目总数的40%。", True),  # a quota is a parameter too
    ("设立市级国际和港澳科技合作项目，每项最高支持100万元。", True),
    ("2026年，全社会研发投入强度达到2.4%。", False),
])
def test_a_sentence_stating_a_parameter(sentence: str, states: bool) -> None:
    assert states_parameter(sentence) is states


@pytest.mark.parametrize(("sentence", "money"), [
    ("2026年支持合作项目21项，安排经费1900万元。", True),
    ("立项支持概念验证项目37项，资助资金1150万元。", True),
    ("对认定的市级概念验证中心给予补助，最高200万元。", True),
    ("2024年，全市市级中试平台累计达到11家，服务收入1.26亿元。", False),  # revenue is no money given
    ("截至2024年底，全市技术合同成交额达到163.2亿元。", False),
])
def test_a_sentence_speaking_of_money_given(sentence: str, money: bool) -> None:
    assert speaks_of_money(sentence) is money


@pytest.mark.parametrize(("suggestion", "money"), [
    ("加大资金支持力度。适当提高中试平台运营补助标准。", True),
    ("设立国际和港澳科技合作专项资金，稳定支持联合攻关。", True),
    ("提高科技创新券额度并扩大使用范围。", True),
    ("优化中试平台布局，推动每条产业链至少建设1家专业化中试平台。", False),
    ("加大对联合实验室的建设和运行支持。", False),  # support of any kind, not money named
])
def test_a_suggestion_asking_for_money(suggestion: str, money: bool) -> None:
    assert asks_for_money(suggestion) is money


def test_a_consultation_draft_may_be_said_to_be_out_for_comment_and_nothing_more() -> None:
    draft = Meta(kind="policy", date="2026-03-20", status="draft", title="鹭川市促进人工智能应用场景建设若干措施（征求意见稿）")
    notice = draft_in_progress(draft.title, draft.date)
    assert notice == "2026年3月，我局起草《鹭川市促进人工智能应用场景建设若干措施（征求意见稿）》，并公开征求意见。"
    quote = "为加快场景开放，我局起草了《鹭川市促进人工智能应用场景建设若干措施（征求意见稿）》，现向社会公开征求意见。"
    assert sentence_flags(notice, [draft], "2026-07-10", quotes=[quote]) == []
    # Its provisions stay a draft's: never stated as a measure in force.
    provision = "按实际算力费用的30%给予补贴，每家企业每年最高50万元。"
    assert FlagCode.DRAFT_POLICY in {f.code for f in sentence_flags(provision, [draft], "2026-07-10")}
    assert FlagCode.DRAFT_POLICY in {f.code for f in text_flags("我局印发《若干措施（征求意见稿）》，给予补贴。")}
    # A title without the marker gets it: the letter never names a draft as if adopted.
    assert "（征求意见稿）》" in draft_in_progress("鹭川市促进人工智能应用场景建设若干措施", "2026-03-20")
    # The window the notice gives is said too; its words to the public do not make the sentence addressed.
    noticed = quote + "公众可于2026年3月20日至2026年4月19日，通过电子邮件反馈意见（联系电话：0000-7312218）。"
    window = consultation_window(noticed)
    assert window == "2026年3月20日至4月19日"
    timed = draft_in_progress(draft.title, draft.date, window)
    assert timed.endswith("》，并于2026年3月20日至4月19日公开征求意见。")
    assert sentence_flags(timed, [draft], "2026-07-10", quotes=[noticed]) == []
    assert consultation_window("现向社会公开征求意见。") == ""


def test_a_plan_may_say_a_consultation_draft_is_to_be_finished_and_issued() -> None:
    from assistant.rules.validity import draft_to_finish

    draft = Meta(kind="policy", date="2026-03-20", status="draft", title="鹭川市促进人工智能应用场景建设若干措施（征求意见稿）")
    speech = Meta(kind="plan", date="2026-02-25", title="2026年全市科技工作会议讲话")
    act = draft_to_finish(draft.title)
    assert act == "抓紧修改完善征求意见稿，按程序出台《鹭川市促进人工智能应用场景建设若干措施》"
    plan = f"下一步，我局将{act}，发布第三批人工智能应用场景不少于40个。"
    assert sentence_flags(plan, [speech, draft], "2026-07-10", role="plan") == []
    # Said as adopted, the draft's name is still a draft cited as in force.
    adopted = "下一步，我局将落实《鹭川市促进人工智能应用场景建设若干措施（征求意见稿）》。"
    assert FlagCode.DRAFT_POLICY in {f.code for f in sentence_flags(adopted, [speech, draft], "2026-07-10", role="plan")}


def test_a_policy_in_force_on_the_reply_date_is_not_stale_though_it_ends_before_the_year_does() -> None:
    # 有效期至2027年9月30日: in force in a July 2027 letter, not in a November one.
    policy = [Meta(kind="policy", date="2022-08-26", valid_until="2027-09-30")]
    text = "对企业使用平台仪器的，按实际支付服务费用的50%予以抵扣，每家企业每年最高20万元。"
    assert not stale(text, policy, 2027, Recency(), "2027-07-15")
    assert stale(text, policy, 2027, Recency(), "2027-11-15")


def test_amounts_are_figures_that_measure_not_dates() -> None:
    from assistant.rules.figures import amounts

    assert amounts("2024年4月22日，新认定47家，资助5万元，占比20%。") == ["47家", "5万元", "20%"]


def test_what_each_part_of_a_parameter_ask_pays_for() -> None:
    assert asked_parameters("适当提高中试平台运营补助和概念验证项目资助标准") == [("运营", "补助"), ("项目", "资助")]
    assert asked_parameters("加强农业科技成果转化平台建设") == []


@pytest.mark.parametrize(("sentence", "states"), [
    ("对运营良好的市级中试平台，按其上年度对外服务收入的20%给予运营补助，每家每年最高100万元。", True),
    ("对市级概念验证中心组织实施的概念验证项目，按项目实际支出的50%给予资助，单个项目最高50万元。", True),
    # Another parameter of the same programme is not the one asked about,
    ("对认定的市级概念验证中心按建设投入的30%给予补助，最高200万元。", False),
    # nor is one whose policy's name happens to hold the words.
    ("按照《澄江市中试平台建设与运营管理办法》，对新认定的市级中试平台按设备投入的30%给予建设补助，最高500万元。", False),
    # and a figure that is not a parameter states none.
    ("2024年，全市中试平台运营补助资金达到800万元。", False),
])
def test_a_sentence_stating_the_very_parameter_asked_about(sentence: str, states: bool) -> None:
    asked = asked_parameters("适当提高中试平台运营补助和概念验证项目资助标准")
    assert states_asked_parameter(sentence, asked) is states
