"""Per-case metrics of a draft against the knowledge base and the bureau's real reply (the gold).

Every metric is a number per case (``None`` when it is undefined for that case, e.g. no figures to trace)
and is aggregated over cases as mean and median of the defined values.

Hard guarantees (must hold for every case of the Compose engine):

- ``citation_validity`` — share of citations (sentence → source) whose source ``quote`` equals the stored
  document text at ``[start:end]``, re-read from the knowledge base. A citation to a missing source id or a
  missing document is invalid. Must be 1.0.
- ``figure_traceability`` — share of figures in the draft's sentences (a number carrying a unit: 亿元, 万元,
  元, 家, 项, 个, 名, 人, 次, %, 年, 月, 日, 余, 倍, 台, 件, …; 1,200 = 1200 and 多 = 余) that occur in the
  stored text (at the source's offsets) of at least one source the same sentence cites, not as the tail of a longer number; a year or month
  equal to that source's own date also counts (a 今年 in a source of 2024 written as 2024年). Must be 1.0.
- ``jurisdiction`` — share of sentences in work sections (工作开展情况 and the per-suggestion answers) that
  cite a source whose region (as the knowledge base files it) is neither the bureau's region nor contains it
  (a provincial document is not foreign to a city; another city is). Must be 0.
- ``leakage`` — number of cited documents that the case excludes (the gold reply and its twins) or that are
  dated after the reply date (the day before the gold). Must be 0.

Quality:

- ``structure`` — share of the eight required parts present and in order: title, salutation, opening, body
  (a 工作开展情况 section or per-suggestion sections), a 下一步 section after the body, closing, signature,
  date. Order is checked on the draft's plain text when it has one. ``structure_check`` is the drafter's own
  ``checks.structure`` (1 or 0).
- ``mean_support`` — mean of the sentences' support scores; ``flagged_share`` — share of sentences flagged.
- ``coverage`` — share of the proposal's suggestions the draft answers (``checks.coverage``).

Closeness to the gold (the real reply; content characters only — no whitespace, punctuation or [n]):

- ``rouge_l`` — character-level ROUGE-L F1 between the draft body (section and item headings and
  sentences) and the gold body (between the acknowledgement and the closing).
- ``keyword_jaccard`` / ``keyword_recall`` — jieba words (two or more characters, stopwords and bare
  numbers removed): Jaccard of the two sets, and the share of the gold's words the draft uses.
- ``evidence_findability`` — share of the gold body's sentences (10+ content characters) that closely match
  (character-bigram Jaccard ≥ 0.5 or ROUGE-L F1 ≥ 0.6) a sentence of a passage retrieved for the draft (the
  chunks of its sources, and its reference practices): how much of what the bureau really wrote was within
  reach of the drafter.
- ``recall_at_5`` / ``mrr_at_10`` — see :mod:`eval.retrieval`.

Cost: ``seconds`` — wall time to draft (and verify) the case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import mean, median
from typing import Any

from assistant.models import TO_FILL, Draft, Sentence, Source
from assistant.rules.figures import normalize, traced
from assistant.rules.jurisdiction import Jurisdiction
from assistant.rules.quotes import quote_valid
from assistant.rules.structure import WORK_ROLES, problems, share_in_order
from assistant.rules.worthiness import Recency, sentence_flags
from eval.cases import EvalCase
from eval.text import (
    bigram_jaccard,
    bigrams,
    content,
    figures,
    jaccard,
    keywords,
    rouge_l,
    strip_markers,
    unigram_f1_bound,
)
from vectorstore.kb import KnowledgeBase
from vectorstore.reply import parse_reply
from vectorstore.sentences import split_sentences
from vectorstore.types import Document


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    higher_is_better: bool
    target: float | None = None


METRICS: tuple[Metric, ...] = (
    Metric("structure", "Structure compliance", True, 1.0),
    Metric("structure_check", "Drafter structure check", True, 1.0),
    Metric("citation_validity", "Citation validity", True, 1.0),
    Metric("figure_traceability", "Figure traceability", True, 1.0),
    Metric("jurisdiction", "Foreign-region work sentences", False, 0.0),
    Metric("leakage", "Leaked sources", False, 0.0),
    Metric("mean_support", "Mean sentence support", True),
    Metric("flagged_share", "Flagged sentences", False),
    Metric("unworthy_share", "Body sentences not letter-worthy", False, 0.0),
    Metric("coverage", "Suggestion coverage", True, 1.0),
    Metric("rouge_l", "ROUGE-L F1 vs gold", True),
    Metric("keyword_jaccard", "Keyword Jaccard vs gold", True),
    Metric("keyword_recall", "Gold keyword recall", True),
    Metric("fact_recall", "Gold concrete-fact recall", True),
    Metric("parse_exact", "Proposal parsed exactly", True, 1.0),
    Metric("never_cited", "Forbidden sentences in the body", False, 0.0),
    Metric("good_fact_recall", "Annotated good facts stated", True),
    Metric("evidence_findability", "Evidence findability", True),
    Metric("recall_at_5", "Retrieval Recall@5", True),
    Metric("mrr_at_10", "Retrieval MRR@10", True),
    Metric("seconds", "Seconds per case", False),
)
METRIC_BY_NAME = {m.name: m for m in METRICS}

FIND_JACCARD, FIND_ROUGE = 0.5, 0.6


@dataclass
class Scored:
    values: dict[str, float | None] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


class DocCache:
    """Documents read once per case; metrics re-check everything against the stored text."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._docs: dict[str, Document | None] = {}

    def get(self, doc_id: str) -> Document | None:
        if doc_id not in self._docs:
            self._docs[doc_id] = self.kb.get(doc_id)
        return self._docs[doc_id]

    def region(self, source: Source) -> str:
        doc = self.get(source.doc_id)
        return doc.meta.region if doc is not None and doc.meta.region else source.region

    def stored(self, source: Source) -> str:
        """The text the source really points at; a quote that misstates it proves nothing."""
        doc = self.get(source.doc_id)
        return doc.text[source.start : source.end] if doc is not None else ""

    def date(self, source: Source) -> str:
        doc = self.get(source.doc_id)
        return doc.meta.date if doc is not None and doc.meta.date else source.date


def sentences_by_role(draft: Draft) -> list[tuple[str, Sentence]]:
    return [(sec.role, s) for sec in draft.letter.sections for item in sec.items for s in item.sentences if s.text.strip()]


def structure(draft: Draft) -> tuple[float, list[str]]:
    """Share of the eight parts present and in order (:mod:`assistant.rules.structure`); the parts that are not."""
    found = problems(draft.letter, draft.text)
    return share_in_order(draft.letter, draft.text), [p.part for p in found if p.label != "有空的部分"]


def citation_validity(draft: Draft, docs: DocCache) -> tuple[float | None, list[str]]:
    sources = {s.id: s for s in draft.sources}
    total, bad = 0, []
    for _, sentence in sentences_by_role(draft):
        for cid in sentence.citations:
            total += 1
            src = sources.get(cid)
            if src is None:
                bad.append(f"[{cid}] no such source")
                continue
            doc = docs.get(src.doc_id)
            if doc is None:
                bad.append(f"[{cid}] document {src.doc_id} not in the knowledge base")
            elif not quote_valid(src.quote, src.start, src.end, doc.text):
                bad.append(f"[{cid}] quote differs from {src.doc_id}[{src.start}:{src.end}]")
    return (None if total == 0 else (total - len(bad)) / total), bad


def figure_traceability(draft: Draft, docs: DocCache) -> tuple[float | None, list[str]]:
    sources = {s.id: s for s in draft.sources}
    total, bad = 0, []
    for _, sentence in sentences_by_role(draft):
        cited = [sources[c] for c in sentence.citations if c in sources]
        for fig in figures(sentence.text):
            total += 1
            if not traced(fig, [docs.stored(s) for s in cited] + [s.title for s in cited] + [s.section for s in cited],
                          [docs.date(s) for s in cited]):
                bad.append(f"{fig} — {strip_markers(sentence.text)[:80]}")
    return (None if total == 0 else (total - len(bad)) / total), bad


def support(draft: Draft) -> tuple[float | None, float | None]:
    sentences = [s for _, s in sentences_by_role(draft)]
    scores = [s.support for s in sentences if s.support is not None]
    flagged = sum(1 for s in sentences if s.flags)
    return (mean(scores) if scores else None), (flagged / len(sentences) if sentences else None)


def coverage(draft: Draft) -> float | None:
    cov = draft.checks.coverage
    return sum(cov) / len(cov) if cov else None


def jurisdiction(draft: Draft, docs: DocCache, rule: Jurisdiction) -> tuple[float | None, list[str]]:
    """Share of work sentences citing a source that is not the bureau's or its city's (the drafter's own rule)."""
    sources = {s.id: s for s in draft.sources}
    work = [s for role, s in sentences_by_role(draft) if role in WORK_ROLES]
    bad = []
    for s in work:
        foreign = [docs.region(sources[c]) or sources[c].issuer for c in s.citations if c in sources
                   and not _own(sources[c], docs, rule)]
        if foreign:
            bad.append(f"{'/'.join(sorted(set(foreign)))} — {strip_markers(s.text)[:80]}")
    return (len(bad) / len(work) if work else None), bad


def _own(source: Source, docs: DocCache, rule: Jurisdiction) -> bool:
    doc = docs.get(source.doc_id)
    return rule.is_own(doc.meta if doc is not None else source)


def unworthy(draft: Draft, docs: DocCache, recency: Recency) -> tuple[float | None, list[str]]:
    """Share of body sentences a reviewer would delete by the letter-worthiness rules (news, speech, event,
    preamble, repealed or draft policy, stale, generic, past facts under 下一步), judged on the text as
    written and on the cited documents as the knowledge base holds them now."""
    sources = {s.id: s for s in draft.sources}
    body = [(role, s) for role, s in sentences_by_role(draft) if role in (*WORK_ROLES, "plan")
            and s.citations and TO_FILL not in s.text]
    bad = []
    for role, s in body:
        metas = [d.meta for c in s.citations if c in sources and (d := docs.get(sources[c].doc_id)) is not None]
        quotes = [sources[c].quote for c in s.citations if c in sources]
        found = sentence_flags(strip_markers(s.text), metas, draft.options.reply_date,
                               "plan" if role == "plan" else "work", recency, quotes=quotes)
        if found:
            bad.append(f"{found[0].code} — {strip_markers(s.text)[:80]}")
    return (len(bad) / len(body) if body else None), bad


_NAMED = re.compile(r"《[^》]{2,60}》|“[^”]{2,30}”")


def concrete_facts(text: str) -> set[str]:
    """The facts a reply states concretely: figures with units, 《named documents》, “named programmes”."""
    return set(figures(text)) | {m.group(0) for m in _NAMED.finditer(strip_markers(text))}


def fact_recall(draft_text: str, gold_text: str) -> tuple[float | None, list[str]]:
    """Share of the gold reply's concrete facts that the draft states too; the ones it misses."""
    gold = concrete_facts(gold_text)
    if not gold:
        return None, []
    body = normalize(strip_markers(draft_text))
    missed = sorted(f for f in gold if normalize(f) not in body)
    return (len(gold) - len(missed)) / len(gold), missed


def _after(date: str, cap: str) -> bool:
    return bool(date) and bool(cap) and date > cap[: len(date)]


def leakage(draft: Draft, docs: DocCache, excluded: list[str], reply_date: str) -> tuple[int, list[str]]:
    leaked = {}
    for src in draft.sources:
        if src.doc_id in excluded:
            leaked[src.doc_id] = f"{src.doc_id} is excluded (the gold reply)"
        elif _after(docs.date(src), reply_date):
            leaked[src.doc_id] = f"{src.doc_id} dated {docs.date(src)} after {reply_date}"
    return len(leaked), sorted(leaked.values())


def draft_body(draft: Draft) -> str:
    lines = []
    for sec in draft.letter.sections:
        lines.append(sec.heading)
        for item in sec.items:
            lines.append(item.heading)
            lines.append("".join(strip_markers(s.text) for s in item.sentences))
    return "\n".join(x for x in lines if x.strip())


def gold_body(gold_text: str) -> str:
    parts = parse_reply(gold_text)
    start, end = parts.body_range(len(gold_text))
    return gold_text[start:end].strip()


def keyword_overlap(draft_text: str, gold_text: str) -> tuple[float | None, float | None]:
    d, g = keywords(draft_text), keywords(gold_text)
    if not g:
        return None, None
    return jaccard(d, g), len(d & g) / len(g)


def passages(draft: Draft, kb: KnowledgeBase) -> list[str]:
    """What retrieval put before the drafter: the whole chunks of its sources, and its references."""
    chunks = kb.chunks_by_id(sorted({s.chunk_id for s in draft.sources if s.chunk_id}))
    out = [chunks[s.chunk_id].text if s.chunk_id in chunks else s.quote for s in draft.sources]
    out += [r.text for r in draft.references]
    return list(dict.fromkeys(p for p in out if p.strip()))


def close_match(a: str, a_bigrams: set[str], b: str, b_bigrams: set[str]) -> bool:
    if jaccard(a_bigrams, b_bigrams) >= FIND_JACCARD:
        return True
    return unigram_f1_bound(a, b) >= FIND_ROUGE and rouge_l(a, b) >= FIND_ROUGE


def evidence_findability(gold: str, found: list[str]) -> tuple[float | None, list[str]]:
    gold_sents = [s.text for s in split_sentences(gold) if len(content(s.text)) >= 10]
    if not gold_sents:
        return None, []
    cands = [(t, bigrams(t)) for p in found for t in (s.text for s in split_sentences(p)) if len(content(t)) >= 4]
    missed = []
    for g in gold_sents:
        gb = bigrams(g)
        if not any(close_match(g, gb, t, tb) for t, tb in cands):
            missed.append(g)
    return (len(gold_sents) - len(missed)) / len(gold_sents), missed


def score_draft(draft: Draft, gold_text: str, kb: KnowledgeBase, *, rule: Jurisdiction, excluded: list[str],
                reply_date: str, recency: Recency | None = None, case: EvalCase | None = None) -> Scored:
    """Every metric except retrieval and speed, which the runner adds; ``case`` adds the annotated-archive ones."""
    docs = DocCache(kb)
    out = Scored()
    if case is not None:
        from eval.archive import doc_ids_by_path, good_fact_recall, never_cited, parse_exact

        ids = doc_ids_by_path(kb) if case.never or case.good_facts else {}
        out.values["parse_exact"] = parse_exact(case)
        out.values["never_cited"], out.details["never_cited"] = never_cited(draft, case, ids)
        out.values["good_fact_recall"], out.details["good_facts_missed"] = good_fact_recall(draft, case, ids)
    out.values["structure"], out.details["structure_missing"] = structure(draft)
    out.values["structure_check"] = 1.0 if draft.checks.structure else 0.0
    out.values["citation_validity"], out.details["invalid_citations"] = citation_validity(draft, docs)
    out.values["figure_traceability"], out.details["untraceable_figures"] = figure_traceability(draft, docs)
    out.values["jurisdiction"], out.details["foreign_sentences"] = jurisdiction(draft, docs, rule)
    out.values["unworthy_share"], out.details["unworthy_sentences"] = unworthy(draft, docs, recency or Recency())
    n_leaked, out.details["leaked_sources"] = leakage(draft, docs, excluded, reply_date)
    out.values["leakage"] = float(n_leaked)
    out.values["mean_support"], out.values["flagged_share"] = support(draft)
    out.values["coverage"] = coverage(draft)
    body, gold = draft_body(draft), gold_body(gold_text)
    out.values["rouge_l"] = rouge_l(body, gold) if gold else None
    out.values["keyword_jaccard"], out.values["keyword_recall"] = keyword_overlap(body, gold)
    out.values["fact_recall"], out.details["facts_missed"] = fact_recall(body, gold)
    out.values["evidence_findability"], missed = evidence_findability(gold, passages(draft, kb))
    out.details["gold_sentences_not_found"] = len(missed)
    out.details["n_sentences"] = len(sentences_by_role(draft))
    out.details["n_citations"] = sum(len(s.citations) for _, s in sentences_by_role(draft))
    out.details["n_sources"] = len(draft.sources)
    return out


def aggregate(rows: list[dict[str, float | None]]) -> dict[str, dict[str, float | int | None]]:
    """Mean, median, n and — for metrics with a target — the share of cases that meet it."""
    out: dict[str, dict[str, float | int | None]] = {}
    for m in METRICS:
        vals = [v for r in rows if (v := r.get(m.name)) is not None]
        agg: dict[str, float | int | None] = {
            "mean": round(mean(vals), 6) if vals else None, "median": round(median(vals), 6) if vals else None,
            "min": min(vals) if vals else None, "max": max(vals) if vals else None, "n": len(vals),
        }
        if m.target is not None:
            agg["meets_target"] = round(sum(1 for v in vals if meets(m, v)) / len(vals), 6) if vals else None
        out[m.name] = agg
    return out


def meets(metric: Metric, value: float | None) -> bool:
    if value is None or metric.target is None:
        return True
    return value >= metric.target - 1e-9 if metric.higher_is_better else value <= metric.target + 1e-9


__all__ = ["METRICS", "Metric", "Scored", "aggregate", "bigram_jaccard", "score_draft"]
