"""Run the cases: draft each one leave-one-out, score it, append the result; then summarize.

The run directory holds ``run.json`` (configuration), ``results.jsonl`` (one line per attempt, appended
and flushed per case so an interrupted run loses at most the case in hand), ``drafts/<case>.json``,
and after the run ``summary.json``, ``cases.csv`` and ``report.html``. A rerun with the same directory
skips cases that already have a result; cases that failed are tried again unless told otherwise.
"""

from __future__ import annotations

import csv
import json
import re
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from assistant.drafting import jurisdiction_for
from assistant.models import Checks, Draft, DraftOptions, Proposal
from assistant.rules.worthiness import Recency
from assistant.settings import Settings
from eval.cases import EvalCase, day_before
from eval.metrics import METRICS, aggregate, meets, score_draft
from eval.retrieval import retrieval_scores
from vectorstore.kb import KnowledgeBase
from vectorstore.types import SearchFilters

RESULTS = "results.jsonl"
# Changing any of these under an existing run directory would mix incomparable results.
_PINNED = ("kb_dir", "engine", "embedding_model")


class DrafterLike(Protocol):
    def draft(self, proposal: Proposal, options: DraftOptions) -> Draft: ...


VerifyFn = Callable[[Draft, KnowledgeBase, Settings], Draft]


class RunConfigError(RuntimeError):
    """The run directory belongs to a run with a different configuration."""


@dataclass
class RunOutcome:
    out_dir: Path
    done: int = 0
    skipped: int = 0
    failed: int = 0
    summary: dict[str, Any] = field(default_factory=dict)


def leave_one_out(case: EvalCase, kb: KnowledgeBase, engine: str) -> DraftOptions:
    """The case's options with the gold (and any stored copy of its text) excluded and the date capped.

    Enforced here whatever the case file says, so an edited case cannot leak its own answer.
    """
    opts = case.options.model_copy(deep=True)
    excluded = {*opts.exclude_doc_ids, case.gold_doc_id}
    twin = kb.doc_with_text(case.gold_text)
    if twin:
        excluded.add(twin)
    cap = day_before(case.gold_date)
    opts.reply_date = min(opts.reply_date, cap) if opts.reply_date else cap
    opts.exclude_doc_ids = sorted(excluded)
    opts.engine = engine  # type: ignore[assignment]
    return opts


def safe_name(case_id: str) -> str:
    return re.sub(r"[^\w.-]+", "_", case_id)[:120] or "case"


def load_results(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The latest result per case (a retried case has several lines; the last one counts)."""
    path = out_dir / RESULTS
    latest: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return latest
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short by an interrupted run: that case simply runs again
        latest[row["case_id"]] = row
    return latest


def _check_config(out_dir: Path, config: dict[str, Any]) -> None:
    path = out_dir / "run.json"
    if path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        diff = [k for k in _PINNED if old.get(k) != config.get(k)]
        if diff:
            raise RunConfigError(
                f"{out_dir} holds a run with a different {', '.join(diff)} "
                f"({', '.join(f'{k}={old.get(k)!r}' for k in diff)}); use another --out directory"
            )
    path.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")


def real_drafter(settings: Settings, kb: KnowledgeBase) -> DrafterLike:
    from assistant.drafting import Drafter

    return Drafter(settings, kb)


def real_verify(draft: Draft, kb: KnowledgeBase, settings: Settings) -> Draft:
    from assistant.drafting import jurisdiction_for
    from assistant.verify import verify

    return verify(draft, kb, settings, jurisdiction=jurisdiction_for(settings, draft.options))


def run_case(case: EvalCase, kb: KnowledgeBase, settings: Settings, drafter: DrafterLike, verify: VerifyFn,
             engine: str, out_dir: Path) -> dict[str, Any]:
    record: dict[str, Any] = {"case_id": case.case_id, "gold_doc_id": case.gold_doc_id,
                              "gold_in_kb": kb.get(case.gold_doc_id) is not None}
    started = time.perf_counter()
    try:
        options = leave_one_out(case, kb, engine)
        record.update(reply_date=options.reply_date, exclude_doc_ids=options.exclude_doc_ids)
        draft = drafter.draft(case.proposal, options)
        if draft.checks == Checks():
            # The drafter did not verify (its checks are untouched); fill them in as a user would see them.
            draft = verify(draft, kb, settings)
        record["seconds"] = round(time.perf_counter() - started, 3)
        record["engine_used"] = draft.engine  # an llm run falls back to compose per case when the model fails
        name = f"drafts/{safe_name(case.case_id)}.json"
        (out_dir / name).write_text(draft.model_dump_json(indent=1), encoding="utf-8")
        record["draft_file"] = name
        rule = jurisdiction_for(settings, draft.options.model_copy(
            update={"region": case.options.region or draft.options.region or settings.region}))
        scored = score_draft(draft, case.gold_text, kb, rule=rule, excluded=options.exclude_doc_ids,
                             reply_date=options.reply_date, recency=Recency(settings.stale_years), case=case)
        filters = SearchFilters(before=options.reply_date, exclude_doc_ids=options.exclude_doc_ids)
        recall, mrr, per = retrieval_scores(kb, case.gold_text, case.proposal.suggestions, filters)
        scored.values["recall_at_5"], scored.values["mrr_at_10"] = recall, mrr
        scored.values["seconds"] = record["seconds"]
        scored.details["retrieval"] = [r.__dict__ for r in per]
        scored.details["warnings"] = draft.warnings
        record.update(ok=True, error="", metrics=scored.values, details=scored.details,
                      scoring_seconds=round(time.perf_counter() - started - record["seconds"], 3))
    except Exception as err:  # one bad case must not end the run; the error is the result
        record.update(ok=False, error=f"{type(err).__name__}: {err}", traceback=traceback.format_exc(limit=6),
                      seconds=round(time.perf_counter() - started, 3), metrics={})
    return record


def run_eval(cases: list[EvalCase], kb: KnowledgeBase, settings: Settings, out_dir: Path, *, engine: str = "compose",
             limit: int | None = None, drafter: DrafterLike | None = None, verify: VerifyFn | None = None,
             retry_errors: bool = True, cases_path: str = "", console: Console | None = None) -> RunOutcome:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "drafts").mkdir(exist_ok=True)
    selected = cases[:limit] if limit is not None else cases
    config = {
        "cases": cases_path, "kb_dir": str(settings.kb_dir.resolve()), "engine": engine,
        "embedding_model": settings.embedding_model, "limit": limit, "n_cases": len(selected),
        "llm_model": settings.llm_model, "cross_encoder": settings.cross_encoder,
        "support_threshold": settings.support_threshold, "candidates": settings.candidates,
        "max_per_doc": settings.max_per_doc, "chunk_max_chars": settings.chunk_max_chars,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _check_config(out_dir, config)
    drafter = drafter or real_drafter(settings, kb)
    verify = verify or real_verify
    previous = load_results(out_dir)
    todo = [c for c in selected if not (c.case_id in previous and (previous[c.case_id]["ok"] or not retry_errors))]
    outcome = RunOutcome(out_dir=out_dir, skipped=len(selected) - len(todo))
    console = console or Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as bar, (out_dir / RESULTS).open("a", encoding="utf-8") as fh:
        task = bar.add_task("评测", total=len(todo))
        for case in todo:
            bar.update(task, description=f"评测 {case.case_id[:32]}")
            record = run_case(case, kb, settings, drafter, verify, engine, out_dir)
            record["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            fh.flush()
            if record["ok"]:
                outcome.done += 1
            else:
                outcome.failed += 1
                console.print(f"[red]失败[/red] {escape(case.case_id)}: {escape(record['error'])}")
            bar.advance(task)
    outcome.summary = write_outputs(out_dir, selected, config)
    return outcome


def write_outputs(out_dir: Path, cases: list[EvalCase], config: dict[str, Any]) -> dict[str, Any]:
    """summary.json, cases.csv and report.html from whatever results the directory holds for ``cases``."""
    from eval.report import write_report

    results = load_results(out_dir)
    rows = [results[c.case_id] for c in cases if c.case_id in results]
    ok = [r for r in rows if r["ok"]]
    summary: dict[str, Any] = {
        "config": config, "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cases": len(cases), "scored": len(ok), "errors": len(rows) - len(ok), "missing": len(cases) - len(rows),
        "metrics": aggregate([r["metrics"] for r in ok]),
        "failed_cases": {r["case_id"]: r["error"] for r in rows if not r["ok"]},
        "engines_used": _count(r.get("engine_used", "") for r in ok),
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    write_csv(out_dir / "cases.csv", rows)
    write_report(out_dir / "report.html", cases, rows, summary)
    return summary


def _count(values: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    names = [m.name for m in METRICS]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel then reads the Chinese right
        writer = csv.writer(fh)
        writer.writerow(["case_id", "gold_doc_id", "ok", "error", *names, "meets_all_targets"])
        for r in rows:
            vals = r.get("metrics", {})
            targets_met = r["ok"] and all(meets(m, vals.get(m.name)) for m in METRICS)
            writer.writerow([r["case_id"], r.get("gold_doc_id", ""), r["ok"], r.get("error", ""),
                             *("" if vals.get(n) is None else round(vals[n], 6) for n in names), targets_met])
