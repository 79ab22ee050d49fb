"""Cases from a bureau archive with hand-made gold, and the measures only such gold allows.

The folder holds ``docs/`` + ``MANIFEST.tsv`` (the bureau's knowledge base), optionally ``bureau.toml`` (whose
archive it is, in the bureaus-file format) and ``proposals/`` with ``gold.jsonl``: one object per proposal
with its header fields and suggestions as the parser should return them, ``reply_date``, ``layout``,
``gold_reply`` (a hand-written letter), ``good_facts`` and ``never`` (see sample_archives/chengjiang/README.md).
Each becomes an :class:`~eval.cases.EvalCase` drafted from its gold suggestions (drafting judged apart from
parsing) and scored by the usual metrics plus:

- ``parse_exact`` — the parser's list for the published text is the gold list (``eval.parsing``);
- ``never_cited`` — ``never`` sentences (news leads, events, speeches, preambles, repealed or draft policies,
  stale or superseded figures, other places) that a body sentence cites or repeats;
- ``good_fact_recall`` — share of ``good_facts`` the draft states: it cites the fact's passage, or writes the
  fact's figures and names.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from assistant.models import TO_FILL, Draft, DraftOptions, Proposal
from assistant.proposal import parse_proposal
from assistant.rules.figures import normalize, strip_markers
from eval.cases import EvalCase, GoodFact, Never
from eval.parsing import compare_lists
from vectorstore.kb import KnowledgeBase
from vectorstore.normalize import normalize_text


def archive_cases(folder: Path, bureau_name: str, region: str) -> list[EvalCase]:
    """The annotated proposals of ``folder`` as cases (their gold replies are not in the knowledge base)."""
    cases = []
    for line in (folder / "proposals" / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        g = json.loads(line)
        text = (folder / "proposals" / g["file"]).read_text(encoding="utf-8")
        gold_reply = (folder / "proposals" / g["gold_reply"]).read_text(encoding="utf-8") if g.get("gold_reply") else ""
        reply = date.fromisoformat(g["reply_date"])
        proposal = Proposal(title=g.get("title", ""), number=g.get("number", ""), session=g.get("session", ""),
                            proposer=g.get("proposer", ""), proposer_type=g.get("proposer_type", "unknown"),
                            kind=g.get("kind", "proposal"), body=normalize_text(text), suggestions=g["suggestions"])
        cases.append(EvalCase(
            case_id=Path(g["file"]).stem, gold_doc_id="", gold_date=(reply + timedelta(days=1)).isoformat(),
            proposal=proposal, gold_layout=g.get("layout", ""), gold_title=g.get("title", ""),
            options=DraftOptions(bureau_name=bureau_name, region=region, reply_date=g["reply_date"],
                                 layout=g.get("layout", "thematic")),
            doc_source=str(folder / "proposals" / g["file"]), gold_text=normalize_text(gold_reply),
            proposal_text=text, good_facts=[GoodFact.model_validate(f) for f in g.get("good_facts", [])],
            never=[Never.model_validate(n) for n in g.get("never", [])],
        ))
    return cases


def parse_exact(case: EvalCase) -> float | None:
    """1 when the parser recovers the gold suggestion list from the published text, else 0."""
    if not case.proposal_text:
        return None
    return 1.0 if compare_lists(parse_proposal(case.proposal_text).suggestions, case.proposal.suggestions) else 0.0


def _cited(draft: Draft) -> list[tuple[Any, Any]]:
    by_id = {s.id: s for s in draft.sources}
    body = [s for sec in draft.letter.sections for it in sec.items for s in it.sentences
            if s.citations and TO_FILL not in s.text]
    return [(by_id[c], s) for s in body for c in s.citations if c in by_id]


def _overlaps(a: str, b: str) -> bool:
    return bool(a) and bool(b) and (a in b or b in a)


def never_cited(draft: Draft, case: EvalCase, ids: dict[str, str]) -> tuple[float | None, list[str]]:
    """How many ``never`` sentences the body cites (its passage overlaps) or repeats."""
    if not case.never:
        return None, []
    cited = _cited(draft)
    hits = []
    for n in case.never:
        doc_id = ids.get(n.doc)
        if any(src.doc_id == doc_id and _overlaps(src.quote, n.text) for src, _ in cited) or any(
                _overlaps(strip_markers(s.text).rstrip("。"), n.text.rstrip("。")) for _, s in cited):
            hits.append(f"{n.why} — {n.text[:60]}")
    return float(len(hits)), hits


def good_fact_recall(draft: Draft, case: EvalCase, ids: dict[str, str]) -> tuple[float | None, list[str]]:
    """Share of the case's good facts the draft states; the ones it misses."""
    from eval.metrics import concrete_facts

    if not case.good_facts:
        return None, []
    cited = _cited(draft)
    body = normalize(strip_markers("".join(s.text for _, s in cited)))
    missed = []
    for f in case.good_facts:
        doc_id = ids.get(f.doc)
        named = concrete_facts(f.fact or f.quote)
        if any(src.doc_id == doc_id and _overlaps(src.quote, f.quote) for src, _ in cited):
            continue
        if named and all(normalize(x) in body for x in named):
            continue
        missed.append(f"[{f.suggestion + 1}] {f.fact or f.quote[:60]}")
    return (len(case.good_facts) - len(missed)) / len(case.good_facts), missed


def doc_ids_by_path(kb: KnowledgeBase) -> dict[str, str]:
    """Stored document ids by the path they were ingested under (relative to the manifest)."""
    return {d.source_path: d.doc_id for d in kb.documents()}
