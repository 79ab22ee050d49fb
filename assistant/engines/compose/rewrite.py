"""Safe edits: a source sentence written the way a reply says it, every figure and name kept.

What changes: the bureau's names become 我局 and the city 我市 (outside 《》 and “”); 据介绍/据了解 and a
bureau official's attribution are dropped; 今年/去年/目前/近日 and a bare 4月22日 get the source's year; a
policy provision is written as what the policy does (2024年4月，市政府办公厅印发《…》，提出…) rather than
its preamble; a plan from a work plan or a work-conference speech is written as what will be done
(我局将…). What never changes: figures, names of documents and programmes, the meaning. The source panel
still shows the exact quote, and verification checks the written sentence against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.evidence import REPORTED_ACT, Candidate
from assistant.models import DraftOptions
from assistant.rules.figures import RUNNING_TOTAL, amounts
from assistant.rules.jurisdiction import Jurisdiction
from assistant.rules.validity import policy_name

_ATTRIBUTION = re.compile(
    r"^(?:据[^，。“”]{0,14}?(?:介绍|了解|悉|统计|初步统计)|经(?:核算|统计|测算)|记者(?:从[^，。]{1,30})?(?:获悉|了解到)|"
    # a report's way into its figures (从资金安排看，…)
    r"从[^，。“”]{1,8}(?:看|来看)|"
    # a purpose the report gives before the city's own act (为让特派员“下得去、留得住”，我市…)
    r"为(?:让|了|使)[^，。]{2,24}(?=[，,](?:我市|我局|全市)))[，,]\s*"
)
# A connective that joined the sentence to its neighbour in the source means nothing in a new paragraph.
_CONNECTIVE = re.compile(r"^(?:同时|此外|另外|与此同时|另一方面|此外还|除此之外)[，,]\s*")
# A label or list number in front of the content (重点工作：63.…, 主要做法：…).
_LABEL = re.compile(r"^(?:(?!第[一二三四]季度)[\u4e00-\u9fff]{2,10}[:：]\s*)?(?:\d{1,3}[.．、](?!\d)\s*)?"
                    r"(?:(?:第[一二三四五六七八九十]+|首先|其次|再次|最后)[，,、]\s*)?")
_OFFICIAL = re.compile(
    r"^[^。“”]{0,48}?(?:局长|副局长|主任|副主任|负责人|处长|副处长|巡视员|调研员)[\u4e00-\u9fff·]{0,4}(?:介绍|表示|透露)[，,:：]\s*"
)
_SPEAKER = re.compile(r"^(?:同时|此外)?[，,]?[\u4e00-\u9fff·]{2,6}(?:还|也)?(?:说|表示|指出|强调|提出)[，,:：]\s*")
_PROVISION_OPENERS = ("对", "按", "给予", "凡", "自", "每年", "最高")
_STANDS_ALONE = re.compile(
    r"^(?:[，。、；：,;:]|$|的|在|已|共|累计|全|将|现有|有|新增|各|先后|和|与|及|为|以|是|对|通过|围绕|积极|大力|持续|"
    r"不断|加快|推动|推进|实施|出台|印发|建成|设立|技术合同|地区|高新技术企业|科技型|研发投入|R&D)"
)
_QUOTED = re.compile(r"《[^》]*》|“[^”]*”")
# Work sentences that open with the act itself (推动…, 选派…) lost their subject when cut out of an item.
_VERB_FIRST = re.compile(r"^(?:推动|推进|支持|组织|实施|开展|选派|认定|新认定|出台|印发|举办|联合|会同|指导|遴选|新培训|首次开展|建立|设立)")


# A sentence that opens by issuing a policy: 2023年6月，我局印发《X》（澄科规〔2023〕2号），…
_ISSUED_OPENING = re.compile(r"^(?:\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?[，,]?)?[\u4e00-\u9fff]{0,12}?(?:印发|出台|制定)(?:实施)?"
                             r"《(?P<name>[^》]+)》(?:[（(][^）)]*[）)])?[，,]")


@dataclass
class Writer:
    """Writes candidates into letter sentences for one draft (remembers which policies it has named)."""

    options: DraftOptions
    jurisdiction: Jurisdiction
    named_docs: set[str] = field(default_factory=set)
    # Policies the letter has introduced (印发《…》), whichever source said so.
    named_titles: set[str] = field(default_factory=set)

    def forget_names(self) -> None:
        """Forget which policies the letter has named (before writing its sentences again, in a new order)."""
        self.named_docs.clear()
        self.named_titles.clear()

    def work(self, c: Candidate, commit: bool = False) -> str:
        """The 工作开展情况 sentence for ``c`` (``commit``: remember that its policy has been named)."""
        text = unwrap_attribution(_CONNECTIVE.sub("", unlabel(c.text), count=1))
        # A budget line (中试平台和概念验证类资金6200万元，用于…) says what was allocated without saying so.
        text = _BUDGET_LINE.sub(rf"{self.options.city_short}安排\1\2，用于", text)
        text = event_act(text, c.meta.date, c.host)
        if not (review_year(c) and re.match(r"\d{1,2}月", text)):
            # (a year's review dates its 12月 by the year it reviews, below, not by the day it was written)
            text = pin_dates(text, c.meta.date, self.options.reply_date)
        text = self.own_names(text)
        text = self._dated_and_owned(c, text)
        if c.meta.kind == "policy" and "《" not in text:
            text = self._policy_sentence(c, text, commit)
        else:
            text = self._named_once(text, commit)
        return finish(text)

    def _named_once(self, text: str, commit: bool) -> str:
        """A policy the letter has introduced already is cited by name, not issued again
        (2023年6月，我局印发《X》（文号），对…给予… → 按照《X》，对…给予…)."""
        m = _ISSUED_OPENING.match(text)
        if not m:
            return text
        name, rest = m.group("name"), text[m.end():]
        if name not in self.named_titles:
            if commit:
                self.named_titles.add(name)
            return text
        year = re.match(r"(\d{4})年", text)
        if year and re.match(r"\d{1,2}月", rest):
            rest = f"{year.group(1)}年{rest}"  # 2023年6月印发《X》，12月认定… keeps the year of its 12月
            return f"按照《{name}》，{rest}"
        if rest.startswith(("提出", "明确", "规定")):
            return f"《{name}》{rest}"
        # 2024年3月印发《X》，认定首批…4家: what was done under it keeps its year (a provision, 对…给予…, has none).
        done = year and not rest.startswith(_PROVISION_OPENERS)
        return f"{year.group(1)}年，按照《{name}》，{rest}" if done and year else f"按照《{name}》，{rest}"

    def plan(self, c: Candidate) -> str:
        """The 下一步 sentence for ``c``: what the bureau (or city) will do."""
        text = unlabel(c.text)
        text = _SPEAKER.sub("", text) if c.meta.kind in ("plan", "summary") else text
        if c.meta.kind == "plan" and re.fullmatch(r"“[^“”]+”", text):
            text = text[1:-1]  # a work-conference speech quoted whole: its words are the plan
        text = re.sub(r"^(?:今年|明年|下半年|今后|未来)?(?:要|将|需要|必须|还将|也要)", "", text)
        text = self.own_names(pin_dates(text, c.meta.date, self.options.reply_date))
        if not re.match(r"^(?:下一步|我局|我市|我们|全市|市)", text):
            subject = self.options.bureau_short if c.scope == "bureau" else self.options.city_short
            if _MARKET_TARGET.match(text):
                # 全年新增知识产权质押融资15亿元: banks lend and firms invest; the bureau drives the figure.
                text = f"{subject}将推动全市{text}"
            elif text.startswith("拟"):
                text = f"{subject}{text}"  # 拟将…由20万元提高到30万元: the intention is its own future
            elif _STATE_TARGET.match(text):
                # 共享平台入网仪器达到2600台（套）: a state to reach, which the bureau works towards.
                text = f"{subject}将推动{text}"
            else:
                text = f"{subject}{'' if text.startswith('将') else '将'}{text}"
        return finish(text)

    def own_names(self, text: str) -> str:
        """The bureau's names → 我局, the city → 我市, outside 《》 and “”."""
        parts = re.split(r"(《[^》]*》|“[^”]*”)", text)
        return "".join(p if _QUOTED.fullmatch(p) else self._names_in(p) for p in parts)

    def _names_in(self, text: str) -> str:
        for form in self.jurisdiction.bureau_forms:
            text = text.replace(form, self.options.bureau_short)
        city = self.jurisdiction.city
        if not city:
            return text
        bare = city[:-1] if len(city) > 2 else city
        pattern = re.compile(rf"(?:{re.escape(city)}|{re.escape(bare)})(?!市)")
        out, last = [], 0
        for m in pattern.finditer(text):
            rest = text[m.end():]
            # Only the city standing alone becomes 我市: 示例新材料中试平台 and 澄江科技大市场 are names.
            if not _STANDS_ALONE.match(rest) or (m.start() > 0 and re.match(r"[\u4e00-\u9fff]", text[m.start() - 1])
                                                and text[m.start() - 1] not in "在为于和与及到对由把让使将全助") or (
                    m.start() > 0 and text[m.start() - 1] in "（(“《"):
                continue
            out.append(text[last:m.start()] + self.options.city_short)
            last = m.end()
        out.append(text[last:])
        return "".join(out)

    def _dated_and_owned(self, c: Candidate, text: str) -> str:
        """A summary's figures belong to the year its section reviews (2024年工作总结); a sentence that opens
        with a verb (推动…, 选派…) gets the subject it had in its own document."""
        if c.meta.kind == "policy":
            return text
        dated = re.match(r"^(\d{4}年(?:\d{1,2}月)?)[，,]?", text)
        if dated or text.startswith("截至"):
            # 2024年11月认定第二批…: the bureau's own account of its work says who did it, after the date.
            rest = text[dated.end():] if dated else ""
            if dated and _VERB_FIRST.match(rest) and c.meta.kind in ("reply", "summary") and c.part in ("work", "suggestion"):
                subject = self.options.bureau_short if c.scope == "bureau" else self.options.city_short
                return f"{dated.group(1)}，{subject}{rest}"
            return text
        prefix = ""
        year = review_year(c)
        if (year and not re.search(r"20\d{2}年", text[:12])
                and not _RELATIVE_YEAR.match(text)):
            if re.match(r"\d{1,2}月", text):
                return f"{year}年{text}"
            text = re.sub(r"^全年[，,]?", "", text)
            # A running total is as of the year's end; a year's result (新增…, even with a total after it) is
            # that year's.
            first = re.split(r"[，；]", text)[0]
            total = _RUNNING_TOTAL.search(first) and not _ANNUAL.search(first)
            prefix = f"截至{year}年底，" if total else f"{year}年，"
        if c.completed and c.meta.date[:4].isdigit() and not prefix:
            # A task the progress report marks done: the year's work of whoever it names as lead (牵头单位).
            quarter = re.match(r"(第[一二三四]季度)[：:]", text)
            prefix = f"{c.meta.date[:4]}年{quarter.group(1) if quarter else ''}，"
            text = _task_acts(text[quarter.end():] if quarter else text, c.shared)
        # Only where the source itself reports the bureau's work: a reply's or summary's work section, or a task
        # its progress report marks done.
        if (_VERB_FIRST.match(text) or c.completed) and (
                c.completed or (c.meta.kind in ("reply", "summary") and c.part in ("work", "suggestion"))):
            prefix += self.options.bureau_short if c.scope == "bureau" else self.options.city_short
        return prefix + text

    def _policy_sentence(self, c: Candidate, text: str, commit: bool) -> str:
        name = policy_name(c.meta.title, c.meta.issuer)
        if not name:
            return text
        provision = text.startswith(_PROVISION_OPENERS)
        verb = "明确" if provision else policy_verb(name, text)
        if c.doc_id in self.named_docs or name in self.named_titles:
            return f"按照《{name}》，{text}" if provision else f"《{name}》{verb}{text}"
        if commit:
            self.named_docs.add(c.doc_id)
            self.named_titles.add(name)
        when = cn_month(c.meta.date)
        issuer = self.issuer_short(c)
        number = f"（{c.meta.doc_number}）" if c.meta.doc_number and c.meta.doc_number not in name else ""
        return f"{when + '，' if when else ''}{issuer}印发《{name}》{number}，{verb}{text}"

    def issuer_short(self, c: Candidate) -> str:
        """How the letter names the issuing body: 我局, 市政府办公厅, 市财政局…; a policy the bureau issued with
        others (青岚市科学技术局　青岚市财政局关于印发…) is 我局会同市财政局."""
        if c.scope == "bureau":
            partners = [self._local(b) for b in co_issuers(c.meta.title) if b not in self.jurisdiction.bureau_forms]
            return self.options.bureau_short + (f"会同{'、'.join(partners)}" if partners else "")
        issuer = re.sub(r"[（(][^）)]*[）)]", "", c.meta.issuer).split("、")[0].strip()
        return self._local(issuer).replace("人民政府", "政府") or self.options.city_short

    def _local(self, body: str) -> str:
        """青岚市财政局 → 市财政局: the city's own bodies as a letter of the city names them."""
        city = self.jurisdiction.city
        return "市" + body[len(city):] if city and body.startswith(city) else body


def _task_acts(text: str, shared: list[str]) -> str:
    """A task statement chains the year's acts (深化…合作，强化…发展，推进…技术转移中心…建设，赋予…自主权): the
    letter keeps those on the suggestion's subject (the terms it shares with the suggestion), or all when none is."""
    acts = [a for a in re.split(r"(?<=，)", text.rstrip("。")) if a]
    # Terms of art decide (技术转移, not 创新 that every act has); two-character words only when there are none.
    terms = [t for t in shared if len(t) >= 3] or [t for t in shared if len(t) >= 2]
    kept = [a for a in acts if any(t in a for t in terms)]
    if not kept or len(kept) == len(acts):
        return text
    return "".join(kept).rstrip("，") + "。"


def unlabel(text: str) -> str:
    """Without a label in front (重点工作：63.…); a label that frames a list (…有三个变化：一是…) stays,
    for the list means nothing without it."""
    out = _LABEL.sub("", text, count=1)
    return text if re.match(r"[一二三四五六七八九十]+是", out) else out


def unwrap_attribution(text: str) -> str:
    """Drop 据介绍/记者获悉 and an official's 介绍/表示 in front of a fact (a figure must follow)."""
    text = _ATTRIBUTION.sub("", text)
    m = _OFFICIAL.match(text)
    if (m and re.search(r"\d", text[m.end():]) and not text[m.end():].startswith(("要", "将", "“"))
            and not _NOT_OURS.search(m.group(0))):
        text = text[m.end():]
    return text


# A speaker of another body (鹭川大学有关负责人介绍): what follows is that body's account, not the bureau's.
_NOT_OURS = re.compile(r"大学|学院|学校|公司|集团|银行|研究院|研究所|实验室|协会|学会|商会|医院|企业|园区|省|厅|国家|部")


def event_act(text: str, doc_date: str, host: str = "") -> str:
    """会议正式启动X，促进… → 2024年2月，我局和番禺区共同启动X: what was launched, by whom the report says
    held the event, dated by the report; neither the meeting nor the slogans after the act (clauses with a
    figure stay: 首批签约10所高校 is a fact)."""
    when = cn_month(doc_date)
    m = REPORTED_ACT.match(text)
    if not (m and when):
        return text
    act, rest = m.group(1), text[m.end():]
    clauses = re.split(r"(?<=[，,；;])", rest)
    kept = clauses[0] + "".join(c for c in clauses[1:] if re.search(r"\d", c))
    if host:
        act = "共同" + re.sub(r"^(?:正式|共同|集中|现场)", "", act) if host.endswith("共同") else act
        return f"{when}，{host.removesuffix('共同')}{act}{kept}"
    return f"{when}，{act}{kept}"


def pin_dates(text: str, doc_date: str, reply_date: str) -> str:
    """Relative dates (今年, 去年, 目前, 近日, a yearless 4月22日) read right in a letter of another year."""
    text = looking_back(text, doc_date)
    year, month = doc_date[:4], doc_date[5:7].lstrip("0")
    if year.isdigit() and month:
        # 至此，…达到13家: the total as of the report, which a letter dates.
        text = re.sub(r"^至此[，,]", f"截至{year}年{month}月，", text)
    if year.isdigit():
        # 去年9月 or 今年 read in a letter is a guess at which year; the year itself is not.
        text = text.replace("去年", f"{int(year) - 1}年").replace("前年", f"{int(year) - 2}年")
        # 今年以来 in a source of the reply's own year still runs; in an earlier one it was that year, and a
        # count it reached by a mid-year report (已有12家) is of that month, not of the year.
        if "今年以来" in text and year != reply_date[:4] and month and int(month) < 12:
            text = re.sub(r"(?<=[，,；])(已有|已达|累计)(?=[^，。；]{0,12}\d)", rf"截至{year}年{month}月，\1", text)
        text = text.replace("今年以来", f"{year}年以来" if year == reply_date[:4] else f"{year}年")
        text = text.replace("今年", f"{year}年")
    if year.isdigit() and month and not re.search(r"\d{4}年", text):
        # A status under way (修订后的《细则》正在履行审查程序) was so when reported, even earlier this year.
        text = re.sub(r"^(?=[^，。；]{0,40}正在(?:履行|审查|审核|报批|修订))", f"截至{year}年{month}月，", text)
    if not year.isdigit() or year == reply_date[:4]:
        return text
    if month:
        # A present-tense status is a snapshot of that month, not a cumulative figure.
        text = re.sub(r"^(?:截至)?目前[，,]?", f"{year}年{month}月，", text)
        text = re.sub(r"(?<=[，,；])(?:截至)?目前[，,]?", f"{year}年{month}月，", text)
        text = re.sub(r"^(?:近日|日前|近期)[，,]", f"{year}年{month}月，", text)
        text = re.sub(r"(?<=[\u4e00-\u9fff，,])(?:近日|日前)(?=[\u4e00-\u9fff])", f"{year}年{month}月", text)
    text = re.sub(r"^(?:当前|现阶段|眼下)[，,]", f"{year}年，", text)
    text = re.sub(r"^(\d{1,2}月(?:\d{1,2}日)?)(?=[，,\u4e00-\u9fff])[，,]?", rf"{year}年\1，", text)
    return text


_BUDGET_LINE = re.compile(r"^([^，。；\d]{2,24}?(?:资金|经费))(\d[\d.]*(?:万元|亿元))[，,]用于")
_MARKET_TARGET = re.compile(r"^(?:全年|年内)?(?:新增|实现|完成|达到)[^，。；]{0,12}"
                            r"(?:融资|贷款|成交额|交易额|投资额|营业收入|产值|研发投入|研发经费)")
# A target said as a state (共享平台入网仪器达到2600台（套）), with no act of the bureau's before it.
_STATE_TARGET = re.compile(r"^(?:(?!建设|推进|推动|实施|认定|新增|新建|培育|支持|引导|力争|实现|完成|组织|举办|发放|遴选|选派|开展|"
                           r"设立|出台|制定|修订|扩大|提高|加大|争取|确保)[^，。；]){2,20}?(?:达到|突破|超过|增至)\d")
_RUNNING_TOTAL = RUNNING_TOTAL
_ANNUAL = re.compile(r"新增|新认定|新培训|新纳入|新建|新设|全年|当年|同比|首次|首批")
_RELATIVE_YEAR = re.compile(r"(?:去年|今年|前年|近年|上半年|下半年|年内|年初|年底)")


def review_year(c: Candidate) -> str:
    """The year a summary's or work conference's account of work speaks of: its section's (2023年工作总结),
    else the year before an early-year document; a news report's figures are of its own year; empty for
    other sources."""
    if (c.meta.kind == "news" and c.tense == "done" and amounts(c.text) and c.meta.date[:4].isdigit()
            and not re.search(r"20\d{2}年", c.text)):
        return c.meta.date[:4]
    if c.meta.kind not in ("summary", "plan") or c.part != "work":
        return ""
    section = next((m.group(1) for h in reversed(c.section.split(" > ")) if (m := re.search(r"(20\d{2})年", h))), "")
    return section or reviewed_year(c.meta.date)


def reviewed_year(doc_date: str) -> str:
    """The year a summary or work-conference speech of early Y looks back on (Y-1); empty when undated or
    given later in the year (a mid-year report speaks of its own year, and says so)."""
    if not (doc_date[:4].isdigit() and doc_date[5:7].isdigit()):
        return ""
    return str(int(doc_date[:4]) - 1) if int(doc_date[5:7]) <= 4 else ""


def looking_back(text: str, doc_date: str) -> str:
    """这一年/过去一年/一年来 in a document of early Y (a year's summary or work conference) mean Y-1."""
    if not doc_date[:4].isdigit():
        return text
    year = int(doc_date[:4])
    month = int(doc_date[5:7]) if doc_date[5:7].isdigit() else 12
    reviewed = year - 1 if month <= 4 else year
    return re.sub(r"^(?:这一年|过去一年|过去的一年|一年来)[，,]", f"{reviewed}年，", text)


# Bodies that issue a notice together, before 关于印发: 澄江市科学技术局　澄江市财政局关于印发《…》的通知.
_JOINT = re.compile(r"^((?:[\u4e00-\u9fff]{2,20}?(?:局|委员会|委|厅|办公室|办)[\s　、]+)+[\u4e00-\u9fff]{2,20}?(?:局|委员会|委|厅|办公室|办))关于印发")


def co_issuers(title: str) -> list[str]:
    """The bodies that jointly issued a notice, in the order its title names them; [] for a single issuer."""
    m = _JOINT.match(title.strip())
    return re.split(r"[\s　、]+", m.group(1)) if m else []


def cn_month(date: str) -> str:
    """2024年4月 (or 2024年) from an ISO date."""
    if not date[:4].isdigit():
        return ""
    month = date[5:7].lstrip("0")
    return f"{date[:4]}年{month}月" if month else f"{date[:4]}年"


def finish(text: str) -> str:
    # （以下简称…）/（下称…） only serve the source's later sentences.
    text = re.sub(r"[（(](?:以下|下)简?称[^）)]{1,20}[）)]", "", text.strip())
    text = re.sub(r"[；;，,、：:]$", "。", text)
    return text if text.endswith(("。", "！", "”", "）")) else text + "。"


_RULE = re.compile(r"(?:办法|细则|规定|条例|规则|指引|规程)(?:（[^）]*）)?$")
_PLAN = re.compile(r"(?:规划|计划|纲要|要点)(?:（[^）]*）)?$")


def policy_verb(name: str, clause: str = "") -> str:
    """How a letter says what a policy in force lays down: a rule 规定, an opinion or a set of measures 明确;
    a plan 提出 (what it sets out to do). A clause that says 按规定 itself takes 明确 (not 规定…按规定)."""
    if _PLAN.search(name):
        return "提出"
    return "规定" if _RULE.search(name) and "规定" not in clause[:12] else "明确"
