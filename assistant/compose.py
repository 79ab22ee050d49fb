"""The Compose engine: a deterministic letter built only from retrieved sentences.

Every sentence of the body is a sentence of a source (with light, safe edits:
lead numbering dropped, 今年/去年/目前 pinned to the source's own date, a
policy sentence prefixed with the policy's name), so every figure in it is in
the passage it cites. Where the knowledge base has nothing of the bureau's own,
the item says 【待补充】 instead of inventing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.evidence import Evidence, EvidenceSentence
from assistant.models import (
    TO_FILL,
    DraftOptions,
    Item,
    Letter,
    Proposal,
    Reference,
    Section,
    Sentence,
    Source,
)

CN_ORDINALS = "一二三四五六七八九十"
MAX_PER_ITEM = 4
MIN_SCORE = 0.35
_YEAR = re.compile(r"(20\d{2})年")


@dataclass
class SourceRegistry:
    """Numbers cited passages 1, 2, 3… in order of first citation."""

    sources: list[Source] = field(default_factory=list)
    _ids: dict[tuple[str, int, int], int] = field(default_factory=dict)

    def cite(self, ev: EvidenceSentence) -> int:
        key = (ev.doc_id, ev.start, ev.end)
        if key not in self._ids:
            self._ids[key] = len(self.sources) + 1
            m = ev.meta
            self.sources.append(Source(
                id=self._ids[key], doc_id=ev.doc_id, chunk_id=ev.chunk_id, title=m.title, issuer=m.issuer,
                region=m.region, date=m.date, quote=ev.quote, start=ev.start, end=ev.end, own=ev.own,
            ))
        return self._ids[key]


def cn_ordinal(n: int) -> str:
    if n <= 10:
        return CN_ORDINALS[n - 1]
    return ("" if n < 20 else CN_ORDINALS[n // 10 - 1]) + "十" + (CN_ORDINALS[n % 10 - 1] if n % 10 else "")


def short_heading(suggestion: str, limit: int = 22) -> str:
    """The first clause of a suggestion, as an item heading."""
    s = re.sub(r"^(?:建议|要|应|应当)", "", suggestion.strip())
    first = re.split(r"[，。；：,;]", s)[0]
    return first if len(first) <= limit else first[:limit]


def compose(proposal: Proposal, options: DraftOptions, evidence: Evidence, parts: dict[str, str]) -> tuple[Letter, list[Source], list[Reference], list[str]]:
    registry = SourceRegistry()
    warnings: list[str] = []
    suggestions = proposal.suggestions or [proposal.title or "提案所提事项"]
    reply_year = int(options.reply_date[:4]) if options.reply_date[:4].isdigit() else 9999
    used: set[tuple[str, int]] = set()
    work_items: list[Item] = []
    plan_items: list[Item] = []
    for idx, suggestion in enumerate(suggestions):
        done = _pick(evidence.own, idx, ("done", "neutral"), used, reply_year, plan=False)
        if not done:
            done = _pick(evidence.own, idx, ("done", "neutral"), used, reply_year, plan=False, specific=False, limit=2)
        sentences = [_sentence(ev, registry, options) for ev in done]
        if not sentences:
            warnings.append(f"第{idx + 1}条建议“{short_heading(suggestion)}”未检索到本局（本地区）的工作依据，已留【待补充】，请补充后再发出。")
            sentences = [Sentence(text=f"{TO_FILL}（请补充{options.bureau_short}围绕“{short_heading(suggestion)}”已开展的工作及数据）",
                                  flags=["缺少本地依据"])]
        work_items.append(Item(heading=short_heading(suggestion), sentences=sentences, suggestion_index=idx))
        plans = (_pick(evidence.own, idx, ("plan",), used, reply_year, plan=True, limit=2)
                 or _pick(evidence.own, idx, ("plan",), used, reply_year, plan=True, limit=1, specific=False))
        if plans:
            plan_items.append(Item(heading=short_heading(suggestion), sentences=[_sentence(ev, registry, options) for ev in plans],
                                   suggestion_index=idx))
    if not plan_items:
        warnings.append("未检索到本局（本地区）的下一步工作安排，已留【待补充】。")
        plan_items.append(Item(heading="", sentences=[Sentence(text=f"{TO_FILL}（请补充下一步工作打算）", flags=["缺少本地依据"])]))
    sections = _layout(options, suggestions, work_items, plan_items)
    references = _references(evidence, registry, used)
    letter = Letter(
        doc_number="", title=parts["title"], salutation=parts["salutation"], opening=parts["opening"], sections=sections,
        closing=parts["closing"], signature=parts["signature"], date=parts["date"], contact=parts["contact"],
        category=parts["category"], disclosure=parts["disclosure"],
    )
    return letter, registry.sources, references, warnings


def _layout(options: DraftOptions, suggestions: list[str], work: list[Item], plan: list[Item]) -> list[Section]:
    if options.layout == "per_suggestion":
        sections = [
            Section(heading=f"{cn_ordinal(i + 1)}、对“{s}”建议的回复", role="suggestion",
                    items=[Item(heading="", sentences=work[i].sentences, suggestion_index=i)])
            for i, s in enumerate(suggestions)
        ]
        n = len(sections) + 1
        for j, item in enumerate(plan):
            item.heading = f"（{cn_ordinal(j + 1)}）{item.heading}" if item.heading else ""
        sections.append(Section(heading=f"{cn_ordinal(n)}、下一步工作计划", role="plan", items=plan))
        return sections
    for items in (work, plan):
        for j, item in enumerate(items):
            item.heading = f"（{cn_ordinal(j + 1)}）{item.heading}" if item.heading else ""
    return [Section(heading="一、工作开展情况", role="work", items=work),
            Section(heading="二、下一步工作打算", role="plan", items=plan)]


def _pick(pool: list[EvidenceSentence], idx: int, tenses: tuple[str, ...], used: set[tuple[str, int]], reply_year: int,
          plan: bool, limit: int = MAX_PER_ITEM, specific: bool = True) -> list[EvidenceSentence]:
    """Best sentences for suggestion ``idx``; ``specific=False`` is the fallback that accepts topic-only matches."""
    cands = [e for e in pool if e.suggestion_index == idx and e.tense in tenses and (e.doc_id, e.start) not in used
             and e.specific == specific]
    if not plan:
        cands = [e for e in cands if e.part != "plan"]
    else:
        # A plan whose target year is past, or written more than a year before, is history, not a plan.
        cands = [e for e in cands if all(int(y) >= reply_year for y in _YEAR.findall(e.text))
                 and (not e.meta.date[:4].isdigit() or int(e.meta.date[:4]) >= reply_year - 1)
                 and not any(int(y) < reply_year for y in re.findall(r"(20\d{2})年工作计划", e.meta.title))]
    years = [int(e.meta.date[:4]) for e in cands if e.meta.date[:4].isdigit()]
    lo, hi = (min(years), max(years)) if years else (0, 0)

    def score(e: EvidenceSentence) -> float:
        year = int(e.meta.date[:4]) if e.meta.date[:4].isdigit() else lo
        recency = 0.3 * (year - lo) / (hi - lo) if hi > lo else 0.0
        return e.score + recency + (0.1 if e.tense == "done" else 0.0)

    chosen: list[EvidenceSentence] = []
    for e in sorted(cands, key=lambda e: (-score(e), e.doc_id, e.start)):
        if len(chosen) == limit:
            break
        if score(e) < MIN_SCORE or any(_similar(e.text, c.text) for c in chosen):
            continue
        chosen.append(e)
    for e in chosen:
        used.add((e.doc_id, e.start))
    return sorted(chosen, key=lambda e: (e.meta.date or "0", e.doc_id, e.start))


def _similar(a: str, b: str) -> bool:
    ga = {a[i : i + 2] for i in range(len(a) - 1)}
    gb = {b[i : i + 2] for i in range(len(b) - 1)}
    return bool(ga and gb) and len(ga & gb) / len(ga | gb) >= 0.45


def _sentence(ev: EvidenceSentence, registry: SourceRegistry, options: DraftOptions) -> Sentence:
    return Sentence(text=adapt(ev, options), citations=[registry.cite(ev)])


def adapt(ev: EvidenceSentence, options: DraftOptions) -> str:
    """Light, safe edits that keep every figure and make the sentence read right in a new letter."""
    text = ev.text
    year, month = ev.meta.date[:4], ev.meta.date[5:7].lstrip("0")
    reply_year = options.reply_date[:4]
    if year.isdigit() and year != reply_year:
        text = re.sub(r"今年(?!以来)", f"{year}年", text)
        text = text.replace("今年以来", f"{year}年")
        text = text.replace("去年", f"{int(year) - 1}年")
        if month:
            text = re.sub(r"^(?:截至)?目前[，,]?", f"截至{year}年{month}月，", text)
    if ev.meta.kind == "policy" and "《" not in text and ev.meta.title:
        name = re.sub(r"[（(][^）)]*[〔\[]\d{4}[〕\]][^）)]*[）)]", "", ev.meta.title).strip()
        name = re.sub(r"^.*?关于印发|的通知$", "", name).strip("《》")
        text = f"根据《{name}》，{text}"
    text = re.sub(r"[；;，,]$", "。", text)
    return text if text.endswith(("。", "！", "”", "）")) else text + "。"


def _references(evidence: Evidence, registry: SourceRegistry, used: set[tuple[str, int]], limit: int = 6) -> list[Reference]:
    refs: list[Reference] = []
    seen_docs: set[str] = set()
    for ev in sorted(evidence.elsewhere, key=lambda e: (-e.score, e.doc_id, e.start)):
        if ev.doc_id in seen_docs or (ev.tense == "plan" and not re.search(r"\d", ev.text)):
            continue
        seen_docs.add(ev.doc_id)
        refs.append(Reference(source_id=registry.cite(ev), region=ev.meta.region or ev.meta.issuer, text=ev.text))
        if len(refs) == limit:
            break
    return refs
