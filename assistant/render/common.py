"""What every rendering shares: the letter as an ordered list of blocks, and the review summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from assistant.models import Checks, Draft, Letter, Sentence, Source
from assistant.resources import resource_dir

TEMPLATES = resource_dir("templates")

BlockKind = Literal[
    "category", "doc_number", "title", "salutation", "opening", "section", "item", "paragraph",
    "closing", "signature", "date", "disclosure", "contact",
]


@dataclass(frozen=True)
class Block:
    """One line or paragraph of the letter. ``paragraph`` blocks carry sentences instead of text."""

    kind: BlockKind
    text: str = ""
    sentences: list[Sentence] = field(default_factory=list)


@dataclass(frozen=True)
class CheckLine:
    label: str
    value: str
    ok: bool | None = None


def letter_blocks(letter: Letter) -> list[Block]:
    """The letter in reading order; empty optional parts (category, doc number, notes) are left out."""
    blocks: list[Block] = []

    def add(kind: BlockKind, text: str) -> None:
        if text.strip():
            blocks.append(Block(kind, text.strip()))

    add("category", letter.category)
    add("doc_number", letter.doc_number)
    add("title", letter.title)
    add("salutation", letter.salutation)
    add("opening", letter.opening)
    for section in letter.sections:
        add("section", section.heading)
        for item in section.items:
            add("item", item.heading)
            sentences = [s for s in item.sentences if s.text.strip()]
            if sentences:
                blocks.append(Block("paragraph", sentences=sentences))
    add("closing", letter.closing)
    add("signature", letter.signature)
    add("date", letter.date)
    add("disclosure", letter.disclosure)
    add("contact", letter.contact)
    return blocks


def markers(citations: list[int]) -> str:
    """``[1][3]``: the plain-text form of a sentence's citations."""
    return "".join(f"[{n}]" for n in citations)


def sentence_text(sentence: Sentence) -> str:
    return sentence.text.strip() + markers(sentence.citations)


def sorted_sources(draft: Draft) -> list[Source]:
    return sorted(draft.sources, key=lambda s: s.id)


def source_ids(draft: Draft) -> set[int]:
    return {s.id for s in draft.sources}


def all_sentences(letter: Letter) -> list[Sentence]:
    return [s for section in letter.sections for item in section.items for s in item.sentences]


def dangling_citations(draft: Draft) -> list[int]:
    """Citation ids used in the letter that name no source; rendered unlinked and reported."""
    known = source_ids(draft)
    used = {n for s in all_sentences(draft.letter) for n in s.citations}
    return sorted(used - known)


def flagged_sentences(draft: Draft) -> list[Sentence]:
    return [s for s in all_sentences(draft.letter) if s.flags]


def _yes_no(ok: bool) -> str:
    return "是" if ok else "否"


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def check_lines(checks: Checks) -> list[CheckLine]:
    """The verification results as labelled lines, in the order a reviewer reads them."""
    missing = "、".join(checks.structure_missing)
    answered = sum(checks.coverage)
    unanswered = "、".join(f"第{i + 1}条" for i, ok in enumerate(checks.coverage) if not ok)
    coverage = f"{answered}/{len(checks.coverage)}" if checks.coverage else "无逐条建议"
    if unanswered:
        coverage += f"（未回应：{unanswered}）"
    return [
        CheckLine("结构完整", _yes_no(checks.structure) + (f"（缺少：{missing}）" if missing else ""),
                  checks.structure),
        CheckLine("引用有效", _percent(checks.citations_valid), checks.citations_valid == 1.0),
        CheckLine("数字可溯源", _percent(checks.numbers_traceable), checks.numbers_traceable == 1.0),
        CheckLine("建议逐条回应", coverage, all(checks.coverage)),
        CheckLine("本地工作只引本地来源", _yes_no(checks.jurisdiction), checks.jurisdiction),
        CheckLine("不宜写入答复的语句", str(checks.unworthy_sentences), checks.unworthy_sentences == 0),
        CheckLine("平均支撑度", f"{checks.mean_support:.2f}"),
        CheckLine("被标记语句", str(checks.flagged_sentences), checks.flagged_sentences == 0),
        CheckLine("总体", "通过" if checks.passed else "未通过", checks.passed),
    ]


def review_notes(draft: Draft) -> list[str]:
    """Warnings for the reviewer, with any citation that points at no source added by the renderer."""
    notes = list(draft.warnings)
    for n in dangling_citations(draft):
        notes.append(f"引用[{n}]没有对应的来源，请核实或删除。")
    return notes


def source_place(source: Source) -> str:
    return f"{source.doc_id}，字符 {source.start}–{source.end}"


def export_env(autoescape: bool) -> Environment:
    """A new Environment for templates/export; HTML must escape, Markdown escapes with its own filter."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=autoescape, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.globals["source_place"] = source_place
    return env
