"""`assistant eval …`: build cases from real replies, run them leave-one-out, compare runs.

The assistant CLI finds this module through the ``assistant.cli`` entry-point group (object
``eval.cli:register``), so the assistant package never imports eval by name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from vectorstore.metadata import ManifestError

app = typer.Typer(no_args_is_help=True, help="Batch evaluation: drafts for real replies' proposals, scored against the replies")
console = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


@app.command("build-cases")
def build_cases_cmd(
    corpus: Annotated[list[Path], typer.Argument(help="Corpus directories (or files) holding the replies")],
    out_path: Annotated[Path, typer.Option("--out", help="Case file to write (JSONL)")],
    manifest: Annotated[list[Path] | None, typer.Option(
        help="Manifest(s) the corpus was ingested with; default: MANIFEST.tsv inside each corpus directory")] = None,
    bureau_name: Annotated[str, typer.Option(help="Bureau name when a manifest gives no issuer")] = "",
    region: Annotated[str, typer.Option(help="Bureau region when a manifest gives none")] = "",
) -> None:
    """Turn each reply into a case: the proposal recovered from the reply, the reply itself as gold."""
    from eval.cases import build_cases, write_cases

    manifests = list(manifest or [p / "MANIFEST.tsv" for p in corpus if (p / "MANIFEST.tsv").is_file()])
    missing = [p for p in [*corpus, *manifests] if not p.exists()]
    if missing:
        console.print(f"[red]找不到[/red]: {escape(', '.join(map(str, missing)))}")
        raise typer.Exit(2)
    try:
        report = build_cases(corpus, manifests, bureau_name=bureau_name, region=region)
    except ManifestError as err:
        console.print(f"[red]清单文件有误[/red]: {escape(str(err))}")
        raise typer.Exit(2) from err
    write_cases(report.cases, out_path)
    console.print(f"{len(report.cases)} cases written to {out_path}; {len(report.skipped)} replies skipped; "
                  f"{report.not_replies} other documents; {report.unlisted} files not in any manifest", markup=False)
    for reason, n in sorted(report.reasons().items(), key=lambda t: -t[1]):
        console.print(f"  skipped {n}: {reason}", markup=False)
    for path, reason in report.skipped:
        console.print(f"    {path}: {reason}", style="dim", markup=False)
    if not report.cases:
        raise typer.Exit(1)


@app.command("run")
def run_cmd(
    cases: Annotated[Path, typer.Argument(help="Case file from build-cases")],
    kb: Annotated[Path | None, typer.Option(
        "--kb", help="Knowledge-base directory the corpus was ingested into; default: the bureau's (--bureau, else ASSISTANT_KB_DIR)")] = None,
    engine: Annotated[str, typer.Option(help="compose | llm")] = "compose",
    out_dir: Annotated[Path | None, typer.Option("--out", help="Run directory; default var/eval/<cases>-<engine>")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N cases")] = None,
    retry_errors: Annotated[bool, typer.Option(help="On a rerun, try failed cases again")] = True,
) -> None:
    """Draft every case leave-one-out (gold excluded, sources dated before it), score, write the report."""
    from assistant.cli_bureau import cli_settings
    from assistant.services import open_kb
    from eval.cases import load_cases
    from eval.runner import RunConfigError, run_eval

    if engine not in ("compose", "llm"):
        raise typer.BadParameter("use compose or llm", param_hint="--engine")
    # The selected bureau's settings (its profile, folder and tenant); --kb points at another folder.
    settings = cli_settings()
    if kb is not None:
        settings = settings.model_copy(update={"kb_dir": kb})
    if not (settings.kb_dir / "kb.sqlite3").is_file():
        console.print(f"[red]不是知识库目录[/red]: {escape(str(settings.kb_dir))}（先用 `assistant ingest` 建库，或用 --kb 指定）")
        raise typer.Exit(2)
    try:
        loaded = load_cases(cases)
    except (OSError, ValueError) as err:
        console.print(f"[red]用例文件有误[/red]: {escape(str(err))}")
        raise typer.Exit(2) from err
    target = out_dir or Path("var/eval") / f"{cases.stem}-{engine}"
    try:
        outcome = run_eval(loaded, open_kb(settings), settings, target, engine=engine, limit=limit,
                           retry_errors=retry_errors, cases_path=str(cases))
    except RunConfigError as err:
        console.print(f"[red]{escape(str(err))}[/red]")
        raise typer.Exit(2) from err
    console.print(f"{outcome.done} drafted, {outcome.skipped} already done, {outcome.failed} failed → {target}", markup=False)
    _print_summary(outcome.summary)


def _print_summary(summary: dict[str, object]) -> None:
    from eval.metrics import METRICS
    from eval.report import fmt

    metrics = summary.get("metrics", {})
    assert isinstance(metrics, dict)
    table = Table("metric", "mean", "median", "n", "meets target")
    for m in METRICS:
        a = metrics.get(m.name, {})
        table.add_row(m.name, fmt(a.get("mean")), fmt(a.get("median")), str(a.get("n", 0)), fmt(a.get("meets_target")))
    out.print(table)


@app.command("compare")
def compare_cmd(
    run_a: Annotated[Path, typer.Argument(help="Run directory A (the baseline)")],
    run_b: Annotated[Path, typer.Argument(help="Run directory B")],
    out_dir: Annotated[Path | None, typer.Option("--out", help="Where compare.png/.html go; default RUN_B")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the differences as JSON")] = False,
) -> None:
    """Per-metric means of two runs, their difference, and how many shared cases got better or worse."""
    from eval.compare import write_comparison
    from eval.report import fmt

    for run_dir in (run_a, run_b):
        if not (run_dir / "results.jsonl").is_file():
            console.print(f"[red]不是评测目录[/red]: {escape(str(run_dir))}（缺少 results.jsonl）")
            raise typer.Exit(2)
    diffs, counts = write_comparison(run_a, run_b, out_dir or run_b)
    if as_json:
        typer.echo(json.dumps({"counts": counts, "metrics": [
            {"name": d.name, "mean_a": d.mean_a, "mean_b": d.mean_b, "delta": d.delta, "better": d.better, "worse": d.worse}
            for d in diffs]}, ensure_ascii=False, indent=2))
        return
    table = Table("metric", "mean A", "mean B", "delta", "better", "worse")
    for d in diffs:
        style: Literal["green", "red", ""] = "green" if d.improved else "red" if d.regressed else ""
        table.add_row(d.name, fmt(d.mean_a), fmt(d.mean_b), fmt(d.delta), str(d.better), str(d.worse), style=style)
    out.print(table)
    console.print(f"{counts['shared']} cases in both runs; wrote {(out_dir or run_b) / 'compare.html'}", markup=False)


@app.command("archive")
def archive_cmd(
    folder: Annotated[Path, typer.Argument(help="Archive folder: docs/ + MANIFEST.tsv, proposals/ + gold.jsonl, optional bureau.toml")],
    kb: Annotated[Path | None, typer.Option("--kb", help="Knowledge-base directory; default <out>/kb (the archive is ingested into it when empty)")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Run directory; default var/eval/archive-<name>")] = None,
    engine: Annotated[str, typer.Option(help="compose | llm")] = "compose",
    bureau_name: Annotated[str, typer.Option(help="The archive's bureau when it has no bureau.toml")] = "",
    region: Annotated[str, typer.Option(help="The archive's region when it has no bureau.toml")] = "",
) -> None:
    """Draft every annotated proposal of a bureau archive; the usual report plus parse accuracy, forbidden
    sentences cited and good facts stated (report.html, summary.json, drafts/ in the run directory)."""
    from assistant.cli_bureau import cli_settings, selected
    from assistant.services import open_kb
    from assistant.settings import Settings
    from eval.archive import archive_cases
    from eval.runner import run_eval

    if not (folder / "proposals" / "gold.jsonl").is_file() or not (folder / "MANIFEST.tsv").is_file():
        console.print(f"[red]不是带标注的档案目录[/red]: {escape(str(folder))}（需要 MANIFEST.tsv、docs/ 和 proposals/gold.jsonl）")
        raise typer.Exit(2)
    target = out_dir or Path("var/eval") / f"archive-{folder.resolve().name}"
    settings = Settings(kb_dir=kb or target / "kb")
    if (folder / "bureau.toml").is_file():
        # The archive says whose it is, in the bureaus-file format.
        from assistant.bureaus import load_bureaus

        bureau = load_bureaus(settings.model_copy(update={"bureaus_file": folder / "bureau.toml"})).items[0]
        settings = settings.model_copy(update={"bureau_name": bureau.name, "bureau_short": bureau.short,
                                               "region": bureau.region, "city_short": bureau.city_short,
                                               "issuer_aliases": list(bureau.issuer_aliases),
                                               "own_bodies": list(bureau.own_bodies)})
    elif bureau_name and region:
        settings = settings.model_copy(update={"bureau_name": bureau_name, "region": region})
    elif selected():
        # The global --bureau: that bureau's profile, with the archive's own knowledge base.
        settings = cli_settings().model_copy(update={"kb_dir": settings.kb_dir})
    else:
        console.print("[red]缺少单位信息[/red]：档案目录中没有 bureau.toml 时，请用 --bureau-name 和 --region 指明"
                      "（或用 assistant --bureau 单位代码 eval archive …）")
        raise typer.Exit(2)
    knowledge = open_kb(settings)
    if knowledge.counts().documents == 0:
        report = knowledge.ingest([folder / "docs"], manifest=folder / "MANIFEST.tsv")
        if report.failed:
            console.print(f"[red]导入失败[/red]：{len(report.failed)} 个文件", markup=True)
            raise typer.Exit(1)
    cases = archive_cases(folder, settings.bureau_name, settings.region)
    outcome = run_eval(cases, knowledge, settings, target, engine=engine, cases_path=str(folder))
    console.print(f"{outcome.done} drafted, {outcome.skipped} already done, {outcome.failed} failed → {target}", markup=False)
    _print_summary(outcome.summary)


@app.command("parse")
def parse_cmd(
    folder: Annotated[Path, typer.Argument(help="Folder holding gold.jsonl and the texts it lists")] = Path("../shared/proposals"),
    as_json: Annotated[bool, typer.Option("--json", help="Print per-file results and totals as JSON")] = False,
) -> None:
    """Score the proposal reader against hand-made suggestion lists (exact lists; loose for one suggestion)."""
    from eval.parsing import FIELDS, score_folder, to_json

    if not (folder / "gold.jsonl").is_file():
        console.print(f"[red]找不到标注文件[/red]: {escape(str(folder / 'gold.jsonl'))}（应为每行一个标注的 JSONL 文件）")
        raise typer.Exit(2)
    try:
        score = score_folder(folder)
    except ValueError as err:
        console.print(f"[red]{escape(str(err))}[/red]")
        raise typer.Exit(2) from err
    if as_json:
        typer.echo(to_json(score))
        return
    for f in score.files:
        mark = "对" if f.ok else "错"
        fields = " ".join(name for name in FIELDS if not f.fields.get(name, False))
        out.print(f"{mark} {f.file}  {len(f.got)}/{len(f.expected)} 条  {f.problem or f.error}"
                  + (f"  字段不符: {fields}" if fields else ""), markup=False)
        if not f.ok:
            for label, items in (("应为", f.expected), ("识别", f.got)):
                for n, item in enumerate(items, start=1):
                    out.print(f"    {label} {n}. {item}", markup=False, style="dim")
    totals = score.totals()
    s = totals.suggestions
    out.print(f"建议列表完全正确：{s.right}/{s.n}（{s.accuracy:.1%}）", markup=False)
    for mode, name in (("exact", "多条（逐条精确比对）"), ("loose", "单条（宽松比对）")):
        m = totals.by_mode[mode]
        out.print(f"  {name}：{m.right}/{m.n}", markup=False)
    out.print("字段准确率：" + "，".join(f"{k} {v:.1%}" for k, v in totals.fields.items()), markup=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="eval")
