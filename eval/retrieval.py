"""Retrieval quality, measured on pairs mined from the gold reply itself.

For each suggestion of the case, the *gold answer* is the part of the real reply that answers it:

- a per-suggestion reply: the section whose quoted suggestion best matches (一、对“…”建议的回复);
- otherwise the item (（一）…) or section whose heading best matches the suggestion;
- when no heading matches (character-bigram Jaccard < 0.3): the reply's work sections, else its body.

The gold reply is excluded from retrieval, so the question is whether *other* documents hold what it says.
The suggestion is the query (``kb.search`` with the case's leave-one-out filters: dated on or before the
reply date, gold excluded); a hit is *relevant* when its chunk text has a character-bigram Jaccard ≥ 0.3
with at least one paragraph (line) or one sentence (10+ content characters) of the gold answer — the
sentences let a short chunk count, whose Jaccard with a whole long paragraph could never reach 0.3.

- ``recall_at_5``: share of suggestions with a relevant hit among the first 5;
- ``mrr_at_10``: mean over suggestions of 1 / rank of the first relevant hit within 10 (0 when none).
"""

from __future__ import annotations

from dataclasses import dataclass

from eval.text import bigram_jaccard, bigrams, content, jaccard
from vectorstore.kb import KnowledgeBase
from vectorstore.reply import parse_reply
from vectorstore.sentences import split_sentences
from vectorstore.types import SearchFilters

RELEVANT_JACCARD = 0.3
MATCH_HEADING = 0.3


@dataclass
class SuggestionResult:
    suggestion: str
    answer_heading: str
    first_relevant_rank: int | None


def gold_answers(gold_text: str, suggestions: list[str]) -> list[tuple[str, list[str]]]:
    """For each suggestion: the heading of the gold's answer and the answer's paragraphs and sentences."""
    parts = parse_reply(gold_text)
    segments: list[tuple[str, str]] = []
    work: list[str] = []
    for sec in parts.sections:
        if sec.body is None:
            continue
        seg = gold_text[sec.heading.end : sec.body.end]
        segments.append((sec.suggestion or sec.heading.text, seg))
        if sec.role in ("work", "suggestion"):
            work.append(seg)
        bounds = [i.start for i in sec.items] + [sec.body.end]
        for item, end in zip(sec.items, bounds[1:], strict=True):
            segments.append((item.text, gold_text[item.start : end]))
    start, end = parts.body_range(len(gold_text))
    fallback = "\n".join(work) or gold_text[start:end]
    out = []
    for sug in suggestions:
        scored = [(bigram_jaccard(sug, head), head, seg) for head, seg in segments]
        best = max(scored, default=(0.0, "", ""), key=lambda t: t[0])
        head, seg = (best[1], best[2]) if best[0] >= MATCH_HEADING else ("(whole body)", fallback)
        paras = [p for p in seg.split("\n") if len(content(p)) >= 10]
        # Sentences as well as paragraphs: a short chunk saying one of the answer's sentences is a find,
        # though its Jaccard with the whole paragraph would be small.
        sents = [s.text for p in paras for s in split_sentences(p) if len(content(s.text)) >= 10]
        out.append((head, list(dict.fromkeys([*paras, *sents]))))
    return out


def retrieval_scores(kb: KnowledgeBase, gold_text: str, suggestions: list[str], filters: SearchFilters,
                     k: int = 10) -> tuple[float | None, float | None, list[SuggestionResult]]:
    results = []
    for sug, (head, paras) in zip(suggestions, gold_answers(gold_text, suggestions), strict=True):
        if not sug.strip() or not paras:
            continue
        para_bigrams = [bigrams(p) for p in paras]
        rank = None
        hits = [h for h in kb.search(sug, k=k, filters=filters) if h.doc_id not in filters.exclude_doc_ids]
        for i, hit in enumerate(hits, start=1):
            hb = bigrams(hit.text)
            if any(jaccard(hb, pb) >= RELEVANT_JACCARD for pb in para_bigrams):
                rank = i
                break
        results.append(SuggestionResult(sug, head, rank))
    if not results:
        return None, None, []
    recall = sum(1 for r in results if r.first_relevant_rank is not None and r.first_relevant_rank <= 5) / len(results)
    mrr = sum(1 / r.first_relevant_rank for r in results if r.first_relevant_rank is not None) / len(results)
    return recall, mrr, results
