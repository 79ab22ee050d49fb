"""Find evidence for each suggestion: sentences of retrieved passages, with tense, scope and relevance.

Retrieval never sees sources dated after the reply, proposals themselves, or documents the caller
excludes. A sentence is the bureau's own work only when its document is the bureau's or its city's
(:mod:`assistant.rules.jurisdiction`); everything else is practice elsewhere and can never be written as
the bureau's own. Whether a candidate belongs in a letter at all is decided later, by the engine, with
:mod:`assistant.rules.worthiness` on the sentence as the letter would write it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, Field

from assistant.models import DraftOptions, Proposal
from assistant.proposal.explanations import explanations
from assistant.repeals import as_repealed, known_repeals
from assistant.rules.figures import RUNNING_TOTAL, figures
from assistant.rules.jurisdiction import Jurisdiction, Scope
from assistant.rules.parameters import (
    asked_parameters,
    asks_parameter,
    states_asked_parameter,
    states_parameter,
)
from assistant.rules.tense import Tense, classify_tense
from assistant.rules.validity import Repeal, consultation_window, names_repealed, policy_name, validity
from assistant.termstats import TermStats, abbreviations, load_termstats
from vectorstore.kb import KnowledgeBase
from vectorstore.tokenize import query_terms, words
from vectorstore.types import Chunk, DocMeta, Hit, SearchFilters, Span

EVIDENCE_KINDS = ["reply", "policy", "news", "summary", "plan"]
GENERIC = frozenset(["不断", "持续", "深入", "稳步", "加快", "积极", "有效", "全面", "建设", "支持", "完善", "提高", "提升", "加大", "加强", "推动", "推进", "强化", "优化", "健全", "机制", "体系", "政策", "工作", "服务", "力度", "范围", "纳入", "引导", "鼓励", "发挥", "作用", "水平", "能力", "建立", "开展", "实施", "落实", "促进", "深化", "扩大", "降低", "探索", "打造", "构建", "创新", "发展", "科技", "我市", "全市", "企业", "方式", "使用", "相关", "有关", "重点", "一批", "专业化", "进行", "问题", "方面", "单位", "部门", "加快推进", "机构", "力度", "体系", "作用", "技术", "科研", "成果", "项目", "申报", "项目申报",
                     # aims and degrees: what every ask wants more of, not what it is about
                     "高水平", "高质量", "一流", "争创", "更多", "进一步", "大力", "着力", "切实"])
# Text that addresses a model rather than a reader is never evidence (prompt injection in a corpus file).
_INSTRUCTION = re.compile(r"忽略(?:以上|上述|之前|前面)|编造|无视.{0,6}(?:要求|指令)|(?:ignore|disregard) (?:all|previous|the above)", re.I)
# Items of one sentence stand alone in a letter: 一是…；二是…, and measures joined by ；.
_ITEM_CUT = re.compile(r"；(?=[一二三四五六七八九十]+是)|；(?=[^；。]{12,})")
_LEAD_ENUM = re.compile(r"^(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[.．、](?!\d)|第[一二三四五六七八九十百]+条)\s*")
_PLAN_SECTION = re.compile(r"下一步|工作计划|工作打算|工作要点|工作安排|重点任务|重点工作|目标任务|\d{4}年(?:主要)?(?:工作)?(?:计划|思路)")
_DONE_SECTION = re.compile(r"工作总结|总结|成效|回顾|成绩|进展情况|完成情况|主要工作|工作情况")
_SENTENCE_END = re.compile(r"[。！；]$|[”）]$")
MIN_CHARS, MAX_CHARS = 14, 240
_ACT = re.compile(r"实施|推进|推动|开展|建设|建成|支持|设立|组织|选派|培育|新增|完成|发放|出台|印发|建立|深化|扩大|提高|加强|"
                  r"引导|鼓励|安排|认定|举办|达到|实现|服务|投资|培训|评审|发布|引进|落地|兑现|给予|探索|完善|优化|打造|"
                  # an outcome reported beside the work (…经费1650万元；2家单位获批省级国际科技合作基地)
                  r"获批|入选|获评|荣获")
# A long suggestion names many things; a sentence speaking to its few most distinctive ones is relevant.
TOP_TERMS = 5
RARE = 0.8
MIN_SCORE = 0.15
# Passages one document may give a suggestion's own-region search: a policy answers article by article,
# so the diversity cap meant for people scanning results would hide its 第四条 behind its 第二条.
PER_DOC = 8


class Candidate(BaseModel):
    """A sentence of a retrieved passage that might answer a suggestion."""

    doc_id: str
    chunk_id: str
    start: int
    end: int
    quote: str = Field(description="The stored text at [start:end]")
    text: str = Field(description="What a letter may start from (lead numbering removed)")
    meta: DocMeta
    part: str = Field(description="Reply part of the chunk: work, plan, suggestion, body, …")
    tense: Tense
    scope: Scope
    own: bool
    score: float = Field(description="Relevance to the suggestion (distinctive terms shared, retrieval rank)")
    fit: float = Field(0.0, description="The shared terms' weight over what a fully relevant sentence shares, "
                       "uncapped: which of several suggestions a sentence relevant to all of them speaks to most")
    suggestion_index: int
    heading: str = ""
    section: str = Field("", description="Headings above the passage, outermost first, joined by ' > '")
    specific: bool = Field(True, description="Shares a term that sets this suggestion apart, not only the proposal's topic")
    core: bool = Field(True, description="Names what every suggestion of the proposal is about (when they share a subject)")
    context: str = Field("", description="Why the whole sentence this clause was cut from cannot be used "
                         "(its speaker or event: 他建议，完善…；完善…), else empty")
    shared: list[str] = Field(default_factory=list, description="Query terms the sentence contains")
    host: str = Field("", description="Who held the event the passage reports (由…主办), for a launch "
                      "reported as 会议正式启动…: the act's subject")
    completed: bool = Field(False, description="A task of a work-plan progress report whose status says it was "
                            "carried out (进展情况：已完成): done as of the report's date, not a plan")
    reference: bool = Field(False, description="Too weak to cite; kept only to tell whether a cited figure is the "
                            "newest statement of its measure")
    answers_parameter: bool = Field(False, description="States today's value of a parameter the suggestion asks to "
                                    "change (运营补助 for 适当提高…运营补助…标准)")


class Evidence(BaseModel):
    own: list[Candidate] = Field(default_factory=list)
    elsewhere: list[Candidate] = Field(default_factory=list)
    newer: list[Candidate] = Field(default_factory=list, description="Own running totals too weak to cite: "
                                   "what a cited figure of the same measure gives way to")


def gather(kb: KnowledgeBase, proposal: Proposal, options: DraftOptions, jurisdiction: Jurisdiction,
           per_query: int = 30, stats: TermStats | None = None) -> Evidence:
    """Candidate sentences for every suggestion (or the title when there are none)."""
    queries = proposal.suggestions or [proposal.title or proposal.body[:200]]
    base = SearchFilters(kinds=EVIDENCE_KINDS, before=options.reply_date, exclude_doc_ids=list(options.exclude_doc_ids))
    own_filter = base.model_copy(update={"region": jurisdiction.region}) if jurisdiction.region else base
    ev = Evidence()
    seen: set[tuple[int, str, int]] = set()
    topic = topic_terms(queries)
    core = core_terms(queries)
    stats = stats or load_termstats(kb)

    own_programmes = programmes(" ".join([proposal.title, *proposal.suggestions, proposal.body]))
    title_subject = {t for t in query_terms(proposal.title) if t not in GENERIC and len(t) >= 3}

    def off_topic(text: str, meta: DocMeta, asked: set[int]) -> bool:
        return other_programme(text, meta.title if meta.kind == "policy" else "", own_programmes, title_subject,
                               asked)

    def lead(doc_id: str, upto: int) -> str:
        doc = kb.get(doc_id)
        return doc.text[:upto] if doc is not None else ""

    reports: dict[str, bool] = {}

    def completed(doc_id: str) -> bool:
        """Whether the document is a progress report of tasks done (read once per document per draft)."""
        if doc_id not in reports:
            reports[doc_id] = reports_completed(lead(doc_id, 20000))
        return reports[doc_id]

    # A heading's paragraph (（二）发挥科创母基金引导作用 / 优化子基金遴选…让利比例) says what is asked: it is
    # searched and weighed with the heading, as an item written on one line would be.
    explained = explanations(proposal.body, proposal.suggestions) if proposal.suggestions else [""]
    for idx, (heading, explanation) in enumerate(zip(queries, explained, strict=True)):
        query = f"{heading}。{explanation}" if explanation else heading
        # The archive's own short names for what the suggestion spells out (科技信贷 → “科信贷”).
        short = abbreviations(query, stats.names)
        full_query = " ".join([f"{query} {proposal.title}" if len(query) < 12 else query, *short])
        # Related measures of what the heading names (a paragraph's own words are searched as they are).
        related = related_terms(heading)
        named = heading if explanation else lead_sentence(heading)
        weights = term_weights(" ".join([query, *short]), topic, related, stats,
                               heading=" ".join([named, *short]) if named else "")
        subject = subject_terms(query, topic) | {t for name in short for t in query_terms(name)}
        # What the bureau files this ask under (全要素…转化服务 → 技术转移) is on its subject too.
        subject |= {t for r in related for t in words(r) if len(t) >= 2 and t not in GENERIC}
        ask = Ask(idx=idx, weights=weights, topic=topic, subject=subject, required=core if core else set(),
                  names=short, programmes=programmes(query), parameter_ask=asks_parameter(query),
                  parameters=asked_parameters(query), local=local_names(heading, jurisdiction.city),
                  listed=listed_terms(query))
        searches = [kb.search(full_query, k=per_query, filters=own_filter, max_per_doc=PER_DOC)]
        if explanation:
            # The paragraph's many words can crowd out passages on what the heading names.
            searches.append(kb.search(" ".join([heading, *short]), k=per_query, filters=own_filter,
                                      max_per_doc=PER_DOC))
        if related:
            # What the bureau files this ask under (最后一公里 → 科技金融), searched in its own documents.
            searches.append(kb.search(" ".join(related), k=per_query // 2, filters=own_filter))
        # The region-restricted passes make sure own evidence is not crowded out by other cities.
        searches.append(kb.search(full_query, k=per_query // 2, filters=base))
        for hits in searches:
            chunks = kb.chunks_by_id([h.chunk_id for h in hits])
            for rank, hit in enumerate(hits):
                chunk = chunks.get(hit.chunk_id)
                if chunk is None:
                    continue
                for cand in _candidates(chunk, hit, rank, ask, jurisdiction, lead, off_topic, completed):
                    key = (idx, cand.doc_id, cand.start)
                    if key in seen:
                        continue
                    seen.add(key)
                    if cand.reference:
                        if cand.own:
                            ev.newer.append(cand)
                        continue
                    (ev.own if cand.own else ev.elsewhere).append(cand)
    ev.own += _draft_notices(kb, ev.own, options.reply_date)
    return _without_repealed(ev, known_repeals(kb), options.reply_date)


def _without_repealed(ev: Evidence, repeals: list[Repeal], at: str) -> Evidence:
    """A rule a later one repealed is marked so (its provisions are not cited as in force), and a sentence
    naming a repealed rule as if current (按照《…暂行办法》（青科规〔2019〕2号）…) is not evidence."""
    if not repeals:
        return ev

    def kept(cands: list[Candidate]) -> list[Candidate]:
        out = []
        for c in cands:
            if names_repealed(c.text, repeals, at) is None:
                meta = as_repealed(c.meta, repeals, at)
                out.append(c if meta is c.meta else c.model_copy(update={"meta": meta}))
        return out

    return Evidence(own=kept(ev.own), elsewhere=kept(ev.elsewhere), newer=kept(ev.newer))


_ANNOUNCED = re.compile(r"(?:起草|拟定|研究制定)(?:了)?《[^》]+》[^。]{0,30}征求意见")


def _draft_notices(kb: KnowledgeBase, own: list[Candidate], reply_date: str) -> list[Candidate]:
    """For a consultation draft of the bureau's found for a suggestion, the sentence announcing it (我局起草了
    《…（征求意见稿）》，现向社会公开征求意见): what stands behind saying the draft is out for comment."""
    drafts = {(c.suggestion_index, c.doc_id): c for c in own
              if c.meta.kind == "policy" and c.specific and validity(c.meta, reply_date) == "draft"}
    found: dict[str, tuple[Chunk, Span] | None] = {}  # each draft's announcement, read once
    out: list[Candidate] = []
    for (_idx, doc_id), cand in drafts.items():
        if doc_id not in found:
            found[doc_id] = next(((ch, _with_window(ch, n)) for ch in kb.chunks(doc_id)
                                  for n, sp in enumerate(ch.sentences) if _ANNOUNCED.search(sp.text)), None)
        hit = found[doc_id]
        if hit is None:
            continue
        # Also when the notice was found on its own: it then stands for the draft with the draft's relevance.
        chunk, span = hit
        out.append(cand.model_copy(update={"chunk_id": chunk.chunk_id, "start": span.start, "end": span.end,
                                           "quote": span.text, "text": span.text, "tense": "done",
                                           "section": " > ".join(chunk.section_path)}))
    return out


def _with_window(chunk: Chunk, n: int) -> Span:
    """The announcing sentence, and the next one when it gives the consultation window (公众可于…至…反馈意见)."""
    span = chunk.sentences[n]
    nxt = chunk.sentences[n + 1] if n + 1 < len(chunk.sentences) else None
    if nxt is None or not consultation_window(nxt.text):
        return span
    return Span(start=span.start, end=nxt.end, text=chunk.text[span.start - chunk.start : nxt.end - chunk.start])


def subject_terms(suggestion: str, topic: set[str]) -> set[str]:
    """What a suggestion is about: the words of its opening sentence (探索成果形成新机制，邀请企业全程参与
    科技研发全过程 is about 研发 as much as 机制), and the proposal's topic."""
    first = re.split(r"[。；;！？\n]", item_heading_source(suggestion))[0][:80]
    head = {t for t in query_terms(first) if t not in GENERIC and len(t) >= 2}
    # The short form the suggestion itself goes on to use (科技创新券 … 创新券) names the same subject.
    head |= {t for t in query_terms(suggestion) if len(t) >= 3 and any(t in h and t != h for h in head)}
    return head | {t for t in topic if t not in GENERIC and len(t) >= 2}


def lead_sentence(suggestion: str) -> str:
    """The opening sentence of a suggestion that goes on to explain it (加大研发费用后补助力度。适当提高…比例，
    简化申报流程…): it names what is asked; "" for a suggestion of one sentence."""
    head, sep, rest = item_heading_source(suggestion).partition("。")
    return head if sep and len(head) >= 6 and len(rest) >= 10 else ""


def item_heading_source(suggestion: str) -> str:
    """The suggestion without its list marker and the ask (建议/要/应) in front."""
    return re.sub(r"^\s*(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[.．、])\s*", "", suggestion)


def core_terms(queries: list[str]) -> set[str]:
    """Words every suggestion names (中试平台 in a proposal on pilot platforms): the proposal's core subject.

    Empty when the suggestions share no such word (a proposal on 成果转化 whose suggestions speak of
    机制, 概念验证, 开放共享 and 服务), and for a single suggestion.
    """
    if len(queries) < 2:
        return set()
    sets = [{t for t in query_terms(q) if t not in GENERIC and len(t) >= 2} for q in queries]
    return set.intersection(*sets)


def topic_terms(queries: list[str]) -> set[str]:
    """Terms most suggestions share: the proposal's topic, which tells the suggestions apart from nothing."""
    if len(queries) < 2:
        return set()
    counts: dict[str, int] = {}
    for q in queries:
        for t in set(query_terms(q)):
            counts[t] = counts.get(t, 0) + 1
    return {t for t, c in counts.items() if c >= max(2, (len(queries) + 1) // 2)}


RELATED_WEIGHT = 0.25
# How much a policy's title speaks for each of its provisions (see _candidates).
TITLE_SHARE = 0.5
# For an ask to change a parameter, a sentence stating one (按…30%给予补助，最高200万元) on the subject.
PARAMETER_BONUS = 0.15
ASKED_PARAMETER_BONUS = 0.25


def term_weights(query: str, topic: set[str], related: list[str] | None = None,
                 stats: TermStats | None = None, heading: str = "") -> dict[str, float]:
    """How much each query term says about this suggestion.

    A word weighs its rarity in the knowledge base (idf, normalised to the rarest term of the query),
    halved for the proposal's topic words, for the bigrams of long words (成果转化 still matches
    科技成果转化) and for words only the explanation under a ``heading`` uses, and small for generic policy
    verbs; terms of related measures weigh little, so a sentence that only speaks of a related measure is not
    taken for an answer to the suggestion itself.
    """
    own_words = set(words(query))
    # Under a heading, the heading names what is asked; its paragraph's other words say how, and weigh half.
    named = set(query_terms(heading)) if heading else None
    raw: dict[str, float] = {}
    for t in query_terms(query):
        if len(t) < 2:
            continue  # 更多 cut to 更 and 多: a single character says nothing of the subject
        rarity = stats.idf(t) if stats else 1.0
        factor = 0.2 if t in GENERIC else 0.5 if t in topic else 1.0
        if t not in own_words:
            factor /= 2
        if named is not None and t not in named:
            factor /= 2
        raw[t] = max(raw.get(t, 0.0), rarity * factor)
    # The scale is set by terms the knowledge base holds: a word no chunk has can never be matched.
    held = [w for t, w in raw.items() if not stats or stats.df.get(t, 0) > 0]
    top = max(held, default=1.0) or 1.0
    weights = {t: w / top for t, w in raw.items() if not stats or stats.df.get(t, 0) > 0}
    for r in related or []:
        for t in words(r):
            if t not in weights and t not in GENERIC and len(t) >= 2:
                weights[t] = RELATED_WEIGHT
    return weights


@lru_cache(maxsize=1)
def _related_table() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    text = resources.files("assistant").joinpath("data/related_terms.txt").read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#") and "|" in line:
            keys, terms = line.split("|", 1)
            rows.append((tuple(keys.split()), tuple(terms.split())))
    return tuple(rows)


@lru_cache(maxsize=1)
def _programme_table() -> tuple[tuple[str, ...], ...]:
    text = resources.files("assistant").joinpath("data/programmes.txt").read_text(encoding="utf-8")
    return tuple(tuple(line.split()) for line in text.splitlines() if line.strip() and not line.startswith("#"))


def programmes(text: str) -> set[int]:
    """The programme families (assistant/data/programmes.txt) ``text`` names."""
    return {i for i, names in enumerate(_programme_table()) if any(n in text for n in names)}


PROGRAMME_HEAD = 24  # characters: where a sentence names what it is about (after its date)


def other_programme(text: str, policy_title: str, proposal_programmes: set[int], subject: set[str],
                    suggestion_programmes: set[int] | None = None) -> bool:
    """A sentence about another programme than the proposal's (named near its start or in its policy's
    title) that names nothing of the proposal's own subject: the shared word is chance."""
    # A policy is about what its title names (《关于深入推行科技特派员制度的实施意见》), whatever a clause mentions;
    # when the suggestion names programmes of its own, the policy must be about one of them (a 知识产权质押
    # policy's loan terms do not answer an ask on 研发费用后补助 in the same proposal).
    titled = programmes(policy_title)
    head = re.sub(r"^(?:截至)?\d{4}年(?:\d{1,2}月)?(?:底|末|以来)?[，,]?", "", text)[:PROGRAMME_HEAD]
    about = programmes(head)
    if titled:
        wanted = suggestion_programmes or proposal_programmes
        # …and a provision that opens on one of the policy's other programmes (联合基金项目按合作方需求…, in the
        # 自然科学基金管理办法) answers an ask that names that programme, not one on another (青年项目).
        asked = suggestion_programmes or set()
        opens_on_other = bool(asked) and bool(about - titled) and not about & asked
        return not titled & wanted or opens_on_other
    if not about or about & proposal_programmes:
        return False
    return not any(t in text for t in subject if len(t) >= 3)


# How much of an ask a clause must name to answer it from a policy for another programme: two of its
# subject terms, one of them long (子女入学 and 住房 in a talent rule's services article).
SUBJECT_NAMED = 2
SUBJECT_LONG = 4


# What follows a city's name in a suggestion, up to a pause: the name of the city's own platform or programme.
_AFTER_CITY = r"(?![市县区])[^，。；、：,;:的和与及（）()“”\s]{3,16}"


def local_names(suggestion: str, city: str) -> list[str]:
    """The city's own named things a suggestion speaks of, each as the forms a sentence may name it by
    (提升澄江科技大市场服务功能 → 澄江科技大市场服务功能, 澄江科技大市场服务, 澄江科技大市场): the city's name and whole
    words after it, at least three characters of them and ending on a word (澄江科技大 would name 澄江科技大学)."""
    bare = city[:-1] if len(city) > 2 and city[-1] in "市县区" else city
    if not bare:
        return []
    out: list[str] = []
    for m in re.finditer(re.escape(bare) + _AFTER_CITY, suggestion):
        tokens = words(m.group(0))
        for n in range(len(tokens), 0, -1):
            name = "".join(tokens[:n])
            if len(name) >= len(bare) + 3 and len(tokens[n - 1]) >= 2 and name.startswith(bare):
                out.append(name)
    return out


def names_subject(text: str, subject: set[str]) -> bool:
    named = {t for t in subject if len(t) >= 2 and t not in GENERIC and t in text}
    return len(named) >= SUBJECT_NAMED and any(len(t) >= SUBJECT_LONG for t in named)


def related_terms(query: str) -> list[str]:
    """Terms of the measures a suggestion's words are usually answered with (assistant/data/related_terms.txt)."""
    out: list[str] = []
    for keys, terms in _related_table():
        if any(k in query for k in keys):
            out.extend(t for t in terms if t not in out and t not in query)
    return out


@dataclass(frozen=True)
class Ask:
    """One suggestion as sentence scoring needs it (built once per suggestion in ``gather``)."""

    idx: int
    weights: dict[str, float]
    topic: set[str]
    subject: set[str]
    required: set[str]
    names: list[str] = field(default_factory=list)  # the archive's short names for what it spells out
    programmes: set[int] = field(default_factory=set)
    parameter_ask: bool = False
    parameters: list[tuple[str, ...]] = field(default_factory=list)
    local: list[str] = field(default_factory=list)  # the city's own platforms and programmes it names
    listed: set[str] = field(default_factory=set)  # the items of its own enumerations
    compounds: dict[str, float] = field(default_factory=dict)  # two of its words written as one (联合基金)


def _candidates(chunk: Chunk, hit: Hit, rank: int, ask: Ask, jurisdiction: Jurisdiction,
                lead: Callable[[str, int], str] | None = None,
                off_topic: Callable[[str, DocMeta, set[int]], bool] | None = None,
                is_report: Callable[[str], bool] | None = None) -> list[Candidate]:
    weights, topic, subject, required = ask.weights, ask.topic, ask.subject, ask.required
    names, asked, parameter_ask, parameters = ask.names, ask.programmes, ask.parameter_ask, ask.parameters
    local, listed, idx = ask.local, ask.listed, ask.idx
    meta = DocMeta(kind=hit.kind, title=hit.title, issuer=hit.issuer, region=hit.region, date=hit.date,  # type: ignore[arg-type]
                   status=hit.status, valid_until=hit.valid_until, doc_number=hit.doc_number,  # type: ignore[arg-type]
                   completeness=hit.completeness)
    scope = jurisdiction.scope(meta)
    total = _attainable(weights)
    distinct = distinctive(weights.keys() - _related_only(weights), topic)
    heading = chunk.section_path[-1] if chunk.section_path else ""
    part = section_part(chunk, meta.kind)
    out = []
    context = _sentence_context(chunk)
    completed = meta.kind in ("plan", "news", "summary") and is_report is not None and is_report(chunk.doc_id)
    title_terms = set(query_terms(policy_name(meta.title, meta.issuer))) if meta.kind == "policy" else set()
    for span in clauses(chunk):
        # Only a launch reported as the meeting's act needs its host, which the report's lead names.
        host = event_host(lead(chunk.doc_id, span.start)) if lead and REPORTED_ACT.match(span.text) else ""
        quote = span.text
        if len(quote) < MIN_CHARS or len(quote) > MAX_CHARS or _INSTRUCTION.search(quote) or not _SENTENCE_END.search(quote):
            continue
        text = _LEAD_ENUM.sub("", quote)
        if text != quote and len(text) < 20 and not re.search(r"\d", text):
            continue  # an item's heading (（二）加大中试平台支持力度。), not a statement
        if _bare(text) and _bare(text) in _bare(meta.title):
            continue  # the document's own title line, not a statement
        # An ask that names no programme (服务保障 for 港澳科研人员) is answered by a clause that names what it asks
        # for (子女入学、住房保障), whatever programme the clause's policy is for.
        if off_topic and off_topic(text, meta, asked) and (asked or not names_subject(text, subject)):
            continue  # about another programme; what it shares with the suggestion is chance
        terms_here = set(query_terms(text))
        # A policy's provision is about what the policy is titled for (对按期还本付息的企业…给予贴息, in the
        # 知识产权质押融资风险补偿资金管理办法), though it does not say so again: its title's terms count at half.
        titled = (title_terms - terms_here) & weights.keys()
        if subject and not subject & (terms_here | titled):
            continue  # not about what the suggestion is about, whatever else it shares
        shared = weights.keys() & terms_here
        weight = sum(weights[t] for t in shared) + TITLE_SHARE * sum(weights[t] for t in titled)
        # The city's own platform or programme the suggestion names (澄江科技大市场) is its subject, however common
        # the words it is made of: the sentence that names it weighs as one sharing the suggestion's rarest term.
        names_local = any(n in text for n in local)
        if names_local:
            weight += max(weights.values(), default=0.0)
        # Sentences that only share the proposal's topic are kept as a fallback for suggestions
        # the knowledge base says nothing specific about.
        # One shared common word is chance (成本, 服务); a sentence on the suggestion's subject shares two,
        # or one term of art (中试基地, 创新券, 产业链).
        own = _words_of(shared & distinct)
        # one rare term of art (中试基地, 创新券) is enough; one common word (中小企业, 成本) is not.
        # A programme the suggestion names (科技特派员, 创新券, 培育库) is a term of art, however common.
        specific = (len(own) >= 2 or any(len(t) >= 3 and weights.get(t, 0) >= RARE for t in own)
                    or (not distinct and bool(shared)) or any(n in text for n in names)
                    or bool(asked and asked & programmes(text)) or names_local)
        core_ok = not required or bool(required & terms_here)
        if not core_ok and not specific:
            continue  # neither about what every suggestion is about (中试, 科技特派员) nor about this one
        # A quarter's stage goal (第一季度：…) is a step of the task the report lists, not a result of its own.
        # A task statement is broad (深化…合作，推进…建设，赋予…自主权): it answers a suggestion it is specific to.
        done_task = completed and not _QUARTER.search(text)
        # Relevance is how much of the suggestion the sentence speaks to; retrieval rank only breaks ties.
        fit = weight / total if total else 0.0
        score = min(1.0, fit) + 0.05 / (1 + rank)
        answers_parameter = False
        if parameter_ask and specific and states_parameter(text):
            # The ask is to change a parameter (适当提高…资助标准): today's parameter is what a reply states first:
            # the very one asked about (项目资助), not another of the same programme (the centre's 建设补助), when
            # the ask names what it pays for.
            if not parameters:
                score += PARAMETER_BONUS
            elif states_asked_parameter(text, parameters):
                score += ASKED_PARAMETER_BONUS
                answers_parameter = True
        if shared and listed_only(text, own or shared, listed):
            # 重点支持成果转化、平台建设、科技金融和农业科技等方面: one item of a list of areas is not the subject.
            specific, score = False, score / 2
        # Too weak to cite, a running total still tells whether a figure the letter cites is the newest
        # (孵化器达到33家 in a speech, beside the 30家 of the year before).
        reference = score < MIN_SCORE
        if reference and not (meta.kind != "policy" and RUNNING_TOTAL.search(text) and figures(text)):
            continue
        out.append(Candidate(
            doc_id=chunk.doc_id, chunk_id=chunk.chunk_id, start=span.start, end=span.end, quote=quote, text=text,
            meta=meta, part="work" if done_task else part,
            tense="done" if done_task else classify_tense(text, part, meta.kind), scope=scope, completed=done_task,
            own=scope in ("bureau", "city"), score=score, fit=fit, suggestion_index=idx, heading=heading,
            section=" > ".join(chunk.section_path), specific=specific, core=core_ok,
            context=next((why for (a, b), why in context.items() if a <= span.start and span.end <= b and
                          (a, b) != (span.start, span.end)), ""),
            shared=sorted(shared), host=host, reference=reference, answers_parameter=answers_parameter,
        ))
    return out


# A progress report on the year's tasks: 进展情况、存在问题及下一步工作建议：已完成 (and nothing still under way).
_COMPLETED = re.compile(r"(?:进展情况|完成情况|工作进展|进度)[^：:\n]{0,30}[：:]\s*已完成")
_UNDER_WAY = re.compile(r"[：:]\s*(?:未完成|推进中|进行中|正在推进|序时推进|部分完成)")


_QUARTER = re.compile(r"^[^。]{0,12}第[一二三四]季度[：:]")


def reports_completed(text: str) -> bool:
    """A progress report whose every task status is 已完成: the tasks it lists were carried out."""
    return bool(_COMPLETED.search(text)) and not _UNDER_WAY.search(text)


# A news report's act: 会议正式启动X / 活动现场签约… — the act is a fact, the meeting is not.
REPORTED_ACT = re.compile(
    r"^(?:会议|会上|活动|论坛|仪式|大会|座谈会|推进会|发布会|启动仪式)(?:上|期间|现场)?[，,]?(?:还)?"
    r"((?:正式|共同|集中|现场)?(?:启动|发布|揭牌|上线|签约|授牌|开通|签订|成立|颁发)(?:了)?)"
)
_HOST = re.compile(r"由([^，。；“”]{2,40}?)(联合|共同)?(?:主办|举办|承办|召开|组织)")


def event_host(before: str) -> str:
    """The organiser the report names before a sentence (由市科技局和番禺区共同主办 → 市科技局和番禺区共同)."""
    found = list(_HOST.finditer(before))
    if not found:
        return ""
    m = found[-1]
    return m.group(1) + ("共同" if m.group(2) else "")


_LIST = re.compile(r"(?:[^，。；：、]{2,14}、){2,}[^，。；：、]{2,14}?(?:等|和|及)[^，。；：、]{0,14}")


def listed_terms(suggestion: str) -> set[str]:
    """The items of the enumerations a suggestion makes itself (围绕新材料、生物医药、智能装备等重点产业链)."""
    return {item for m in _LIST.finditer(suggestion) for item in re.split(r"、|和|及|等", m.group(0)) if item}


def listed_only(text: str, terms: set[str], asked: set[str] | frozenset[str] = frozenset()) -> bool:
    """Every term occurs only inside one item of an enumeration of three or more (A、B、C和D等方面); a list
    several of whose items the suggestion lists too (新材料、生物医药、智能装备) is the point, not a passing
    mention; one whose items only the words of one phrase of the suggestion fall into (农业科技成果转化平台 →
    科技成果转化、创新平台建设、农业科技) is still a passing mention."""
    spans = [m.span() for m in _LIST.finditer(text)]
    if not spans:
        return False
    for t in terms:
        for m in re.finditer(re.escape(t), text):
            if not any(a <= m.start() and m.end() <= b for a, b in spans):
                return False
    items = {item for a, b in spans for item in re.split(r"、|和|及|等", text[a:b]) if item}
    theirs = {t for t in terms if any(t in a or a in t for a in asked)}
    return sum(any(t in item for t in theirs) for item in items) < 2


def _bare(text: str) -> str:
    return re.sub(r"[^\u4e00-\u9fffA-Za-z0-9]", "", text)


def distinctive(terms: set[str] | frozenset[str], topic: set[str]) -> set[str]:
    """The terms that set a suggestion apart: not the proposal's topic, not generic policy words."""
    return {t for t in terms if t not in topic and t not in GENERIC and len(t) >= 2}


def _words_of(terms: set[str]) -> set[str]:
    """Terms without the bigrams of a longer shared term (中小企业 and its 中小 count once)."""
    return {t for t in terms if not any(t != u and t in u for u in terms)}


def _related_only(weights: dict[str, float]) -> set[str]:
    return {t for t, w in weights.items() if w == RELATED_WEIGHT}


def _attainable(weights: dict[str, float]) -> float:
    """What a fully relevant sentence shares: the weight of the query's few most distinctive terms."""
    top = sorted((w for w in weights.values() if w > RELATED_WEIGHT), reverse=True)[:TOP_TERMS]
    return sum(top) or 1.0


def section_part(chunk: Chunk, kind: str) -> str:
    """A summary's or plan's sections say which way they look: 2025年工作计划 forward, 2024年工作总结 back.

    Reply chunks keep the part the reply parser gave them; other documents' chunks are just "body".
    """
    if chunk.part != "body" or kind not in ("summary", "plan"):
        return chunk.part
    for heading in reversed(chunk.section_path):
        if _PLAN_SECTION.search(heading):
            return "plan"
        if _DONE_SECTION.search(heading):
            return "work"
    return chunk.part


_CONTEXT_CODES = {"speech", "event", "news_lead", "preamble", "other_body", "this_event"}


def _sentence_context(chunk: Chunk) -> dict[tuple[int, int], str]:
    """For each whole sentence, the reason its clauses inherit (a speaker, an event, a preamble)."""
    from assistant.rules.worthiness import text_flags

    out = {}
    for span in chunk.sentences:
        codes = [f.code.value for f in text_flags(span.text)]
        if codes and codes[0] in _CONTEXT_CODES:
            # An event lead's act (…举行，首批30个场景集中发布，…) is a fact of its own: only the lead is context.
            act = _LEAD_ACT.search(span.text)
            out[(span.start, span.start + act.end() if act else span.end)] = codes[0]
    return out


def clauses(chunk: Chunk) -> list[Span]:
    """Sentences, with 一是…；二是… runs and ；-joined measures cut into their items (each an exact slice);
    a part too short to stand alone stays with the one before it."""
    out: list[Span] = []
    for span in chunk.sentences:
        cuts: list[int] = []
        for m in _ITEM_CUT.finditer(span.text):
            before = span.text[(cuts[-1] if cuts else 0) : m.end()]
            after = re.split(r"[；。]", span.text[m.end():])[0]
            # A list of amounts (…5000万元；科技特派员资金…) stays one sentence: each part must say what was done.
            if len(before) >= 12 and _ACT.search(before) and _ACT.search(after):
                cuts.append(m.end())
        bounds = [0, *cuts, len(span.text)]
        for a, b in itertools.pairwise(bounds):
            if b > a:
                out.append(Span(start=span.start + a, end=span.start + b, text=span.text[a:b]))
        # An event report's lead (9月25日，…发布暨供需对接会在…举行，首批30个…场景集中发布，…): what was done at it
        # is a clause of its own, the meeting is not.
        lead = _LEAD_ACT.search(span.text)
        if lead and not cuts:
            out.append(Span(start=span.start + lead.end(), end=span.end, text=span.text[lead.end():]))
    return out


_LEAD_ACT = re.compile(r"\d{1,2}月\d{1,2}日[，,][^。；]{4,60}?(?:举行|召开|举办)[，,]"
                       r"(?=[^，。；]{2,30}?(?:集中发布|正式发布|发布|正式启动|揭牌|签约|上线|开通|授牌)[，。；])")
