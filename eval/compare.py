"""Compare two runs metric by metric: means, delta, and how many shared cases got better or worse."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Any

from eval.metrics import METRICS, Metric
from eval.report import fmt, png_base64, report_css, report_env
from eval.runner import load_results

_EPS = 1e-9


@dataclass
class MetricDiff:
    name: str
    label: str
    higher_is_better: bool
    mean_a: float | None
    mean_b: float | None
    better: int
    worse: int

    @property
    def delta(self) -> float | None:
        return None if self.mean_a is None or self.mean_b is None else self.mean_b - self.mean_a

    @property
    def improved(self) -> bool:
        d = self.delta
        return d is not None and (d > _EPS if self.higher_is_better else d < -_EPS)

    @property
    def regressed(self) -> bool:
        d = self.delta
        return d is not None and (d < -_EPS if self.higher_is_better else d > _EPS)


def _scored(run_dir: Path) -> dict[str, dict[str, Any]]:
    return {cid: r.get("metrics", {}) for cid, r in load_results(run_dir).items() if r.get("ok")}


def _mean(rows: dict[str, dict[str, Any]], name: str) -> float | None:
    vals = [v for r in rows.values() if (v := r.get(name)) is not None]
    return mean(vals) if vals else None


def _direction(m: Metric, a: float, b: float) -> int:
    if abs(b - a) <= _EPS:
        return 0
    return 1 if (b > a) == m.higher_is_better else -1


def compare_runs(run_a: Path, run_b: Path) -> tuple[list[MetricDiff], dict[str, int]]:
    a, b = _scored(run_a), _scored(run_b)
    shared = sorted(set(a) & set(b))
    diffs = []
    for m in METRICS:
        moves = [_direction(m, a[c][m.name], b[c][m.name]) for c in shared
                 if a[c].get(m.name) is not None and b[c].get(m.name) is not None]
        diffs.append(MetricDiff(m.name, m.label, m.higher_is_better, _mean(a, m.name), _mean(b, m.name),
                                moves.count(1), moves.count(-1)))
    return diffs, {"a": len(a), "b": len(b), "shared": len(shared)}


def compare_plot(diffs: list[MetricDiff], label_a: str, label_b: str) -> str:
    """Means of A and B side by side, one panel per metric (their scales differ too much to share an axis)."""
    import matplotlib.pyplot as plt

    shown = [d for d in diffs if d.mean_a is not None or d.mean_b is not None]
    if not shown:
        return ""
    cols = 4
    rows = -(-len(shown) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 2.8, rows * 2.2), squeeze=False)
    for ax, d in zip(axes.flat, shown, strict=False):
        vals = [d.mean_a or 0.0, d.mean_b or 0.0]
        bars = ax.bar(["A", "B"], vals, color=["#999999", "#2e8b57" if d.improved else "#c0392b" if d.regressed else "#4a7bb7"])
        ax.bar_label(bars, fmt="%.3g", fontsize=7)
        ax.set_title(d.name, fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(shown):]:
        ax.axis("off")
    fig.suptitle(f"A = {label_a}   B = {label_b}", fontsize=8)
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.06, top=0.9, hspace=0.6, wspace=0.35)
    return png_base64(fig)


def write_comparison(run_a: Path, run_b: Path, out_dir: Path) -> tuple[list[MetricDiff], dict[str, int]]:
    import base64

    diffs, counts = compare_runs(run_a, run_b)
    out_dir.mkdir(parents=True, exist_ok=True)
    plot = compare_plot(diffs, run_a.name, run_b.name)
    if plot:
        (out_dir / "compare.png").write_bytes(base64.b64decode(plot))
    html = report_env().get_template("compare.html.j2").render(
        css=report_css(), fmt=fmt, rows=diffs, plot=plot, a=str(run_a), b=str(run_b),
        n_a=counts["a"], n_b=counts["b"], n_shared=counts["shared"],
    )
    (out_dir / "compare.html").write_text(html, encoding="utf-8")
    return diffs, counts
