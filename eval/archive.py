"""Evaluation on a bureau archive with hand-made gold: proposals, the facts a good reply states, and the
archive sentences that must never appear in one.

The folder holds ``docs/`` + ``MANIFEST.tsv`` (the bureau's knowledge base) and ``proposals/`` with
``gold.jsonl`` (one object per proposal: header fields and suggestions as the parser should return them,
``reply_date``, ``layout``, ``good_facts`` and ``never``; see ``sample_archives/chengjiang/README.md``).
Each proposal is parsed (scored against the gold list) and drafted from its gold suggestions, so drafting is
judged apart from parsing. Per proposal:

- ``parse_exact`` — the parser's suggestion list is right, scored as ``assistant eval parse`` scores it
  (``eval.parsing.compare_lists``: item by item after whitespace/punctuation normalisation);
- ``leaks`` — ``never`` sentences (news leads, events, speeches, preambles, repealed or draft policies, stale
  or superseded figures, other places) that a body sentence cites or repeats;
- ``fact_recall`` — ``good_facts`` the draft states: it cites the fact's passage, or writes the fact's
  figures and names;
- ``unworthy_share`` — body sentences the letter-worthiness rules reject (as verification flags them);
- ``gaps`` — suggestions left 【待补充】; ``sentences`` — body sentences written.
"""

from __future__ import annotations

import json
from pathlib import Path
from statistics import mean

from pydantic import BaseModel, Field

from assistant.drafting import Drafter
from assistant.models import TO_FILL, Draft, DraftOptions, Proposal
from assistant.proposal import parse_proposal
from assistant.rules.figures import normalize, strip_markers
from assistant.rules.flags import WORTHINESS_CODES
from eval.metrics import concrete_facts
from eval.parsing import compare_lists
from vectorstore.kb import KnowledgeBase
from vectorstore.normalize import normalize_text


class GoodFact(BaseModel):
    suggestion: int
    fact: str = ""
    doc: str
    quote: str
    role: str = "done"


class Never(BaseModel):
    doc: str
    text: str
    why: str = ""


class ArchiveCase(BaseModel):
    file: str
    title: str = ""
    number: str = ""
    session: str = ""
    kind: str = "proposal"
    proposer: str = ""
    proposer_type: str = "unknown"
    reply_date: str
    layout: str = "thematic"
    suggestions: list[str]
    good_facts: list[GoodFact] = Field(default_factory=list)
    never: list[Never] = Field(default_factory=list)


class CaseResult(BaseModel):
    file: str
    parse_exact: bool
    parsed: list[str]
    leaks: list[str]
    never_total: int
    facts_found: int
    facts_total: int
    unworthy: int
    sentences: int
    gaps: int
    draft: Draft

    @property
    def fact_recall(self) -> float | None:
        return self.facts_found / self.facts_total if self.facts_total else None


def load_gold(folder: Path) -> list[ArchiveCase]:
    path = folder / "proposals" / "gold.jsonl"
    return [ArchiveCase.model_validate(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def doc_ids_by_path(kb: KnowledgeBase) -> dict[str, str]:
    """Stored document ids by the path they were ingested under (relative to the manifest)."""
    return {row["source_path"]: row["doc_id"] for row in kb.store.meta_rows()}


def evaluate_case(case: ArchiveCase, folder: Path, drafter: Drafter, ids: dict[str, str]) -> CaseResult:
    text = (folder / "proposals" / case.file).read_text(encoding="utf-8")
    parsed = parse_proposal(text)
    proposal = Proposal(title=case.title, number=case.number, session=case.session, proposer=case.proposer,
                        proposer_type=case.proposer_type, kind=case.kind, body=normalize_text(text),  # type: ignore[arg-type]
                        suggestions=case.suggestions)
    draft = drafter.draft(proposal, DraftOptions(reply_date=case.reply_date, layout=case.layout))  # type: ignore[arg-type]
    body = [(sec.role, s) for sec in draft.letter.sections for it in sec.items for s in it.sentences]
    written = [s for _, s in body if s.citations and TO_FILL not in s.text]
    by_id = {s.id: s for s in draft.sources}
    cited = [(by_id[c], s) for s in written for c in s.citations if c in by_id]
    leaks = [n.text for n in case.never if _leaked(n, cited, ids)]
    body_text = normalize(strip_markers("".join(s.text for s in written)))
    found = sum(1 for f in case.good_facts if _stated(f, cited, ids, body_text))
    return CaseResult(
        file=case.file, parse_exact=compare_lists(parsed.suggestions, case.suggestions)[0], parsed=parsed.suggestions,
        leaks=leaks, never_total=len(case.never), facts_found=found, facts_total=len(case.good_facts),
        unworthy=sum(1 for s in written if any(f.code in WORTHINESS_CODES for f in s.flags)),
        sentences=len(written), gaps=sum(1 for _, s in body if TO_FILL in s.text), draft=draft,
    )


def _overlaps(a: str, b: str) -> bool:
    return a in b or b in a


def _leaked(never: Never, cited: list, ids: dict[str, str]) -> bool:  # type: ignore[type-arg]
    doc_id = ids.get(never.doc)
    return any(src.doc_id == doc_id and _overlaps(src.quote, never.text) for src, _ in cited) or any(
        _overlaps(strip_markers(s.text).rstrip("。"), never.text.rstrip("。")) for _, s in cited)


def _stated(fact: GoodFact, cited: list, ids: dict[str, str], body_text: str) -> bool:  # type: ignore[type-arg]
    doc_id = ids.get(fact.doc)
    if any(src.doc_id == doc_id and (_overlaps(src.quote, fact.quote)) for src, _ in cited):
        return True
    named = concrete_facts(fact.fact or fact.quote)
    return bool(named) and all(normalize(x) in body_text for x in named)


def summarize(results: list[CaseResult]) -> dict[str, float | int | None]:
    facts = sum(r.facts_total for r in results)
    sentences = sum(r.sentences for r in results)
    return {
        "cases": len(results),
        "parse_exact": round(mean(r.parse_exact for r in results), 4) if results else None,
        "leaks": sum(len(r.leaks) for r in results),
        "never_total": sum(r.never_total for r in results),
        "fact_recall": round(sum(r.facts_found for r in results) / facts, 4) if facts else None,
        "unworthy_share": round(sum(r.unworthy for r in results) / sentences, 4) if sentences else None,
        "sentences": sentences,
        "gaps": sum(r.gaps for r in results),
    }
