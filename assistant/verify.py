"""Verification shared by both engines: citations, figures, support, coverage, jurisdiction, structure.

Nothing is dropped: every problem becomes a flag on its sentence or a check
on the draft, shown to the drafter and the reviewer.
"""

from __future__ import annotations

import re
from typing import Protocol

from assistant.models import PLACEHOLDER, TO_FILL, Checks, Draft, Sentence, Source
from assistant.settings import Settings
from vectorstore.kb import KnowledgeBase

# A figure is a number with its unit, or a year; bare numbers (list markers) are not figures.
FIGURE = re.compile(
    r"(?<![\d.])(\d+(?:[.,]\d+)*)\s*(%|％|亿元|万元|千元|元|亿|万|千|百|家|项|个|名|人次|人|次|所|支|期|场|件|篇|台|套|座|批|户|亩|平方米|公里|千米|米|吨|倍|年|月|日|天|余)"
)
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


def figures(text: str) -> list[str]:
    return [m.group(0).replace(" ", "") for m in FIGURE.finditer(re.sub(r"\[\d+\]", "", text))]


def figure_traceable(fig: str, passages: list[str], sources: list[Source]) -> bool:
    compact = [p.replace(" ", "") for p in passages]
    if any(fig in p for p in compact):
        return True
    m = FIGURE.fullmatch(fig)
    if m and m.group(2) in ("年", "月"):
        # 今年/目前 pinned to the cited source's own date: the date is part of the citation.
        value = int(m.group(1).replace(",", "").split(".")[0])
        for s in sources:
            if m.group(2) == "年" and s.date[:4].isdigit() and value == int(s.date[:4]):
                return True
            if m.group(2) == "月" and s.date[5:7].isdigit() and value == int(s.date[5:7]):
                return True
    return False


_SCORERS: dict[str, SupportScorer] = {}


def support_scorer(settings: Settings | None) -> SupportScorer:
    """The cross-encoder when configured (loaded once), else n-gram overlap."""
    name = settings.cross_encoder if settings else ""
    if not name:
        return NgramSupport()
    if name not in _SCORERS:
        _SCORERS[name] = CrossEncoderSupport(name)
    return _SCORERS[name]


def verify(draft: Draft, kb: KnowledgeBase, settings: Settings | None = None, scorer: SupportScorer | None = None) -> Draft:
    """Recompute every check and flag of ``draft`` against the knowledge base; returns the same object."""
    scorer = scorer or support_scorer(settings)
    threshold = settings.support_threshold if settings else 0.35
    by_id = {s.id: s for s in draft.sources}
    valid = {s.id: _quote_valid(s, kb) for s in draft.sources}
    fig_total = fig_ok = cite_total = cite_ok = 0
    supports: list[float] = []
    jurisdiction_ok = True
    flagged = 0
    for section in draft.letter.sections:
        for item in section.items:
            for sent in item.sentences:
                # Flags raised while drafting (missing evidence, a model citing nothing real) stay.
                sent.flags = [f for f in sent.flags if f == "缺少本地依据" or f.startswith("模型")]
                cited = [by_id[c] for c in sent.citations if c in by_id]
                for c in sent.citations:
                    cite_total += 1
                    if c not in by_id:
                        sent.flags.append(f"引用[{c}]不存在")
                    elif not valid[c]:
                        sent.flags.append(f"引用[{c}]与原文不一致")
                    else:
                        cite_ok += 1
                passages = [s.quote for s in cited if valid[s.id]]
                if TO_FILL in sent.text or PLACEHOLDER in sent.text:
                    sent.support = None
                    flagged += 1
                    continue
                if not sent.citations:
                    sent.flags.append("无引用来源")
                sent.support = scorer.score(sent.text, passages) if passages else 0.0
                supports.append(sent.support)
                if passages and sent.support < threshold:
                    sent.flags.append(f"依据支撑度低（{sent.support:.2f}）")
                for fig in figures(sent.text):
                    fig_total += 1
                    if figure_traceable(fig, passages, [s for s in cited if valid[s.id]]):
                        fig_ok += 1
                    else:
                        sent.flags.append(f"数字“{fig}”在引用原文中找不到")
                if section.role in ("work", "suggestion") and any(not s.own for s in cited):
                    jurisdiction_ok = False
                    sent.flags.append("引用了外地材料，不能写作本局工作")
                if sent.flags:
                    flagged += 1
    checks = Checks(
        citations_valid=round(cite_ok / cite_total, 4) if cite_total else 1.0,
        numbers_traceable=round(fig_ok / fig_total, 4) if fig_total else 1.0,
        coverage=_coverage(draft),
        jurisdiction=jurisdiction_ok,
        mean_support=round(sum(supports) / len(supports), 3) if supports else 0.0,
        flagged_sentences=flagged,
    )
    checks.structure_missing = structure_missing(draft)
    checks.structure = not checks.structure_missing
    draft.checks = checks
    return draft


def _quote_valid(source: Source, kb: KnowledgeBase) -> bool:
    doc = kb.get(source.doc_id)
    return doc is not None and 0 <= source.start < source.end <= len(doc.text) and doc.text[source.start : source.end] == source.quote


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
    """Required parts absent, empty or out of order, in reading order."""
    letter = draft.letter
    missing = [name for name, value in (
        ("标题", letter.title), ("称谓", letter.salutation), ("开头（收悉）", letter.opening),
        ("结束语", letter.closing), ("落款", letter.signature), ("日期", letter.date),
    ) if not value.strip()]
    if "收悉" not in letter.opening:
        missing.append("开头应写明“收悉”")
    roles = [s.role for s in letter.sections]
    if not any(r in ("work", "suggestion") for r in roles):
        missing.append("工作开展情况")
    if "plan" not in roles:
        missing.append("下一步工作打算")
    elif any(r in ("work", "suggestion") for r in roles[roles.index("plan") :]):
        missing.append("顺序：下一步工作打算应在工作开展情况之后")
    if any(not s.items or not any(i.sentences for i in s.items) for s in letter.sections):
        missing.append("有空的部分")
    return missing
