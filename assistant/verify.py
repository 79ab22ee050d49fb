"""Verification shared by both engines and by edits: every rule of :mod:`assistant.rules`, run on a draft.

Nothing is dropped: every problem becomes a typed flag on its sentence or a check on the draft, shown to
the drafter and the reviewer. Sources are re-read from the knowledge base, so a quote that no longer
matches, a document since marked repealed, or a source of another place is caught on every save.
"""

from __future__ import annotations

import re
from typing import Protocol

from assistant.models import PLACEHOLDER, TO_FILL, Checks, Draft, Sentence, Source
from assistant.repeals import as_repealed, known_repeals
from assistant.rules import figures as figure_rules
from assistant.rules.flags import DRAFTING_CODES, WORTHINESS_CODES, FlagCode, flag
from assistant.rules.jurisdiction import Jurisdiction
from assistant.rules.quotes import quote_valid
from assistant.rules.structure import WORK_ROLES, problems
from assistant.rules.validity import names_repealed
from assistant.rules.worthiness import Recency, Role, sentence_flags
from assistant.settings import Settings
from vectorstore.kb import KnowledgeBase
from vectorstore.types import DocMeta, Document

_SUPPORT_N = 2


class SupportScorer(Protocol):
    def score(self, sentence: str, passages: list[str]) -> float: ...


class NgramSupport:
    """Share of the sentence's character bigrams found in its cited passages (0..1)."""

    def score(self, sentence: str, passages: list[str]) -> float:
        body = re.sub(r"\s|\[\d+\]", "", sentence)
        grams = {body[i : i + _SUPPORT_N] for i in range(len(body) - _SUPPORT_N + 1)}
        if not grams:
            return 0.0
        source = "".join(passages)
        have = {source[i : i + _SUPPORT_N] for i in range(len(source) - _SUPPORT_N + 1)}
        return round(len(grams & have) / len(grams), 3)


class CrossEncoderSupport:
    """A sentence-transformers cross-encoder, when one is configured (name or local folder)."""

    def __init__(self, model: str) -> None:
        from sentence_transformers import CrossEncoder

        self.model = CrossEncoder(model, device="cpu")

    def score(self, sentence: str, passages: list[str]) -> float:
        if not passages:
            return 0.0
        import numpy as np

        raw = self.model.predict([(p, sentence) for p in passages])
        return float(1 / (1 + np.exp(-np.max(raw))))


_SCORERS: dict[str, SupportScorer] = {}


def support_scorer(settings: Settings | None) -> SupportScorer:
    """The cross-encoder when configured (loaded once), else n-gram overlap."""
    name = settings.cross_encoder if settings else ""
    if not name:
        return NgramSupport()
    if name not in _SCORERS:
        _SCORERS[name] = CrossEncoderSupport(name)
    return _SCORERS[name]


def figures(text: str) -> list[str]:
    """The figures of a sentence (see :mod:`assistant.rules.figures`)."""
    return figure_rules.figures(text)


def verify(draft: Draft, kb: KnowledgeBase, settings: Settings | None = None, scorer: SupportScorer | None = None,
           jurisdiction: Jurisdiction | None = None) -> Draft:
    """Recompute every check and flag of ``draft`` against the knowledge base; returns the same object.

    With ``jurisdiction``, whether each source is the bureau's own is decided again from the knowledge
    base's current metadata; without it, the ``own`` mark saved with the source stands.
    """
    scorer = scorer or support_scorer(settings)
    threshold = settings.support_threshold if settings else Settings.model_fields["support_threshold"].default
    recency = Recency(settings.stale_years) if settings else Recency()
    reply_date = draft.options.reply_date
    by_id = {s.id: s for s in draft.sources}
    metas, valid = _refresh_sources(draft.sources, kb, jurisdiction)
    # A rule a later stored one repealed is judged as repealed, as drafting judged it.
    repeals = known_repeals(kb)
    metas = {i: (as_repealed(m, repeals, reply_date) if m is not None else None) for i, m in metas.items()}
    fig_total = fig_ok = cite_total = cite_ok = unworthy = flagged = 0
    supports: list[float] = []
    jurisdiction_ok = True
    for section in draft.letter.sections:
        role: Role | None = "plan" if section.role == "plan" else "work" if section.role in WORK_ROLES else None
        for item in section.items:
            for sent in item.sentences:
                # Flags raised while drafting (missing evidence, a model citing nothing real) stay.
                sent.flags = [f for f in sent.flags if f.code in DRAFTING_CODES]
                cited = [by_id[c] for c in sent.citations if c in by_id]
                for c in sent.citations:
                    cite_total += 1
                    if c not in by_id:
                        sent.flags.append(flag(FlagCode.CITATION_UNKNOWN, str(c)))
                    elif not valid[c]:
                        sent.flags.append(flag(FlagCode.QUOTE_CHANGED, str(c)))
                    else:
                        cite_ok += 1
                good = [s for s in cited if valid[s.id]]
                if TO_FILL in sent.text or PLACEHOLDER in sent.text:
                    sent.support = None
                    flagged += 1
                    continue
                if not sent.citations:
                    sent.flags.append(flag(FlagCode.NO_CITATION))
                passages = [s.quote for s in good]
                # The document's title is shown with its citation (印发《…》 names it), so it supports too.
                sent.support = scorer.score(sent.text, passages + [s.title for s in good]) if passages else 0.0
                supports.append(sent.support)
                if passages and sent.support < threshold:
                    sent.flags.append(flag(FlagCode.LOW_SUPPORT, f"{sent.support:.2f}"))
                for fig in figures(sent.text):
                    fig_total += 1
                    # A document's title and the headings above the quote are shown with the citation, so a
                    # figure they carry (2024年工作总结 → 2024年) is traced too.
                    if figure_rules.traced(fig, passages + [s.title for s in good] + [s.section for s in good],
                                           [s.date for s in good]):
                        fig_ok += 1
                    else:
                        sent.flags.append(flag(FlagCode.FIGURE_UNTRACED, fig))
                if role == "work" and any(not s.own for s in cited):
                    jurisdiction_ok = False
                    sent.flags.append(flag(FlagCode.FOREIGN_SOURCE))
                if role is not None and good:
                    found = sentence_flags(sent.text, [m for s in good if (m := metas[s.id]) is not None],
                                           reply_date, role, recency, quotes=passages)
                    if names_repealed(sent.text, repeals, reply_date) and FlagCode.REPEALED not in {f.code for f in found}:
                        found.append(flag(FlagCode.REPEALED))
                    sent.flags.extend(found)
                    unworthy += bool(found)
                if sent.flags:
                    flagged += 1
    checks = Checks(
        citations_valid=round(cite_ok / cite_total, 4) if cite_total else 1.0,
        numbers_traceable=round(fig_ok / fig_total, 4) if fig_total else 1.0,
        coverage=_coverage(draft),
        jurisdiction=jurisdiction_ok,
        mean_support=round(sum(supports) / len(supports), 3) if supports else 0.0,
        flagged_sentences=flagged,
        unworthy_sentences=unworthy,
    )
    checks.structure_missing = [p.label for p in problems(draft.letter)]
    checks.structure = not checks.structure_missing
    draft.checks = checks
    return draft


def unworthy(sentence: Sentence) -> bool:
    return any(f.code in WORTHINESS_CODES for f in sentence.flags)


def _refresh_sources(sources: list[Source], kb: KnowledgeBase,
                     jurisdiction: Jurisdiction | None) -> tuple[dict[int, DocMeta | None], dict[int, bool]]:
    """Each source's current metadata (None when its document is gone) and whether its quote still equals
    the stored text; its ``own`` mark recomputed. Each document is read once."""
    docs: dict[str, Document | None] = {}
    metas: dict[int, DocMeta | None] = {}
    valid: dict[int, bool] = {}
    for s in sources:
        if s.doc_id not in docs:
            docs[s.doc_id] = kb.get(s.doc_id)
        doc = docs[s.doc_id]
        metas[s.id] = doc.meta if doc is not None else None
        valid[s.id] = quote_valid(s.quote, s.start, s.end, doc.text if doc is not None else None)
        if doc is None:
            continue
        s.kind, s.status, s.valid_until = doc.meta.kind, doc.meta.status, doc.meta.valid_until
        s.completeness = doc.meta.completeness
        if jurisdiction is not None:
            s.own = jurisdiction.is_own(doc.meta)
    return metas, valid


def _answered(sentences: list[Sentence]) -> bool:
    return any(s.citations and TO_FILL not in s.text for s in sentences)


def _coverage(draft: Draft) -> list[bool]:
    n = len(draft.proposal.suggestions) or 1
    answered = [False] * n
    for section in draft.letter.sections:
        for item in section.items:
            if item.suggestion_index is not None and 0 <= item.suggestion_index < n and _answered(item.sentences):
                answered[item.suggestion_index] = True
    return answered


def structure_missing(draft: Draft) -> list[str]:
    """Required parts absent, empty or out of order, in reading order (Chinese labels)."""
    return [p.label for p in problems(draft.letter)]
