"""Find evidence for each suggestion: sentences of retrieved passages, with role and jurisdiction.

Retrieval never sees sources dated after the reply, proposals themselves, or
documents the caller excludes. A sentence is this bureau's own work only when
its document is of this bureau or its region; everything else is a reference
practice elsewhere and can never be written as the bureau's own.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from assistant.models import DraftOptions, Proposal
from vectorstore.kb import KnowledgeBase
from vectorstore.tokenize import query_terms
from vectorstore.types import Chunk, DocMeta, Hit, SearchFilters, Span

DONE_CUES = ("已", "累计", "建成", "出台", "印发", "制定", "设立", "开展了", "截至", "目前", "近年来", "今年以来",
             "先后", "共", "达到", "获批", "认定", "兑现", "完成", "实现", "发放", "支持", "新增", "培育")
PLAN_CUES = ("将", "下一步", "持续", "继续", "进一步", "力争", "拟", "计划", "着力", "探索", "争取", "推动", "加快")
_FIGURE = re.compile(r"\d")
# Sentences that speak to a particular proposer or letter make no sense lifted into another letter.
_LETTER_BOUND = re.compile(r"您|你们|贵单位|委员|代表提出|提出的|提案|建议收悉|答复|感谢|如下[:：]|联系人|此件|【示例数据")
GENERIC = frozenset(["不断", "持续", "深入", "稳步", "加快", "积极", "有效", "全面", "建设", "支持", "完善", "提高", "提升", "加大", "加强", "推动", "推进", "强化", "优化", "健全", "机制", "体系", "政策", "工作", "服务", "力度", "范围", "纳入", "引导", "鼓励", "发挥", "作用", "水平", "能力", "建立", "开展", "实施", "落实", "促进", "深化", "扩大", "降低"])
# Text that addresses a model rather than a reader is never evidence (prompt injection in a corpus file).
_INSTRUCTION = re.compile(r"忽略(?:以上|上述|之前|前面)|编造|无视.{0,6}(?:要求|指令)|(?:ignore|disregard) (?:all|previous|the above)", re.I)
_ITEM_CUT = re.compile(r"；(?=[一二三四五六七八九十]+是)")
# A sentence that says when (a year, 截至…) reads correctly in a later letter.
_ANCHORED = re.compile(r"20\d{2}年|截至|以来")
_LEAD_ENUM = re.compile(r"^(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[.．、](?!\d)|第[一二三四五六七八九十]+条)\s*")


@dataclass
class EvidenceSentence:
    doc_id: str
    chunk_id: str
    start: int
    end: int
    quote: str  # the stored text at [start:end]
    text: str  # what the letter may say (lead numbering removed)
    meta: DocMeta
    part: str  # reply part of the chunk: work, plan, suggestion, body, ...
    tense: str  # done | plan | neutral
    own: bool
    score: float
    suggestion_index: int | None = None
    heading: str = ""
    specific: bool = True  # shares a term that sets this suggestion apart, not only the proposal's topic


@dataclass
class Evidence:
    own: list[EvidenceSentence] = field(default_factory=list)
    elsewhere: list[EvidenceSentence] = field(default_factory=list)


def classify_tense(sentence: str, part: str) -> str:
    """done, plan or neutral: strong cues first, then the section the sentence sat in.

    推动/加快/持续 serve both tenses, so they only mark a plan where the source
    itself was a plan section.
    """
    head = sentence[:14]
    if re.search(r"下一步|将|力争|拟|计划|争取|预计", head):
        return "plan"
    if part == "plan" and not re.search(r"已|累计|截至", sentence):
        return "plan"
    if re.search(r"已|累计|截至|建成|出台|印发|获批|兑现|完成|共\S{0,6}\d|\d{4}年(?:以来)?[，,]|今年以来|目前|先后", sentence):
        return "done"
    if part in ("work", "suggestion"):
        return "done"
    if any(c in head for c in PLAN_CUES):
        return "plan"
    if any(c in sentence for c in DONE_CUES):
        return "done"
    return "neutral"


class Jurisdiction:
    """Decides whether a document is of this bureau or its region."""

    def __init__(self, bureau_name: str, region: str, aliases: list[str] | None = None) -> None:
        self.names = [n for n in [bureau_name, *(aliases or [])] if n]
        self.region = region
        # The city part of the region (示例省示例市 → 示例市) also marks own documents.
        m = re.search(r"([^省区]{1,8}?(?:市|州|县|区))$", region)
        self.city = m.group(1) if m else region

    def is_own(self, meta: DocMeta) -> bool:
        if any(name and name in meta.issuer for name in self.names):
            return True
        if meta.region and self.region and (meta.region.startswith(self.region) or meta.region == self.city):
            return True
        return bool(not meta.region and self.city and meta.issuer.startswith(self.city))


def gather(
    kb: KnowledgeBase, proposal: Proposal, options: DraftOptions, jurisdiction: Jurisdiction, per_query: int = 12,
) -> Evidence:
    """Evidence sentences for every suggestion (or the title when there are none)."""
    queries = proposal.suggestions or [proposal.title or proposal.body[:200]]
    base = SearchFilters(kinds=["reply", "policy", "news"], before=options.reply_date,
                         exclude_doc_ids=list(options.exclude_doc_ids))
    own_filter = base.model_copy(update={"region": jurisdiction.region}) if jurisdiction.region else base
    ev = Evidence()
    seen: set[tuple[int, str, int]] = set()
    topic = topic_terms(queries)
    for idx, query in enumerate(queries):
        full_query = f"{query} {proposal.title}" if len(query) < 12 else query
        weights = term_weights(full_query, topic)
        # The region-restricted pass makes sure own evidence is not crowded out by other cities.
        for hits in (kb.search(full_query, k=per_query, filters=own_filter), kb.search(full_query, k=per_query, filters=base)):
            for rank, hit in enumerate(hits):
                for sent in _sentences(kb, hit, jurisdiction, weights, rank, idx):
                    key = (idx, sent.doc_id, sent.start)
                    if key in seen:
                        continue
                    seen.add(key)
                    (ev.own if sent.own else ev.elsewhere).append(sent)
    return ev


def topic_terms(queries: list[str]) -> set[str]:
    """Terms most suggestions share: the proposal's topic, which tells the suggestions apart from nothing."""
    if len(queries) < 2:
        return set()
    counts: dict[str, int] = {}
    for q in queries:
        for t in set(query_terms(q)):
            counts[t] = counts.get(t, 0) + 1
    return {t for t, c in counts.items() if c >= max(2, (len(queries) + 1) // 2)}


def term_weights(query: str, topic: set[str]) -> dict[str, float]:
    """Distinctive terms weigh 1, topic terms 0.5, generic policy verbs 0.2."""
    return {t: (0.2 if t in GENERIC else 0.5 if t in topic else 1.0) for t in query_terms(query)}


def _sentences(kb: KnowledgeBase, hit: Hit, jurisdiction: Jurisdiction, weights: dict[str, float], rank: int,
               idx: int) -> list[EvidenceSentence]:
    chunk = _chunk(kb, hit)
    if chunk is None:
        return []
    meta = DocMeta(kind=hit.kind, title=hit.title, issuer=hit.issuer, region=hit.region, date=hit.date)  # type: ignore[arg-type]
    own = jurisdiction.is_own(meta)
    total = sum(weights.values()) or 1.0
    distinct = {t for t, w in weights.items() if w == 1.0}
    heading = chunk.section_path[-1] if chunk.section_path else ""
    out = []
    for span in _clauses(chunk):
        quote = span.text
        if (len(quote) < 14 or len(quote) > 220 or _LETTER_BOUND.search(quote) or _INSTRUCTION.search(quote)
                or not re.search(r"[。！；]$|[”）]$", quote)):
            continue
        text = _LEAD_ENUM.sub("", quote)
        shared = weights.keys() & set(query_terms(text))
        weight = sum(weights[t] for t in shared)
        # Sentences that only share the proposal's topic are kept as a fallback for suggestions
        # the knowledge base says nothing specific about.
        specific = bool(shared & distinct) or not distinct
        if weight < min(0.5 if not specific else 1.2, total):
            continue
        score = sum(weights[t] for t in shared) / total + 1.0 / (3 + rank) + (0.15 if _FIGURE.search(text) else 0.0)
        if _ANCHORED.search(text):
            score += 0.1
        out.append(EvidenceSentence(
            doc_id=chunk.doc_id, chunk_id=chunk.chunk_id, start=span.start, end=span.end, quote=quote, text=text,
            meta=meta, part=chunk.part, tense=classify_tense(text, chunk.part), own=own, score=score,
            suggestion_index=idx, heading=heading, specific=specific,
        ))
    return out


def _clauses(chunk: Chunk) -> list[Span]:
    """Sentences, with 一是…；二是…；三是… runs cut into their items (each still an exact slice)."""
    out: list[Span] = []
    for span in chunk.sentences:
        cuts = [m.end() for m in _ITEM_CUT.finditer(span.text)]
        bounds = [0, *cuts, len(span.text)]
        for a, b in itertools.pairwise(bounds):
            if b > a:
                out.append(Span(start=span.start + a, end=span.start + b, text=span.text[a:b]))
    return out


def _chunk(kb: KnowledgeBase, hit: Hit) -> Chunk | None:
    return kb.store.chunks_by_id([hit.chunk_id]).get(hit.chunk_id)
