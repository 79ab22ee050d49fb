"""Knowledge-base commands: ingest, search, show, list, delete, stats, check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.cli_bureau import cli_settings
from assistant.read_errors import explain
from assistant.services import open_kb
from vectorstore.kb import KnowledgeBase
from vectorstore.metadata import ManifestError
from vectorstore.types import KINDS, DocFilter, SearchFilters

console = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)
INGEST_STATUS = {"added": "新增", "updated": "更新", "unchanged": "未变", "duplicate": "重复", "skipped": "跳过",
                 "failed": "失败"}


def _emit_json(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories to ingest")],
    manifest: Annotated[Path | None, typer.Option(help="TSV/CSV manifest with file, kind, issuer, region, date, ...")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Ingest documents (txt, md, html, docx, pdf); re-ingesting unchanged files changes nothing."""
    settings = cli_settings()
    if manifest is None and len(paths) == 1 and (paths[0] / "MANIFEST.tsv").is_file():
        manifest = paths[0] / "MANIFEST.tsv"
    kb = open_kb(settings)
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, disable=as_json) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(stage: str, done: int, total: int) -> None:
                label = {"read": "读取并切分", "embed": "向量化", "train": "训练静态向量模型"}.get(stage, stage)
                if stage not in tasks:
                    tasks[stage] = bar.add_task(label, total=total or None)
                bar.update(tasks[stage], completed=done, total=total or None)

            report = kb.ingest(paths, manifest=manifest, progress=progress)
        # What drafting learns from the knowledge base (term rarity, the bureau's reply style), learned now
        # rather than at the first draft.
        prepare_drafting(kb)
    except ManifestError as err:
        console.print(f"[red]清单文件有误[/red]: {err}")
        raise typer.Exit(2) from err
    if as_json:
        _emit_json({
            "files": [f.__dict__ for f in report.files], "embedded": report.embedded,
            "removed_vectors": report.removed_vectors, "trained": report.trained,
        })
    else:
        # Every file that was not stored is named with its reason, so "跳过 4" never leaves one guessing.
        for status, label, style in (("failed", "失败", "red"), ("skipped", "跳过", "yellow"), ("duplicate", "重复", "yellow")):
            for f in report.files:
                if f.status == status:
                    console.print(f"[{style}]{label}[/{style}] {f.path}：{explain(f.reason)}")
        counts = "，".join(f"{label} {report.count(s)}" for s, label in INGEST_STATUS.items())
        console.print(f"完成：{counts}；新向量 {report.embedded}")
        if report.trained:
            console.print(f"静态向量模型已训练: {json.dumps(report.trained, ensure_ascii=False)}")
    if report.failed:
        raise typer.Exit(1)


def prepare_drafting(kb: KnowledgeBase) -> None:
    from assistant.style import load_style
    from assistant.termstats import load_termstats

    load_termstats(kb)
    load_style(kb)


def search(
    query: Annotated[str, typer.Argument(help="Query text")],
    k: Annotated[int, typer.Option("-k", help="Number of hits")] = 10,
    kind: Annotated[list[str] | None, typer.Option(help=f"Restrict to kinds: {'|'.join(KINDS)}")] = None,
    issuer: Annotated[str, typer.Option(help="Issuer contains this")] = "",
    region: Annotated[str, typer.Option(help="Region contains this")] = "",
    before: Annotated[str, typer.Option(help="Dated on or before (YYYY-MM-DD)")] = "",
    after: Annotated[str, typer.Option(help="Dated on or after (YYYY-MM-DD)")] = "",
    exclude: Annotated[list[str] | None, typer.Option(help="Document ids to leave out")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print hits as JSON")] = False,
) -> None:
    """Hybrid (keyword + vector) search with metadata filters."""
    for kd in kind or []:
        if kd not in KINDS:
            raise typer.BadParameter(f"未知的文档类型“{kd}”；可选：{'、'.join(KINDS)}", param_hint="--kind")
    filters = SearchFilters(kinds=kind or [], issuer=issuer, region=region, before=before, after=after,
                            exclude_doc_ids=exclude or [])
    hits = open_kb(cli_settings()).search(query, k=k, filters=filters)
    for warning in hits.warnings:
        console.print(f"[yellow]提示[/yellow]: {warning}", highlight=False)
    if as_json:
        _emit_json({"query": query, "k": k, "filters": filters.model_dump(exclude_defaults=True),
                    "hits": [h.model_dump() for h in hits], "warnings": hits.warnings})
        return
    table = Table("#", "doc_id", "title / section", "date", "score", "text")
    for i, h in enumerate(hits, 1):
        table.add_row(str(i), h.doc_id, f"{h.title}\n{h.section}", h.date, f"{h.score:.4f}",
                      h.text[:120] + ("…" if len(h.text) > 120 else ""))
    out.print(table)


def show(
    doc_id: Annotated[str, typer.Argument(help="Document id")],
    start: Annotated[int | None, typer.Option(help="Start offset into the stored text")] = None,
    end: Annotated[int | None, typer.Option(help="End offset into the stored text")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print document (and chunks) as JSON")] = False,
) -> None:
    """Print a document's stored text, or the slice [start:end] of it."""
    kb = open_kb(cli_settings(), need_vectors=False)
    doc = kb.get(doc_id)
    if doc is None:
        console.print(f"[red]没有这个文档[/red]: {doc_id}（用 `assistant list` 查看文档编号）")
        raise typer.Exit(1)
    s = 0 if start is None else start
    e = len(doc.text) if end is None else end
    if not (0 <= s <= e <= len(doc.text)):
        console.print(f"[red]偏移越界[/red]: 文档长度 {len(doc.text)}，请求 [{s}:{e}]")
        raise typer.Exit(2)
    if as_json:
        _emit_json({"doc_id": doc.doc_id, "meta": doc.meta.model_dump(), "start": s, "end": e, "text": doc.text[s:e],
                    "chunks": [c.model_dump(exclude={"sentences"}) for c in kb.chunks(doc_id)] if start is None and end is None else []})
        return
    typer.echo(doc.text[s:e])


def list_docs(
    kind: Annotated[str, typer.Option(help=f"Only this kind: {'|'.join(KINDS)}")] = "",
    title: Annotated[str, typer.Option(help="Title or proposal number contains this")] = "",
    issuer: Annotated[str, typer.Option(help="Issuer contains this")] = "",
    region: Annotated[str, typer.Option(help="Region contains this")] = "",
    after: Annotated[str, typer.Option(help="Dated on or after (YYYY-MM-DD); undated documents are left out")] = "",
    before: Annotated[str, typer.Option(help="Dated on or before (YYYY-MM-DD); undated documents are left out")] = "",
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many, newest first")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """List stored documents (filtered in the database, newest first)."""
    if kind and kind not in KINDS:
        raise typer.BadParameter(f"未知的文档类型“{kind}”；可选：{'、'.join(KINDS)}", param_hint="--kind")
    docs = open_kb(cli_settings(), need_vectors=False).documents(DocFilter(
        text=title, kinds=[kind] if kind else [], issuer=issuer, region=region, date_from=after, date_to=before,
        limit=limit))
    if as_json:
        _emit_json([d.model_dump() for d in docs])
        return
    table = Table("doc_id", "kind", "date", "issuer", "title", "chunks")
    for d in docs:
        table.add_row(d.doc_id, d.kind, d.date, d.issuer[:20], d.title[:40], str(d.n_chunks))
    out.print(table)


def delete(doc_id: Annotated[str, typer.Argument(help="Document id")]) -> None:
    """Delete a document with its chunks and vectors."""
    if not open_kb(cli_settings()).delete(doc_id):
        console.print(f"[red]没有这个文档[/red]: {doc_id}")
        raise typer.Exit(1)
    console.print(f"已删除 {doc_id}")


def stats(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False) -> None:
    """Counts of documents, chunks, vectors; the embedder and collection in use."""
    data = open_kb(cli_settings()).stats()
    if as_json:
        _emit_json(data)
    else:
        for key, value in data.items():
            out.print(f"{key}: {value}")


def check(repair: Annotated[bool, typer.Option(help="Rebuild whatever is missing or orphaned")] = False) -> None:
    """Check that the vector and keyword indexes agree with the document store."""
    result = open_kb(cli_settings()).check(repair=repair)
    _emit_json(result)
    if not repair and any(v for k, v in result.items() if k != "chunks"):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(search)
    app.command()(show)
    app.command("list")(list_docs)
    app.command()(delete)
    app.command()(stats)
    app.command()(check)
