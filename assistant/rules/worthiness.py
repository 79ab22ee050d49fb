"""Whether a sentence belongs in a reply letter: the rule a reviewer applies before any other.

A bureau's archive is mostly not letter material: news leads and bylines, meeting and ceremony reports,
leaders' visits and speeches, policy preambles and definitions, references to "this event", other bodies'
remarks, repealed or draft policies, stale events, generic praise. A reply's 工作开展情况 states a measure
taken or a result of the bureau or city (an action, a named instrument, a parameter or a dated figure);
its 下一步工作打算 states what will be done. These rules say why a sentence fails; the drafter leaves such
sentences out, and verification flags them wherever they come from (an engine, an edit).

The text rules look at the sentence as the letter writes it; the source rules look at what it cites.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from assistant.rules.figures import amounts
from assistant.rules.flags import Flag, FlagCode, flag
from assistant.rules.parameters import PER_UNIT_CAP, states_parameter
from assistant.rules.tense import classify_tense
from assistant.rules.validity import states_draft_in_progress, validity_flag

Role = Literal["work", "plan"]

# Titles people are quoted under; a title (or a short name) before a speech verb marks a quotation.
_TITLES = (r"(?:局长|副局长|主任|副主任|书记|副书记|市长|副市长|区长|副区长|县长|副县长|校长|副校长|院长|副院长|"
           r"主席|副主席|巡视员|副巡视员|调研员|处长|副处长|科长|总经理|董事长|负责人|院士|教授|专家|主任委员|部长|厅长|"
           r"副厅长|秘书长|理事长|会长|所长|局领导|主要领导|分管领导|相关领导)")
_SPEECH_VERB = r"(?:表示|指出|强调|认为|介绍|说|讲|谈到|透露|坦言|称|提到|呼吁|希望|要求|建议|寄语|致辞)"
_EVENT_NOUN = (r"(?:座谈会|研讨会|推进会|交流会|对接会|发布会|见面会|恳谈会|论坛|峰会|年会|大会|会议|工作会|现场会|"
               r"仪式|典礼|开幕式|启动会|沙龙|路演|培训班|活动|大赛|比赛|展会|博览会|洽谈会|报告会|宣讲会)")

# (code, pattern): the first pattern that matches names the reason. Order: the most specific first.
_TEXT_RULES: tuple[tuple[FlagCode, re.Pattern[str]], ...] = (
    (FlagCode.ADDRESSED, re.compile(
        r"您|你们|贵单位|(?<!科技)委员(?!会)|代表提出|提出的(?:建议|提案|意见)|提案|(?<!建)议案|收悉|答复如下|函复如下|"
        r"感谢(?:您|你|各位|委员|代表)|联系人|联系电话|此件|以上意见|特此(?:函复|答复|复函)")),
    (FlagCode.NEWS_LEAD, re.compile(
        r"^[^，。；]{0,24}(?:讯|电)\s*[（(]?(?:记者|通讯员|实习生)|[（(](?:记者|通讯员|实习生|见习记者)[^）)]{0,40}[）)]|"
        r"^(?:本报|本网|新华社|人民网|央视网|中新网)|记者(?:从[^，。]{1,30})?(?:获悉|了解到|注意到|看到|采访|走访)|"
        r"(?:摄|供图|图片来源[^。]*)$|^图为|(?:^|\s|\|)(?:编辑|责任编辑|审核|来源|作者|发布时间)[:：]|"
        r"(?:记者|通讯员)\s*[\u4e00-\u9fff]{2,4}(?:\s|$)")),
    (FlagCode.THIS_EVENT, re.compile(
        r"^[^。：:]{0,20}(?:有|呈现|出现)(?:[一二三四五六七八九十两\d]+)(?:个|处|项|大|方面)?(?:变化|亮点|特点|特色|新变化)[：:]|"
        r"^[^，。]{0,12}(?:提及|所述|列出|所列)的|(?:上述|前述)(?!各条|规定)|"
        r"^(?:其中|这(?![一几]年|些年)|该|此|上述|以上|前述|对此|为此|因此|由此|至此(?![，,][^。]*(?:达到|累计|总数|共有)[^。]*\d))|(?:以|借|通过|在)(?:此次|本次|这次|该次)|^(?:本期|该期|本届|此届|本轮)|(?:此次|本次|这次|该次|本届|此届)(?:" + _EVENT_NOUN[3:-1]
        + r"|发布|调研|对接|合作)")),
    (FlagCode.SPEECH, re.compile(
        _TITLES + r"[\u4e00-\u9fff·]{0,4}(?:同志)?(?:在[^，。；]{0,30})?[，,]?" + _SPEECH_VERB + r"|"
        r"^[\u4e00-\u9fff·]{2,12}" + _SPEECH_VERB + r"[，,:：]|"
        r"(?:他|她|其)(?:说|表示|指出|强调|建议|认为|介绍)|在[\u4e00-\u9fff]{2,8}看来|"
        r"带队(?:赴|到|前往|拜访|走访|调研|考察)|调研组|"
        r"一行(?:\d+人)?(?:赴|到|来到|前往|莅临|走访|深入|先后)|"
        r"(?:莅临|赴|前往|深入)[^，。；]{1,20}(?:调研|考察|视察|走访|慰问|指导)|"
        r"高度(?:认可|评价|肯定|赞扬)|表示(?:充分)?肯定|给予(?:了)?(?:充分|高度)?肯定|"
        r"^“[^”]{12,}”$|^“[^”]{12,}”[^。]{0,40}" + _SPEECH_VERB + r"|"
        # A quoted sentence (it holds its own punctuation, unlike a name: “科信贷”) is someone's words.
        r"^“[^”]{4,}[。！？，][^”]{0,60}”|告诉记者|对记者(?:说|表示|介绍)|接受(?:记者|媒体)?采访")),
    (FlagCode.EVENT, re.compile(
        _EVENT_NOUN + r"[”」》]?(?:[^，。；]{0,30}?)(?:在[^，。；]{1,30})?(?:隆重|顺利|成功)?(?:举行|举办|召开|开幕|闭幕|落幕|开班|启幕)|"
        r"^(?:会议|会上|会中|会后|会议期间|座谈会上|论坛上|活动中|活动现场|仪式上|大会上)|"
        # A publication's credits (《…蓝皮书》由我局指导，…组织编写，…支持发布): who made a report, not a measure.
        r"^《[^》]+》由[^。]{0,40}(?:指导|主办|组织编写|编写|编制)[^。]{0,40}(?:发布|出版|编写)。?$|"
        r"(?:出席|参加|主持|列席)(?:了)?(?:本次|此次)?(?:会议|活动|座谈会|论坛|仪式|开幕式)|"
        r"(?:出席|参加)(?:了)?[^，。；]{0,4}$|由[^，。；]{2,30}主持|与会(?:人员|代表|嘉宾|专家|领导)|"
        r"(?:双方|各方|大家)(?:围绕|就)[^。]{0,40}(?:进行|开展)?了?(?:深入|充分|热烈)?(?:的)?(?:探讨|交流|座谈|讨论)|"
        r"^(?:座谈中|座谈时|交流中|调研中|调研期间|会谈中|活动期间|考察中)|"
        r"(?:分别)?(?:围绕|就)[^。；]{0,40}(?:作|做|进行)了?(?:发言|交流发言|主旨演讲|报告|介绍)$|"
        r"^\d{1,2}月\d{1,2}日(?:上午|下午|晚上|晚|早上|晚间)|"
        r"(?:召开|举行|举办)(?:了)?[^，。；\d]{0,16}(?:会议|座谈会|研讨会|推进会|交流会|专题会)(?![^。]{0,12}\d+(?:场|次|期))|"
        r"听取(?:了)?[^。]{0,40}(?:汇报|介绍)|(?:陪同|一同调研|参加调研)[。]?$|汇聚一堂|齐聚|"
        r"^[^，。；]{2,40}(?:揭牌|开幕|揭幕|落成|开班|启幕)(?:仪式)?(?:举行|成功举办)?[。！]?$")),
    (FlagCode.OTHER_BODY, re.compile(
        r"(?:领导|负责人|代表|专家|嘉宾|企业家)(?:们)?(?:对[^。]{0,60})?(?:提出了?(?:意见|建议)|作了?(?:发言|介绍))|"
        r"介绍了[^。]{0,40}(?:情况|思路|做法|经验|进展)|就[^。]{0,40}提出了?(?:意见|建议)|"
        r"》(?:明确|中)?(?:指出|认为|显示|提出|强调)(?:了)?[：:，,]|"
        r"^(?:中国)?人民银行|^国家[\u4e00-\u9fff]{1,10}(?:部|局|委|中心)|^(?:科技部|教育部|工信部|财政部|国家发改委|商务部)|"
        r"^[\u4e00-\u9fff]{2,4}省[\u4e00-\u9fff]{0,10}(?:厅|局|委|政府)")),
    (FlagCode.PREAMBLE, re.compile(
        r"^(?:为(?:了)?|为进一步|根据|按照|依据)[^。]{0,240}(?:制定|出台|印发|特制定|现制定|制订)(?:本|此)"
        r"(?:办法|措施|意见|方案|细则|规定|条例|通知|指引|计划|规划|政策|若干措施|实施意见|实施方案)|"
        r"结合(?:本市|我市|本区|本县|实际|实际情况)[^。]{0,10}(?:制定|特制定|制订)本|"
        r"现(?:将|就)?[^。]{0,40}(?:印发给你们|通知如下|提出如下意见|予以印发)|"
        r"请(?:结合实际)?(?:认真)?(?:贯彻落实|贯彻执行|遵照执行|组织实施|抓好落实)|实施(?:过程)?中遇到(?:的)?问题|"
        r"请径向[^。]{0,12}反映|常务委员会公告|[（(]\d{4}年\d{1,2}月\d{1,2}日[^）)]{0,60}(?:通过|批准|修正|修订)[）)]|"
        r"党的(?:[一二三四五六七八九十]+大|[一二三四五六七八九十]+届[一二三四五六七八九]中全会)[^。]{0,6}(?:提出|指出|强调|以来)|"
        r"习近平总书记|总书记(?:指出|强调|要求|提出)|"
        r"已经(?:市|区|县|省)?(?:人民)?政府同意|现予公布|予以公布|决定予以批准|"
        r"^为(?:了)?(?:深入|全面|认真|进一步)?贯彻(?:落实)?[^。]{0,240}(?:精神|要求|部署)(?![^。]*(?:我局|我市|市科技局)[^。]{0,10}(?:印发|出台|制定))|"
        r"^为(?:了)?(?:深入|全面|认真|进一步)?(?:贯彻|实施|落实)[^。，]{0,20}(?:战略|方针)[，,]|"
        r"以习近平新时代中国特色社会主义思想为指导|指导思想|基本原则[:：]|总体目标[:：]|坚持[^。]{0,40}的原则|"
        r"(?:全面|深入)贯彻(?:落实)?党的[二十一九大届]+|^(?:19|20)\d{2}年是|时期[，,]是")),
    (FlagCode.DEFINITION, re.compile(
        r"本(?:办法|措施|条例|细则|规定|意见|方案|指引|规程)(?:中)?所称|所称[^。]{1,30}是指|"
        r"^[^。]{0,30}(?:是指|系指)|(?:中心|平台|机构|基地|载体)是(?:为|指|以|由)[^。]{2,60}的(?:机构|平台|组织|载体|主体|单位)|(?:适用|参照)本(?:办法|条例|细则|规定)|"
        r"本(?:办法|措施|条例|细则|规定|意见|方案|指引)(?:自|由)[^。]{0,40}(?:施行|试行|负责解释|起实施|解释)|"
        r"有效期(?:为)?[一二两三四五六七八九十\d]+年|(?:自|从)印发之日起(?:施行|试行|执行|实施|生效)|^第[一二三四五六七八九十百]+条\s*(?:本(?:办法|措施|条例|细则|规定|意见|方案|指引)|为)|"
        r"不得重复(?:申报|支持|享受)|应当(?:如实)?(?:提交|提供|报送)|弄虚作假|追回|信用记录|违规使用|"
        r"(?:申报|申请)(?:材料|程序|条件)(?:如下|包括)|按程序(?:报批|审批)|集中(?:申报|受理)(?:一次)?[，,]|网上受理|"
        r"结果公示|申报(?:时间|截止|受理)|(?:评价|考核|评估)结果分为|"
        r"(?:申请|申报)(?:认定|支持|资助|备案)的[^。]{0,16}应当|^[^。]{0,24}应当(?:具备|满足|符合|在本市|依法)|"
        # An applicant's conditions (建设主体应具备…团队，并配套…自有资金) are not a measure of the bureau's.
        r"(?:申报|建设|申请|承担|运营|依托)(?:主体|单位)(?:原则上)?(?:应|须|需|应当|必须)(?:具备|满足|符合|具有|配套|拥有)|"
        # Who may apply (…的企业，可以申请…) is an eligibility condition, not a measure.
        r"(?:的|等)(?:企业|单位|机构|团队|个人|项目)[，,]?(?:可以|可|均可|方可)(?:申请|申报)")),
    (FlagCode.PROBLEM, re.compile(
        r"(?:仍然|仍|依然|尚|还)(?:存在|面临|有待|有差距|有不足|低于|不高|偏低|薄弱|不够)|存在(?:的)?(?:问题|不足|短板|差距|瓶颈)|"
        r"(?:清醒|也要|同时要|同时也要|必须)(?:地)?看到|不够高|参差不齐|"
        r"(?:不足|短板|瓶颈|堵点|难点|痛点)(?:问题)?(?:较为|比较|十分|仍)?(?:突出|明显)")),
)
_DRAFT_MENTION = re.compile(r"[（(](?:征求意见稿|讨论稿|草案|送审稿)[）)]")

# What makes a sentence concrete: a figure, a named document or programme, a named body, or a concrete act.
_CONCRETE = re.compile(
    r"\d|《[^》]{2,}》|“[^”]{2,}”|"
    r"[\u4e00-\u9fff（）()]{2,}(?:中心|平台|基地|园区|科技园|产业园|实验室|研究院|研究所|基金|联盟|资金池|专项|计划|工程|"
    r"示范区|创新区|孵化器|众创空间|加速器|工作站|服务站|联合体|办法|措施|指引|清单|目录|制度)|"
    r"面向[^，。；]{2,12}的[^，。；]{2,12}(?:方式|模式|政策|措施|服务|产品)|"
    # Work with a named body (配合市委人才办, 会同市财政局): who does it is said.
    r"(?:会同|配合|联合)(?:市|省|区|县)[\u4e00-\u9fff]{0,8}?(?:局|委|办|厅|部)|"
    r"印发|出台|制定|修订|建成|设立|成立|认定|评选|遴选|举办|组织开展|发放|投入|引进|签订|签约|挂牌|揭牌|获批|立项|"
    r"资助|奖励|补助|补贴|兑现|新增|累计|撬动|促成|入驻|备案|授牌|批复|上线|选派|组建|布局|落地|开放|共享|对接|"
    r"搭建|试点|推广|遴选")
_NAMED_BODY = re.compile(
    r"《[^》]{2,}》|[\u4e00-\u9fff（）()]{2,}(?:中心|平台|基地|园区|科技园|产业园|实验室|研究院|研究所|基金|联盟|资金池|专项|"
    r"工程|示范区|创新区|孵化器|众创空间|加速器|工作站|服务站|联合体|办法|措施|指引|清单|目录|制度)")
_ABSTRACT = re.compile(
    r"(?:逐步|不断|日益|日趋|持续|显著|大幅|稳步|明显|全面)(?:提升|提高|增强|优化|完善|形成|改善|加快|激发|彰显|凸显|壮大)|"
    r"迈上新台阶|取得(?:了)?(?:积极|显著|明显|新的|新|良好)?(?:成效|进展|成绩)|(?:坚强|正确)领导下|氛围(?:日渐|日益|更加)?(?:浓厚|活跃)|"
    r"意义重大|具有(?:重要|积极)意义|发挥(?:了)?(?:重要|积极)作用|取得(?:了)?新突破|完成(?:了)?(?:年度)?目标任务|"
    r"认真落实[^。]{0,12}(?:决策部署|工作要求)|开创新局面|再上新台阶|迎难而上|真抓实干|交出(?:了)?[^。]{0,8}答卷|"
    r"踔厉奋发|勇毅前行|砥砺奋进|担当作为|好经验好做法|落地见效|更加(?:活跃|完善|壮大|有力|浓厚|坚实|凸显)|步伐(?:加快|更快)|"
    # The bureau's own housekeeping (party building, cadres) is not work on a proposal's subject.
    r"党的建设|党建|模范机关|全面从严治党|干部队伍|机关作风")
_CUMULATIVE = re.compile(r"截至|累计|以来|先后|历年")
_IN_PROGRESS = re.compile(r"正在|正抓紧|正加紧|即将|近期将|已(?:经)?启动|启动了?[^。]{0,8}(?:申报|认定|遴选|评审)工作|拟于")
_YEAR = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(?:年|—|－|-|～)")


class CitedSource(Protocol):
    """What the rules need to know of a cited source."""

    @property
    def kind(self) -> str: ...
    @property
    def date(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def valid_until(self) -> str: ...
    @property
    def title(self) -> str: ...


@dataclass(frozen=True)
class Recency:
    """How old a fact may be in a letter: ``years`` before the reply year (cumulative facts one year more)."""

    years: int = 2


# What a source sentence is, whatever the letter makes of it: a preamble stays a preamble behind 印发《…》，提出.
QUOTE_CODES = frozenset({FlagCode.PREAMBLE, FlagCode.DEFINITION, FlagCode.ADDRESSED, FlagCode.PROBLEM,
                         FlagCode.THIS_EVENT, FlagCode.DRAFT_POLICY})


def quote_flags(quote: str) -> list[Flag]:
    """The reasons a cited passage itself cannot stand behind a reply sentence."""
    return [f for f in text_flags(quote) if f.code in QUOTE_CODES]


def text_flags(text: str, role: Role = "work") -> list[Flag]:
    """Reasons the sentence as written does not belong in a reply's ``role`` section."""
    flags: list[Flag] = []
    for code, pattern in _TEXT_RULES:
        if pattern.search(text):
            flags.append(flag(code))
            break
    if _DRAFT_MENTION.search(text) and not states_draft_in_progress(text):
        flags.append(flag(FlagCode.DRAFT_POLICY))
    if not flags and is_generic(text):
        flags.append(flag(FlagCode.GENERIC))
    if role == "plan" and classify_tense(text, "plan") == "done" and not text.startswith(("下一步", "将", "我局将", "我市将")):
        flags.append(flag(FlagCode.PAST_IN_PLAN))
    return flags


def is_generic(text: str) -> bool:
    """True when the sentence names nothing concrete (no figure, document, programme, body or act), or is
    a slogan too short to say anything (用好科技金融这把“金钥匙”)."""
    body = re.sub(r"^(?:一是|二是|三是|四是|五是|同时|此外|另外|其中)[，,]?", "", text)
    body = re.sub(r"^(?:下一步[，,]?)?(?:我局|我市|我们|全市)?(?:将|还将|也将)?", "", body)
    measured = amounts(body)
    if _ABSTRACT.search(body) and not measured and "《" not in body:
        return True
    if len(re.sub(r"[^\u4e00-\u9fff]", "", body)) < 16 and not measured and not _NAMED_BODY.search(body):
        return True
    return not _CONCRETE.search(body)


def source_flags(text: str, sources: Iterable[CitedSource], reply_date: str, role: Role = "work",
                 recency: Recency = Recency()) -> list[Flag]:
    """Reasons the cited sources make the sentence wrong for a letter dated ``reply_date``."""
    flags: list[Flag] = []
    sources = list(sources)
    for s in sources:
        problem = validity_flag(s, reply_date)
        if problem is not None and problem.code == FlagCode.DRAFT_POLICY and states_draft_in_progress(text):
            continue  # said as what it is: a draft out for comment
        if problem is not None and problem.code not in {f.code for f in flags}:
            flags.append(problem)
    year = int(reply_date[:4]) if reply_date[:4].isdigit() else 0
    if role == "work" and year and sources and stale(text, sources, year, recency, reply_date):
        flags.append(flag(FlagCode.STALE))
    if role == "plan" and reply_date[:4].isdigit() and sources and plan_outdated(text, sources, int(reply_date[:4])):
        flags.append(flag(FlagCode.PAST_IN_PLAN))
    return flags


def stale(text: str, sources: list[CitedSource], reply_year: int, recency: Recency = Recency(),
          reply_date: str = "") -> bool:
    """An event or figure too old to report as the bureau's work in this letter.

    A policy in force on the reply date (by default the end of the reply year) is not stale however old; a
    cumulative statement (截至/累计/以来) keeps a year longer; otherwise the newest year the sentence or its
    source speaks of must be recent enough.
    """
    if any(s.kind == "policy" and validity_flag(s, reply_date or f"{reply_year}-12-31") is None for s in sources):
        return False
    if standing_rule(text, sources, reply_year, recency):
        return False
    # A status in progress (正在评审, 已启动申报) is settled by now if it is from an earlier year.
    if _IN_PROGRESS.search(text) and all(s.date[:4].isdigit() and int(s.date[:4]) < reply_year for s in sources):
        return True
    window = recency.years + (1 if _CUMULATIVE.search(text) else 0)
    years = [int(y) for y in _YEAR.findall(text)]
    source_years = [int(s.date[:4]) for s in sources if s.date[:4].isdigit()]
    newest = max(years + source_years) if years or source_years else None
    if newest is None:
        return False
    if years and max(years) < reply_year - window:
        return True
    return newest < reply_year - window


# How much older than a fact may be a past reply that states a rule of a named policy (按照《…办法》，对…给予
# 一次性补助10万元): the rule stands while its policy does; the signer is asked to confirm it (see drafting).
STANDING_RULE_EXTRA_YEARS = 3


def standing_rule(text: str, sources: Sequence[CitedSource], reply_year: int, recency: Recency = Recency()) -> bool:
    """A parameter of a named policy (or a programme's cap per unit, 每项最高支持100万元) as the bureau's own past
    reply states it: not an event that ages, but a rule in force unless its policy was repealed (validity and the
    repeals say so), for a few years past ``recency``."""
    named = "《" in text or PER_UNIT_CAP.search(text)
    if not named or not states_parameter(text) or not sources or any(s.kind != "reply" for s in sources):
        return False
    years = [int(s.date[:4]) for s in sources if s.date[:4].isdigit()]
    return bool(years) and reply_year - max(years) <= recency.years + STANDING_RULE_EXTRA_YEARS


def plan_outdated(text: str, sources: list[CitedSource], reply_year: int) -> bool:
    """A plan is for the reply year or later: dated in it (or a plan titled for it), or a policy in force.

    A target year already past (2023年底前建成… in a 2024 letter) is history whatever the source.
    """
    targets = [int(y) for y in re.findall(r"(20\d{2})年(?:底|前|内|末)?(?:力争|将|要|计划|完成|实现|建成|达到|扩大|突破|新增)", text)]
    targets += [int(y) for y in re.findall(r"(?:到|至|计划|力争)(20\d{2})年", text)]
    if any(y < reply_year for y in targets):
        return True
    if any(y >= reply_year for y in targets):
        return False
    for s in sources:
        if s.kind == "policy" and validity_flag(s, f"{reply_year}-12-31") is None:
            return False
        if s.date[:4].isdigit() and int(s.date[:4]) >= reply_year:
            return False
        if any(int(y) >= reply_year for y in re.findall(r"(20\d{2})年", s.title or "")):
            return False
    return bool(sources)


def sentence_flags(text: str, sources: Iterable[CitedSource], reply_date: str, role: Role = "work",
                   recency: Recency = Recency(), quotes: Iterable[str] = ()) -> list[Flag]:
    """Every letter-worthiness reason: from the text as written, from the cited passages, from their sources."""
    found = text_flags(text, role)
    for quote in quotes:
        found += [f for f in quote_flags(quote) if f.code not in {g.code for g in found}]
    if states_draft_in_progress(text):
        # The draft's own notice stands behind a sentence that calls it a draft, its window for comments too
        # (公众可于…反馈意见 speaks to the public, the letter does not).
        found = [f for f in found if f.code not in (FlagCode.DRAFT_POLICY, FlagCode.ADDRESSED)]
    codes = {f.code for f in found}
    return found + [f for f in source_flags(text, sources, reply_date, role, recency) if f.code not in codes]
