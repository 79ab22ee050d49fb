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

from assistant.models import Draft, Sentence, Source
from eval.text import (
    bigram_jaccard,
    bigrams,
    content,
    figure_in,
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
    Metric("coverage", "Suggestion coverage", True, 1.0),
    Metric("rouge_l", "ROUGE-L F1 vs gold", True),
    Metric("keyword_jaccard", "Keyword Jaccard vs gold", True),
    Metric("keyword_recall", "Gold keyword recall", True),
    Metric("evidence_findability", "Evidence findability", True),
    Metric("recall_at_5", "Retrieval Recall@5", True),
    Metric("mrr_at_10", "Retrieval MRR@10", True),
    Metric("seconds", "Seconds per case", False),
)
METRIC_BY_NAME = {m.name: m for m in METRICS}

WORK_ROLES = ("work", "suggestion")
STRUCTURE_PARTS = ("title", "salutation", "opening", "body", "plan", "closing", "signature", "date")
FIND_JACCARD, FIND_ROUGE = 0.5, 0.6
_WORK_HEADING = re.compile(r"工作开展|开展情况|基本情况|工作进展|办理情况|工作情况|[“\"].+[”\"].*(?:建议|回复|答复)")
_PLAN_HEADING = re.compile(r"下一步|工作打算|工作计划|工作安排|今后")


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


def _is_body(role: str, heading: str) -> bool:
    return role in WORK_ROLES or (role == "other" and bool(_WORK_HEADING.search(heading)))


def _is_plan(role: str, heading: str) -> bool:
    return role == "plan" or (role == "other" and bool(_PLAN_HEADING.search(heading)))


def structure(draft: Draft) -> tuple[float, list[str]]:
    """Share of STRUCTURE_PARTS present and in order; the parts that are not."""
    letter = draft.letter
    filled = [s for s in letter.sections if any(x.text.strip() for i in s.items for x in i.sentences)]
    body = [s.heading for s in filled if _is_body(s.role, s.heading)]
    plan = [s.heading for s in filled if _is_plan(s.role, s.heading)]
    anchors: dict[str, str] = {
        "title": letter.title, "salutation": letter.salutation, "opening": letter.opening,
        "body": body[0] if body else "", "plan": plan[-1] if plan else "",
        "closing": letter.closing, "signature": letter.signature, "date": letter.date,
    }
    order_ok = {"plan": bool(plan) and (not body or _last_index(filled, plan[-1]) > _last_index(filled, body[-1]))}
    text = strip_markers(draft.text)
    cursor, missing = 0, []
    for part in STRUCTURE_PARTS:
        anchor = anchors[part].strip()
        if not anchor or not order_ok.get(part, True):
            missing.append(part)
            continue
        pos = text.find(anchor, cursor) if text else -1
        if pos >= 0:
            cursor = pos + len(anchor)
        elif anchor in text:
            missing.append(part)  # present, but before a part it must follow
        # Absent from the plain text altogether: rendered differently, so order cannot be judged there.
    return (len(STRUCTURE_PARTS) - len(missing)) / len(STRUCTURE_PARTS), missing


def _last_index(sections: list[Any], heading: str) -> int:
    return max(i for i, s in enumerate(sections) if s.heading == heading)


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
            elif not src.quote or doc.text[src.start : src.end] != src.quote:
                bad.append(f"[{cid}] quote differs from {src.doc_id}[{src.start}:{src.end}]")
    return (None if total == 0 else (total - len(bad)) / total), bad


def _dated_by(fig: str, source_date: str) -> bool:
    """A year or month that is the cited source's own date: 今年 in a source of 2024 is 2024年."""
    m = re.fullmatch(r"(\d+)([年月])", fig)
    if not m or not re.match(r"\d{4}", source_date):
        return False
    if m.group(2) == "年":
        return int(m.group(1)) == int(source_date[:4])
    return len(source_date) >= 7 and int(m.group(1)) == int(source_date[5:7])


def figure_traceability(draft: Draft, docs: DocCache) -> tuple[float | None, list[str]]:
    sources = {s.id: s for s in draft.sources}
    total, bad = 0, []
    for _, sentence in sentences_by_role(draft):
        cited = [sources[c] for c in sentence.citations if c in sources]
        for fig in figures(sentence.text):
            total += 1
            if not any(figure_in(fig, docs.stored(s)) or _dated_by(fig, docs.date(s)) for s in cited):
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


def same_region(source_region: str, bureau_region: str) -> bool:
    """Unknown regions are not foreign; a containing region (the province) is not foreign either."""
    a, b = source_region.strip(), bureau_region.strip()
    return not a or not b or a in b or b in a


def jurisdiction(draft: Draft, docs: DocCache, bureau_region: str) -> tuple[float | None, list[str]]:
    sources = {s.id: s for s in draft.sources}
    work = [s for role, s in sentences_by_role(draft) if role in WORK_ROLES]
    bad = []
    for s in work:
        foreign = [docs.region(sources[c]) for c in s.citations if c in sources
                   and not same_region(docs.region(sources[c]), bureau_region)]
        if foreign:
            bad.append(f"{'/'.join(sorted(set(foreign)))} — {strip_markers(s.text)[:80]}")
    return (len(bad) / len(work) if work else None), bad


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
    chunks = kb.store.chunks_by_id(sorted({s.chunk_id for s in draft.sources if s.chunk_id}))
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


def score_draft(draft: Draft, gold_text: str, kb: KnowledgeBase, *, bureau_region: str, excluded: list[str],
                reply_date: str) -> Scored:
    """Every metric except retrieval and speed, which the runner adds."""
    docs = DocCache(kb)
    out = Scored()
    out.values["structure"], out.details["structure_missing"] = structure(draft)
    out.values["structure_check"] = 1.0 if draft.checks.structure else 0.0
    out.values["citation_validity"], out.details["invalid_citations"] = citation_validity(draft, docs)
    out.values["figure_traceability"], out.details["untraceable_figures"] = figure_traceability(draft, docs)
    out.values["jurisdiction"], out.details["foreign_sentences"] = jurisdiction(draft, docs, bureau_region)
    n_leaked, out.details["leaked_sources"] = leakage(draft, docs, excluded, reply_date)
    out.values["leakage"] = float(n_leaked)
    out.values["mean_support"], out.values["flagged_share"] = support(draft)
    out.values["coverage"] = coverage(draft)
    body, gold = draft_body(draft), gold_body(gold_text)
    out.values["rouge_l"] = rouge_l(body, gold) if gold else None
    out.values["keyword_jaccard"], out.values["keyword_recall"] = keyword_overlap(body, gold)
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
