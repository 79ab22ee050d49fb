"""What every engine shares: numbering cited passages, laying out the two layouts, the reference list."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.evidence import Candidate, Evidence
from assistant.headings import item_heading, quoted_suggestion
from assistant.models import DraftOptions, Item, Reference, Section, Source

CN_ORDINALS = "一二三四五六七八九十"


def cn_ordinal(n: int) -> str:
    if n <= 10:
        return CN_ORDINALS[n - 1]
    return ("" if n < 20 else CN_ORDINALS[n // 10 - 1]) + "十" + (CN_ORDINALS[n % 10 - 1] if n % 10 else "")


@dataclass
class SourceRegistry:
    """Numbers cited passages 1, 2, 3… in order of first citation."""

    sources: list[Source] = field(default_factory=list)
    _ids: dict[tuple[str, int, int], int] = field(default_factory=dict)

    def cite(self, ev: Candidate) -> int:
        key = (ev.doc_id, ev.start, ev.end)
        if key not in self._ids:
            self._ids[key] = len(self.sources) + 1
            m = ev.meta
            self.sources.append(Source(
                id=self._ids[key], doc_id=ev.doc_id, chunk_id=ev.chunk_id, title=m.title, issuer=m.issuer,
                region=m.region, date=m.date, quote=ev.quote, start=ev.start, end=ev.end, own=ev.own,
                kind=m.kind, status=m.status, valid_until=m.valid_until, completeness=m.completeness,
                section=ev.section,
            ))
        return self._ids[key]

    def cited_docs(self) -> set[str]:
        return {s.doc_id for s in self.sources}


def layout(options: DraftOptions, suggestions: list[str], work: list[Item], plan: list[Item]) -> list[Section]:
    """The body in the chosen layout: thematic (工作开展情况 / 下一步工作打算) or one section per suggestion."""
    if options.layout == "per_suggestion":
        sections = [
            Section(heading=f"{cn_ordinal(i + 1)}、对“{quoted_suggestion(s)}”建议的回复", role="suggestion",
                    items=[Item(heading="", sentences=work[i].sentences, suggestion_index=i)])
            for i, s in enumerate(suggestions)
        ]
        _number(plan)
        sections.append(Section(heading=f"{cn_ordinal(len(sections) + 1)}、下一步工作计划", role="plan", items=plan))
        return sections
    # Under 工作开展情况 an item names the ask it reports on (（一）关于扩大科技信贷风险补偿覆盖面): the ask's own words
    # alone would read as a claim that it was done. Under 下一步 they read as what will be done, as they should.
    for item in work:
        if item.heading and not item.heading.startswith(("关于", "（")):
            item.heading = f"关于{item.heading}"
    _number(work)
    _number(plan)
    return [Section(heading="一、工作开展情况", role="work", items=work),
            Section(heading="二、下一步工作打算", role="plan", items=plan)]


def _number(items: list[Item]) -> None:
    for j, item in enumerate(items):
        if item.heading and not item.heading.startswith("（"):
            item.heading = f"（{cn_ordinal(j + 1)}）{item.heading}"


def heading_for(suggestion: str) -> str:
    return item_heading(suggestion)


def references(evidence: Evidence, registry: SourceRegistry, limit: int = 6) -> list[Reference]:
    """Practice elsewhere with a concrete content (a figure or a named measure), one per document."""
    refs: list[Reference] = []
    seen_docs: set[str] = set()
    for ev in sorted(evidence.elsewhere, key=lambda e: (-e.score, e.doc_id, e.start)):
        if ev.doc_id in seen_docs or (ev.tense == "plan" and not any(ch.isdigit() for ch in ev.text)):
            continue
        seen_docs.add(ev.doc_id)
        refs.append(Reference(source_id=registry.cite(ev), region=ev.meta.region or ev.meta.issuer, text=ev.text))
        if len(refs) == limit:
            break
    return refs
