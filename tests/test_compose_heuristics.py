"""The Compose engine's heuristics, table by table: safe rewrites and the choice of sentences.

These run on hand-made candidates (no knowledge base), so each rule is seen to hold or break on its own.
"""

from __future__ import annotations

import pytest

from assistant.engines.compose.rewrite import (
    Writer,
    event_act,
    finish,
    looking_back,
    pin_dates,
    policy_verb,
    unlabel,
    unwrap_attribution,
)
from assistant.engines.compose.select import (
    Chooser,
    measure_keys,
    measure_values,
    procedural,
    same_measure,
    similar,
    split_acts,
    superseded,
)
from assistant.evidence import Candidate, event_host, reports_completed
from assistant.models import DraftOptions
from assistant.rules.jurisdiction import Jurisdiction
from assistant.rules.validity import policy_name
from assistant.rules.worthiness import Recency
from vectorstore.types import DocMeta

GZ = Jurisdiction("广州市科学技术局", "广东省广州市")
OPTS = DraftOptions(bureau_name="广州市科学技术局", bureau_short="我局", region="广东省广州市", city_short="我市",
                    reply_date="2024-07-25")


def cand(text: str, *, kind: str = "news", date: str = "2024-03-01", tense: str = "done", part: str = "body",
         specific: bool = True, score: float = 0.5, idx: int = 0, start: int = 0, doc: str = "d1",
         title: str = "", issuer: str = "广州市科学技术局", host: str = "", scope: str = "bureau") -> Candidate:
    return Candidate(doc_id=doc, chunk_id=f"{doc}-0", start=start, end=start + len(text), quote=text, text=text,
                     meta=DocMeta(kind=kind, date=date, title=title, issuer=issuer, region="广东省广州市"),  # type: ignore[arg-type]
                     part=part, tense=tense, scope=scope, own=True, score=score, suggestion_index=idx,  # type: ignore[arg-type]
                     specific=specific, host=host)


@pytest.mark.parametrize(("text", "doc_date", "expected"), [
    ("今年新增5家", "2023-05-01", "2023年新增5家"),
    ("去年投入2亿元", "2023-05-01", "2022年投入2亿元"),
    ("目前，已建成8家平台", "2023-05-01", "2023年5月，已建成8家平台"),
    ("近日，我局印发通知", "2023-05-01", "2023年5月，我局印发通知"),
    ("4月22日，市政府印发措施", "2023-05-01", "2023年4月22日，市政府印发措施"),
    ("今年新增5家", "2024-05-01", "2024年新增5家"),  # the year itself, also in a letter of the same year
    ("今年以来新增5家", "2024-05-01", "2024年以来新增5家"),  # still running in the reply's year
    # In an earlier year's mid-year report the acts were that year's, the count reached that month's.
    ("今年以来，母基金优化了遴选办法，已有12家企业获得贷款", "2023-07-16",
     "2023年，母基金优化了遴选办法，截至2023年7月，已有12家企业获得贷款"),
    ("至此，合作方达到13家", "2024-04-21", "截至2024年4月，合作方达到13家"),  # as of the report, any year
    ("去年9月发布第二批35个场景", "2024-02-25", "2023年9月发布第二批35个场景"),  # absolute, even in the same year
    # A status under way was so when reported, even earlier in the reply's year.
    ("修订后的《细则》正在履行审查程序", "2024-04-15", "截至2024年4月，修订后的《细则》正在履行审查程序"),
])
def test_relative_dates_are_pinned_to_the_source_year(text: str, doc_date: str, expected: str) -> None:
    assert pin_dates(text, doc_date, "2024-07-25") == expected


@pytest.mark.parametrize(("text", "doc_date", "expected"), [
    ("这一年，全市新增高企500家", "2024-02-19", "2023年，全市新增高企500家"),
    ("这一年，全市新增高企500家", "2023-09-01", "2023年，全市新增高企500家"),
    ("这一年的目标", "2024-02-19", "这一年的目标"),
])
def test_a_year_in_review_is_the_year_before_an_early_report(text: str, doc_date: str, expected: str) -> None:
    assert looking_back(text, doc_date) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("据介绍，全市共建成中试平台12家。", "全市共建成中试平台12家。"),
    ("记者从市科技局获悉，全市共建成中试平台12家。", "全市共建成中试平台12家。"),
    ("市科技局局长王某介绍，全市共建成中试平台12家。", "全市共建成中试平台12家。"),
    ("市科技局局长王某表示，要加快建设中试平台。", "市科技局局长王某表示，要加快建设中试平台。"),  # no figure: a view, kept
    # Another body's account stays attributed (and is then no sentence of the bureau's).
    ("鹭川大学有关负责人介绍，重点实验室现有研究人员56名。", "鹭川大学有关负责人介绍，重点实验室现有研究人员56名。"),
])
def test_attributions_are_dropped_only_in_front_of_a_fact(text: str, expected: str) -> None:
    assert unwrap_attribution(text) == expected


@pytest.mark.parametrize(("text", "host", "expected"), [
    ("会议正式启动广州大学城高校实验室共享平台，促进校企共享，校地共赢。", "",
     "2024年2月，正式启动广州大学城高校实验室共享平台，"),
    ("会议正式启动广州大学城高校实验室共享平台，促进校企共享，校地共赢。", "市科技局和番禺区共同",
     "2024年2月，市科技局和番禺区共同启动广州大学城高校实验室共享平台，"),
    ("会上，发布首批中试平台名单，共8家平台入选。", "市科技局",
     "2024年2月，市科技局发布首批中试平台名单，共8家平台入选。"),
    ("全市共建成中试平台12家。", "市科技局", "全市共建成中试平台12家。"),  # not a reported act: unchanged
])
def test_a_launch_reported_by_a_meeting_becomes_its_hosts_act(text: str, host: str, expected: str) -> None:
    assert event_act(text, "2024-02-26", host) == expected
    assert finish(event_act(text, "2024-02-26", host)).endswith("。")


@pytest.mark.parametrize(("before", "expected"), [
    ("2月26日上午，由广州市科技局和番禺区委、区政府共同主办的座谈会在大学城举办。", "广州市科技局和番禺区委、区政府共同"),
    ("由市科技局主办的创新大赛决赛举行。", "市科技局"),
    ("座谈会在大学城举办。", ""),
])
def test_the_host_is_read_from_the_report(before: str, expected: str) -> None:
    assert event_host(before) == expected


def test_the_meeting_host_becomes_we_in_the_letter() -> None:
    c = cand("会议正式启动广州大学城高校实验室共享平台，促进校企共享。", host="广州市科学技术局和番禺区共同",
             date="2024-02-26")
    assert Writer(OPTS, GZ).work(c) == "2024年2月，我局和番禺区共同启动广州大学城高校实验室共享平台。"


@pytest.mark.parametrize(("title", "issuer", "expected"), [
    ("广州市人民政府办公厅关于印发广州市进一步促进科技成果转移转化若干措施的通知（穗府办〔2024〕7号）",
     "广州市人民政府办公厅", "广州市进一步促进科技成果转移转化若干措施"),
    ("关于印发《示例市中试平台建设管理办法》的通知", "示例市科学技术局", "示例市中试平台建设管理办法"),
    ("示例市科学技术局关于加快科技金融发展的意见", "示例市科学技术局", "关于加快科技金融发展的意见"),
    ("鹭川市人民政府办公室关于印发鹭川市企业研发费用后补助实施细则的通知（鹭政办规〔2018〕6号）", "",
     "鹭川市企业研发费用后补助实施细则"),  # the issuer unknown: still the name inside the notice's frame
])
def test_policy_names_are_what_a_letter_quotes(title: str, issuer: str, expected: str) -> None:
    assert policy_name(title, issuer) == expected


def test_a_policy_provision_is_cited_by_what_the_policy_does() -> None:
    c = cand("支持链主企业牵头组建创新联合体。", kind="policy", date="2024-04-22", issuer="广州市人民政府办公厅",
             title="广州市人民政府办公厅关于印发广州市进一步促进科技成果转移转化若干措施的通知", scope="city")
    writer = Writer(OPTS, GZ)
    first = writer.work(c, commit=True)
    assert first == "2024年4月，市政府办公厅印发《广州市进一步促进科技成果转移转化若干措施》，明确支持链主企业牵头组建创新联合体。"
    assert writer.work(c).startswith("《广州市进一步促进科技成果转移转化若干措施》明确")  # named once


@pytest.mark.parametrize(("a", "b", "same"), [
    ("全市认定中试平台12家。", "2024年，全市认定中试平台12家。", True),
    ("全市认定中试平台12家。", "全市发放创新券12家。", False),
    ("合作银行达到14家。", "合作银行达到14家，放贷300亿元。", True),
    ("全市市级重点实验室达到79家。", "新认定市级重点实验室8家，总数达到79家。", True),
    ("认定首批市级概念验证中心4家。", "新认定市级中试平台4家以上。", False),
])
def test_the_same_measure_is_not_said_twice(a: str, b: str, same: bool) -> None:
    assert same_measure(a, b) is same


def test_a_plan_to_change_a_parameter_is_not_the_parameter_said_again() -> None:
    now = "按其研发费用总额的5%给予后补助，单个企业每年最高20万元。"
    plan = "我局将修订细则，将科技型中小企业后补助比例由5%提高到8%，单个企业最高补助由20万元提高到30万元。"
    assert not same_measure(plan, now)


def test_a_total_given_after_a_batch_is_the_same_measure_said_again() -> None:
    total = "截至2024年11月，全市市级中试平台达到11家，覆盖新材料、生物医药等领域。"
    batch = "2024年11月认定第二批市级中试平台5家，全市市级中试平台累计达到11家。"
    assert same_measure(total, batch)
    assert not same_measure(total, "2023年12月认定首批市级中试平台6家。")


def test_two_parameters_sharing_only_their_frame_are_different_measures() -> None:
    # 按其上年度…的20% is the frame of many parameters: an incentive and an operating subsidy are not one.
    incentive = "对服务成效良好的仪器管理单位，按其上年度对外服务收入的20%给予开放共享奖励，每家单位每年最高50万元。"
    subsidy = "对绩效评价合格的新型研发机构，按其上年度研发经费支出的20%给予运营补助，每家每年最高300万元。"
    assert not same_measure(incentive, subsidy)
    pilot = "对新认定的市级中试平台，按其新增中试设备投入的30%给予建设补助，最高500万元。"
    proof = "对认定的市级概念验证中心按建设投入的30%给予补助，最高200万元。"
    assert not same_measure(pilot, proof)
    # The same parameter said by a reply and by its policy is one measure.
    assert same_measure("对运营良好的平台按上年度对外服务收入的20%给予运营补助，每家每年最高100万元。",
                        "对运营良好的市级中试平台，按其上年度对外服务收入的20%给予运营补助，每家每年最高100万元。")


@pytest.mark.parametrize(("section", "is_procedural"), [
    ("五、申报条件", True),
    ("第四章 附则", True),
    ("四、支持措施 > （五）组织实施", True),
    # A numbered provision the chunker took for a heading is not a section of procedures, whatever it says.
    ("四、支持措施 > （二）对市级概念验证中心组织实施的概念验证项目，按项目实际支出的50%给予资助，单个项目最高50万元", False),
    ("四、支持措施", False),
])
def test_procedural_sections_are_told_by_their_headings(section: str, is_procedural: bool) -> None:
    assert procedural(section) is is_procedural


@pytest.mark.parametrize(("name", "verb"), [
    ("澄江市中试平台建设与运营管理办法", "规定"),
    ("澄江市概念验证中心建设工作指引（试行）", "规定"),
    ("关于深入推行科技特派员制度的实施意见", "明确"),
    ("广州市进一步促进科技成果转移转化若干措施", "明确"),
    ("广州市建设科技创新强市三年行动计划（2019—2021年）", "提出"),
])
def test_a_policy_lays_down_what_a_rule_says_and_sets_out_what_a_plan_says(name: str, verb: str) -> None:
    assert policy_verb(name) == verb
    assert policy_verb("青岚市科技人才项目实施细则", clause="入选人才可按规定享受子女入学等服务。") == "明确"


def test_two_provisions_paying_one_recipient_the_same_cap_are_different_measures() -> None:
    operating = "对评价优秀的孵化器给予最高50万元运营补助，评价良好的给予最高20万元运营补助。"
    equity = "鼓励孵化器以自有资金对在孵企业持股孵化，孵化器对在孵企业实际投资额的10%给予奖励，每家孵化器每年最高50万元。"
    assert not same_measure(equity, operating) and not same_measure(operating, equity)
    # A restatement of one of them gives every figure it gives, and is still the same measure.
    assert same_measure("全市对评价优秀的孵化器给予最高50万元运营补助。", operating)
    assert same_measure(operating, "全市对评价优秀的孵化器给予最高50万元运营补助。")


def test_measure_keys_name_what_a_figure_counts() -> None:
    keys = measure_keys("全市累计认定市级中试平台8家，投入资金2亿元。")
    assert keys[("中试平台", "家")] == "8家"
    assert ("资金", "亿元") in keys


def test_a_newer_figure_supersedes_an_older_one_of_the_same_measure() -> None:
    old = cand("全市共建成市级中试平台8家，服务企业300家。", date="2023-03-01", doc="old")
    new = cand("全市共建成市级中试平台12家，服务企业500家。", date="2024-03-01", doc="new")
    plan = cand("全市将建成市级中试平台20家，服务企业800家。", date="2024-05-01", doc="plan", tense="plan")
    assert superseded([old, new, plan]) == {("old", 0)}


def test_a_newer_total_of_one_named_measure_supersedes_the_older_count() -> None:
    old = cand("2025年，我局新认定市级新型研发机构4家，总数达到27家。", date="2026-01-20", doc="old")
    new = cand("截至2026年底，全市市级新型研发机构达到31家。", date="2027-02-24", doc="new")
    assert superseded([old, new]) == {("old", 0)}
    # A part of another count (其中…463家) is no new total of the measure it names.
    total = cand("截至2025年底，全市有效高新技术企业达到948家，评价入库科技型中小企业2360家。", date="2026-02-01",
                 doc="total")
    part = cand("今年全市共有724家企业获得后补助资金，其中科技型中小企业463家。", date="2026-04-15", doc="part")
    assert superseded([total, part]) == set()


@pytest.mark.parametrize(("text", "said", "expected"), [
    ("2025年，新认定市级重点实验室8家，总数达到79家，其中包括我市首个人工智能领域重点实验室。", {"79家"},
     "2025年，新认定市级重点实验室8家，其中包括我市首个人工智能领域重点实验室。"),
    # the clause saying who did what stays, or what is left has no subject: nothing is dropped
    ("2024年，我市共选派科技特派员356名，服务全市58个涉农乡镇。", {"356名"}, None),
    # what is left opens on a part of the dropped total
    ("截至2025年底，全市有效高新技术企业达到948家，其中科技型中小企业463家。", {"948家"}, None),
    ("2025年，全市重点实验室达到79家，运行良好。", {"79家"}, None),  # nothing of its own left
])
def test_a_result_restating_a_total_is_said_without_it(text: str, said: set[str], expected: str | None) -> None:
    from assistant.engines.compose.select import _without_figures

    assert _without_figures(text, said) == expected


def test_an_item_takes_what_a_result_adds_to_a_total_it_gave_already() -> None:
    total = cand("截至2025年12月，全市市级重点实验室达到79家，博士后创新实践基地达到41家。", date="2025-12-18", doc="n",
                 score=0.8)
    result = cand("2025年，新认定市级重点实验室8家，总数达到79家，其中包括我市首个人工智能领域重点实验室。",
                  kind="summary", part="work", date="2026-02-25", doc="s", score=0.4)
    chosen = chooser([total, result]).choose(0, "work")
    assert [c.candidate.doc_id for c in chosen] == ["n", "s"]
    assert "79家" not in chosen[1].text and "首个人工智能领域重点实验室" in chosen[1].text


@pytest.mark.parametrize(("reply_date", "kept"), [("2026-07-10", ["later"]), ("2025-07-10", ["interim", "later"])])
def test_an_interim_count_years_back_gives_way_to_a_later_account_of_the_programme(reply_date: str,
                                                                                  kept: list[str]) -> None:
    interim = cand("2023年10月启动人工智能应用场景需求征集，截至2024年6月底，共征集场景需求46项。", kind="reply",
                   part="work", date="2024-07-16", doc="interim", score=0.6).model_copy(update={"shared": ["应用场景"]})
    later = cand("2025年9月发布第二批35个人工智能应用场景，两批累计发布65个。", date="2026-02-25", doc="later",
                 score=0.6, start=50).model_copy(update={"shared": ["应用场景"]})
    ch = Chooser(Writer(OPTS, GZ), [interim, later], reply_date, Recency(2), title="关于人工智能应用场景的建议")
    assert sorted(c.candidate.doc_id for c in ch.choose(0, "work")) == kept


def test_the_old_value_of_a_change_is_not_what_the_sentence_reports() -> None:
    """由每项5万元提高到8万元 reports 8万元: the rule that set 5万元 is not said again by it."""
    change = "2027年，青年项目资助强度已由每项5万元提高到8万元。"
    rule = "《示例市自然科学基金管理办法》规定青年项目每项资助5万元，资助期限2年。"
    assert measure_values(change) and all(v == {"8万元"} for v in measure_values(change).values())
    assert not same_measure(change, rule)
    assert same_measure("青年项目资助强度达到每项8万元。", change)


def test_the_size_of_a_batch_is_a_fact_of_its_day_no_later_total_replaces() -> None:
    first = cand("2023年12月认定首批市级中试平台6家。", date="2024-01-25", doc="first")
    total = cand("截至2024年11月，全市市级中试平台达到11家。", date="2024-11-30", doc="total")
    second = cand("2024年11月认定第二批市级中试平台5家。", date="2024-12-01", doc="second")
    assert superseded([first, total, second]) == set()
    # A count that is no batch is a running figure: the newer total replaces it.
    count = cand("目前，全市共有市级中试平台6家。", date="2024-07-25", doc="count")
    assert superseded([count, total]) == {("count", 0)}


def test_a_newer_total_too_weak_to_cite_stands_in_place_of_the_older_figure() -> None:
    old = cand("截至2024年底，全市市级以上科技企业孵化器30家，其中国家级6家。", kind="summary", part="work",
               date="2025-01-24", doc="summary", score=0.7)
    newer = cand("全市市级以上科技企业孵化器达到33家，其中国家级7家，在孵企业2400余家。", kind="plan", part="work",
                 date="2026-02-25", doc="speech", score=0.1).model_copy(update={"reference": True})
    ch = Chooser(Writer(OPTS, GZ), [old], "2026-07-14", Recency(2), title="关于提升科技企业孵化载体质量的提案",
                 newer=[newer])
    chosen = ch.choose(0, "work")
    assert [c.candidate.doc_id for c in chosen] == ["speech"] and "33家" in chosen[0].text
    assert chosen[0].candidate.score == 0.7  # it answers the suggestion as the older one did
    # Without a newer statement, the older figure stands.
    alone = Chooser(Writer(OPTS, GZ), [old], "2026-07-14", Recency(2), title="关于提升科技企业孵化载体质量的提案")
    assert [c.candidate.doc_id for c in alone.choose(0, "work")] == ["summary"]


@pytest.mark.parametrize(("since", "tense", "kept"), [
    ("推动“科信贷”对首贷企业的风险补偿比例由50%提高到60%。", "plan", True),  # planned: today it is 50%
    ("2024年，“科信贷”对首贷企业的风险补偿比例由50%提高到60%。", "done", False),  # done: 50% is history
])
def test_an_old_parameter_a_recent_document_restates_still_holds(since: str, tense: str, kept: bool) -> None:
    old = cand("“科信贷”对合作银行发放贷款产生的本金损失，按50%给予风险补偿。", kind="reply", part="work",
               date="2021-07-09", doc="reply", score=0.9)
    old = old.model_copy(update={"shared": ["科信贷", "风险补偿"]})
    recent = cand(since, kind="summary", part="plan" if tense == "plan" else "work", tense=tense, date="2025-01-22",
                  doc="summary", score=0.1)
    ch = Chooser(Writer(OPTS, GZ), [old], "2025-07-16", Recency(2), title="关于完善科技金融服务的提案",
                 newer=[recent])
    chosen = ch.choose(0, "work")
    assert [c.candidate.doc_id for c in chosen] == (["reply"] if kept else [])
    if kept:
        assert [c.doc_id for c in chosen[0].support] == ["summary"]  # cited with it: the rule still applies


def test_a_policy_parameter_is_never_superseded_by_another_parameter() -> None:
    # Two provisions sharing only the frame of a parameter (每家每年最高…万元) measure different things.
    running = cand("按其上年度对外服务收入的20%给予运营补助，每家每年最高100万元。", kind="policy", tense="neutral",
                   date="2023-06-01", doc="p1")
    voucher = cand("中小企业使用中试服务，可用科技创新券抵扣50%，每家企业每年最高20万元。", kind="reply",
                   date="2024-07-25", doc="r1")
    assert superseded([running, voucher]) == set()


def chooser(pool: list[Candidate]) -> Chooser:
    return Chooser(Writer(OPTS, GZ), pool, OPTS.reply_date, Recency(2), title="关于打通成果转化市场路径的提案")


def test_a_plan_whose_first_act_was_done_keeps_the_acts_after_it() -> None:
    plan = cand("出台科技成果转化“1+N”政策，加快建设环中大、环大学城科技成果转化基地。", kind="plan",
                date="2024-02-19", tense="plan", doc="speech")
    issued = cand("市政府办公厅印发科技成果转化若干措施，构建“1+N”政策体系。", kind="news", date="2024-04-22",
                  doc="policy-news")
    chosen = chooser([plan, issued]).choose(0, "plan")
    assert [c.text for c in chosen] == ["我局将加快建设环中大、环大学城科技成果转化基地。"]


def test_a_plan_to_issue_a_policy_since_put_out_for_comment_is_to_finish_it() -> None:
    plan = cand("出台支持人工智能应用场景建设的政策措施，发布第三批人工智能应用场景不少于40个。", kind="plan",
                date="2026-02-25", tense="plan", doc="speech")
    notice = cand("我局起草了《鹭川市促进人工智能应用场景建设若干措施（征求意见稿）》，现向社会公开征求意见。", kind="policy",
                  date="2026-03-20", doc="draft", start=200, tense="neutral",
                  title="鹭川市促进人工智能应用场景建设若干措施（征求意见稿）")
    notice = notice.model_copy(update={"meta": notice.meta.model_copy(update={"status": "draft"})})
    ch = Chooser(Writer(OPTS, GZ), [plan, notice], "2026-07-10", Recency(2), title="关于加快人工智能应用场景建设的建议")
    chosen = ch.choose(0, "plan")
    assert [c.text for c in chosen] == ["我局将抓紧修改完善征求意见稿，按程序出台《鹭川市促进人工智能应用场景建设若干措施》，"
                                        "发布第三批人工智能应用场景不少于40个。"]
    assert [c.doc_id for c in chosen[0].support] == ["draft"]  # cited with the draft's notice
    # Before the draft was out, the plan stands as the plan says it.
    early = Chooser(Writer(OPTS, GZ), [plan, notice], "2026-03-01", Recency(2), title="关于加快人工智能应用场景建设的建议")
    assert early.choose(0, "plan")[0].text.startswith("我局将出台支持人工智能应用场景建设的政策措施")


def test_a_plan_done_in_full_is_dropped() -> None:
    plan = cand("出台科技成果转化“1+N”政策。", kind="plan", date="2024-02-19", tense="plan", doc="speech")
    issued = cand("市政府办公厅印发科技成果转化若干措施，构建“1+N”政策体系。", date="2024-04-22", doc="n")
    assert chooser([plan, issued]).choose(0, "plan") == []


def test_a_second_plan_for_a_suggestion_must_be_on_its_own_subject() -> None:
    on_topic = cand("完善“产业出题、科技答题”的机制，形成企业为主体的成果转化体系。", kind="plan", date="2024-02-19",
                    tense="plan", doc="p1", specific=False, score=0.3)
    general = cand("深入实施“高企26条”，培育更多科技龙头企业。", kind="plan", date="2024-02-19", tense="plan",
                   doc="p2", specific=False, score=0.25, start=100)
    specific = cand("推动企业牵头建设概念验证中心，支持企业参与研发全过程。", kind="plan", date="2024-02-19",
                    tense="plan", doc="p3", specific=True, score=0.25, start=200)
    picked = [c.candidate.doc_id for c in chooser([on_topic, general]).choose(0, "plan", limit=2)]
    assert picked == ["p1"]
    picked = {c.candidate.doc_id for c in chooser([on_topic, general, specific]).choose(0, "plan", limit=2)}
    assert picked == {"p1", "p3"}


def test_a_name_with_a_number_earns_no_figure_bonus() -> None:
    named = cand("深入实施“高企26条”，培育更多科技龙头企业。", kind="plan", tense="plan", doc="a", score=0.3)
    plain = cand("深入实施高新技术企业培育工程，培育更多科技龙头企业。", kind="plan", tense="plan", doc="b", score=0.3)
    ch = chooser([named, plain])
    a, b = ch._judge(named, "plan", 0.15), ch._judge(plain, "plan", 0.15)
    assert a is not None and b is not None
    assert a.score - b.score < 0.2  # only the quotation mark bonus separates them


def test_two_plans_opening_with_the_same_act_say_it_once() -> None:
    first = cand("出台《技术经纪人队伍建设实施方案》，建立技术经纪人分级评价制度。", kind="plan", date="2025-02-01",
                 tense="plan", doc="p1", score=0.6)
    second = cand("出台《技术经纪人队伍建设实施方案》，全年培训技术经纪人200名以上。", kind="plan", date="2025-02-01",
                  tense="plan", doc="p2", score=0.5)
    same = cand("出台《技术经纪人队伍建设实施方案》。", kind="plan", date="2025-02-01", tense="plan", doc="p3", score=0.4)
    ch = Chooser(Writer(OPTS, GZ), [first, second, same], "2025-07-01", Recency(2), title="关于加强技术经纪人队伍建设的提案")
    texts = [c.text for c in ch.choose(0, "plan", limit=3)]
    assert len(texts) == 2
    assert sum("出台《" in t for t in texts) == 1  # the act is said once
    assert {"我局将建立技术经纪人分级评价制度。", "我局将全年培训技术经纪人200名以上。"} & set(texts)


def test_a_plan_restating_a_target_keeps_its_other_targets() -> None:
    given = cand("实施科技特派员产业链服务行动，选派科技特派员370名以上。", kind="plan", date="2025-01-22", tense="plan",
                 doc="p1", idx=0)
    more = cand("选派科技特派员不少于370名，建设农业科技成果转化示范基地10个，支持科技特派员领办创办经济实体。",
                kind="plan", date="2025-01-22", tense="plan", doc="p2", idx=1)
    ch = Chooser(Writer(OPTS, GZ), [given, more], "2025-07-01", Recency(2), title="关于发挥科技特派员作用的建议")
    assert ch.choose(0, "plan")
    assert [c.text for c in ch.choose(1, "plan")] == ["我局将建设农业科技成果转化示范基地10个，支持科技特派员领办创办经济实体。"]


def test_a_parameter_is_cited_from_the_policy_that_sets_it_rather_than_a_reply_without_it() -> None:
    said = "对运营良好的平台按上年度对外服务收入的20%给予运营补助，每家每年最高100万元。"
    reply = cand(said, kind="reply", date="2024-07-25", part="suggestion", doc="r", score=0.55)
    policy = cand("对运营良好的市级中试平台，按其上年度对外服务收入的20%给予运营补助，每家每年最高100万元。",
                  kind="policy", date="2023-06-12", tense="neutral", doc="p", score=0.55,
                  title="广州市科学技术局关于印发《广州市中试平台建设与运营管理办法》的通知", issuer="广州市科学技术局")
    ch = Chooser(Writer(OPTS, GZ), [reply, policy], "2024-07-30", Recency(2), title="关于加大中试平台支持的提案")
    assert [c.candidate.doc_id for c in ch.choose(0, "work")] == ["p"]


def test_the_reform_an_ask_names_in_quotes_is_its_answer_even_under_a_procedural_heading() -> None:
    reform = cand("对经费使用实行“包干制”试点，青年项目经费由项目负责人自主使用，无需编制预算明细。", kind="policy",
                  date="2023-06-12", tense="neutral", doc="p", score=0.38)
    reform.section, reform.shared = "第四章 管理和监督 > 第十三条", ["包干制", "青年项目"]
    count = cand("截至2027年4月，市自然科学基金联合基金合作方达到13家，累计规模达到1.56亿元。", date="2027-04-21",
                 doc="s", score=0.3)
    ch = Chooser(Writer(OPTS, GZ), [count, reform], "2027-06-26", Recency(2), title="关于加强青年科技人才培养的提案")
    assert [c.candidate.doc_id for c in ch.choose(0, "work", limit=1)] == ["p"]
    # Under a procedural heading, a clause that names nothing the ask names is not a measure taken.
    other = reform.model_copy(update={"shared": ["青年项目"], "text": "青年项目经费由项目负责人自主使用。"})
    ch = Chooser(Writer(OPTS, GZ), [other], "2027-06-26", Recency(2), title="关于加强青年科技人才培养的提案")
    assert ch.choose(0, "work") == []


@pytest.mark.parametrize(("total_since", "plan"), [
    ("13家", "我局将推动区（县）政府设立区域联合基金。"),  # 10 → 13: the three new partners have joined
    ("12家", "我局将新增联合基金合作方不少于3家，推动区（县）政府设立区域联合基金。"),  # not yet
])
def test_a_target_met_since_is_not_planned_again(total_since: str, plan: str) -> None:
    target = cand("新增联合基金合作方不少于3家，推动区（县）政府设立区域联合基金。", kind="plan", date="2027-02-24",
                  tense="plan", part="plan", doc="speech", start=100)
    then = cand("联合基金合作方达到10家，累计规模1.32亿元。", kind="plan", date="2027-02-24", doc="speech", start=10)
    since = cand(f"至此，市自然科学基金联合基金合作方达到{total_since}，累计规模达到1.56亿元。", date="2027-04-21", doc="news")
    ch = Chooser(Writer(OPTS, GZ), [target, then, since], "2027-06-26", Recency(2), title="关于引导企业参与基础研究的提案")
    assert [c.text for c in ch.choose(0, "plan")] == [plan]


def test_a_news_figure_is_dated_by_its_report_and_its_way_in_is_dropped() -> None:
    writer = Writer(OPTS, GZ)
    line = cand("从资金安排看，中试平台和概念验证类资金6200万元，用于中试平台建设补助。", date="2024-03-28", doc="n")
    assert writer.work(line) == "2024年，我市安排中试平台和概念验证类资金6200万元，用于中试平台建设补助。"
    purpose = cand("为让特派员“下得去、留得住”，我市对每名科技特派员安排工作经费每年2万元。", date="2024-06-12", doc="p")
    assert writer.work(purpose) == "2024年，我市对每名科技特派员安排工作经费每年2万元。"
    dated = cand("首批4家概念验证中心2024年已立项支持概念验证项目37项。", date="2024-11-20", doc="m")
    assert not writer.work(dated).startswith("2024年，")  # a year of its own: not dated twice


def test_the_parameter_an_ask_wants_changed_comes_before_a_richer_line_on_the_topic() -> None:
    budget = cand("2024年，中试平台和概念验证类资金6200万元，用于中试平台建设补助、运营补助及概念验证项目资助。",
                  date="2024-03-28", doc="budget", score=0.95)
    rate = cand("对运营良好的市级中试平台，按其上年度对外服务收入的20%给予运营补助，每家每年最高100万元。",
                kind="policy", tense="neutral", date="2023-06-12", doc="rule", score=0.6,
                title="关于印发《广州市中试平台建设与运营管理办法》的通知").model_copy(update={"answers_parameter": True})
    ch = Chooser(Writer(OPTS, GZ), [budget, rate], "2024-07-30", Recency(2), title="关于加大中试平台支持的提案")
    assert [c.candidate.doc_id for c in ch.choose(0, "work", limit=1)] == ["rule"]


def test_a_sentence_goes_to_the_suggestion_it_answers_best() -> None:
    text = "2024年，母基金对投向种子期企业的子基金提高让利比例，已有12家获投企业同步获得银行贷款。"
    for_credit = cand(text, idx=0, score=0.4, specific=False, doc="n")
    for_fund = cand(text, idx=1, score=0.9, specific=True, doc="n")
    credit = cand("截至2024年底，“科信贷”累计发放贷款102.6亿元，服务企业1960家。", idx=0, score=0.8, doc="s")
    ch = Chooser(Writer(OPTS, GZ), [for_credit, for_fund, credit], "2025-07-01", Recency(2), title="关于完善科技金融服务的提案")
    assert [c.candidate.doc_id for c in ch.choose(0, "work")] == ["s"]
    assert [c.candidate.doc_id for c in ch.choose(1, "work")] == ["n"]


def test_every_suggestion_gets_a_plan_item_or_a_visible_gap() -> None:
    from assistant.engines.base import EngineInput
    from assistant.engines.compose import ComposeEngine
    from assistant.evidence import Evidence
    from assistant.models import Proposal
    from assistant.rules.flags import FlagCode

    work = cand("2024年，全市新认定市级中试平台5家，累计达到11家。", kind="summary", part="work", idx=0, doc="w")
    plan = cand("新认定市级中试平台4家以上，推动每条重点产业链至少有1家市级中试平台。", kind="plan", tense="plan",
                date="2025-02-01", idx=0, doc="p")
    job = EngineInput(proposal=Proposal(title="关于加快中试平台建设的提案", suggestions=["优化中试平台布局", "加大资金支持力度"]),
                      options=OPTS.model_copy(update={"reply_date": "2025-07-01"}), evidence=Evidence(own=[work, plan]),
                      jurisdiction=GZ)
    body = ComposeEngine().write(job)
    plan_items = body.sections[-1].items
    assert [i.suggestion_index for i in plan_items] == [0, 1]
    assert plan_items[0].sentences[0].text.startswith("下一步，我局将新认定市级中试平台4家以上")
    gap = plan_items[1].sentences[0]
    assert gap.text.startswith("【待补充】") and [f.code for f in gap.flags] == [FlagCode.MISSING_EVIDENCE]
    assert any("第2条建议未找到" in w and "下一步" in w for w in body.warnings)


@pytest.mark.parametrize(("text", "keep", "give", "expected"), [
    ("下一步，我局将建立技术经纪人分级评价制度，推动科技大市场线上平台与省技术市场平台互联互通。",
     {"技术经纪人"}, {"市场"},
     ("下一步，我局将建立技术经纪人分级评价制度。", "我局将推动科技大市场线上平台与省技术市场平台互联互通。")),
    # An act naming both suggestions' terms stays where it is: nothing goes.
    ("我局将建立技术经纪人分级评价制度，推动技术经纪人进驻科技大市场。", {"技术经纪人"}, {"市场"}, None),
    # What stays must still speak to its own suggestion.
    ("我局将推动科技大市场扩容，推动科技大市场线上平台互联互通。", {"技术经纪人"}, {"市场"}, None),
    # One act only: nothing to split.
    ("我局将推动科技大市场线上平台与省技术市场平台互联互通。", {"技术经纪人"}, {"市场"}, None),
])
def test_a_plan_chaining_two_suggestions_acts_splits_between_them(
        text: str, keep: set[str], give: set[str], expected: tuple[str, str] | None) -> None:
    assert split_acts(text, keep, give) == expected


def test_a_suggestion_without_a_plan_takes_its_act_from_anothers_plan() -> None:
    from assistant.engines.base import EngineInput
    from assistant.engines.compose import ComposeEngine
    from assistant.evidence import Evidence
    from assistant.models import Proposal

    text = "建立技术经纪人分级评价制度，推动科技大市场线上平台与省技术市场平台互联互通。"
    common = {"kind": "plan", "tense": "plan", "date": "2025-02-01", "doc": "p"}
    first = cand(text, idx=0, score=0.5, **common).model_copy(update={"shared": ["技术经纪人", "评价"]})
    second = cand(text, idx=1, score=0.3, **common).model_copy(update={"shared": ["市场", "线上"]})
    work = [cand("2024年，新培训技术经纪人240名，累计培训860名。", kind="summary", part="work", idx=0, doc="w0"),
            cand("2024年，科技大市场线上平台发布科技成果3800余项。", kind="summary", part="work", idx=1, doc="w1")]
    suggestions = ["完善技术经纪人培养和评价体系", "提升科技大市场服务功能，推动线上线下融合"]
    job = EngineInput(proposal=Proposal(title="关于加强技术经纪人队伍建设的提案", suggestions=suggestions),
                      options=OPTS.model_copy(update={"reply_date": "2025-07-01"}),
                      evidence=Evidence(own=[first, second, *work]), jurisdiction=GZ)
    plan_items = ComposeEngine().write(job).sections[-1].items
    assert [s.text for s in plan_items[0].sentences] == ["下一步，我局将建立技术经纪人分级评价制度。"]
    assert [s.text for s in plan_items[1].sentences] == ["我局将推动科技大市场线上平台与省技术市场平台互联互通。"]
    assert plan_items[0].sentences[0].citations == plan_items[1].sentences[0].citations


@pytest.mark.parametrize(("text", "expected"), [
    ("重点工作：63.推进华南技术转移中心建设。", "推进华南技术转移中心建设。"),
    ("主要做法：组建科技特派团24支。", "组建科技特派团24支。"),
    ("今年的申报有三个变化：一是新增类别；二是单列名额。", "今年的申报有三个变化：一是新增类别；二是单列名额。"),
])
def test_a_label_goes_unless_it_frames_a_list(text: str, expected: str) -> None:
    assert unlabel(text) == expected


def test_a_structured_replys_background_is_not_work() -> None:
    background = cand("支持依托澳门、广州等中心城市的科研资源，联合打造一批战略性新兴产业集群。", kind="reply", part="body",
                      doc="r", start=0)
    work = cand("2022年，印发实施《科技创新走廊（广州段）建设行动方案》，细化穗澳协同创新合作。", kind="reply", part="work",
                doc="r", start=100)
    ch = chooser([background, work])
    assert [c.candidate.start for c in ch.choose(0, "work")] == [100]
    unstructured = cand("2023年，我局推动建设穗澳联合实验室3家。", kind="reply", part="body", doc="u")
    assert [c.candidate.doc_id for c in chooser([unstructured]).choose(0, "work")] == ["u"]


def test_a_policy_introduced_once_is_cited_by_name_after() -> None:
    writer = Writer(OPTS, GZ)
    from_reply = cand("2023年6月，我局印发《示例市中试平台建设与运营管理办法》（示科规〔2023〕2号），对新认定的市级中试平台"
                      "按新增设备投入的30%给予补助。", kind="reply", part="work", doc="r")
    assert writer.work(from_reply, commit=True).startswith("2023年6月，我局印发《示例市中试平台建设与运营管理办法》")
    policy = cand("市级中试平台由我局组织认定，重点布局在新材料等产业领域。", kind="policy", doc="p", date="2023-06-01",
                  title="关于印发《示例市中试平台建设与运营管理办法》的通知")
    assert writer.work(policy, commit=True) == "《示例市中试平台建设与运营管理办法》规定市级中试平台由我局组织认定，重点布局在新材料等产业领域。"
    again = cand("2023年6月，我局印发《示例市中试平台建设与运营管理办法》，对运营良好的平台给予运营补助。", kind="reply",
                 part="work", doc="r2")
    assert writer.work(again) == "按照《示例市中试平台建设与运营管理办法》，对运营良好的平台给予运营补助。"
    # What was done under it keeps the year it was done; a provision has none.
    done = cand("2024年3月印发《示例市中试平台建设与运营管理办法》，认定首批市级中试平台4家。", kind="summary",
                part="work", doc="s")
    assert writer.work(done) == "2024年，按照《示例市中试平台建设与运营管理办法》，认定首批市级中试平台4家。"


BUDGET = "下达专项资金4.6亿元，重点支持科技成果转化、创新平台建设、科技金融和农业科技等方面。"
LAYOUT = "重点布局在新材料、生物医药、智能装备、绿色食品等产业领域。"


@pytest.mark.parametrize(("text", "terms", "suggestion", "listed"), [
    (BUDGET, {"农业科技"}, "加强农业科技推广", True),
    ("重点布局在新材料、生物医药、智能装备、绿色食品等产业领域，建设中试平台。", {"中试平台"}, "", False),
    (LAYOUT, {"生物医药", "新材料"}, "围绕新材料、生物医药、智能装备等重点产业链布局", False),
    ("选派科技特派员356名，服务农业经营主体1130家。", {"科技特派员"}, "", False),
    # Several items, but only because one phrase of the ask falls into them: still a passing mention.
    (BUDGET, {"农业科技", "科技成果转化", "平台建设"}, "加强农业科技成果转化平台建设", True),
    (LAYOUT, {"生物医药", "新材料"}, "加快新材料和生物医药中试平台布局", True),
])
def test_a_subject_named_only_as_one_item_of_a_list_is_a_passing_mention(text: str, terms: set[str], suggestion: str,
                                                                          listed: bool) -> None:
    from assistant.evidence import listed_only, listed_terms

    assert listed_only(text, terms, listed_terms(suggestion)) is listed


@pytest.mark.parametrize(("text", "title", "proposal", "other"), [
    # a policy titled for another programme stays out, whatever its clause mentions
    ("鼓励科技型企业作为法人科技特派员，与乡镇建立长期合作关系。", "关于深入推行科技特派员制度的实施意见",
     "关于完善科技金融服务 助力科技型企业成长的提案", True),
    ("年度考核优秀的，在职称评审中同等条件下优先。", "关于深入推行科技特派员制度的实施意见",
     "关于发挥科技特派员作用 助力乡村产业振兴的建议", False),
    # a sentence opening on another programme that names nothing of the proposal's subject
    ("2024年，首次开展技术经纪专业职称评审，43人取得职称。", "", "关于发挥科技特派员作用 助力乡村产业振兴的建议", True),
    ("实施创新联合体协同攻关计划，支持链主企业成为成果转化的主体。", "", "关于打通成果转化市场路径的提案", False),
])
def test_a_sentence_about_another_programme_is_not_evidence(text: str, title: str, proposal: str, other: bool) -> None:
    from assistant.evidence import GENERIC, other_programme, programmes
    from vectorstore.tokenize import query_terms

    subject = {t for t in query_terms(proposal) if t not in GENERIC and len(t) >= 3}
    assert other_programme(text, title, programmes(proposal), subject) is other


@pytest.mark.parametrize(("suggestion", "other"), [
    ("提高市自然科学基金青年项目的资助强度和比例", True),  # the ask names the fund, not its joint programme
    ("鼓励龙头企业与我局共同设立自然科学基金联合基金", False),
    ("引导更多企业参与研发", False),  # an ask naming no programme: the policy's title decides, as before
])
def test_a_provision_opening_on_another_programme_of_its_policy_answers_the_ask_naming_that_one(
        suggestion: str, other: bool) -> None:
    from assistant.evidence import other_programme, programmes

    clause = "联合基金项目按合作方需求凝练指南，重点项目每项资助30万元，一般项目每项资助10万元。"
    title = "关于印发《示例市自然科学基金管理办法》的通知"
    proposal = programmes("关于支持青年科技人才和基础研究的提案 自然科学基金 联合基金")
    assert other_programme(clause, title, proposal, set(), programmes(suggestion)) is other


@pytest.mark.parametrize(("suggestion", "plans", "asks"), [
    ("加大资金支持力度。适当提高中试平台运营补助和概念验证项目资助标准，扩大科技创新券的使用范围。",
     ["我局将推动中试平台统一发布服务清单，扩大科技创新券使用范围。"], ["适当提高中试平台运营补助和概念验证项目资助标准"]),
    ("扩大科技信贷风险补偿覆盖面", ["我局将推动“科信贷”对首贷企业的风险补偿比例由50%提高到60%。"], []),
    ("扩大科技特派员选派规模", ["我局将选派科技特派员370名以上。"], []),
])
def test_an_ask_to_change_a_parameter_needs_a_plan_or_a_stance(suggestion: str, plans: list[str],
                                                               asks: list[str]) -> None:
    from assistant.engines.compose import unanswered_asks

    assert unanswered_asks(suggestion, plans) == asks


def test_an_unanswered_parameter_ask_leaves_a_visible_stance_gap() -> None:
    from assistant.engines.base import EngineInput
    from assistant.engines.compose import ComposeEngine
    from assistant.evidence import Evidence
    from assistant.models import Proposal

    plan = cand("推动中试平台统一发布服务清单，扩大科技创新券使用范围。", kind="plan", tense="plan", date="2025-02-01",
                doc="p")
    job = EngineInput(proposal=Proposal(title="关于加快中试平台建设的提案",
                                        suggestions=["加大资金支持力度。适当提高中试平台运营补助和概念验证项目资助标准，"
                                                     "扩大科技创新券的使用范围。"]),
                      options=OPTS.model_copy(update={"reply_date": "2025-07-01"}), evidence=Evidence(own=[plan]),
                      jurisdiction=GZ)
    body = ComposeEngine().write(job)
    texts = [s.text for s in body.sections[-1].items[0].sentences]
    assert texts[0].startswith("下一步，我局将推动中试平台统一发布服务清单")
    assert texts[1] == "【待补充】（关于“适当提高中试平台运营补助和概念验证项目资助标准”，请明确我局的意见和打算）"
    assert any("适当提高中试平台运营补助和概念验证项目资助标准" in w for w in body.warnings)


def test_a_suggestion_answered_only_by_a_draft_says_the_draft_is_out_for_comment() -> None:
    from assistant.engines.base import EngineInput
    from assistant.engines.compose import ComposeEngine
    from assistant.evidence import Evidence
    from assistant.models import Proposal

    title = "广州市算力券管理办法（征求意见稿）"
    common = {"kind": "policy", "date": "2024-03-20", "doc": "draft", "title": title, "tense": "neutral"}
    clause = cand("对中小企业使用公共算力平台的，按实际算力费用的30%给予补贴。", idx=1, score=0.8, start=200, **common)
    clause = clause.model_copy(update={"meta": clause.meta.model_copy(update={"status": "draft"})})
    notice = clause.model_copy(update={"start": 10, "end": 60, "quote": f"我局起草了《{title}》，现向社会公开征求意见。"})
    work = cand("2024年，全市新认定人工智能应用场景35个。", kind="summary", part="work", idx=0, doc="w")
    job = EngineInput(proposal=Proposal(title="关于发展人工智能的提案", suggestions=["扩大应用场景开放", "发放算力券"]),
                      options=OPTS, evidence=Evidence(own=[work, clause, notice]), jurisdiction=GZ)
    items = ComposeEngine().write(job).sections[0].items
    said = items[1].sentences
    assert [s.text for s in said] == [f"2024年3月，我局起草《{title}》，并公开征求意见。"]
    body = ComposeEngine().write(job)
    cited = {src.id: src for src in body.sources}
    assert "征求意见" in cited[body.sections[0].items[1].sentences[0].citations[0]].quote  # the announcement
    assert all("30%" not in s.text for i in items for s in i.sentences)  # no provision of the draft
    # Without its notice, a draft is not said to be out for comment on the strength of a provision.
    job = job.model_copy(update={"evidence": Evidence(own=[work, clause])})
    alone = ComposeEngine().write(job)
    assert all("征求意见" not in s.text for i in alone.sections[0].items for s in i.sentences)


@pytest.mark.parametrize(("text", "expected"), [
    ("全市市级以上科技企业孵化器达到33家，其中国家级7家。", "截至2025年底，全市市级以上科技企业孵化器达到33家，其中国家级7家。"),
    ("孵化种子基金累计投资在孵项目41个。", "截至2025年底，孵化种子基金累计投资在孵项目41个。"),
    ("全年新增知识产权质押融资13.1亿元，累计达到51.6亿元。", "2025年，新增知识产权质押融资13.1亿元，累计达到51.6亿元。"),
    ("去年9月发布第二批35个人工智能应用场景。", "2025年9月发布第二批35个人工智能应用场景。"),  # dated already: the year said
])
def test_a_work_conference_reviewing_the_year_dates_its_figures(text: str, expected: str) -> None:
    # A speech of February 2026 looks back on 2025: its undated results are 2025's.
    speech = cand(text, kind="plan", part="work", date="2026-02-25", tense="done")
    writer = Writer(OPTS.model_copy(update={"reply_date": "2026-07-10"}), GZ)
    assert writer.work(speech) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("全年新增知识产权质押融资15亿元以上。", "我局将推动全市全年新增知识产权质押融资15亿元以上。"),
    ("全年培训技术经纪人200名以上。", "我局将全年培训技术经纪人200名以上。"),
    # A state to reach is one the bureau works towards; an act of its own is said as it is.
    ("共享平台入网仪器达到2600台（套）。", "我局将推动共享平台入网仪器达到2600台（套）。"),
    ("新认定市级科普基地不少于5家。", "我局将新认定市级科普基地不少于5家。"),
    ("力争有效高新技术企业突破1000家。", "我局将力争有效高新技术企业突破1000家。"),
    # An intention keeps its own word for the future.
    ("拟将科技创新券每家企业年度最高额度由20万元提高到30万元。", "我局拟将科技创新券每家企业年度最高额度由20万元提高到30万元。"),
])
def test_a_market_target_is_one_the_bureau_drives(text: str, expected: str) -> None:
    plan = cand(text, kind="plan", part="plan", date="2026-02-25", tense="plan")
    assert Writer(OPTS, GZ).plan(plan) == expected


@pytest.mark.parametrize(("report", "done"), [
    ("重点工作：63.推进技术转移中心建设。\n牵头单位：市科技局\n进展情况、存在问题及下一步工作建议：已完成。", True),
    ("重点工作：12.建设中试平台。进展情况：已完成。\n重点工作：13.建设孵化器。进展情况：推进中。", False),
    ("2024年工作要点：推进技术转移中心建设。", False),
])
def test_a_progress_report_marking_tasks_done(report: str, done: bool) -> None:
    assert reports_completed(report) is done


@pytest.mark.parametrize(("text", "expected"), [
    ("深化穗港澳科技合作，推进华南（广州）技术转移中心建设。", "2023年，我局深化穗港澳科技合作，推进华南（广州）技术转移中心建设。"),
    ("第一季度：加快建设华南技术转移中心。", "2023年第一季度，我局加快建设华南技术转移中心。"),
])
def test_a_task_reported_done_is_the_years_work(text: str, expected: str) -> None:
    task = cand(text, kind="plan", part="work", date="2023-12-01").model_copy(update={"completed": True})
    assert Writer(OPTS, GZ).work(task) == expected


def test_a_task_reported_done_keeps_the_acts_on_the_suggestion_s_subject() -> None:
    text = "深化穗港澳科技合作，推进华南（广州）技术转移中心等项目建设，赋予穗港澳科研机构联合组织科技创新项目更大自主权。"
    task = cand(text, kind="plan", part="work", date="2023-12-01").model_copy(
        update={"completed": True, "shared": ["创新", "技术转移"]})
    assert Writer(OPTS, GZ).work(task) == "2023年，我局推进华南（广州）技术转移中心等项目建设。"


def test_a_suggestion_nothing_else_answers_takes_a_task_the_bureau_reported_done() -> None:
    """The last resort before 【待补充】: a completed task of the bureau's on the ask's subject, though it is
    broad (深化…合作，推进…技术转移中心…建设), answers better than a gap; a weaker one does not."""
    text = "深化穗港澳科技合作，推进华南（广州）技术转移中心等项目建设。"
    task = cand(text, kind="plan", part="work", date="2023-12-01", specific=False, score=0.26, tense="done")
    task = task.model_copy(update={"completed": True})
    assert [c.candidate.doc_id for c in chooser([task]).fallback(0)] == ["d1"]
    weak = task.model_copy(update={"score": 0.15})
    assert chooser([weak]).fallback(0) == []
    # A plan's aim that no report marks done is no fallback.
    aim = task.model_copy(update={"completed": False})
    assert chooser([aim]).fallback(0) == []


def test_a_policy_named_before_keeps_the_year_of_what_follows_it() -> None:
    # A letter of 2025 citing the 2023 review written in January 2024: its 6月 and 12月 are 2023's.
    writer = Writer(OPTS.model_copy(update={"reply_date": "2025-07-01"}), GZ)
    first = cand("2023年6月，我局印发《示例中试平台管理办法》，提出支持平台建设。", kind="summary", part="work", doc="a")
    writer.work(first, commit=True)
    later = cand("6月印发《示例中试平台管理办法》，12月认定首批市级中试平台6家。", kind="summary", part="work",
                 date="2024-01-20", doc="b").model_copy(update={"section": "2023年工作总结"})
    assert writer.work(later) == "按照《示例中试平台管理办法》，2023年12月认定首批市级中试平台6家。"


def test_one_fact_dated_and_owned_differently_is_said_once_but_other_figures_are_not_the_same() -> None:
    assert similar("按照《示例市中试平台管理办法》，2023年12月认定首批市级中试平台6家。", "2023年12月，我局认定首批市级中试平台。")
    assert not similar("截至2025年底，全市有效高新技术企业达到948家，评价入库科技型中小企业2360家。",
                       "我局将力争有效高新技术企业突破1000家，评价入库科技型中小企业达到2600家。")


@pytest.mark.parametrize(("text", "expected"), [
    ("全市建成市级以上星创天地9家、农业科技园区4家。", "截至2024年底，全市建成市级以上星创天地9家、农业科技园区4家。"),  # a stock
    ("新认定市级星创天地3家。", "2024年，我局新认定市级星创天地3家。"),  # the year's result, said as the bureau's
])
def test_a_summary_dates_a_stock_to_the_year_end_and_a_result_to_the_year(text: str, expected: str) -> None:
    line = cand(text, kind="summary", part="work", date="2025-01-22").model_copy(update={"section": "2024年工作总结"})
    assert Writer(OPTS, GZ).work(line) == expected


def test_the_bureau_s_own_account_says_who_did_it_after_the_date() -> None:
    done = cand("2024年11月认定第二批市级中试平台5家。", kind="summary", part="work", date="2025-01-20")
    assert Writer(OPTS, GZ).work(done) == "2024年11月，我局认定第二批市级中试平台5家。"
    # A news report's sentence does not say whose act it was: no subject is added.
    news = cand("2024年11月认定第二批市级中试平台5家。", date="2024-11-30")
    assert Writer(OPTS, GZ).work(news) == "2024年11月认定第二批市级中试平台5家。"


def test_two_provisions_of_one_policy_are_not_the_same_sentence() -> None:
    lead = "2022年2月，我局印发《澄江市科技成果转化专项资金管理办法》（澄科规〔2022〕2号），明确"
    a = lead + "对市级以上技术转移机构，按年度促成交易额的1%给予奖励，每家每年最高30万元。"
    b = "按照《澄江市科技成果转化专项资金管理办法》，对技术经纪人按促成交易额的0.5%给予奖励，每人每年最高10万元。"
    assert not similar(a, b)
    assert similar(a, lead + "对市级以上技术转移机构，按年度促成交易额的1%给予奖励。")


def test_a_policy_gives_an_item_a_second_clause_only_for_its_amounts() -> None:
    title = "澄江市科技成果转化专项资金管理办法"
    common = {"kind": "policy", "tense": "neutral", "doc": "p", "title": title, "date": "2022-02-10"}
    pool = [cand("对市级以上技术转移机构，按年度促成交易额的1%给予奖励，每家每年最高30万元。", score=0.8, start=0, **common),
            cand("对技术经纪人按促成交易额的0.5%给予奖励，每人每年最高10万元。", score=0.7, start=100, **common),
            cand("专项资金重点支持技术转移机构和技术经纪人队伍建设。", score=0.75, start=200, **common)]
    chosen = chooser(pool).choose(0, "work")
    assert [c.candidate.start for c in chosen] == [0, 100]


def test_a_sentence_fully_relevant_to_two_suggestions_goes_to_the_one_it_speaks_to_most() -> None:
    """Both scores are capped at full relevance; how far past it the shared terms go decides (母基金遴选 and
    让利 for the 母基金 ask, beside the 科信贷 its last clause mentions)."""
    from assistant.engines.compose.select import best_suggestion

    text = "2024年，母基金优化了子基金遴选办法，对投向种子期企业的子基金提高让利比例，并与“科信贷”合作银行开展投贷联动。"
    loan, fund = cand(text, idx=0, score=1.0), cand(text, idx=1, score=1.02)
    assert best_suggestion([loan.model_copy(update={"fit": 1.0}), fund.model_copy(update={"fit": 1.6})]) == {("d1", 0): 1}
    # Without the uncapped fit the two are a tie, and either suggestion may take it.
    assert best_suggestion([loan, fund]) == {}


def test_a_suggestion_nothing_answers_takes_a_sentence_another_item_can_spare() -> None:
    shared = "2023年，我局支持链主企业牵头组建创新联合体，开展关键核心技术攻关12项。"
    other = "2023年，全市技术合同成交额达到2550亿元，技术转移服务机构达到120家。"
    pool = [cand(shared, idx=1, score=0.6, part="work", kind="reply", doc="r1"),
            cand(shared, idx=0, score=0.3, part="work", kind="reply", doc="r1"),
            cand(other, idx=1, score=0.5, part="work", kind="reply", doc="r2", start=50)]
    ch = chooser(pool)
    done = {0: ch.choose(0, "work"), 1: ch.choose(1, "work")}
    assert done[0] == [] and len(done[1]) == 2  # the shared sentence fits 1 clearly better: it went there
    ch.lend(done)
    assert [c.candidate.suggestion_index for c in done[0]] == [0] and shared[5:] in done[0][0].text
    assert [c.candidate.doc_id for c in done[1]] == ["r2"]
    # An item with a single sentence keeps it.
    from assistant.engines.compose.select import Choice

    lone = {0: [], 1: [Choice(pool[0], shared, 1.0)]}
    chooser(pool).lend(lone)
    assert lone[0] == [] and len(lone[1]) == 1


def test_a_parameter_a_later_report_says_was_changed_is_history() -> None:
    title = "关于印发《示例市自然科学基金管理办法》的通知"
    rule = cand("青年项目每项资助5万元，资助期限2年。", kind="policy", tense="neutral", date="2023-06-12", title=title,
                doc="p", score=0.6).model_copy(update={"shared": ["青年", "项目", "资助"]})
    raised = cand("2027年，市自然科学基金青年项目资助强度已由每项5万元提高到8万元。", date="2027-04-21", doc="n",
                  score=0.5, start=100)
    ch = Chooser(Writer(OPTS, GZ), [rule, raised], "2027-06-26", Recency(2), title="关于支持青年科技人才的提案")
    assert [c.candidate.doc_id for c in ch.choose(0, "work")] == ["n"]
    # Only planned, the change leaves today's value standing.
    planned = raised.model_copy(update={"tense": "plan", "text": "推动青年项目资助强度由每项5万元提高到8万元。"})
    ch = Chooser(Writer(OPTS, GZ), [rule, planned], "2027-06-26", Recency(2), title="关于支持青年科技人才的提案")
    assert [c.candidate.doc_id for c in ch.choose(0, "work")] == ["p"]


def test_a_policy_s_own_clause_comes_before_a_past_reply_restating_it() -> None:
    title = "示例市人民政府办公室关于印发示例市企业研发费用后补助实施细则的通知（示政办规〔2018〕6号）"
    clause = cand("对研发费用增量部分按10%给予后补助，单个企业每年最高300万元。", kind="policy", tense="neutral",
                  date="2018-09-28", title=title, issuer="示例市人民政府办公室", doc="p", score=0.6)
    restated = cand("我市按照《示例市企业研发费用后补助实施细则》（示政办规〔2018〕6号），对研发费用增量部分按10%给予"
                    "后补助，单个企业每年最高300万元。", kind="reply", part="work", date="2023-07-13", doc="r", score=0.62)
    chosen = Chooser(Writer(OPTS, GZ), [clause, restated], "2024-07-25", Recency(2),
                     title="关于加大研发费用后补助力度的提案").choose(0, "work")
    assert [c.candidate.doc_id for c in chosen] == ["p"]  # once said from the policy, the restatement adds nothing


def test_money_found_about_equally_for_two_suggestions_goes_to_the_one_asking_for_money() -> None:
    suggestions = ["优化中试平台布局，推动每条产业链建设1家中试平台。", "加大资金支持力度，提高中试平台运营补助标准。"]
    grant = "对新认定的市级中试平台按新增中试设备投入的30%给予建设补助，最高500万元。"
    count = "2024年认定第二批市级中试平台5家，全市市级中试平台累计达到11家。"
    pool = [cand(grant, idx=0, score=0.5, kind="reply", part="work", doc="r"),
            cand(grant, idx=1, score=0.48, kind="reply", part="work", doc="r"),
            cand(count, idx=0, score=0.45, kind="summary", part="work", doc="s", start=80)]
    ch = chooser(pool)
    done = {0: ch.choose(0, "work"), 1: ch.choose(1, "work")}
    assert [c.candidate.doc_id for c in done[0]] == ["r", "s"] and done[1] == []  # the layout item took it first
    ch.rehome_parameters(done, suggestions)
    assert [c.candidate.doc_id for c in done[0]] == ["s"]
    assert [(c.candidate.doc_id, c.candidate.suggestion_index) for c in done[1]] == [("r", 1)]


@pytest.mark.parametrize(("third", "taken"), [(0.5, True), (0.2, False)])
def test_a_third_clause_of_a_policy_only_when_about_as_relevant(third: float, taken: bool) -> None:
    title = "示例市知识产权质押融资风险补偿资金管理办法"
    common = {"kind": "policy", "tense": "neutral", "doc": "p", "title": title, "date": "2020-04-15"}
    pool = [cand("贷款发生损失的，按贷款本金损失的40%给予补偿。", score=0.8, start=0, **common),
            cand("对评估、担保等中介服务费用，按实际发生额的50%给予补助，每笔最高5万元。", score=0.7, start=40, **common),
            cand("对按期还本付息的企业，按其实际支付贷款利息的50%给予贴息，每家企业每年最高30万元。", score=third,
                 start=80, **common)]
    chosen = chooser(pool).choose(0, "work")
    assert (80 in {c.candidate.start for c in chosen}) is taken


def test_clauses_of_one_policy_side_by_side_read_as_one_sentence() -> None:
    from assistant.engines.compose.select import Choice, merged_policy_clauses

    title = "示例市自然科学基金管理办法"
    common = {"kind": "policy", "tense": "neutral", "doc": "p", "title": title, "date": "2023-06-12"}
    first = Choice(cand("可与我局共同设立联合基金。", start=0, **common),
                   "2023年6月，我局印发《示例市自然科学基金管理办法》，规定企业可与我局共同设立联合基金。", 1.0)
    second = Choice(cand("联合基金由市财政与合作方按1:1比例共同出资。", start=40, **common),
                    "《示例市自然科学基金管理办法》规定联合基金由市财政与合作方按1:1比例共同出资。", 0.9)
    other = Choice(cand("2026年，3家企业新加入联合基金。", kind="news", doc="n"), "2026年，3家企业新加入联合基金。", 0.8)
    merged = merged_policy_clauses([first, second, other])
    assert [m.text for m in merged] == [
        "2023年6月，我局印发《示例市自然科学基金管理办法》，规定企业可与我局共同设立联合基金；"
        "联合基金由市财政与合作方按1:1比例共同出资。", other.text]
    assert [c.start for c in (merged[0].candidate, *merged[0].support)] == [0, 40]  # both clauses cited
    # Apart, or from two policies, they stay two sentences.
    assert len(merged_policy_clauses([first, other, second])) == 3


def test_money_does_not_move_where_its_policy_has_said_enough() -> None:
    """An item already citing three clauses of a policy takes no fourth one from another item."""
    suggestions = ["引导企业参与基础研究，共同设立联合基金。", "提高青年项目资助强度，推行经费包干制。"]
    title = "示例市自然科学基金管理办法"
    common = {"kind": "policy", "tense": "neutral", "doc": "p", "title": title, "date": "2023-06-12"}
    joint = "联合基金项目重点项目每项资助30万元，一般项目每项资助10万元。"
    pool = [cand("青年项目每项资助5万元，资助期限2年。", idx=1, score=0.6, start=0, **common),
            cand("对经费使用实行包干制试点，青年项目经费由项目负责人自主使用。", idx=1, score=0.55, start=40,
                 **common).model_copy(update={"shared": ["包干制"]}),
            cand("青年项目资助数量原则上不低于资助项目总数的40%。", idx=1, score=0.5, start=60, **common),
            cand(joint, idx=0, score=0.3, start=80, **common), cand(joint, idx=1, score=0.3, start=80, **common),
            cand("2026年，3家企业与我局共同设立联合基金。", idx=0, score=0.5, kind="reply", part="work", doc="r")]
    ch = chooser(pool)
    done = {1: ch.choose(1, "work"), 0: ch.choose(0, "work")}
    assert [c.candidate.start for c in done[1]] == [0, 40, 60] and 80 in {c.candidate.start for c in done[0]}
    ch.rehome_parameters(done, suggestions)
    assert [c.candidate.start for c in done[1]] == [0, 40, 60] and 80 in {c.candidate.start for c in done[0]}


@pytest.mark.parametrize(("score_there", "count_too", "moves"), [
    (0.3, True, False),   # it answers the layout suggestion clearly better: it stays
    (0.48, False, False),  # the layout item would be left with nothing
])
def test_money_stays_where_it_fits_better_or_is_all_an_item_has(score_there: float, count_too: bool,
                                                                 moves: bool) -> None:
    suggestions = ["优化中试平台布局。", "加大资金支持力度。"]
    grant = "对新认定的市级中试平台按新增中试设备投入的30%给予建设补助，最高500万元。"
    pool = [cand(grant, idx=0, score=0.5, kind="reply", part="work", doc="r"),
            cand(grant, idx=1, score=score_there, kind="reply", part="work", doc="r")]
    if count_too:
        pool.append(cand("全市市级中试平台累计达到11家。", idx=0, score=0.45, kind="summary", part="work", doc="s"))
    ch = chooser(pool)
    done = {0: ch.choose(0, "work"), 1: []}
    ch.rehome_parameters(done, suggestions)
    assert bool(done[1]) is moves and "r" in {c.candidate.doc_id for c in done[0]}


def test_a_provision_stating_an_amount_outranks_one_that_states_none() -> None:
    """Every policy sentence opens on its date and number; only an amount of the provision's own counts."""
    title = "关于印发《示例市高新技术企业培育库管理办法》的通知"
    amount = cand("对首次入库企业一次性给予5万元培育补助。", kind="policy", date="2021-04-08", title=title, score=0.3)
    none = cand("对整体迁入本市的高新技术企业，参照首次认定标准给予奖励。", kind="policy", date="2021-04-08",
                title=title, score=0.3, start=40)
    ch = chooser([amount, none])
    judged_amount, judged_none = ch._judge(amount, "work", 0.2), ch._judge(none, "work", 0.2)
    assert judged_amount is not None and judged_none is not None
    assert judged_amount.score > judged_none.score + 0.15


def test_a_budget_line_says_the_money_was_allocated() -> None:
    line = cand("中试平台和概念验证类资金6200万元，用于中试平台建设补助、运营补助及概念验证项目资助。", date="2024-03-28")
    assert Writer(OPTS, GZ).work(line).endswith("我市安排中试平台和概念验证类资金6200万元，用于中试平台建设补助、运营补助及概念验证项目资助。")
    spent = cand("2024年，我局安排专项经费500万元，用于支持中试平台建设。", date="2024-03-28")
    assert "我市安排" not in Writer(OPTS, GZ).work(spent)  # it says who allocated it already


def test_a_policy_issued_with_other_bodies_says_so() -> None:
    title = "广州市科学技术局　广州市财政局关于印发《广州市科技创新券管理办法》的通知（穗科规字〔2022〕3号）"
    joint = cand("对企业使用创新券的，按服务费用的50%予以抵扣。", kind="policy", date="2022-08-26", title=title,
                 tense="neutral")
    assert Writer(OPTS, GZ).work(joint).startswith("2022年8月，我局会同市财政局印发《广州市科技创新券管理办法》")
    alone = joint.model_copy(update={"meta": joint.meta.model_copy(update={
        "title": "广州市科学技术局关于印发《广州市科技创新券管理办法》的通知"})})
    assert Writer(OPTS, GZ).work(alone).startswith("2022年8月，我局印发《广州市科技创新券管理办法》")


def test_a_past_reply_gives_up_to_three_measures_to_an_item() -> None:
    texts = ["新认定市级中试平台6家，按新增设备投入30%给予建设补助。",
             "概念验证中心立项支持项目37项，安排资助资金1150万元。",
             "中小企业使用平台服务可用科技创新券抵扣一半费用，全年发放创新券2000万元。",
             "技术经纪人培训班举办4期，累计培训学员860名。"]
    pool = [cand(t, kind="reply", part="work", doc="r1", start=100 * n, score=0.9 - 0.1 * n, date="2024-07-25")
            for n, t in enumerate(texts)]
    chosen = chooser(pool).choose(0, "work")
    assert len(chosen) == 3 and {c.candidate.doc_id for c in chosen} == {"r1"}


def test_a_part_given_with_its_total_is_not_the_total() -> None:
    keys = measure_keys("截至2024年底，全市市级以上科技企业孵化器30家，其中国家级6家，专业孵化器9家。")
    assert keys[("孵化器", "家")] == "30家"  # not 6家: 其中国家级6家 is a part of the 30


def test_a_second_clause_of_a_policy_comes_in_when_it_answers_another_part_of_the_ask() -> None:
    title = "关于印发《示例市自然科学基金管理办法》的通知"
    first = cand("青年项目资助数量原则上不低于当年资助项目总数的40%。", kind="policy", title=title, doc="p1",
                 score=0.6, tense="neutral")
    lump = cand("对经费使用实行“包干制”试点，青年项目经费由项目负责人自主使用。", kind="policy", title=title,
                doc="p1", start=80, score=0.4, tense="neutral")
    same = cand("青年项目申请人应当具有博士学位，年龄不超过35周岁。", kind="policy", title=title, doc="p1",
                start=160, score=0.45, tense="neutral")
    first.shared, lump.shared, same.shared = ["青年项目", "资助"], ["青年项目", "包干制"], ["青年项目"]
    chosen = chooser([first, lump, same]).choose(0, "work")
    assert [c.candidate.start for c in chosen] == [0, 80]  # 包干制 is new to the item; the third adds nothing


@pytest.mark.parametrize(("work", "met"), [
    (["2027年，市自然科学基金青年项目资助强度已由每项5万元提高到8万元。"], True),
    (["我局将推动青年项目资助强度由每项5万元提高到8万元。"], False),  # planned, not done
    (["2026年市自然科学基金立项503项，其中青年项目226项。"], False),  # no change reported
    (["2024年，知识产权质押融资风险补偿资金池由3000万元扩大至6000万元。"], False),  # another parameter changed
])
def test_an_ask_to_change_a_parameter_is_adopted_when_the_change_is_reported_done(work: list[str], met: bool) -> None:
    from assistant.engines.compose import adopted

    suggestion = "提高市自然科学基金青年项目的资助强度。适当提高青年项目单项资助额度。"
    assert adopted(suggestion, work) is met
    assert not adopted("加强青年科技人才培养。", work)  # no ask to change a parameter
