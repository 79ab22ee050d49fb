"""A self-contained HTML report of a run: aggregates, metric distributions, and each draft beside its gold.

Inline CSS, plots embedded as base64 PNG, every text escaped (Jinja2 autoescape), so the file can be
mailed or archived as is.
"""

from __future__ import annotations

import base64
import io
import json
import math
from pathlib import Path
from typing import Any

import matplotlib

# The backend is chosen before pyplot loads: no display on servers and CI.
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from jinja2 import Environment, FileSystemLoader
from matplotlib.figure import Figure

from assistant.models import Draft
from assistant.resources import resource_dir
from eval.cases import EvalCase
from eval.metrics import METRIC_BY_NAME, METRICS, meets
from eval.text import strip_markers

TEMPLATES = resource_dir("templates") / "eval"

_BRIEF = ("structure", "citation_validity", "figure_traceability", "jurisdiction", "leakage", "coverage",
          "rouge_l", "evidence_findability", "recall_at_5", "seconds")
_UNBOUNDED = frozenset({"leakage", "seconds"})
_ISSUES = (
    ("structure_missing", "Missing or out-of-order parts"), ("invalid_citations", "Invalid citations"),
    ("untraceable_figures", "Figures not in any cited source"), ("foreign_sentences", "Work sentences citing another region"),
    ("leaked_sources", "Leaked sources"), ("warnings", "Drafter warnings"),
)


def fmt(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def png_base64(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def distribution_plot(rows: list[dict[str, Any]]) -> str:
    """Small multiples: one histogram per metric that has values."""
    series = [(m, [v for r in rows if (v := r.get("metrics", {}).get(m.name)) is not None]) for m in METRICS]
    series = [(m, vals) for m, vals in series if vals]
    if not series:
        return ""
    cols = 4
    nrows = math.ceil(len(series) / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(cols * 3.2, nrows * 2.4), squeeze=False)
    for ax, (m, vals) in zip(axes.flat, series, strict=False):
        # Shares share one 0..1 axis so that panels compare at a glance; counts and seconds keep their own.
        bounded = m.name not in _UNBOUNDED
        ax.hist(vals, bins=20 if bounded else min(20, max(5, len(vals))), range=(0.0, 1.0) if bounded else None,
                color="#4a7bb7", edgecolor="white")
        ax.set_title(m.name, fontsize=9)
        if m.target is not None:
            ax.axvline(m.target, color="#c33", linestyle="--", linewidth=1)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(series):]:
        ax.axis("off")
    # Fixed spacing: tight_layout costs seconds per figure and the panels are all alike.
    fig.subplots_adjust(left=0.05, right=0.98, bottom=0.06, top=0.95, hspace=0.45, wspace=0.25)
    return png_base64(fig)


def draft_blocks(draft: Draft) -> list[dict[str, Any]]:
    letter = draft.letter
    blocks: list[dict[str, Any]] = []

    def add(kind: str, text: str) -> None:
        if text.strip():
            blocks.append({"kind": kind, "text": text.strip()})

    add("meta", letter.category)
    add("meta", letter.doc_number)
    add("title", letter.title)
    add("line", letter.salutation)
    add("line", letter.opening)
    for sec in letter.sections:
        add("h", sec.heading)
        for item in sec.items:
            add("h", item.heading)
            sents = [{"text": strip_markers(s.text), "markers": "".join(f"[{c}]" for c in s.citations), "flags": s.flag_messages()}
                     for s in item.sentences if s.text.strip()]
            if sents:
                blocks.append({"kind": "sentences", "sentences": sents})
    for text in (letter.closing, letter.signature, letter.date, letter.disclosure, letter.contact):
        add("line", text)
    return blocks


def _case_view(case: EvalCase, row: dict[str, Any] | None, out_dir: Path) -> dict[str, Any]:
    row = row or {"ok": False, "error": "not run", "metrics": {}}
    details = row.get("details", {})
    view: dict[str, Any] = {
        "case_id": case.case_id, "anchor": "case-" + "".join(ch if ch.isalnum() else "-" for ch in case.case_id),
        "title": case.proposal.title or case.gold_title, "gold_doc_id": case.gold_doc_id, "gold_date": case.gold_date,
        "reply_date": row.get("reply_date", case.options.reply_date),
        "excluded": row.get("exclude_doc_ids", case.options.exclude_doc_ids),
        "gold_in_kb": row.get("gold_in_kb", True), "error": row.get("error", ""), "metrics": row.get("metrics", {}), "gold_text": case.gold_text,
        "issues": [(label, details[key]) for key, label in _ISSUES if details.get(key)],
        "blocks": [], "sources": [], "flag_notes": [],
    }
    retrieval = [r for r in details.get("retrieval", []) if r.get("first_relevant_rank") is None]
    if retrieval:
        view["issues"].append(("Suggestions with no relevant passage in the top 10",
                               [f"{r['suggestion']} (gold answer: {r['answer_heading']})" for r in retrieval]))
    draft_file = row.get("draft_file")
    if draft_file and (out_dir / draft_file).exists():
        draft = Draft.model_validate_json((out_dir / draft_file).read_text(encoding="utf-8"))
        view["blocks"] = draft_blocks(draft)
        view["sources"] = [s.model_dump() for s in draft.sources]
        view["flag_notes"] = [f"{strip_markers(s.text)[:60]} — {'; '.join(s.flag_messages())}"
                              for sec in draft.letter.sections for i in sec.items for s in i.sentences if s.flags]
    return view


class _MetricView:
    """A metric as the template sees it, with ``meets`` bound."""

    def __init__(self, name: str) -> None:
        m = METRIC_BY_NAME[name]
        self.name, self.label, self.higher_is_better, self.target = m.name, m.label, m.higher_is_better, m.target
        self._m = m

    def meets(self, value: float | None) -> bool:
        return meets(self._m, value)


def _definitions() -> str:
    from eval import metrics, retrieval

    return f"{metrics.__doc__ or ''}\n{retrieval.__doc__ or ''}".strip()


def report_env() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True)


def report_css() -> str:
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


def render_report(cases: list[EvalCase], rows: list[dict[str, Any]], summary: dict[str, Any], out_dir: Path) -> str:
    by_id = {r["case_id"]: r for r in rows}
    return report_env().get_template("report.html.j2").render(
        css=report_css(), config=summary["config"], summary=summary, fmt=fmt, definitions=_definitions(),
        metrics=[_MetricView(m.name) for m in METRICS], brief=[_MetricView(n) for n in _BRIEF],
        plot=distribution_plot(rows), cases=[_case_view(c, by_id.get(c.case_id), out_dir) for c in cases],
    )


def write_report(path: Path, cases: list[EvalCase], rows: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    path.write_text(render_report(cases, rows, summary, path.parent), encoding="utf-8")


def load_summary(run_dir: Path) -> dict[str, Any]:
    return dict(json.loads((run_dir / "summary.json").read_text(encoding="utf-8")))
